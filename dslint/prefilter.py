"""Which files need the full analysis: a text screen that never drops a finding.

A file can hold an API call, a retry around one, or a raw request to the API only if its text
names an SDK (`openai`, `anthropic`, `deepseek`, `litellm`, case-insensitive: this also covers
`OpenAI(`, `api.deepseek.com` and `DEEPSEEK_API_KEY`), a distinctive resource path that counts
without a resolvable receiver (`completions.create`, `embeddings.create`, ...), a response
wrapper (`with_raw_response`), or the name of a client another module builds or a configured
client factory. Every other file is only checked for syntax.

DS101/DS102 also need the callers of functions that make API calls, wherever they are: the
engine searches the remaining files for those function names (their `identifiers`) and analyses
the files that mention one, until no new file does.
"""

from __future__ import annotations

import re
from typing import FrozenSet, Iterable

from dslint import knowledge

SDK_ROOTS = ("openai", "anthropic", "deepseek", "litellm")


def _shape_tails() -> Iterable[str]:
    for method in knowledge.SHAPE_METHODS:
        yield ".".join(method.split(".")[-2:])
    yield from knowledge.CLIENT_PASSTHROUGH_ATTRS


class ApiScreen:
    """Decides from a file's text whether it may hold something an analysis rule reports."""

    def __init__(self, extra_names: Iterable[str] = ()):
        self.tokens = tuple(t.lower() for t in SDK_ROOTS + tuple(_shape_tails()))
        self.names = frozenset(name for name in extra_names if name)

    def may_report(self, text: str) -> bool:
        # Substring tests on the lowered text: far faster than one case-insensitive regex.
        lowered = text.lower()
        if any(token in lowered for token in self.tokens):
            return True
        return bool(self.names) and not self.names.isdisjoint(identifiers(text))


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def identifiers(text: str) -> FrozenSet[str]:
    """Every identifier-shaped word of a file (comments and strings included: it only over-selects)."""
    return frozenset(_IDENTIFIER.findall(text))
