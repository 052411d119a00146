"""Shared by the retry rules: where a retry construct's findings are anchored."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from dslint import knowledge
from dslint.analysis.retries import RetryConstruct

RETRYABLE_STATUSES = frozenset({429}) | knowledge.SERVER_ERRORS


def retried_statuses(construct: RetryConstruct) -> frozenset:
    """The status codes a construct retries (the provider's codes only)."""
    if construct.retried is None:
        return frozenset()
    raised = frozenset().union(*(site.fact.raised for site in construct.calls))
    return construct.retried & raised & knowledge.ALL_STATUSES


def handler_anchors(construct: RetryConstruct, codes: frozenset) -> Iterator[cst.CSTNode]:
    """The retrying except clauses of a loop or recursion that retry some of `codes`."""
    for handler, retried in construct.handlers.items():
        if retried & codes:
            yield handler


def construct_anchors(construct: RetryConstruct, codes: frozenset) -> Iterator[cst.CSTNode]:
    """Decorator or Retrying(...) call for library constructs; the retrying except lines otherwise."""
    if construct.kind in ("decorator", "iterator"):
        yield construct.anchor
    else:
        yield from handler_anchors(construct, codes)


def describe_retryable(family: Optional[str]) -> str:
    names = knowledge.FAMILY_RETRYABLE_CLASSES.get(family or "openai", ())
    return ", ".join(name.split(".")[-1] for name in names)
