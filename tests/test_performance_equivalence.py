"""The optimisations never change findings: the screen (dslint.prefilter), worker processes
(`jobs`) and the cache (dslint.cache) give the same findings as the plain run.

1. Two real projects, linted as one run each with every rule: the whole tests/fixtures tree and
   examples/. Each variant's findings (code, path, start, end, message, suggestion, fix, ...: the
   whole `Finding`) must equal those of the reference run (jobs=1, screen on, no cache).
   The small examples/ project has one fresh run per setting. The fixtures tree takes seconds per
   analysis pass, so it has two: the reference, and `cold` (jobs=2 and an empty cache at once;
   examples/ tells the two apart). `warm` reads that cache (and must analyse nothing), and
   `unscreened` (screen=False) reads a copy of it: the files the reference analysed come from the
   cache (which `warm` shows equal to a fresh analysis) and the files the screen left out are
   analysed fresh, which is exactly what the screen's equivalence is about.
2. The screen's hard cases, each checked against screen=False and for the expected finding: callers
   in files that never name an SDK (directly, through a chain, through a subclass), syntax errors,
   raw HTTP requests, receiver-less API-shaped calls.
3. `--jobs` on the command line.
"""

from __future__ import annotations

import collections
import shutil
from pathlib import Path
from typing import Dict, List, Sequence, Set, Tuple

import pytest

import dslint.cli
import dslint.engine
from dslint.cache import Cache
from dslint.config import ConfigResolver
from dslint.engine import lint_paths
from dslint.findings import RunResult
from dslint.prefilter import ApiScreen

from cli_runner import cli_runner

REPOSITORY = Path(__file__).resolve().parents[1]
FIXTURES = REPOSITORY / "tests" / "fixtures"
EXAMPLES = REPOSITORY / "examples"


def lint(files: Sequence[Path], root: Path, **options) -> Tuple[RunResult, List[str]]:
    """One run with every rule; also the display paths of the files analysed (counted only when
    the analysis runs in this process: jobs=1)."""
    analysed: List[str] = []
    original = dslint.engine.analyse_file

    def counting(job, *args):
        analysed.append(job.display)
        return original(job, *args)

    with pytest.MonkeyPatch.context() as patch:
        if options.get("jobs", 1) == 1:
            patch.setattr(dslint.engine, "analyse_file", counting)
        result = lint_paths(list(files), ConfigResolver(cwd=root, select=["ALL"]), **options)
    return result, analysed


def shown(findings) -> str:
    return "\n".join(f"{Path(f.path).name}:{f.start.row}:{f.start.column} {f.code} {f.message[:90]}"
                     for f in findings)


def assert_same_findings(expected: RunResult, actual: RunResult, what: str) -> None:
    assert not actual.errors, f"{what}: {actual.errors}"
    assert actual.notices == expected.notices, what
    if actual.findings != expected.findings:
        missing = [f for f in expected.findings if f not in actual.findings]
        extra = [f for f in actual.findings if f not in expected.findings]
        pytest.fail(f"{what}: findings differ from the reference run\n"
                    f"missing ({len(missing)}):\n{shown(missing[:20])}\nextra ({len(extra)}):\n{shown(extra[:20])}")


# --- 1. whole projects ----------------------------------------------------------------------------

# Variants per project: name -> (lint options, cache: None, "cold", "warm" or "copy" (of the warm
# folder, so that the run cannot change what `warm` reads)).
VARIANTS = {
    "fixtures": {
        "cold": ({"jobs": 2}, "cold"),
        "warm": ({"jobs": 1}, "warm"),
        "unscreened": ({"jobs": 1, "screen": False}, "copy"),
    },
    "examples": {
        "jobs2": ({"jobs": 2}, None),
        "unscreened": ({"jobs": 1, "screen": False}, None),
        "cold": ({"jobs": 1}, "cold"),
        "warm": ({"jobs": 1}, "warm"),
    },
}
PROJECTS = {"fixtures": FIXTURES, "examples": EXAMPLES}
# What makes each project a real test: (findings, distinct rules, files with findings, files analysed).
AT_LEAST = {"fixtures": (500, 10, 40, 50), "examples": (8, 6, 2, 3)}


class _Runs:
    """Each (project, variant) run once per module; `warm` after `cold`, in the same cache folder."""

    def __init__(self, scratch: Path):
        self.scratch = scratch
        self.results: Dict[Tuple[str, str], Tuple[RunResult, List[str]]] = {}

    def files(self, project: str) -> List[Path]:
        return sorted(PROJECTS[project].rglob("*.py"))

    def get(self, project: str, variant: str) -> Tuple[RunResult, List[str]]:
        key = (project, variant)
        if key not in self.results:
            self.results[key] = self._run(project, variant)
        return self.results[key]

    def cache_folder(self, project: str) -> Path:
        return self.scratch / f"cache-{project}"

    def _run(self, project: str, variant: str) -> Tuple[RunResult, List[str]]:
        root = PROJECTS[project]
        if variant == "reference":
            return lint(self.files(project), root, jobs=1)
        options, cache_state = VARIANTS[project][variant]
        options = dict(options)
        folder = self.cache_folder(project)
        if cache_state in ("warm", "copy"):
            self.get(project, "cold")  # fills the folder
        if cache_state == "copy":
            folder = self.scratch / f"cache-{project}-{variant}"
            shutil.copytree(self.cache_folder(project), folder)
        if cache_state is not None:
            options["cache"] = cache = Cache(folder)  # a new object: read from disk
            if cache_state == "cold":
                assert not cache.entries and not cache.file.exists()
            else:
                assert cache.entries, "the cold run left no cache entries"
        outcome = lint(self.files(project), root, **options)
        if cache_state is not None:
            cache.save()
            assert cache.file.is_file()
        return outcome


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> _Runs:
    return _Runs(tmp_path_factory.mktemp("equivalence"))


@pytest.mark.parametrize("project", list(PROJECTS))
def test_the_projects_are_not_trivial(runs, project):
    result, analysed = runs.get(project, "reference")
    findings, rules, files, analysed_files = AT_LEAST[project]
    assert not result.errors
    by_rule = collections.Counter(f.code for f in result.findings)
    assert len(result.findings) >= findings, by_rule
    assert len(by_rule) >= rules, by_rule
    assert {"DS101", "DS102"} & set(by_rule), "no cross-file rule fired"
    assert len({f.path for f in result.findings}) >= files
    assert any(f.fix is not None for f in result.findings), "no finding carries a fix: fixes go uncompared"
    # jobs=2 hands the analysis to worker processes only when two files or more need it.
    assert len(analysed) >= analysed_files


@pytest.mark.parametrize("project, variant",
                         [(project, variant) for project, variants in VARIANTS.items() for variant in variants])
def test_findings_equal_the_reference_run(runs, project, variant):
    reference, _ = runs.get(project, "reference")
    result, analysed = runs.get(project, variant)
    options, cache_state = VARIANTS[project][variant]
    assert_same_findings(reference, result, f"{project}/{variant} {options} cache={cache_state}")
    if cache_state == "warm":
        assert analysed == [], f"the warm run analysed again: {analysed}"
    if variant == "unscreened":  # every file without a syntax error is analysed, fresh or from the cache
        _, by_reference = runs.get(project, "reference")
        unparsable = {f.path for f in reference.findings if f.code == "DS001"}
        every = {str(path) for path in runs.files(project)} - unparsable
        assert every <= set(analysed) | set(by_reference), every - set(analysed) - set(by_reference)


# --- 2. the screen's hard cases -------------------------------------------------------------------


def write(root: Path, files: Dict[str, str]) -> List[Path]:
    paths = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return sorted(paths)


def screened_and_unscreened(paths: List[Path], root: Path) -> Tuple[RunResult, List[str]]:
    """The screened run, after checking it equals the unscreened one; and what it analysed."""
    screened, analysed = lint(paths, root)
    unscreened, everything = lint(paths, root, screen=False)
    assert_same_findings(unscreened, screened, "screen=True vs screen=False")
    unparsable = {f.path for f in unscreened.findings if f.code == "DS001"}
    assert set(everything) == {str(path) for path in paths} - unparsable  # screen=False analyses every file
    return screened, analysed


def codes_at(result: RunResult) -> Set[Tuple[str, str, int]]:
    return {(f.code, Path(f.path).name, f.start.row) for f in result.findings}


ASK = """\
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com")


def ask(prompt):
    return client.chat.completions.create(model="deepseek-chat", messages=[{"role": "user", "content": prompt}])
"""
ASK_ROW = 7  # the DS101 of an unhandled `ask` (anchored on the API call)

RELAY = """\
from llm import ask


def relay(prompt):
    return ask(prompt)
"""


def caller(call: str, imported: str, handled: bool) -> str:
    body = (f"    try:\n        return {call}\n    except Exception:\n        return None\n" if handled
            else f"    return {call}\n")
    return f"{imported}\n\n\ndef main():\n{body}"


@pytest.mark.parametrize("handled", [True, False], ids=["handled", "unhandled"])
def test_a_caller_that_never_names_an_sdk_is_analysed(tmp_path, handled):
    paths = write(tmp_path, {"llm.py": ASK, "cli.py": caller('ask("hi")', "from llm import ask", handled)})
    assert not ApiScreen().may_report((tmp_path / "cli.py").read_text())  # the screen alone leaves it out
    result, analysed = screened_and_unscreened(paths, tmp_path)
    assert str(tmp_path / "cli.py") in analysed, "the caller search did not find cli.py"
    # The handler in cli.py decides whether the codes escape; the finding stays on the call.
    assert codes_at(result) == (set() if handled else {("DS101", "llm.py", ASK_ROW)}), shown(result.findings)


@pytest.mark.parametrize("handled", [True, False], ids=["handled", "unhandled"])
def test_callers_of_callers_are_found_round_after_round(tmp_path, handled):
    """jobs.py names neither an SDK nor `ask`: only the second search (for `relay`) finds it."""
    paths = write(tmp_path, {
        "llm.py": ASK,
        "service.py": RELAY,
        "jobs.py": caller('relay("hi")', "from service import relay", handled),
    })
    for name in ("service.py", "jobs.py"):
        assert not ApiScreen().may_report((tmp_path / name).read_text())
    result, analysed = screened_and_unscreened(paths, tmp_path)
    assert {str(tmp_path / "service.py"), str(tmp_path / "jobs.py")} <= set(analysed)
    assert codes_at(result) == (set() if handled else {("DS101", "llm.py", ASK_ROW)}), shown(result.findings)


ASK_HANDLED = ASK.replace("    return client.chat", "    try:\n        return client.chat") + """\
    except Exception as error:
        log.error("ask failed: %s", error)
        raise SystemExit(1)
"""


@pytest.mark.parametrize("where", ["around the api call", "around the caller's call"])
def test_callers_beyond_a_handler_that_catches_every_code_are_not_searched(tmp_path, where):
    """No status code gets past the handler, so the callers of the functions above it cannot
    change a finding: jobs.py (which calls `relay`) is not analysed."""
    around_call = where == "around the api call"
    files = {
        "llm.py": ASK_HANDLED if around_call else ASK,
        "service.py": RELAY if around_call else caller("ask(prompt)", "from llm import ask", True).replace(
            "def main():", "def relay(prompt):"),
        "jobs.py": caller('relay("hi")', "from service import relay", False),
    }
    result, analysed = screened_and_unscreened(write(tmp_path, files), tmp_path)
    assert str(tmp_path / "jobs.py") not in analysed
    assert not {code for code, _, _ in codes_at(result)} & {"DS101", "DS102"}, shown(result.findings)


@pytest.mark.parametrize("handled", [True, False], ids=["handled", "unhandled"])
def test_a_caller_through_an_import_alias_is_analysed(tmp_path, handled):
    """cli.py calls `ask` only as `question`: the caller search parses the files that name the
    words and keeps those whose code calls `ask`, through the alias too."""
    paths = write(tmp_path, {"llm.py": ASK, "cli.py": caller('question("hi")', "from llm import ask as question", handled)})
    result, analysed = screened_and_unscreened(paths, tmp_path)
    assert str(tmp_path / "cli.py") in analysed
    assert codes_at(result) == (set() if handled else {("DS101", "llm.py", ASK_ROW)}), shown(result.findings)


@pytest.mark.parametrize("naming", [
    'from llm import ask\n\nHANDLERS = {"ask": ask}\n',                  # referenced, never called
    'import llm\n\n\ndef main():\n    """Calls llm.ask("hi") some day."""\n',  # a call in a docstring
    "import llm\n\n# llm.ask(prompt) is the entry point\n",               # a call in a comment
], ids=["referenced", "docstring", "comment"])
def test_a_file_that_names_the_function_without_calling_it_is_not_analysed(tmp_path, naming):
    paths = write(tmp_path, {"llm.py": ASK, "other.py": naming})
    result, analysed = screened_and_unscreened(paths, tmp_path)
    assert analysed == [str(tmp_path / "llm.py")]
    assert codes_at(result) == {("DS101", "llm.py", ASK_ROW)}, shown(result.findings)


BASE = """\
from openai import OpenAI


class Base:
    def ask(self):
        return OpenAI().chat.completions.create(model="gpt-4o", messages=[])
"""
BASE_ROW = 6
CHILD = "from pkg.a import Base\n\n\nclass Child(Base):\n    pass\n"


@pytest.mark.parametrize("handled", [True, False], ids=["handled", "unhandled"])
def test_callers_through_a_subclass(tmp_path, handled):
    """b.py and c.py never name an SDK, and c.py never names `Base`: b.py is found by its class
    header, c.py by the subclass it calls `ask` on."""
    paths = write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": BASE,
        "pkg/b.py": CHILD,
        "pkg/c.py": caller("Child().ask()", "from pkg.b import Child", handled),
    })
    for name in ("b.py", "c.py"):
        assert not ApiScreen().may_report((tmp_path / "pkg" / name).read_text())
    result, analysed = screened_and_unscreened(paths, tmp_path)
    message = f"findings:\n{shown(result.findings)}\nanalysed: {analysed}"
    # Equality with screen=False is the requirement; dslint also resolves the inherited method,
    # so c.py's handler decides, as for a direct call.
    assert str(tmp_path / "pkg" / "c.py") in analysed, message
    assert codes_at(result) == (set() if handled else {("DS101", "a.py", BASE_ROW)}), message


def test_a_subclass_nothing_calls_through_is_not_analysed(tmp_path):
    """b.py's class header matches, but no file calls `ask` through `Child`: the project would
    never use `Child`'s bases."""
    paths = write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": BASE, "pkg/b.py": CHILD})
    result, analysed = screened_and_unscreened(paths, tmp_path)
    assert analysed == [str(tmp_path / "pkg" / "a.py")]
    assert codes_at(result) == {("DS101", "a.py", BASE_ROW)}, shown(result.findings)


def test_a_call_through_a_subclass_in_a_file_analysed_for_its_own_api_call(tmp_path):
    """d.py is analysed for its own API call, before the caller search meets b.py; its call
    through `Child` (in a handler that catches everything) needs b.py's class to resolve."""
    paths = write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": BASE,
        "pkg/b.py": CHILD,
        "pkg/d.py": """\
from openai import OpenAI
from pkg.b import Child


def main():
    try:
        OpenAI().chat.completions.create(model="gpt-4o", messages=[])
        return Child().ask()
    except Exception as error:
        raise SystemExit(str(error))
""",
    })
    result, analysed = screened_and_unscreened(paths, tmp_path)
    assert str(tmp_path / "pkg" / "b.py") in analysed, analysed
    assert not {code for code, _, _ in codes_at(result)} & {"DS101", "DS102"}, shown(result.findings)


@pytest.mark.parametrize("handled", [True, False], ids=["handled", "unhandled"])
def test_callers_through_a_subclass_of_a_subclass(tmp_path, handled):
    """c.py calls `ask` through `GrandChild` (e.py), which derives from `Child` (b.py): neither
    b.py nor e.py calls anything, and both are needed to resolve the call."""
    paths = write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": BASE,
        "pkg/b.py": CHILD,
        "pkg/e.py": "from pkg.b import Child\n\n\nclass GrandChild(Child):\n    pass\n",
        "pkg/c.py": caller("GrandChild().ask()", "from pkg.e import GrandChild", handled),
    })
    result, analysed = screened_and_unscreened(paths, tmp_path)
    assert {str(tmp_path / "pkg" / name) for name in ("b.py", "e.py", "c.py")} <= set(analysed), analysed
    assert codes_at(result) == (set() if handled else {("DS101", "a.py", BASE_ROW)}), shown(result.findings)


@pytest.mark.parametrize("other", [
    # The usage example names the class and its package; the code calls `ask` on something else.
    '"""Usage: `from pkg.a import Base` then `Base().ask()`."""\n\n\ndef relay(agent):\n    return agent.ask()\n',
    '"""class Mine(Base): pass"""\n',                   # a class header in a docstring
    "from pkg import a\n\n\ndef relay(agent):\n    # a.Base().ask() would do\n    return agent.ask()\n",
], ids=["docstring", "class-header-in-docstring", "comment"])
def test_a_file_that_names_the_class_only_in_comments_and_docstrings_is_not_analysed(tmp_path, other):
    """Its text has every word the caller search asks for; its code does not name `Base`."""
    paths = write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": BASE, "pkg/other.py": other})
    result, analysed = screened_and_unscreened(paths, tmp_path)
    assert analysed == [str(tmp_path / "pkg" / "a.py")]
    assert codes_at(result) == {("DS101", "a.py", BASE_ROW)}, shown(result.findings)


def test_a_file_naming_the_class_in_a_string_annotation_is_analysed(tmp_path):
    """An annotation may be a string: its words count as code (whether the analysis resolves
    `"a.Base"` or not, the screened run must equal the unscreened one)."""
    paths = write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": BASE,
        "pkg/c.py": caller("agent.ask()", "from pkg import a", True).replace("def main():", 'def main(agent: "a.Base"):'),
    })
    _, analysed = screened_and_unscreened(paths, tmp_path)
    assert str(tmp_path / "pkg" / "c.py") in analysed


CLAUDE = "from anthropic import Anthropic\n\nclient = Anthropic({})\n"
ASK_CLAUDE = "\n\ndef ask(prompt):\n    return client.messages.create(model=MODEL, messages=[])\n"


def test_a_file_calling_anthropics_own_api_is_not_analysed(tmp_path):
    paths = write(tmp_path, {"ask.py": CLAUDE.format("") + ASK_CLAUDE})
    result, analysed = screened_and_unscreened(paths, tmp_path)
    assert analysed == [] and result.findings == []


def test_anthropic_calls_on_a_client_another_module_points_at_deepseek(tmp_path):
    """ask.py never names DeepSeek: clients.py, which builds the client, does."""
    paths = write(tmp_path, {"clients.py": CLAUDE.format("base_url='https://api.deepseek.com/anthropic'"),
                             "ask.py": "from clients import client" + ASK_CLAUDE})
    result, analysed = screened_and_unscreened(paths, tmp_path)
    assert str(tmp_path / "ask.py") in analysed
    assert codes_at(result) == {("DS101", "ask.py", 4)}, shown(result.findings)


SYNTAX_ERROR = "def broken(:\n    pass\n"


@pytest.mark.parametrize("mention", [
    "# talks to the openai API later\n",
    'PROVIDER = "DeepSeek"\n',
    'URL = "https://api.anthropic.com"\n',
], ids=["comment", "string", "host"])
def test_a_syntax_error_in_a_file_that_names_an_sdk_is_ds001(tmp_path, mention):
    paths = write(tmp_path, {"broken.py": mention + SYNTAX_ERROR})
    result, _ = screened_and_unscreened(paths, tmp_path)
    assert codes_at(result) == {("DS001", "broken.py", 2)}, shown(result.findings)
    assert result.findings[0].start.column == 12  # CPython's location of the error


def test_a_syntax_error_in_a_file_that_never_names_an_sdk_is_not_reported(tmp_path):
    paths = write(tmp_path, {"broken.py": "import json\n" + SYNTAX_ERROR, "app.py": ASK})
    result, analysed = lint(paths, tmp_path)
    assert not result.errors and not result.notices
    assert codes_at(result) == {("DS101", "app.py", ASK_ROW)}, shown(result.findings)
    assert analysed == [str(tmp_path / "app.py")]
    assert result.files_checked == 2
    # screen=False parses every file, so it (alone) reports the error: the documented exception.
    unscreened, _ = lint(paths, tmp_path, screen=False)
    assert ("DS001", "broken.py", 2) in codes_at(unscreened)


RAW_REQUEST = """\
import requests

URL = "https://api.{host}/chat/completions"


def ask(prompt):
    r = requests.post(URL, json={{"model": "m", "messages": []}}, timeout=30)
    return r.json()["choices"][0]["message"]["content"]
"""


@pytest.mark.parametrize("host", ["deepseek.com", "openai.com"])
def test_raw_http_to_the_api_without_a_status_check_is_ds401(tmp_path, host):
    paths = write(tmp_path, {"raw.py": RAW_REQUEST.format(host=host)})
    result, analysed = screened_and_unscreened(paths, tmp_path)
    assert analysed == [str(paths[0])]
    assert codes_at(result) == {("DS401", "raw.py", 7)}, shown(result.findings)


SHAPED = """\
class Agent:
    def __init__(self, llm):
        self.llm = llm

    def reply(self, text):
        return self.llm.{method}(model="m", messages=[{{"role": "user", "content": text}}])
"""


@pytest.mark.parametrize("method", ["chat.completions.create", "embeddings.create",
                                    "chat.completions.with_raw_response.create"])
def test_a_receiver_less_api_shaped_call_is_analysed(tmp_path, method):
    paths = write(tmp_path, {"agent.py": SHAPED.format(method=method)})
    result, analysed = screened_and_unscreened(paths, tmp_path)
    assert analysed == [str(paths[0])]
    assert result.findings, "the receiver-less call gave no finding"
    assert ("DS101", "agent.py", 6) in codes_at(result), shown(result.findings)


def test_files_without_api_code_are_not_analysed_but_change_nothing(tmp_path):
    """Plain files beside API code: the screen skips them, and the findings stay the same."""
    paths = write(tmp_path, {
        "app.py": ASK + "\n\nask('module level')\n",
        "util.py": "import json\n\n\ndef load(path):\n    with open(path) as f:\n        return json.load(f)\n",
        "models.py": "class Item:\n    def create(self):\n        return self\n",
    })
    result, analysed = screened_and_unscreened(paths, tmp_path)
    assert analysed == [str(tmp_path / "app.py")]
    assert ("DS101", "app.py", ASK_ROW) in codes_at(result), shown(result.findings)


# --- 3. --jobs on the command line ----------------------------------------------------------------


def test_cli_jobs_2_prints_what_jobs_1_prints(tmp_path, monkeypatch):
    monkeypatch.chdir(REPOSITORY)
    target = str(FIXTURES.relative_to(REPOSITORY) / "projects")
    outputs = {}
    for jobs in ("1", "2"):
        result = cli_runner().invoke(dslint.cli.main, ["--jobs", jobs, "--no-cache", "--select", "ALL",
                                                       "--format", "concise", target])
        assert result.exit_code == 1, result.stderr
        outputs[jobs] = result.stdout
    assert outputs["1"] == outputs["2"]
    assert outputs["1"].count(": DS1") >= 5, outputs["1"]  # findings from the multi-file projects


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_cli_jobs_must_be_a_positive_number(tmp_path, monkeypatch, value):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(ASK, encoding="utf-8")
    result = cli_runner().invoke(dslint.cli.main, ["--jobs", value, "--no-cache", "app.py"])
    assert result.exit_code == 2
    assert "--jobs" in result.stderr and result.stderr.startswith("error:"), result.stderr
    assert result.stdout == ""
