"""Read-only visits of LibCST trees without the work LibCST does for transformers.

`CSTNode.visit` rebuilds every node it visits (`_visit_and_replace_children` returns a new node,
so that a transformer may replace children), validates it, and checks the visitor's and the
result's classes against abstract base classes; for a read-only `CSTVisitor` all of that is
thrown away. It also calls the visitor's attribute hooks for every field of every node, which
do nothing unless the visitor defines a `visit_<Node>_<field>` method. LibCST's own metadata
providers (expression contexts, scopes) are such visitors, and the analysis runs them over every
module it analyses: the rebuilding and the idle hooks were two fifths of the analysis.

Inside `read_only_visits()`, a `CSTVisitor` gets exactly the calls LibCST's traversal makes
(`on_visit`, `on_visit_attribute`, `on_leave_attribute`, `on_leave`, in the same order, on the same
nodes; the attribute hooks only where they would do something, and `on_visit`/`on_leave` only
where the visitor has a hook for the node's type) from a walk over the node's fields; transformers
keep LibCST's path. Whitespace and punctuation (`resolver.TRIVIA`: half the nodes, and only more
of them below) are not walked into when the visitor would do nothing there: it keeps
CSTVisitor's dispatch and has no hook for them. The fields a node type
visits, in order, are LibCST's: recorded once per type by running its `_visit_and_replace_children`
with a visitor that descends no further. The few node types whose fields depend on the node's
values (`_VALUE_DEPENDENT`) keep LibCST's path. tests/test_traversal.py checks the calls are the
same on every kind of node and that the list of value-dependent types matches the installed LibCST.

Three more costs of resolving metadata go in the same block, with the same results:
- `MetadataWrapper` runs each batch of providers as one batched visitor over the whole module,
  but the expression-context and scope providers only hook `visit_Module` (where each runs a
  visitor of its own): the batched walk below the module calls nothing but no-op hooks (a third
  of the nodes visited). A batched visitor whose hooks are all for the module itself stops there.
- The scope visitor tests every node it leaves against a tuple of 18 node classes; they are
  abstract base classes, so that is 18 calls of `ABCMeta.__instancecheck__` per node (a fifth of
  the analysis). The tuple is replaced by a class that answers the same test once per node type.
- A batched visitor's hooks are found by `BatchableCSTVisitor.get_visitors`, an
  `inspect.getmembers` over some 700 attributes, for each provider of each module: the names are
  looked up once per class.
- The scope visitor records the scope of every node it leaves, trivia included; the analysis asks
  the scope of the nodes `resolver.parent_map` knows (no trivia), so the scope visitor does not
  walk into trivia either (a tenth of the analysis, with the previous point).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Dict, FrozenSet, Iterator, List, Optional, Tuple

import libcst as cst
import libcst._batched_visitor as batched_visitor
import libcst.metadata.scope_provider as scope_provider

from dslint.analysis.resolver import TRIVIA

_LIBCST_VISIT = cst.CSTNode.visit
_LIBCST_GET_VISITORS = cst.BatchableCSTVisitor.get_visitors
_EMPTY = cst.MaybeSentinel.DEFAULT

# `_visit_and_replace_children` of these visits a field or not, or visits it as a node or as a
# sequence, depending on its value (`format_spec` only when set; `names` as `*` or a sequence).
_VALUE_DEPENDENT = frozenset({"ImportFrom", "LazyImportFrom", "FormattedStringExpression",
                              "TemplatedStringExpression"})

# Private to LibCST (tests/test_traversal.py checks they are there): without them, only the
# speed-ups that need them are left out.
_BATCHED_VISITOR = getattr(batched_visitor, "_BatchedCSTVisitor", None)
_SCOPE_TESTED_CLASSES = getattr(scope_provider, "_ASSIGNMENT_LIKE_NODES", None)

# By the classes each derives from, not `issubclass`: LibCST's bases are abstract classes, whose
# checks cost a hundred times as much the first time (20 ms of every run that analyses a file).
_TRIVIA_BASES = frozenset(TRIVIA)
_TRIVIA_TYPES = frozenset(kind for kind in vars(cst).values()
                          if isinstance(kind, type) and not _TRIVIA_BASES.isdisjoint(kind.__mro__))
_TRIVIA_NAMES = frozenset(kind.__name__ for kind in _TRIVIA_TYPES)
_DISPATCH = ("on_visit", "on_leave", "on_visit_attribute", "on_leave_attribute")

# (visitor class, node class) -> (fields to visit, whether the visitor wants attribute calls,
# whether it is a batched visitor at the module, whether it wants the `on_visit` call, whether it
# wants the `on_leave` call, whether it skips trivia); None: LibCST's own path.
_Plan = Optional[Tuple[Tuple[str, ...], bool, bool, bool, bool, bool]]
_PLANS: Dict[Tuple[type, type], _Plan] = {}
_UNKNOWN = object()
_HOOK_NAMES: Dict[type, Tuple[str, ...]] = {}  # batchable visitor class -> what `get_visitors` names
_OWN_HOOKS: Dict[type, FrozenSet[str]] = {}  # visitor class -> `_own_hooks`


@contextmanager
def read_only_visits() -> Iterator[None]:
    """Within the block, read-only visitors walk trees without rebuilding them."""
    if cst.CSTNode.visit is _visit:  # nested
        yield
        return
    cst.CSTNode.visit = _visit
    cst.BatchableCSTVisitor.get_visitors = _get_visitors
    if _SCOPE_TESTED_CLASSES is not None:
        scope_provider._ASSIGNMENT_LIKE_NODES = _ONE_TEST_PER_TYPE
    try:
        yield
    finally:
        cst.CSTNode.visit = _LIBCST_VISIT
        cst.BatchableCSTVisitor.get_visitors = _LIBCST_GET_VISITORS
        if _SCOPE_TESTED_CLASSES is not None:
            scope_provider._ASSIGNMENT_LIKE_NODES = _SCOPE_TESTED_CLASSES


def _visit(self: cst.CSTNode, visitor):
    plan = _PLANS.get((type(visitor), type(self)), _UNKNOWN)
    if plan is _UNKNOWN:
        plan = _PLANS[type(visitor), type(self)] = _plan(type(visitor), self)
    if plan is None:
        return _LIBCST_VISIT(self, visitor)
    fields, attribute_calls, batched_module, visit_call, leave_call, skip_trivia = plan
    if not visit_call or visitor.on_visit(self):
        if batched_module and _hooks_only_the_module(visitor):
            fields = ()
        for field in fields:
            if attribute_calls:
                visitor.on_visit_attribute(self, field)
            value = getattr(self, field)
            kind = type(value)
            if kind is tuple or kind is list:
                for child in value:
                    if not (skip_trivia and type(child) in _TRIVIA_TYPES):
                        child.visit(visitor)
            elif value is not None and value is not _EMPTY and not (skip_trivia and kind in _TRIVIA_TYPES):
                value.visit(visitor)
            if attribute_calls:
                visitor.on_leave_attribute(self, field)
    if leave_call:
        visitor.on_leave(self)
    return self


def _plan(visitor_class: type, node: cst.CSTNode) -> _Plan:
    if not issubclass(visitor_class, cst.CSTVisitor) or type(node).__name__ in _VALUE_DEPENDENT:
        return None
    batched_module = visitor_class is _BATCHED_VISITOR and type(node) is cst.Module
    name = type(node).__name__
    return (tuple(_visited_fields(node)), _wants_attribute_calls(visitor_class, name), batched_module,
            _wants_call(visitor_class, "on_visit", f"visit_{name}"), _wants_call(visitor_class, "on_leave", f"leave_{name}"),
            _skips_trivia(visitor_class))


def _hooks_only_the_module(visitor) -> bool:
    """A batched visitor (at a module) whose every hook is the module's own: below the module it
    would call nothing but no-op hooks."""
    return (visitor.before_visit is None and visitor.after_leave is None
            and set(visitor.visitor_methods) <= {"visit_Module", "leave_Module"})


def _visited_fields(node: cst.CSTNode) -> List[str]:
    recorder = _FieldRecorder()
    node._visit_and_replace_children(recorder)
    return recorder.fields


class _FieldRecorder(cst.CSTVisitor):
    """The fields one node's traversal reports, without descending into them."""

    def __init__(self) -> None:
        self.fields: List[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.fields.append(attribute)


def _wants_attribute_calls(visitor_class: type, node_type: str) -> bool:
    """False when the calls would do nothing: the visitor keeps CSTVisitor's attribute dispatch
    and defines no `visit_<Node>_<field>`/`leave_<Node>_<field>` of its own for this node type
    (CSTVisitor has an empty one for every field)."""
    if (visitor_class.on_visit_attribute is not cst.CSTVisitor.on_visit_attribute
            or visitor_class.on_leave_attribute is not cst.CSTVisitor.on_leave_attribute):
        return True
    prefixes = (f"visit_{node_type}_", f"leave_{node_type}_")
    return any(name.startswith(prefixes) for name in _own_hooks(visitor_class))


def _wants_call(visitor_class: type, dispatch: str, hook: str) -> bool:
    """False when the call would do nothing: the visitor keeps CSTVisitor's dispatch (`on_visit`
    calls `visit_<Node>`, `on_leave` calls `leave_<Node>`) and CSTVisitor's empty hook for the type
    (`on_visit` then returns True, as a skipped call counts)."""
    return (getattr(visitor_class, dispatch) is not getattr(cst.CSTVisitor, dispatch)
            or getattr(visitor_class, hook, None) is not getattr(cst.CSTVisitor, hook, None))


def _skips_trivia(visitor_class: type) -> bool:
    """Walking into trivia would call nothing of the visitor's: it keeps CSTVisitor's dispatch and
    has no hook for a trivia type (`visit_Comma`, `leave_Comment_value`, ...). The scope visitor
    would only record the scope of each trivia node, which the analysis never asks."""
    if visitor_class is scope_provider.ScopeVisitor:
        return True
    if any(getattr(visitor_class, name) is not getattr(cst.CSTVisitor, name) for name in _DISPATCH):
        return False
    return not any(name.split("_")[1] in _TRIVIA_NAMES for name in _own_hooks(visitor_class))


def _own_hooks(visitor_class: type) -> FrozenSet[str]:
    """The `visit_*`/`leave_*` hooks the visitor class does not inherit from CSTVisitor, which has
    an empty one for every node type and field: looked for once per class (a thousand names)."""
    hooks = _OWN_HOOKS.get(visitor_class)
    if hooks is None:
        hooks = _OWN_HOOKS[visitor_class] = frozenset(
            name for name in dir(visitor_class)
            if name.startswith(("visit_", "leave_")) and getattr(visitor_class, name) is not getattr(cst.CSTVisitor, name, None))
    return hooks


def _get_visitors(self: cst.BatchableCSTVisitor) -> Dict[str, Callable]:
    names = _HOOK_NAMES.get(type(self))
    if names is None:
        names = _HOOK_NAMES[type(self)] = tuple(_LIBCST_GET_VISITORS(self))
    return {name: getattr(self, name) for name in names}


class _OneTestPerType(type):
    """The metaclass of a class whose instances are the instances of `classes`: `isinstance`
    asks the original test once per type, then answers from `answers`."""

    def __instancecheck__(cls, instance: object) -> bool:
        kind = type(instance)
        answer = cls.answers.get(kind)
        if answer is None:
            answer = cls.answers[kind] = isinstance(instance, cls.classes)
        return answer


_ONE_TEST_PER_TYPE = _OneTestPerType("AssignmentLikeNode", (), {"classes": _SCOPE_TESTED_CLASSES, "answers": {}})
