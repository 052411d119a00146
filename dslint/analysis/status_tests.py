"""Evaluating tests on an exception's status code (`e.status_code in (401, 402)`) over sets of codes.

Used by handler analysis (`if e.status_code == 429: ... else: raise`) and by retry predicates
(`giveup=lambda e: e.status_code in (400, 401, 402, 422)`).
"""

from __future__ import annotations

import operator
from typing import Callable, FrozenSet, Iterable, Optional, Set, Tuple

import libcst as cst

from dslint.knowledge import Code

STATUS_ATTRIBUTES = frozenset({"status_code", "http_status", "status"})

StatusExprMatcher = Callable[[cst.BaseExpression], bool]
Split = Tuple[FrozenSet[Code], FrozenSet[Code]]


def status_expression_matcher(exception_names: Iterable[str], status_aliases: Iterable[str] = ()) -> StatusExprMatcher:
    """Matches expressions that read the status code of an exception bound to one of `exception_names`.

    Accepted: `e.status_code`, `e.http_status`, `e.response.status_code`, `e.response.status`,
    `getattr(e, "status_code", None)`, and names in `status_aliases` (locals bound to one of these).
    """
    exceptions = frozenset(exception_names)
    aliases = frozenset(status_aliases)

    def is_exception(expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Name):
            return expr.value in exceptions
        # `e.response.status_code`
        return (isinstance(expr, cst.Attribute) and expr.attr.value == "response"
                and isinstance(expr.value, cst.Name) and expr.value.value in exceptions)

    def matches(expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Name):
            return expr.value in aliases
        if isinstance(expr, cst.Attribute):
            return expr.attr.value in STATUS_ATTRIBUTES and is_exception(expr.value)
        if (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "getattr"
                and len(expr.args) >= 2 and is_exception(expr.args[0].value)):
            attr = expr.args[1].value
            return isinstance(attr, cst.SimpleString) and attr.evaluated_value in STATUS_ATTRIBUTES
        return False

    return matches


def int_literals(expr: cst.BaseExpression) -> Optional[FrozenSet[int]]:
    """The ints of `429`, `(401, 402)`, `[401, 402]`, `{401, 402}`, `range(400, 500)`; None otherwise."""
    if isinstance(expr, cst.Integer):
        return frozenset({int(expr.evaluated_value)})
    if isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
        values: Set[int] = set()
        for element in expr.elements:
            inner = int_literals(element.value)
            if inner is None or len(inner) != 1:
                return None
            values |= inner
        return frozenset(values)
    if (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "range"
            and 1 <= len(expr.args) <= 2):
        bounds = [int_literals(arg.value) for arg in expr.args]
        if all(b is not None and len(b) == 1 for b in bounds):
            numbers = [next(iter(b)) for b in bounds]  # type: ignore[arg-type]
            low, high = (0, numbers[0]) if len(numbers) == 1 else numbers
            return frozenset(range(low, high))
    return None


_COMPARE = {
    cst.Equal: operator.eq,
    cst.NotEqual: operator.ne,
    cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le,
    cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge,
}
_MIRROR = {operator.lt: operator.gt, operator.le: operator.ge, operator.gt: operator.lt,
           operator.ge: operator.le, operator.eq: operator.eq, operator.ne: operator.ne}


def _compare(left: cst.BaseExpression, op: cst.BaseCompOp, right: cst.BaseExpression,
             is_status: StatusExprMatcher) -> Optional[Callable[[int], bool]]:
    """A predicate over a status code for one comparison `left op right`, or None."""
    if isinstance(op, (cst.In, cst.NotIn)):
        if not is_status(left):
            return None
        values = int_literals(right)
        if values is None:
            return None
        if isinstance(op, cst.In):
            return lambda code: code in values
        return lambda code: code not in values
    compare = _COMPARE.get(type(op))
    if compare is None:
        return None
    if is_status(left) and (values := int_literals(right)) is not None and len(values) == 1:
        bound = next(iter(values))
        return lambda code: compare(code, bound)
    if is_status(right) and (values := int_literals(left)) is not None and len(values) == 1:
        bound = next(iter(values))
        mirrored = _MIRROR[compare]
        return lambda code: mirrored(code, bound)
    return None


def status_predicate(test: cst.BaseExpression, is_status: StatusExprMatcher) -> Optional[Callable[[int], bool]]:
    """A predicate over status codes equivalent to `test`, or None if `test` is not (only) a status test."""
    if isinstance(test, cst.Comparison):
        parts = []
        left = test.left
        for target in test.comparisons:
            part = _compare(left, target.operator, target.comparator, is_status)
            if part is None:
                return None
            parts.append(part)
            left = target.comparator
        return lambda code: all(p(code) for p in parts)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = status_predicate(test.expression, is_status)
        return None if inner is None else (lambda code: not inner(code))
    if isinstance(test, cst.BooleanOperation):
        left = status_predicate(test.left, is_status)
        right = status_predicate(test.right, is_status)
        if left is None or right is None:
            return None
        if isinstance(test.operator, cst.And):
            return lambda code: left(code) and right(code)
        return lambda code: left(code) or right(code)
    return None


def split_codes(test: cst.BaseExpression, codes: FrozenSet[Code], is_status: StatusExprMatcher) -> Optional[Split]:
    """Split `codes` into those for which `test` holds and those for which it does not.

    Codes without a status (connection errors, timeouts) have no `status_code`: they never satisfy
    a status test. Returns None when `test` is not a status test.
    """
    predicate = status_predicate(test, is_status)
    if predicate is None:
        return None
    true = frozenset(c for c in codes if isinstance(c, int) and predicate(c))
    return true, codes - true
