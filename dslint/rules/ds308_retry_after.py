"""DS308 ignores-retry-after: a manual 429 retry whose delay never reads Retry-After."""

from __future__ import annotations

from typing import Iterator

from dslint import knowledge
from dslint.analysis.file_facts import FileContext
from dslint.findings import Finding
from dslint.rules import Rule, register

RATE_LIMITED = 429


@register
class IgnoresRetryAfter(Rule):
    code = "DS308"
    name = "ignores-retry-after"
    summary = "Manual 429 retry that never reads the Retry-After header"
    default_on = False

    def check_file(self, context: FileContext) -> Iterator[Finding]:
        for construct in context.retries:
            if construct.kind not in ("loop", "recursion"):
                continue
            for path in construct.paths:
                if path.codes is None or RATE_LIMITED not in path.codes or path.reads_retry_after:
                    continue
                message = (f"retries {knowledge.describe_code(RATE_LIMITED)} without reading the Retry-After "
                           "header: the server says how long to wait. Sleep at least that long")
                yield self.finding(context.path, context.header_span(path.anchor), message,
                                   'delay = float(e.response.headers.get("retry-after", fallback))')
