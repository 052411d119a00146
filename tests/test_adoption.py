"""Adopting dslint in an old codebase: `--write-baseline`/`--baseline` and `--add-noqa`."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from test_cli import run

CLIENT = 'from openai import OpenAI\n\nclient = OpenAI(base_url="https://api.deepseek.com")\n'
CALL = 'response = client.chat.completions.create(model="m", messages=[])\n'


def findings(project: Path, *args: str):
    result = run(project, "--format", "json", *args)
    assert result.returncode in (0, 1), result.stderr
    return [(item["filename"], item["location"]["row"], item["code"]) for item in json.loads(result.stdout)]


# --- baseline --------------------------------------------------------------------------------


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(CLIENT + CALL + "x = 1\n" + CALL, encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "jobs.py").write_text(CLIENT + CALL, encoding="utf-8")
    written = run(tmp_path, "--write-baseline", ".dslint-baseline.json")
    assert written.returncode == 0
    assert written.stdout == ""
    assert written.stderr == "Wrote 3 findings to the baseline .dslint-baseline.json.\n"
    return tmp_path


def test_baseline_file_is_sorted_json_relative_to_its_folder(legacy):
    document = json.loads((legacy / ".dslint-baseline.json").read_text(encoding="utf-8"))
    assert document == {
        "dslint-baseline": 1,
        "findings": [
            {"code": "DS101", "path": "app.py", "line": CALL.strip(), "occurrence": 0},
            {"code": "DS101", "path": "app.py", "line": CALL.strip(), "occurrence": 1},
            {"code": "DS101", "path": "pkg/jobs.py", "line": CALL.strip(), "occurrence": 0},
        ],
    }


def test_baselined_findings_are_not_reported(legacy):
    result = run(legacy, "--baseline", ".dslint-baseline.json")
    assert (result.returncode, result.stdout) == (0, "All checks passed!\n")


def test_baseline_survives_inserting_lines_above_and_reports_a_new_finding(legacy):
    app = legacy / "app.py"
    # Lines inserted above every finding, whitespace changed on a flagged line, another line edited.
    shifted = "# Support bot\n\nimport os\n\n" + app.read_text(encoding="utf-8").replace("x = 1", "x = 2")
    shifted = shifted.replace("response = client", "response =   client", 1)
    app.write_text(shifted + "\n\ndef job():\n    " + CALL, encoding="utf-8")
    assert findings(legacy) == [("app.py", 8, "DS101"), ("app.py", 10, "DS101"), ("app.py", 14, "DS101"),
                                ("pkg/jobs.py", 4, "DS101")]  # fmt: skip
    assert findings(legacy, "--baseline", ".dslint-baseline.json") == [("app.py", 14, "DS101")]


def test_a_third_copy_of_a_baselined_line_is_new(legacy):
    (legacy / "app.py").write_text(CLIENT + CALL + "x = 1\n" + CALL + CALL, encoding="utf-8")
    assert findings(legacy, "--baseline", ".dslint-baseline.json") == [("app.py", 7, "DS101")]


def test_baseline_applies_from_another_working_folder(legacy):
    (legacy / "pkg" / "jobs.py").write_text("\n\n" + CLIENT + CALL, encoding="utf-8")
    result = run(legacy / "pkg", ".", "--baseline", "../.dslint-baseline.json")
    assert (result.returncode, result.stdout) == (0, "All checks passed!\n")


def test_bad_baselines_are_errors(legacy):
    missing = run(legacy, "--baseline", "nope.json")
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: cannot read baseline nope.json: ")
    (legacy / "bad.json").write_text('{"findings": []}', encoding="utf-8")
    bad = run(legacy, "--baseline", "bad.json")
    assert bad.returncode == 2
    assert "is not a dslint baseline" in bad.stderr
    assert bad.stdout == ""


def test_baseline_and_notebooks(tmp_path):
    from test_notebooks import NOTEBOOK

    (tmp_path / "nb.ipynb").write_text(NOTEBOOK, encoding="utf-8")
    assert run(tmp_path, "--write-baseline", "base.json").returncode == 0
    [entry] = json.loads((tmp_path / "base.json").read_text(encoding="utf-8"))["findings"]
    assert entry["line"] == CALL.strip()
    assert run(tmp_path, "--baseline", "base.json").returncode == 0


# --- --add-noqa ------------------------------------------------------------------------------


def test_add_noqa_suppresses_every_finding(tmp_path):
    source = (
        CLIENT
        + CALL
        + "other = client.chat.completions.create(  # why not\n    model='m',\n    messages=[],\n)\n"
        + CALL.rstrip("\n") + "  # noqa: DS201 -- retried on purpose\n"
        + "text = f'''{client.chat.completions.create(model='m', messages=[])}\n'''\n"
    )  # fmt: skip
    app = tmp_path / "app.py"
    app.write_text(source, encoding="utf-8")
    os.chmod(app, 0o640)
    result = run(tmp_path, "--add-noqa")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "warning: app.py:11: not suppressed (DS101): dslint would not see a comment on this line "
        "(it closes a multi-line string)",
        "Added 3 noqa directives in 1 file.",
    ]
    assert app.read_text(encoding="utf-8").splitlines()[3:11] == [
        CALL.rstrip("\n") + "  # noqa: DS101",
        "other = client.chat.completions.create(  # why not",
        "    model='m',",
        "    messages=[],",
        ")  # noqa: DS101",
        CALL.rstrip("\n") + "  # noqa: DS201, DS101 -- retried on purpose",
        "text = f'''{client.chat.completions.create(model='m', messages=[])}",
        "'''",
    ]
    assert stat.S_IMODE(app.stat().st_mode) == 0o640
    assert findings(tmp_path) == [("app.py", 10, "DS101")]  # only the one it could not suppress
    again = run(tmp_path, "--add-noqa")
    assert again.stderr.splitlines()[-1] == "Added 0 noqa directives in 0 files."


def test_add_noqa_never_breaks_a_string_or_a_continuation(tmp_path):
    app = tmp_path / "app.py"
    source = CLIENT + 'r = client.chat.completions.create(model="m", messages=[]) + \\\n    1\n'
    app.write_text(source, encoding="utf-8")
    result = run(tmp_path, "--add-noqa")
    assert result.returncode == 0
    assert app.read_text(encoding="utf-8") == source.replace("    1\n", "    1  # noqa: DS101\n")
    assert run(tmp_path).returncode == 0


def test_add_noqa_keeps_crlf_and_bom(tmp_path):
    app = tmp_path / "app.py"
    app.write_bytes(b"\xef\xbb\xbf" + (CLIENT + CALL).replace("\n", "\r\n").encode("utf-8"))
    assert run(tmp_path, "--add-noqa").returncode == 0
    assert app.read_bytes() == b"\xef\xbb\xbf" + (CLIENT + CALL.rstrip("\n") + "  # noqa: DS101\n").replace(
        "\n", "\r\n"
    ).encode("utf-8")


def test_add_noqa_in_a_notebook(tmp_path):
    from test_notebooks import NOTEBOOK

    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(NOTEBOOK, encoding="utf-8")
    result = run(tmp_path, "--add-noqa")
    assert result.stderr == "Added 1 noqa directive in 1 file.\n"
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    assert cells[2]["source"][-1] == CALL.rstrip("\n") + "  # noqa: DS101"
    assert cells[2]["source"][0] == "%pip install openai\n"
    expected = NOTEBOOK.replace('messages=[])"', 'messages=[])  # noqa: DS101"')
    assert notebook.read_text(encoding="utf-8") == expected  # nothing else in the file changed
    assert run(tmp_path).returncode == 0


def test_add_noqa_leaves_symlinks_alone(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "real.py").write_text(CLIENT + CALL, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "link.py").symlink_to(outside / "real.py")
    result = run(project, "link.py", "--add-noqa")
    assert result.returncode == 2
    assert "error: cannot add noqa to link.py: not a regular file (a symlink)" in result.stderr
    assert (outside / "real.py").read_text(encoding="utf-8") == CLIENT + CALL


def test_add_noqa_refuses_stdin(tmp_path):
    result = run(tmp_path, "-", "--add-noqa", stdin=CLIENT + CALL)
    assert result.returncode == 2
    assert result.stderr.startswith("error: --add-noqa changes files in place")
