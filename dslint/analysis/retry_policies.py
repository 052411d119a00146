"""What a retry-library construct does: which errors it retries, how it waits, whether it stops.

`retry_policy` recognises a decorator or loop of tenacity, backoff, stamina, retry or retrying (and
the project's own wrappers named in config) by the qualified name of its callee, and reads its
arguments, following names bound to module constants, into a `RetryPolicy`. What each library
argument and default means is data in `dslint.knowledge` ("Retry libraries").
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Dict, FrozenSet, Iterable, Mapping, Optional, Sequence, Tuple, Union

import libcst as cst

from dslint.analysis.resolver import NOT_A_LITERAL, Resolver, literal_value, string_value
from dslint.analysis.status_tests import split_codes, status_expression_matcher
from dslint.knowledge import (
    ALL_STATUSES,
    EVERYTHING,
    RETRY_CONSTRUCTS,
    RETRY_DEFAULT_EXCEPTION,
    RETRY_ERROR_WRAPPING,
    RETRY_PARAMETER_DEFAULTS,
    RETRY_PREDICATES,
    RETRYING_STOP_METHODS,
    RETRYING_STOP_PARAMETERS,
    RETRYING_WAIT_METHODS,
    RETRYING_WAIT_PARAMETERS,
    STOP_CONDITIONS,
    TRANSPORT,
    WAIT_STRATEGIES,
    Code,
    RetryConstruct,
    exception_coverage,
)


@dataclass(frozen=True)
class WaitInfo:
    # "absent" (no wait configured), "none" (an explicit zero wait), "constant", "random" (bounded,
    # does not grow), "linear", "exponential", "server" (Retry-After driven) or "unknown".
    kind: str
    jitter: bool
    node: Optional[cst.CSTNode]  # the wait argument; None when absent or implied by defaults


@dataclass(frozen=True)
class RetryPolicy:
    """What one retry construct retries, how it waits, and whether it stops.

    The retried codes are the codes of `retried_classes` minus those of `excluded_classes`, minus
    `giveup_codes` (among errors of `giveup_classes` when there are any), kept only if in
    `only_codes` (when not None).
    """

    library: str  # "tenacity" | "backoff" | "stamina" | "retry" | "retrying" | "config"
    node: cst.CSTNode  # the decorator expression or the loop call
    retried_classes: Tuple[str, ...]
    excluded_classes: Tuple[str, ...]
    retry_unknown: bool  # a predicate dslint cannot read decides what is retried
    giveup_codes: FrozenSet[Code]
    giveup_classes: Tuple[str, ...]
    only_codes: Optional[FrozenSet[Code]]
    wait: WaitInfo
    bounded: Optional[bool]  # None: cannot tell
    stop_node: Optional[cst.CSTNode]
    reraise: bool  # False: the last error is wrapped (tenacity.RetryError, retrying.RetryError)
    exceptions_node: Optional[cst.CSTNode]  # the argument naming the retried classes, if written

    @property
    def retry_error_class(self) -> Optional[str]:
        """The class the last error is wrapped in, when the construct does not re-raise it."""
        wrapping = RETRY_ERROR_WRAPPING.get(self.library)
        return None if self.reraise or wrapping is None else wrapping[2]

    def retried_codes(self, family: str) -> Optional[FrozenSet[Code]]:
        if self.retry_unknown:
            return None
        retried = _coverage(family, self.retried_classes) - _coverage(family, self.excluded_classes)
        given_up = self.giveup_codes
        if self.giveup_classes:
            given_up &= _coverage(family, self.giveup_classes)
        retried -= given_up
        return retried if self.only_codes is None else retried & self.only_codes


def _coverage(family: str, classes: Iterable[str]) -> FrozenSet[Code]:
    covered: FrozenSet[Code] = frozenset()
    for name in classes:
        covered |= exception_coverage(family, name)
    return covered


def retry_policy(decorator_or_call: Union[cst.Decorator, cst.BaseExpression], resolver: Resolver,
                 config_retry_decorators: Mapping[str, Sequence[str]] = MappingProxyType({})) -> Optional[RetryPolicy]:
    """The policy of a retry decorator (`@retry(...)`, `@backoff.on_exception(...)`, ...) or loop call
    (`Retrying(...)`, `stamina.retry_context(...)`, `retry_call(...)`); None for anything else.

    `config_retry_decorators` maps the qualified names of the project's own retry wrappers to the
    exception classes they retry.
    """
    node = decorator_or_call.decorator if isinstance(decorator_or_call, cst.Decorator) else decorator_or_call
    call = node if isinstance(node, cst.Call) else None
    for name in sorted(resolver.qualified_names(call.func if call is not None else node)):
        construct = RETRY_CONSTRUCTS.get(name)
        if construct is not None and (call is not None or construct.bare):
            arguments = _arguments(call, construct.positional) if call is not None else {}
            reader = _Reader(resolver)
            if arguments is None:
                return _opaque_policy(reader, construct.library, node)
            return _LIBRARY_READERS[construct.library](reader, node, arguments, construct)
        if name in config_retry_decorators:
            return _config_policy(node, config_retry_decorators[name])
    return None


# --- Sets of errors a predicate holds for ------------------------------------------------------


@dataclass(frozen=True)
class _Errors:
    """Instances of `classes` (None: any exception) that are not instances of `excluded`, with a
    code in `codes` (None: any code)."""

    classes: Optional[FrozenSet[str]] = None
    excluded: FrozenSet[str] = frozenset()
    codes: Optional[FrozenSet[Code]] = None

    @property
    def is_any(self) -> bool:
        return self.classes is None and not self.excluded and self.codes is None

    @property
    def is_none(self) -> bool:
        return self.classes == frozenset() or self.codes == frozenset()


ANY_ERROR = _Errors()
NO_ERROR = _Errors(classes=frozenset())


def _both(a: _Errors, b: _Errors) -> Optional[_Errors]:
    if a.is_none or b.is_none:
        return NO_ERROR
    if a.classes is not None and b.classes is not None and a.classes != b.classes:
        return None  # the intersection of two class sets depends on the SDK family
    codes = b.codes if a.codes is None else a.codes if b.codes is None else a.codes & b.codes
    return _Errors(a.classes if a.classes is not None else b.classes, a.excluded | b.excluded, codes)


def _either(a: _Errors, b: _Errors) -> Optional[_Errors]:
    if a.is_any or b.is_none:
        return a
    if b.is_any or a.is_none:
        return b
    if a.excluded or b.excluded:
        return None
    if a.codes is None and b.codes is None:  # two sets of classes (neither is any error)
        return _Errors(classes=a.classes | b.classes)  # type: ignore[operator]
    if a.classes is None and b.classes is None:  # two sets of codes
        return _Errors(codes=a.codes | b.codes)  # type: ignore[operator]
    return None


def _negation(a: _Errors) -> Optional[_Errors]:
    if a.is_any:
        return NO_ERROR
    if a.is_none:
        return ANY_ERROR
    if a.classes is not None and not a.excluded and a.codes is None:
        return _Errors(excluded=a.classes)
    if a.classes is None and a.excluded and a.codes is None:
        return _Errors(classes=a.excluded)
    if a.classes is None and not a.excluded and a.codes is not None:
        return _Errors(codes=EVERYTHING - a.codes)
    return None


def _fold(combine: Callable[[_Errors, _Errors], Optional[_Errors]],
          parts: Sequence[Optional[_Errors]]) -> Optional[_Errors]:
    result = parts[0] if parts else None
    for part in parts[1:]:
        if result is None or part is None:
            return None
        result = combine(result, part)
    return result


# --- Three-valued answers ("does it stop?") ---------------------------------------------------


def _any_of(answers: Iterable[Optional[bool]]) -> Optional[bool]:
    answers = list(answers)
    if True in answers:
        return True
    return False if all(a is False for a in answers) else None


def _all_of(answers: Iterable[Optional[bool]]) -> Optional[bool]:
    answers = list(answers)
    if False in answers:
        return False
    return True if all(a is True for a in answers) else None


# --- Waits ------------------------------------------------------------------------------------

# From slowest-growing to fastest; a sum of waits grows like its fastest part, and a
# server-directed part (Retry-After) decides over the rest.
_GROWTH = ("none", "constant", "random", "linear", "exponential", "server")
WaitKind = Tuple[str, bool]  # (kind, jitter)
UNKNOWN_WAIT: WaitKind = ("unknown", False)


def _added(parts: Sequence[WaitKind]) -> WaitKind:
    if not parts or any(kind not in _GROWTH for kind, _ in parts):
        return UNKNOWN_WAIT
    return max((kind for kind, _ in parts), key=_GROWTH.index), any(jitter for _, jitter in parts)


# --- Reading arguments ------------------------------------------------------------------------

Arguments = Dict[str, cst.BaseExpression]


def _arguments(call: cst.Call, positional: Tuple[str, ...]) -> Optional[Arguments]:
    """Argument expressions by parameter name; None when `*args`/`**kwargs` hide some."""
    arguments: Arguments = {}
    position = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            arguments[arg.keyword.value] = arg.value
        elif position < len(positional):
            arguments[positional[position]] = arg.value
            position += 1
        else:
            return None
    return arguments


class _Reader:
    """Reads argument expressions of one module: names, literals, exception classes, predicates."""

    # Deep enough for `A = B`, `B = (C, D)`; bounds a cycle through rebinding.
    MAX_INDIRECTIONS = 8

    def __init__(self, resolver: Resolver):
        self.resolver = resolver

    def value(self, expr: cst.BaseExpression) -> cst.BaseExpression:
        """`expr`, or what the names it is bound to stand for (`WAIT = wait_fixed(1)`)."""
        for _ in range(self.MAX_INDIRECTIONS):
            if not isinstance(expr, cst.Name):
                break
            bound = self.resolver.bound_value(expr)
            if bound is None:
                break
            expr = bound
        return expr

    def literal(self, expr: Optional[cst.BaseExpression], default: object = None) -> object:
        """The literal number/bool/None/string `expr` is or is bound to; `default` when absent."""
        if expr is None:
            return default
        value = self.value(expr)
        text = string_value(value) if isinstance(value, cst.SimpleString) else None
        return text if text is not None else literal_value(value)

    def known_name(self, expr: cst.BaseExpression, table: Mapping[str, object]) -> Optional[str]:
        """The qualified name in `table` that `expr`, or the callee of the call `expr`, refers to."""
        target = expr.func if isinstance(expr, cst.Call) else expr
        return next((name for name in sorted(self.resolver.qualified_names(target)) if name in table), None)

    def exception_classes(self, expr: cst.BaseExpression) -> Optional[FrozenSet[str]]:
        """Qualified names of `X`, `(X, Y)`, `[X, Y]` or a constant bound to them; None if unreadable."""
        value = self.value(expr)
        if isinstance(value, (cst.Tuple, cst.List)):
            names: FrozenSet[str] = frozenset()
            for element in value.elements:
                inner = None if isinstance(element, cst.StarredElement) else self.exception_classes(element.value)
                if inner is None:
                    return None
                names |= inner
            return names
        if isinstance(value, (cst.Name, cst.Attribute)):
            return self.resolver.qualified_names(value) or None
        return None

    def classes_or_predicate(self, expr: cst.BaseExpression) -> Optional[_Errors]:
        """An argument that is either exception classes or a function of the exception
        (stamina's `on=`, retrying's `retry_on_exception=`)."""
        if self._function(expr) is not None:
            return self.predicate(expr)
        classes = self.exception_classes(expr)
        if classes is None or not all(_looks_like_class(name) for name in classes):
            return None
        return _Errors(classes=classes)

    def predicate(self, expr: cst.BaseExpression) -> Optional[_Errors]:
        """The errors a function of the exception (a lambda, or a def returning one expression)
        is true for; None when it cannot be read."""
        function = self._function(expr)
        if function is None:
            return None
        parameters, body = function
        if not parameters or body is None:
            return None
        return self._test(body, parameters[0].name.value)

    def _function(self, expr: cst.BaseExpression) -> Optional[Tuple[Sequence[cst.Param], Optional[cst.BaseExpression]]]:
        value = self.value(expr)
        if isinstance(value, cst.Lambda):
            return value.params.params, value.body
        definition = self.resolver.function_def(value) if isinstance(value, cst.Name) else None
        if definition is None:
            return None
        return definition.params.params, _single_return(definition)

    def _test(self, test: cst.BaseExpression, parameter: str) -> Optional[_Errors]:
        if isinstance(test, cst.BooleanOperation):
            combine = _both if isinstance(test.operator, cst.And) else _either
            return _fold(combine, [self._test(test.left, parameter), self._test(test.right, parameter)])
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            inner = self._test(test.expression, parameter)
            return None if inner is None else _negation(inner)
        constant = literal_value(test)
        if isinstance(constant, bool):
            return ANY_ERROR if constant else NO_ERROR
        if isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and _is_name(_first(test, 0), parameter):
            second = _first(test, 1)
            if test.func.value == "isinstance" and second is not None:
                classes = self.exception_classes(second)
                return None if classes is None else _Errors(classes=classes)
            if test.func.value == "hasattr" and second is not None and string_value(second) in _STATUS_CARRIERS:
                return _Errors(codes=ALL_STATUSES)
            return None
        if isinstance(test, cst.Comparison):
            return self._comparison(test, parameter)
        return None

    def _comparison(self, test: cst.Comparison, parameter: str) -> Optional[_Errors]:
        is_status = status_expression_matcher([parameter])
        if len(test.comparisons) == 1 and isinstance(test.comparisons[0].operator, (cst.Is, cst.IsNot)):
            # `e.response is not None`: only errors with an HTTP status have a response.
            target = test.comparisons[0]
            if literal_value(target.comparator) is None and (
                    is_status(test.left) or _reads_response(test.left, parameter)):
                return _Errors(codes=ALL_STATUSES if isinstance(target.operator, cst.IsNot) else TRANSPORT)
            return None
        inlined = test.with_changes(comparisons=[
            target.with_changes(comparator=self.value(target.comparator)) for target in test.comparisons])
        split = split_codes(inlined, EVERYTHING, is_status)
        return None if split is None else _Errors(codes=split[0])


_STATUS_CARRIERS = frozenset({"status_code", "http_status", "response"})


def _first(call: cst.Call, index: int) -> Optional[cst.BaseExpression]:
    return call.args[index].value if len(call.args) > index and call.args[index].keyword is None else None


def _is_name(expr: Optional[cst.BaseExpression], name: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value == name


def _reads_response(expr: cst.BaseExpression, parameter: str) -> bool:
    return isinstance(expr, cst.Attribute) and expr.attr.value == "response" and _is_name(expr.value, parameter)


def _looks_like_class(qualified_name: str) -> bool:
    # A function passed where a class may stand (`on=is_retryable` imported from elsewhere) must not
    # be read as a class that covers nothing.
    return qualified_name.rsplit(".", 1)[-1][:1].isupper()


def _single_return(definition: cst.FunctionDef) -> Optional[cst.BaseExpression]:
    """The expression of a def whose body (after a docstring) is one `return <expr>`."""
    body = definition.body
    lines = body.body if isinstance(body, cst.IndentedBlock) else [body]
    statements = []
    for line in lines:
        if not isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            return None
        statements.extend(line.body)
    if statements and isinstance(statements[0], cst.Expr) and isinstance(statements[0].value, cst.SimpleString):
        statements = statements[1:]
    if len(statements) == 1 and isinstance(statements[0], cst.Return):
        return statements[0].value
    return None


# --- Building a policy ------------------------------------------------------------------------


def _policy(library: str, node: cst.CSTNode, retried: Optional[_Errors], *, wait: WaitInfo,
            bounded: Optional[bool], stop_node: Optional[cst.CSTNode], reraise: bool,
            exceptions_node: Optional[cst.CSTNode], giveup: Optional[_Errors] = NO_ERROR) -> RetryPolicy:
    """A policy retrying `retried` except `giveup`; either None means a predicate dslint cannot read."""
    unknown = retried is None or giveup is None or bool(giveup.excluded)
    if retried is None or unknown or retried.is_none:
        retried = NO_ERROR
    if giveup is None or unknown:
        giveup = NO_ERROR
    retried_classes = retried.classes if retried.classes is not None else frozenset({RETRY_DEFAULT_EXCEPTION})
    excluded = retried.excluded
    giveup_classes: FrozenSet[str] = frozenset()
    if giveup.classes is not None and giveup.codes is None:
        excluded |= giveup.classes  # a giveup on whole classes is simply not retrying them
        giveup_codes: FrozenSet[Code] = frozenset()
    else:
        giveup_classes = giveup.classes or frozenset()
        giveup_codes = EVERYTHING if giveup.codes is None else giveup.codes
    return RetryPolicy(
        library=library,
        node=node,
        retried_classes=tuple(sorted(retried_classes)),
        excluded_classes=tuple(sorted(excluded)),
        retry_unknown=unknown,
        giveup_codes=giveup_codes,
        giveup_classes=tuple(sorted(giveup_classes)),
        only_codes=retried.codes,
        wait=wait,
        bounded=bounded,
        stop_node=stop_node,
        reraise=reraise,
        exceptions_node=exceptions_node,
    )


def _opaque_policy(reader: _Reader, library: str, node: cst.CSTNode) -> RetryPolicy:
    """`@retry(**options)`: the construct retries, but its arguments cannot be seen."""
    return _policy(library, node, None, wait=WaitInfo("unknown", False, None), bounded=None, stop_node=None,
                   reraise=_reraises(reader, library, {}), exceptions_node=None)


def _config_policy(node: cst.CSTNode, classes: Sequence[str]) -> RetryPolicy:
    # The project's own wrapper: configured as retrying these classes, bounded and with backoff.
    return _policy("config", node, _Errors(classes=frozenset(classes)), wait=WaitInfo("exponential", True, None),
                   bounded=True, stop_node=None, reraise=True, exceptions_node=None)


def _reraises(reader: _Reader, library: str, arguments: Arguments) -> bool:
    """Does the original error propagate after the last attempt (rather than a wrapper)?"""
    if library not in RETRY_ERROR_WRAPPING:
        return True
    parameter, wrapping_value, _ = RETRY_ERROR_WRAPPING[library]
    default = RETRY_PARAMETER_DEFAULTS[library][parameter]
    value = reader.literal(arguments.get(parameter), default)
    return (default if value is NOT_A_LITERAL else value) != wrapping_value


def _bounds(reader: _Reader, expr: Optional[cst.BaseExpression], default: object = None) -> Optional[bool]:
    """Does a cap argument (`max_tries=`, `attempts=`, `timeout=`) set a bound? None stands for no cap."""
    value = reader.literal(expr, default)
    if value is NOT_A_LITERAL:
        return None
    return value is not None


def _present(arguments: Arguments, names: Iterable[str]) -> Optional[cst.BaseExpression]:
    return next((arguments[name] for name in names if name in arguments), None)


# --- tenacity ---------------------------------------------------------------------------------


def _tenacity(reader: _Reader, node: cst.CSTNode, arguments: Arguments, construct: RetryConstruct) -> RetryPolicy:
    retry = arguments.get("retry")
    wait = arguments.get("wait")
    stop = arguments.get("stop")
    return _policy(
        "tenacity", node,
        ANY_ERROR if retry is None else _tenacity_retried(reader, retry),
        wait=WaitInfo("absent", False, None) if wait is None else WaitInfo(*_tenacity_wait(reader, wait), wait),
        bounded=False if stop is None else _tenacity_stops(reader, stop),
        stop_node=stop,
        reraise=_reraises(reader, "tenacity", arguments),
        exceptions_node=_tenacity_exceptions_node(reader, retry),
    )


def _operands(expr: cst.BaseExpression, operator: type) -> Optional[Sequence[cst.BaseExpression]]:
    """The operands of `a | b | c` for `operator` BitOr (flattened), else None."""
    if not (isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, operator)):
        return None
    return [*(_operands(expr.left, operator) or [expr.left]), *(_operands(expr.right, operator) or [expr.right])]


def _call_arguments(expr: cst.BaseExpression) -> Sequence[cst.BaseExpression]:
    return [arg.value for arg in expr.args] if isinstance(expr, cst.Call) else []


def _tenacity_retried(reader: _Reader, expr: cst.BaseExpression) -> Optional[_Errors]:
    value = reader.value(expr)
    for operator, combine in ((cst.BitOr, _either), (cst.BitAnd, _both)):
        operands = _operands(value, operator)
        if operands is not None:
            return _fold(combine, [_tenacity_retried(reader, operand) for operand in operands])
    name = reader.known_name(value, RETRY_PREDICATES)
    if name is None:
        return None
    shape = RETRY_PREDICATES[name]
    parts = _call_arguments(value)
    if shape in ("exception-type", "not-exception-type"):
        classes = reader.exception_classes(parts[0]) if parts else frozenset({RETRY_DEFAULT_EXCEPTION})
        if classes is None:
            return None
        return _Errors(classes=classes) if shape == "exception-type" else _Errors(excluded=classes)
    if shape == "predicate":
        return reader.predicate(parts[0]) if parts else None
    if shape in ("any", "all"):
        return _fold(_either if shape == "any" else _both, [_tenacity_retried(reader, part) for part in parts])
    return {"always": ANY_ERROR, "never": NO_ERROR, "result": NO_ERROR}.get(shape)


def _tenacity_exceptions_node(reader: _Reader, retry: Optional[cst.BaseExpression]) -> Optional[cst.BaseExpression]:
    # Only `retry=retry_if_exception_type(<classes>)` written in place names its classes in one expression.
    if not isinstance(retry, cst.Call) or not retry.args:
        return None
    name = reader.known_name(retry, RETRY_PREDICATES)
    return retry.args[0].value if name is not None and RETRY_PREDICATES[name] == "exception-type" else None


def _tenacity_wait(reader: _Reader, expr: cst.BaseExpression) -> WaitKind:
    value = reader.value(expr)
    if reader.literal(value) in (None, 0):  # tenacity reads `wait=None` and `wait=0` as no wait
        return "none", False
    operands = _operands(value, cst.Add)
    if operands is not None:
        return _added([_tenacity_wait(reader, operand) for operand in operands])
    name = reader.known_name(value, WAIT_STRATEGIES)
    if name is None or not isinstance(value, cst.Call):
        return UNKNOWN_WAIT
    kind, jitter = WAIT_STRATEGIES[name]
    if kind == "sum":
        return _added([_tenacity_wait(reader, part) for part in _call_arguments(value)])
    if kind == "chain":
        return _chained(reader, _call_arguments(value))
    return kind, jitter


def _chained(reader: _Reader, parts: Sequence[cst.BaseExpression]) -> WaitKind:
    kind, jitter = _added([_tenacity_wait(reader, part) for part in parts])
    texts = {reader.resolver.module.code_for_node(reader.value(part)) for part in parts}
    if kind in ("none", "constant", "random") and len(texts) > 1:
        # A schedule of different fixed waits (1 s, then 2 s, then 5 s) steps up: it grows.
        return "linear", jitter
    return kind, jitter


def _tenacity_stops(reader: _Reader, expr: cst.BaseExpression) -> Optional[bool]:
    value = reader.value(expr)
    for operator, combine in ((cst.BitOr, _any_of), (cst.BitAnd, _all_of)):
        operands = _operands(value, operator)
        if operands is not None:
            return combine(_tenacity_stops(reader, operand) for operand in operands)
    name = reader.known_name(value, STOP_CONDITIONS)
    meaning = STOP_CONDITIONS[name] if name is not None else "unknown"
    if meaning in ("any", "all"):
        combine = _any_of if meaning == "any" else _all_of
        return combine(_tenacity_stops(reader, part) for part in _call_arguments(value))
    return {"bounded": True, "never": False}.get(meaning)


# --- backoff ----------------------------------------------------------------------------------


def _backoff(reader: _Reader, node: cst.CSTNode, arguments: Arguments, construct: RetryConstruct) -> RetryPolicy:
    defaults = RETRY_PARAMETER_DEFAULTS["backoff"]
    exception = arguments.get("exception")
    if not construct.retries_exceptions:
        retried: Optional[_Errors] = NO_ERROR
    else:
        classes = None if exception is None else reader.exception_classes(exception)
        retried = None if classes is None else _Errors(classes=classes)
    giveup = arguments.get("giveup")
    caps = ("max_tries", "max_time")
    return _policy(
        "backoff", node, retried,
        giveup=NO_ERROR if giveup is None else reader.predicate(giveup),
        wait=_backoff_wait(reader, arguments),
        bounded=_any_of(_bounds(reader, arguments.get(cap), defaults[cap]) for cap in caps),
        stop_node=_present(arguments, caps),
        reraise=True,
        exceptions_node=exception,
    )


def _backoff_wait(reader: _Reader, arguments: Arguments) -> WaitInfo:
    wait_gen = arguments.get("wait_gen")
    if wait_gen is None:
        return WaitInfo("unknown", False, None)
    name = reader.known_name(reader.value(wait_gen), WAIT_STRATEGIES)
    kind, _ = WAIT_STRATEGIES[name] if name is not None else UNKNOWN_WAIT
    # The default jitter (full_jitter) applies to every generator; only `jitter=None` turns it off.
    jitter = reader.literal(arguments.get("jitter"), RETRY_PARAMETER_DEFAULTS["backoff"]["jitter"]) is not None
    if kind == "constant" and jitter:
        kind = "random"
    return WaitInfo(kind, jitter, wait_gen)


# --- stamina ----------------------------------------------------------------------------------


def _stamina(reader: _Reader, node: cst.CSTNode, arguments: Arguments, construct: RetryConstruct) -> RetryPolicy:
    defaults = RETRY_PARAMETER_DEFAULTS["stamina"]
    on = arguments.get("on")
    retried = None if on is None else reader.classes_or_predicate(on)
    caps = ("attempts", "timeout")
    return _policy(
        "stamina", node, retried,
        wait=_stamina_wait(reader, arguments),
        bounded=_any_of(_bounds(reader, arguments.get(cap), defaults[cap]) for cap in caps),
        stop_node=_present(arguments, caps),
        reraise=True,
        exceptions_node=on if retried is not None and retried.classes is not None else None,
    )


def _stamina_wait(reader: _Reader, arguments: Arguments) -> WaitInfo:
    # wait = min(wait_max, wait_initial * wait_exp_base ** (n - 1) + uniform(0, wait_jitter))
    defaults = RETRY_PARAMETER_DEFAULTS["stamina"]
    base_node = arguments.get("wait_exp_base")
    base = reader.literal(base_node, defaults["wait_exp_base"])
    jitter_value = reader.literal(arguments.get("wait_jitter"), defaults["wait_jitter"])
    jitter = jitter_value != 0
    if not isinstance(base, (int, float)):
        return WaitInfo("unknown", jitter, base_node)
    if base > 1:
        return WaitInfo("exponential", jitter, base_node)
    return WaitInfo("random" if jitter else "constant", jitter, base_node)


# --- retry (the `retry` package) --------------------------------------------------------------


def _retry_package(reader: _Reader, node: cst.CSTNode, arguments: Arguments, construct: RetryConstruct) -> RetryPolicy:
    exceptions = arguments.get("exceptions")
    classes = frozenset({RETRY_DEFAULT_EXCEPTION}) if exceptions is None else reader.exception_classes(exceptions)
    tries_node = arguments.get("tries")
    tries = reader.literal(tries_node, RETRY_PARAMETER_DEFAULTS["retry"]["tries"])
    # `while tries:` counting down: a negative count never reaches zero.
    bounded = tries >= 0 if isinstance(tries, int) and not isinstance(tries, bool) else None
    return _policy(
        "retry", node, None if classes is None else _Errors(classes=classes),
        wait=_retry_package_wait(reader, arguments),
        bounded=bounded,
        stop_node=tries_node,
        reraise=True,
        exceptions_node=exceptions,
    )


def _retry_package_wait(reader: _Reader, arguments: Arguments) -> WaitInfo:
    # After each failure: sleep(delay); delay = delay * backoff + jitter (jitter: a number, or a
    # (min, max) range drawn from each time), capped at max_delay.
    defaults = RETRY_PARAMETER_DEFAULTS["retry"]
    node = _present(arguments, ("delay", "backoff", "jitter"))
    if node is None:
        return WaitInfo("absent", False, None)
    delay = reader.literal(arguments.get("delay"), defaults["delay"])
    factor = reader.literal(arguments.get("backoff"), defaults["backoff"])
    jitter_node = arguments.get("jitter")
    random_jitter = jitter_node is not None and isinstance(reader.value(jitter_node), cst.Tuple)
    added = "random" if random_jitter else reader.literal(jitter_node, defaults["jitter"])
    if not all(isinstance(v, (int, float)) for v in (delay, factor)) or added is NOT_A_LITERAL:
        return WaitInfo("unknown", random_jitter, node)
    if factor > 1 and (delay > 0 or added != 0):  # type: ignore[operator]
        kind = "exponential"
    elif added != 0:
        kind = "linear"  # the jitter accumulates into the delay on every attempt
    else:
        kind = "constant" if delay > 0 else "none"  # type: ignore[operator]
    return WaitInfo(kind, random_jitter, node)


# --- retrying ---------------------------------------------------------------------------------


def _retrying(reader: _Reader, node: cst.CSTNode, arguments: Arguments, construct: RetryConstruct) -> RetryPolicy:
    on_exception = arguments.get("retry_on_exception")
    retried = ANY_ERROR if on_exception is None else reader.classes_or_predicate(on_exception)
    bounded, stop_node = _retrying_stops(reader, arguments)
    return _policy(
        "retrying", node, retried,
        wait=_retrying_wait(reader, arguments),
        bounded=bounded,
        stop_node=stop_node,
        reraise=_reraises(reader, "retrying", arguments),
        exceptions_node=on_exception if retried is not None and retried.classes is not None else None,
    )


def _retrying_stops(reader: _Reader, arguments: Arguments) -> Tuple[Optional[bool], Optional[cst.BaseExpression]]:
    if "stop_func" in arguments:
        return None, arguments["stop_func"]
    if "stop" in arguments:
        return (reader.literal(arguments["stop"]) in RETRYING_STOP_METHODS or None), arguments["stop"]
    return (_any_of(_bounds(reader, arguments.get(cap)) for cap in RETRYING_STOP_PARAMETERS),
            _present(arguments, RETRYING_STOP_PARAMETERS))


def _retrying_wait(reader: _Reader, arguments: Arguments) -> WaitInfo:
    if "wait_func" in arguments:
        return WaitInfo("unknown", False, arguments["wait_func"])
    if "wait" in arguments:
        method = reader.literal(arguments["wait"])
        kind, jitter = RETRYING_WAIT_METHODS.get(method, UNKNOWN_WAIT) if isinstance(method, str) else UNKNOWN_WAIT
        return WaitInfo(kind, jitter, arguments["wait"])
    configured = [name for name in RETRYING_WAIT_PARAMETERS if reader.literal(arguments.get(name)) is not None]
    if not configured:
        return WaitInfo("absent", False, None)
    # retrying sleeps the longest of the configured waits, plus the jitter.
    kind, jitter = _added([RETRYING_WAIT_PARAMETERS[name] for name in configured])
    strongest = next(name for name in configured if RETRYING_WAIT_PARAMETERS[name][0] == kind)
    return WaitInfo(kind, jitter, arguments[strongest])


_LIBRARY_READERS: Dict[str, Callable[[_Reader, cst.CSTNode, Arguments, RetryConstruct], RetryPolicy]] = {
    "tenacity": _tenacity,
    "backoff": _backoff,
    "stamina": _stamina,
    "retry": _retry_package,
    "retrying": _retrying,
}
