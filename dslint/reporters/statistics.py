"""`--statistics`: how many findings each rule has, most first."""

from __future__ import annotations

import json
from collections import Counter
from typing import List, Tuple

from dslint.reporters.common import ReportOptions, RunSummary, has_safe_fix


def report_table(result: RunSummary, options: ReportOptions) -> str:
    """`count  code  [*] name`; `[*]` when `--fix` fixes some of that rule's findings."""
    rows = _statistics(result, options.unsafe_fixes)
    if not rows:
        return ""
    count_width = max(len(str(count)) for _, _, count, _ in rows)
    code_width = max(len(code) for code, _, _, _ in rows)
    return "".join(
        f"{count:>{count_width}}  {code:<{code_width}}  {'[*]' if fixable else '   '} {name}".rstrip() + "\n"
        for code, name, count, fixable in rows
    )


def report_json(result: RunSummary, options: ReportOptions) -> str:
    rows = [
        {"code": code, "name": name, "count": count, "fixable": fixable}
        for code, name, count, fixable in _statistics(result, options.unsafe_fixes)
    ]
    return json.dumps(rows, indent=2) + "\n"


def _statistics(result: RunSummary, unsafe_fixes: bool = False) -> List[Tuple[str, str, int, bool]]:
    from dslint.rules import rules_by_code  # imported here: only statistics need the rule names

    counts = Counter(finding.code for finding in result.findings)
    fixable = {finding.code for finding in result.findings if has_safe_fix(finding, unsafe_fixes)}
    rules = rules_by_code()
    rows = [(code, rules[code].name if code in rules else "", count, code in fixable) for code, count in counts.items()]
    return sorted(rows, key=lambda row: (-row[2], row[0]))
