"""Shared by the retry rules: which status codes a retry construct, or one of its paths, retries."""

from __future__ import annotations

from typing import Optional

from dslint import knowledge
from dslint.analysis.retries import RetryConstruct, RetryPath

RETRYABLE_STATUSES = frozenset({429}) | knowledge.SERVER_ERRORS


def provider_statuses(construct: RetryConstruct, codes: frozenset) -> frozenset:
    """The status codes among `codes` that the construct's calls can raise."""
    raised = frozenset().union(*(site.fact.raised for site in construct.calls))
    return codes & raised & knowledge.ALL_STATUSES


def retried_statuses(construct: RetryConstruct) -> frozenset:
    """The status codes a construct retries (the provider's codes only)."""
    retried = construct.retried
    return frozenset() if retried is None else provider_statuses(construct, retried)


def path_statuses(construct: RetryConstruct, path: RetryPath) -> frozenset:
    """The status codes that go down one retry path; all of the provider's when it cannot be read."""
    return provider_statuses(construct, knowledge.ALL_STATUSES if path.codes is None else path.codes)


def describe_retryable(family: Optional[str]) -> str:
    names = knowledge.FAMILY_RETRYABLE_CLASSES.get(family or "openai", ())
    return ", ".join(name.split(".")[-1] for name in names)
