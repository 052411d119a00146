"""File facts: the small, plain records extracted once per file.

Rules and the project pass (call graph, escape analysis) read these, never syntax trees, so the
facts of an unchanged file could be cached and reused without parsing it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import FrozenSet, List, Optional, Tuple

from dslint.findings import Finding, Position
from dslint.knowledge import Code

# Codes caught at one place, per exception family (families with nothing caught are left out).
CaughtByFamily = Tuple[Tuple[str, FrozenSet[Code]], ...]


@dataclass(frozen=True)
class Span:
    start: Position
    end: Position
    noqa_row: int  # last row of the statement holding the anchor


@dataclass(frozen=True)
class ApiCall:
    """A call that reaches the API: an SDK resource method, the legacy module API, litellm."""

    span: Span
    method: str                       # resource path shown in messages: "chat.completions.create"
    family: str                       # exception family (knowledge.FAMILY_EXCEPTIONS)
    provider: str                     # "deepseek" | "openai" | "auto"
    function: str                     # id of the enclosing function (or the module pseudo-function)
    raised: FrozenSet[Code]           # every code the call can raise
    escaping: FrozenSet[Code]         # what the handlers of its own function let out
    handled_by: Tuple[str, ...]       # source text of the except clauses that catch part of it
    is_async: bool = False


@dataclass(frozen=True)
class CallSite:
    """A call of a function that may be defined in the linted files."""

    caller: str                       # id of the enclosing function
    callees: Tuple[str, ...]          # candidate function ids, most likely first
    caught: CaughtByFamily            # what the enclosing handlers of the caller catch here
    catches_retry_error: bool         # an enclosing handler catches tenacity.RetryError


@dataclass(frozen=True)
class Function:
    id: str
    module: str
    class_id: Optional[str] = None
    # Codes that a tenacity decorator without reraise=True turns into tenacity.RetryError.
    wraps_in_retry_error: FrozenSet[Code] = frozenset()


@dataclass(frozen=True)
class ClassInfo:
    id: str
    bases: Tuple[str, ...]            # qualified names of the base classes


@dataclass
class FileFacts:
    path: str
    module: str
    api_calls: List[ApiCall] = field(default_factory=list)
    call_sites: List[CallSite] = field(default_factory=list)
    functions: List[Function] = field(default_factory=list)
    classes: List[ClassInfo] = field(default_factory=list)
    # Findings of per-file rules, computed while the syntax tree is at hand.
    findings: List[Finding] = field(default_factory=list)

