"""DS308 ignores-retry-after: a manual 429 retry whose delay never reads Retry-After."""

from __future__ import annotations

from typing import Iterator

from dslint.analysis.file_facts import FileContext
from dslint.findings import Finding
from dslint.rules import Rule, register
from dslint.rules.retry_findings import handler_anchors


@register
class IgnoresRetryAfter(Rule):
    code = "DS308"
    name = "ignores-retry-after"
    summary = "Manual 429 retry that never reads the Retry-After header"
    default_on = False

    def check_file(self, context: FileContext) -> Iterator[Finding]:
        for construct in context.retries:
            if construct.kind not in ("loop", "recursion") or construct.reads_retry_after:
                continue
            for anchor in handler_anchors(construct, frozenset({429})):
                message = ("retries 429 Rate Limit Reached without reading the Retry-After header: the server "
                           "says how long to wait. Sleep at least that long")
                yield self.finding(context.path, context.header_span(anchor), message,
                                   'delay = float(e.response.headers.get("retry-after", fallback))')
