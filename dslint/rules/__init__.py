"""The rule registry.

A rule is a small class: its metadata (code, name, default, fix applicability, one-line summary)
and a `check` method. File rules read one file's facts; project rules read the facts of every
linted file at once (the call graph). Rules build messages from `dslint.knowledge`, never from
hard-coded class names or status codes.
"""

from __future__ import annotations

from typing import ClassVar, Dict, Iterable, List, Optional

from dslint.findings import Finding, Fix


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    default_on: ClassVar[bool] = True
    # "safe", "unsafe", or None when the rule has no mechanical fix.
    fix_applicability: ClassVar[Optional[str]] = None
    # Project rules need every file's facts (the call graph); file rules need one file's.
    project_wide: ClassVar[bool] = False

    def check_file(self, context) -> Iterable[Finding]:
        """Findings in one file, from its `FileContext` (syntax and facts)."""
        return ()

    def check_project(self, project) -> Iterable[Finding]:
        """Findings that need every linted file (`dslint.analysis.project.Project`)."""
        return ()

    def finding(self, path: str, span, message: str, suggestion: str = "", fix: Optional[Fix] = None) -> Finding:
        return Finding(self.code, message, path, span.start, span.end, suggestion, fix, span.noqa_row)


def all_rules() -> List[Rule]:
    """Every rule, ordered by code."""
    from dslint.rules import (  # noqa: F401  (importing registers the rules)
        ds001_syntax_error,
        ds101_unhandled,
        ds103_swallowed,
        ds201_retry_non_retryable,
        ds30x_backoff,
        ds30x_sdk_retries,
        ds304_unbounded,
        ds305_blocking_sleep,
        ds308_retry_after,
        ds401_http_status,
    )

    return sorted((cls() for cls in _registry.values()), key=lambda rule: rule.code)


def project_rules() -> List[Rule]:
    """The rules of the project pass. They read facts only, so a run whose facts all come from
    the cache never imports LibCST."""
    from dslint.rules import ds101_unhandled  # noqa: F401  (importing registers the rules)

    return sorted((cls() for cls in _registry.values() if cls.project_wide), key=lambda rule: rule.code)


def rules_by_code() -> Dict[str, Rule]:
    return {rule.code: rule for rule in all_rules()}


_registry: Dict[str, type] = {}


def register(cls: type) -> type:
    _registry[cls.code] = cls
    return cls
