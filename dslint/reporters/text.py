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
    notebooks = getattr(result, "notebooks", {}) or {}
    blocks = []
    for finding in findings:
        notebook = notebooks.get(finding.path)
        if notebook is not None and finding.cell is not None:
            # Notebook rows count from the top of their cell: the line comes from that cell.
            blocks.append(_block(finding, notebook.cell_line(finding.cell, finding.start.row), options))
            continue
        source = result.sources.get(finding.path)
        if source is not None and finding.path not in lines_of:
            lines_of[finding.path] = _LINE_BREAK.split(source)
        lines = lines_of.get(finding.path)
        row = finding.start.row
        blocks.append(_block(finding, lines[row - 1] if lines is not None and 0 < row <= len(lines) else None,
                             options))
    if not options.quiet:
        blocks.append("\n".join(closing_summary(findings, options.unsafe_fixes)))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _block(finding: Finding, line: Optional[str], options: ReportOptions = ReportOptions()) -> str:
    """A finding's headline, its anchor line (when known) with carets under the span, its help."""
    row = finding.start.row
    gutter = " " * len(str(row))
    block = [headline(finding, options.unsafe_fixes)]
    if line is not None:
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
