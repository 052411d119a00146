"""What counts as an API call (SPEC "What counts as an API call").

A call is an API call when its receiver resolves to an SDK client (constructors, with_options
chains, `self.x = OpenAI()`, annotated parameters, factories) and the method is a resource method
of that client; when its callee is shaped like a distinctive resource method even though the
receiver cannot be resolved; or when it is the legacy module API or litellm with a DeepSeek model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import libcst as cst

from dslint import knowledge
from dslint.analysis.module_clients import ModuleClient
from dslint.analysis.resolver import (
    Resolver,
    assigned_value,
    assignment_statements,
    descendants,
    keyword_argument,
    literal_value,
    positional_arguments,
    string_value,
)
from dslint.knowledge import ClientKind

_MAX_DEPTH = 8
SDK_PACKAGES = frozenset(name.split(".", 1)[0] for name in knowledge.CLIENT_CONSTRUCTORS)
_OPENAI_MODULE_CLIENT = knowledge.ClientKind("openai", False, "openai", True)


@dataclass(frozen=True)
class ClientRef:
    """What an expression evaluates to: an SDK client, or one of its resource objects."""

    kind: ClientKind
    provider: Optional[str]              # from the construction, None when nothing tells
    max_retries: Optional[int] = None    # literal max_retries of the construction / with_options
    max_retries_node: Optional[cst.CSTNode] = None
    prefix: Tuple[str, ...] = ()         # resource path already taken: `client.chat` → ("chat",)


@dataclass(frozen=True)
class RecognizedCall:
    method: str
    family: str
    provider: str
    is_async: bool
    client: Optional[ClientRef]


class ApiCallRecognizer:
    def __init__(self, resolver: Resolver, default_provider: str, client_factories: Sequence[str] = (),
                 module_clients: Mapping[str, ModuleClient] = {}):
        self.resolver = resolver
        self.module_clients = module_clients
        self._attributes_by_class: Dict[cst.ClassDef, Dict[str, List[object]]] = {}
        self._clients: Dict[cst.CSTNode, Optional[ClientRef]] = {}
        self.default_provider = default_provider
        self.client_factories = frozenset(client_factories)
        self.module_provider = self._module_level_provider()

    # --- entry point ----------------------------------------------------------------------------

    def recognize(self, call: cst.Call) -> Optional[RecognizedCall]:
        qualified = self.resolver.qualified_names(call.func)
        found = self._module_api_call(call, qualified)
        if found is not None:
            return found
        if not isinstance(call.func, cst.Attribute):
            return None
        receivers = list(_receivers(call.func))
        # Resolve the receiver nearest the root first: `client.chat.completions.create` tries
        # `client` with path chat.completions.create before `client.chat` with completions.create.
        for receiver, path in reversed(receivers):
            client = self.client_of(receiver)
            if client is None:
                continue
            full_path = ".".join(client.prefix + path)
            if client.kind.family in knowledge.DEEPSEEK_ONLY_FAMILIES and client.provider != "deepseek":
                return None  # only DeepSeek's Anthropic-format endpoint is in scope
            if knowledge.resource_method(client.kind.resources, full_path):
                provider = client.provider or self.default_provider
                return RecognizedCall(full_path, client.kind.family, provider, client.kind.is_async, client)
            return None
        if self._built_by_another_sdk(receivers):
            return None
        return self._shaped_call(receivers)

    # --- the module API and litellm -----------------------------------------------------------

    def _module_api_call(self, call: cst.Call, qualified: frozenset) -> Optional[RecognizedCall]:
        for name in qualified:
            if name in knowledge.LEGACY_MODULE_CALLS:
                method = name[len("openai."):]
                provider = self.module_provider or self.default_provider
                return RecognizedCall(method, "openai-legacy", provider, method.endswith("acreate"), None)
            if name.startswith("openai.") and knowledge.resource_method("openai", _strip_wrappers(name[7:])):
                provider = self.module_provider or self.default_provider
                client = ClientRef(_OPENAI_MODULE_CLIENT, provider)
                return RecognizedCall(_strip_wrappers(name[7:]), "openai", provider, False, client)
            if name in knowledge.LITELLM_CALLS and self._names_deepseek_model(call):
                return RecognizedCall(name.split(".")[-1], "litellm", "deepseek", knowledge.LITELLM_CALLS[name], None)
        return None

    def _names_deepseek_model(self, call: cst.Call) -> bool:
        arg = keyword_argument(call, "model")
        if arg is None:
            positional = positional_arguments(call)
            arg = positional[0] if positional else None
        if arg is None:
            return False
        text = self._string_of(arg.value)
        return text is not None and text.startswith(knowledge.LITELLM_MODEL_PREFIX)

    def _built_by_another_sdk(self, receivers: List[Tuple[cst.BaseExpression, Tuple[str, ...]]]) -> bool:
        """The receiver is built by a class imported from a package that is not an SDK dslint knows.

        `self.client = Groq(...)` then `self.client.chat.completions.create(...)` is Groq's API.
        """
        for receiver, _ in reversed(receivers):
            if not isinstance(receiver, (cst.Name, cst.Attribute)):
                return False
            values = self.bound_values(receiver)
            if any(isinstance(value, cst.Call) and self._is_foreign_class(value.func) for value in values):
                return True
        return False

    def _is_foreign_class(self, func: cst.BaseExpression) -> bool:
        return any(name.split(".", 1)[0] not in SDK_PACKAGES and not name.startswith(self.resolver.module_name + ".")
                   for name in self.resolver.qualified_names(func))

    def _shaped_call(self, receivers: List[Tuple[cst.BaseExpression, Tuple[str, ...]]]) -> Optional[RecognizedCall]:
        """A distinctive resource path on a receiver dslint cannot resolve in this file."""
        for receiver, path in reversed(receivers):  # the longest path first
            dotted = ".".join(path)
            if dotted in knowledge.SHAPE_METHODS:
                return RecognizedCall(dotted, "openai", self.default_provider, False, None)
        return None

    # --- clients --------------------------------------------------------------------------------

    def client_of(self, expr: cst.BaseExpression, depth: int = 0) -> Optional[ClientRef]:
        """The client (or resource object) `expr` evaluates to, or None.

        Memoised per node: attributes assigned from one another (`self.a = self.b`) would otherwise
        be resolved again down every path. A node met again while being resolved is a cycle: None.
        """
        if depth > _MAX_DEPTH:
            return None
        if expr in self._clients:
            return self._clients[expr]
        self._clients[expr] = None
        found = self._resolve_client(expr, depth)
        self._clients[expr] = found
        return found

    def _resolve_client(self, expr: cst.BaseExpression, depth: int) -> Optional[ClientRef]:
        if isinstance(expr, cst.Await):
            return self.client_of(expr.expression, depth + 1)
        if isinstance(expr, cst.Call):
            return self._client_of_call(expr, depth)
        if isinstance(expr, cst.Attribute):
            imported = self._imported_client(expr)
            if imported is not None:
                return imported
            if expr.attr.value in knowledge.CLIENT_PASSTHROUGH_ATTRS:
                return self.client_of(expr.value, depth + 1)
            if _is_self(expr.value):
                return self._client_of_self_attribute(expr, depth)
            base = self.client_of(expr.value, depth + 1)
            if base is not None:
                return replace(base, prefix=base.prefix + (expr.attr.value,))
            return None
        if isinstance(expr, cst.Name):
            return self._client_of_name(expr, depth) or self._imported_client(expr)
        if isinstance(expr, cst.IfExp):
            return self.client_of(expr.body, depth + 1) or self.client_of(expr.orelse, depth + 1)
        if isinstance(expr, cst.BooleanOperation):
            return self.client_of(expr.left, depth + 1) or self.client_of(expr.right, depth + 1)
        return None

    def _imported_client(self, expr: cst.BaseExpression) -> Optional[ClientRef]:
        """A client built at module level in another linted file (`from app.clients import deepseek`)."""
        if not self.module_clients or not isinstance(expr, (cst.Name, cst.Attribute)):
            return None
        for name in sorted(self.resolver.qualified_names(expr)):
            found = self.module_clients.get(name)
            if found is not None:
                return ClientRef(knowledge.CLIENT_CONSTRUCTORS[found.constructor], found.provider, found.max_retries)
        return None

    def _client_of_call(self, call: cst.Call, depth: int) -> Optional[ClientRef]:
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in knowledge.CLIENT_PASSTHROUGH_METHODS:
            base = self.client_of(func.value, depth + 1)
            if base is None:
                return None
            retries = keyword_argument(call, "max_retries")
            if retries is not None:
                value = literal_value(retries.value)
                base = replace(base, max_retries=value if isinstance(value, int) else None,
                               max_retries_node=retries)
            return base
        for name in sorted(self.resolver.qualified_names(func)):
            kind = knowledge.CLIENT_CONSTRUCTORS.get(name)
            if kind is not None:
                return self._constructed(call, kind)
            if name in self.client_factories:
                return ClientRef(_OPENAI_MODULE_CLIENT, None)
        if isinstance(func, cst.Name):
            definition = self.resolver.function_def(func)
            if definition is not None:
                return self._client_returned_by(definition, depth)
        return None

    def _constructed(self, call: cst.Call, kind: ClientKind) -> ClientRef:
        provider = None
        for text in self._strings_in(call):
            provider = knowledge.provider_from_text(text)
            if provider:
                break
        retries = keyword_argument(call, "max_retries")
        max_retries = None
        if retries is not None:
            value = literal_value(retries.value)
            max_retries = value if isinstance(value, int) and not isinstance(value, bool) else None
        return ClientRef(kind, provider, max_retries, retries)

    def _client_returned_by(self, definition: cst.FunctionDef, depth: int) -> Optional[ClientRef]:
        annotated = self._client_of_annotation(definition.returns.annotation) if definition.returns else None
        if annotated is not None:
            return annotated
        for value in _returned_values(definition):
            client = self.client_of(value, depth + 1)
            if client is not None:
                return client
        return None

    def _client_of_name(self, name: cst.Name, depth: int) -> Optional[ClientRef]:
        if "openai" in self.resolver.qualified_names(name):
            return ClientRef(_OPENAI_MODULE_CLIENT, self.module_provider)
        return self._client_of_values(self.bound_values(name), depth)

    def _client_of_values(self, values: List[object], depth: int) -> Optional[ClientRef]:
        for value in values:
            client = (self._client_of_annotation(value.annotation) if isinstance(value, cst.Annotation)
                      else self.client_of(value, depth + 1))
            if client is not None:
                return client
        return None

    def bound_values(self, expr: cst.BaseExpression) -> List[object]:
        """What a name or `self.<attr>` may hold: assigned expressions, and `Annotation`s of
        annotated parameters and attributes."""
        if isinstance(expr, cst.Attribute) and _is_self(expr.value):
            class_def = self.enclosing_class(expr)
            return list(self._class_attributes(class_def).get(expr.attr.value, ())) if class_def else []
        if not isinstance(expr, cst.Name):
            return []
        values: List[object] = []
        for binding in self.resolver.assignments(expr):
            node = binding.node
            if isinstance(node, cst.Param):
                if node.annotation is not None:
                    values.append(node.annotation)
                continue
            value = assigned_value(node, self.resolver) or self._with_item_value(node)
            if value is not None:
                values.append(value)
        return values

    def _with_item_value(self, node: cst.CSTNode) -> Optional[cst.BaseExpression]:
        """`with OpenAI() as client:` binds the context manager's value."""
        parent = self.resolver.parent(node)
        if isinstance(parent, cst.AsName):
            item = self.resolver.parent(parent)
            if isinstance(item, cst.WithItem):
                return item.item
        return None

    def _client_of_annotation(self, annotation: cst.BaseExpression) -> Optional[ClientRef]:
        for candidate in _annotation_parts(annotation):
            for name in sorted(self.resolver.qualified_names(candidate)):
                kind = knowledge.CLIENT_CONSTRUCTORS.get(name)
                if kind is not None:
                    return ClientRef(kind, None)
        return None

    def _client_of_self_attribute(self, attribute: cst.Attribute, depth: int) -> Optional[ClientRef]:
        return self._client_of_values(self.bound_values(attribute), depth)

    def _class_attributes(self, class_def: cst.ClassDef) -> Dict[str, List[object]]:
        """Per attribute name, the values assigned to `self.<name>` or `<name>` in the class body."""
        found = self._attributes_by_class.get(class_def)
        if found is None:
            found = {}
            for node in assignment_statements(class_def.body):
                targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
                for target in targets:
                    name = _assigned_attribute(target)
                    if name is None:
                        continue
                    values = found.setdefault(name, [])
                    if node.value is not None:
                        values.append(node.value)
                    if isinstance(node, cst.AnnAssign):
                        values.append(node.annotation)
            self._attributes_by_class[class_def] = found
        return found

    def enclosing_class(self, node: cst.CSTNode) -> Optional[cst.ClassDef]:
        current = self.resolver.parent(node)
        while current is not None and not isinstance(current, cst.ClassDef):
            current = self.resolver.parent(current)
        return current

    # --- strings and providers ------------------------------------------------------------------

    def _string_of(self, expr: cst.BaseExpression) -> Optional[str]:
        text = string_value(expr)
        if text is None and isinstance(expr, cst.Name):
            bound = self.resolver.bound_value(expr)
            text = string_value(bound) if bound is not None else None
        return text

    def _strings_in(self, node: cst.CSTNode) -> Iterator[str]:
        """String literals in `node`, and those bound to the names it uses (one level)."""
        for found in descendants(node):
            if isinstance(found, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
                text = string_value(found)
                if text:
                    yield text
            elif isinstance(found, cst.Name):
                bound = self.resolver.bound_value(found)
                text = string_value(bound) if bound is not None else None
                if text:
                    yield text

    def _module_level_provider(self) -> Optional[str]:
        """A provider set for the module client: `openai.base_url = "https://api.deepseek.com"`."""
        for statement in self.resolver.module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if (isinstance(small, cst.Assign) and any(
                        isinstance(t.target, cst.Attribute) and t.target.attr.value in ("base_url", "api_base")
                        for t in small.targets)):
                    text = self._string_of(small.value)
                    if text and knowledge.provider_from_text(text):
                        return knowledge.provider_from_text(text)
        return None


# --- syntax helpers ----------------------------------------------------------------------------


def _is_self(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value in ("self", "cls")


def _strip_wrappers(path: str) -> str:
    return ".".join(p for p in path.split(".") if p not in knowledge.CLIENT_PASSTHROUGH_ATTRS)


def _receivers(func: cst.Attribute) -> Iterator[Tuple[cst.BaseExpression, Tuple[str, ...]]]:
    """(receiver, method path) for every split of an attribute chain, outermost receiver first.

    `c.chat.completions.create` → (c.chat.completions, (create,)), (c.chat, (completions, create)),
    (c, (chat, completions, create)). Wrapper attributes (`with_raw_response`) are left out of paths.
    """
    path: List[str] = []
    node: cst.BaseExpression = func
    while isinstance(node, cst.Attribute):
        if node.attr.value not in knowledge.CLIENT_PASSTHROUGH_ATTRS:
            path.insert(0, node.attr.value)
        node = node.value
        yield node, tuple(path)


def _annotation_parts(annotation: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    """`OpenAI`, `Optional[OpenAI]`, `OpenAI | None`, `"OpenAI"` → the candidate class expressions."""
    if isinstance(annotation, cst.Subscript):
        for element in annotation.slice:
            if isinstance(element.slice, cst.Index):
                yield from _annotation_parts(element.slice.value)
    elif isinstance(annotation, cst.BinaryOperation):
        yield from _annotation_parts(annotation.left)
        yield from _annotation_parts(annotation.right)
    else:
        yield annotation


def _returned_values(definition: cst.FunctionDef) -> Iterator[cst.BaseExpression]:
    for node in descendants(definition.body, cst.Return):
        if node.value is not None:
            yield node.value


def _assigned_attribute(target: cst.BaseExpression) -> Optional[str]:
    """`x` for targets `self.x`, `cls.x` and a class-level `x`."""
    if isinstance(target, cst.Attribute) and _is_self(target.value):
        return target.attr.value
    return target.value if isinstance(target, cst.Name) else None

