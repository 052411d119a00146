from __future__ import annotations

import pytest

import dslint.docs
from dslint.docs import UnknownRuleError, rule_doc, rule_url


def test_rule_url():
    assert rule_url("DS201") == "https://github.com/dslint-dev/dslint/blob/main/rules/DS201.md"


def test_installed_pages_come_before_the_checkout(tmp_path, monkeypatch):
    installed, checkout = tmp_path / "_rule_docs", tmp_path / "rules"
    installed.mkdir()
    checkout.mkdir()
    (installed / "DS101.md").write_text("# installed\n", encoding="utf-8")
    (checkout / "DS101.md").write_text("# checkout\n", encoding="utf-8")
    (checkout / "DS102.md").write_text("# checkout only\n", encoding="utf-8")
    monkeypatch.setattr(dslint.docs, "_DOC_FOLDERS", (installed, checkout))
    assert rule_doc("DS101") == "# installed\n"
    assert rule_doc("DS102") == "# checkout only\n"


@pytest.mark.parametrize("code", ["DS999", "ds101", "../README", "DS101.md", ""])
def test_unknown_codes_are_a_clear_error(tmp_path, monkeypatch, code):
    (tmp_path / "README.md").write_text("not a rule", encoding="utf-8")
    monkeypatch.setattr(dslint.docs, "_DOC_FOLDERS", (tmp_path / "rules",))
    with pytest.raises(UnknownRuleError) as error:
        rule_doc(code)
    assert str(error.value) == f"unknown rule code: {code}"
