"""`read_only_visits` must give a read-only visitor exactly the calls LibCST's traversal gives."""

import inspect
import re

import libcst as cst
import pytest
from libcst.metadata import (
    ExpressionContextProvider,
    MetadataWrapper,
    QualifiedNameProvider,
    ScopeProvider,
    scope_provider,
)

from dslint.analysis import traversal
from dslint.analysis.resolver import parent_map
from dslint.analysis.traversal import read_only_visits
from node_kinds import REPO, REPO_FILES, SOURCES, parse_or_skip


class _CallLog(cst.CSTVisitor):
    """Every call a traversal makes, with the node it is about (and a field-specific method, so
    that attribute calls matter to this visitor)."""

    def __init__(self, skip=()):
        self.calls = []
        self.skip = skip

    def on_visit(self, node):
        self.calls.append(("visit", node))
        return not isinstance(node, self.skip)

    def on_leave(self, node):
        self.calls.append(("leave", node))

    def on_visit_attribute(self, node, attribute):
        self.calls.append(("visit_attribute", node, attribute))

    def on_leave_attribute(self, node, attribute):
        self.calls.append(("leave_attribute", node, attribute))


class _ClassBasesLog(cst.CSTVisitor):
    """Uses CSTVisitor's own attribute dispatch, for one field only."""

    def __init__(self):
        self.calls = []

    def visit_Name(self, node):
        self.calls.append(("name", node.value))

    def visit_ClassDef_bases(self, node):
        self.calls.append(("bases", node.name.value))

    def leave_ClassDef_bases(self, node):
        self.calls.append(("bases done", node.name.value))


class _HooksLog(cst.CSTVisitor):
    """Uses CSTVisitor's own dispatch, with hooks for a few node types (the walk skips the calls
    of `on_visit` and `on_leave` for the others); does not descend into lambdas."""

    def __init__(self):
        self.calls = []

    def visit_Call(self, node):
        self.calls.append(("call", node))

    def leave_Call(self, node):
        self.calls.append(("call done", node))

    def visit_Lambda(self, node):
        self.calls.append(("lambda", node))
        return False

    def leave_FunctionDef(self, node):
        self.calls.append(("function done", node))


class _TriviaLog(cst.CSTVisitor):
    """Has hooks for trivia (whitespace, punctuation, comments): the walk goes into them."""

    def __init__(self):
        self.calls = []

    def visit_Comma(self, node):
        self.calls.append(("comma", node))

    def leave_Comment(self, node):
        self.calls.append(("comment", node.value))

    def visit_SimpleWhitespace(self, node):
        self.calls.append(("whitespace", node.value))


def _same_calls(module, make_visitor):
    expected = make_visitor()
    module.visit(expected)
    with read_only_visits():
        actual = make_visitor()
        assert module.visit(actual) is module
    assert actual.calls == expected.calls


def _same_scopes(module):
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(QualifiedNameProvider)
    expected_order = _assignment_order(module)
    expected_scopes = _scope_of_each_node(module)
    with read_only_visits():
        actual = MetadataWrapper(module, unsafe_skip_copy=True).resolve(QualifiedNameProvider)
        actual_order = _assignment_order(module)
        actual_scopes = _scope_of_each_node(module)
    assert set(actual) == set(expected)
    for node, names in expected.items():
        assert _evaluated(actual[node]) == _evaluated(names), type(node).__name__
    assert actual_order == expected_order
    # Every node the analysis looks at (the module and what parent_map knows: no trivia) has the
    # same scope. (Nodes parsed from string annotations are new each time.)
    analysed = {module, *parent_map(module)}
    assert {node: scope for node, scope in actual_scopes.items() if node in analysed} == \
        {node: scope for node, scope in expected_scopes.items() if node in analysed}


def _scope_of_each_node(module):
    scopes = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
    return {node: (type(scope).__name__, getattr(scope, "name", None)) for node, scope in scopes.items() if scope}


def _assignment_order(module):
    """Every assignment of every scope with the index the scope analysis gave it (which counts
    the assignment-like nodes it has left: what decides which assignments an access sees)."""
    scopes = set(MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider).values())
    return {(id(assignment.node), assignment.name, assignment._index)
            for scope in scopes if scope is not None for assignment in scope.assignments}


def _evaluated(metadata):
    return metadata() if callable(metadata) else metadata  # LibCST >= 1.2 computes some lazily


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_same_calls_on_every_kind_of_node(name):
    module = parse_or_skip(SOURCES[name])
    _same_calls(module, _CallLog)
    _same_calls(module, lambda: _CallLog(skip=(cst.FunctionDef, cst.Call)))  # not descending into some
    _same_calls(module, _ClassBasesLog)
    _same_calls(module, _HooksLog)
    _same_calls(module, _TriviaLog)
    _same_scopes(module)


@pytest.mark.parametrize("path", REPO_FILES)
def test_same_calls_on_repo_files(path):
    module = parse_or_skip((REPO / path).read_bytes())
    _same_calls(module, _CallLog)
    _same_scopes(module)


def test_transformers_keep_libcsts_path():
    class Rename(cst.CSTTransformer):
        def leave_Name(self, original_node, updated_node):
            return updated_node.with_changes(value=updated_node.value.upper())

    module = cst.parse_module("def f(a):\n    return g(a)\n")
    with read_only_visits():
        assert module.visit(Rename()).code == "def F(A):\n    return G(A)\n"


def test_libcsts_visit_is_back_after_the_block_even_on_errors():
    original = cst.CSTNode.visit
    original_classes = scope_provider._ASSIGNMENT_LIKE_NODES
    with pytest.raises(ValueError):
        with read_only_visits():
            with read_only_visits():
                assert cst.CSTNode.visit is not original
            assert cst.CSTNode.visit is not original  # the inner block leaves the outer one's
            assert scope_provider._ASSIGNMENT_LIKE_NODES is not original_classes
            raise ValueError
    assert cst.CSTNode.visit is original
    assert scope_provider._ASSIGNMENT_LIKE_NODES is original_classes
    assert cst.BatchableCSTVisitor.get_visitors is traversal._LIBCST_GET_VISITORS


@pytest.mark.parametrize("make_visitor", [ScopeProvider, ExpressionContextProvider, lambda: _NamesSeen()])
def test_batched_hooks_are_the_ones_libcst_finds(make_visitor):
    expected = make_visitor().get_visitors()
    with read_only_visits():
        for _ in range(2):  # looked up, then remembered
            visitor = make_visitor()
            found = visitor.get_visitors()
            assert found == {name: getattr(visitor, name) for name in expected}
            assert all(method.__self__ is visitor for method in found.values())
    assert expected


class _NamesSeen(cst.BatchableCSTVisitor):
    def __init__(self):
        super().__init__()
        self.names = []

    def visit_Name(self, node):
        self.names.append(node.value)


class _ModuleSeen(cst.BatchableCSTVisitor):
    def __init__(self):
        super().__init__()
        self.modules = 0

    def visit_Module(self, node):
        self.modules += 1


def test_batched_visitors_get_every_hook_they_have():
    module = cst.parse_module("def f(a):\n    return g(a, b=[c for c in a])\n")
    expected = _NamesSeen()
    cst.visit_batched(module, [expected, _ModuleSeen()])
    with read_only_visits():
        names, modules = _NamesSeen(), _ModuleSeen()
        cst.visit_batched(module, [names, modules])
        assert modules.modules == 1
        assert names.names == expected.names != []
        before = []  # a hook for every node: the walk below the module is not idle
        cst.visit_batched(module, [_ModuleSeen()], before_visit=lambda node: before.append(type(node).__name__))
    assert before.count("Name") == len(expected.names)


def test_batched_visitor_with_module_hooks_only_stops_at_the_module():
    module = cst.parse_module("x = [y for y in z]\n")
    visited = []
    with read_only_visits():
        original = cst.CSTNode.visit
        cst.CSTNode.visit = lambda node, visitor: visited.append(type(node).__name__) or original(node, visitor)
        try:
            cst.visit_batched(module, [_ModuleSeen()])
        finally:
            cst.CSTNode.visit = original
    assert visited == ["Module"]


def test_the_scope_class_test_answers_as_the_original_tuple():
    module = parse_or_skip(SOURCES[sorted(SOURCES)[0]])
    log = _CallLog()
    module.visit(log)
    nodes = [call[1] for call in log.calls if call[0] == "visit"]
    original = scope_provider._ASSIGNMENT_LIKE_NODES
    with read_only_visits():
        replaced = scope_provider._ASSIGNMENT_LIKE_NODES
        assert [isinstance(node, replaced) for node in nodes] == [isinstance(node, original) for node in nodes]
    assert any(isinstance(node, original) for node in nodes) and not all(isinstance(node, original) for node in nodes)


def test_the_private_libcst_names_it_relies_on_are_there():
    """Without them dslint is slower, not wrong; this says when a LibCST release moves them."""
    assert traversal._BATCHED_VISITOR is not None
    assert {"visitor_methods", "before_visit", "after_leave"} <= set(vars(traversal._BATCHED_VISITOR({})))
    assert isinstance(traversal._SCOPE_TESTED_CLASSES, tuple)
    assert all(issubclass(kind, cst.CSTNode) for kind in traversal._SCOPE_TESTED_CLASSES)


def test_scope_metadata_is_the_same_as_libcsts():
    module = cst.parse_module("import openai as o\nclient = o.OpenAI()\ndef f():\n    return client.chat\n")
    with read_only_visits():
        scopes = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
    attribute = module.body[2].body.body[0].body[0].value
    assert {q.name for q in scopes[attribute].get_qualified_names_for(attribute.value)} == {"client"}


def _value_dependent_node_types():
    """Node types whose `_visit_and_replace_children` decides by a value what it visits."""
    found = set()
    for name in dir(cst):
        node_type = getattr(cst, name)
        if inspect.isclass(node_type) and issubclass(node_type, cst.CSTNode) and not inspect.isabstract(node_type):
            method = node_type.__dict__.get("_visit_and_replace_children")
            if method is not None and re.search(r"\bif\b", _code_of(method)):
                found.add(node_type.__name__)
    return found


def _code_of(function):
    source = inspect.getsource(function)
    body = source.split(":", 1)[1] if '"""' not in source else source.rsplit('"""', 1)[1]
    return "\n".join(line for line in body.splitlines() if not line.strip().startswith("#"))


def test_value_dependent_node_types_match_the_installed_libcst():
    assert _value_dependent_node_types() == traversal._VALUE_DEPENDENT & {name for name in dir(cst)}
