"""Running the rules: one pass per file (facts and per-file findings), then one project pass.

`lint_paths` and `lint_text` are the entry points every front end (CLI, stdin, tests) calls.
Whatever goes wrong in one file becomes a DS001 finding or an error line for that file; the run
always goes on.
"""

from __future__ import annotations

import ast
import io
import logging
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Tuple

from dslint.config import Config, ConfigResolver
from dslint.findings import Finding
from dslint.notebooks import is_notebook
from dslint.suppression import filter_suppressed

if TYPE_CHECKING:
    from dslint.notebooks import Notebook


@dataclass
class RunResult:
    findings: List[Finding] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)    # internal errors: exit status 2
    notices: List[str] = field(default_factory=list)   # per-file problems that are not findings
    files_checked: int = 0
    sources: Dict[str, str] = field(default_factory=dict)  # a notebook's entry is its virtual source
    notebooks: Dict[str, "Notebook"] = field(default_factory=dict)  # path -> adapter (dslint.notebooks)


@dataclass
class _FileOutcome:
    path: str
    config: Config
    source: Optional[str] = None
    findings: List[Finding] = field(default_factory=list)
    facts: object = None


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


def module_name_for(path: Path) -> Tuple[str, bool]:
    """Dotted module name from the package folders (with __init__.py) above `path`."""
    path = path.resolve() if path.is_absolute() or path.exists() else path
    is_package = path.name == "__init__.py"
    parts = [] if is_package else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        if folder.parent == folder:
            break
        folder = folder.parent
    return ".".join(parts) or path.stem, is_package


@dataclass
class _SourceFile:
    path: Path
    display: str
    config: Config
    text: Optional[str]
    module_name: str
    is_package: bool


def _read(path: Path, display: str, config: Config, result: RunResult, text: Optional[str] = None):
    """The decoded source, or a DS001 outcome for bytes that are not Python source, or None."""
    from dslint.rules.ds001_syntax_error import SyntaxError_

    if is_notebook(display):
        return _read_notebook(path, display, config, result, text)
    try:
        if text is None:
            text = decode_source(path.read_bytes())
    except SourceError as error:
        outcome = _FileOutcome(display, config)
        outcome.findings.append(SyntaxError_().finding_for(display, 1, 1, str(error)))
        return outcome
    except OSError as error:
        result.notices.append(f"cannot read {display}: {error.strerror or error}")
        return None
    module_name, is_package = module_name_for(path)
    return _SourceFile(path, display, config, text, module_name, is_package)


def _read_notebook(path: Path, display: str, config: Config, result: RunResult, text: Optional[str]):
    """A notebook as its virtual Python source (see dslint.notebooks); a file that is not a notebook
    dslint can read is one DS001 finding at the place of the problem in the file."""
    from dslint.notebooks import NotebookError, decode_notebook, load_notebook
    from dslint.rules.ds001_syntax_error import SyntaxError_

    try:
        notebook = load_notebook(decode_notebook(path.read_bytes()) if text is None else text)
    except NotebookError as error:
        outcome = _FileOutcome(display, config)
        outcome.findings.append(SyntaxError_().finding_for(display, error.row, error.column, str(error)))
        return outcome
    except OSError as error:
        result.notices.append(f"cannot read {display}: {error.strerror or error}")
        return None
    result.notebooks[display] = notebook
    module_name, is_package = module_name_for(path)
    return _SourceFile(path, display, config, notebook.source, module_name, is_package)


def _syntax_error(display: str, source: str, error) -> Finding:
    """DS001 at CPython's location of the error when it has one; LibCST stops later than the cause."""
    from dslint.rules.ds001_syntax_error import SyntaxError_

    try:
        ast.parse(source)
    except SyntaxError as python_error:
        if python_error.lineno:
            return SyntaxError_().finding_for(display, python_error.lineno, python_error.offset or 1,
                                              python_error.msg)
    except (ValueError, RecursionError, MemoryError):
        pass
    return SyntaxError_().finding_for(display, error.raw_line, error.raw_column + 1, error.message)


def _analyze(source_file: _SourceFile, rules, module_clients) -> _FileOutcome:
    import libcst as cst

    from dslint.analysis.file_facts import AnalysisSettings, analyze_module
    from dslint.parsing import Unparsable, parse_module
    from dslint.rules.ds001_syntax_error import SyntaxError_

    config, display, source = source_file.config, source_file.display, source_file.text
    outcome = _FileOutcome(display, config, source)
    try:
        # Not cst.parse_module: deep nesting or mixed line breaks crash LibCST's native parser.
        module = parse_module(source)
    except Unparsable as error:
        outcome.findings.append(SyntaxError_().finding_for(display, error.row, error.column, error.reason))
        return outcome
    except cst.ParserSyntaxError as error:
        outcome.findings.append(_syntax_error(display, source, error))
        return outcome
    except RecursionError:
        outcome.findings.append(SyntaxError_().finding_for(display, 1, 1, "nested too deeply to parse"))
        return outcome
    settings = AnalysisSettings(config.provider, config.client_factories, config.retry_decorators)
    try:
        context = analyze_module(module, display, source_file.module_name, source_file.is_package, settings,
                                 module_clients)
        for rule in rules:
            outcome.findings.extend(rule.check_file(context))
    except RecursionError:
        outcome.findings = [SyntaxError_().finding_for(display, 1, 1, "nested too deeply to analyse")]
        return outcome
    outcome.facts = context.facts
    return outcome


def _check_syntax(source_file: _SourceFile) -> _FileOutcome:
    """For a file the screen leaves out: only whether it parses (DS001)."""
    from dslint.rules.ds001_syntax_error import SyntaxError_

    outcome = _FileOutcome(source_file.display, source_file.config, source_file.text)
    try:
        ast.parse(source_file.text)
    except SyntaxError as error:
        outcome.findings.append(SyntaxError_().finding_for(source_file.display, error.lineno or 1,
                                                           error.offset or 1, error.msg))
    except (ValueError, RecursionError, MemoryError):
        pass  # CPython's own limits; LibCST would not get further, and nothing else is reported here
    return outcome


def _lint_sources(items, rules, result: RunResult, notebook_cells: bool = True) -> RunResult:
    from dslint.analysis.module_clients import scan_module_clients
    from dslint.analysis.project import Project
    from dslint.parsing import call_with_deep_stack
    from dslint.prefilter import ApiScreen, identifiers

    sources = [item for item in items if isinstance(item, _SourceFile)]
    outcomes = [item for item in items if isinstance(item, _FileOutcome)]
    module_clients = scan_module_clients((s.module_name, s.text) for s in sources)
    factories = {name.rsplit(".", 1)[-1] for s in sources for name in s.config.client_factories}
    screen = ApiScreen(factories | {name.rsplit(".", 1)[-1] for name in module_clients})
    pending = [s for s in sources if screen.may_report(s.text)]
    rest = [s for s in sources if not screen.may_report(s.text)]
    words: Dict[int, frozenset] = {}
    analyzed: List[_FileOutcome] = []
    searched: set = set()
    while pending:
        for source_file in pending:
            try:
                # In a thread with a deep stack: valid files nest a few hundred levels (generated code).
                analyzed.append(call_with_deep_stack(_analyze, source_file, rules, module_clients))
            except Exception as error:  # one file's internal error must not stop the run
                logging.getLogger("dslint").debug("failed to lint %s", source_file.display, exc_info=True)
                result.errors.append(f"failed to lint {source_file.display}: {error.__class__.__name__}: {error}")
        names = _call_graph_names(Project(o.facts for o in analyzed if o.facts is not None)) - searched
        searched |= names
        if not names:
            break
        for s in rest:
            if id(s) not in words:
                words[id(s)] = identifiers(s.text)
        pending = [s for s in rest if _mentions_any(words[id(s)], names)]
        rest = [s for s in rest if not _mentions_any(words[id(s)], names)]
    outcomes.extend(analyzed)
    outcomes.extend(_check_syntax(s) for s in rest)
    return _finish(outcomes, rules, result, notebook_cells)


def _call_graph_names(project) -> set:
    """How the functions on some API call's escape path can be called from another file.

    (name, qualifier) pairs: a call in another file resolves to `pkg.mod.func` only through an
    import that names `mod` (or `func` itself from it), and to `pkg.mod.C.meth` only through `C`
    (an import, an instance `C(...)`, an annotation, or a subclass naming it as its base).
    """
    names = set()
    for function_id in project.functions_reaching_api():
        function = project.functions.get(function_id)
        if function is None or "<locals>" in function_id:
            continue  # module-level code and nested functions are called from their own file only
        qualifier = (function.class_id or function.module).rsplit(".", 1)[-1]
        names.add((function_id.rsplit(".", 1)[-1], qualifier))
    return names


def _mentions_any(words: frozenset, names: set) -> bool:
    return any(name in words and qualifier in words for name, qualifier in names)


def _finish(outcomes: Sequence[_FileOutcome], rules, result: RunResult, notebook_cells: bool = True) -> RunResult:
    from dslint.analysis.project import Project

    by_path = {outcome.path: outcome for outcome in outcomes}
    project = Project(outcome.facts for outcome in outcomes if outcome.facts is not None)
    for rule in rules:
        if rule.project_wide:
            for finding in rule.check_project(project):
                by_path[finding.path].findings.append(finding)
    for outcome in outcomes:
        path = Path(outcome.path)
        selected = _deduplicated(f for f in outcome.findings if outcome.config.is_enabled(f.code, path))
        if outcome.source is not None:
            result.sources[outcome.path] = outcome.source
            selected = filter_suppressed(selected, outcome.source)
        notebook = result.notebooks.get(outcome.path)
        if notebook is not None and notebook_cells:  # rows of the virtual source -> rows of a cell
            selected = [notebook.map_finding(finding) for finding in selected]
        result.findings.extend(selected)
    result.findings.sort(key=lambda f: f.sort_key)
    return result


def _deduplicated(findings) -> List[Finding]:
    """One finding per (rule, anchor line)."""
    seen = set()
    unique = []
    for finding in findings:
        key = (finding.code, finding.cell, finding.start.row)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def _active_rules():
    from dslint.rules import all_rules

    return all_rules()


def lint_paths(files: Sequence[Path], resolver: ConfigResolver, *, notebook_cells: bool = True,
               texts: Optional[Mapping[Path, str]] = None) -> RunResult:
    """Lint `files` as one project. Notebook findings carry their cell and rows relative to it;
    with `notebook_cells=False` they keep the rows of the notebook's virtual source (what a fixer
    edits: `result.sources[path]`, written back with `result.notebooks[path].with_source(fixed)`).
    `texts` gives the decoded text of some files instead of what is on disk (the fixer's passes)."""
    rules = _active_rules()
    result = RunResult(files_checked=len(files))
    texts = texts or {}
    items = [_read(path, str(path), resolver.config_for(path), result, texts.get(path)) for path in files]
    return _lint_sources([item for item in items if item is not None], rules, result, notebook_cells)


def lint_text(text: str, path: str, config: Config, *, notebook_cells: bool = True) -> RunResult:
    """Lint one file's text (stdin); a path ending in .ipynb makes it notebook JSON."""
    rules = _active_rules()
    result = RunResult(files_checked=1)
    item = _read(Path(path), path, config, result, text=text)
    return _lint_sources([item] if item is not None else [], rules, result, notebook_cells)
