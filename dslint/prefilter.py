"""Which files need the full analysis: a text screen that never drops a finding.

A file can hold an API call, a retry around one, or a raw request to the API only if its text
names an SDK (`openai`, `anthropic`, `deepseek`, `litellm`, case-insensitive: this also covers
`OpenAI(`, `api.deepseek.com` and `DEEPSEEK_API_KEY`), a distinctive resource path that counts
without a resolvable receiver (`completions.create`, `embeddings.create`, ...), a response
wrapper (`with_raw_response`), or the name of a client another module builds or a configured
client factory. Every other file is only checked for syntax.

DS101/DS102 also need the callers of functions that make API calls, wherever they are: the
engine searches the remaining files for those function names (`call_graph_names`) and analyses
the files that mention one, until no new file does.
"""

from __future__ import annotations

import re
from typing import Iterable, Pattern

from dslint import knowledge

SDK_ROOTS = ("openai", "anthropic", "deepseek", "litellm")


def _shape_tails() -> Iterable[str]:
    for method in knowledge.SHAPE_METHODS:
        yield ".".join(method.split(".")[-2:])
    yield from knowledge.CLIENT_PASSTHROUGH_ATTRS


def api_screen(extra_names: Iterable[str] = ()) -> Pattern[str]:
    """A pattern that matches every file that may hold something an analysis rule reports."""
    tokens = [re.escape(t) for t in SDK_ROOTS + tuple(_shape_tails())]
    names = [rf"\b{re.escape(name)}\b" for name in sorted(set(extra_names)) if name]
    return re.compile("|".join(tokens + names), re.IGNORECASE)


def names_screen(names: Iterable[str]) -> Pattern[str]:
    """Matches a file that mentions any of `names` as a word."""
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")\b")
