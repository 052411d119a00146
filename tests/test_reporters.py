from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Dict, List

import pytest

from dslint.findings import Edit, Finding, Fix, Position
from dslint.reporters import FORMATS, render


@dataclass
class Run:
    findings: List[Finding] = field(default_factory=list)
    files_checked: int = 1
    sources: Dict[str, str] = field(default_factory=dict)


SOURCE = "import openai\n\nresponse = client.chat.completions.create(model='deepseek-chat')\n"
SAFE_FIX = Fix(
    "safe", "Add a wait", (Edit("wait=wait_random_exponential(min=1, max=60)", Position(3, 5), Position(3, 5)),)
)
UNSAFE_FIX = Fix(
    "unsafe", "Narrow the retried exceptions", (Edit("openai.RateLimitError", Position(1, 8), Position(1, 17)),)
)


def unhandled(path: str = "app.py", row: int = 3, **changes) -> Finding:
    fields = dict(
        code="DS101",
        message="429 Rate Limit Reached escapes",
        path=path,
        start=Position(row, 12),
        end=Position(row, 42),
        suggestion="catch openai.APIStatusError",
        noqa_row=row,
    )
    fields.update(changes)
    return Finding(**fields)


def test_formats_offered():
    assert FORMATS == ("text", "concise", "json", "sarif", "github", "gitlab")


# --- text ------------------------------------------------------------------------------------


def test_text_shows_the_line_with_carets_under_the_span_and_the_help():
    out = render("text", Run([unhandled()], sources={"app.py": SOURCE}))
    assert out == (
        "app.py:3:12: DS101 429 Rate Limit Reached escapes\n"
        "  |\n"
        "3 | response = client.chat.completions.create(model='deepseek-chat')\n"
        "  |            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "  |\n"
        "  = help: catch openai.APIStatusError\n"
        "\n"
        "Found 1 problem in 1 file.\n"
    )


def test_text_gutter_widens_with_the_row_number():
    source = "\n" * 119 + "x = call()\n"
    finding = unhandled(row=120, start=Position(120, 5), end=Position(120, 11), suggestion="")
    out = render("text", Run([finding], sources={"app.py": source}))
    assert "    |\n120 | x = call()\n    |     ^^^^^^\n    |\n" in out
    assert "help" not in out


def test_text_span_running_past_the_row_is_underlined_to_its_end():
    source = "x = call(\n    1,\n)\n"
    finding = unhandled(row=1, start=Position(1, 5), end=Position(3, 2))
    assert "1 | x = call(\n  |     ^^^^^\n" in render("text", Run([finding], sources={"app.py": source}))


def test_text_empty_span_still_gets_one_caret():
    finding = unhandled(row=1, start=Position(1, 3), end=Position(1, 3))
    assert "1 | x = 1\n  |   ^\n" in render("text", Run([finding], sources={"app.py": "x = 1\n"}))


def test_text_tabs_keep_the_carets_aligned():
    finding = unhandled(row=1, start=Position(1, 2), end=Position(1, 6))
    out = render("text", Run([finding], sources={"app.py": "\tcall()\n"}))
    assert "1 |     call()\n  |     ^^^^\n" in out


def test_text_without_the_source_shows_headline_and_help_only():
    out = render("text", Run([unhandled()]))
    assert out.splitlines()[:2] == [
        "app.py:3:12: DS101 429 Rate Limit Reached escapes",
        "  = help: catch openai.APIStatusError",
    ]


def test_text_blank_line_between_findings_and_plural_summary():
    findings = [unhandled("b.py"), unhandled("a.py", row=1), unhandled("a.py", row=3)]
    out = render("text", Run(findings, files_checked=5))
    headlines = [line for line in out.splitlines() if line.endswith("escapes")]
    assert headlines == [
        "a.py:1:12: DS101 429 Rate Limit Reached escapes",
        "a.py:3:12: DS101 429 Rate Limit Reached escapes",
        "b.py:3:12: DS101 429 Rate Limit Reached escapes",
    ]
    assert "  = help: catch openai.APIStatusError\n\na.py:3:12" in out
    assert out.endswith("\n\nFound 3 problems in 2 files.\n")


def test_text_without_findings():
    assert render("text", Run()) == "All checks passed!\n"
    assert render("text", Run(), quiet=True) == ""


def test_quiet_leaves_out_the_summary():
    out = render("text", Run([unhandled()]), quiet=True)
    assert "Found" not in out
    assert out.startswith("app.py:3:12: DS101")


def test_fixable_marker_and_fix_summary():
    findings = [
        unhandled(fix=SAFE_FIX),
        unhandled(row=4, fix=SAFE_FIX),
        unhandled(row=5, fix=UNSAFE_FIX),
        unhandled(row=6),
    ]
    out = render("concise", Run(findings))
    assert out.splitlines() == [
        "app.py:3:12: DS101 [*] 429 Rate Limit Reached escapes",
        "app.py:4:12: DS101 [*] 429 Rate Limit Reached escapes",
        "app.py:5:12: DS101 429 Rate Limit Reached escapes",
        "app.py:6:12: DS101 429 Rate Limit Reached escapes",
        "Found 4 problems in 1 file.",
        "[*] 2 fixable with the --fix option (1 hidden fix can be enabled with the --unsafe-fixes option).",
    ]


@pytest.mark.parametrize(
    "fixes, last_line",
    [
        ([SAFE_FIX], "[*] 1 fixable with the --fix option."),
        (
            [UNSAFE_FIX, UNSAFE_FIX],
            "No fixes available (2 hidden fixes can be enabled with the --unsafe-fixes option).",
        ),
        ([None], "Found 1 problem in 1 file."),
    ],
)
def test_fix_summary_line(fixes, last_line):
    findings = [unhandled(row=row, fix=fix) for row, fix in enumerate(fixes, start=1)]
    assert render("text", Run(findings)).splitlines()[-1] == last_line


def test_notebook_findings_name_their_cell():
    out = render("concise", Run([unhandled("nb.ipynb", cell=2)]))
    assert out.startswith("nb.ipynb:cell 2:3:12: DS101 ")


# --- concise ---------------------------------------------------------------------------------


def test_concise_is_one_line_per_finding_then_the_summary():
    assert render("concise", Run([unhandled()], sources={"app.py": SOURCE})) == (
        "app.py:3:12: DS101 429 Rate Limit Reached escapes\nFound 1 problem in 1 file.\n"
    )
    assert render("concise", Run()) == "All checks passed!\n"


# --- json ------------------------------------------------------------------------------------


def test_json_has_exactly_the_ruff_shaped_keys():
    out = render("json", Run([unhandled(fix=SAFE_FIX)]))
    assert out.endswith("]\n")
    assert out.startswith('[\n  {\n    "code": "DS101",\n')
    [item] = json.loads(out)
    assert item == {
        "code": "DS101",
        "message": "429 Rate Limit Reached escapes",
        "filename": "app.py",
        "location": {"row": 3, "column": 12},
        "end_location": {"row": 3, "column": 42},
        "fix": {
            "applicability": "safe",
            "message": "Add a wait",
            "edits": [
                {
                    "content": "wait=wait_random_exponential(min=1, max=60)",
                    "location": {"row": 3, "column": 5},
                    "end_location": {"row": 3, "column": 5},
                }
            ],
        },
        "url": "https://github.com/dslint-dev/dslint/blob/main/rules/DS101.md",
        "noqa_row": 3,
        "cell": None,
    }


def test_json_is_sorted_and_has_no_summary():
    findings = [
        unhandled("b.py", row=1),
        unhandled("a.py", row=2, code="DS103"),
        unhandled("a.py", row=2, code="DS102"),
        unhandled("a.py", row=1),
    ]
    items = json.loads(render("json", Run(findings)))
    assert [(i["filename"], i["location"]["row"], i["code"]) for i in items] == [
        ("a.py", 1, "DS101"),
        ("a.py", 2, "DS102"),
        ("a.py", 2, "DS103"),
        ("b.py", 1, "DS101"),
    ]
    assert items[0]["fix"] is None
    assert render("json", Run()) == "[]\n"


def test_json_keeps_non_ascii_text_readable():
    assert "é" in render("json", Run([unhandled(message="réponse")]))


# --- statistics ------------------------------------------------------------------------------


def statistics_findings() -> List[Finding]:
    return [
        unhandled(row=1),
        unhandled(row=2, code="DS103", fix=SAFE_FIX),
        unhandled(row=3),
        unhandled(row=4, code="DS103"),
        unhandled(row=5),
        unhandled(row=6, code="DS102"),
    ]


def test_statistics_table_counts_per_rule_most_first():
    out = render("text", Run(statistics_findings()), show_statistics=True)
    assert out.splitlines() == [
        "3  DS101      unhandled-api-error",
        "2  DS103  [*] swallowed-api-error",
        "1  DS102      partially-handled-status",
    ]
    assert render("text", Run(), show_statistics=True) == ""


def test_statistics_json():
    rows = json.loads(render("json", Run(statistics_findings()), show_statistics=True))
    assert rows == [
        {"code": "DS101", "name": "unhandled-api-error", "count": 3, "fixable": False},
        {"code": "DS103", "name": "swallowed-api-error", "count": 2, "fixable": True},
        {"code": "DS102", "name": "partially-handled-status", "count": 1, "fixable": False},
    ]
