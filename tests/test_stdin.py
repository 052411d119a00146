"""`dslint - --stdin-filename PATH`, as editors call it: the config, per-file-ignores and excludes
are those of PATH, and findings are shown under it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import CALL_ROW, UNHANDLED_CALL, run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.dslint]\nextend-exclude = ["generated/"]\n\n[tool.dslint.per-file-ignores]\n"legacy/*.py" = ["DS101"]\n',
        encoding="utf-8",
    )
    (tmp_path / "service").mkdir()
    (tmp_path / "service" / "pyproject.toml").write_text('[tool.dslint]\nignore = ["DS1"]\n', encoding="utf-8")
    return tmp_path


def lint_stdin(project: Path, name: str, *args: str):
    return run(project, "-", "--stdin-filename", name, "--format", "json", *args, stdin=UNHANDLED_CALL)


def test_findings_are_shown_under_the_given_name(project):
    result = lint_stdin(project, "app/llm.py")
    assert result.returncode == 1
    [item] = json.loads(result.stdout)
    assert (item["filename"], item["location"]["row"], item["code"]) == ("app/llm.py", CALL_ROW, "DS101")


def test_per_file_ignores_resolve_from_the_name(project):
    result = lint_stdin(project, "legacy/old.py")
    assert (result.returncode, json.loads(result.stdout)) == (0, [])


def test_the_nearest_config_of_the_name_applies(project):
    assert json.loads(lint_stdin(project, "service/api.py").stdout) == []
    # The file need not exist, nor its folder: the config is found from the path's folders upwards.
    assert json.loads(lint_stdin(project, "service/new/api.py").stdout) == []


def test_excludes_apply_with_force_exclude(project):
    assert json.loads(lint_stdin(project, "generated/client.py").stdout) != []
    forced = lint_stdin(project, "generated/client.py", "--force-exclude")
    assert (forced.returncode, json.loads(forced.stdout)) == (0, [])


def test_stdin_without_a_name(project):
    result = run(project, "-", "--format", "concise", stdin=UNHANDLED_CALL)
    assert result.stdout.startswith(f"-:{CALL_ROW}:")


def test_stdin_syntax_error_is_ds001(project):
    result = run(project, "-", "--stdin-filename", "x.py", "--format", "concise", stdin="import openai\ndef (:\n")
    assert result.returncode == 1
    assert result.stdout.startswith("x.py:2:")
    assert " DS001 " in result.stdout
