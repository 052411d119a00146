"""DS301 retry-without-backoff, DS302 constant-backoff, DS303 backoff-without-jitter.

One family: how a retry of 429/5xx waits between attempts — not at all, by a constant, or by a
growing delay that every client shares (no jitter).
"""

from __future__ import annotations

from typing import Iterator, Tuple

from dslint import knowledge
from dslint.analysis.file_facts import FileContext
from dslint.analysis.retries import RetryConstruct
from dslint.findings import Finding
from dslint.rules import Rule, register
from dslint.rules.retry_findings import RETRYABLE_STATUSES, construct_anchors, retried_statuses


def _retries_overload(construct: RetryConstruct) -> frozenset:
    """429/5xx codes the construct retries (all of them when its predicate cannot be read)."""
    if construct.retried is None:
        return frozenset(RETRYABLE_STATUSES & frozenset().union(*(s.fact.raised for s in construct.calls)))
    return retried_statuses(construct) & RETRYABLE_STATUSES


def _waits(context: FileContext, kinds: Tuple[str, ...]) -> Iterator[Tuple[RetryConstruct, frozenset]]:
    for construct in context.retries:
        codes = _retries_overload(construct)
        if codes and construct.wait.kind in kinds:
            yield construct, codes


@register
class RetryWithoutBackoff(Rule):
    code = "DS301"
    name = "retry-without-backoff"
    summary = "Retry of 429/5xx with no wait between attempts"
    fix_applicability = "unsafe"

    def check_file(self, context: FileContext) -> Iterator[Finding]:
        for construct, codes in _waits(context, ("absent",)):
            for anchor in construct_anchors(construct, codes):
                message = (f"retries {knowledge.describe_codes(codes)} with no wait: every attempt hits an "
                           "overloaded server again at once. Wait with exponential backoff and jitter")
                yield self.finding(context.path, context.header_span(anchor), message,
                                   "tenacity: wait=wait_random_exponential(min=1, max=60); backoff: backoff.expo; "
                                   "loops: time.sleep(min(60, 2 ** attempt) + random.random())")


@register
class ConstantBackoff(Rule):
    code = "DS302"
    name = "constant-backoff"
    summary = "Retry of 429/5xx whose wait does not grow"
    fix_applicability = "unsafe"

    def check_file(self, context: FileContext) -> Iterator[Finding]:
        for construct, codes in _waits(context, ("none", "constant", "random")):
            anchor = construct.wait.node or construct.anchor
            message = (f"retries {knowledge.describe_codes(codes)} after a constant wait: while the server "
                       "stays overloaded every attempt fails again. Grow the wait exponentially, with jitter")
            yield self.finding(context.path, context.header_span(anchor), message,
                               "tenacity: wait=wait_random_exponential(min=1, max=60); backoff: backoff.expo; "
                               "loops: time.sleep(min(60, 2 ** attempt) + random.random())")


@register
class BackoffWithoutJitter(Rule):
    code = "DS303"
    name = "backoff-without-jitter"
    summary = "Exponential backoff with no random term"
    default_on = False
    fix_applicability = "unsafe"

    def check_file(self, context: FileContext) -> Iterator[Finding]:
        for construct, codes in _waits(context, ("exponential",)):
            if construct.wait.jitter:
                continue
            anchor = construct.wait.node or construct.anchor
            message = (f"exponential backoff for {knowledge.describe_codes(codes)} has no jitter: clients that "
                       "failed together retry together. Add a random term")
            yield self.finding(context.path, context.header_span(anchor), message,
                               "tenacity: wait_random_exponential; backoff: keep the default jitter; "
                               "loops: add random.random() to the delay")
