"""Rule documentation: the Markdown pages in the repository's `rules/` folder.

A wheel ships them as package data in `dslint/_rule_docs/` (see pyproject.toml); a source checkout
or an editable install reads them from `rules/` beside the package.
"""

from __future__ import annotations

import re
from pathlib import Path

DOCS_URL = "https://github.com/dslint-dev/dslint/blob/main/rules/{code}.md"

_PACKAGE = Path(__file__).resolve().parent
_DOC_FOLDERS = (_PACKAGE / "_rule_docs", _PACKAGE.parent / "rules")
_RULE_CODE = re.compile(r"DS\d{3}")


class UnknownRuleError(LookupError):
    def __str__(self) -> str:
        return f"unknown rule code: {self.args[0]}"


def rule_url(code: str) -> str:
    return DOCS_URL.format(code=code)


def rule_doc(code: str) -> str:
    """The Markdown page of rule `code` (e.g. "DS101")."""
    # The code becomes part of a file name: anything but DSnnn could reach outside the folder.
    if _RULE_CODE.fullmatch(code):
        for folder in _DOC_FOLDERS:
            page = folder / f"{code}.md"
            if page.is_file():
                return page.read_text(encoding="utf-8")
    raise UnknownRuleError(code)
