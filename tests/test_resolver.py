"""The resolver's own parent map must agree with LibCST's ParentNodeProvider on real code."""

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, ParentNodeProvider

from dslint.analysis.resolver import TRIVIA, Resolver, assigned_value, parent_map
from node_kinds import SOURCES, parse_or_skip

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = [path for path in sorted((ROOT / "tests" / "fixtures").rglob("*.py"))[:40] + sorted((ROOT / "dslint").rglob("*.py"))
           if path.stat().st_size > 200]


def _assert_parent_map_agrees(module):
    """parent_map equals ParentNodeProvider but for whitespace and punctuation, below which there
    is only more of it (no node the analysis looks at is left out); returns (kept, all) counts."""
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ParentNodeProvider)
    assert all(isinstance(node, TRIVIA) for node, parent in expected.items() if isinstance(parent, TRIVIA))
    found = parent_map(module)
    kept = {node: parent for node, parent in expected.items() if not isinstance(node, TRIVIA)}
    assert len(found) == len(kept)
    assert all(found.get(node) is parent for node, parent in kept.items())
    return len(kept), len(expected)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: str(path.relative_to(ROOT)))
def test_parent_map_equals_parent_node_provider(path):
    kept, every = _assert_parent_map_agrees(cst.parse_module(path.read_text(encoding="utf-8")))
    assert 10 < kept < every / 2  # what leaving out the trivia saves


def test_assignments_come_in_source_order():
    # A Scope keeps a name's assignments in a set, whose order changes between runs; analyses
    # that take the first value that fits (a client, a receiver's class) must not.
    source = "".join(f"x = V{i}()\n" for i in range(40)) + "x\n"
    module = cst.parse_module(source)
    resolver = Resolver(MetadataWrapper(module, unsafe_skip_copy=True), "m")
    use = module.body[-1].body[0].value
    values = [module.code_for_node(assigned_value(a.node, resolver)) for a in resolver.assignments(use)]
    assert values == [f"V{i}()" for i in range(40)]


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_only_trivia_below_trivia_on_every_kind_of_node(name):
    _assert_parent_map_agrees(parse_or_skip(SOURCES[name]))
