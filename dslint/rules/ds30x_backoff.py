"""DS301 retry-without-backoff, DS302 constant-backoff, DS303 backoff-without-jitter.

One family: how a retry of 429/5xx waits between attempts — not at all, by a constant, or by a
growing delay that every client shares (no jitter).
"""

from __future__ import annotations

from typing import Iterator, Tuple

from dslint import knowledge
from dslint.analysis.file_facts import FileContext
from dslint.analysis.retries import RetryConstruct, RetryPath
from dslint.findings import Finding
from dslint.fixes.backoff import backoff_fix
from dslint.rules import Rule, register
from dslint.rules.retry_findings import RETRYABLE_STATUSES, path_statuses

_BACKOFF_HOWTO = ("tenacity: wait=wait_random_exponential(min=1, max=60); backoff: backoff.expo; "
                  "loops: time.sleep(min(60, 2 ** attempt) + random.random())")


def _overload_paths(context: FileContext,
                    kinds: Tuple[str, ...]) -> Iterator[Tuple[RetryConstruct, RetryPath, frozenset]]:
    """Retry paths of 429/5xx whose wait is of one of `kinds`, with their construct and the codes
    they retry."""
    for construct in context.retries:
        for path in construct.paths:
            codes = path_statuses(construct, path) & RETRYABLE_STATUSES
            if codes and path.wait.kind in kinds:
                yield construct, path, codes


@register
class RetryWithoutBackoff(Rule):
    code = "DS301"
    name = "retry-without-backoff"
    summary = "Retry of 429/5xx with no wait between attempts"
    fix_applicability = "unsafe"

    def check_file(self, context: FileContext) -> Iterator[Finding]:
        for construct, path, codes in _overload_paths(context, ("absent", "none")):
            message = (f"retries {knowledge.describe_codes(codes)} with no wait: every attempt hits an "
                       "overloaded server again at once. Wait with exponential backoff and jitter")
            fix = backoff_fix(context, construct, path, self.fix_applicability)
            yield self.finding(context.path, context.header_span(path.anchor), message, _BACKOFF_HOWTO, fix)


@register
class ConstantBackoff(Rule):
    code = "DS302"
    name = "constant-backoff"
    summary = "Retry of 429/5xx whose wait does not grow"
    fix_applicability = "unsafe"

    def check_file(self, context: FileContext) -> Iterator[Finding]:
        for construct, path, codes in _overload_paths(context, ("constant", "random")):
            message = (f"retries {knowledge.describe_codes(codes)} after a constant wait: while the server "
                       "stays overloaded every attempt fails again. Grow the wait exponentially, with jitter")
            fix = backoff_fix(context, construct, path, self.fix_applicability)
            yield self.finding(context.path, context.header_span(path.wait.node or path.anchor), message,
                               _BACKOFF_HOWTO, fix)


@register
class BackoffWithoutJitter(Rule):
    code = "DS303"
    name = "backoff-without-jitter"
    summary = "Exponential backoff with no random term"
    default_on = False

    def check_file(self, context: FileContext) -> Iterator[Finding]:
        for _, path, codes in _overload_paths(context, ("exponential",)):
            if path.wait.jitter:
                continue
            message = (f"exponential backoff for {knowledge.describe_codes(codes)} has no jitter: clients that "
                       "failed together retry together. Add a random term")
            yield self.finding(context.path, context.header_span(path.wait.node or path.anchor), message,
                               "tenacity: wait_random_exponential; backoff: keep the default jitter; "
                               "loops: add random.random() to the delay")
