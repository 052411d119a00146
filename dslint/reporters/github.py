"""`--format github`: GitHub Actions workflow commands, which the runner turns into annotations on
the pull request's diff:

    ::error file=app.py,line=4,col=12,endLine=4,endColumn=66,title=dslint (DS101)::app.py:4:12: DS101 message

The rules on by default are errors, the opt-in ones warnings. A notebook's finding points at the
line of the notebook file that stores its cell's row; its message names the cell and the row in it.
"""

from __future__ import annotations

from typing import List

from dslint.findings import Finding
from dslint.reporters.common import ReportOptions, RunSummary, level, location, ordered


def report(result: RunSummary, options: ReportOptions) -> str:
    notebooks = getattr(result, "notebooks", {}) or {}
    return "".join(_command(finding, notebooks.get(finding.path)) + "\n" for finding in ordered(result.findings))


def _command(finding: Finding, notebook) -> str:
    properties: List[str] = [f"file={_property(finding.path.replace(chr(92), '/'))}"]
    if finding.cell is None:
        properties += [
            f"line={finding.start.row}",
            f"col={finding.start.column}",
            f"endLine={finding.end.row}",
            f"endColumn={finding.end.column}",
        ]
    elif notebook is not None:
        start = notebook.file_line(finding.cell, finding.start.row)
        end = notebook.file_line(finding.cell, finding.end.row)
        if start is not None:
            properties += [f"line={start}", f"endLine={max(end or start, start)}"]
    properties.append(f"title={_property(f'dslint ({finding.code})')}")
    message = f"{location(finding)}: {finding.code} {finding.message}"
    return f"::{level(finding.code)} {','.join(properties)}::{_data(message)}"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
