"""DS304 unbounded-retry: a retry with no attempt cap and no deadline."""

from __future__ import annotations

from typing import Iterator

from dslint import knowledge
from dslint.analysis.file_facts import FileContext
from dslint.findings import Finding
from dslint.fixes.stop import stop_fix
from dslint.rules import Rule, register
from dslint.rules.retry_findings import retried_statuses


@register
class UnboundedRetry(Rule):
    code = "DS304"
    name = "unbounded-retry"
    summary = "Retry with no attempt cap and no deadline"
    fix_applicability = "unsafe"

    def check_file(self, context: FileContext) -> Iterator[Finding]:
        for construct in context.retries:
            if construct.bounded is not False:
                continue
            codes = retried_statuses(construct)
            named = f" {knowledge.describe_codes(codes)}" if codes else ""
            message = (f"retries{named} forever: no attempt cap and no deadline, so an outage or a "
                       "402 Insufficient Balance hangs this code. Stop after a few attempts")
            yield self.finding(context.path, context.header_span(construct.anchor), message,
                               "tenacity: stop=stop_after_attempt(5); backoff: max_tries=5; loops: count attempts",
                               stop_fix(context, construct, self.fix_applicability))
