"""`lazy_positions` must give every node exactly the range LibCST's PositionProvider gives, and
`StatementPositions` (what the resolver uses) exactly the range `lazy_positions` gives."""

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

import dslint.analysis.positions
from dslint.analysis.positions import StatementPositions, lazy_positions
from dslint.analysis.resolver import Resolver, parent_map
from node_kinds import REPO, REPO_FILES, SOURCES, parse_or_skip


def _check_same_ranges(source) -> None:
    module = parse_or_skip(source)
    # The parser never shares a node between two places, so no need for the wrapper's deep copy.
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    actual = lazy_positions(module)
    # Every node the code generation reaches has a range, in both; the few nodes it never
    # reaches (like the default whitespace after a match pattern's last element) in neither.
    assert set(actual) == set(expected)
    for node, expected_range in expected.items():
        assert actual[node] == expected_range, (type(node).__name__, actual[node], expected_range)


def _check_statement_ranges(source) -> None:
    module = parse_or_skip(source)
    expected = lazy_positions(module)
    positions = StatementPositions(module, module.code, parent_map(module).get)
    for node, expected_range in expected.items():
        assert positions.get(node) == expected_range, (type(node).__name__, positions.get(node), expected_range)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_same_ranges_as_position_provider(name):
    _check_same_ranges(SOURCES[name])
    _check_statement_ranges(SOURCES[name])


@pytest.mark.parametrize("path", REPO_FILES)
def test_same_ranges_on_repo_files(path):
    _check_same_ranges((REPO / path).read_bytes())
    _check_statement_ranges((REPO / path).read_bytes())


REPEATS = {
    # The same statement in two functions, and a function's whole code twice: only the enclosing
    # function (first case) or only the whole module (second case) is unique.
    "repeated_statement": "def a(c):\n    return c.create()\n\n\ndef b(c):\n    return c.create()\n",
    "repeated_function": "def a(c):\n    return c.create()\n\n\ndef a(c):\n    return c.create()\n",
    # A docstring holding a copy of a module-level statement at the start of a line.
    "statement_in_docstring": 'x = c.create()\n"""\nx = c.create()\n"""\n',
    # Indented code in a string: found where it is not at the start of a line.
    "indented_copy_in_string": "if y:\n    x = c.create()\nz = 'a    x = c.create()\\n'\n",
    "crlf_nested": "class A:\r\n    def f(self):\r\n        return self.c.create(\r\n            1)\r\n",
    "tabs_and_comments": "if a:\n\tif b:\n# at column 0\n\t\tx = c.create()\n\t\t# own line\n\telse:\n\t\ty = 2\n",
    "last_statement_without_line_break": "def f(c):\n    return c.create()\nx = c.create()",
}


@pytest.mark.parametrize("name", sorted(REPEATS))
def test_statement_ranges_where_code_repeats(name):
    _check_statement_ranges(REPEATS[name])


def test_statement_ranges_do_not_generate_the_whole_module(monkeypatch):
    """Every statement here occurs once at the start of a line (the string holds the last one's
    code after other text): no node's range needs the whole module's code."""
    source = REPEATS["crlf_nested"] + '\r\ny = """xz = [1,\r\n     2]\r\n"""\r\nz = [1,\r\n     2]\r\n'
    module = cst.parse_module(source)
    expected = lazy_positions(module)
    parents = parent_map(module)
    monkeypatch.setattr(dslint.analysis.positions, "lazy_positions", None)  # calling it fails
    positions = StatementPositions(module, source, parents.get)
    assert len(parents) > 20
    for node in parents:
        assert positions.get(node) == expected[node], type(node).__name__


def test_resolver_position_uses_lazy_ranges():
    source = "import openai\n\nclient = openai.OpenAI()\nclient.chat(\n    x=1,\n)\n"
    wrapper = MetadataWrapper(cst.parse_module(source))
    resolver = Resolver(wrapper, "m")
    call = wrapper.module.body[2].body[0].value
    position = resolver.position(call)
    assert (position.start.line, position.start.column) == (4, 0)
    assert (position.end.line, position.end.column) == (6, 1)
    assert resolver.position(call) == wrapper.resolve(PositionProvider)[call]
