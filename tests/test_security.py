"""dslint reads code, it never runs it (SPEC: "It never imports or runs the code it analyses").

A linted tree full of files that would leave a marker file behind if anything imported or ran
them (modules, conftest.py, setup.py, sitecustomize.py, modules named like dslint's own
dependencies, a notebook, a local build backend) is linted, with and without `--fix`, and with a
config naming its functions as client factories and retry decorators: no marker appears. `--fix`
never writes through a symlink that leads out of the linted tree.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

API_CALL = (
    "from openai import OpenAI\n"
    "\n"
    'client = OpenAI(base_url="https://api.deepseek.com")\n'
    'response = client.chat.completions.create(model="deepseek-chat", messages=[])\n'
)


def dslint_command() -> List[str]:
    script = Path(sys.executable).parent / "dslint"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dslint"]


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([*dslint_command(), *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def trap(marker: Path, name: str) -> str:
    """Python that leaves `marker/name` behind when it is imported or run, in every way we know."""
    return (
        "import pathlib as _pathlib\n"
        f"_pathlib.Path({str(marker / name)!r}).write_text('ran')\n"
        "import os\n"
        f"os.system('touch {marker / (name + '.shell')}')\n"
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    marker = tmp_path / "markers"
    marker.mkdir()
    project = tmp_path / "project"
    (project / "myapp").mkdir(parents=True)
    files = {
        "app.py": trap(marker, "app") + API_CALL + "from myapp.llm import make_client, with_retries\n",
        "conftest.py": trap(marker, "conftest"),
        "setup.py": trap(marker, "setup") + "from setuptools import setup\nsetup(name='x')\n",
        "sitecustomize.py": trap(marker, "sitecustomize"),
        "usercustomize.py": trap(marker, "usercustomize"),
        "__main__.py": trap(marker, "main") + API_CALL,
        # Modules named like what dslint itself imports, in the folder it runs in.
        "click.py": trap(marker, "click"),
        "libcst.py": trap(marker, "libcst"),
        "pathspec.py": trap(marker, "pathspec"),
        "tomli.py": trap(marker, "tomli"),
        "openai.py": trap(marker, "openai"),
        "tenacity.py": trap(marker, "tenacity"),
        "evil_backend.py": trap(marker, "backend"),
        "myapp/__init__.py": trap(marker, "package"),
        "myapp/llm.py": trap(marker, "llm") + (
            "import openai, tenacity\n\n\n"
            "def make_client():\n    return openai.OpenAI(base_url='https://api.deepseek.com')\n\n\n"
            "def with_retries(function):\n    return tenacity.retry(function)\n"
        ),
        "pyproject.toml": (
            "[build-system]\nrequires = []\nbuild-backend = 'evil_backend'\nbackend-path = ['.']\n\n"
            "[tool.dslint]\n"
            "client-factories = ['myapp.llm.make_client', 'evil_backend.anything']\n"
            "retry-decorators = { 'myapp.llm.with_retries' = ['openai.RateLimitError'] }\n"
        ),
        "nb.ipynb": json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                                           "execution_count": None, "source": trap(marker, "notebook") + API_CALL}],
                                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
        "retry_loop.py": trap(marker, "retry_loop") + (
            "import time\nimport openai\n\nclient = openai.OpenAI()\n\n\n"
            "def ask():\n    while True:\n        try:\n"
            "            return client.chat.completions.create(model='m', messages=[])\n"
            "        except Exception:\n            time.sleep(1)\n"
        ),
    }
    for name, text in files.items():
        (project / name).write_text(text, encoding="utf-8")
    return project


def markers(project: Path) -> List[str]:
    return sorted(path.name for path in (project.parent / "markers").iterdir())


def test_the_traps_are_live(tree):
    """Running one of the files does leave its markers (so their absence below means something)."""
    subprocess.run([sys.executable, "conftest.py"], cwd=tree, capture_output=True, timeout=60)
    assert markers(tree) == ["conftest", "conftest.shell"]


def test_linting_runs_none_of_the_code(tree):
    result = run(tree, "--select", "ALL", ".")
    assert result.returncode == 1, result.stderr
    assert "app.py" in result.stdout  # the files were linted...
    assert markers(tree) == []  # ...and none of them ran


def test_fixing_runs_none_of_the_code(tree):
    result = run(tree, "--select", "ALL", "--fix", "--unsafe-fixes", ".")
    assert result.returncode in (0, 1), result.stderr
    assert markers(tree) == []


def test_stdin_and_explicit_paths_run_none_of_the_code(tree):
    for args in (["conftest.py", "setup.py", "myapp"], ["--stdin-filename", "setup.py", "-"]):
        subprocess.run([*dslint_command(), *args], cwd=tree, input=(tree / "setup.py").read_text(),
                       capture_output=True, text=True, timeout=300)
    assert markers(tree) == []


def test_python_dash_m_does_not_import_the_trees_modules(tree):
    """`python -m` puts the working folder first on sys.path: the tree's click.py, libcst.py,
    pathspec.py would be imported in place of dslint's dependencies unless dslint takes it off."""
    result = subprocess.run([sys.executable, "-m", "dslint", "--select", "ALL", "."], cwd=tree, capture_output=True,
                            text=True, timeout=300)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1 and "app.py" in result.stdout, result.stderr
    assert markers(tree) == []


def test_config_cannot_name_code_to_run(tree):
    """The only names a config takes are rule codes, globs and dotted names of functions, which the
    analysis matches by name; a key that might load something is an error."""
    pyproject = tree / "pyproject.toml"
    for extra in ("plugins = ['evil_backend']", "extend = 'evil_backend.py'", "exec = 'import os'"):
        pyproject.write_text("[tool.dslint]\n" + extra + "\n", encoding="utf-8")
        result = run(tree, ".")
        assert result.returncode == 2
        assert result.stderr.startswith("error: pyproject.toml: unknown key")
    assert markers(tree) == []


def test_fix_never_writes_through_a_symlink_out_of_the_tree(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "target.py"
    original = (
        "import requests\n\n"
        'response = requests.post("https://api.deepseek.com/chat/completions", json={})\n'
        "print(response.json())\n"
    )
    target.write_text(original, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "link.py").symlink_to(target)
    (project / "real.py").write_text(original, encoding="utf-8")
    result = run(project, "--select", "ALL", "--fix", "--unsafe-fixes", ".")
    assert target.read_text(encoding="utf-8") == original
    assert (project / "link.py").is_symlink()
    assert "raise_for_status()" in (project / "real.py").read_text(encoding="utf-8")  # fixes do apply inside
    assert "link.py" in result.stderr and "outside the linted tree" in result.stderr
