"""Raw HTTP requests to the DeepSeek/OpenAI API with requests, httpx or aiohttp (rule DS401).

Nothing in these libraries raises on a 4xx/5xx status by itself: a response is only safe to use
after `raise_for_status()` or a look at its status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, List, Optional

import libcst as cst

from dslint.analysis.handlers import FUNCTION_NODES
from dslint.analysis.resolver import (
    Resolver,
    assigned_value,
    descendants,
    keyword_argument,
    positional_arguments,
    string_value,
)
from dslint.knowledge import API_HOSTS, HTTP_METHODS, HTTP_MODULES, SESSION_CLASSES

# Reading any of these is a status check.
STATUS_CHECKS = frozenset({"raise_for_status", "status_code", "ok", "status", "is_success", "is_error",
                           "is_client_error", "is_server_error"})
# Reading any of these uses the body.
BODY_READS = frozenset({"json", "text", "content", "iter_lines", "iter_content", "iter_bytes", "iter_text",
                        "read", "aiter_lines", "aiter_bytes", "body"})


@dataclass
class UncheckedRequest:
    call: cst.Call
    url: str


def is_request_shaped(call: cst.Call) -> bool:
    """A cheap first look: `<something>.post(...)` and the other HTTP method names."""
    return isinstance(call.func, cst.Attribute) and call.func.attr.value in HTTP_METHODS


def unchecked_requests(calls: Iterable[cst.Call], resolver: Resolver) -> Iterator[UncheckedRequest]:
    """Of the request-shaped `calls`, those to the API whose response is used unchecked."""
    for call in calls:
        session = _session_of_request(call, resolver)
        if session is None:
            continue
        url = _api_url(call, session, resolver)
        if url is not None and _used_unchecked(call, resolver):
            yield UncheckedRequest(call, url)


def _session_of_request(call: cst.Call, resolver: Resolver) -> Optional[cst.BaseExpression]:
    """For a request call: the session/client construction (or the module) it goes through."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in HTTP_METHODS:
        return None
    names = resolver.qualified_names(func)
    if any(name in {f"{m}.{func.attr.value}" for m in HTTP_MODULES} for name in names):
        return func.value
    return _session_construction(func.value, resolver)


def _session_construction(expr: cst.BaseExpression, resolver: Resolver) -> Optional[cst.Call]:
    if isinstance(expr, cst.Call) and resolver.qualified_names(expr.func) & SESSION_CLASSES:
        return expr
    if isinstance(expr, cst.Name):
        for binding in resolver.assignments(expr):
            node = binding.node
            parent = resolver.parent(node)
            value = None
            if isinstance(parent, cst.AsName):
                item = resolver.parent(parent)
                value = item.item if isinstance(item, cst.WithItem) else None
            else:
                value = assigned_value(node, resolver)
            if isinstance(value, cst.Call) and resolver.qualified_names(value.func) & SESSION_CLASSES:
                return value
    return None


def _api_url(call: cst.Call, session: cst.BaseExpression, resolver: Resolver) -> Optional[str]:
    url_arg = keyword_argument(call, "url")
    if url_arg is None:
        positional = positional_arguments(call)
        index = 1 if isinstance(call.func, cst.Attribute) and call.func.attr.value in ("request", "stream") else 0
        url_arg = positional[index] if len(positional) > index else None
    texts: List[str] = []
    if url_arg is not None:
        texts.extend(_texts(url_arg.value, resolver))
    if isinstance(session, cst.Call):
        base = keyword_argument(session, "base_url")
        if base is not None:
            texts.extend(_texts(base.value, resolver))
    for text in texts:
        if any(host in text for host in API_HOSTS):
            return text
    return None


def _texts(expr: cst.BaseExpression, resolver: Resolver, depth: int = 0) -> Iterator[str]:
    """Literal text an URL expression is built from: literals, f-strings, `+`, names bound to them."""
    if depth > 4:
        return
    text = string_value(expr)
    if text is not None:
        yield text
    if isinstance(expr, cst.FormattedString):
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringExpression):
                yield from _texts(part.expression, resolver, depth + 1)
    elif isinstance(expr, cst.BinaryOperation):
        yield from _texts(expr.left, resolver, depth + 1)
        yield from _texts(expr.right, resolver, depth + 1)
    elif isinstance(expr, cst.Name):
        bound = resolver.bound_value(expr)
        if bound is not None:
            yield from _texts(bound, resolver, depth + 1)
        for binding in resolver.assignments(expr):
            if isinstance(binding.node, cst.Param) and binding.node.default is not None:
                yield from _texts(binding.node.default, resolver, depth + 1)


def _used_unchecked(call: cst.Call, resolver: Resolver) -> bool:
    """The response is read (body, iteration) and never checked, returned or handed on."""
    if keyword_argument(call, "raise_for_status") is not None:
        return False
    outer = call
    parent = resolver.parent(call)
    if isinstance(parent, cst.Await):
        outer, parent = parent, resolver.parent(parent)
    if isinstance(parent, cst.Attribute) and parent.value is outer:
        return parent.attr.value not in STATUS_CHECKS
    name = _bound_name(outer, resolver)
    if name is None:
        return False
    function = _enclosing_scope_root(outer, resolver)
    used = False
    for node in descendants(function, cst.Name):
        if node.value != name:
            continue
        use = resolver.parent(node)
        if isinstance(use, cst.Attribute) and use.value is node:
            if use.attr.value in STATUS_CHECKS:
                return False
            used = used or use.attr.value in BODY_READS
        elif isinstance(use, (cst.Arg, cst.Return, cst.Yield)):
            return False
        elif isinstance(use, (cst.Subscript, cst.For)):
            used = True
    return used


def _bound_name(expr: cst.CSTNode, resolver: Resolver) -> Optional[str]:
    parent = resolver.parent(expr)
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
        return parent.targets[0].target.value
    if isinstance(parent, cst.WithItem) and parent.asname is not None and isinstance(parent.asname.name, cst.Name):
        return parent.asname.name.value
    return None


def _enclosing_scope_root(node: cst.CSTNode, resolver: Resolver) -> cst.CSTNode:
    current = resolver.parent(node)
    while current is not None and not isinstance(current, FUNCTION_NODES):
        current = resolver.parent(current)
    return current if current is not None else resolver.module
