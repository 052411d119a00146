"""`--format gitlab`: a GitLab Code Quality report (the `codequality` artifact of a CI job).

Each finding is an issue with `check_name` (the rule code), `description`, `severity` (`major`
for the rules on by default, `minor` for the opt-in ones), `location.path` and `location.lines`,
and a `fingerprint` that survives line shifts (see dslint.fingerprints), so GitLab tells new issues
from old ones in merge requests.
"""

from __future__ import annotations

import json
from typing import Any, Dict

from dslint.findings import Finding
from dslint.fingerprints import digest, keys
from dslint.reporters.common import ReportOptions, RunSummary, level, notebook_prefix, ordered

_SEVERITY = {"error": "major", "warning": "minor"}


def report(result: RunSummary, options: ReportOptions) -> str:
    findings = ordered(result.findings)
    notebooks = getattr(result, "notebooks", {}) or {}
    issues = [
        _issue(finding, digest(key), notebooks.get(finding.path))
        for finding, key in zip(findings, keys(findings, result))
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def _issue(finding: Finding, fingerprint: str, notebook) -> Dict[str, Any]:
    begin, end = finding.start.row, finding.end.row
    if finding.cell is not None:
        begin = (notebook.file_line(finding.cell, finding.start.row) if notebook is not None else None) or 1
        end = (notebook.file_line(finding.cell, finding.end.row) if notebook is not None else None) or begin
    return {
        "description": f"{notebook_prefix(finding)}{finding.code} {finding.message}",
        "check_name": finding.code,
        "fingerprint": fingerprint,
        "severity": _SEVERITY[level(finding.code)],
        "location": {"path": finding.path.replace("\\", "/"), "lines": {"begin": begin, "end": max(end, begin)}},
    }
