"""DS001 syntax-error: a file that cannot be parsed is reported, never a crash."""

from __future__ import annotations

from dslint.findings import Finding, Position
from dslint.rules import Rule, register


@register
class SyntaxError_(Rule):
    code = "DS001"
    name = "syntax-error"
    summary = "File cannot be parsed"

    def finding_for(self, path: str, row: int, column: int, reason: str) -> Finding:
        position = Position(max(row, 1), max(column, 1))
        return Finding(self.code, f"cannot parse this file: {reason}", path, position, position,
                       "Fix the syntax error; dslint checks nothing else in this file until it parses",
                       noqa_row=position.row)
