"""The CI formats: SARIF (validated against the official 2.1.0 schema), GitHub workflow commands
and GitLab Code Quality (golden files), and the fingerprints they share."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

import pytest
from test_cli import CALL_ROW, UNHANDLED_CALL, run

from dslint.config import ConfigResolver
from dslint.engine import lint_paths
from dslint.findings import Edit, Finding, Fix, Position
from dslint.notebooks import load_notebook
from dslint.reporters import render
from dslint.rules import all_rules

jsonschema = pytest.importorskip("jsonschema")

TESTS = Path(__file__).resolve().parent
EXAMPLES = TESTS.parent / "examples"
GOLDEN = TESTS / "golden"
# The official schema (docs.oasis-open.org), as shipped in the SARIF 2.1.0 errata.
SARIF_SCHEMA = json.loads((TESTS / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def validate_sarif(document) -> None:
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(error.path)}: {error.message}" for error in errors[:10])


@pytest.fixture(scope="module")
def example_run():
    """The example app: findings of most rules, in several files (paths relative, as the CLI shows them)."""
    cwd = os.getcwd()
    os.chdir(EXAMPLES.parent)
    try:
        files = sorted(path.relative_to(EXAMPLES.parent) for path in EXAMPLES.rglob("*.py"))
        resolver = ConfigResolver(EXAMPLES.parent, select=[rule.code for rule in all_rules()])
        yield lint_paths(files, resolver)
    finally:
        os.chdir(cwd)


# --- SARIF -----------------------------------------------------------------------------------


def test_sarif_of_a_multi_rule_run_validates_against_the_schema(example_run):
    assert len({finding.code for finding in example_run.findings}) >= 6
    document = json.loads(render("sarif", example_run))
    validate_sarif(document)
    [sarif_run] = document["runs"]
    assert document["version"] == "2.1.0"
    assert len(sarif_run["results"]) == len(example_run.findings)


def test_sarif_rules_and_results(example_run):
    [sarif_run] = json.loads(render("sarif", example_run))["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in all_rules()]
    ds101 = rules[[rule["id"] for rule in rules].index("DS101")]
    assert ds101["name"] == "unhandled-api-error"
    assert ds101["shortDescription"]["text"]
    assert ds101["fullDescription"]["text"].startswith("Flags a DeepSeek/OpenAI API call")
    assert ds101["help"]["markdown"].startswith("# DS101 unhandled-api-error")
    assert ds101["helpUri"].endswith("/rules/DS101.md")
    assert ds101["defaultConfiguration"] == {"enabled": True, "level": "error"}
    opt_in = rules[[rule["id"] for rule in rules].index("DS303")]
    assert opt_in["defaultConfiguration"] == {"enabled": False, "level": "warning"}
    for result in sarif_run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["artifactLocation"]["uri"].startswith("examples/chatbot/")
        assert set(location["region"]) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert len(result["partialFingerprints"]["dslint/v1"]) == 32
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
    assert sarif_run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_sarif_fixes_and_errors():
    edit = Edit("wait=wait_random_exponential(min=1, max=60)", Position(2, 5), Position(2, 9))
    fix = Fix("safe", "Add a wait", (edit,))
    run_ = Run(
        [finding(row=2, fix=fix)], sources={"app.py": "x = 1\nretry(wait=1)\n"}, errors=["failed to lint b.py: boom"]
    )
    document = json.loads(render("sarif", run_))
    validate_sarif(document)
    [result] = document["runs"][0]["results"]
    assert result["fixes"] == [
        {
            "description": {"text": "Add a wait"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": {"startLine": 2, "startColumn": 5, "endLine": 2, "endColumn": 9},
                            "insertedContent": {"text": "wait=wait_random_exponential(min=1, max=60)"},
                        }
                    ],
                }
            ],
        }
    ]
    assert document["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_sarif_with_no_findings_and_odd_paths_validates():
    validate_sarif(json.loads(render("sarif", Run())))
    document = json.loads(render("sarif", Run([finding(path="dir with space/ü.py"), finding(path="/abs/x.py")])))
    validate_sarif(document)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in document["runs"][0]["results"]]
    assert uris == [{"uri": "file:///abs/x.py"}, {"uri": "dir%20with%20space/%C3%BC.py", "uriBaseId": "%SRCROOT%"}]


def test_sarif_through_the_command_with_an_error_on_stderr(tmp_path):
    (tmp_path / "app.py").write_text(UNHANDLED_CALL, encoding="utf-8")
    result = run(tmp_path, "app.py", "missing.py", "--format", "sarif")
    assert result.returncode == 2
    assert result.stderr == "error: path does not exist: missing.py\n"
    document = json.loads(result.stdout)
    validate_sarif(document)
    [item] = document["runs"][0]["results"]
    assert item["locations"][0]["physicalLocation"]["region"]["startLine"] == CALL_ROW
    assert document["runs"][0]["invocations"] == [
        {
            "executionSuccessful": False,
            "toolExecutionNotifications": [{"level": "error", "message": {"text": "path does not exist: missing.py"}}],
        }
    ]


# --- golden outputs --------------------------------------------------------------------------


@dataclass
class Run:
    findings: List[Finding] = field(default_factory=list)
    files_checked: int = 1
    sources: Dict[str, str] = field(default_factory=dict)
    notebooks: Dict[str, object] = field(default_factory=dict)
    errors: List[str] = field(default_factory=list)


def finding(path: str = "app.py", row: int = 4, code: str = "DS101", **changes) -> Finding:
    fields = dict(
        code=code,
        message="chat.completions.create: 402 Insufficient Balance, 429 Rate Limit Reached escape",
        path=path,
        start=Position(row, 12),
        end=Position(row, 42),
        noqa_row=row,
    )
    fields.update(changes)
    return Finding(**fields)


APP = 'from openai import OpenAI\nclient = OpenAI()\n\nr = client.chat.completions.create(model="m")\n' \
      'r = client.chat.completions.create(model="m")\nimport time; time.sleep(1)\n'
NOTEBOOK = json.dumps(
    {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Title"]},
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
             "source": ["%pip install openai\n", "r = client.chat.completions.create(model=\"m\")"]},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    },
    indent=1,
    sort_keys=True,
) + "\n"  # fmt: skip


def golden_run() -> Run:
    return Run(
        findings=[
            finding(),
            finding(row=5),  # the same line text again: a second occurrence, another fingerprint
            finding("src/jobs,v2.py", row=6, code="DS303", message="exponential wait, 100% without jitter:\nadd it",
                    start=Position(6, 14), end=Position(7, 3)),
            finding("nb.ipynb", row=2, start=Position(2, 5), end=Position(2, 46), cell=2),
        ],
        sources={"app.py": APP, "src/jobs,v2.py": "\n" * 5 + "retry(wait=wait_exponential(\n  1))\n"},
        notebooks={"nb.ipynb": load_notebook(NOTEBOOK)},
    )  # fmt: skip


@pytest.mark.parametrize("format_name, golden", [("github", "github.txt"), ("gitlab", "gitlab.json")])
def test_golden(format_name, golden):
    out = render(format_name, golden_run())
    expected = (GOLDEN / golden).read_text(encoding="utf-8")
    assert out == expected


def test_gitlab_fingerprints_are_unique_and_survive_line_shifts():
    before = json.loads(render("gitlab", golden_run()))
    assert len({issue["fingerprint"] for issue in before}) == len(before)
    shifted = golden_run()
    shifted.sources["app.py"] = "# a new first line\n\n" + APP
    shifted.findings[:2] = [finding(row=6), finding(row=7)]
    after = json.loads(render("gitlab", shifted))
    assert [issue["fingerprint"] for issue in after] == [issue["fingerprint"] for issue in before]
    assert [issue["location"]["lines"]["begin"] for issue in after][:2] == [6, 7]


def test_sarif_fingerprints_survive_line_shifts():
    def fingerprints(run_: Run) -> List[str]:
        results = json.loads(render("sarif", run_))["runs"][0]["results"]
        return [result["partialFingerprints"]["dslint/v1"] for result in results]

    before = golden_run()
    shifted = golden_run()
    shifted.sources["app.py"] = "import os\n\n\n" + APP
    shifted.findings[:2] = [finding(row=7), finding(row=8)]
    assert fingerprints(shifted) == fingerprints(before)
    assert len(set(fingerprints(before))) == 4
    edited = golden_run()
    edited.sources["app.py"] = APP.replace("r = client.chat.completions.create(", "r = client.x(", 1)
    assert fingerprints(edited)[0] != fingerprints(before)[0]


def test_github_and_gitlab_through_the_command(tmp_path):
    (tmp_path / "app.py").write_text(UNHANDLED_CALL, encoding="utf-8")
    github = run(tmp_path, "--format", "github")
    assert github.returncode == 1
    assert github.stdout.startswith(f"::error file=app.py,line={CALL_ROW},col=12,endLine={CALL_ROW},endColumn=")
    assert f",title=dslint (DS101)::app.py:{CALL_ROW}:12: DS101 chat.completions.create: " in github.stdout
    [issue] = json.loads(run(tmp_path, "--format", "gitlab").stdout)
    assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
    assert (issue["check_name"], issue["severity"], issue["location"]) == (
        "DS101", "major", {"path": "app.py", "lines": {"begin": CALL_ROW, "end": CALL_ROW}},
    )  # fmt: skip


def test_statistics_with_a_machine_format_prints_the_table(tmp_path):
    (tmp_path / "app.py").write_text(UNHANDLED_CALL, encoding="utf-8")
    for format_name in ("sarif", "github", "gitlab"):
        table = run(tmp_path, "--statistics", "--format", format_name).stdout
        assert table.split() == ["1", "DS101", "unhandled-api-error"]
    assert json.loads(run(tmp_path, "--statistics", "--format", "json").stdout) == [
        {"code": "DS101", "name": "unhandled-api-error", "count": 1, "fixable": False}
    ]
