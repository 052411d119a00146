"""`parsing.parse_module` builds LibCST's trees, without validating the nodes of text that
CPython's parser accepts (validation only rejects what is not valid code)."""

import ast

import libcst as cst
import pytest

from dslint import parsing
from node_kinds import REPO, REPO_FILES, SOURCES

# Syntax newer than some Pythons dslint runs on, which LibCST parses.
NEWER_SYNTAX = ["type Alias = list[int]\n", "def first[T](items: list[T]) -> T:\n    return items[0]\n",
                "except* ValueError:\n    pass\n", "match x:\n    case 1:\n        pass\n"]


def _same_tree(source: str) -> None:
    try:
        expected = cst.parse_module(parsing.uniform_line_breaks(source))
    except cst.ParserSyntaxError:
        pytest.skip("this LibCST version does not parse this syntax")
    actual = parsing.parse_module(source)
    assert actual.deep_equals(expected)
    assert actual.code == expected.code


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_same_tree_as_libcst(name):
    source = SOURCES[name]
    _same_tree(source.decode() if isinstance(source, bytes) else source)


@pytest.mark.parametrize("path", REPO_FILES)
def test_same_tree_as_libcst_on_repo_files(path):
    _same_tree((REPO / path).read_text(encoding="utf-8"))


def _validations(monkeypatch, text: str) -> int:
    """How many nodes were validated while parsing `text`."""
    validated = []
    validate = cst.CSTNode.__post_init__

    def counting(node):
        validated.append(node)
        validate(node)

    monkeypatch.setattr(cst.CSTNode, "__post_init__", counting)
    parsing.parse_module(text)
    assert cst.CSTNode.__post_init__ is counting  # as it was before the parse
    return len(validated)


def test_text_cpython_accepts_is_not_validated(monkeypatch):
    assert _validations(monkeypatch, "x = f(1, key=[a for a in b])\n") == 0


def test_text_cpython_rejects_is_validated(monkeypatch):
    def rejected_by_cpython(text):
        try:
            ast.parse(text)
        except SyntaxError:
            return True
        return False

    def parsed_by_libcst(text):
        try:
            cst.parse_module(text)
        except cst.ParserSyntaxError:
            return False
        return True

    newer = [text for text in NEWER_SYNTAX if rejected_by_cpython(text) and parsed_by_libcst(text)]
    if not newer:
        pytest.skip("this Python parses all the syntax this LibCST knows")
    assert _validations(monkeypatch, newer[0]) > 0


def test_validation_is_back_after_an_error(monkeypatch):
    validate = cst.CSTNode.__post_init__

    def failing(text):
        raise RuntimeError("the parser failed")

    monkeypatch.setattr(parsing.cst, "parse_module", failing)
    with pytest.raises(RuntimeError):
        parsing.parse_module("x = 1\n")
    assert cst.CSTNode.__post_init__ is validate


def _deepest_as_defined(tree: ast.AST, limit: int):
    """`parsing.too_deep` as its docstring defines it, on `ast.iter_child_nodes`."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return node
        for child in ast.iter_child_nodes(node):
            extra = len(child.values) if isinstance(child, ast.BoolOp) else (
                len(child.generators) if isinstance(child, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp))
                else 0)
            stack.append((child, depth + 1 + extra))
    return None


DEEP_SOURCES = ["x = " + " and ".join(f"a{i}" for i in range(40)) + "\n",
                "y = [i for a in b for c in d for e in f for i in e if i]\n",
                "z = " + "-" * 30 + "q\n", "w = " + "(" * 20 + "1" + ")" * 20 + "\n"]


@pytest.mark.parametrize("source", DEEP_SOURCES + [(REPO / path).read_text(encoding="utf-8") for path in REPO_FILES[:40]])
def test_too_deep_finds_the_node_the_definition_finds(source):
    tree = ast.parse(source)
    for limit in (0, 3, 8, 15, 30, 60):
        assert parsing.too_deep(tree, limit) is _deepest_as_defined(tree, limit)
