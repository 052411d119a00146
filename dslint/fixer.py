"""Applying fixes: `--fix`, `--unsafe-fixes`, `--diff`, and `dslint - --fix` (SPEC "Fixes").

A pass applies every selected fix of a file at once: the fixes are taken in source order, and one
whose edits overlap an edit already taken waits for the next pass (an identical edit, such as the
same import two fixes need, is shared). The project is linted again and the next pass applies what
is left, until nothing is (at most MAX_PASSES passes). A pass whose result does not parse, or no
longer compiles where the original did, leaves the file as it was read, and the fix at fault is
named. Nothing is written until every pass is done; then each changed file is written atomically
(a temporary file in the same folder, renamed over it) in its own encoding, BOM and line endings,
with its mode kept, unless it changed on disk meanwhile, is read-only, or is a symlink that leads
out of the linted tree.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from dslint.engine import lint_paths, lint_text
from dslint.file_jobs import SourceError, decode_source
from dslint.fileio import write_atomic
from dslint.findings import Finding, RunResult
from dslint.fixes.edits import line_starts, offset_of
from dslint.notebooks import NotebookError, decode_notebook, is_notebook

MAX_PASSES = 5
SAFE = "safe"


def is_applicable(finding: Finding, unsafe: bool) -> bool:
    """Does `--fix` (with `--unsafe-fixes` when `unsafe`) apply this finding's fix?"""
    return finding.fix is not None and bool(finding.fix.edits) and (unsafe or finding.fix.applicability == SAFE)


# --- one pass over one text -----------------------------------------------------------------------

Span = Tuple[int, int, str]  # start offset, end offset, new text


def _conflict(a: Span, b: Span) -> bool:
    """Edits of two fixes that wait for different passes: overlapping or touching ranges (an
    insertion where another edit starts or ends, two edits of adjacent text), where the order of
    the two, or what the one assumed about the text beside it, would be a guess."""
    return a[0] <= b[1] and b[0] <= a[1]


def apply_fixes(text: str, findings: Sequence[Finding]) -> Tuple[str, List[Finding]]:
    """`text` with the fixes of `findings` that fit together in one pass applied, and the findings
    whose fixes were applied. Fixes are taken in the order of their first edit."""
    starts = line_starts(text)
    candidates = []
    for finding in findings:
        assert finding.fix is not None
        try:
            spans = [(offset_of(starts, text, e.start), offset_of(starts, text, e.end), e.content)
                     for e in finding.fix.edits]
        except ValueError:
            continue  # positions of another text: the next pass lints again
        if any(start > end for start, end, _ in spans):
            continue
        candidates.append((min(span[0] for span in spans), finding.sort_key, spans, finding))
    candidates.sort(key=lambda candidate: candidate[:2])
    taken: List[Span] = []
    applied: List[Finding] = []
    for _, _, spans, finding in candidates:
        new = [span for span in spans if span not in taken]
        # Within one fix the order is known (an insertion goes before a replacement that starts
        # where it is): only overlapping ranges are wrong.
        if any(_conflict(a, b) for a in new for b in taken) or any(
                a[0] < b[1] and b[0] < a[1] for i, a in enumerate(new) for b in new[i + 1:]):
            continue
        taken.extend(new)
        applied.append(finding)
    for start, end, content in sorted(taken, key=lambda span: (span[0], span[1]), reverse=True):
        text = text[:start] + content + text[end:]
    return text, applied


def _breaks(original: str, fixed: str) -> Optional[str]:
    """Why `fixed` is no longer a module (None when it parses, and compiles wherever `original` did)."""
    import libcst as cst

    try:
        from dslint.parsing import parse_module  # LibCST behind the engine's guards (panics, nesting)
    except ImportError:  # pragma: no cover
        parse_module = cst.parse_module
    try:
        parse_module(fixed)
    except cst.ParserSyntaxError as error:
        return f"it would not parse: {error.message} at {error.raw_line}:{error.raw_column + 1}"
    except Exception as error:  # RecursionError and the like: not a file dslint can vouch for
        return f"it would not parse: {error.__class__.__name__}"
    if _compiles(original) and not _compiles(fixed):
        try:
            compile(fixed, "<fixed>", "exec", dont_inherit=True)
        except SyntaxError as error:
            return f"it would not compile: {error.msg} at {error.lineno}:{error.offset}"
        except Exception as error:
            return f"it would not compile: {error.__class__.__name__}"
    return None


def _compiles(source: str) -> bool:
    try:
        compile(source, "<source>", "exec", dont_inherit=True)
    except Exception:
        return False
    return True


# --- passes over a project --------------------------------------------------------------------------


@dataclass
class FileChange:
    """A file the fixes change: its text as read and as fixed (a notebook's JSON text)."""

    path: str  # as shown in findings
    original: str
    fixed: str
    fixes: int = 0  # fixes applied
    location: Optional[Path] = None  # on disk; None for stdin
    data: bytes = b""  # the bytes read, to write back in the same encoding and detect changes
    failed: bool = False


@dataclass
class FixOutcome:
    result: RunResult  # what remains (notebook findings in cell rows)
    changes: List[FileChange] = field(default_factory=list)  # files with a change (written, or for --diff)
    notices: List[str] = field(default_factory=list)  # warnings: skipped files
    errors: List[str] = field(default_factory=list)  # a fix that would break its file (a dslint bug)

    @property
    def fixed(self) -> int:
        return sum(change.fixes for change in self.changes)


# (file texts by shown path, notebook cells, only these paths or None for all) -> result
Lint = Callable[[Mapping[str, str], bool, Optional[Set[str]]], RunResult]


def _fix_passes(lint: Lint, unsafe: bool, start_change: Callable[[str, RunResult], Optional[FileChange]],
                outcome: FixOutcome) -> Tuple[RunResult, Dict[str, FileChange]]:
    """Apply fixes pass by pass; the last lint of every file (virtual-source rows for notebooks) and
    the changes by path. Between passes only the files the pass changed are linted again (the
    fixable rules look at one file at a time); a last lint of the whole project confirms that
    nothing is left to fix, and starts more passes if something is."""
    changes: Dict[str, FileChange] = {}
    texts: Dict[str, str] = {}
    refused: Set[str] = set()
    result = lint(texts, False, None)
    complete = True  # `result` covers every file, not only the ones the last pass changed
    passes = 0
    while True:
        touched = _one_pass(result, unsafe, changes, texts, refused, start_change, outcome)
        if touched:
            passes += 1
            complete = passes >= MAX_PASSES
            result = lint(texts, False, None if complete else touched)
            if complete:
                break
        elif complete:
            return result, {path: change for path, change in changes.items() if not change.failed}
        else:
            result = lint(texts, False, None)
            complete = True
    stuck = sorted({f.path for f in result.findings if is_applicable(f, unsafe) and f.path not in refused})
    for path in stuck:
        outcome.notices.append(f"fixes of {path} did not settle after {MAX_PASSES} passes; run dslint --fix again")
    return result, {path: change for path, change in changes.items() if not change.failed}


def _one_pass(result: RunResult, unsafe: bool, changes: Dict[str, FileChange], texts: Dict[str, str],
              refused: Set[str], start_change, outcome: FixOutcome) -> Set[str]:
    """Apply what fits in one pass to each file; the paths whose text changed."""
    by_path: Dict[str, List[Finding]] = {}
    for finding in result.findings:
        if is_applicable(finding, unsafe) and finding.path not in refused:
            by_path.setdefault(finding.path, []).append(finding)
    touched: Set[str] = set()
    for path, findings in sorted(by_path.items()):
        source = result.sources.get(path)
        if source is None:
            continue
        change = changes.get(path)
        if change is None:
            change = start_change(path, result)
            if change is None:
                refused.add(path)
                continue
            changes[path] = change
        fixed, applied = apply_fixes(source, findings)
        if not applied:
            continue
        touched.add(path)
        problem = _breaks(source, fixed)
        if problem is not None:
            culprit = next((f for f in applied if _breaks(source, apply_fixes(source, [f])[0])), applied[0])
            assert culprit.fix is not None
            outcome.errors.append(
                f"failed to fix {path}: the {culprit.code} fix at {culprit.start.row}:{culprit.start.column} "
                f"({culprit.fix.message}) would break the file, {problem}; the file is left unchanged")
            change.failed = True
            change.fixes = 0
            change.fixed = change.original
            texts.pop(path, None)
            refused.add(path)
            continue
        notebook = getattr(result, "notebooks", {}).get(path)
        change.fixed = notebook.with_source(fixed) if notebook is not None else fixed
        change.fixes += len(applied)
        texts[path] = change.fixed
    return touched


def _in_cells(result: RunResult) -> RunResult:
    """A result linted with virtual-source rows, with notebook findings moved to their cells."""
    notebooks = getattr(result, "notebooks", {})
    if not notebooks:
        return result
    findings = [notebooks[f.path].map_finding(f) if f.path in notebooks else f for f in result.findings]
    return replace(result, findings=sorted(findings, key=lambda f: f.sort_key))


def fix_paths(files: Sequence[Path], resolver, unsafe: bool, roots: Sequence[str], write: bool,
              **lint_options) -> FixOutcome:
    """Fix `files` (linted as one project). With `write`, changed files are written; otherwise the
    outcome only describes the changes (`--diff`). `lint_options` go to every `lint_paths`."""
    located = {str(path): path for path in files}
    outcome = FixOutcome(RunResult())
    real_roots = [os.path.realpath(root) for root in roots]

    def lint(texts: Mapping[str, str], cells: bool, only: Optional[Set[str]] = None) -> RunResult:
        linted = files if only is None else [path for path in files if str(path) in only]
        return lint_paths(linted, resolver, notebook_cells=cells,
                          texts={located[path]: text for path, text in texts.items()}, **lint_options)

    def start_change(path: str, result: RunResult) -> Optional[FileChange]:
        location = located.get(path)
        if location is None:
            return None
        if not _inside(location, real_roots):
            outcome.notices.append(f"not fixing {path}: it is a symlink to {os.path.realpath(location)}, "
                                   "outside the linted tree")
            return None
        try:
            data = location.read_bytes()
        except OSError as error:
            outcome.notices.append(f"not fixing {path}: cannot read it: {error.strerror or error}")
            return None
        original = _file_text(path, data)
        if original is None or original != _text_linted(path, result):
            outcome.notices.append(f"not fixing {path}: it changed on disk while dslint was linting it")
            return None
        return FileChange(path, original, original, location=location, data=data)

    result, changes = _fix_passes(lint, unsafe, start_change, outcome)
    outcome.changes = [change for change in changes.values() if change.fixed != change.original]
    if write:
        written = [change for change in outcome.changes if _write(change, outcome)]
        if len(written) != len(outcome.changes):
            # What remains is what is on disk now: the written files' new text, the others' old.
            result = lint({change.path: change.fixed for change in written}, False)
        outcome.changes = written
    outcome.result = _in_cells(result)
    return outcome


def fix_text(text: str, path: str, config, unsafe: bool) -> FixOutcome:
    """Fix one file's text read from stdin; `outcome.changes` holds its fixed text, if any."""
    outcome = FixOutcome(RunResult())

    def lint(texts: Mapping[str, str], cells: bool, only: Optional[Set[str]] = None) -> RunResult:
        return lint_text(texts.get(path, text), path, config, notebook_cells=cells)

    def start_change(shown: str, result: RunResult) -> Optional[FileChange]:
        return FileChange(shown, text, text) if shown == path else None

    result, changes = _fix_passes(lint, unsafe, start_change, outcome)
    outcome.changes = [change for change in changes.values() if change.fixed != change.original]
    outcome.result = _in_cells(result)
    return outcome


def _file_text(path: str, data: bytes) -> Optional[str]:
    try:
        return decode_notebook(data) if is_notebook(path) else decode_source(data)
    except (SourceError, NotebookError):
        return None


def _text_linted(path: str, result: RunResult) -> Optional[str]:
    notebook = getattr(result, "notebooks", {}).get(path)
    return notebook.text if notebook is not None else result.sources.get(path)


def _inside(location: Path, real_roots: Sequence[str]) -> bool:
    """Does the file the path leads to (through any symlinks) lie in one of the linted trees?"""
    real = os.path.realpath(location)
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in real_roots)


def linted_roots(paths: Sequence[str]) -> List[str]:
    """The trees a run lints: each folder given, and the folder of each file given."""
    roots = []
    for given in paths:
        absolute = os.path.abspath(given)
        roots.append(absolute if os.path.isdir(absolute) else os.path.dirname(absolute))
    return roots


# --- writing --------------------------------------------------------------------------------------


def _encoded(change: FileChange) -> bytes:
    """The fixed text in the encoding, BOM and line endings of the bytes read."""
    if is_notebook(change.path):
        bom = b"\xef\xbb\xbf" if change.data.startswith(b"\xef\xbb\xbf") else b""
        return bom + change.fixed.encode("utf-8")
    encoding, _ = tokenize.detect_encoding(io.BytesIO(change.data).readline)
    if change.original.encode(encoding) != change.data:
        raise UnicodeError(f"its bytes do not survive a round trip through {encoding}")
    return change.fixed.encode(encoding)


def _write(change: FileChange, outcome: FixOutcome) -> bool:
    """Write one fixed file atomically; False (with a notice) when it must be left alone."""
    assert change.location is not None
    target = os.path.realpath(change.location)
    try:
        status = os.stat(target)
        if not status.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
            outcome.notices.append(f"not fixing {change.path}: the file is read-only")
            return False
        with open(target, "rb") as current:
            if current.read() != change.data:
                outcome.notices.append(f"not fixing {change.path}: it changed on disk since dslint read it")
                return False
        data = _encoded(change)
    except OSError as error:
        outcome.notices.append(f"not fixing {change.path}: {error.strerror or error}")
        return False
    except (UnicodeError, LookupError, SyntaxError) as error:
        outcome.notices.append(f"not fixing {change.path}: cannot write it back in its encoding ({error})")
        return False
    try:
        write_atomic(target, data)  # the file itself, not a symlink to it: the link stays a link
    except OSError as error:
        outcome.notices.append(f"not fixing {change.path}: cannot write it: {error.strerror or error}")
        return False
    return True


# --- diffs ----------------------------------------------------------------------------------------


_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # rows with their line breaks, as Python counts them


def unified_diff(change: FileChange) -> str:
    """The change as a unified diff, `--- path` / `+++ path` as ruff prints it."""
    before = _LINES.findall(change.original)
    after = _LINES.findall(change.fixed)
    lines = []
    for line in difflib.unified_diff(before, after, fromfile=change.path, tofile=change.path):
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        lines.append(line)
    return "".join(lines)
