"""dslint inside other tools: the GitHub Action (action.yml) and the pre-commit hooks, run for real."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import CALL_ROW, UNHANDLED_CALL, dslint_command
from test_notebooks import NOTEBOOK

REPOSITORY = Path(__file__).resolve().parents[1]


# --- GitHub Action ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def action():
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load((REPOSITORY / "action.yml").read_text(encoding="utf-8"))


def test_action_is_a_composite_that_installs_dslint_from_its_own_folder(action):
    assert set(action["inputs"]) == {"args", "sarif-file", "python-version"}
    runs = action["runs"]
    assert runs["using"] == "composite"
    steps = runs["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    install = next(step for step in steps if step.get("name") == "Install dslint")
    assert '"$GITHUB_ACTION_PATH"' in install["run"]
    for step in steps:
        # Inputs reach scripts through env only: an expression pasted into a script is an injection.
        assert "${{" not in step.get("run", "")
        assert step.get("shell", "bash") == "bash"


def run_step(action, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """The action's "Run dslint" step, with the `dslint` of this test run on PATH."""
    step = next(step for step in action["runs"]["steps"] if step.get("id") == "lint")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "dslint"
    shim.write_text("#!/bin/sh\nexec " + " ".join(f"'{part}'" for part in dslint_command()) + ' "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    environment = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
                       GITHUB_OUTPUT=str(tmp_path / "github_output"), **env)  # fmt: skip
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path / "repo", env=environment,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_action_annotates_and_writes_sarif(action, tmp_path):
    (tmp_path / "repo" / "src").mkdir(parents=True)
    (tmp_path / "repo" / "src" / "app.py").write_text(UNHANDLED_CALL, encoding="utf-8")
    (tmp_path / "repo" / "notes.py").write_text(UNHANDLED_CALL, encoding="utf-8")
    result = run_step(action, tmp_path, DSLINT_ARGS="src  --select DS1", DSLINT_SARIF_FILE="reports/dslint.sarif")
    assert result.returncode == 1, result.stderr
    [annotation] = result.stdout.splitlines()
    assert annotation.startswith(f"::error file=src/app.py,line={CALL_ROW},col=12,")
    sarif = json.loads((tmp_path / "repo" / "reports" / "dslint.sarif").read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["DS101"]
    assert (tmp_path / "github_output").read_text() == "sarif-file=reports/dslint.sarif\n"

    clean = run_step(action, tmp_path, DSLINT_ARGS="src --ignore DS101", DSLINT_SARIF_FILE="")
    assert (clean.returncode, clean.stdout) == (0, ""), clean.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_action_fails_on_a_usage_error_before_writing_sarif(action, tmp_path):
    (tmp_path / "repo").mkdir()
    result = run_step(action, tmp_path, DSLINT_ARGS="--select NOPE", DSLINT_SARIF_FILE="dslint.sarif")
    assert result.returncode == 2
    assert "error: --select: invalid rule selector 'NOPE'" in result.stderr


# --- pre-commit ------------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}  # fmt: skip
    environment = dict(os.environ, **identity)
    return subprocess.run(["git", *args], cwd=cwd, env=environment, check=True, capture_output=True, text=True).stdout


def snapshot_of_this_checkout(target: Path) -> Path:
    """A git repository holding this checkout's files as they are now (committed or not), so
    try-repo tests the hooks of the code under test, not of the last commit."""
    listed = git(REPOSITORY, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        source = REPOSITORY / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "snapshot")
    return target


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.skipif(not (REPOSITORY / ".git").exists(), reason="needs a git checkout of dslint")
def test_pre_commit_try_repo_runs_the_hook(tmp_path):
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install pre-commit)")
    hooks = snapshot_of_this_checkout(tmp_path / "dslint")
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    (project / "app.py").write_text(UNHANDLED_CALL, encoding="utf-8")
    (project / "nb.ipynb").write_text(NOTEBOOK, encoding="utf-8")
    (project / "clean.py").write_text("print('hello')\n", encoding="utf-8")
    (project / "build").mkdir()
    (project / "build" / "generated.py").write_text(UNHANDLED_CALL, encoding="utf-8")  # excluded by default
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "project")
    environment = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), PIP_DISABLE_PIP_VERSION_CHECK="1")
    environment.pop("PRE_COMMIT", None)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), "dslint", "--all-files", "--color", "never"],
        cwd=project, env=environment, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "dslint" in output and "Failed" in output
    assert f"app.py:{CALL_ROW}:12: DS101 " in output
    assert "nb.ipynb:cell 3:8:12: DS101 " in output
    assert "generated.py" not in output  # --force-exclude keeps the default excludes
    assert "clean.py" not in output
