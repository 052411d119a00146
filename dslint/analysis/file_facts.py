"""One pass over a parsed module: API calls, call sites, functions, classes.

`FileContext` keeps the syntax-level view (resolver, recognizer, handler analysis and the
API-call nodes with their coverage) for the per-file rules; `FileFacts` is what outlives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Dict, List, Mapping, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper

from dslint import knowledge
from dslint.analysis.api_calls import ApiCallRecognizer, RecognizedCall
from dslint.analysis.facts import ApiCall, CallSite, ClassInfo, FileFacts, Function, Span
from dslint.analysis.handlers import Coverage, HandlerAnalysis
from dslint.analysis.module_clients import ModuleClient
from dslint.analysis.raw_http import is_request_shaped
from dslint.analysis.resolver import Resolver
from dslint.analysis.retries import find_retry_constructs
from dslint.analysis.settings import AnalysisSettings
from dslint.findings import Position


@dataclass
class ApiCallSite:
    """An API call with its syntax: for per-file rules that look at handlers and loops."""

    fact: ApiCall
    node: cst.Call
    recognized: RecognizedCall
    coverage: Coverage


@dataclass
class FileContext:
    path: str
    resolver: Resolver
    recognizer: ApiCallRecognizer
    handlers: HandlerAnalysis
    settings: AnalysisSettings
    facts: FileFacts
    api_calls: List[ApiCallSite] = field(default_factory=list)
    retries: list = field(default_factory=list)  # RetryConstructs
    request_calls: List[cst.Call] = field(default_factory=list)  # `x.post(...)`-shaped calls, for DS401

    def span(self, node: cst.CSTNode, anchor_statement: bool = True) -> Span:
        position = self.resolver.position(node)
        start = Position(position.start.line, position.start.column + 1)
        end = Position(position.end.line, position.end.column + 1)
        noqa_row = end.row
        if anchor_statement:
            statement = self.statement_of(node)
            if statement is not None:
                noqa_row = self.resolver.position(statement).end.line
        return Span(start, end, noqa_row)

    def header_span(self, node: cst.CSTNode) -> Span:
        """A span on the first line of `node`: an `except ...` clause, a loop header, a decorator."""
        start = self.resolver.position(node).start
        head = None
        if isinstance(node, cst.ExceptHandler):
            head = node.type
        elif isinstance(node, (cst.For, cst.While)):
            head = node.iter if isinstance(node, cst.For) else node.test
        if head is None and isinstance(node, (cst.ExceptHandler, cst.For, cst.While)):
            end = Position(start.line, start.column + 1 + len("except"))
        elif head is not None:
            head_end = self.resolver.position(head).end
            end = Position(head_end.line, head_end.column + 1)
        else:
            end = self.span(node, anchor_statement=False).end
        return Span(Position(start.line, start.column + 1), end, start.line)

    def statement_of(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        current: Optional[cst.CSTNode] = node
        while current is not None and not isinstance(current, cst.SimpleStatementLine):
            if isinstance(current, cst.BaseCompoundStatement):
                return None
            current = self.resolver.parent(current)
        return current

    def function_id(self, node: cst.CSTNode) -> str:
        """Id of the innermost function enclosing `node` (lambdas belong to their function)."""
        current = self.resolver.parent(node)
        while current is not None and not isinstance(current, cst.FunctionDef):
            current = self.resolver.parent(current)
        if current is None:
            return module_function_id(self.facts.module)
        return self.definition_id(current)

    def definition_id(self, definition: cst.CSTNode) -> str:
        names = sorted(self.resolver.qualified_names(definition.name))
        return names[0] if names else f"{self.facts.module}.{definition.name.value}"

    def enclosing_class_id(self, node: cst.CSTNode) -> Optional[str]:
        class_def = self.recognizer.enclosing_class(node)
        return None if class_def is None else self.definition_id(class_def)


def module_function_id(module: str) -> str:
    return f"{module}.<module>"


def analyze_module(module: cst.Module, path: str, module_name: str, is_package: bool,
                   settings: AnalysisSettings, module_clients: Mapping[str, ModuleClient] = {},
                   text: Optional[str] = None) -> FileContext:
    """`text`: what `module` was parsed from, if the caller has it (positions are then cheaper)."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    resolver = Resolver(wrapper, module_name, is_package, text)
    context = FileContext(
        path=path,
        resolver=resolver,
        recognizer=ApiCallRecognizer(resolver, settings.provider, settings.client_factories, module_clients),
        handlers=HandlerAnalysis(resolver),
        settings=settings,
        facts=FileFacts(path=path, module=module_name),
    )
    wrapper.module.visit(_FactCollector(context))
    if context.api_calls:
        context.retries = find_retry_constructs(context)
        _record_retry_error_wrapping(context)
    return context


def _record_retry_error_wrapping(context: FileContext) -> None:
    """tenacity without reraise=True turns the last error of what it retries into RetryError."""
    wrapped: Dict[str, frozenset] = {}
    for construct in context.retries:
        if construct.kind == "decorator" and construct.policy.retry_error_class and construct.retried:
            function_id = construct.calls[0].fact.function
            wrapped[function_id] = wrapped.get(function_id, frozenset()) | construct.retried
    if wrapped:
        context.facts.functions = [
            replace(f, wraps_in_retry_error=wrapped[f.id]) if f.id in wrapped else f
            for f in context.facts.functions]


class _FactCollector(cst.CSTVisitor):
    def __init__(self, context: FileContext):
        self.context = context
        self.facts = context.facts

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = []
        for arg in node.bases:
            bases.extend(sorted(self.context.resolver.qualified_names(arg.value)))
        self.facts.classes.append(ClassInfo(self.context.definition_id(node), tuple(bases)))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.facts.functions.append(Function(
            id=self.context.definition_id(node),
            module=self.facts.module,
            class_id=self._method_class(node),
        ))

    def _method_class(self, node: cst.FunctionDef) -> Optional[str]:
        parent = self.context.resolver.parent(node)
        if isinstance(parent, cst.IndentedBlock):
            parent = self.context.resolver.parent(parent)
        return self.context.definition_id(parent) if isinstance(parent, cst.ClassDef) else None

    def visit_Call(self, node: cst.Call) -> None:
        recognized = self.context.recognizer.recognize(node)
        if recognized is not None:
            self._api_call(node, recognized)
            return
        self._call_site(node)
        if is_request_shaped(node):
            self.context.request_calls.append(node)

    def _api_call(self, node: cst.Call, recognized: RecognizedCall) -> None:
        context = self.context
        raised = knowledge.PROVIDER_STATUSES[recognized.provider] | knowledge.TRANSPORT
        coverage = context.handlers.coverage(node, recognized.family, raised)
        fact = ApiCall(
            span=context.span(node),
            method=recognized.method,
            family=recognized.family,
            provider=recognized.provider,
            function=context.function_id(node),
            raised=raised,
            escaping=coverage.escaping,
            handled_by=tuple(name for clause in coverage.clauses if clause.keeps
                             for name in _class_names(clause.handler, context.handlers)),
            is_async=recognized.is_async,
        )
        self.facts.api_calls.append(fact)
        context.api_calls.append(ApiCallSite(fact, node, recognized, coverage))

    def _call_site(self, node: cst.Call) -> None:
        callees = self._callees(node.func)
        if not callees:
            return
        handlers = self.context.handlers
        caught: Dict[str, frozenset] = {}
        catches_retry_error = False
        tries = list(handlers.enclosing_tries(node))
        if tries:
            for family in knowledge.FAMILY_EXCEPTIONS:
                coverage = handlers.coverage(node, family, knowledge.EVERYTHING)
                handled = knowledge.EVERYTHING - coverage.escaping
                if handled:
                    caught[family] = handled
            catches_retry_error = any(
                handlers.catches_retry_error(handler) and not handlers.handler_outcome(handler, "", knowledge.EVERYTHING).reraised
                for try_node in tries for handler in try_node.handlers)
        self.facts.call_sites.append(CallSite(
            caller=self.context.function_id(node),
            callees=callees,
            caught=tuple(sorted(caught.items())),
            catches_retry_error=catches_retry_error,
        ))

    def _callees(self, func: cst.BaseExpression) -> Tuple[str, ...]:
        if isinstance(func, cst.Attribute):
            receiver_class = self._receiver_class(func.value)
            if receiver_class is not None:
                return (f"{receiver_class}.{func.attr.value}",)
        names = self.context.resolver.qualified_names(func)
        return tuple(sorted(n for n in names if not n.startswith("builtins.") and "<locals>" not in n
                            or _is_local_function(n)))

    def _receiver_class(self, receiver: cst.BaseExpression) -> Optional[str]:
        """The class of `self`/`cls`, or of a name or `self.<attr>` bound to `SomeClass(...)` or
        annotated with a class."""
        if isinstance(receiver, cst.Name) and receiver.value in ("self", "cls"):
            return self.context.enclosing_class_id(receiver)
        resolver = self.context.resolver
        for value in self.context.recognizer.bound_values(receiver):
            if isinstance(value, cst.Annotation):
                names = sorted(resolver.qualified_names(value.annotation))
            elif isinstance(value, cst.Call):
                names = sorted(resolver.qualified_names(value.func))
            else:
                continue
            if names:
                return names[0]
        return None


def _is_local_function(name: str) -> bool:
    """`mod.outer.<locals>.inner` is a nested function; `mod.f.<locals>.x.y` a method of a local value."""
    head, _, tail = name.rpartition(".<locals>.")
    return bool(head) and "." not in tail


def _class_names(handler: cst.ExceptHandler, handlers: HandlerAnalysis) -> List[str]:
    """`RateLimitError`, `APIStatusError`, ... as written (last dotted part); `except` for a bare one."""
    if handler.type is None:
        return ["bare except"]
    code = cst.Module([]).code_for_node
    return [code(expr).rsplit(".", 1)[-1] for expr in handlers.class_expressions(handler.type)]
