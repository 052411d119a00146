from __future__ import annotations

import os
from pathlib import Path
from typing import List

import pytest

import dslint.discovery
from dslint.config import ConfigResolver
from dslint.discovery import discover


def touch(root: Path, *relatives: str) -> None:
    for relative in relatives:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")


def found(root: Path, *paths: str, force_exclude: bool = False) -> List[str]:
    """The files discover() finds under `root`, as POSIX paths relative to it (run from `root`)."""
    result = discover(paths or ["."], ConfigResolver(root), force_exclude=force_exclude)
    assert result.errors == []
    return [path.as_posix() for path in result.files]


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_walks_python_and_stub_files_sorted(project):
    touch(project, "b.py", "a/z.pyi", "a/y.py", "notes.txt", "script", "a/data.json")
    assert found(project) == ["a/y.py", "a/z.pyi", "b.py"]


def test_each_file_once_however_often_named(project):
    touch(project, "pkg/mod.py")
    assert found(project, "pkg", "pkg/mod.py", "./pkg/mod.py", str(project / "pkg")) == ["pkg/mod.py"]


def test_default_excludes_are_pruned(project):
    touch(
        project,
        "app.py",
        ".venv/lib/x.py",
        "venv/x.py",
        "node_modules/x.py",
        "src/__pycache__/x.py",
        "build/lib/x.py",
        "dist/x.py",
        "pkg.egg-info/x.py",
        ".git/hooks/x.py",
        "deep/er/site-packages/x.py",
    )
    assert found(project) == ["app.py"]


def test_configured_excludes_are_relative_to_the_config_root(project):
    (project / "pyproject.toml").write_text(
        '[tool.dslint]\nextend-exclude = ["src/generated", "*_pb2.py"]\n', encoding="utf-8"
    )
    touch(project, "src/generated/x.py", "src/app_pb2.py", "src/app.py", "lib/src/generated/kept.py")
    assert found(project) == ["lib/src/generated/kept.py", "src/app.py"]


def test_replacing_exclude_drops_the_defaults(project):
    (project / "dslint.toml").write_text('exclude = ["vendored"]\n', encoding="utf-8")
    touch(project, "vendored/x.py", "build/kept.py")
    assert found(project) == ["build/kept.py"]


def test_a_nested_config_excludes_within_its_own_tree(project):
    touch(project, "sub/skip/x.py", "skip/kept.py")
    (project / "sub" / "dslint.toml").write_text('extend-exclude = ["skip"]\n', encoding="utf-8")
    assert found(project) == ["skip/kept.py"]


def test_gitignore_root_and_nested(project):
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("# generated\n/out/\n*_gen.py\n", encoding="utf-8")
    (project / "pkg" / "sub").mkdir(parents=True)
    (project / "pkg" / ".gitignore").write_text("local.py\n", encoding="utf-8")
    touch(
        project,
        "out/x.py",
        "pkg/out/kept.py",
        "pkg/a_gen.py",
        "pkg/local.py",
        "pkg/sub/local.py",
        "local.py",
        "main.py",
    )
    assert found(project) == ["local.py", "main.py", "pkg/out/kept.py"]


def test_nested_negation_overrides_the_root_gitignore(project):
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("*.pyi\n", encoding="utf-8")
    touch(project, "a/x.pyi", "b/y.pyi")
    (project / "b" / ".gitignore").write_text("!y.pyi\n", encoding="utf-8")
    assert found(project) == ["b/y.pyi"]


def test_gitignore_above_the_walked_folder_applies_inside_a_repository(project):
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("src/generated/\n", encoding="utf-8")
    touch(project, "src/generated/x.py", "src/app.py")
    assert found(project, "src") == ["src/app.py"]


def test_git_info_exclude_is_honoured(project):
    (project / ".git" / "info").mkdir(parents=True)
    (project / ".git" / "info" / "exclude").write_text("scratch.py\n", encoding="utf-8")
    touch(project, "scratch.py", "app.py")
    assert found(project) == ["app.py"]


def test_gitignore_outside_a_repository(project):
    # A .gitignore in the walked folder counts without git; one above it, outside any repository, does not.
    (project / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
    touch(project, "ignored.py", "sub/ignored.py", "sub/app.py")
    assert found(project) == ["sub/app.py"]
    assert found(project, "sub") == ["sub/app.py", "sub/ignored.py"]


def test_explicit_files_are_linted_even_when_excluded(project):
    (project / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
    touch(project, "build/x.py", "ignored.py", "script")
    assert found(project, "build/x.py", "ignored.py", "script") == ["build/x.py", "ignored.py", "script"]


def test_force_exclude_applies_excludes_to_explicit_paths(project):
    (project / "dslint.toml").write_text('extend-exclude = ["migrations"]\n', encoding="utf-8")
    touch(project, "build/x.py", "app/migrations/0001.py", "app/models.py")
    explicit = ["build/x.py", "app/migrations/0001.py", "app/models.py", "build"]
    assert found(project, *explicit, force_exclude=True) == ["app/models.py"]


def test_missing_path_is_an_error_and_the_rest_goes_on(project):
    touch(project, "app.py")
    result = discover(["nope.py", "app.py"], ConfigResolver(project))
    assert result.errors == ["path does not exist: nope.py"]
    assert result.files == [Path("app.py")]


def test_files_outside_the_working_folder_keep_absolute_paths(tmp_path, monkeypatch):
    touch(tmp_path, "elsewhere/x.py")
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    result = discover([str(tmp_path / "elsewhere")], ConfigResolver(tmp_path / "here"))
    assert result.files == [tmp_path / "elsewhere" / "x.py"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_loops_end_and_broken_links_are_skipped(project):
    touch(project, "pkg/mod.py")
    os.symlink(project / "pkg", project / "pkg" / "loop")
    os.symlink(project, project / "pkg" / "up")
    os.symlink(project / "missing.py", project / "pkg" / "broken.py")
    os.symlink(project / "missing-dir", project / "dangling")
    result = discover(["."], ConfigResolver(project))
    assert result.errors == []
    assert [path.as_posix() for path in result.files] == ["pkg/mod.py"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinked_folders_outside_the_tree_are_walked(tmp_path, monkeypatch):
    touch(tmp_path, "shared/lib.py", "project/app.py")
    os.symlink(tmp_path / "shared", tmp_path / "project" / "shared")
    monkeypatch.chdir(tmp_path / "project")
    assert found(tmp_path / "project") == ["app.py", "shared/lib.py"]


def test_unreadable_folder_is_an_error_and_the_walk_goes_on(project, monkeypatch):
    touch(project, "locked/x.py", "open/y.py")
    real_scandir = os.scandir

    def scandir(path):
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(dslint.discovery.os, "scandir", scandir)
    result = discover(["."], ConfigResolver(project))
    assert result.errors == ["cannot read directory locked: Permission denied"]
    assert result.files == [Path("open/y.py")]


def test_a_folder_named_explicitly_is_walked_even_when_excluded(project):
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("/vendor/\n", encoding="utf-8")
    touch(project, ".venv/lib/pkg/mod.py", ".venv/lib/pkg/__pycache__/mod.py", "vendor/lib.py", "vendor/build/x.py")
    assert found(project, ".venv/lib/pkg") == [".venv/lib/pkg/mod.py"]
    assert found(project, "vendor") == ["vendor/lib.py"]
    assert found(project, ".venv/lib/pkg", "vendor", force_exclude=True) == ["vendor/lib.py"]
