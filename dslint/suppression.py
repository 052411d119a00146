"""Suppression comments: drop the findings that a `# noqa` or `# dslint: ignore` comment covers.

Where a comment applies to a finding: on its anchor row, on its `noqa_row` (the last row of the
statement, where formatters push the trailing comment of a multi-line call), or alone on the row
just above the anchor. `# dslint: file-ignore[...]` anywhere applies to the whole file.

Which codes it covers: a bare `# noqa`, `# dslint: ignore` or `# dslint: file-ignore` covers every
code; a listed code covers itself and, as a prefix, every code it starts (`# noqa: DS2` covers DS201
and DS202). Anything after the codes is a free-form reason (`# noqa: DS201 -- retried on purpose`).
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, List, Optional, Sequence

from dslint.findings import Finding

# Covers every code.
_EVERYTHING: FrozenSet[str] = frozenset({""})

_CODE_LIST = r"[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*"
_NOQA = re.compile(r"#\s*noqa(?![\w-])(?::\s*(?P<codes>" + _CODE_LIST + r"))?", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*dslint:\s*ignore(?:\[(?P<codes>[^\]]*)\])?")
_FILE_IGNORE = re.compile(r"#\s*dslint:\s*file-ignore(?:\[(?P<codes>[^\]]*)\])?")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the line breaks Python counts rows by


def filter_suppressed(findings: Sequence[Finding], source: str) -> List[Finding]:
    """The findings of one file that no suppression comment in `source` covers."""
    if not findings or ("noqa" not in source.lower() and "dslint:" not in source):
        return list(findings)
    lines = _LINE_BREAK.split(source)
    file_wide = _file_wide_codes(source, lines)
    by_row: Dict[int, FrozenSet[str]] = {}

    def codes_on(row: int) -> FrozenSet[str]:
        if row not in by_row:
            by_row[row] = _directive_codes(_comment(lines[row - 1])) if 0 < row <= len(lines) else frozenset()
        return by_row[row]

    def is_suppressed(finding: Finding) -> bool:
        rows = {finding.start.row, finding.noqa_row or finding.start.row}
        above = finding.start.row - 1
        if 0 < above <= len(lines) and lines[above - 1].lstrip().startswith("#"):
            rows.add(above)
        return any(_covers(codes, finding.code) for codes in [file_wide, *map(codes_on, rows)])

    return [finding for finding in findings if not is_suppressed(finding)]


def _covers(codes: FrozenSet[str], code: str) -> bool:
    return any(code.startswith(listed) for listed in codes)


def _directive_codes(comment: Optional[str]) -> FrozenSet[str]:
    """The codes a line's comment suppresses: empty for none, `_EVERYTHING` for all."""
    if comment is None:
        return frozenset()
    covered = set()
    for pattern in (_NOQA, _IGNORE):
        for match in pattern.finditer(comment):
            covered |= _listed(match.group("codes"))
    return frozenset(covered)


def _file_wide_codes(source: str, lines: List[str]) -> FrozenSet[str]:
    if "file-ignore" not in source:
        return frozenset()
    covered = set()
    for line in lines:
        if "file-ignore" in line:
            for match in _FILE_IGNORE.finditer(_comment(line) or ""):
                covered |= _listed(match.group("codes"))
    return frozenset(covered)


def _listed(codes: Optional[str]) -> FrozenSet[str]:
    """Codes named in a directive; a directive that names none covers everything."""
    names = frozenset(re.findall(r"[A-Za-z]+[0-9]*", codes or ""))
    return frozenset(name.upper() for name in names) or _EVERYTHING


def comment_start(line: str) -> Optional[int]:
    """Index of the `#` that starts the comment ending `line`; None when it has none.

    A `#` inside a string literal on the same line is not a comment. A line inside a multi-line
    string cannot be told apart without tokenizing the whole file, which is not worth it here.
    """
    if "#" not in line:
        return None
    quote = None
    index = 0
    while index < len(line):
        char = line[index]
        if quote is not None:
            if char == "\\":
                index += 1
            elif line.startswith(quote, index):
                index += len(quote) - 1
                quote = None
        elif char == "#":
            return index
        elif char in "'\"":
            quote = char * 3 if line.startswith(char * 3, index) else char
            index += len(quote) - 1
        index += 1
    return None


def _comment(line: str) -> Optional[str]:
    start = comment_start(line)
    return None if start is None else line[start:]
