"""Text edits built from the LibCST nodes of one analysed file.

`SourceEdits` turns nodes into `Edit` records (1-based rows and columns, as findings have):
replacing a node's text, inserting a line before or after a statement (with the statement's
indentation and the file's line ending), adding a keyword argument to a call, and making a name
importable at the place of use (`access`): through an import the file already has, by extending a
`from module import ...` it has, or by a new import line, never a duplicate.
"""

from __future__ import annotations

import bisect
import re
import sys
from typing import Iterator, List, Optional, Sequence, Tuple

import libcst as cst
from libcst.metadata import ClassScope, GlobalScope

from dslint.analysis.resolver import dotted_name
from dslint.findings import Edit, Position

# Modules of the standard library (the ones fixes import, and what `import x` lines name most).
STANDARD_MODULES = frozenset(getattr(sys, "stdlib_module_names", ())) or frozenset({
    "abc", "argparse", "asyncio", "base64", "collections", "concurrent", "contextlib", "copy", "csv",
    "dataclasses", "datetime", "enum", "functools", "glob", "hashlib", "http", "importlib", "inspect", "io",
    "itertools", "json", "logging", "math", "os", "pathlib", "pickle", "random", "re", "shutil", "signal",
    "socket", "sqlite3", "string", "subprocess", "sys", "tempfile", "textwrap", "threading", "time",
    "traceback", "typing", "unittest", "urllib", "uuid", "warnings", "weakref"})

# The line breaks Python (and LibCST) count rows by.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> List[int]:
    """Offset of the first character of each row; one entry past a final line break."""
    return [0] + [match.end() for match in LINE_BREAK.finditer(text)]


def offset_of(starts: Sequence[int], text: str, position: Position) -> int:
    """Offset of a 1-based (row, column) position in `text`; ValueError when it is not in it."""
    if not 1 <= position.row <= len(starts) or position.column < 1:
        raise ValueError(f"position {position.row}:{position.column} is outside the file")
    offset = starts[position.row - 1] + position.column - 1
    line_end = starts[position.row] if position.row < len(starts) else len(text)
    if offset > line_end:
        raise ValueError(f"position {position.row}:{position.column} is past the end of its row")
    return offset


class SourceEdits:
    """Edits of one parsed module, positioned by the resolver's positions of its nodes."""

    def __init__(self, context):
        self.context = context
        self.resolver = context.resolver
        self.module: cst.Module = self.resolver.module
        self.text = self.module.code
        self._starts = line_starts(self.text)
        self.newline = self.module.default_newline
        self.indent_unit = self.module.default_indent
        self._import_nodes: Optional[List[cst.CSTNode]] = None

    @classmethod
    def of(cls, context) -> "SourceEdits":
        """One instance per analysed file (the source text and its rows are computed once)."""
        found = getattr(context, "_source_edits", None)
        if found is None:
            found = cls(context)
            context._source_edits = found
        return found

    # --- positions ------------------------------------------------------------------------------

    def start(self, node: cst.CSTNode) -> Position:
        """Where `node` starts, its own parentheses included (LibCST's positions leave them out)."""
        position = self.resolver.position(node).start
        start = Position(position.line, position.column + 1)
        opening = "".join(self.code(paren) for paren in _own_parentheses(node, "lpar"))
        return self.position_at(self.offset(start) - len(opening)) if opening else start

    def end(self, node: cst.CSTNode) -> Position:
        """Where `node` ends, its own parentheses included."""
        position = self.resolver.position(node).end
        end = Position(position.line, position.column + 1)
        closing = "".join(self.code(paren) for paren in _own_parentheses(node, "rpar"))
        return self.position_at(self.offset(end) + len(closing)) if closing else end

    def offset(self, position: Position) -> int:
        return offset_of(self._starts, self.text, position)

    def position_at(self, offset: int) -> Position:
        row = bisect.bisect_right(self._starts, offset)
        return Position(row, offset - self._starts[row - 1] + 1)

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def line(self, row: int) -> str:
        """The text of `row` without its line break."""
        start = self._starts[row - 1]
        end = self._starts[row] if row < len(self._starts) else len(self.text)
        return LINE_BREAK.sub("", self.text[start:end])

    def indentation(self, node: cst.CSTNode) -> Optional[str]:
        """The whitespace before `node` on its first row, when nothing else comes before it."""
        start = self.start(node)
        prefix = self.line(start.row)[: start.column - 1]
        return prefix if prefix.strip() == "" else None

    def inner_indentation(self, outer: str) -> str:
        """The indentation of a block nested one level in a block indented by `outer`."""
        unit = self.indent_unit
        if "\t" in outer and "\t" not in unit:
            unit = "\t"
        elif "\t" not in outer and outer and "\t" in unit:
            unit = "    "
        return outer + unit

    # --- edits ----------------------------------------------------------------------------------

    def replace(self, node: cst.CSTNode, content: str) -> Edit:
        return Edit(content, self.start(node), self.end(node))

    def insert(self, position: Position, content: str) -> Edit:
        return Edit(content, position, position)

    def insert_line_before(self, statement: cst.CSTNode, code: str) -> Optional[Edit]:
        """`code` on a line of its own above `statement`, at the statement's indentation."""
        indent = self.indentation(statement)
        if indent is None:
            return None
        row = self.start(statement).row
        return self.insert(Position(row, 1), indent + code + self.newline)

    def insert_line_after(self, statement: cst.CSTNode, code: str, indent: Optional[str] = None) -> Optional[Edit]:
        """`code` on a line of its own below `statement` (after its trailing comment)."""
        if indent is None:
            indent = self.indentation(statement)
            if indent is None:
                return None
        row = self.end(statement).row
        if row < len(self._starts) - 1 or (row == len(self._starts) - 1 and self.text.endswith(("\n", "\r"))):
            return self.insert(Position(row + 1, 1), indent + code + self.newline)
        # The statement is on the last row, which has no line break.
        last = self.line(row)
        return self.insert(Position(row, len(last) + 1), self.newline + indent + code)

    def add_argument(self, callee: cst.BaseExpression, keyword: str, value: str) -> Edit:
        """`keyword=value` added after the last argument of the call `callee` (a Call), or a call
        made of a bare callee (`@retry` becomes `@retry(keyword=value)`)."""
        argument = f"{keyword}={value}"
        if not isinstance(callee, cst.Call):
            return self.insert(self.end(callee), f"({argument})")
        if not callee.args:
            closing = self.end(callee)
            return self.insert(Position(closing.row, closing.column - 1), argument)
        last = callee.args[-1]
        if isinstance(last.comma, cst.Comma):
            # A trailing comma: one argument per line keeps that style (on a line of its own, after
            # the last argument's comment), else ` keyword=value,`.
            comma_end = self.end(last.comma)
            indent = self.indentation(last)
            if isinstance(last.comma.whitespace_after, cst.ParenthesizedWhitespace) and indent is not None:
                return self.insert(Position(comma_end.row + 1, 1), f"{indent}{argument},{self.newline}")
            return self.insert(comma_end, f" {argument},")
        return self.insert(self.end(last), f", {argument}")

    # --- names and imports ----------------------------------------------------------------------

    def access(self, qualified: str, use: cst.CSTNode, prefer_module: bool = False) -> Optional[Tuple[str, List[Edit]]]:
        """An expression that names `qualified` (`tenacity.wait_random_exponential`) where `use`
        is, and the edits that make it importable there; None when every way is taken."""
        found = self.access_many([qualified], use, prefer_module)
        return None if found is None else (found[0][0], found[1])

    def access_many(self, qualified: Sequence[str], use: cst.CSTNode,
                    prefer_module: bool = False) -> Optional[Tuple[List[str], List[Edit]]]:
        """Expressions naming each of `qualified` where `use` is, and the edits (at most one per
        import statement) that make them importable there; None when some name cannot be.

        An import the file has is used as it is (`import tenacity` -> `tenacity.wait_...`; `from
        tenacity import wait_random_exponential as w` -> `w`). Otherwise a top-level
        `from module import ...` above the use is extended, or a new import line added above it:
        `from module import name`, or with `prefer_module` `import module` (`asyncio.sleep`).
        A name is never imported twice, nor over a name the file binds to something else.
        """
        scope = self.resolver.scope(use)
        if scope is None:
            return None
        expressions: dict = {}
        missing: dict = {}  # module -> names, in order
        for name in qualified:
            candidate = min(self._candidates(name, use, scope), key=len, default=None)
            if candidate is not None:
                expressions[name] = candidate
            else:
                module, _, short = name.rpartition(".")
                if not module:
                    return None
                missing.setdefault(module, [])
                if short not in missing[module]:
                    missing[module].append(short)
        edits: List[Edit] = []
        new_lines: List[str] = []
        for module, names in missing.items():
            ways = (self._import_module, self._import_from) if prefer_module else (self._import_from, self._import_module)
            for way in ways:
                found = way(module, names, use, scope)
                if found is not None:
                    accessors, change = found
                    expressions.update({f"{module}.{short}": accessor for short, accessor in zip(names, accessors)})
                    if isinstance(change, Edit):
                        edits.append(change)
                    else:
                        new_lines.append(change)
                    break
            else:
                return None
        merged: dict = {}  # new import lines at the same place make one edit
        for line in sorted(new_lines):
            edit = self._import_line(line, use)
            if edit is None:
                return None
            key = (edit.start, edit.end)
            merged[key] = Edit(merged[key].content + edit.content, edit.start, edit.end) if key in merged else edit
        edits.extend(merged.values())
        return [expressions[name] for name in qualified], edits

    def _candidates(self, qualified: str, use: cst.CSTNode, scope) -> Iterator[str]:
        """Expressions naming `qualified` through the imports that are bound at `use`."""
        at_module_level = isinstance(scope, (GlobalScope, ClassScope))
        use_row = self.start(use).row
        for statement in self._imports():
            if at_module_level and self.start(statement).row >= use_row:
                continue  # imported after a decorator or module-level use runs
            for bound, full in _bindings(statement):
                if qualified == full or qualified.startswith(full + "."):
                    candidate = bound + qualified[len(full):]
                    names = {q.name for q in scope.get_qualified_names_for(candidate)}
                    if names == {qualified}:
                        yield candidate

    def _imports(self) -> List[cst.CSTNode]:
        if self._import_nodes is None:
            self._import_nodes = _import_statements(self.module)
        return self._import_nodes

    @staticmethod
    def _free(name: str, scope) -> bool:
        """`name` is bound neither at the place of use nor at module level."""
        return name not in scope and name not in scope.globals

    def _import_from(self, module: str, names: List[str], use: cst.CSTNode, scope):
        """(names, edit extending a `from module import ...` above the use, or a new line's code)."""
        if not all(self._free(name, scope) for name in names):
            return None
        use_row = self.start(use).row
        for line in self.module.body:
            if self.first_row(line) >= use_row or not _is_import_line(line):
                continue
            for small in line.body:
                if (isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None
                        and dotted_name(small.module) == module and not isinstance(small.names, cst.ImportStar)):
                    extended = small
                    for name in names:
                        extended = _with_alias(extended, name)
                    return list(names), self.replace(small, self.code(extended))
        return list(names), f"from {module} import {', '.join(names)}"

    def _import_module(self, module: str, names: List[str], use: cst.CSTNode, scope):
        """(`module.name` accessors, the code of a new `import module` line)."""
        if not self._free(module.split(".")[0], scope):
            return None
        return [f"{module}.{name}" for name in names], f"import {module}"

    def _import_line(self, code: str, use: cst.CSTNode) -> Optional[Edit]:
        """A new top-level import line above the use: `import <standard module>` among the file's
        `import <standard module>` lines in name order, anything else after the last import line,
        and in a file without imports above the first statement that is not the docstring."""
        use_row = self.start(use).row
        before = [line for line in self.module.body if self.first_row(line) <= use_row]
        imports = [line for line in before if _is_import_line(line)]
        module = code[len("import "):] if code.startswith("import ") else None
        if module is not None and _is_standard(module):
            standard = [(name, line) for line in imports if (name := _plain_import(line)) and _is_standard(name)]
            following = next((line for name, line in standard if name > module), None)
            if following is not None:
                return self.insert(Position(self.start(following).row, 1), code + self.newline)
            if standard:
                return self.insert_line_after(standard[-1][1], code, indent="")
        if imports:
            return self.insert_line_after(imports[-1], code, indent="")
        for index, line in enumerate(before):
            if index == 0 and _is_docstring(line):
                continue
            return self.insert(Position(self.first_row(line), 1), code + self.newline)
        return None

    def first_row(self, statement: cst.CSTNode) -> int:
        """The first row of a statement, its decorators included."""
        decorators = getattr(statement, "decorators", ())
        return self.start(decorators[0] if decorators else statement).row


def _own_parentheses(node: cst.CSTNode, side: str) -> Sequence[cst.CSTNode]:
    """The parentheses around an expression (`lpar`/`rpar` sequences); statements such as
    `from m import (a, b)` hold theirs inside their own range."""
    parens = getattr(node, side, ())
    return parens if isinstance(parens, (list, tuple)) else ()


def _import_statements(module: cst.Module) -> List[cst.CSTNode]:
    """Every `import` and `from ... import` of the module, nested ones included."""
    found: List[cst.CSTNode] = []

    class Collector(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> None:
            found.append(node)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            found.append(node)

    module.visit(Collector())
    return found


def _bindings(statement: cst.CSTNode) -> Iterator[Tuple[str, str]]:
    """(name bound, qualified name it stands for) of an import statement."""
    if isinstance(statement, cst.Import):
        for alias in statement.names:
            full = dotted_name(alias.name)
            if full is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                yield alias.asname.name.value, full
            else:
                yield full, full  # `import a.b` binds `a`; `a.b` reaches the submodule
    elif isinstance(statement, cst.ImportFrom):
        if statement.relative or statement.module is None or isinstance(statement.names, cst.ImportStar):
            return
        module = dotted_name(statement.module)
        for alias in statement.names:
            name = dotted_name(alias.name)
            if module is None or name is None:
                continue
            bound = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
            yield bound, f"{module}.{name}"


def _plain_import(statement: cst.CSTNode) -> Optional[str]:
    """`m` of a line that is only `import m` (no alias)."""
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, cst.Import) and len(small.names) == 1 and small.names[0].asname is None:
            return dotted_name(small.names[0].name)
    return None


def _is_standard(module: str) -> bool:
    return module.split(".")[0] in STANDARD_MODULES


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body)


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _with_alias(statement: cst.ImportFrom, name: str) -> cst.ImportFrom:
    """`from m import a, b` with `name` appended, in the statement's own layout (one name per line
    in parentheses stays one name per line)."""
    names = list(statement.names)  # type: ignore[arg-type]
    last = names[-1]
    if isinstance(last.comma, cst.Comma):
        # A trailing comma (in parentheses): the new name comes after it, and takes it over.
        if len(names) > 1 and isinstance(names[-2].comma, cst.Comma):
            separator = names[-2].comma
        elif statement.lpar is not None:
            separator = cst.Comma(whitespace_after=statement.lpar.whitespace_after)
        else:
            separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        names[-1] = last.with_changes(comma=separator)
        names.append(cst.ImportAlias(name=cst.Name(name), comma=last.comma))
    else:
        names[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        names.append(cst.ImportAlias(name=cst.Name(name)))
    return statement.with_changes(names=names)
