"""The cache (dslint.cache): a warm run gives the findings a run without the cache gives, and reads
and analyses only what changed.

Every run here is checked against a fresh run without the cache over the same files. Which files a
run analyses is counted by wrapping `dslint.engine.analyse_file` (the engine's name for the step;
with jobs=1 it runs in this process). Files are edited with a modification time set explicitly
(seconds apart), so a change never hides in the same clock tick as the previous write.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import pytest

import dslint.cli
import dslint.engine
from dslint.cache import Cache
from dslint.config import ConfigResolver
from dslint.engine import lint_paths
from dslint.file_jobs import FileJob, Mentions
from dslint.findings import RunResult
from dslint.prefilter import CodeNames

from cli_runner import cli_runner


class Project:
    """A folder of files, linted as one run with every rule, with or without a cache folder."""

    def __init__(self, root: Path, files: Dict[str, str]):
        self.root = root
        self.cache_folder = root.parent / f"{root.name}-cache"
        self.clock = 1_600_000_000  # seconds; each write moves it on
        for name, text in files.items():
            self.write(name, text)

    @property
    def paths(self) -> List[Path]:
        return sorted(path for path in self.root.rglob("*.py"))

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.clock += 10
        os.utime(path, ns=(self.clock * 10**9, self.clock * 10**9))

    def lint(self, cached: bool = True) -> Tuple[RunResult, List[str]]:
        """Findings, and the names of the files analysed (not taken from the cache)."""
        analysed: List[str] = []
        original = dslint.engine.analyse_file

        def counting(job, *args):
            analysed.append(Path(job.display).relative_to(self.root).as_posix())
            return original(job, *args)

        cache = Cache(self.cache_folder) if cached else None  # a new object: what the last run saved
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(dslint.engine, "analyse_file", counting)
            result = lint_paths(self.paths, ConfigResolver(cwd=self.root, select=["ALL"]), jobs=1, cache=cache)
        if cache is not None:
            cache.save()
        assert not result.errors, result.errors
        return result, sorted(analysed)

    def check(self) -> Tuple[RunResult, List[str]]:
        """A run with the cache, after checking its findings equal those of a run without it."""
        result, analysed = self.lint()
        fresh, _ = self.lint(cached=False)
        assert result.findings == fresh.findings, (
            f"cached:\n{shown(result.findings)}\nwithout the cache:\n{shown(fresh.findings)}")
        assert result.notices == fresh.notices
        return result, analysed

    @property
    def cache_file(self) -> Path:
        return Cache(self.cache_folder).file


def shown(findings) -> str:
    return "\n".join(f"{Path(f.path).name}:{f.start.row}:{f.start.column} {f.code} {f.message[:100]}"
                     for f in findings)


def codes_at(result: RunResult) -> Set[Tuple[str, str, int]]:
    return {(f.code, Path(f.path).name, f.start.row) for f in result.findings}


def messages(result: RunResult, name: str) -> List[Tuple[str, int, str]]:
    return [(f.code, f.start.row, f.message) for f in result.findings if Path(f.path).name == name]


ASK = """\
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com")


def ask(prompt):
    return client.chat.completions.create(model="deepseek-chat", messages=[{"role": "user", "content": prompt}])
"""
ASK_ROW = 7  # DS101 is anchored on the API call, in llm.py, whichever caller lets the codes escape

CALLER_HANDLED = """\
from llm import ask


def main():
    try:
        return ask("hi")
    except Exception:
        return None
"""
CALLER_UNHANDLED = """\
from llm import ask


def main():
    return ask("hi")
"""
PLAIN = "import json\n\n\ndef load(path):\n    with open(path) as f:\n        return json.load(f)\n"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "project", {"llm.py": ASK, "cli.py": CALLER_UNHANDLED, "util.py": PLAIN})


# --- a warm run ------------------------------------------------------------------------------------


def test_a_warm_run_reads_the_cache_and_analyses_nothing(project, monkeypatch):
    cold, analysed = project.check()
    assert analysed == ["cli.py", "llm.py"]  # util.py never needs the analysis
    assert codes_at(cold) == {("DS101", "llm.py", ASK_ROW)}
    assert project.cache_file.is_file()
    assert project.cache_file.parent.parent == project.cache_folder

    screened = []
    original = dslint.engine.screen_file
    monkeypatch.setattr(dslint.engine, "screen_file",
                        lambda job, force: screened.append(job.display) or original(job, force))
    warm, analysed = project.lint()
    monkeypatch.undo()
    assert analysed == [] and screened == [], (analysed, screened)  # not one file parsed again
    assert warm.findings == cold.findings
    assert project.check()[0].findings == cold.findings


def test_the_cache_is_per_absolute_path(project, tmp_path):
    """A copy of the project elsewhere (same names, same times) is not answered from the cache."""
    project.check()
    other = Project(tmp_path / "copy", {"llm.py": ASK, "cli.py": CALLER_UNHANDLED, "util.py": PLAIN})
    other.cache_folder = project.cache_folder
    _, analysed = other.check()
    assert analysed == ["cli.py", "llm.py"]


# --- edits ------------------------------------------------------------------------------------------


def row_of(text: str, needle: str, occurrence: int = 0) -> int:
    return [row for row, line in enumerate(text.splitlines(), start=1) if needle in line][occurrence]


def test_an_edited_file_is_analysed_again_and_its_findings_update(project):
    before, _ = project.check()
    assert codes_at(before) == {("DS101", "llm.py", ASK_ROW)}
    # The call moves down, and a second unhandled call appears.
    edited = (ASK.replace("\n\ndef ask", "\n\nTIMEOUT = 30\nRETRIES = 2\n\ndef ask")
              + "\n\nanswer = client.chat.completions.create(model='deepseek-chat', messages=[])\n")
    project.write("llm.py", edited)
    after, analysed = project.check()
    assert analysed == ["llm.py"]
    rows = {row_of(edited, "completions.create", 0), row_of(edited, "completions.create", 1)}
    assert ASK_ROW not in rows
    assert codes_at(after) == {("DS101", "llm.py", row) for row in rows}, shown(after.findings)


def test_a_file_that_now_needs_the_analysis_gets_it(project):
    """util.py was screened out; once it calls the API it is analysed and reported."""
    project.check()
    edited = PLAIN + "\n\nfrom llm import client\n\nclient.embeddings.create(model='m', input=['x'])\n"
    project.write("util.py", edited)
    after, analysed = project.check()
    assert "util.py" in analysed
    assert ("DS101", "util.py", row_of(edited, "embeddings.create")) in codes_at(after), shown(after.findings)


def test_a_deleted_file_is_gone_from_the_findings(project):
    project.write("extra.py", "from llm import client\n\nclient.chat.completions.create(model='m', messages=[])\n")
    before, _ = project.check()
    assert ("DS101", "extra.py", 3) in codes_at(before)
    (project.root / "extra.py").unlink()
    after, analysed = project.check()
    assert analysed == []
    assert not any(Path(f.path).name == "extra.py" for f in after.findings)


# --- what another file's change does ---------------------------------------------------------------


def test_a_caller_adding_or_removing_its_handler_moves_ds101(project):
    """cli.py is the only caller of `ask`: its handler decides whether llm.py's call is flagged.
    Only cli.py is analysed again; the project pass (never cached) turns the change into llm.py's
    finding."""
    project.write("cli.py", CALLER_HANDLED)
    handled, _ = project.check()
    assert codes_at(handled) == set(), shown(handled.findings)

    project.write("cli.py", CALLER_UNHANDLED)
    unhandled, analysed = project.check()
    assert analysed == ["cli.py"]
    assert codes_at(unhandled) == {("DS101", "llm.py", ASK_ROW)}, shown(unhandled.findings)
    finding = unhandled.findings[0]
    assert finding.path == str(project.root / "llm.py") and finding.start.column == 12

    project.write("cli.py", CALLER_HANDLED)
    again, analysed = project.check()
    assert analysed == ["cli.py"]
    assert codes_at(again) == set(), shown(again.findings)


def test_a_new_caller_file_is_found_on_a_warm_run(project):
    project.write("cli.py", CALLER_HANDLED)
    project.check()
    project.write("cron.py", CALLER_UNHANDLED)  # a second caller, never naming an SDK, lets the codes escape
    result, analysed = project.check()
    assert analysed == ["cron.py"]
    assert codes_at(result) == {("DS101", "llm.py", ASK_ROW)}, shown(result.findings)


CLIENTS = """\
from openai import OpenAI

deepseek = OpenAI({arguments})
"""
APP = """\
from tenacity import retry, stop_after_attempt, wait_random_exponential

from clients import deepseek


@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(multiplier=1, max=30))
def answer(prompt):
    return deepseek.chat.completions.create(model="deepseek-chat", messages=[{{"role": "user", "content": prompt}}])
"""


@pytest.mark.parametrize("arguments", [
    'base_url="https://api.openai.com/v1"',                 # another provider: other codes
    'base_url="https://api.deepseek.com", max_retries=0',   # the SDK no longer retries: no DS306
], ids=["provider", "max_retries"])
def test_a_changed_module_client_changes_its_users_findings(tmp_path, arguments):
    project = Project(tmp_path / "project", {
        "clients.py": CLIENTS.format(arguments='base_url="https://api.deepseek.com"'),
        "app.py": APP.format(),
    })
    before, _ = project.check()
    assert {"DS101", "DS306"} <= {code for code, _, _ in messages(before, "app.py")}, shown(before.findings)
    project.write("clients.py", CLIENTS.format(arguments=arguments))
    after, analysed = project.check()
    assert "app.py" in analysed  # clients.py did not change app.py's text, only what its client is
    assert messages(after, "app.py") != messages(before, "app.py")


def test_a_client_appearing_in_another_module_reaches_a_cached_file(tmp_path):
    """app.py calls a client it imports; before clients.py builds it, the call is not known to be
    an API call."""
    project = Project(tmp_path / "project", {
        "clients.py": "deepseek = None\n",
        "app.py": "from clients import deepseek\n\n\ndef answer():\n    return deepseek.models.list()\n",
    })
    before, _ = project.check()
    project.write("clients.py", CLIENTS.format(arguments='base_url="https://api.deepseek.com"'))
    after, _ = project.check()
    assert ("DS101", "app.py", 5) in codes_at(after), shown(after.findings)
    assert ("DS101", "app.py", 5) not in codes_at(before), shown(before.findings)


# --- configuration -----------------------------------------------------------------------------------


UNKNOWN_PROVIDER = """\
from openai import OpenAI

client = OpenAI()
answer = client.chat.completions.create(model="m", messages=[])
"""


@pytest.mark.parametrize("old, new, row", [
    ('provider = "deepseek"', 'provider = "openai"', 4),
    ('provider = "openai"', 'provider = "deepseek"', 4),
    ('client-factories = []', 'client-factories = ["factory.get_client"]', 5),  # get_client() becomes a client
], ids=["deepseek-to-openai", "openai-to-deepseek", "client-factories"])
def test_a_changed_configuration_is_not_answered_from_the_cache(tmp_path, old, new, row):
    project = Project(tmp_path / "project", {
        "app.py": UNKNOWN_PROVIDER,
        "job.py": "from factory import get_client\n\n\ndef run():\n"
                  "    return get_client().models.list()\n",
        "pyproject.toml": f"[tool.dslint]\n{old}\n",
    })
    before, _ = project.check()
    project.write("pyproject.toml", f"[tool.dslint]\n{new}\n")
    after, analysed = project.check()
    assert after.findings != before.findings, shown(after.findings)
    changed = "job.py" if "factories" in new else "app.py"
    assert changed in analysed
    assert messages(after, changed) != messages(before, changed)
    assert any(row_ == row for _, row_, _ in messages(after, changed))


# --- a broken cache ---------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "wrong-shape"])
def test_an_unreadable_cache_is_ignored_and_rewritten(project, damage):
    cold, _ = project.check()
    data = project.cache_file.read_bytes()
    broken = {
        "truncated": data[: len(data) // 2],
        "garbage": b"\x00not a pickle at all\xff" * 10,
        "empty": b"",
        "wrong-shape": pickle.dumps(["not", "a", "cache"]),
    }[damage]
    project.cache_file.write_bytes(broken)
    result, analysed = project.check()
    assert result.findings == cold.findings
    assert analysed == ["cli.py", "llm.py"]  # nothing usable was read
    assert project.cache_file.read_bytes() != broken  # rewritten
    assert Cache(project.cache_folder).entries
    _, analysed = project.check()
    assert analysed == []  # and usable again


def test_a_cache_of_another_format_version_is_ignored(project):
    cold, _ = project.check()
    project.cache_file.write_bytes(pickle.dumps((999, {"whatever": 1})))
    result, analysed = project.check()
    assert result.findings == cold.findings and analysed == ["cli.py", "llm.py"]


# --- the command line -------------------------------------------------------------------------------


UNHANDLED = """\
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com")
response = client.chat.completions.create(model="deepseek-chat", messages=[])
"""


def invoke(cwd: Path, monkeypatch, *args: str, stdin: Optional[str] = None, env: Optional[Dict[str, str]] = None):
    monkeypatch.chdir(cwd)
    result = cli_runner().invoke(dslint.cli.main, ["--format", "concise", *args], input=stdin, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def folder_listing(root: Path) -> Set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*")}


@pytest.fixture
def cli_project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.delenv("DSLINT_CACHE_DIR", raising=False)
    (tmp_path / "app.py").write_text(UNHANDLED, encoding="utf-8")
    return tmp_path


def test_cli_cache_dir_gets_a_gitignore_and_the_cache(cli_project, monkeypatch):
    result = invoke(cli_project, monkeypatch, "--cache-dir", "build/lint-cache", "app.py")
    assert result.exit_code == 1 and "app.py:4:12: DS101" in result.stdout
    folder = cli_project / "build" / "lint-cache"
    assert "*" in (folder / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert Cache(folder).file.is_file() and Cache(folder).entries
    assert not (cli_project / dslint.cli.CACHE_FOLDER).exists()
    again = invoke(cli_project, monkeypatch, "--cache-dir", "build/lint-cache", "app.py")
    assert (again.exit_code, again.stdout) == (result.exit_code, result.stdout)


def test_cli_default_cache_folder_is_in_the_working_folder(cli_project, monkeypatch):
    result = invoke(cli_project, monkeypatch, ".")
    assert result.exit_code == 1
    folder = cli_project / dslint.cli.CACHE_FOLDER
    assert "*" in (folder / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert Cache(folder).file.is_file()


def test_cli_cache_dir_from_the_environment(cli_project, monkeypatch):
    result = invoke(cli_project, monkeypatch, "app.py", env={"DSLINT_CACHE_DIR": "env-cache"})
    assert result.exit_code == 1
    assert Cache(cli_project / "env-cache").file.is_file()
    assert not (cli_project / dslint.cli.CACHE_FOLDER).exists()


def test_cli_no_cache_writes_nothing(cli_project, monkeypatch):
    before = folder_listing(cli_project)
    result = invoke(cli_project, monkeypatch, "--no-cache", ".")
    assert result.exit_code == 1 and "app.py:4:12: DS101" in result.stdout
    result = invoke(cli_project, monkeypatch, "--no-cache", "--cache-dir", "somewhere", ".")
    assert result.exit_code == 1
    assert folder_listing(cli_project) == before


def test_cli_no_cache_ignores_an_existing_cache(cli_project, monkeypatch):
    invoke(cli_project, monkeypatch, ".")
    cache_file = Cache(cli_project / dslint.cli.CACHE_FOLDER).file
    cache_file.write_bytes(b"left alone")
    result = invoke(cli_project, monkeypatch, "--no-cache", ".")
    assert result.exit_code == 1 and "app.py:4:12: DS101" in result.stdout
    assert cache_file.read_bytes() == b"left alone"


@pytest.mark.parametrize("args", [["-"], ["-", "--stdin-filename", "app.py"], ["--stdin-filename", "app.py"],
                                  ["-", "--cache-dir", "explicit"]], ids=["bare", "named", "implicit", "cache-dir"])
def test_cli_stdin_never_writes_a_cache(cli_project, monkeypatch, args):
    before = folder_listing(cli_project)
    result = invoke(cli_project, monkeypatch, *args, stdin=UNHANDLED)
    assert result.exit_code == 1 and ":4:12: DS101" in result.stdout, result.stdout + result.stderr
    assert folder_listing(cli_project) == before


def test_cli_stdin_is_not_answered_from_the_cache(cli_project, monkeypatch):
    """A cache filled from app.py on disk must not answer for different text given as app.py."""
    invoke(cli_project, monkeypatch, "app.py")
    result = invoke(cli_project, monkeypatch, "-", "--stdin-filename", "app.py", stdin="import json\n" + UNHANDLED)
    assert "app.py:5:12: DS101" in result.stdout, result.stdout


def test_words_are_answered_only_for_files_asked_all_of_them(tmp_path):
    settings = dslint.engine.settings_of(ConfigResolver(tmp_path).config_for(tmp_path / "a.py"))
    jobs = []
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("x = 1\n")
        jobs.append(FileJob(tmp_path / name, name, settings))
    cache = Cache(tmp_path / "cache")
    cache.store_words(jobs[0], frozenset({"ask", "send"}), Mentions(frozenset({"ask"})))
    cache.store_words(jobs[1], frozenset({"ask"}), Mentions())
    words = frozenset({"ask", "send"})
    assert cache.words(jobs[0], words) == Mentions(frozenset({"ask"}))
    assert cache.words(jobs[1], words) is None  # never asked "send": searched again
    assert cache.words(jobs[1], frozenset({"ask"})) == Mentions()
    cache.store_words(jobs[1], frozenset({"send"}), Mentions(frozenset({"send"})))
    assert cache.words(jobs[1], words) == Mentions(frozenset({"send"}))


def test_text_given_for_a_cached_file_is_never_answered_from_the_cache(tmp_path):
    # The fixer lints its edited text of a file the same run looked up on disk.
    settings = dslint.engine.settings_of(ConfigResolver(tmp_path).config_for(tmp_path / "a.py"))
    (tmp_path / "a.py").write_text("x = 1\n")
    on_disk = FileJob(tmp_path / "a.py", "a.py", settings)
    cache = Cache(tmp_path / "cache")
    code = CodeNames(frozenset({"ask"}), frozenset({"ask", "llm"}), frozenset())
    cache.store_code_names(on_disk, code)
    assert cache.code_names(on_disk) == code
    assert cache.code_names(FileJob(tmp_path / "a.py", "a.py", settings, text="y = 2\n")) is None
