"""Running the rules: one pass per file (facts and per-file findings), then one project pass.

`lint_paths` and `lint_text` are the entry points every front end (CLI, stdin, tests) calls.
Whatever goes wrong in one file becomes a DS001 finding or an error line for that file; the run
always goes on.
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from dslint.config import Config, ConfigResolver
from dslint.findings import Finding
from dslint.suppression import filter_suppressed


@dataclass
class RunResult:
    findings: List[Finding] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)    # internal errors: exit status 2
    notices: List[str] = field(default_factory=list)   # per-file problems that are not findings
    files_checked: int = 0
    sources: Dict[str, str] = field(default_factory=dict)


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


def _analyze(path: str, source: str, config: Config, module_name: str, is_package: bool, rules) -> _FileOutcome:
    import libcst as cst

    from dslint.analysis.file_facts import AnalysisSettings, analyze_module
    from dslint.rules.ds001_syntax_error import SyntaxError_

    outcome = _FileOutcome(path, config, source)
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        outcome.findings.append(SyntaxError_().finding_for(path, error.raw_line, error.raw_column + 1,
                                                           error.message))
        return outcome
    except RecursionError:
        outcome.findings.append(SyntaxError_().finding_for(path, 1, 1, "nested too deeply to parse"))
        return outcome
    settings = AnalysisSettings(config.provider, config.client_factories, config.retry_decorators)
    context = analyze_module(module, path, module_name, is_package, settings)
    for rule in rules:
        outcome.findings.extend(rule.check_file(context))
    outcome.facts = context.facts
    return outcome


def _lint_one(path: Path, display: str, config: Config, rules, result: RunResult,
              text: Optional[str] = None) -> Optional[_FileOutcome]:
    from dslint.rules.ds001_syntax_error import SyntaxError_

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
    try:
        return _analyze(display, text, config, module_name, is_package, rules)
    except RecursionError:
        outcome = _FileOutcome(display, config, text)
        outcome.findings.append(SyntaxError_().finding_for(display, 1, 1, "nested too deeply to analyse"))
        return outcome
    except Exception as error:  # one file's internal error must not stop the run
        result.errors.append(f"failed to lint {display}: {error.__class__.__name__}: {error}")
        return None


def _finish(outcomes: Sequence[_FileOutcome], rules, result: RunResult) -> RunResult:
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


def lint_paths(files: Sequence[Path], resolver: ConfigResolver) -> RunResult:
    rules = _active_rules()
    result = RunResult()
    outcomes = []
    for path in files:
        outcome = _lint_one(path, str(path), resolver.config_for(path), rules, result)
        result.files_checked += 1
        if outcome is not None:
            outcomes.append(outcome)
    return _finish(outcomes, rules, result)


def lint_text(text: str, path: str, config: Config) -> RunResult:
    rules = _active_rules()
    result = RunResult(files_checked=1)
    outcome = _lint_one(Path(path), path, config, rules, result, text=text)
    return _finish([outcome] if outcome else [], rules, result)
