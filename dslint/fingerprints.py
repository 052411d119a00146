"""Identities of findings that survive line shifts: what the baseline, SARIF's
`partialFingerprints` and GitLab's `fingerprint` are made of.

A finding is identified by its rule, its path and the text of its anchor line with the whitespace
normalised (stripped, runs collapsed to one space), plus an occurrence index: the how-many-th
finding of that rule on a line of that text in that file, in file order. Lines inserted or removed
elsewhere in the file do not change it; editing the anchor line itself does.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from dslint.findings import Finding

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# (code, path, normalised anchor text, occurrence index)
Key = Tuple[str, str, str, int]


def normalise(line: str) -> str:
    return " ".join(line.split())


class AnchorLines:
    """The anchor line of findings, from a run's sources (notebook rows through their cell)."""

    def __init__(self, result) -> None:
        self._sources: Dict[str, str] = getattr(result, "sources", {}) or {}
        self._notebooks = getattr(result, "notebooks", {}) or {}
        self._lines: Dict[str, List[str]] = {}

    def text(self, finding: Finding) -> str:
        """The anchor line as stored (a notebook's magics as written), without its line ending;
        "" when the source is unknown."""
        notebook = self._notebooks.get(finding.path)
        if notebook is not None and finding.cell is not None:
            return notebook.cell_line(finding.cell, finding.start.row) or ""
        source = self._sources.get(finding.path)
        if source is None:
            return ""
        lines = self._lines.get(finding.path)
        if lines is None:
            lines = self._lines[finding.path] = _LINE_BREAK.split(source)
        row = finding.start.row
        return lines[row - 1] if 0 < row <= len(lines) else ""


def keys(
    findings: Sequence[Finding], result, path_of: Optional[Callable[[Finding], str]] = None
) -> List[Key]:
    """The key of each finding in `findings` (same order). `path_of` gives the path that goes into
    the key (default: the path as shown)."""
    anchors = AnchorLines(result)
    path_of = path_of or (lambda finding: finding.path.replace("\\", "/"))
    order = sorted(range(len(findings)), key=lambda index: findings[index].sort_key)
    seen: Counter = Counter()
    found: Dict[int, Key] = {}
    for index in order:
        finding = findings[index]
        base = (finding.code, path_of(finding), normalise(anchors.text(finding)))
        found[index] = base + (seen[base],)
        seen[base] += 1
    return [found[index] for index in range(len(findings))]


def digest(key: Key) -> str:
    """A stable hex digest of a key (32 characters)."""
    return hashlib.sha256("\0".join(map(str, key)).encode("utf-8")).hexdigest()[:32]
