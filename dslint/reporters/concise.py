"""`--format concise`: one line per finding, then the summary."""

from __future__ import annotations

from dslint.reporters.common import ReportOptions, RunSummary, closing_summary, headline, ordered


def report(result: RunSummary, options: ReportOptions) -> str:
    findings = ordered(result.findings)
    lines = [headline(finding, options.unsafe_fixes) for finding in findings]
    if not options.quiet:
        lines += closing_summary(findings, options.unsafe_fixes)
    return "".join(line + "\n" for line in lines)
