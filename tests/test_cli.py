"""The installed `dslint` command, run as a user runs it: in a subprocess, in a project folder."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

import pytest

from dslint import __version__

REPOSITORY = Path(__file__).resolve().parents[1]

UNHANDLED_CALL = """\
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com")
response = client.chat.completions.create(model="deepseek-chat", messages=[])
"""
CALL_ROW = 4


def dslint_command() -> List[str]:
    # The console script installed beside this interpreter; `python -m dslint` where there is none
    # (the package imported from a source checkout).
    script = Path(sys.executable).parent / "dslint"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dslint"]


def run(cwd: Path, *args: str, stdin: Optional[str] = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [*dslint_command(), *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(UNHANDLED_CALL, encoding="utf-8")
    return tmp_path


# --- information -----------------------------------------------------------------------------


def test_version(tmp_path):
    assert run(tmp_path, "--version").stdout == f"dslint {__version__}\n"
    assert __version__ == "0.1.0"


def test_python_dash_m_works_the_same(tmp_path):
    result = subprocess.run([sys.executable, "-m", "dslint", "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, f"dslint {__version__}\n")


def test_list_rules(tmp_path):
    result = run(tmp_path, "--list-rules")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["code", "name", "default", "fix"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows["DS101"] == ["unhandled-api-error", "on", "-"]
    assert rows["DS001"] == ["syntax-error", "on", "-"]
    assert list(rows) == sorted(rows)


def test_explain_prints_the_rule_page(tmp_path):
    result = run(tmp_path, "--explain", "DS101")
    assert result.returncode == 0
    page = (REPOSITORY / "rules" / "DS101.md").read_text(encoding="utf-8")
    assert result.stdout.rstrip("\n") == page.rstrip("\n")


def test_explain_unknown_code(tmp_path):
    result = run(tmp_path, "--explain", "DS999")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: unknown rule code: DS999")


# --- errors ----------------------------------------------------------------------------------


def test_config_error_names_file_and_key_and_exits_2(project):
    (project / "pyproject.toml").write_text('[tool.dslint]\nselect = ["DS1"]\nfoo = true\n', encoding="utf-8")
    result = run(project)
    assert result.returncode == 2
    assert result.stderr == "error: pyproject.toml: unknown key 'foo' in [tool.dslint]\n"
    assert result.stdout == ""


def test_explicit_config_that_does_not_exist(project):
    result = run(project, "--config", "missing.toml")
    assert result.returncode == 2
    assert "missing.toml" in result.stderr and result.stderr.startswith("error: ")


def test_bad_path_exits_2_after_reporting_the_other_files(project):
    result = run(project, "nope.py", "app.py", "--format", "concise")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "error: path does not exist: nope.py"
    assert f"app.py:{CALL_ROW}:" in result.stdout


def test_only_a_bad_path_claims_no_pass(project):
    result = run(project, "nope.py")
    assert result.returncode == 2
    assert "All checks passed" not in result.stdout


def test_bad_selector_on_the_command_line(project):
    result = run(project, "--select", "E501")
    assert result.returncode == 2
    assert result.stderr.startswith("error: --select: invalid rule selector 'E501'")


def test_usage_errors_are_error_lines_with_exit_2(project):
    result = run(project, "--format", "xml")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")


# --- linting ---------------------------------------------------------------------------------


def test_findings_exit_1_in_text_format(project):
    result = run(project)
    assert result.returncode == 1
    assert re.search(rf"^app\.py:{CALL_ROW}:\d+: DS101 ", result.stdout, re.MULTILINE)
    assert f"{CALL_ROW} | response = client.chat.completions.create(" in result.stdout
    assert result.stdout.endswith("Found 1 problem in 1 file.\n")


def test_select_by_prefix(project):
    assert "DS101" in run(project, "--select", "DS1").stdout
    clean = run(project, "--select", "DS2,DS3")
    assert (clean.returncode, clean.stdout) == (0, "All checks passed!\n")


def test_ignore_and_extend_select(project):
    assert run(project, "--ignore", "DS101").returncode == 0
    assert run(project, "--select", "DS2", "--extend-select", "DS101").returncode == 1


def test_config_file_selection_applies(project):
    (project / "pyproject.toml").write_text('[tool.dslint]\nignore = ["DS1"]\n', encoding="utf-8")
    assert run(project).returncode == 0
    assert run(project, "--select", "DS101").returncode == 1


def test_noqa_suppresses(project):
    (project / "app.py").write_text(UNHANDLED_CALL.replace("[])\n", "[])  # noqa: DS101 -- demo\n"), encoding="utf-8")
    assert run(project).returncode == 0


def test_json_shape(project):
    result = run(project, "--format", "json")
    assert result.returncode == 1
    [item] = [item for item in json.loads(result.stdout) if item["code"] == "DS101"]
    assert list(item) == [
        "code", "message", "filename", "location", "end_location", "fix", "url", "noqa_row", "cell",
    ]  # fmt: skip
    assert item["filename"] == "app.py"
    assert set(item["location"]) == set(item["end_location"]) == {"row", "column"}
    assert item["location"]["row"] == CALL_ROW
    assert item["url"].endswith("/rules/DS101.md")
    assert item["cell"] is None


def test_exit_zero_quiet_and_output_file(project):
    result = run(project, "--exit-zero", "--quiet", "--output-file", "out/report.txt")
    assert (result.returncode, result.stdout) == (0, "")
    report = (project / "out" / "report.txt").read_text(encoding="utf-8")
    assert " DS101 " in report and "Found" not in report


def test_statistics(project):
    result = run(project, "--statistics")
    assert result.returncode == 1
    assert result.stdout.split() == ["1", "DS101", "unhandled-api-error"]


def test_stdin_with_a_file_name(project):
    result = run(project, "-", "--stdin-filename", "pkg/module.py", "--format", "concise", stdin=UNHANDLED_CALL)
    assert result.returncode == 1
    assert result.stdout.startswith(f"pkg/module.py:{CALL_ROW}:")


def test_excluded_paths_given_explicitly(project):
    (project / "build").mkdir()
    (project / "build" / "gen.py").write_text(UNHANDLED_CALL, encoding="utf-8")
    assert run(project).stdout.count(" DS101 ") == 1  # the folder walk skips build/
    assert "build/gen.py" in run(project, "build/gen.py").stdout
    forced = run(project, "build/gen.py", "--force-exclude")
    assert forced.returncode == 0
    assert "build/gen.py" not in forced.stdout


def test_empty_folder_warns(tmp_path):
    result = run(tmp_path)
    assert result.returncode == 0
    assert "warning: No Python files found" in result.stderr


def test_paths_under_the_working_folder_are_shown_relative(project):
    (project / "pkg").mkdir()
    given = run(project, str(project / "app.py"), "--format", "concise")
    assert given.stdout.startswith(f"app.py:{CALL_ROW}:")
    named = run(
        project, "-", "--stdin-filename", str(project / "pkg" / "x.py"), "--format", "concise", stdin=UNHANDLED_CALL
    )
    assert named.stdout.startswith(f"pkg/x.py:{CALL_ROW}:")


_IMPORTS_LIBCST = ("import sys\nfrom dslint.cli import main\n"
                   "try:\n    main(sys.argv[1:], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
                   "print('libcst' in sys.modules)\n")


@pytest.mark.parametrize("source, imported", [
    ("import os\nprint(os.getcwd())\n", False),                      # names no SDK
    ("# see the openai docs\nimport json\njson.dumps({})\n", False),  # names one, calls nothing of it
    ("from openai import OpenAI\nOpenAI().models.list()\n", True),
])
def test_libcst_is_imported_only_when_a_file_can_hold_an_api_call(tmp_path, source, imported):
    (tmp_path / "job.py").write_text(source)
    for jobs in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", _IMPORTS_LIBCST, "--no-cache", "--jobs", jobs, "--quiet", "job.py"],
                             cwd=tmp_path, capture_output=True, text=True, check=True).stdout
        assert out.splitlines()[-1] == str(imported)
