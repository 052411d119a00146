"""The work done on one file, in the order a run needs it: read and screen it, then analyse it.

Each step is a top-level function of picklable arguments and results, so the engine can run it in
a worker process or take its result from the cache. Whatever goes wrong with a file's bytes or
syntax becomes a DS001 finding or a notice for that file, never an exception.
"""

from __future__ import annotations

import ast
import gc
import io
import os
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, List, Optional, Tuple

from dslint.analysis.module_clients import ModuleClient, module_clients_in
from dslint.analysis.settings import AnalysisSettings
from dslint.findings import Finding
from dslint.notebooks import is_notebook
from dslint.prefilter import ApiScreen, CodeNames, SyntaxFacts, class_bases, code_names, identifiers, syntax_facts

if TYPE_CHECKING:
    from dslint.analysis.facts import FileFacts
    from dslint.notebooks import Notebook


class SourceError(Exception):
    """The file's bytes are not Python source dslint can read (reported as DS001)."""


def decode_source(data: bytes) -> str:
    """Decode per PEP 263 (BOM, coding declaration, UTF-8 default)."""
    if b"\x00" in data:
        raise SourceError("file contains a NUL byte")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as error:
        raise SourceError(f"not valid UTF-8 or declared encoding ({error.__class__.__name__})") from None
    return text[1:] if text.startswith("\ufeff") else text


def module_names(paths: Iterable[Path]) -> List[Tuple[str, bool]]:
    """Each file's dotted module name, from the package folders (with __init__.py) above it, and
    whether it is a package's __init__.py. A symlinked file is named as its target. Each folder is
    resolved and looked at once (a file-system call per folder level per file was a tenth of
    screening a large tree), with `os.path` on strings (pathlib's objects cost three times as much)."""
    resolved: Dict[str, str] = {}
    packages: Dict[str, Tuple[str, ...]] = {}

    def package_of(folder: str) -> Tuple[str, ...]:
        found = packages.get(folder)
        if found is None:
            is_package = os.path.exists(os.path.join(folder, "__init__.py"))
            parent = os.path.dirname(folder)
            above = package_of(parent) if is_package and parent != folder else ()
            found = packages[folder] = (*above, os.path.basename(folder)) if is_package else ()
        return found

    names = []
    for path in paths:
        given = os.path.abspath(path)
        if os.path.islink(given):
            folder, name = os.path.split(os.path.realpath(given))
        else:
            parent, name = os.path.split(given)
            folder = resolved.get(parent)
            if folder is None:
                folder = resolved[parent] = os.path.realpath(parent)
        is_package = name == "__init__.py"
        stem = os.path.splitext(name)[0]
        parts = package_of(folder) + (() if is_package else (stem,))
        names.append((".".join(parts) or stem, is_package))
    return names


@dataclass(frozen=True)
class FileJob:
    """One file of a run: where it is, how it is named, how its configuration sets the analysis."""

    path: Path
    display: str
    settings: AnalysisSettings
    text: Optional[str] = None  # the text to lint instead of what is on disk (stdin, the fixer's passes)
    module: Optional[Tuple[str, bool]] = None  # its `module_names` entry, when the run has it already


@dataclass
class Screened:
    """A file after reading and screening (dslint.prefilter); `text` is kept only when it passed."""

    module_name: str = ""
    is_package: bool = False
    passed: bool = False                       # stage 1 (text)
    syntax: Optional[SyntaxFacts] = None       # stage 2's input; None when not parsed or unparsable by `ast`
    clients: Dict[str, ModuleClient] = field(default_factory=dict)  # clients built at its top level
    problem: Optional[Finding] = None          # DS001: unreadable bytes, or a syntax error
    notice: Optional[str] = None               # could not be read at all
    text: Optional[str] = None
    notebook: Optional["Notebook"] = None
    # Every identifier of the text (space-separated) and those among its classes' bases: the run
    # indexes them for the caller search (dslint.word_index) and drops them; never cached.
    mentioned: Optional[Tuple[str, FrozenSet[str]]] = None


@dataclass
class Analysed:
    """A file after the LibCST analysis: its facts and per-file findings."""

    findings: List[Finding] = field(default_factory=list)
    facts: Optional["FileFacts"] = None


def screen_file(job: FileJob, force: bool = False) -> Screened:
    """Read the file and screen it; `force` parses it even when stage 1 would leave it out (it
    names a client another module builds)."""
    read = _read(job)
    if read.text is None or read.problem is not None:
        return read
    words = identifiers(read.text)
    read.mentioned = (" ".join(words), class_bases(read.text))
    if not (force or ApiScreen(job.settings.factory_names).may_report(read.text, words)):
        return Screened(read.module_name, read.is_package, notebook=read.notebook, mentioned=read.mentioned)
    read.passed = True
    try:
        tree = ast.parse(read.text)
    except SyntaxError as error:
        read.problem = _syntax_error(job.display, error.lineno or 1, error.offset or 1, error.msg)
        return read
    except (ValueError, RecursionError, MemoryError):
        return read  # beyond CPython's limits: the LibCST analysis decides (and reports DS001)
    read.syntax = syntax_facts(tree, read.text, read.module_name, read.is_package)
    read.clients = module_clients_in(read.module_name, tree)
    return read


@dataclass(frozen=True)
class Mentions:
    """Which of the words searched for a file mentions anywhere, and among the bases of its classes."""

    words: FrozenSet[str] = frozenset()
    bases: FrozenSet[str] = frozenset()


def words_in(job: FileJob, text: Optional[str], words: FrozenSet[str]) -> Mentions:
    """Which of `words` the file mentions (its text is read when not given)."""
    text = read_text(job) if text is None else text
    if not text:
        return Mentions()
    found = words & identifiers(text)
    return Mentions(found, found & class_bases(text)) if found else Mentions()


def code_names_in(job: FileJob, text: Optional[str]) -> Optional[CodeNames]:
    """What the file's code calls and names (`prefilter.code_names`); None when CPython's parser
    cannot tell (the analysis then decides)."""
    text = read_text(job) if text is None else text
    if text is None:
        return None
    try:
        return code_names(ast.parse(text))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def read_text(job: FileJob) -> Optional[str]:
    """The file's source as screening read it; None if it cannot be read now."""
    read = _read(job)
    return read.text if read.problem is None else None


def load_analysis() -> None:
    """Import LibCST and the rules (they import the analysis) now: workers forked afterwards
    share them instead of each importing them again."""
    from dslint.rules import all_rules

    all_rules()


def analyse_file(job: FileJob, screened: Screened, module_clients: Dict[str, ModuleClient]) -> Analysed:
    """The LibCST analysis and every per-file rule; in a thread with a deep stack (valid files
    nest a few hundred levels: generated code)."""
    from dslint.parsing import call_with_deep_stack

    return call_with_deep_stack(_analyse_with_frozen_tree, job, screened, module_clients)


def _analyse_with_frozen_tree(job: FileJob, screened: Screened, module_clients: Dict[str, ModuleClient]) -> Analysed:
    """`_analyse`, which freezes what exists once the tree is parsed (`gc.freeze`): the garbage
    collector's passes during the analysis then skip the tree's nodes (hundreds of thousands for
    a large file; they form no cycles, so they are freed when the tree is dropped). At the end,
    garbage is collected before the freeze is lifted, which looks only at what the analysis made:
    its cycles (scopes and their assignments, which hold the tree) go now, not in a rare
    collection of everything.
    Where something else froze objects (dslint used as a library), nothing is frozen or lifted."""
    freeze = not gc.get_freeze_count()
    try:
        return _analyse(job, screened, module_clients, freeze)
    finally:
        # Nothing is frozen when the text did not parse: then a collection would walk every object.
        if freeze and gc.get_freeze_count():
            gc.collect()
            gc.unfreeze()


def _analyse(job: FileJob, screened: Screened, module_clients: Dict[str, ModuleClient], freeze: bool) -> Analysed:
    import libcst as cst

    from dslint.analysis.file_facts import analyze_module
    from dslint.analysis.traversal import read_only_visits
    from dslint.parsing import Unparsable, parse_module, uniform_line_breaks
    from dslint.rules import all_rules

    source, display = screened.text, job.display
    try:
        # Not cst.parse_module: deep nesting or mixed line breaks crash LibCST's native parser.
        module = parse_module(source)
    except Unparsable as error:
        return Analysed([_syntax_error(display, error.row, error.column, error.reason)])
    except cst.ParserSyntaxError as error:
        return Analysed([_libcst_syntax_error(display, source, error)])
    except RecursionError:
        return Analysed([_syntax_error(display, 1, 1, "nested too deeply to parse")])
    if freeze:
        gc.freeze()
    try:
        with read_only_visits():
            context = analyze_module(module, display, screened.module_name, screened.is_package, job.settings,
                                     module_clients, uniform_line_breaks(source))
            findings = [finding for rule in all_rules() for finding in rule.check_file(context)]
    except RecursionError:
        return Analysed([_syntax_error(display, 1, 1, "nested too deeply to analyse")])
    return Analysed(findings, context.facts)


def _read(job: FileJob) -> Screened:
    """The decoded source; a DS001 problem for bytes that are not Python source; a notice for a
    file that cannot be read. A notebook's source is its virtual Python source (dslint.notebooks)."""
    path, display = job.path, job.display
    module_name, is_package = job.module or module_names([path])[0]
    screened = Screened(module_name, is_package)
    try:
        if is_notebook(display):
            from dslint.notebooks import NotebookError, decode_notebook, load_notebook

            try:
                screened.notebook = load_notebook(decode_notebook(path.read_bytes()) if job.text is None else job.text)
            except NotebookError as error:
                screened.problem = _syntax_error(display, error.row, error.column, str(error))
                return screened
            screened.text = screened.notebook.source
        else:
            screened.text = decode_source(path.read_bytes()) if job.text is None else job.text
    except SourceError as error:
        screened.problem = _syntax_error(display, 1, 1, str(error))
    except OSError as error:
        screened.notice = f"cannot read {display}: {error.strerror or error}"
    return screened


def _syntax_error(display: str, row: int, column: int, message: str) -> Finding:
    from dslint.rules.ds001_syntax_error import SyntaxError_

    return SyntaxError_().finding_for(display, row, column, message)


def _libcst_syntax_error(display: str, source: str, error) -> Finding:
    """DS001 at CPython's location of the error when it has one; LibCST stops later than the cause."""
    try:
        ast.parse(source)
    except SyntaxError as python_error:
        if python_error.lineno:
            return _syntax_error(display, python_error.lineno, python_error.offset or 1, python_error.msg)
    except (ValueError, RecursionError, MemoryError):
        pass
    return _syntax_error(display, error.raw_line, error.raw_column + 1, error.message)
