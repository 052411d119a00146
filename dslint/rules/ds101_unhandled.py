"""DS101 unhandled-api-error and DS102 partially-handled-status.

Both follow the codes an API call can raise up the call graph (SPEC "Escaping codes") and fire
when a status code of the provider's table reaches an entry point uncaught: DS101 when nothing in
the call's own function catches any of it, DS102 when handlers there catch only part of it.
"""

from __future__ import annotations

from typing import Iterator, Tuple

from dslint import knowledge
from dslint.analysis.facts import ApiCall
from dslint.findings import Finding
from dslint.rules import Rule, register


def _escaping_to_top(project, want_handled: bool) -> Iterator[Tuple[ApiCall, frozenset, str]]:
    for facts in project.files:
        for call in facts.api_calls:
            if bool(call.handled_by) != want_handled or not call.escaping & knowledge.ALL_STATUSES:
                continue
            escaping = project.escapes_to_top(call)
            if escaping & knowledge.ALL_STATUSES:
                yield call, escaping, facts.path


def _advice(call: ApiCall, escaping: frozenset) -> str:
    status_class = knowledge.FAMILY_STATUS_CLASS[call.family]
    fatal = escaping & knowledge.NON_RETRYABLE
    if fatal:
        return f"Catch {status_class} and stop on {knowledge.status_numbers(fatal)}"
    return f"Catch {status_class} and retry {knowledge.status_numbers(escaping)} with backoff"


def _suggestion(call: ApiCall) -> str:
    status_class = knowledge.FAMILY_STATUS_CLASS[call.family]
    return (f"wrap the call (or its caller) in `try: ... except {status_class} as e:`; surface "
            f"{knowledge.status_numbers(knowledge.NON_RETRYABLE & call.raised)} to an operator "
            f"(402 needs a top-up), retry 429/5xx with backoff")


class _EscapeRule(Rule):
    """Reports API calls whose status codes reach an entry point; subclasses say which calls."""

    project_wide = True
    # DS102 looks at calls that handlers in their own function catch part of; DS101 at the others.
    partly_handled: bool

    def check_project(self, project) -> Iterator[Finding]:
        for call, escaping, path in _escaping_to_top(project, want_handled=self.partly_handled):
            message = f"{call.method}: {knowledge.describe_codes(escaping)} escape; {self.handling(call)}. " \
                      f"{_advice(call, escaping)}"
            yield self.finding(path, call.span, message, _suggestion(call))

    def handling(self, call: ApiCall) -> str:
        raise NotImplementedError


@register
class UnhandledApiError(_EscapeRule):
    code = "DS101"
    name = "unhandled-api-error"
    summary = "API call whose status codes nothing catches, up to the entry point"
    partly_handled = False

    def handling(self, call: ApiCall) -> str:
        return "no handler catches its errors"


@register
class PartiallyHandledStatus(_EscapeRule):
    code = "DS102"
    name = "partially-handled-status"
    summary = "API call whose handlers catch some status codes while others escape to the entry point"
    partly_handled = True

    def handling(self, call: ApiCall) -> str:
        names = list(dict.fromkeys(call.handled_by))
        listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        return f"only {listed} {'are' if len(names) > 1 else 'is'} handled"
