"""`lazy_positions` must give every node exactly the range LibCST's PositionProvider gives."""

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from dslint.analysis.positions import lazy_positions
from dslint.analysis.resolver import Resolver
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


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_same_ranges_as_position_provider(name):
    _check_same_ranges(SOURCES[name])


@pytest.mark.parametrize("path", REPO_FILES)
def test_same_ranges_on_repo_files(path):
    _check_same_ranges((REPO / path).read_bytes())


def test_resolver_position_uses_lazy_ranges():
    source = "import openai\n\nclient = openai.OpenAI()\nclient.chat(\n    x=1,\n)\n"
    wrapper = MetadataWrapper(cst.parse_module(source))
    resolver = Resolver(wrapper, "m")
    call = wrapper.module.body[2].body[0].value
    position = resolver.position(call)
    assert (position.start.line, position.start.column) == (4, 0)
    assert (position.end.line, position.end.column) == (6, 1)
    assert resolver.position(call) == wrapper.resolve(PositionProvider)[call]
