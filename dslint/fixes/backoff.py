"""DS301/DS302: wait between attempts, exponentially, with jitter, capped.

- tenacity: `wait=wait_random_exponential(min=1, max=60)` is added, or replaces the wait.
- backoff: `backoff.constant` becomes `backoff.expo` (its `interval=` goes: expo has none).
- hand-written loops with an attempt counter (`for attempt in range(n)`, or `attempt += 1` in a
  `while` loop): a constant `time.sleep(c)` on the retry path becomes
  `time.sleep(min(60, 2 ** attempt) + random.random())`; a retrying handler with no sleep gets
  that sleep as its last statement (before a final `continue`), awaited with `asyncio.sleep` in
  a coroutine. Without a counter that grows there is nothing to grow the delay by: no fix.
"""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from dslint.analysis.handlers import FUNCTION_NODES
from dslint.analysis.resolver import descendants, keyword_argument, positional_arguments
from dslint.findings import Edit, Fix
from dslint.fixes import fix_builder
from dslint.fixes.edits import SourceEdits

TENACITY_WAIT = "wait_random_exponential(min=1, max=60)"
CAP_SECONDS = 60
# tenacity's parameters in order: a `wait` passed by position is the third.
_TENACITY_WAIT_POSITION = 2
# What backoff.on_exception keeps for itself; any other keyword goes to the wait generator.
_BACKOFF_OWN_KEYWORDS = frozenset({
    "max_tries", "max_time", "jitter", "giveup", "on_success", "on_backoff", "on_giveup", "raise_on_giveup",
    "logger", "backoff_log_level", "giveup_log_level"})
_CONSTANT_KEYWORDS = frozenset({"interval"})
_SLEEPS = frozenset({"time.sleep", "asyncio.sleep", "anyio.sleep", "trio.sleep"})


def loop_delay(counter: str, random_function: str) -> str:
    return f"min({CAP_SECONDS}, 2 ** {counter}) + {random_function}()"


@fix_builder
def backoff_fix(context, construct, path, applicability: str) -> Optional[Fix]:
    policy = construct.policy
    if construct.kind in ("decorator", "iterator") and policy is not None:
        if policy.library == "tenacity":
            return _tenacity_wait(context, policy, applicability)
        if policy.library == "backoff" and path.wait.kind in ("constant", "random"):
            return _backoff_expo(context, policy, path.wait.node, applicability)
        return None
    if construct.kind == "loop":
        return _loop_delay(context, construct.anchor, path, applicability)
    return None


def _tenacity_wait(context, policy, applicability: str) -> Optional[Fix]:
    edits = SourceEdits.of(context)
    wait = policy.wait.node
    if wait is None and isinstance(policy.node, cst.Call) and (
            keyword_argument(policy.node, "wait") is not None
            or len(positional_arguments(policy.node)) > _TENACITY_WAIT_POSITION
            or any(arg.star for arg in policy.node.args)):
        return None
    found = edits.access("tenacity.wait_random_exponential", wait if wait is not None else policy.node)
    if found is None:
        return None
    name, imports = found
    expression = f"{name}(min=1, max={CAP_SECONDS})"
    if wait is not None:
        change = edits.replace(wait, expression)
    else:
        change = edits.add_argument(policy.node, "wait", expression)
    return Fix(applicability, f"Wait {TENACITY_WAIT} between attempts", tuple(imports) + (change,))


def _backoff_expo(context, policy, wait_gen: Optional[cst.CSTNode], applicability: str) -> Optional[Fix]:
    call = policy.node
    if wait_gen is None or not isinstance(call, cst.Call) or not isinstance(wait_gen, (cst.Name, cst.Attribute)):
        return None
    if not any(arg.value is wait_gen for arg in call.args):
        return None  # the generator is bound elsewhere (`WAIT = backoff.constant`)
    generator_keywords = [arg for arg in call.args if arg.keyword is not None
                          and arg.keyword.value not in _BACKOFF_OWN_KEYWORDS]
    if any(arg.keyword.value not in _CONSTANT_KEYWORDS for arg in generator_keywords):
        return None
    edits = SourceEdits.of(context)
    found = edits.access("backoff.expo", wait_gen)
    if found is None:
        return None
    name, imports = found
    changes: List[Edit] = list(imports) + [edits.replace(wait_gen, name)]
    for arg in generator_keywords:
        changes.append(_removal(edits, call, call.args.index(arg)))
    return Fix(applicability, "Wait with backoff.expo (full jitter by default)", tuple(changes))


def _removal(edits: SourceEdits, call: cst.Call, index: int) -> Edit:
    """An edit that removes argument `index` of `call` and one separating comma: `f(a, x, b)` ->
    `f(a, b)`, `f(a, x)` -> `f(a)`, and a trailing comma stays trailing (`f(a,\n x,\n)` -> `f(a,\n)`)."""
    args = call.args
    arg = args[index]
    if index + 1 < len(args):
        return Edit("", edits.start(arg), edits.start(args[index + 1]))
    if index == 0:
        return Edit("", edits.start(arg), edits.end(arg.comma) if isinstance(arg.comma, cst.Comma) else edits.end(arg))
    previous = args[index - 1]
    if isinstance(arg.comma, cst.Comma) and isinstance(previous.comma, cst.Comma):
        return Edit("", edits.end(previous.comma), edits.end(arg.comma))
    return Edit("", edits.end(previous), edits.end(arg))


def _loop_delay(context, loop: cst.CSTNode, path, applicability: str) -> Optional[Fix]:
    counter = loop_counter(loop, context.resolver)
    if counter is None:
        return None
    edits = SourceEdits.of(context)
    wait = path.wait
    if wait.kind in ("constant", "random", "none"):
        sleep = wait.node
        if not isinstance(sleep, cst.Call) or not sleep.args or sleep.args[0].star \
                or not (context.resolver.qualified_names(sleep.func) & _SLEEPS):
            return None
        found = edits.access("random.random", sleep, prefer_module=True)
        if found is None:
            return None
        name, imports = found
        change = edits.replace(sleep.args[0].value, loop_delay(counter, name))
        return Fix(applicability, f"Sleep {loop_delay(counter, 'random.random')}", tuple(imports) + (change,))
    if wait.kind == "absent" and isinstance(path.anchor, cst.ExceptHandler):
        return _add_sleep(context, edits, path.anchor, counter, applicability)
    return None


def _add_sleep(context, edits: SourceEdits, handler: cst.ExceptHandler, counter: str,
               applicability: str) -> Optional[Fix]:
    body = handler.body
    if not isinstance(body, cst.IndentedBlock) or not body.body:
        return None
    last = body.body[-1]
    before_continue = _is_only(last, cst.Continue)
    if not before_continue and any(_is_only(last, kind) for kind in (cst.Return, cst.Raise, cst.Break)):
        return None
    is_async = _in_coroutine(handler, context.resolver)
    sleep_name = "asyncio.sleep" if is_async else "time.sleep"
    found = edits.access_many([sleep_name, "random.random"], handler, prefer_module=True)
    if found is None:
        return None
    (sleep, random_function), imports = found
    statement = f"{'await ' if is_async else ''}{sleep}({loop_delay(counter, random_function)})"
    edit = edits.insert_line_before(last, statement) if before_continue else edits.insert_line_after(last, statement)
    if edit is None:
        return None
    return Fix(applicability, f"Sleep {loop_delay(counter, 'random.random')} before the next attempt",
               tuple(imports) + (edit,))


def _is_only(statement: cst.CSTNode, kind: type) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], kind))


def _in_coroutine(node: cst.CSTNode, resolver) -> bool:
    current = resolver.parent(node)
    while current is not None and not isinstance(current, FUNCTION_NODES):
        current = resolver.parent(current)
    return isinstance(current, cst.FunctionDef) and current.asynchronous is not None


def loop_counter(loop: cst.CSTNode, resolver) -> Optional[str]:
    """The name of a counter that grows by one each attempt: `for attempt in range(n)` /
    `range(1, n)`, or a name the loop body advances with `+= 1` or `= name + 1`."""
    if isinstance(loop, cst.For):
        iterable = loop.iter
        if (isinstance(loop.target, cst.Name) and isinstance(iterable, cst.Call) and 1 <= len(iterable.args) <= 2
                and not any(arg.star or arg.keyword for arg in iterable.args)
                and "builtins.range" in resolver.qualified_names(iterable.func)):
            return loop.target.value
        return None
    if not isinstance(loop, cst.While):
        return None
    for node in descendants(loop.body, (cst.AugAssign, cst.Assign), skip=FUNCTION_NODES):
        if isinstance(node, cst.AugAssign):
            if isinstance(node.target, cst.Name) and isinstance(node.operator, cst.AddAssign) and _is_one(node.value):
                return node.target.value
        elif (len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name)
              and isinstance(node.value, cst.BinaryOperation) and isinstance(node.value.operator, cst.Add)):
            name = node.targets[0].target.value
            left, right = node.value.left, node.value.right
            if (isinstance(left, cst.Name) and left.value == name and _is_one(right)) or \
                    (isinstance(right, cst.Name) and right.value == name and _is_one(left)):
                return name
    return None


def _is_one(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Integer) and expr.evaluated_value == 1
