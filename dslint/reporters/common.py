"""What the plain-text reporters share: the finding's headline and the closing summary."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Protocol, Sequence

from dslint.findings import Finding


class RunSummary(Protocol):
    """What a reporter reads of a run (the engine's RunResult has these and more)."""

    findings: List[Finding]
    files_checked: int
    sources: Dict[str, str]  # path -> source text, for showing the flagged line


@dataclass(frozen=True)
class ReportOptions:
    quiet: bool = False  # findings only, no closing summary
    unsafe_fixes: bool = False  # `--unsafe-fixes`: unsafe fixes count as fixable too


def ordered(findings: Sequence[Finding]) -> List[Finding]:
    return sorted(findings, key=lambda finding: finding.sort_key)


def has_safe_fix(finding: Finding, unsafe_fixes: bool = False) -> bool:
    """Does `--fix` fix this finding (with `--unsafe-fixes` when `unsafe_fixes`)?"""
    return finding.fix is not None and (unsafe_fixes or finding.fix.applicability == "safe")


def location(finding: Finding) -> str:
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    return f"{finding.path}:{cell}{finding.start.row}:{finding.start.column}"


def headline(finding: Finding, unsafe_fixes: bool = False) -> str:
    """`path:row:col: CODE [*] message`; the `[*]` marks what `--fix` fixes, as in ruff."""
    marker = "[*] " if has_safe_fix(finding, unsafe_fixes) else ""
    return f"{location(finding)}: {finding.code} {marker}{finding.message}"


def level(code: str) -> str:
    """The severity the machine formats give a rule's findings: "error" for the rules on by
    default, "warning" for the opt-in ones (DS303, DS306, DS308: advice more than defects)."""
    return "warning" if code in _opt_in_codes() else "error"


@functools.lru_cache(maxsize=None)
def _opt_in_codes() -> FrozenSet[str]:
    from dslint.rules import all_rules  # imported here: only the machine formats need it

    return frozenset(rule.code for rule in all_rules() if not rule.default_on)


def notebook_prefix(finding: Finding) -> str:
    """`cell 3:5:9: ` for a notebook finding (whose rows count from the top of its cell), else ""."""
    if finding.cell is None:
        return ""
    return f"cell {finding.cell}:{finding.start.row}:{finding.start.column}: "


def closing_summary(findings: Sequence[Finding], unsafe_fixes: bool = False) -> List[str]:
    if not findings:
        return ["All checks passed!"]
    problems = len(findings)
    files = len({finding.path for finding in findings})
    lines = [f"Found {_count(problems, 'problem')} in {_count(files, 'file')}."]
    safe = sum(1 for finding in findings if has_safe_fix(finding, unsafe_fixes))
    unsafe = sum(1 for finding in findings if finding.fix is not None and not has_safe_fix(finding, unsafe_fixes))
    hidden = f"{_count(unsafe, 'hidden fix', 'hidden fixes')} can be enabled with the --unsafe-fixes option"
    if safe and unsafe:
        lines.append(f"[*] {safe} fixable with the --fix option ({hidden}).")
    elif safe:
        lines.append(f"[*] {safe} fixable with the --fix option.")
    elif unsafe:
        lines.append(f"No fixes available ({hidden}).")
    return lines


def _count(number: int, singular: str, plural: str = "") -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
