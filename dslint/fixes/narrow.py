"""DS201: retry only what can succeed later.

- tenacity, backoff, stamina and the `retry` package: the argument naming the retried classes
  (`retry_if_exception_type(...)`'s, backoff's exception, stamina's `on=`, retry's `exceptions`)
  becomes the family's retryable classes (`knowledge.FAMILY_RETRYABLE_CLASSES`); a tenacity
  construct with no `retry=` gets `retry=retry_if_exception_type((...))`.
- hand-written loops and recursive retries: the retrying handler re-raises the non-retryable
  codes first, `if getattr(e, "status_code", None) in (400, 401, 402, 403, 404, 422): raise`
  (`as e` is added to the clause when it has no name).
"""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from dslint import knowledge
from dslint.analysis.handlers import FUNCTION_NODES
from dslint.analysis.resolver import descendants, keyword_argument, positional_arguments
from dslint.findings import Edit, Fix, Position
from dslint.fixes import fix_builder
from dslint.fixes.edits import SourceEdits

NARROWED_LIBRARIES = ("tenacity", "backoff", "stamina", "retry")
# tenacity's parameters in order: a `retry` passed by position is the fourth.
_TENACITY_RETRY_POSITION = 3
# The attribute that carries the HTTP status, per exception family (openai 0.x: `http_status`).
STATUS_ATTRIBUTE = {"openai": "status_code", "openai-legacy": "http_status", "anthropic": "status_code",
                    "litellm": "status_code"}
EXCEPTION_NAMES = ("e", "exc", "error", "err", "api_error")


def retryable_classes(family: str) -> Optional[List[str]]:
    classes = knowledge.FAMILY_RETRYABLE_CLASSES.get(family)
    if not classes or not all(name.replace(".", "").replace("_", "").isalnum() for name in classes):
        return None  # the deepseek package has no class per status
    return list(classes)


def reraise_test(name: str, attribute: str) -> str:
    codes = ", ".join(str(code) for code in knowledge.sorted_codes(knowledge.NON_RETRYABLE))
    return f'if getattr({name}, "{attribute}", None) in ({codes}): raise'


@fix_builder
def narrow_retry_fix(context, construct, path, applicability: str) -> Optional[Fix]:
    families = {site.fact.family for site in construct.calls}
    if len(families) != 1:
        return None
    family = families.pop()
    if construct.kind in ("decorator", "iterator") and construct.policy is not None:
        return _narrow_library(context, construct.policy, family, applicability)
    if construct.kind in ("loop", "recursion") and isinstance(path.anchor, cst.ExceptHandler):
        return _reraise_first(context, path.anchor, family, applicability)
    return None


def _narrow_library(context, policy, family: str, applicability: str) -> Optional[Fix]:
    classes = retryable_classes(family)
    if classes is None or policy.library not in NARROWED_LIBRARIES:
        return None
    edits = SourceEdits.of(context)
    node = policy.node
    if isinstance(node, cst.Call) and any(arg.star for arg in node.args):
        return None
    target = policy.exceptions_node
    wanted = list(classes)
    if target is not None:
        shape = "classes"
    elif policy.library == "tenacity":
        # No class argument to narrow: the whole predicate becomes retry_if_exception_type(...).
        target = _tenacity_retry_argument(node)
        if target is None and not _can_add_tenacity_retry(node):
            return None
        if target is not None and _retries_results(context, target):
            return None  # `| retry_if_result(...)` retries return values too: keep that to the user
        shape = "predicate"
        wanted.append("tenacity.retry_if_exception_type")
    elif policy.library == "retry" and isinstance(node, cst.Call):
        shape = "exceptions"  # `@retry(tries=3)` retries every Exception: name the classes
    else:
        return None
    found = edits.access_many(wanted, target if target is not None else node)
    if found is None:
        return None
    names, import_edits = found
    classes_text = f"({', '.join(names[:len(classes)])})"
    if shape == "classes":
        change = edits.replace(target, classes_text)
    elif shape == "predicate":
        predicate = f"{names[-1]}({classes_text})"
        change = edits.replace(target, predicate) if target is not None else edits.add_argument(node, "retry", predicate)
    else:
        change = edits.add_argument(node, "exceptions", classes_text)
    shown = ", ".join(name.rsplit(".", 1)[-1] for name in classes)
    return Fix(applicability, f"Retry only {shown}", tuple(import_edits) + (change,))


def _tenacity_retry_argument(node: cst.CSTNode) -> Optional[cst.BaseExpression]:
    if not isinstance(node, cst.Call):
        return None
    keyword = keyword_argument(node, "retry")
    if keyword is not None:
        return keyword.value
    positional = positional_arguments(node)
    return positional[_TENACITY_RETRY_POSITION].value if len(positional) > _TENACITY_RETRY_POSITION else None


def _can_add_tenacity_retry(node: cst.CSTNode) -> bool:
    if not isinstance(node, cst.Call):
        return True  # a bare `@retry`
    return keyword_argument(node, "retry") is None and len(positional_arguments(node)) <= _TENACITY_RETRY_POSITION


def _retries_results(context, predicate: cst.BaseExpression) -> bool:
    """Does a tenacity predicate (or the constant it names) test return values?"""
    resolver = context.resolver
    expressions = [predicate]
    if isinstance(predicate, cst.Name):
        bound = resolver.bound_value(predicate)
        if bound is not None:
            expressions.append(bound)
    for expression in expressions:
        for found in descendants(expression, (cst.Name, cst.Attribute)):
            if any(knowledge.RETRY_PREDICATES.get(name) == "result" for name in resolver.qualified_names(found)):
                return True
    return False


def _reraise_first(context, handler: cst.ExceptHandler, family: str, applicability: str) -> Optional[Fix]:
    attribute = STATUS_ATTRIBUTE.get(family)
    if attribute is None:
        return None
    edits = SourceEdits.of(context)
    changes: List[Edit] = []
    if handler.name is not None:
        if not isinstance(handler.name.name, cst.Name):
            return None
        name = handler.name.name.value
    else:
        name = _unused_name(context, handler)
        if handler.type is None:  # a bare `except:` catches BaseException
            start = edits.start(handler)
            changes.append(edits.insert(Position(start.row, start.column + len("except")), f" BaseException as {name}"))
        else:
            changes.append(edits.insert(edits.end(handler.type), f" as {name}"))
    test = reraise_test(name, attribute)
    body = handler.body
    if isinstance(body, cst.IndentedBlock):
        edit = edits.insert_line_before(body.body[0], test)
    else:  # `except X: stmt` on one line: the statements move to a block of their own
        indent = edits.indentation(handler)
        if indent is None or not body.body:
            return None
        inner = edits.inner_indentation(indent)
        first = edits.start(body.body[0])
        colon_end = Position(first.row, first.column - len(body.leading_whitespace.value))
        edit = Edit(f"{edits.newline}{inner}{test}{edits.newline}{inner}", colon_end, first)
    if edit is None:
        return None
    codes = ", ".join(str(code) for code in knowledge.sorted_codes(knowledge.NON_RETRYABLE))
    return Fix(applicability, f"Re-raise {codes} before retrying", tuple(changes) + (edit,))


def _unused_name(context, handler: cst.ExceptHandler) -> str:
    """A name for the exception that nothing in the enclosing function (or module) uses: the
    clause unbinds it when it ends."""
    resolver = context.resolver
    scope_root: cst.CSTNode = resolver.module
    current = resolver.parent(handler)
    while current is not None:
        if isinstance(current, FUNCTION_NODES):
            scope_root = current
            break
        current = resolver.parent(current)
    used = {node.value for node in descendants(scope_root, cst.Name)}
    return next((name for name in EXCEPTION_NAMES if name not in used), "_dslint_error")
