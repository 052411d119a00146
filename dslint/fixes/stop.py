"""DS304: stop after a few attempts.

- tenacity: `stop=stop_after_attempt(5)` is added, or replaces a stop that never stops
  (`stop_never`).
- backoff: `max_tries=5` is added, or replaces `max_tries=None`.
Other constructs (stamina, the `retry` package, hand-written loops) get the suggestion only.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from dslint.analysis.resolver import keyword_argument, positional_arguments
from dslint.findings import Fix
from dslint.fixes import fix_builder
from dslint.fixes.edits import SourceEdits

ATTEMPTS = 5
# tenacity's parameters in order: a `stop` passed by position is the second.
_TENACITY_STOP_POSITION = 1


@fix_builder
def stop_fix(context, construct, applicability: str) -> Optional[Fix]:
    policy = construct.policy
    if construct.kind not in ("decorator", "iterator") or policy is None:
        return None
    edits = SourceEdits.of(context)
    node = policy.node
    if isinstance(node, cst.Call) and any(arg.star for arg in node.args):
        return None
    if policy.library == "tenacity":
        stop = policy.stop_node
        if stop is None and isinstance(node, cst.Call) and (
                keyword_argument(node, "stop") is not None or len(positional_arguments(node)) > _TENACITY_STOP_POSITION):
            return None
        found = edits.access("tenacity.stop_after_attempt", stop if stop is not None else node)
        if found is None:
            return None
        name, imports = found
        expression = f"{name}({ATTEMPTS})"
        change = edits.replace(stop, expression) if stop is not None else edits.add_argument(node, "stop", expression)
        return Fix(applicability, f"Stop after {ATTEMPTS} attempts: stop=stop_after_attempt({ATTEMPTS})",
                   tuple(imports) + (change,))
    if policy.library == "backoff" and isinstance(node, cst.Call):
        max_tries = keyword_argument(node, "max_tries")
        if max_tries is not None:
            change = edits.replace(max_tries.value, str(ATTEMPTS))
        else:
            change = edits.add_argument(node, "max_tries", str(ATTEMPTS))
        return Fix(applicability, f"Stop after {ATTEMPTS} attempts: max_tries={ATTEMPTS}", (change,))
    return None
