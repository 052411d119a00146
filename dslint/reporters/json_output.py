"""`--format json`: an array shaped like ruff's JSON output (see SPEC)."""

from __future__ import annotations

import json
from typing import Any, Dict

from dslint.docs import rule_url
from dslint.findings import Finding, Position
from dslint.reporters.common import ReportOptions, RunSummary, ordered


def report(result: RunSummary, options: ReportOptions) -> str:
    return json.dumps([_finding(finding) for finding in ordered(result.findings)], indent=2, ensure_ascii=False) + "\n"


def _finding(finding: Finding) -> Dict[str, Any]:
    return {
        "code": finding.code,
        "message": finding.message,
        "filename": finding.path,
        "location": _position(finding.start),
        "end_location": _position(finding.end),
        "fix": None
        if finding.fix is None
        else {
            "applicability": finding.fix.applicability,
            "message": finding.fix.message,
            "edits": [
                {"content": edit.content, "location": _position(edit.start), "end_location": _position(edit.end)}
                for edit in finding.fix.edits
            ],
        },
        "url": rule_url(finding.code),
        "noqa_row": finding.noqa_row,
        "cell": finding.cell,
    }


def _position(position: Position) -> Dict[str, int]:
    return {"row": position.row, "column": position.column}
