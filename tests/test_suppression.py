from __future__ import annotations

from typing import List, Optional

import pytest

from dslint.findings import Finding, Position
from dslint.suppression import filter_suppressed


def finding(code: str, row: int, noqa_row: Optional[int] = None) -> Finding:
    return Finding(code, "message", "app.py", Position(row, 1), Position(row, 5), noqa_row=noqa_row)


def kept(source: str, *findings: Finding) -> List[str]:
    return [f"{f.code}@{f.start.row}" for f in filter_suppressed(list(findings), source)]


CALL = "client.chat.completions.create()"


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa",
        "# NOQA",
        "#noqa",
        "# noqa: DS101",
        "# noqa:DS101",
        "# noqa: DS102, DS101",
        "# noqa: DS102,DS101",
        "# noqa: DS102 DS101",
        "# noqa: DS1",
        "# noqa: DS101 -- the caller handles it",
        "# noqa: this call is fine",  # no codes: a bare noqa, as flake8 reads it
        "# type: ignore  # noqa: DS101",
        "# dslint: ignore",
        "# dslint: ignore[DS101]",
        "# dslint: ignore[DS102, DS101]",
        "# dslint: ignore[DS102,DS101] -- reason",
        "#dslint:ignore[DS1]",
    ],
)
def test_comment_on_the_anchor_row_suppresses(comment):
    assert kept(f"{CALL}  {comment}\n", finding("DS101", 1)) == []


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa: DS102",
        "# noqa: DS2",
        "# noqa: DS1011",
        "# noqa: E501",
        "# dslint: ignore[DS102]",
        "# dslint: file-ignore[DS102]",
        "# noqa-ish comment",
        "# dslint ignore",
    ],
)
def test_comment_for_other_codes_does_not_suppress(comment):
    assert kept(f"{CALL}  {comment}\n", finding("DS101", 1)) == ["DS101@1"]


def test_suppresses_only_the_row_it_is_on():
    source = f"{CALL}  # noqa\n{CALL}\n"
    assert kept(source, finding("DS101", 1), finding("DS101", 2)) == ["DS101@2"]


def test_comment_on_the_last_row_of_the_statement_suppresses():
    source = "response = client.chat.completions.create(\n    model='deepseek-chat',\n)  # noqa: DS101\n"
    assert kept(source, finding("DS101", 1, noqa_row=3)) == []
    assert kept(source, finding("DS101", 1)) == ["DS101@1"]


def test_comment_alone_on_the_line_above_suppresses():
    source = f"x = 1\n    # dslint: ignore[DS101] -- retried upstream\n    {CALL}\n"
    assert kept(source, finding("DS101", 3)) == []


def test_trailing_comment_of_the_line_above_does_not_suppress():
    source = f"x = 1  # noqa\n{CALL}\n"
    assert kept(source, finding("DS101", 2)) == ["DS101@2"]


def test_file_ignore_anywhere_applies_to_the_whole_file():
    source = f"{CALL}\n{CALL}\n\n# dslint: file-ignore[DS101]\n"
    assert kept(source, finding("DS101", 1), finding("DS102", 2), finding("DS101", 2)) == ["DS102@2"]


def test_bare_file_ignore_covers_every_code():
    source = f"# dslint: file-ignore -- generated code\n{CALL}\n"
    assert kept(source, finding("DS101", 2), finding("DS301", 2)) == []


@pytest.mark.parametrize(
    "line",
    [
        'print("# noqa")',
        "print('# noqa: DS101')",
        'print("it\'s # noqa")',
        'print("a \\" # noqa")',
        'print("""# dslint: ignore""")',
    ],
)
def test_noqa_inside_a_string_is_not_a_comment(line):
    assert kept(f"{line}\n", finding("DS101", 1)) == ["DS101@1"]


def test_file_ignore_inside_a_string_is_not_a_comment():
    assert kept('x = "# dslint: file-ignore"\n' + CALL + "\n", finding("DS101", 2)) == ["DS101@2"]


def test_comment_after_a_string_still_counts():
    assert kept('print("#")  # noqa: DS101\n', finding("DS101", 1)) == []


def test_rows_are_counted_by_python_line_breaks():
    # Form feeds and other separators that str.splitlines() breaks on are not line breaks in Python.
    source = "a = 1\r\nb = '\x0c'\r\n" + CALL + "  # noqa\r\n"
    assert kept(source, finding("DS101", 3)) == []


def test_rows_past_the_end_are_left_alone():
    assert kept("x = 1  # noqa: DS102\n", finding("DS101", 40)) == ["DS101@40"]
