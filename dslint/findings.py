"""Findings: the plain records that rules emit and that suppression, reporters and the fixer consume,
and a run's result that carries them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

if TYPE_CHECKING:
    from dslint.notebooks import Notebook


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


@dataclass
class RunResult:
    findings: List[Finding] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)    # internal errors: exit status 2
    notices: List[str] = field(default_factory=list)   # per-file problems that are not findings
    files_checked: int = 0
    # Texts of the files with findings (a notebook's entry is its virtual source).
    sources: Dict[str, str] = field(default_factory=dict)
    notebooks: Dict[str, "Notebook"] = field(default_factory=dict)  # path -> adapter (dslint.notebooks)
