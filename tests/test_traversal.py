"""`read_only_visits` must give a read-only visitor exactly the calls LibCST's traversal gives."""

import inspect
import re

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, QualifiedNameProvider, ScopeProvider

from dslint.analysis import traversal
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


def _same_calls(module, make_visitor):
    expected = make_visitor()
    module.visit(expected)
    with read_only_visits():
        actual = make_visitor()
        assert module.visit(actual) is module
    assert actual.calls == expected.calls


def _same_scopes(module):
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(QualifiedNameProvider)
    with read_only_visits():
        actual = MetadataWrapper(module, unsafe_skip_copy=True).resolve(QualifiedNameProvider)
    assert set(actual) == set(expected)
    for node, names in expected.items():
        assert _evaluated(actual[node]) == _evaluated(names), type(node).__name__


def _evaluated(metadata):
    return metadata() if callable(metadata) else metadata  # LibCST >= 1.2 computes some lazily


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_same_calls_on_every_kind_of_node(name):
    module = parse_or_skip(SOURCES[name])
    _same_calls(module, _CallLog)
    _same_calls(module, lambda: _CallLog(skip=(cst.FunctionDef, cst.Call)))  # not descending into some
    _same_calls(module, _ClassBasesLog)
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
    with pytest.raises(ValueError):
        with read_only_visits():
            with read_only_visits():
                assert cst.CSTNode.visit is not original
            assert cst.CSTNode.visit is not original  # the inner block leaves the outer one's
            raise ValueError
    assert cst.CSTNode.visit is original


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
