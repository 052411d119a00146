"""Autofixes: the text edits that rules attach to their findings (SPEC "Fixes").

A fix is built while the rule's file is analysed, from the LibCST nodes of that file, as plain
text edits with 1-based (row, column) positions (`dslint.findings.Edit`), so that JSON output can
carry them and the fixer (`dslint.fixer`) can apply them without the syntax tree. Every edit keeps
the code around it as written: only the replaced node's text changes, and inserted lines take the
indentation and line ending of their neighbours.

One module per concern: `edits` (positions, inserted lines, call arguments, imports), and one
builder module per rule family: `narrow` (DS201), `backoff` (DS301/DS302), `stop` (DS304),
`async_sleep` (DS305), `http_status` (DS401). A builder returns None when the rewrite is not
mechanical; the finding then carries only its suggestion.
"""

from __future__ import annotations

import functools
import logging
from typing import Callable, Optional, TypeVar

from dslint.findings import Fix

F = TypeVar("F", bound=Callable[..., Optional[Fix]])


def fix_builder(function: F) -> F:
    """A fix builder whose failure costs only the fix, never the finding or the file's lint."""

    @functools.wraps(function)
    def build(*args, **kwargs) -> Optional[Fix]:
        try:
            return function(*args, **kwargs)
        except Exception:  # a bug in one builder: the finding keeps its suggestion
            logging.getLogger("dslint").debug("fix builder %s failed", function.__name__, exc_info=True)
            return None

    return build  # type: ignore[return-value]
