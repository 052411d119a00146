"""Manual retry loops (SPEC "Retry constructs").

A `for`/`while` loop retries an API call when the path on which the call succeeds leaves the loop
(`break`, `return`, or a flag the loop condition tests) and some handler path goes on to another
iteration (falls through or `continue`s). A loop that moves on to the next item after a success
(a batch loop, a chat REPL) is not a retry, even when its handler `continue`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterator, Optional, Sequence, Union

import libcst as cst

from dslint.analysis.handlers import EMPTY, FUNCTION_NODES, LOOP_NODES, ClauseResult
from dslint.analysis.resolver import Resolver, descendants
from dslint.knowledge import Code

Loop = Union[cst.For, cst.While]


@dataclass
class RetryLoop:
    loop: Loop
    # Per retrying except clause: the codes it sends to another attempt.
    retried: Dict[cst.ExceptHandler, FrozenSet[Code]]

    @property
    def retried_codes(self) -> FrozenSet[Code]:
        codes: FrozenSet[Code] = EMPTY
        for found in self.retried.values():
            codes |= found
        return codes


def enclosing_loop(node: cst.CSTNode, resolver: Resolver) -> Optional[Loop]:
    """The innermost loop around `node` in its function (a loop's `else` does not count)."""
    child, parent = node, resolver.parent(node)
    while parent is not None and not isinstance(parent, FUNCTION_NODES):
        if isinstance(parent, LOOP_NODES) and child is parent.body:
            return parent
        child, parent = parent, resolver.parent(parent)
    return None


def retry_loop(call: cst.Call, clauses: Sequence[ClauseResult], resolver: Resolver) -> Optional[RetryLoop]:
    """The loop that retries `call`, given the except clauses around it, or None."""
    loop = enclosing_loop(call, resolver)
    if loop is None or not _success_leaves(call, loop, resolver):
        return None
    retried: Dict[cst.ExceptHandler, FrozenSet[Code]] = {}
    for clause in clauses:
        try_node = resolver.parent(clause.handler)
        if not resolver.is_within(try_node, loop):
            continue
        goes_on = clause.outcome.continued
        if not _always_leaves_after(try_node, loop, resolver):
            goes_on |= clause.outcome.fell_through
        if goes_on:
            retried[clause.handler] = goes_on
    return RetryLoop(loop, retried) if retried else None


def _following(node: cst.CSTNode, loop: Loop, resolver: Resolver) -> Iterator[cst.CSTNode]:
    """Statements that run after `node` completes normally, up to the end of the loop body."""
    current = node
    while current is not loop:
        parent = resolver.parent(current)
        if parent is None:
            return
        if isinstance(parent, (cst.IndentedBlock, cst.SimpleStatementSuite, cst.SimpleStatementLine)):
            siblings = list(parent.body)
            if current in siblings:
                yield from siblings[siblings.index(current) + 1:]
        elif isinstance(parent, _TRY_NODES) and current is parent.body and parent.orelse is not None:
            yield parent.orelse
        current = parent


_TRY_NODES = (cst.Try,) + ((cst.TryStar,) if hasattr(cst, "TryStar") else ())


def _success_leaves(call: cst.Call, loop: Loop, resolver: Resolver) -> bool:
    flags = _loop_flags(loop)
    statement = _small_statement(call, resolver)
    if isinstance(statement, cst.Return):
        return True
    return any(_may_leave(node, flags) for node in _following(statement, loop, resolver))


def _always_leaves_after(try_node: cst.CSTNode, loop: Loop, resolver: Resolver) -> bool:
    """After `try_node` falls through, does the loop body unconditionally break/return/raise?"""
    return any(isinstance(node, cst.SimpleStatementLine)
               and any(isinstance(small, (cst.Break, cst.Return, cst.Raise)) for small in node.body)
               for node in _following(try_node, loop, resolver))


def _small_statement(node: cst.CSTNode, resolver: Resolver) -> cst.CSTNode:
    current = node
    parent = resolver.parent(current)
    while parent is not None and not isinstance(parent, (cst.SimpleStatementLine, cst.SimpleStatementSuite,
                                                         cst.IndentedBlock)):
        current, parent = parent, resolver.parent(parent)
    return current


def _loop_flags(loop: Loop) -> FrozenSet[str]:
    """Names the loop condition tests: `while not done`, `while retry and attempts < 5`."""
    if not isinstance(loop, cst.While):
        return frozenset()
    return frozenset(node.value for node in descendants(loop.test, cst.Name))


def _may_leave(node: cst.CSTNode, flags: FrozenSet[str]) -> bool:
    """Does `node` hold a break/return of this loop, or set a flag the loop tests?"""
    for found in descendants(node, skip=FUNCTION_NODES + LOOP_NODES):
        if isinstance(found, (cst.Break, cst.Return)):
            return True
        # Setting a name the condition tests (`done = True`, `result = resp...`) ends the loop;
        # advancing a counter (`i += 1`, `i = i + 1`) is what batch loops do too.
        if (flags and isinstance(found, cst.Assign) and not isinstance(found.value, cst.BinaryOperation)
                and any(isinstance(t.target, cst.Name) and t.target.value in flags for t in found.targets)):
            return True
    return False

