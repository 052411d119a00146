"""DS306 retry-stacked-on-sdk-retries and DS307 sdk-retries-disabled.

One family: the openai/anthropic clients already retry 408/409/429/5xx and network errors twice
with backoff (`max_retries`, default 2). An outer retry multiplies the attempts; turning the SDK
retries off with nothing in their place leaves 429/5xx unretried.
"""

from __future__ import annotations

from typing import Dict, Iterator, List

import libcst as cst

from dslint import knowledge
from dslint.analysis.file_facts import ApiCallSite, FileContext
from dslint.findings import Finding
from dslint.rules import Rule, register
from dslint.rules.retry_findings import RETRYABLE_STATUSES, retried_statuses


def _sdk_retries_on(site: ApiCallSite) -> bool:
    client = site.recognized.client
    return client is not None and client.kind.sdk_retries and client.max_retries != 0


@register
class RetryStackedOnSdkRetries(Rule):
    code = "DS306"
    name = "retry-stacked-on-sdk-retries"
    summary = "Outer retry around a client whose own retries are still on"
    default_on = False

    def check_file(self, context: FileContext) -> Iterator[Finding]:
        for construct in context.retries:
            codes = retried_statuses(construct) & RETRYABLE_STATUSES
            if codes and any(_sdk_retries_on(site) for site in construct.calls):
                message = (f"retries {knowledge.describe_codes(codes)} around a client that already retries "
                           "them (max_retries defaults to 2): attempts multiply. Set max_retries=0 on the "
                           "client or drop this retry")
                yield self.finding(context.path, context.header_span(construct.anchor), message,
                                   "build the client with max_retries=0 when you retry yourself")


@register
class SdkRetriesDisabled(Rule):
    code = "DS307"
    name = "sdk-retries-disabled"
    summary = "Client with max_retries=0 whose calls nothing else retries"

    def check_file(self, context: FileContext) -> Iterator[Finding]:
        calls_by_setting: Dict[cst.CSTNode, List[ApiCallSite]] = {}
        for site in context.api_calls:
            client = site.recognized.client
            if client is not None and client.max_retries == 0 and client.max_retries_node is not None:
                calls_by_setting.setdefault(client.max_retries_node, []).append(site)
        retried_calls = {id(site.node): retried_statuses(c) for c in context.retries for site in c.calls}
        for setting, sites in calls_by_setting.items():
            unretried = [s for s in sites if not _retries_429_and_5xx(retried_calls.get(id(s.node), frozenset()))]
            if unretried:
                message = (f"max_retries=0 turns off the SDK's retries, and {unretried[0].fact.method} is in no "
                           "retry of 429 Rate Limit Reached and 5xx: one overloaded moment fails the request. "
                           "Keep the SDK retries or retry 429/5xx with backoff")
                yield self.finding(context.path, context.span(setting), message,
                                   "remove max_retries=0, or wrap the calls in a retry of RateLimitError and "
                                   "InternalServerError with backoff")


def _retries_429_and_5xx(codes: frozenset) -> bool:
    return 429 in codes and bool(codes & knowledge.SERVER_ERRORS)
