"""DS201 retry-non-retryable: a retry construct whose retried set holds codes that never succeed."""

from __future__ import annotations

from typing import Iterator

from dslint import knowledge
from dslint.analysis.file_facts import FileContext
from dslint.findings import Finding
from dslint.fixes.narrow import narrow_retry_fix
from dslint.rules import Rule, register
from dslint.rules.retry_findings import describe_retryable, provider_statuses

_RERAISE_FIRST = ", ".join(map(str, knowledge.sorted_codes(knowledge.NON_RETRYABLE)))


@register
class RetryNonRetryable(Rule):
    code = "DS201"
    name = "retry-non-retryable"
    summary = "Retry of 400/401/402/403/404/422, which fail the same way on every attempt"
    fix_applicability = "unsafe"

    def check_file(self, context: FileContext) -> Iterator[Finding]:
        for construct in context.retries:
            for path in construct.paths:
                if path.codes is None:
                    continue
                fatal = provider_statuses(construct, path.codes) & knowledge.NON_RETRYABLE
                if not fatal:
                    continue
                message = (f"retries {knowledge.describe_codes(fatal)}, which fail the same way every time; "
                           f"retry only {describe_retryable(construct.family)}")
                suggestion = f"narrow the retried exceptions, or re-raise first: `if e.status_code in ({_RERAISE_FIRST}): raise`"
                fix = narrow_retry_fix(context, construct, path, self.fix_applicability)
                yield self.finding(context.path, context.header_span(path.anchor), message, suggestion, fix)
