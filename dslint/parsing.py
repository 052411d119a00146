"""Parsing a file's text with LibCST without letting hostile input take the process down.

LibCST's native (Rust) parser is called in-process, so what it cannot cope with costs the whole
run, not one file:
- nesting: it recurses once per level of an expression and overflows the C stack (a segfault,
  no message) a few thousand levels deep; with more stack it runs for minutes and gigabytes.
  CPython's own parser has hard limits (200 nested brackets, its parser and AST depth checks),
  so it screens the text first; what it accepts flat but LibCST nests (`a and b and ...`,
  comprehensions with many `for`s) is measured on CPython's tree. Either way the file gets a
  DS001 at the deepest point instead of a crash; the analysis could not have walked it anyway
  (its visitors stop at Python's recursion limit long before).
- mixed line endings (`\\r\\n` and `\\n`, or a lone `\\r`): LibCST 1.0 fails on them ("Internal
  error while parsing whitespace") or panics (a `pyo3_runtime.PanicException`, which derives from
  BaseException and so escapes `except Exception`). Python counts `\\r\\n`, `\\r` and `\\n` each as
  one line break, so the text is parsed with every break made `\\n`: rows and columns stay those
  of the file.
- `nonlocal` at module level: CPython's parser accepts it (its compiler rejects it) and LibCST's
  scope analysis raises NotImplementedError on it; it is reported as CPython's compiler does.
- a NUL byte (in text from stdin; files are checked when decoded): LibCST accepts it, CPython not.

Text that CPython's parser rejects for another reason still goes to LibCST, which may know
syntax newer than the Python running dslint (`match` on 3.9); the caller reports LibCST's error.
"""

from __future__ import annotations

import ast
import re
import sys
import threading
from contextlib import contextmanager, nullcontext
from typing import Callable, Iterator, Optional, TypeVar

import libcst as cst

# More levels than this of one expression (CPython's tree, with `and`/`or` operands and the
# `for`s of a comprehension counted as LibCST nests them) never reach LibCST's parser. LibCST
# handles about three times as many on an 8 MiB stack; the analysis stops at a few hundred.
MAX_NESTING = 1000

_LINE_BREAK = re.compile(r"\r\n?")
T = TypeVar("T")

# CPython's messages for nesting beyond its parser's limits (3.9 - 3.13), and for a NUL byte (a
# ValueError before 3.12, a SyntaxError since), which LibCST would accept.
_FINAL_MESSAGES = ("too many nested parentheses", "too complex", "too many levels of indentation", "null bytes")


class Unparsable(Exception):
    """The text cannot be given to LibCST; report DS001 at `row`, `column` (1-based)."""

    def __init__(self, row: int, column: int, reason: str):
        super().__init__(reason)
        self.row = max(row, 1)
        self.column = max(column, 1)
        self.reason = reason


def parse_module(source: str) -> cst.Module:
    """LibCST's module for `source` (with `\\n` line breaks if the file mixes kinds).

    Raises Unparsable (nesting, a LibCST panic, `nonlocal` at module level) or LibCST's
    ParserSyntaxError (the caller locates the error with CPython's parser)."""
    valid = screen(source)
    text = uniform_line_breaks(source)
    try:
        with _unvalidated_nodes() if valid else nullcontext():
            return cst.parse_module(text)
    except cst.ParserSyntaxError:
        raise
    except BaseException as error:  # noqa: B036 -- only LibCST's Rust panics are caught here
        if type(error).__name__ != "PanicException":
            raise
        reason = str(error).splitlines()[0] if str(error) else "no message"
        raise Unparsable(1, 1, f"LibCST's parser failed ({reason[:100]})") from None


def uniform_line_breaks(source: str) -> str:
    """`source` with `\\n` for every line break when it uses `\\r` or mixes kinds; else `source`."""
    if "\r" not in source:
        return source
    crlf = source.count("\r\n")
    if crlf == source.count("\r") == source.count("\n"):
        return source  # CRLF throughout: LibCST keeps it (and writes it back) as it is
    return _LINE_BREAK.sub("\n", source)


def screen(source: str) -> bool:
    """Raise Unparsable when `source` must not reach LibCST's parser (see the module docstring);
    else whether CPython's parser accepts it."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        if any(message in (error.msg or "") for message in _FINAL_MESSAGES):
            raise Unparsable(error.lineno or 1, error.offset or 1, error.msg) from None
        return False  # LibCST may parse it (newer syntax); if not, its error is reported
    except (RecursionError, MemoryError) as error:
        detail = str(error) or error.__class__.__name__
        raise Unparsable(1, 1, f"nested too deeply to parse ({detail})") from None
    except ValueError as error:  # a NUL byte (before 3.12) in text that did not come from a file
        raise Unparsable(1, 1, str(error)) from None
    deepest = too_deep(tree, MAX_NESTING)
    if deepest is not None:
        raise Unparsable(getattr(deepest, "lineno", 1), getattr(deepest, "col_offset", 0) + 1,
                         f"nested too deeply to analyse (more than {MAX_NESTING} levels)")
    if "nonlocal" in source:
        _check_nonlocal(source)
    return True


@contextmanager
def _unvalidated_nodes() -> Iterator[None]:
    """Within the block, LibCST's nodes are built without validation (`CSTNode.__post_init__`, an
    eighth of parsing). What its parser builds from text CPython's parser accepts is valid code
    (LibCST round-trips it), so the checks would all pass; LibCST's own comment there wishes it
    could skip them when parsing."""
    validate = cst.CSTNode.__post_init__
    cst.CSTNode.__post_init__ = _built
    try:
        yield
    finally:
        cst.CSTNode.__post_init__ = validate


def _built(node: cst.CSTNode) -> None:
    pass


# The nodes LibCST nests one level deeper per item of a field: `a and b and c`, `for`s of a comprehension.
_NESTED_ITEMS = {ast.BoolOp: "values", ast.ListComp: "generators", ast.SetComp: "generators",
                 ast.DictComp: "generators", ast.GeneratorExp: "generators"}


def too_deep(tree: ast.AST, limit: int) -> Optional[ast.AST]:
    """A node more than `limit` levels down in LibCST's terms, or None. Iterative: a deep tree
    must not exhaust the recursion this guards. (The children as `ast.iter_child_nodes` gives
    them, in the same order, without its two generators per node: three times as fast.)"""
    stack = [(tree, 0)]
    pop, push = stack.pop, stack.append
    node_type = ast.AST
    while stack:
        node, depth = pop()
        if depth > limit:
            return node
        depth += 1
        for name in node._fields:
            value = getattr(node, name, None)
            for child in value if type(value) is list else (value,):
                if isinstance(child, node_type):
                    nested = _NESTED_ITEMS.get(type(child))
                    push((child, depth if nested is None else depth + len(getattr(child, nested))))
    return None


def _check_nonlocal(source: str) -> None:
    import symtable

    try:
        symtable.symtable(source, "<source>", "exec")
    except SyntaxError as error:
        if "nonlocal declaration not allowed at module level" in (error.msg or ""):
            raise Unparsable(error.lineno or 1, error.offset or 1, error.msg) from None
    except (RecursionError, MemoryError, ValueError):
        pass


# The analysis walks LibCST's tree with Python recursion, several frames per level: at Python's
# default limit (1000) a valid file with an expression a few hundred levels deep (sympy's
# generated polynomials, a long `elif` chain, a 500-term string concatenation) stopped with a
# RecursionError. Each file is analysed in a thread with a large stack (virtual memory, touched
# only as deep as the recursion goes; on Python < 3.11 every Python call also takes C stack) and a
# recursion limit that covers MAX_NESTING levels.
ANALYSIS_STACK_BYTES = 256 * 1024 * 1024
ANALYSIS_RECURSION_LIMIT = 12 * MAX_NESTING


def call_with_deep_stack(function: Callable[..., T], *args) -> T:
    """`function(*args)`, run in a thread with a large stack and a high recursion limit; its
    exception, if any, is raised here. Where no such thread can be had, runs it directly."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = function(*args)
        except BaseException as error:  # noqa: B036 -- handed to the caller as it is
            outcome["error"] = error

    try:
        previous_size = threading.stack_size(ANALYSIS_STACK_BYTES)
    except (ValueError, RuntimeError):  # a platform without settable thread stacks
        return function(*args)
    worker: Optional[threading.Thread] = threading.Thread(target=target, name="dslint-analysis", daemon=True)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, ANALYSIS_RECURSION_LIMIT))  # per interpreter: the caller only waits
    try:
        try:
            worker.start()
        except (RuntimeError, MemoryError):  # no thread, or no room for its stack
            worker = None
        finally:
            threading.stack_size(previous_size)
        if worker is not None:
            worker.join()
    finally:
        sys.setrecursionlimit(limit)
    if worker is None:
        return function(*args)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
