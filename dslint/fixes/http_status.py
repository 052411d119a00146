"""DS401: `response.raise_for_status()` on the line after the request.

Offered only when the response is bound to a name by a simple assignment that is a statement line
of its own (`r = requests.post(...)`, `r = await client.post(...)`): then the check runs before
anything reads the response. `async with session.post(...) as r:`, a response used in the same
expression, or an assignment sharing its line with other statements get the suggestion only.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from dslint.findings import Fix
from dslint.fixes import fix_builder
from dslint.fixes.edits import SourceEdits


@fix_builder
def raise_for_status_fix(context, request: cst.Call, applicability: str) -> Optional[Fix]:
    resolver = context.resolver
    value: cst.CSTNode = request
    parent = resolver.parent(request)
    if isinstance(parent, cst.Await):
        value, parent = parent, resolver.parent(parent)
    if not (isinstance(parent, cst.Assign) and parent.value is value and len(parent.targets) == 1
            and isinstance(parent.targets[0].target, cst.Name)):
        return None
    line = resolver.parent(parent)
    if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1
            and isinstance(resolver.parent(line), (cst.IndentedBlock, cst.Module))):
        return None
    name = parent.targets[0].target.value
    edit = SourceEdits.of(context).insert_line_after(line, f"{name}.raise_for_status()")
    if edit is None:
        return None
    return Fix(applicability, f"Call `{name}.raise_for_status()` after the request", (edit,))
