"""Replaying a recorded run (dslint.snapshot): only while nothing the result depends on changed.

Each test runs the CLI twice with one cache folder, changing something in between, and counts the
engine's runs (`dslint.engine.lint_paths`): a replay never calls it. Files and folders get
modification times an hour in the past (seconds apart), as a tree that was not just written has;
a run over inputs modified moments ago is not recorded (see `test_a_run_over_fresh_changes_is_not_recorded`).
"""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

import dslint.cli
import dslint.engine
from dslint.cli import main

from cli_runner import cli_runner

UNHANDLED = """\
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com")


def ask(prompt):
    return client.chat.completions.create(model="deepseek-chat", messages=[{"role": "user", "content": prompt}])
"""
PLAIN = "def add(a, b):\n    return a + b\n"
LINT_PATHS, DISCOVER = dslint.engine.lint_paths, dslint.cli.discover


class Tree:
    def __init__(self, root: Path, files: Dict[str, str]):
        self.root = root
        self.cache = root.parent / "cache"
        self.clock = int(time.time()) - 3600
        for name, text in files.items():
            self.write(name, text)

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.age()

    def edit(self, name: str, text: str) -> None:
        """Change a file's bytes in place: its folder's modification time stays."""
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        self.clock += 10
        os.utime(path, ns=(self.clock * 10**9, self.clock * 10**9))

    def age(self) -> None:
        """Every file and folder under the root (and the root) modified in the past, the latest last."""
        self.clock += 10
        for folder, _, names in os.walk(self.root):
            for entry in [folder, *(os.path.join(folder, name) for name in names)]:
                os.utime(entry, ns=(self.clock * 10**9, self.clock * 10**9))

    def lint(self, monkeypatch, *options: str) -> Tuple[str, int, int]:
        """(stdout, exit status, how many times the engine ran); `self.walks`: how many times
        discovery walked the tree."""
        runs: List[int] = []
        walks: List[int] = []

        def counting(*args, **kwargs):
            runs.append(1)
            return LINT_PATHS(*args, **kwargs)

        def walking(*args, **kwargs):
            walks.append(1)
            return DISCOVER(*args, **kwargs)

        monkeypatch.setattr(dslint.engine, "lint_paths", counting)
        monkeypatch.setattr(dslint.cli, "discover", walking)
        monkeypatch.chdir(self.root)
        result = cli_runner().invoke(main, ["--cache-dir", str(self.cache), "--format", "concise", *options, "."])
        self.walks = len(walks)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result.output, result.exit_code, len(runs)


@pytest.fixture
def tree(tmp_path):
    return Tree(tmp_path / "project", {"app/llm.py": UNHANDLED, "app/util.py": PLAIN})


def test_an_unchanged_tree_is_replayed_with_the_same_report(tree, monkeypatch):
    first, status, runs = tree.lint(monkeypatch)
    assert runs == 1 and status == 1 and "DS101" in first
    again, status_again, runs_again = tree.lint(monkeypatch)
    assert (again, status_again, runs_again) == (first, status, 0)


def test_a_touched_file_with_the_same_bytes_is_still_replayed(tree, monkeypatch):
    first, _, _ = tree.lint(monkeypatch)
    path = tree.root / "app" / "llm.py"
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    assert tree.lint(monkeypatch) == (first, 1, 0)


def test_an_edited_file_is_linted_again_without_walking_the_tree(tree, monkeypatch):
    tree.lint(monkeypatch)
    tree.edit("app/llm.py", UNHANDLED.replace("return client", "try:\n        return client")
              + "    except Exception:\n        raise SystemExit(1)\n")
    output, status, runs = tree.lint(monkeypatch)
    assert runs == 1 and status == 0 and "DS101" not in output
    assert tree.walks == 0  # only linted files changed: the recorded run names the files
    assert tree.lint(monkeypatch)[1:] == (0, 0)  # and that run is recorded in turn


def test_a_config_file_edited_in_place_means_walking_again(tree, monkeypatch):
    tree.write("pyproject.toml", "[tool.dslint]\nignore = []\n")
    first, _, _ = tree.lint(monkeypatch, "--exit-zero")
    assert "DS101" in first
    tree.edit("pyproject.toml", '[tool.dslint]\nignore = ["DS101"]\n')
    output, _, runs = tree.lint(monkeypatch, "--exit-zero")
    assert runs == 1 and tree.walks == 1 and "DS101" not in output


@pytest.mark.parametrize("change", ["new file", "new folder", "removed file"])
def test_a_file_added_or_removed_is_linted_again(tree, monkeypatch, change):
    tree.lint(monkeypatch, "--exit-zero")
    if change == "new file":
        tree.write("app/other.py", UNHANDLED)
    elif change == "new folder":
        tree.write("app/jobs/other.py", UNHANDLED)
    else:
        (tree.root / "app" / "llm.py").unlink()
        tree.age()
    output, _, runs = tree.lint(monkeypatch, "--exit-zero")
    assert runs == 1 and tree.walks == 1
    assert output.count("DS101") == (0 if change == "removed file" else 2), output


def test_a_config_file_above_the_linted_folder_counts(tree, monkeypatch):
    tree.lint(monkeypatch, "--exit-zero")
    (tree.root.parent / "dslint.toml").write_text('ignore = ["DS101"]\n')
    past = (tree.clock - 5) * 10**9
    os.utime(tree.root.parent / "dslint.toml", ns=(past, past))
    output, _, runs = tree.lint(monkeypatch, "--exit-zero")
    assert runs == 1 and "DS101" not in output


def test_other_options_are_another_run(tree, monkeypatch):
    tree.lint(monkeypatch, "--exit-zero")
    output, _, runs = tree.lint(monkeypatch, "--exit-zero", "--ignore", "DS101")
    assert runs == 1 and "DS101" not in output
    assert tree.lint(monkeypatch, "--exit-zero")[2] == 0  # both records are kept


def test_a_run_over_fresh_changes_is_not_recorded(tree, monkeypatch):
    (tree.root / "app" / "util.py").write_text(PLAIN + "\n")  # modified now: within the same clock tick as a run could be
    tree.lint(monkeypatch)
    assert tree.lint(monkeypatch)[2] == 1


@pytest.mark.parametrize("content", [
    b"not a pickle",
    pickle.dumps({"files": {}}),   # another dslint's record
    pickle.dumps((1, "record")),   # an earlier format
], ids=["garbage", "other", "earlier-format"])
def test_an_unreadable_record_is_ignored(tree, monkeypatch, content):
    first, _, _ = tree.lint(monkeypatch)
    records = list(tree.cache.rglob("runs/*.pickle"))
    assert len(records) == 1
    records[0].write_bytes(content)
    assert tree.lint(monkeypatch) == (first, 1, 1)
    assert tree.lint(monkeypatch)[2] == 0


def test_without_the_cache_nothing_is_recorded(tree, monkeypatch):
    tree.lint(monkeypatch, "--no-cache")
    assert tree.lint(monkeypatch, "--no-cache")[2] == 1
    assert not tree.cache.exists()
