"""DS305 blocking-sleep-in-async: `time.sleep` on the retry path of an async API call."""

from __future__ import annotations

from typing import Iterator

from dslint.analysis.file_facts import FileContext
from dslint.analysis.retries import BLOCKING_SLEEP
from dslint.findings import Finding
from dslint.fixes.async_sleep import async_sleep_fix
from dslint.rules import Rule, register


@register
class BlockingSleepInAsync(Rule):
    code = "DS305"
    name = "blocking-sleep-in-async"
    summary = "time.sleep on the retry path of an async API call"
    fix_applicability = "safe"

    def check_file(self, context: FileContext) -> Iterator[Finding]:
        for construct in context.retries:
            if not construct.is_async:
                continue
            for sleep in (sleep for path in construct.paths for sleep in path.sleeps):
                if BLOCKING_SLEEP in context.resolver.qualified_names(sleep.func):
                    message = ("time.sleep blocks the event loop while this async call backs off: every other "
                               "request on the loop stalls. Use `await asyncio.sleep(...)`")
                    yield self.finding(context.path, context.span(sleep), message,
                                       "replace with `await asyncio.sleep(...)`",
                                       async_sleep_fix(context, sleep, self.fix_applicability))
