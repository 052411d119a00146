"""`--format text` (the default): each finding with its source line and a caret under the span,
the way ruff's full output shows them, then the summary."""

from __future__ import annotations

import re
from typing import Dict, List, Optional

from dslint.findings import Finding
from dslint.reporters.common import ReportOptions, RunSummary, closing_summary, headline, ordered

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the line breaks Python counts rows by
_TAB = "    "


def report(result: RunSummary, options: ReportOptions) -> str:
    findings = ordered(result.findings)
    lines_of: Dict[str, List[str]] = {}
    blocks = []
    for finding in findings:
        source = result.sources.get(finding.path)
        if source is not None and finding.path not in lines_of:
            lines_of[finding.path] = _LINE_BREAK.split(source)
        blocks.append(_block(finding, lines_of.get(finding.path)))
    if not options.quiet:
        blocks.append("\n".join(closing_summary(findings)))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _block(finding: Finding, lines: Optional[List[str]]) -> str:
    row = finding.start.row
    gutter = " " * len(str(row))
    block = [headline(finding)]
    # Notebook rows count from the top of their cell, which the file's text does not show.
    if lines is not None and finding.cell is None and 0 < row <= len(lines):
        line = lines[row - 1]
        block += [
            f"{gutter} |",
            f"{row} | {line.replace(chr(9), _TAB)}".rstrip(),
            f"{gutter} | {_carets(finding, line)}",
        ]
        block.append(f"{gutter} |")
    if finding.suggestion:
        block.append(f"{gutter} = help: {finding.suggestion}")
    return "\n".join(block)


def _carets(finding: Finding, line: str) -> str:
    """Carets under the span on the anchor row; a span that goes on past the row is underlined to its end."""
    start = finding.start.column - 1
    end = finding.end.column - 1 if finding.end.row == finding.start.row else len(line)
    indent = len(line[:start].replace("\t", _TAB))
    width = len(line[start:end].replace("\t", _TAB))
    return " " * indent + "^" * max(1, width)
