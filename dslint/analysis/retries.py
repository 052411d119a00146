"""Retry constructs around API calls (SPEC "Retry constructs").

Four shapes, one record: retry-library decorators (`@retry`, `@backoff.on_exception`, ...),
retry-library iterators (`for attempt in Retrying(...): with attempt:`), manual loops, and
recursion from a handler. Each construct says which codes it retries, how it waits and whether
it stops; the DS2xx/DS3xx rules only read these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional

import libcst as cst

from dslint.analysis.handlers import EMPTY, FUNCTION_NODES
from dslint.analysis.loops import enclosing_loop, retry_loop
from dslint.analysis.resolver import NOT_A_LITERAL, Resolver, descendants, dotted_name, literal_value
from dslint.analysis.retry_policies import RetryPolicy, WaitInfo, retry_policy
from dslint.knowledge import Code

SLEEP_FUNCTIONS = frozenset({"time.sleep", "asyncio.sleep", "anyio.sleep", "trio.sleep", "gevent.sleep"})
BLOCKING_SLEEP = "time.sleep"
RETRY_AFTER_HEADERS = ("retry-after", "retry-after-ms", "retry_after")


@dataclass
class RetryPath:
    """One way back to another attempt: a library's retry, or one retrying except clause."""

    anchor: cst.CSTNode                      # the decorator / Retrying(...) call, or the except clause
    codes: Optional[FrozenSet[Code]]         # what goes this way; None: a predicate dslint cannot read
    wait: WaitInfo
    sleeps: List[cst.Call] = field(default_factory=list)
    reads_retry_after: bool = False


@dataclass
class RetryConstruct:
    kind: str                                # "decorator" | "iterator" | "loop" | "recursion"
    anchor: cst.CSTNode                      # decorator, Retrying(...) call, loop, or retrying handler
    calls: list                              # the ApiCallSites it retries
    paths: List[RetryPath]
    bounded: Optional[bool]
    policy: Optional[RetryPolicy] = None

    @property
    def retried(self) -> Optional[FrozenSet[Code]]:
        if any(path.codes is None for path in self.paths):
            return None
        return _union(path.codes for path in self.paths)

    @property
    def is_async(self) -> bool:
        return any(site.recognized.is_async for site in self.calls)

    @property
    def family(self) -> str:
        return self.calls[0].fact.family


def find_retry_constructs(context) -> List[RetryConstruct]:
    finder = _Finder(context)
    return finder.decorated() + finder.iterators() + finder.loops() + finder.recursions()


class _Finder:
    def __init__(self, context):
        self.context = context
        self.resolver: Resolver = context.resolver
        self.decorators = context.settings.retry_decorator_map

    # --- library decorators and iterators -------------------------------------------------------

    def _around_calls(self, types, innermost: bool = False) -> List[cst.CSTNode]:
        """The nodes of `types` that enclose some API call, each once, outer ones first: a walk up
        from each call instead of over the whole module. `innermost`: only the nearest one."""
        found: Dict[cst.CSTNode, None] = {}
        for site in self.context.api_calls:
            around = []
            current = self.resolver.parent(site.node)
            while current is not None:
                if isinstance(current, types):
                    around.append(current)
                    if innermost:
                        break
                current = self.resolver.parent(current)
            found.update(dict.fromkeys(reversed(around)))
        return list(found)

    def decorated(self) -> List[RetryConstruct]:
        found = []
        for definition in self._around_calls(cst.FunctionDef, innermost=True):
            function_id = self.context.definition_id(definition)
            calls = [site for site in self.context.api_calls if site.fact.function == function_id]
            if not calls:
                continue
            for decorator in definition.decorators:
                policy = retry_policy(decorator.decorator, self.resolver, self.decorators)
                if policy is not None:
                    escaping = _union(site.fact.escaping for site in calls)
                    found.append(self._from_policy("decorator", decorator, policy, calls, escaping))
        return found

    def iterators(self) -> List[RetryConstruct]:
        found = []
        for loop in self._around_calls(cst.For):
            if not isinstance(loop.iter, cst.Call):
                continue
            policy = retry_policy(loop.iter, self.resolver, self.decorators)
            if policy is None:
                continue
            calls = [site for site in self.context.api_calls if self.resolver.is_within(site.node, loop.body)]
            if calls:
                escaping = _union(self._escaping_within(site, loop) for site in calls)
                found.append(self._from_policy("iterator", loop.iter, policy, calls, escaping))
        return found

    def _escaping_within(self, site, boundary: cst.CSTNode) -> FrozenSet[Code]:
        """What the handlers between the call and `boundary` let out of `site`."""
        remaining = site.fact.raised
        for try_node in self.context.handlers.enclosing_tries(site.node):
            if not self.resolver.is_within(try_node, boundary):
                break
            remaining, _ = self.context.handlers.try_outcome(try_node, site.fact.family, remaining)
        return remaining

    def _from_policy(self, kind: str, anchor: cst.CSTNode, policy: RetryPolicy, calls: list,
                     escaping: FrozenSet[Code]) -> RetryConstruct:
        retried = policy.retried_codes(calls[0].fact.family)
        path = RetryPath(anchor, None if retried is None else retried & escaping, policy.wait)
        return RetryConstruct(kind, anchor, calls, [path], policy.bounded, policy)

    # --- manual loops ---------------------------------------------------------------------------

    def loops(self) -> List[RetryConstruct]:
        by_loop: Dict[cst.CSTNode, RetryConstruct] = {}
        for site in self.context.api_calls:
            if self._in_library_iterator(site.node):
                continue
            found = retry_loop(site.node, site.coverage.clauses, self.resolver)
            if found is None:
                continue
            construct = by_loop.get(found.loop)
            if construct is None:
                paths = [self._loop_path(found.loop, handler, codes) for handler, codes in found.retried.items()]
                construct = RetryConstruct("loop", found.loop, [], paths,
                                           _loop_is_bounded(found.loop, self.resolver))
                by_loop[found.loop] = construct
            construct.calls.append(site)
        return list(by_loop.values())

    def _loop_path(self, loop: cst.CSTNode, handler: cst.ExceptHandler, codes: FrozenSet[Code]) -> RetryPath:
        sleeps = self._sleeps_on_retry_path(loop, handler)
        return RetryPath(handler, codes, self._wait_of(sleeps, loop), sleeps,
                         _reads_retry_after([handler] + sleeps))

    def _in_library_iterator(self, node: cst.CSTNode) -> bool:
        loop = enclosing_loop(node, self.resolver)
        return (isinstance(loop, cst.For) and isinstance(loop.iter, cst.Call)
                and retry_policy(loop.iter, self.resolver, self.decorators) is not None)

    def _sleeps_on_retry_path(self, loop: cst.CSTNode, handler: cst.ExceptHandler) -> List[cst.Call]:
        """Sleeps in the retrying handler and in the loop body outside the `try` statements."""
        places: List[cst.CSTNode] = [handler]
        for statement in loop.body.body:
            if not isinstance(statement, (cst.Try,) + _TRY_STAR):
                places.append(statement)
        return [call for place in places for call in descendants(place, cst.Call, skip=FUNCTION_NODES)
                if self._is_sleep(call)]

    def _is_sleep(self, call: cst.Call) -> bool:
        names = self.resolver.qualified_names(call.func)
        if names & SLEEP_FUNCTIONS:
            return True
        # Project helpers that wait: `self._backoff(attempt)`, `sleep_with_jitter(n)`.
        last = _last_name(call.func)
        return last is not None and any(word in last.lower() for word in ("sleep", "backoff", "wait"))

    def _wait_of(self, sleeps: List[cst.Call], loop: cst.CSTNode) -> WaitInfo:
        if not sleeps:
            return WaitInfo("absent", False, None)
        waits = [self._delay_kind(sleep, loop) for sleep in sleeps]
        # The strongest wait on the path decides: one growing delay is enough.
        order = ["none", "constant", "random", "unknown", "linear", "exponential", "server"]
        best = max(waits, key=lambda w: order.index(w.kind))
        return WaitInfo(best.kind, any(w.jitter for w in waits), best.node)

    def _delay_kind(self, sleep: cst.Call, loop: cst.CSTNode) -> WaitInfo:
        if not (self.resolver.qualified_names(sleep.func) & SLEEP_FUNCTIONS) or not sleep.args:
            return WaitInfo("unknown", False, sleep)
        delay = sleep.args[0].value
        if _reads_retry_after([delay]) or self._reads_names_bound_to_retry_after(delay):
            return WaitInfo("server", False, sleep)
        jitter = any(self._is_random_call(node) for node in descendants(delay, cst.Call))
        if self._is_constant(delay):
            return WaitInfo("none" if literal_value(delay) == 0 else "constant", False, sleep)
        if self._is_random_with_constant_bounds(delay):
            return WaitInfo("random", True, sleep)
        if _has_power(delay) or self._grows_by_multiplication(delay, loop):
            return WaitInfo("exponential", jitter, sleep)
        if _uses_loop_variable(delay, loop):
            return WaitInfo("linear", jitter, sleep)
        return WaitInfo("unknown", jitter, sleep)

    def _is_constant(self, expr: cst.BaseExpression) -> bool:
        if literal_value(expr) is not NOT_A_LITERAL:
            return True
        if isinstance(expr, cst.Name):
            bound = self.resolver.bound_value(expr)
            return bound is not None and literal_value(bound) is not NOT_A_LITERAL
        return False

    def _is_random_call(self, call: cst.Call) -> bool:
        return any(name.startswith(("random.", "secrets.", "numpy.random."))
                   for name in self.resolver.qualified_names(call.func))

    def _is_random_with_constant_bounds(self, expr: cst.BaseExpression) -> bool:
        return (isinstance(expr, cst.Call) and self._is_random_call(expr)
                and all(self._is_constant(arg.value) for arg in expr.args))

    def _grows_by_multiplication(self, delay: cst.BaseExpression, loop: cst.CSTNode) -> bool:
        """`time.sleep(delay)` where the loop does `delay *= 2` or `delay = delay * 2`."""
        names = {node.value for node in descendants(delay, cst.Name)}
        for node in descendants(loop.body, (cst.AugAssign, cst.Assign)):
            if isinstance(node, cst.AugAssign):
                if (isinstance(node.target, cst.Name) and node.target.value in names
                        and isinstance(node.operator, (cst.MultiplyAssign, cst.PowerAssign, cst.LeftShiftAssign))):
                    return True
            elif any(isinstance(t.target, cst.Name) and t.target.value in names for t in node.targets):
                if any(isinstance(op, cst.BinaryOperation) and isinstance(op.operator, (cst.Multiply, cst.Power))
                       for op in descendants(node.value, cst.BinaryOperation)):
                    return True
        return False

    def _reads_names_bound_to_retry_after(self, delay: cst.BaseExpression) -> bool:
        for name in descendants(delay, cst.Name):
            for binding in self.resolver.assignments(name):
                parent = self.resolver.parent(binding.node)
                statement = self.resolver.parent(parent) if isinstance(parent, cst.AssignTarget) else parent
                if statement is not None and _reads_retry_after([statement]):
                    return True
        return False

    # --- recursion ------------------------------------------------------------------------------

    def recursions(self) -> List[RetryConstruct]:
        found = []
        for site in self.context.api_calls:
            for clause in site.coverage.clauses:
                if not clause.keeps:
                    continue
                function_id = site.fact.function
                for call in descendants(clause.handler.body, cst.Call, skip=FUNCTION_NODES):
                    if self._calls_function(call, function_id):
                        sleeps = [c for c in descendants(clause.handler.body, cst.Call) if self._is_sleep(c)]
                        path = RetryPath(clause.handler, clause.keeps, self._wait_of(sleeps, clause.handler),
                                         sleeps, _reads_retry_after([clause.handler]))
                        # A recursion passing `retries - 1` or `attempt + 1` counts its attempts.
                        counted = any(isinstance(arg.value, cst.BinaryOperation) for arg in call.args)
                        found.append(RetryConstruct("recursion", clause.handler, [site], [path], counted))
                        break
        return found

    def _calls_function(self, call: cst.Call, function_id: str) -> bool:
        if isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name) \
                and call.func.value.value in ("self", "cls"):
            class_id = self.context.enclosing_class_id(call)
            return class_id is not None and f"{class_id}.{call.func.attr.value}" == function_id
        return function_id in self.resolver.qualified_names(call.func)


_TRY_STAR = (cst.TryStar,) if hasattr(cst, "TryStar") else ()


COUNTING_ITERATORS = frozenset({"itertools.count", "itertools.repeat", "itertools.cycle"})
CLOCKS = frozenset({"time.time", "time.monotonic", "time.perf_counter", "datetime.datetime.now",
                    "datetime.datetime.utcnow"})


def _loop_is_bounded(loop: cst.CSTNode, resolver: Resolver) -> bool:
    """A `for` over a finite iterable, or a `while` that tests an attempt counter or a deadline.

    The test may sit in the loop condition (`while attempt < 5`) or in an `if` on the retry path
    that leaves the loop (`if attempt >= 5: raise`); a flag alone (`while not done`) caps nothing.
    """
    if isinstance(loop, cst.For):
        return not (isinstance(loop.iter, cst.Call) and resolver.qualified_names(loop.iter.func) & COUNTING_ITERATORS)
    counters = _counters(loop)

    def caps(test: cst.BaseExpression) -> bool:
        for node in descendants(test, (cst.Name, cst.Attribute, cst.Call)):
            if isinstance(node, cst.Call) and resolver.qualified_names(node.func) & CLOCKS:
                return True
            if not isinstance(node, cst.Call) and dotted_name(node) in counters:
                return True
        return False

    if caps(loop.test):
        return True
    return any(caps(branch.test) and any(isinstance(n, (cst.Raise, cst.Break, cst.Return)) for n in descendants(branch.body))
               for branch in descendants(loop.body, cst.If, skip=FUNCTION_NODES))


def _counters(loop: cst.CSTNode) -> FrozenSet[str]:
    """Names the loop advances: `attempt += 1`, `retries -= 1`, `attempt = attempt + 1`."""
    names = set()
    for node in descendants(loop.body, (cst.AugAssign, cst.Assign), skip=FUNCTION_NODES):
        if isinstance(node, cst.AugAssign):
            names.add(dotted_name(node.target))
        elif isinstance(node.value, cst.BinaryOperation):
            used = {dotted_name(n) for n in descendants(node.value, (cst.Name, cst.Attribute))}
            names.update(dotted_name(t.target) for t in node.targets if dotted_name(t.target) in used)
    names.discard(None)
    return frozenset(names)


def _reads_retry_after(nodes) -> bool:
    for node in nodes:
        for found in descendants(node, cst.SimpleString):
            value = found.evaluated_value
            if isinstance(value, str) and value.lower() in RETRY_AFTER_HEADERS:
                return True
        for found in descendants(node, cst.Name):
            if "retry_after" in found.value.lower():
                return True
    return False


def _has_power(expr: cst.BaseExpression) -> bool:
    return any(isinstance(op.operator, (cst.Power, cst.LeftShift)) for op in descendants(expr, cst.BinaryOperation)) or \
        any(isinstance(c.func, cst.Name) and c.func.value == "pow" for c in descendants(expr, cst.Call))


def _uses_loop_variable(expr: cst.BaseExpression, loop: cst.CSTNode) -> bool:
    if not isinstance(loop, cst.For):
        return False
    targets = {node.value for node in descendants(loop.target, cst.Name)}
    return any(node.value in targets for node in descendants(expr, cst.Name))


def _last_name(func: cst.BaseExpression) -> Optional[str]:
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return None


def _union(sets) -> FrozenSet[Code]:
    result: FrozenSet[Code] = EMPTY
    for codes in sets:
        result |= codes
    return result
