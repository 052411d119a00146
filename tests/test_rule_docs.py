"""Every rule has a page in rules/, and the page's examples are run: the bad one must produce the
rule's finding, the good one must not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dslint.config import Config
from dslint.engine import lint_text
from dslint.rules import all_rules

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
BLOCK = r"```python\n(.*?)```"


def examples(code: str):
    page = (RULES_DIR / f"{code}.md").read_text(encoding="utf-8")
    bad = re.search(r"## Example\s*\n+" + BLOCK, page, re.S)
    good = re.search(r"Use instead:\s*\n+" + BLOCK, page, re.S)
    assert bad and good, f"rules/{code}.md needs a python block after '## Example' and after 'Use instead:'"
    return bad.group(1), good.group(1)


def codes_found(code: str, source: str):
    config = Config(path=None, root=RULES_DIR, select=(code,))
    return [f.code for f in lint_text(source, "example.py", config).findings]


CODES = [rule.code for rule in all_rules()]


def test_every_rule_has_a_page_and_every_page_a_rule():
    assert sorted(p.stem for p in RULES_DIR.glob("DS*.md")) == sorted(CODES)


@pytest.mark.parametrize("code", CODES)
def test_bad_example_is_flagged(code):
    bad, _ = examples(code)
    assert code in codes_found(code, bad)


@pytest.mark.parametrize("code", CODES)
def test_good_example_is_clean(code):
    _, good = examples(code)
    assert code not in codes_found(code, good)


@pytest.mark.parametrize("code", CODES)
def test_page_states_name_and_default(code):
    rule = next(r for r in all_rules() if r.code == code)
    page = (RULES_DIR / f"{code}.md").read_text(encoding="utf-8")
    assert page.startswith(f"# {code} {rule.name}\n")
    assert f"Default: {'on' if rule.default_on else 'off'}" in page
