"""Name resolution over one module, on top of LibCST's metadata providers.

Answers the questions every analysis asks: what does this name or attribute refer to
(`qualified_names`), what single value is this name bound to (`bound_value`), which function
definition does it name (`function_def`).
"""

from __future__ import annotations

import dataclasses
from typing import Dict, FrozenSet, Iterator, Optional, Tuple

import libcst as cst
from libcst.metadata import Assignment, MetadataWrapper, Scope, ScopeProvider

from dslint.analysis.positions import StatementPositions

try:
    from libcst._metadata_dependent import LazyValue
except ImportError:  # LibCST versions that resolve metadata eagerly
    LazyValue = ()

# Resolved for every module; positions only when something is reported (`StatementPositions`
# re-generates the code of a statement around the node and computes its range on lookup),
# qualified names per node on demand from the scopes (the provider computes them for all nodes),
# and parents by `parent_map`.
PROVIDERS = (ScopeProvider,)


def _metadata(mapping, node: cst.CSTNode, default=None):
    value = mapping.get(node, default)
    return value() if LazyValue and isinstance(value, LazyValue) else value


class Resolver:
    def __init__(self, wrapper: MetadataWrapper, module_name: str, is_package: bool = False,
                 text: Optional[str] = None):
        """`text`: what the module was parsed from (else generated from the module when a position is asked)."""
        self.module = wrapper.module
        self._text = text
        self.module_name = module_name
        # Relative imports in a package's __init__ start from the package itself.
        self._import_base = f"{module_name}.__init__" if is_package else module_name
        self._wrapper = wrapper
        metadata = wrapper.resolve_many(PROVIDERS)
        self._scopes = metadata[ScopeProvider]
        self._parents = parent_map(wrapper.module)
        self._positions = None
        self._qualified: Dict[cst.CSTNode, FrozenSet[str]] = {}

    # --- positions and structure --------------------------------------------------------------

    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The node's parent; None for the module and for whitespace and punctuation (`TRIVIA`)."""
        return self._parents.get(node)

    def position(self, node: cst.CSTNode):
        """The CodeRange of `node` (1-based lines, 0-based columns)."""
        if self._positions is None:
            # Same ranges as PositionProvider; not through the wrapper, which would also walk the
            # whole tree for (no) batchable providers.
            text = self.module.code if self._text is None else self._text
            self._positions = StatementPositions(self.module, text, self.parent)
        return _metadata(self._positions, node)

    def is_within(self, node: cst.CSTNode, ancestor: cst.CSTNode) -> bool:
        current = self.parent(node)
        while current is not None:
            if current is ancestor:
                return True
            current = self.parent(current)
        return False

    def scope(self, node: cst.CSTNode) -> Optional[Scope]:
        return _metadata(self._scopes, node)

    # --- names --------------------------------------------------------------------------------

    def qualified_names(self, node: cst.CSTNode) -> FrozenSet[str]:
        """Dotted names `node` may refer to; local definitions are prefixed with the module name."""
        found = self._qualified.get(node)
        if found is None:
            found = self._qualified[node] = self._compute_qualified_names(node)
        return found

    def _compute_qualified_names(self, node: cst.CSTNode) -> FrozenSet[str]:
        scope = self.scope(node)
        names = set()
        for qualified in (scope.get_qualified_names_for(node) if scope is not None else ()):
            name = qualified.name
            if qualified.source.name == "LOCAL":
                name = f"{self.module_name}.{name}" if self.module_name else name
            elif qualified.source.name == "IMPORT" and name.startswith("."):
                name = absolute_import(self._import_base, name)
            names.add(name)
        return frozenset(names)

    def assignments(self, name: cst.Name) -> tuple:
        """The assignments of `name`, in the order the scope analysis met them (a Scope keeps a
        set: its order changes from run to run, and analyses that take the first fitting value
        must not)."""
        scope = self.scope(name)
        if scope is None or name.value not in scope:
            return ()
        return tuple(sorted((a for a in scope[name.value] if isinstance(a, Assignment)), key=_assignment_order))

    def bound_value(self, name: cst.Name) -> Optional[cst.BaseExpression]:
        """The value of `name` when every binding it has assigns the same expression once.

        Covers module constants and locals set once (`x = 3`, `x: int = 3`); a name rebound,
        a parameter, a loop target or an import gives None.
        """
        bindings = self.assignments(name)
        if len(bindings) != 1:
            return None
        return assigned_value(bindings[0].node, self)

    def function_def(self, name: cst.Name) -> Optional[cst.FunctionDef]:
        bindings = self.assignments(name)
        if len(bindings) == 1 and isinstance(bindings[0].node, cst.FunctionDef):
            return bindings[0].node
        return None


def _assignment_order(assignment: Assignment) -> int:
    # Assignment._index counts the assignments of its scope as they are met: the public API gives none.
    return getattr(assignment, "_index", 0)


def assigned_value(binding: cst.CSTNode, resolver: Resolver) -> Optional[cst.BaseExpression]:
    """The expression a binding node assigns to a plain name, for `x = v` and `x: T = v`."""
    parent = binding
    # Assignment.node is the Name for simple assignments in recent LibCST versions,
    # the whole statement in older ones.
    if isinstance(binding, cst.Name):
        parent = resolver.parent(binding)
        if isinstance(parent, cst.AssignTarget):
            parent = resolver.parent(parent)
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
        return parent.value
    if isinstance(parent, cst.AnnAssign) and isinstance(parent.target, cst.Name):
        return parent.value
    return None


def absolute_import(module_name: str, relative: str) -> str:
    """`.llm.ask` imported in `app.api.routes` → `app.api.llm.ask`."""
    dots = len(relative) - len(relative.lstrip("."))
    package = module_name.split(".")[:-dots] if module_name else []
    rest = relative[dots:]
    return ".".join(package + ([rest] if rest else []))


def dotted_name(expr: cst.BaseExpression) -> Optional[str]:
    """`a.b.c` for a chain of Names and Attributes, else None."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        head = dotted_name(expr.value)
        return None if head is None else f"{head}.{expr.attr.value}"
    return None


def string_value(expr: cst.BaseExpression) -> Optional[str]:
    """The text of a literal string (f-strings: their literal parts joined)."""
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else value.decode("latin-1")
    if isinstance(expr, cst.ConcatenatedString):
        left, right = string_value(expr.left), string_value(expr.right)
        return None if left is None or right is None else left + right
    if isinstance(expr, cst.FormattedString):
        return "".join(part.value for part in expr.parts if isinstance(part, cst.FormattedStringText))
    return None


def keyword_argument(call: cst.Call, name: str) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional_arguments(call: cst.Call) -> list:
    return [arg for arg in call.args if arg.keyword is None and not arg.star]


NOT_A_LITERAL = object()


def literal_value(expr: cst.BaseExpression) -> object:
    """The value of a literal int/float/True/False/None (negatives included), else NOT_A_LITERAL."""
    if isinstance(expr, cst.Integer):
        return int(expr.evaluated_value)
    if isinstance(expr, cst.Float):
        return float(expr.evaluated_value)
    if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[expr.value]
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        inner = literal_value(expr.expression)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return -inner
    return NOT_A_LITERAL


class _Collector(cst.CSTVisitor):
    def __init__(self, root: cst.CSTNode, types, skip: tuple):
        self.root, self.types, self.skip = root, types, skip
        self.found: list = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, self.types):
            self.found.append(node)
        return node is self.root or not isinstance(node, self.skip)


_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}


# Whitespace, comments and punctuation: they hold nothing but more of the same, and nothing asks
# for their parent; they are nearly two thirds of a module's nodes.
TRIVIA = (cst.BaseParenthesizableWhitespace, cst.TrailingWhitespace, cst.EmptyLine, cst.Newline, cst.Comment,
          cst.Comma, cst.Dot, cst.Colon, cst.Semicolon, cst.AssignEqual, cst.LeftParen, cst.RightParen,
          cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace,
          cst.BaseBinaryOp, cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp, cst.BaseAugOp, cst.ImportStar,
          cst.Asynchronous)


def parent_map(root: cst.CSTNode) -> Dict[cst.CSTNode, cst.CSTNode]:
    """Each node below `root` but `TRIVIA` -> its parent: what ParentNodeProvider gives for them.
    Twelve times faster than the provider with every node, and leaving out the trivia halves that.

    The provider runs LibCST's visitor machinery (a dispatch per node and per metadata batch),
    which cost a quarter of the whole analysis; a node's children are the nodes in its dataclass
    fields. tests/test_resolver.py checks both agree.
    """
    parents: Dict[cst.CSTNode, cst.CSTNode] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        names = _CHILD_FIELDS.get(type(node))
        if names is None:
            names = _CHILD_FIELDS[type(node)] = tuple(field.name for field in dataclasses.fields(node))
        for name in names:
            value = getattr(node, name)
            kind = type(value)
            if kind is tuple or kind is list:
                for item in value:
                    if _is_kept_node_type(type(item)):
                        parents[item] = node
                        stack.append(item)
            elif _is_kept_node_type(kind):
                parents[value] = node
                stack.append(value)
    return parents


_NODE_TYPES: Dict[type, bool] = {}


def _is_kept_node_type(kind: type) -> bool:
    """A node type other than `TRIVIA`."""
    # isinstance against CSTNode, an abstract base class, goes through ABCMeta: 4 times slower.
    known = _NODE_TYPES.get(kind)
    if known is None:
        known = _NODE_TYPES[kind] = issubclass(kind, cst.CSTNode) and not issubclass(kind, TRIVIA)
    return known


def descendants(root: cst.CSTNode, types=cst.CSTNode, skip: tuple = ()) -> list:
    """`root` and the nodes below it that are instances of `types`, in source order.

    Nodes of the `skip` types (other than `root`) are not descended into: pass FUNCTION_NODES to
    stay in one function's body. (One visitor pass: `CSTNode.children` re-visits on every call.)
    """
    collector = _Collector(root, types, skip)
    root.visit(collector)
    return collector.found


def assignment_statements(block: cst.BaseSuite) -> Iterator:
    """`Assign`/`AnnAssign` statements in a block and the blocks nested in it (methods included).

    Walks statements only, never expressions: much cheaper than `descendants` on large classes.
    """
    stack = [block]
    while stack:
        current = stack.pop()
        body = getattr(current, "body", ())
        if isinstance(body, cst.BaseSuite):
            stack.append(body)
            body = ()
        for item in body if isinstance(body, (list, tuple)) else ():
            if isinstance(item, cst.SimpleStatementLine):
                yield from (small for small in item.body if isinstance(small, (cst.Assign, cst.AnnAssign)))
            elif isinstance(item, cst.BaseCompoundStatement):
                stack.append(item)
                for extra in ("orelse", "finalbody"):
                    if getattr(item, extra, None) is not None:
                        stack.append(getattr(item, extra))
                stack.extend(getattr(item, "handlers", ()))
