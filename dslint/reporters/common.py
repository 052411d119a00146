"""What the plain-text reporters share: the finding's headline and the closing summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Protocol, Sequence

from dslint.findings import Finding


class RunSummary(Protocol):
    """What a reporter reads of a run (the engine's RunResult has these and more)."""

    findings: List[Finding]
    files_checked: int
    sources: Dict[str, str]  # path -> source text, for showing the flagged line


@dataclass(frozen=True)
class ReportOptions:
    quiet: bool = False  # findings only, no closing summary


def ordered(findings: Sequence[Finding]) -> List[Finding]:
    return sorted(findings, key=lambda finding: finding.sort_key)


def has_safe_fix(finding: Finding) -> bool:
    return finding.fix is not None and finding.fix.applicability == "safe"


def location(finding: Finding) -> str:
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    return f"{finding.path}:{cell}{finding.start.row}:{finding.start.column}"


def headline(finding: Finding) -> str:
    """`path:row:col: CODE [*] message`; the `[*]` marks what `--fix` fixes, as in ruff."""
    marker = "[*] " if has_safe_fix(finding) else ""
    return f"{location(finding)}: {finding.code} {marker}{finding.message}"


def closing_summary(findings: Sequence[Finding]) -> List[str]:
    if not findings:
        return ["All checks passed!"]
    problems = len(findings)
    files = len({finding.path for finding in findings})
    lines = [f"Found {_count(problems, 'problem')} in {_count(files, 'file')}."]
    safe = sum(1 for finding in findings if has_safe_fix(finding))
    unsafe = sum(1 for finding in findings if finding.fix is not None and not has_safe_fix(finding))
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
