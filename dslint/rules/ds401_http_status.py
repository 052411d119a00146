"""DS401 unchecked-http-status: a raw HTTP response from the API used without a status check."""

from __future__ import annotations

from typing import Iterator

from dslint import knowledge
from dslint.analysis.file_facts import FileContext
from dslint.analysis.raw_http import unchecked_requests
from dslint.findings import Finding
from dslint.fixes.http_status import raise_for_status_fix
from dslint.rules import Rule, register

# The codes named in the message: the ones that most often pass unnoticed.
UNNOTICED = frozenset({402, 429, 503})


@register
class UncheckedHttpStatus(Rule):
    code = "DS401"
    name = "unchecked-http-status"
    summary = "Raw HTTP response from the API used with no raise_for_status() or status check"
    fix_applicability = "unsafe"

    def check_file(self, context: FileContext) -> Iterator[Finding]:
        for request in unchecked_requests(context.request_calls, context.resolver):
            message = (f"response used without a status check: requests/httpx/aiohttp do not raise on "
                       f"{knowledge.describe_codes(UNNOTICED)}, so an error body is read as a result. "
                       "Call raise_for_status() or check the status")
            yield self.finding(context.path, context.span(request.call), message,
                               "call `response.raise_for_status()` right after the request",
                               raise_for_status_fix(context, request.call, self.fix_applicability))
