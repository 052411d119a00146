"""`--add-noqa`: suppress every current finding in place, for adopting dslint in an old codebase.

Each finding gets `# noqa: CODE` on its `noqa_row` (the last row of the statement holding its
anchor, where suppression looks for it). An existing `# noqa: ...` with codes on that row gets the
new codes merged into its list (a reason after it stays); any other comment stays and the
directive follows it. A row whose end lies inside a multi-line string or that ends in a `\\`
continuation cannot take a comment without changing the code: it is skipped and reported.
DS001 (the file does not parse) is never suppressed this way.

Files are written atomically, in their own encoding (a BOM kept); notebooks through their adapter,
which puts the changed rows back into their cells.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Dict, List, Optional, Set, Tuple

from dslint.fileio import write_atomic
from dslint.findings import Finding, Position
from dslint.notebooks import NotebookError, decode_notebook
from dslint.suppression import filter_suppressed

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_NOQA = re.compile(r"#\s*noqa(?![\w-])(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


@dataclass
class NoqaOutcome:
    added: int = 0  # directives written or extended (one per row)
    files: int = 0  # files changed
    skipped: List[str] = field(default_factory=list)  # rows left alone, and why
    errors: List[str] = field(default_factory=list)  # files that could not be changed


def add_noqa(findings: List[Finding], result) -> NoqaOutcome:
    """Add a directive for each finding in `findings` (of the run `result`, whose sources they
    were found in) to its file."""
    outcome = NoqaOutcome()
    by_path: Dict[str, List[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.code == "DS001":
            outcome.skipped.append(f"{finding.path}:{finding.start.row}: DS001 is not suppressed: fix the syntax error")
        else:
            by_path[finding.path].append(finding)
    notebooks = getattr(result, "notebooks", {}) or {}
    for path, file_findings in sorted(by_path.items()):
        source = result.sources.get(path)
        if source is None:
            outcome.errors.append(f"cannot add noqa to {path}: its source is unknown")
            continue
        try:
            if path in notebooks:
                _add_to_notebook(path, source, notebooks[path], file_findings, outcome)
            else:
                _add_to_file(path, source, file_findings, outcome)
        except OSError as error:
            outcome.errors.append(f"cannot add noqa to {path}: {error.strerror or error}")
    return outcome


def _add_to_file(path: str, source: str, findings: List[Finding], outcome: NoqaOutcome) -> None:
    with open(path, "rb") as file:
        data = file.read()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode(encoding)
    if bom and text.startswith("\ufeff"):
        text = text[1:]
    if text != source:
        outcome.errors.append(f"cannot add noqa to {path}: it changed while dslint ran")
        return
    new_text = _with_directives(path, source, findings, outcome, lambda row: f"{path}:{row}")
    if new_text is None:
        return
    encoded = new_text.encode(encoding)
    if bom and not encoded.startswith(b"\xef\xbb\xbf"):
        encoded = b"\xef\xbb\xbf" + encoded
    write_atomic(path, encoded)
    outcome.files += 1


def _add_to_notebook(path: str, source: str, notebook, findings: List[Finding], outcome: NoqaOutcome) -> None:
    with open(path, "rb") as file:
        data = file.read()
    try:
        text = decode_notebook(data)
    except NotebookError as error:
        outcome.errors.append(f"cannot add noqa to {path}: {error}")
        return
    if text != notebook.text:
        outcome.errors.append(f"cannot add noqa to {path}: it changed while dslint ran")
        return
    virtual: List[Finding] = []  # the findings in rows of the virtual source, where the rows are edited
    where: Dict[int, str] = {}
    for finding in findings:
        row = finding.noqa_row or finding.start.row
        if finding.cell is None:
            virtual.append(finding)
            continue
        start, noqa = notebook.virtual_row(finding.cell, finding.start.row), notebook.virtual_row(finding.cell, row)
        if start is None or noqa is None:
            outcome.skipped.append(f"{path}:cell {finding.cell}:{row}: no such row")
            continue
        virtual.append(replace(finding, start=Position(start, finding.start.column), noqa_row=noqa, cell=None))
        where[noqa] = f"{path}:cell {finding.cell}:{row}"
    new_source = _with_directives(path, source, virtual, outcome, lambda row: where.get(row, f"{path}:{row}"))
    if new_source is None:
        return
    new_text = notebook.with_source(new_source)
    write_atomic(path, (("\ufeff" if data.startswith(b"\xef\xbb\xbf") else "") + new_text).encode("utf-8"))
    outcome.files += 1


def _with_directives(path, source: str, findings: List[Finding], outcome: NoqaOutcome, name) -> Optional[str]:
    """`source` with the directives for `findings` (rows of `source`) added; None when nothing
    changed. A directive that suppression would not see is taken back and reported."""
    try:
        comments, unsafe = _scan(source)
    except (tokenize.TokenError, SyntaxError, IndentationError) as error:
        outcome.errors.append(f"cannot add noqa to {path}: cannot tokenize it ({error})")
        return None
    lines = _LINE.findall(source)
    codes_by_row: Dict[int, Set[str]] = defaultdict(set)
    for finding in findings:
        codes_by_row[finding.noqa_row or finding.start.row].add(finding.code)
    original = list(lines)
    edited: Set[int] = set()
    for row, codes in sorted(codes_by_row.items()):
        if not 0 < row <= len(lines):
            outcome.skipped.append(f"{name(row)}: no such row")
            continue
        if row in unsafe:
            outcome.skipped.append(f"{name(row)}: not suppressed ({', '.join(sorted(codes))}): {unsafe[row]}")
            continue
        line = lines[row - 1]
        body = line.rstrip("\r\n")
        new_body = _with_codes(body, comments.get(row), sorted(codes))
        if new_body != body:
            lines[row - 1] = new_body + line[len(body):]
            edited.add(row)
    if edited:
        # The directive must do its job: a row where suppression would not see it goes back as it was.
        touched = [finding for finding in findings if (finding.noqa_row or finding.start.row) in edited]
        for finding in filter_suppressed(touched, "".join(lines)):
            row = finding.noqa_row or finding.start.row
            if row in edited:
                edited.discard(row)
                lines[row - 1] = original[row - 1]
                outcome.skipped.append(
                    f"{name(row)}: not suppressed ({', '.join(sorted(codes_by_row[row]))}): "
                    "dslint would not see a comment on this line (it closes a multi-line string)"
                )
    outcome.added += len(edited)
    return "".join(lines) if edited else None


def _with_codes(line: str, comment_column: Optional[int], codes: List[str]) -> str:
    if comment_column is not None:
        comment = line[comment_column:]
        match = _NOQA.search(comment)
        if match is not None:
            if match.group("codes") is None:  # a bare `# noqa` covers every code already
                return line
            present = re.findall(r"[A-Za-z]+[0-9]+", match.group("codes"))
            missing = [code for code in codes if not any(code.startswith(p.upper()) for p in present)]
            if not missing:
                return line
            start, end = match.span("codes")
            merged = ", ".join(present + missing)
            return line[:comment_column] + comment[:start] + merged + comment[end:]
    return line.rstrip(" \t") + "  # noqa: " + ", ".join(codes)


def _scan(source: str) -> Tuple[Dict[int, int], Dict[int, str]]:
    """The column of each row's comment, and the rows whose end cannot take a comment (with why)."""
    comments: Dict[int, int] = {}
    unsafe: Dict[int, str] = {}
    fstring_start = getattr(tokenize, "FSTRING_START", None)
    fstring_end = getattr(tokenize, "FSTRING_END", None)
    open_fstrings: List[int] = []
    previous_end_row = 0
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        kind, start, end = token.type, token.start, token.end
        if kind == tokenize.COMMENT:
            comments[start[0]] = start[1]
        elif kind == tokenize.STRING and end[0] > start[0]:
            for row in range(start[0], end[0]):
                unsafe[row] = "the line ends inside a multi-line string"
        elif fstring_start is not None and kind == fstring_start:
            open_fstrings.append(start[0])
        elif fstring_end is not None and kind == fstring_end and open_fstrings:
            for row in range(open_fstrings.pop(), end[0]):
                unsafe[row] = "the line ends inside a multi-line string"
        # A token starting on a later row than the last one ended, with no NEWLINE/NL between:
        # the rows in between end in a `\` continuation.
        if kind not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
            if previous_end_row and start[0] > previous_end_row:
                for row in range(previous_end_row, start[0]):
                    unsafe.setdefault(row, "the line ends in a backslash continuation")
            previous_end_row = end[0]
        elif kind in (tokenize.NL, tokenize.NEWLINE):
            previous_end_row = 0
    return comments, unsafe
