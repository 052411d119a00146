"""`dslint examples/` shows what the README promises: exactly the findings annotated in the app."""

from __future__ import annotations

from pathlib import Path

from test_fixtures import check

from dslint.rules import all_rules

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_example_app_findings_are_the_annotated_ones():
    default_on = [rule.code for rule in all_rules() if rule.default_on]
    check(sorted(EXAMPLES.rglob("*.py")), EXAMPLES, None, select=default_on)
