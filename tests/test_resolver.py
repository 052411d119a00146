"""The resolver's own parent map must agree with LibCST's ParentNodeProvider on real code."""

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, ParentNodeProvider

from dslint.analysis.resolver import Resolver, assigned_value, parent_map

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = [path for path in sorted((ROOT / "tests" / "fixtures").rglob("*.py"))[:40] + sorted((ROOT / "dslint").rglob("*.py"))
           if path.stat().st_size > 200]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: str(path.relative_to(ROOT)))
def test_parent_map_equals_parent_node_provider(path):
    wrapper = MetadataWrapper(cst.parse_module(path.read_text(encoding="utf-8")), unsafe_skip_copy=True)
    expected = dict(wrapper.resolve(ParentNodeProvider))
    found = parent_map(wrapper.module)
    assert len(found) == len(expected) > 10
    assert all(found.get(node) is parent for node, parent in expected.items())


def test_assignments_come_in_source_order():
    # A Scope keeps a name's assignments in a set, whose order changes between runs; analyses
    # that take the first value that fits (a client, a receiver's class) must not.
    source = "".join(f"x = V{i}()\n" for i in range(40)) + "x\n"
    module = cst.parse_module(source)
    resolver = Resolver(MetadataWrapper(module, unsafe_skip_copy=True), "m")
    use = module.body[-1].body[0].value
    values = [module.code_for_node(assigned_value(a.node, resolver)) for a in resolver.assignments(use)]
    assert values == [f"V{i}()" for i in range(40)]
