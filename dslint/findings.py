"""Findings: the plain records that rules emit and that suppression, reporters and the fixer consume."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional, Tuple


@dataclass(frozen=True, order=True)
class Position:
    """A place in a file: 1-based row, 1-based column."""

    row: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text between `start` and `end` (end exclusive) with `content`."""

    content: str
    start: Position
    end: Position


@dataclass(frozen=True)
class Fix:
    applicability: str  # "safe" | "unsafe"
    message: str
    edits: Tuple[Edit, ...]


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    path: str
    start: Position
    end: Position
    suggestion: str = ""
    fix: Optional[Fix] = None
    # Row where a `# noqa` for this finding belongs: the last row of the statement holding the anchor.
    noqa_row: Optional[int] = None
    cell: Optional[int] = None

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.start.row, self.start.column, self.code)

    def with_path(self, path: str) -> "Finding":
        return replace(self, path=path)
