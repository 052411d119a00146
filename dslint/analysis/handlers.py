"""Exception coverage (SPEC "Exception coverage"): which codes the handlers around a call catch.

Each `except` clause maps to the codes its classes cover for the call's exception family; inside
the handler, status tests (`if e.status_code == 429: ... else: raise`) and `isinstance` tests
refine what it keeps and what it re-raises. Clauses are tried in order, nested `try`s from the
innermost out, exactly as Python does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import FrozenSet, Iterator, List, Optional, Sequence, Tuple

import libcst as cst

from dslint import knowledge
from dslint.analysis.resolver import Resolver, dotted_name
from dslint.analysis.status_tests import split_codes, status_expression_matcher
from dslint.knowledge import Code

EMPTY: FrozenSet[Code] = frozenset()
FUNCTION_NODES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
LOOP_NODES = (cst.For, cst.While)


@dataclass
class Outcome:
    """Where each code that enters a block of statements ends up."""

    reraised: FrozenSet[Code] = EMPTY      # `raise` / `raise e`: the same error goes on
    converted: FrozenSet[Code] = EMPTY     # `raise Other(...)`: handled, a different error goes on
    returned: FrozenSet[Code] = EMPTY
    continued: FrozenSet[Code] = EMPTY
    broke: FrozenSet[Code] = EMPTY
    fell_through: FrozenSet[Code] = EMPTY

    def merge(self, other: "Outcome") -> "Outcome":
        return Outcome(self.reraised | other.reraised, self.converted | other.converted,
                       self.returned | other.returned, self.continued | other.continued,
                       self.broke | other.broke, self.fell_through | other.fell_through)


@dataclass(frozen=True)
class ClauseResult:
    handler: cst.ExceptHandler
    caught: FrozenSet[Code]      # codes this clause catches (after earlier clauses took theirs)
    outcome: Outcome

    @property
    def keeps(self) -> FrozenSet[Code]:
        """The caught codes with some path through the handler that does not re-raise them.

        A retry handler that re-raises only once its budget is spent keeps what it retries.
        """
        outcome = self.outcome
        return self.caught & (outcome.converted | outcome.returned | outcome.continued | outcome.broke
                              | outcome.fell_through)


@dataclass
class Coverage:
    """What the handlers enclosing one call do with the codes it raises."""

    escaping: FrozenSet[Code]
    clauses: List[ClauseResult] = field(default_factory=list)



class HandlerAnalysis:
    def __init__(self, resolver: Resolver):
        self.resolver = resolver

    # --- structure ------------------------------------------------------------------------------

    def enclosing_tries(self, node: cst.CSTNode) -> Iterator[cst.Try]:
        """The `try` statements whose body holds `node`, innermost first, within its function."""
        child, parent = node, self.resolver.parent(node)
        while parent is not None and not isinstance(parent, FUNCTION_NODES):
            if isinstance(parent, _TRY_NODES) and child is parent.body:
                yield parent
            child, parent = parent, self.resolver.parent(parent)

    # --- coverage -------------------------------------------------------------------------------

    def caught_classes(self, handler: cst.ExceptHandler) -> Tuple[Tuple[str, ...], ...]:
        """Qualified names of each class an except clause names; a bare `except` is BaseException."""
        if handler.type is None:
            return (("builtins.BaseException",),)
        return tuple(self.resolver.qualified_names(expr) or (dotted_name(expr) or "",)
                     for expr in self.class_expressions(handler.type))

    def class_expressions(self, expr: cst.BaseExpression, depth: int = 0) -> Iterator[cst.BaseExpression]:
        if isinstance(expr, cst.Tuple):
            for element in expr.elements:
                yield from self.class_expressions(element.value, depth)
        elif isinstance(expr, cst.Name) and depth < 3 and (bound := self.resolver.bound_value(expr)) is not None \
                and isinstance(bound, (cst.Tuple, cst.List)):
            yield from self.class_expressions(bound, depth + 1)
        else:
            yield expr

    def clause_coverage(self, handler: cst.ExceptHandler, family: str) -> FrozenSet[Code]:
        covered: FrozenSet[Code] = EMPTY
        for names in self.caught_classes(handler):
            for name in names:
                covered |= knowledge.exception_coverage(family, name)
        return covered

    def catches_retry_error(self, handler: cst.ExceptHandler) -> bool:
        return any(knowledge.catches_retry_error(name) for names in self.caught_classes(handler) for name in names)

    def coverage(self, node: cst.CSTNode, family: str, raised: FrozenSet[Code]) -> Coverage:
        """Follow `raised` out through every enclosing `try` of `node` in its function."""
        remaining = raised
        clauses: List[ClauseResult] = []
        for try_node in self.enclosing_tries(node):
            remaining, results = self.try_outcome(try_node, family, remaining)
            clauses.extend(results)
        return Coverage(remaining, clauses)

    def try_outcome(self, try_node: cst.Try, family: str, raised: FrozenSet[Code]) -> Tuple[FrozenSet[Code], List[ClauseResult]]:
        """What leaves `try_node` of `raised`: the uncaught codes plus what its handlers re-raise."""
        uncaught = raised
        escaping: FrozenSet[Code] = EMPTY
        results = []
        for handler in try_node.handlers:
            caught = self.clause_coverage(handler, family) & uncaught
            uncaught -= caught
            outcome = self.handler_outcome(handler, family, caught)
            escaping |= outcome.reraised
            results.append(ClauseResult(handler, caught, outcome))
        return uncaught | escaping, results

    # --- inside a handler -----------------------------------------------------------------------

    def handler_outcome(self, handler: cst.ExceptHandler, family: str, caught: FrozenSet[Code]) -> Outcome:
        exception_names = set()
        if handler.name is not None and isinstance(handler.name.name, cst.Name):
            exception_names.add(handler.name.name.value)
        walker = _BodyWalker(self, family, exception_names, _status_aliases(handler.body, exception_names))
        return walker.block(handler.body, caught)


_TRY_NODES = (cst.Try,) + ((cst.TryStar,) if hasattr(cst, "TryStar") else ())


def _status_aliases(body: cst.BaseSuite, exception_names: set) -> FrozenSet[str]:
    """Locals bound to the exception's status code: `status = e.status_code`."""
    matcher = status_expression_matcher(exception_names)
    aliases = set()
    for statement in getattr(body, "body", ()):
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if (isinstance(small, cst.Assign) and len(small.targets) == 1
                        and isinstance(small.targets[0].target, cst.Name) and matcher(small.value)):
                    aliases.add(small.targets[0].target.value)
    return frozenset(aliases)


class _BodyWalker:
    """Follows a set of codes through the statements of a handler body."""

    def __init__(self, analysis: HandlerAnalysis, family: str, exception_names: set, aliases: FrozenSet[str]):
        self.analysis = analysis
        self.family = family
        self.exception_names = exception_names
        self.is_status = status_expression_matcher(exception_names, aliases)

    def block(self, body, codes: FrozenSet[Code]) -> Outcome:
        statements = body.body if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)) else body
        return self.statements(statements, codes)

    def statements(self, statements: Sequence[cst.CSTNode], codes: FrozenSet[Code]) -> Outcome:
        outcome = Outcome()
        for statement in statements:
            if not codes:
                break
            step = self.statement(statement, codes)
            codes = step.fell_through
            step.fell_through = EMPTY
            outcome = outcome.merge(step)
        outcome.fell_through = codes
        return outcome

    def statement(self, statement: cst.CSTNode, codes: FrozenSet[Code]) -> Outcome:
        if isinstance(statement, cst.SimpleStatementLine):
            return self.statements(statement.body, codes)
        if isinstance(statement, cst.Raise):
            if statement.exc is None or self._is_exception(statement.exc):
                return Outcome(reraised=codes)
            return Outcome(converted=codes)
        if isinstance(statement, cst.Return):
            return Outcome(returned=codes)
        if isinstance(statement, cst.Continue):
            return Outcome(continued=codes)
        if isinstance(statement, cst.Break):
            return Outcome(broke=codes)
        if isinstance(statement, cst.If):
            return self._if(statement, codes)
        if isinstance(statement, LOOP_NODES):
            inner = self.block(statement.body, codes)
            # break/continue inside a nested loop stay in that loop; it may also run zero times.
            return Outcome(reraised=inner.reraised, converted=inner.converted, returned=inner.returned,
                           fell_through=codes)
        if isinstance(statement, (cst.With,)):
            return self.block(statement.body, codes)
        if isinstance(statement, _TRY_NODES):
            outcome = self.block(statement.body, codes)
            for handler in statement.handlers:
                outcome = outcome.merge(self.block(handler.body, codes))
            return outcome
        return Outcome(fell_through=codes)

    def _is_exception(self, expr: cst.BaseExpression) -> bool:
        return isinstance(expr, cst.Name) and expr.value in self.exception_names

    def _if(self, statement: cst.If, codes: FrozenSet[Code]) -> Outcome:
        true, false = self.split(statement.test, codes) or (codes, codes)
        outcome = self.block(statement.body, true)
        if isinstance(statement.orelse, cst.If):
            return outcome.merge(self._if(statement.orelse, false))
        if isinstance(statement.orelse, cst.Else):
            return outcome.merge(self.block(statement.orelse.body, false))
        return outcome.merge(Outcome(fell_through=false))

    def split(self, test: cst.BaseExpression, codes: FrozenSet[Code]) -> Optional[Tuple[FrozenSet[Code], FrozenSet[Code]]]:
        """(codes for which `test` holds, codes for which it does not), when `test` tells them apart."""
        found = split_codes(test, codes, self.is_status)
        if found is not None:
            return found
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            inner = self.split(test.expression, codes)
            return None if inner is None else (inner[1], inner[0])
        if (isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and test.func.value == "isinstance"
                and len(test.args) == 2 and self._is_exception(test.args[0].value)):
            covered: FrozenSet[Code] = EMPTY
            for expr in self.analysis.class_expressions(test.args[1].value):
                for name in self.analysis.resolver.qualified_names(expr):
                    covered |= knowledge.exception_coverage(self.family, name)
            return codes & covered, codes - covered
        return None

