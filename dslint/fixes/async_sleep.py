"""DS305: `time.sleep(x)` in a coroutine becomes `await asyncio.sleep(x)` (and `asyncio` is imported).

Offered only where `await` is valid and means the same wait: the sleep is a statement of its own
directly in an `async def` (not in a lambda or a nested sync function), called by its plain name.
The arguments are kept as written.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from dslint.analysis.handlers import FUNCTION_NODES
from dslint.findings import Fix
from dslint.fixes import fix_builder
from dslint.fixes.edits import SourceEdits


@fix_builder
def async_sleep_fix(context, sleep: cst.Call, applicability: str) -> Optional[Fix]:
    resolver = context.resolver
    if not isinstance(resolver.parent(sleep), cst.Expr):
        return None
    func = sleep.func
    if not isinstance(func, (cst.Name, cst.Attribute)) or func.lpar:
        return None
    function = resolver.parent(sleep)
    while function is not None and not isinstance(function, FUNCTION_NODES):
        function = resolver.parent(function)
    if not isinstance(function, cst.FunctionDef) or function.asynchronous is None:
        return None
    edits = SourceEdits.of(context)
    found = edits.access("asyncio.sleep", sleep, prefer_module=True)
    if found is None:
        return None
    name, imports = found
    return Fix(applicability, f"Replace with `await {name}(...)`",
               tuple(imports) + (edits.replace(func, f"await {name}"),))
