"""DS103 swallowed-api-error: a handler that catches API status errors and drops them silently."""

from __future__ import annotations

from typing import Dict, Iterator, List, Tuple

import libcst as cst

from dslint import knowledge
from dslint.analysis.file_facts import FileContext
from dslint.analysis.loops import retry_loop
from dslint.findings import Finding
from dslint.rules import Rule, register


def is_silent(body: cst.BaseSuite) -> bool:
    """Only `pass`, `...`, `continue`, bare `return` or `return None`."""
    statements = body.body if isinstance(body, cst.SimpleStatementSuite) else [
        small for line in body.body if isinstance(line, cst.SimpleStatementLine) for small in line.body]
    if isinstance(body, cst.IndentedBlock) and any(not isinstance(s, cst.SimpleStatementLine) for s in body.body):
        return False
    return all(_is_silent_statement(s) for s in statements)


def _is_silent_statement(statement: cst.BaseSmallStatement) -> bool:
    if isinstance(statement, (cst.Pass, cst.Continue)):
        return True
    if isinstance(statement, cst.Expr):
        return isinstance(statement.value, (cst.Ellipsis, cst.SimpleString))
    if isinstance(statement, cst.Return):
        return statement.value is None or (isinstance(statement.value, cst.Name) and statement.value.value == "None")
    return False


def _is_status_chain(body: cst.BaseSuite) -> bool:
    """The body is one `if`/`elif` chain (its tests read the status code) with no final `else`."""
    if not isinstance(body, cst.IndentedBlock) or len(body.body) != 1 or not isinstance(body.body[0], cst.If):
        return False
    branch = body.body[0]
    while isinstance(branch.orelse, cst.If):
        branch = branch.orelse
    return branch.orelse is None


@register
class SwallowedApiError(Rule):
    code = "DS103"
    name = "swallowed-api-error"
    summary = "Handler that catches API status errors around an API call and drops them"

    def check_file(self, context: FileContext) -> Iterator[Finding]:
        dropped: Dict[cst.ExceptHandler, Tuple[frozenset, List[str], str]] = {}
        for site in context.api_calls:
            loop = retry_loop(site.node, site.coverage.clauses, context.resolver)
            for clause in site.coverage.clauses:
                statuses = clause.caught & knowledge.ALL_STATUSES
                if not statuses or (loop is not None and clause.handler in loop.retried):
                    continue
                if is_silent(clause.handler.body):
                    kind = "silent"
                elif _is_status_chain(clause.handler.body):
                    statuses &= clause.outcome.fell_through
                    kind = "chain"
                else:
                    continue
                if statuses:
                    codes, methods, _ = dropped.get(clause.handler, (frozenset(), [], kind))
                    dropped[clause.handler] = (codes | statuses, methods + [site.fact.method], kind)
        for handler, (codes, methods, kind) in dropped.items():
            yield self._finding(context, handler, codes, methods[0], kind)

    def _finding(self, context: FileContext, handler: cst.ExceptHandler, codes: frozenset, method: str,
                 kind: str) -> Finding:
        span = context.header_span(handler)
        described = knowledge.describe_codes(codes)
        if kind == "silent":
            message = (f"handler swallows {described} from {method}: the failure vanishes without a trace. "
                       "Log it, re-raise it, or return an error the caller checks")
            suggestion = "log the exception and re-raise it, or raise an application error `from e`"
        else:
            message = (f"status-code `if` chain has no `else: raise`: {described} from {method} "
                       "are caught and silently dropped")
            suggestion = "add `else: raise` so codes the chain does not handle still surface"
        return self.finding(context.path, span, message, suggestion)
