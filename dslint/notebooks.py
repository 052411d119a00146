"""Jupyter notebooks as a source adapter: a notebook becomes one virtual Python module, and findings
in that module are mapped back to the cell they are in.

The virtual source is every code cell's text in file order, each ending in a newline, so the
cross-cell analysis treats the notebook as one module (a client built in cell 1 and called in cell
4 is resolved). IPython syntax that is not Python (`%magic`, `!shell`, `x = !cmd`, `obj?`, a cell
magic like `%%bash`) is masked in place: a line magic becomes `pass` at the same indentation and the
lines of a non-Python cell become blank, so no row moves and the rows of a finding are the rows of
its cell.

Cells are numbered from 1 counting every cell the file stores (markdown and raw included), so cell
N is `cells[N-1]`, as ruff numbers them.

`Notebook.with_source(fixed)` maps an edited virtual source (lines inserted, removed or changed,
as a fixer does) back into the notebook JSON, keeping each cell's other fields, the key order and
the file's indentation, and restoring the masked magics.
"""

from __future__ import annotations

import bisect
import copy
import difflib
import json
import re
from dataclasses import dataclass, replace
from typing import Any, Dict, List, Optional, Sequence, Tuple

from dslint.findings import Edit, Finding, Position
from dslint.suppression import comment_start

SUFFIX = ".ipynb"

# Cell magics whose body is Python run by the kernel: the magic line is masked, the body linted.
# Any other cell magic (%%bash, %%html, %%sql, %%writefile, ...) masks the whole cell.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "python", "python3", "pypy"})

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # one line with its ending (Python's row breaks)
# `files = !ls`, `t = %timeit -o f()`, `a, b = %sx cmd`
_ASSIGNED_MAGIC = re.compile(r"\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!]")
_PLACEHOLDER = "pass"


class NotebookError(Exception):
    """The file is not a notebook dslint can read; `row`/`column` locate the problem in the file."""

    def __init__(self, message: str, row: int = 1, column: int = 1):
        super().__init__(message)
        self.row = row
        self.column = column


def is_notebook(path: str) -> bool:
    return str(path).lower().endswith(SUFFIX)


def decode_notebook(data: bytes) -> str:
    """The text of a notebook file (JSON: UTF-8, a BOM tolerated)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotebookError(f"not valid UTF-8 (byte {error.start})") from None


@dataclass(frozen=True)
class _CodeCell:
    number: int  # 1-based, counting every cell
    first_row: int  # virtual row of the cell's first row
    lines: Tuple[str, ...]  # the cell's lines as stored, with their endings
    masked: Tuple[str, ...]  # the lines as the virtual source has them, without endings
    as_list: bool  # `source` stored as a list of strings (nbformat's way) rather than one string

    @property
    def rows(self) -> int:
        return len(self.lines)


class Notebook:
    """One parsed notebook: its JSON document, the virtual source, and the row map between them."""

    def __init__(self, text: str, document: Dict[str, Any], cells: Sequence[_CodeCell]):
        self.text = text
        self.document = document
        self._cells = tuple(cells)
        self._starts = [cell.first_row for cell in self._cells]
        self.source = "".join(line + "\n" for cell in self._cells for line in cell.masked)
        self._file_lines: Optional[Dict[int, List[Tuple[int, str]]]] = None

    # --- rows --------------------------------------------------------------------------------

    def cell_position(self, row: int) -> Tuple[Optional[int], int]:
        """(cell number, row within the cell) of a row of the virtual source; a row past the end
        (an error at end of input) stays in the last cell."""
        if not self._cells:
            return None, row
        index = max(bisect.bisect_right(self._starts, row) - 1, 0)
        cell = self._cells[index]
        return cell.number, row - cell.first_row + 1

    def virtual_row(self, cell: int, row: int) -> Optional[int]:
        """The virtual-source row of row `row` of cell `cell`; None when the cell has no such row."""
        for code_cell in self._cells:
            if code_cell.number == cell:
                return code_cell.first_row + row - 1 if 1 <= row <= code_cell.rows else None
        return None

    def cell_line(self, cell: int, row: int) -> Optional[str]:
        """The text of row `row` of cell `cell` as stored (magics included), without its line ending."""
        for code_cell in self._cells:
            if code_cell.number == cell and 1 <= row <= code_cell.rows:
                return code_cell.lines[row - 1].rstrip("\r\n")
        return None

    def map_finding(self, finding: Finding) -> Finding:
        """`finding` (rows of the virtual source) with its cell and rows relative to that cell. The
        rows of its fix edits are made relative to the cell each one is in, as ruff's JSON does."""
        cell, start_row = self.cell_position(finding.start.row)
        if cell is None:
            return finding
        end_cell, end_row = self.cell_position(finding.end.row)
        end = Position(end_row, finding.end.column) if end_cell == cell else self._cell_end(cell, finding.start)
        noqa_row = None
        if finding.noqa_row is not None:
            noqa_cell, noqa_row = self.cell_position(finding.noqa_row)
            noqa_row = noqa_row if noqa_cell == cell else start_row
        fix = finding.fix
        if fix is not None:
            fix = replace(fix, edits=tuple(self._map_edit(edit) for edit in fix.edits))
        return replace(
            finding,
            start=Position(start_row, finding.start.column),
            end=end,
            noqa_row=noqa_row,
            cell=cell,
            fix=fix,
        )

    def _cell_end(self, cell: int, start: Position) -> Position:
        for code_cell in self._cells:
            if code_cell.number == cell:
                last = code_cell.masked[-1] if code_cell.masked else ""
                return Position(code_cell.rows, len(last) + 1)
        return start

    def _map_edit(self, edit: Edit) -> Edit:
        _, start_row = self.cell_position(edit.start.row)
        _, end_row = self.cell_position(edit.end.row)
        return replace(edit, start=Position(start_row, edit.start.column), end=Position(end_row, edit.end.column))

    def file_line(self, cell: int, row: int) -> Optional[int]:
        """The line of the notebook file that stores row `row` of cell `cell` (for annotations on
        the file itself: GitHub, GitLab, SARIF); None when it cannot be told."""
        if self._file_lines is None:
            self._file_lines = _source_token_lines(self.text)
        tokens = self._file_lines.get(cell - 1)
        if not tokens:
            return None
        seen = 0
        for line, token in tokens:
            try:
                value = json.loads(token)
            except ValueError:
                return None
            seen += len(_LINE.findall(value)) or 1
            if row <= seen:
                return line
        return tokens[-1][0]

    # --- writing back ------------------------------------------------------------------------

    def with_source(self, fixed: str) -> str:
        """The notebook file's text with the code cells holding `fixed`, an edited version of
        `self.source`. Lines the edit kept go back to their cell as stored (masked magics
        restored); inserted lines join the cell of the line before them (the first cell at the
        top); cells the edit did not touch keep their `source` exactly."""
        old = [line for cell in self._cells for line in cell.masked]
        owner = [index for index, cell in enumerate(self._cells) for _ in cell.masked]
        stored = [line for cell in self._cells for line in cell.lines]
        new_lines = [line.rstrip("\r\n") for line in _LINE.findall(fixed)]
        per_cell: List[List[str]] = [[] for _ in self._cells]
        changed = [False] * len(self._cells)
        if not self._cells:
            return self.text
        matcher = difflib.SequenceMatcher(None, old, new_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for offset in range(i2 - i1):
                    per_cell[owner[i1 + offset]].append(stored[i1 + offset])
                continue
            for index in range(i1, i2):
                changed[owner[index]] = True
            for offset, line in enumerate(new_lines[j1:j2]):
                if i1 < i2:
                    index = min(i1 + offset, i2 - 1)
                    target = owner[index]
                    restored = stored[index] if line == old[index] else line + "\n"
                else:  # an insertion: it joins the cell of the line before it
                    target = owner[i1 - 1] if i1 > 0 else 0
                    restored = line + "\n"
                changed[target] = True
                per_cell[target].append(restored)
        if not any(changed):
            return self.text
        document = copy.deepcopy(self.document)
        for index, cell in enumerate(self._cells):
            if changed[index]:
                document["cells"][cell.number - 1]["source"] = _stored_source(per_cell[index], cell)
        return _dump_like(document, self.text)


def load_notebook(text: str) -> Notebook:
    """Parse a notebook's JSON text. Raises NotebookError for anything that is not an nbformat 4
    notebook (bad JSON, no `cells` list, a cell without a string `source`)."""
    try:
        document = json.loads(text)
    except ValueError as error:
        row, column = getattr(error, "lineno", 1), getattr(error, "colno", 1)
        reason = getattr(error, "msg", str(error))
        raise NotebookError(f"invalid notebook JSON: {reason}", row, column) from None
    except RecursionError:
        raise NotebookError("invalid notebook JSON: nested too deeply") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise NotebookError("not a Jupyter notebook (nbformat 4): no 'cells' list")
    cells: List[_CodeCell] = []
    if not _is_python(document):
        return Notebook(text, document, cells)
    row = 1
    for number, cell in enumerate(document["cells"], start=1):
        if not isinstance(cell, dict):
            raise NotebookError(f"cell {number} is not a JSON object")
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            as_list, source = True, "".join(source)
        elif isinstance(source, str):
            as_list = False
        else:
            raise NotebookError(f"cell {number}: 'source' must be a string or a list of strings")
        lines = tuple(_LINE.findall(source))
        if not lines:
            continue
        masked = tuple(mask_magics([line.rstrip("\r\n") for line in lines]))
        cells.append(_CodeCell(number, row, lines, masked, as_list))
        row += len(lines)
    return Notebook(text, document, cells)


def _is_python(document: Dict[str, Any]) -> bool:
    """False for a notebook of another kernel language (R, Julia, ...): none of its cells is Python."""
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return True
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field), str):
            return section[field].lower() == "python"
    return True


# --- IPython syntax ---------------------------------------------------------------------------


def mask_magics(lines: Sequence[str]) -> List[str]:
    """The lines of one cell (without endings) with IPython syntax replaced, row for row."""
    masked = list(lines)
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return masked
    start = 0
    head = lines[first].lstrip()
    if head.startswith("%%"):
        name = head[2:].split(None, 1)[0] if head[2:].strip() else ""
        if name not in PYTHON_CELL_MAGICS:
            return [""] * len(lines)
        masked[first] = ""
        start = first + 1
    scanner = _Scanner()
    continued = False
    for index in range(start, len(lines)):
        line = lines[index]
        if continued:  # a magic's `\` continuation line
            masked[index] = ""
            continued = line.rstrip().endswith("\\")
        elif scanner.at_statement_start() and _is_magic(line):
            indent = line[: len(line) - len(line.lstrip())]
            masked[index] = indent + _PLACEHOLDER
            continued = line.rstrip().endswith("\\")
        else:
            scanner.feed(line)
    return masked


def _is_magic(line: str) -> bool:
    stripped = line.lstrip()
    if stripped.startswith(("%", "!", "?")):
        return True
    if _ASSIGNED_MAGIC.match(line):
        return True
    code = _code_part(stripped).rstrip()
    return code.endswith("?")  # `obj?`, `obj??`: IPython help


def _code_part(line: str) -> str:
    """`line` up to its comment (a `#` inside a string is not one)."""
    start = comment_start(line)
    return line if start is None else line[:start]


class _Scanner:
    """Whether a line starts a new statement: not inside brackets, a string or a `\\` continuation."""

    def __init__(self) -> None:
        self.quote: Optional[str] = None
        self.depth = 0
        self.backslash = False

    def at_statement_start(self) -> bool:
        return self.quote is None and self.depth == 0 and not self.backslash

    def feed(self, line: str) -> None:
        self.backslash = False
        index = 0
        while index < len(line):
            char = line[index]
            if self.quote is not None:
                if char == "\\":
                    index += 2
                    continue
                if line.startswith(self.quote, index):
                    index += len(self.quote)
                    self.quote = None
                    continue
            elif char == "#":
                break
            elif char in "'\"":
                self.quote = char * 3 if line.startswith(char * 3, index) else char
                index += len(self.quote)
                continue
            elif char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(self.depth - 1, 0)
            elif char == "\\" and not line[index + 1 :].strip():
                self.backslash = True
            index += 1
        if self.quote is not None and len(self.quote) == 1 and not line.endswith("\\"):
            self.quote = None  # an unterminated one-line string ends with its line


# --- JSON layout ------------------------------------------------------------------------------


def _stored_source(lines: List[str], cell: _CodeCell) -> Any:
    """A cell's new `source` in the form it was stored in; a cell that did not end in a line
    break still does not."""
    # The cell's stored last line may have had no line break; with a line after it, it needs one.
    lines = [line if line.endswith(("\n", "\r")) else line + "\n" for line in lines]
    if lines and not cell.lines[-1].endswith(("\n", "\r")):
        lines[-1] = lines[-1].rstrip("\r\n")
    return list(lines) if cell.as_list else "".join(lines)


def _dump_like(document: Dict[str, Any], original: str) -> str:
    """`document` as JSON laid out like `original`: its indentation, separators, escaping of
    non-ASCII text and final newline (nbformat writes indent=1, sorted keys, non-ASCII as is)."""
    opening = re.match(r"\s*\{([ \t]*\r?\n)?([ \t]*)", original)
    indent: Optional[str] = opening.group(2) if opening and opening.group(1) is not None else None
    key_separator = re.search(r'"\s*:([ \t]*)', original)
    colon = ":" + (key_separator.group(1) if key_separator else " ")
    if indent is None:
        item = re.search(r",([ \t]*)[\"\[{\d\-tfn]", original)
        comma = "," + (item.group(1) if item else " ")
    else:
        comma = ","
    ensure_ascii = original.isascii() and re.search(r"\\u(?!00[01][0-9a-fA-F])[0-9a-fA-F]{4}", original) is not None
    text = json.dumps(document, indent=indent, separators=(comma, colon), ensure_ascii=ensure_ascii)
    newline = "\r\n" if "\r\n" in original else "\n"
    if newline != "\n":
        text = text.replace("\n", newline)
    return text + (newline if original.endswith(("\n", "\r")) else "")


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)


def _source_token_lines(text: str) -> Dict[int, List[Tuple[int, str]]]:
    """For each cell (0-based) the file line and raw JSON token of each string of its `source`."""
    found: Dict[int, List[Tuple[int, str]]] = {}
    # One frame per open container: [is_object, key or index, expecting a key]
    stack: List[List[Any]] = []
    line, last = 1, 0
    for match in _JSON_TOKEN.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        token = match.group()
        if token in ("{", "["):
            stack.append([token == "{", None if token == "{" else 0, token == "{"])
        elif token in ("}", "]"):
            if stack:
                stack.pop()
        elif token == ":":
            if stack and stack[-1][0]:
                stack[-1][2] = False
        elif token == ",":
            if stack:
                if stack[-1][0]:
                    stack[-1][2] = True
                elif isinstance(stack[-1][1], int):
                    stack[-1][1] += 1
        elif stack and stack[-1][0] and stack[-1][2]:
            try:
                stack[-1][1] = json.loads(token)
            except ValueError:
                return {}
        elif token.startswith('"') and len(stack) >= 3:
            root, cells, cell = stack[0], stack[1], stack[2]
            if not (root[0] and root[1] == "cells" and not cells[0] and cell[0] and cell[1] == "source"):
                continue
            if len(stack) == 3:
                found[cells[1]] = [(line, token)]
            elif len(stack) == 4 and not stack[3][0]:
                found.setdefault(cells[1], []).append((line, token))
    return found
