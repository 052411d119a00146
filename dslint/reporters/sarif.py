"""`--format sarif`: SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it.

One `reportingDescriptor` per rule (summary, the first paragraph of its page, the page as help,
its URL, its default level), one `result` per finding with a location relative to `%SRCROOT%`
(the working folder, where the paths shown are relative to), a `partialFingerprints` entry that
survives line shifts (see dslint.fingerprints) and the fix where one exists.

A notebook's finding is located on the line of the notebook file that stores its cell's row (the
rows in the message count from the top of the cell, as in every other format).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import quote

from dslint import __version__
from dslint.docs import UnknownRuleError, rule_doc, rule_url
from dslint.findings import Finding
from dslint.fingerprints import digest, keys
from dslint.reporters.common import ReportOptions, RunSummary, level, notebook_prefix, ordered

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/dslint-dev/dslint"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "dslint/v1"


def report(result: RunSummary, options: ReportOptions) -> str:
    from dslint.rules import all_rules

    rules = all_rules()
    index_of = {rule.code: index for index, rule in enumerate(rules)}
    findings = ordered(result.findings)
    fingerprints = [digest(key) for key in keys(findings, result)]
    notebooks = getattr(result, "notebooks", {}) or {}
    errors = list(getattr(result, "errors", []) or [])
    run: Dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "dslint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": Path(os.getcwd()).as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "invocations": [
            {
                "executionSuccessful": not errors,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": error}} for error in errors
                ],
            }
        ],
        "results": [
            _result(finding, index_of, fingerprint, notebooks.get(finding.path))
            for finding, fingerprint in zip(findings, fingerprints)
        ],
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _descriptor(rule) -> Dict[str, Any]:
    page = _page(rule.code)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _first_paragraph(page) or rule.summary},
        "help": {"text": page or rule.summary, "markdown": page or rule.summary},
        "helpUri": rule_url(rule.code),
        "defaultConfiguration": {"enabled": rule.default_on, "level": level(rule.code)},
        "properties": {"tags": ["reliability"], "fix": rule.fix_applicability or "none"},
    }


def _result(finding: Finding, index_of: Dict[str, int], fingerprint: str, notebook) -> Dict[str, Any]:
    item: Dict[str, Any] = {"ruleId": finding.code}
    if finding.code in index_of:
        item["ruleIndex"] = index_of[finding.code]
    item.update({
        "level": level(finding.code),
        "message": {"text": notebook_prefix(finding) + finding.message},
        "locations": [
            {"physicalLocation": {"artifactLocation": artifact(finding.path), "region": _region(finding, notebook)}}
        ],
        "partialFingerprints": {FINGERPRINT: fingerprint},
    })
    # A notebook's edits are in rows of its cells, which are not rows of the file.
    if finding.fix is not None and finding.cell is None:
        item["fixes"] = [
            {
                "description": {"text": finding.fix.message},
                "artifactChanges": [
                    {
                        "artifactLocation": artifact(finding.path),
                        "replacements": [
                            {
                                "deletedRegion": {
                                    "startLine": edit.start.row,
                                    "startColumn": edit.start.column,
                                    "endLine": edit.end.row,
                                    "endColumn": edit.end.column,
                                },
                                "insertedContent": {"text": edit.content},
                            }
                            for edit in finding.fix.edits
                        ],
                    }
                ],
            }
        ]
    properties: Dict[str, Any] = {}
    if finding.suggestion:
        properties["suggestion"] = finding.suggestion
    if finding.fix is not None:
        properties["applicability"] = finding.fix.applicability
    if finding.cell is not None:
        properties.update(cell=finding.cell, cellRow=finding.start.row, cellColumn=finding.start.column)
    if properties:
        item["properties"] = properties
    return item


def artifact(path: str) -> Dict[str, str]:
    """A relative path as a URI under %SRCROOT%; an absolute one (outside the working folder) as
    a file URI."""
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path.replace(os.sep, "/")), "uriBaseId": SRCROOT}


def _region(finding: Finding, notebook) -> Dict[str, int]:
    if finding.cell is not None:
        start = _file_line(notebook, finding.cell, finding.start.row) or 1
        end = _file_line(notebook, finding.cell, finding.end.row) or start
        return {"startLine": start, "endLine": max(end, start)}
    return {
        "startLine": finding.start.row,
        "startColumn": finding.start.column,
        "endLine": finding.end.row,
        "endColumn": finding.end.column,
    }


def _file_line(notebook, cell: int, row: int) -> Optional[int]:
    return notebook.file_line(cell, row) if notebook is not None else None


def _page(code: str) -> str:
    try:
        return rule_doc(code)
    except UnknownRuleError:
        return ""


def _first_paragraph(page: str) -> str:
    """The first paragraph of the page's "What it does" section, joined into one line."""
    match = re.search(r"^## What it does\s*\n(.*?)(?:\n\s*\n|\n#|\Z)", page, re.MULTILINE | re.DOTALL)
    if not match:
        return ""
    return " ".join(match.group(1).split())


__all__: List[str] = ["report", "artifact"]
