"""Hostile input (SPEC "Bad input"): whatever a file holds, dslint reports it and goes on.

Every file below is linted by the installed `dslint` command in one run, beside a file with a real
finding: each gets its expected finding (DS001 at CPython's location of the error, or the real
DS101 where the file is Python after all), the good file's finding survives, and nothing prints a
traceback. Exit codes are checked on single-file runs. Paths that cannot be read (vanished,
unreadable, broken symlinks) give a stderr line, never a crash.
"""

from __future__ import annotations

import ast
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Tuple

import pytest

from dslint.config import ConfigResolver
from dslint.discovery import discover
from dslint.engine import lint_paths

from cli_runner import cli_runner

CALL = (
    "from openai import OpenAI\n"
    "\n"
    'client = OpenAI(base_url="https://api.deepseek.com")\n'
    'response = client.chat.completions.create(model="deepseek-chat", messages=[])\n'
)
CALL_ROW, CALL_COLUMN = 4, 12  # the DS101 of CALL when it starts the file
LEGACY_CALL = "import openai\nopenai.ChatCompletion.create(model='gpt-4', messages=[])\n"
BOM = b"\xef\xbb\xbf"


def dslint_command() -> List[str]:
    script = Path(sys.executable).parent / "dslint"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dslint"]


def run(cwd: Path, *args: str, user: Optional[List[str]] = None, timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run([*(user or []), *dslint_command(), *args], cwd=cwd, capture_output=True, text=True,
                            timeout=timeout)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert "panicked" not in result.stderr, result.stderr  # a Rust panic inside LibCST
    return result


def json_findings(result: subprocess.CompletedProcess) -> Dict[str, List[Tuple[str, int, int, str]]]:
    by_file: Dict[str, List[Tuple[str, int, int, str]]] = {}
    for item in json.loads(result.stdout):
        by_file.setdefault(item["filename"], []).append(
            (item["code"], item["location"]["row"], item["location"]["column"], item["message"]))
    return by_file


def cpython_error(source: str) -> Tuple[int, int]:
    """Where CPython's parser (this interpreter's) puts the syntax error of `source`."""
    try:
        ast.parse(source)
    except SyntaxError as error:
        return error.lineno or 1, error.offset or 1
    raise AssertionError(f"CPython parses {source!r}")


class Case(NamedTuple):
    content: bytes
    code: Optional[str]  # None: no finding
    row: int = 1
    column: Optional[int] = None  # None: not checked
    message: str = ""  # a part of the message


def syntax_error(source: str, message: str = "", with_call: bool = True) -> Case:
    """A file whose first statements do not parse, then an API call; or, when nothing can follow
    the error, that first names the SDK. dslint parses only files that may call the API."""
    text = source + CALL if with_call else "from openai import OpenAI\n" + source
    row, column = cpython_error(text)
    return Case(text.encode("utf-8"), "DS001", row, column, message)


def nested(prefix: str, depth: int, middle: str, suffix: str) -> bytes:
    return (CALL + "x = " + prefix * depth + middle + suffix * depth + "\n").encode("utf-8")


CASES: Dict[str, Case] = {
    # --- bytes that are not Python source text
    "invalid_utf8_first_line.py": Case(b"x = '\xff\xfe'\n" + CALL.encode(), "DS001", 1, 1, "not valid UTF-8"),
    "invalid_utf8_later_line.py": Case(CALL.encode() + b"# caf\xe9\n", "DS001", 1, 1, "not valid UTF-8"),
    "nul_byte.py": Case(b"x = 1\n\x00\n" + CALL.encode(), "DS001", 1, 1, "NUL byte"),
    "unknown_coding.py": Case(b"# -*- coding: klingon -*-\n" + CALL.encode(), "DS001", 1, 1, "encoding"),
    "bom_contradicts_coding.py": Case(BOM + b"# coding: latin-1\n" + CALL.encode(), "DS001", 1, 1, "encoding"),
    # --- encodings and line breaks Python accepts: the real finding, at the right row and column
    "bom.py": Case(BOM + CALL.encode(), "DS101", CALL_ROW, CALL_COLUMN, "escape"),
    "crlf.py": Case(CALL.replace("\n", "\r\n").encode(), "DS101", CALL_ROW, CALL_COLUMN, "escape"),
    "bom_crlf.py": Case(BOM + CALL.replace("\n", "\r\n").encode(), "DS101", CALL_ROW, CALL_COLUMN, "escape"),
    "mixed_crlf_lf.py": Case(CALL.replace("\n", "\r\n", 2).encode(), "DS101", CALL_ROW, CALL_COLUMN, "escape"),
    "mixed_lf_crlf.py": Case(("x = 1\n" + CALL.replace("\n", "\r\n")).encode(), "DS101", CALL_ROW + 1, CALL_COLUMN),
    "cr_only.py": Case(CALL.replace("\n", "\r").encode(), "DS101", CALL_ROW, CALL_COLUMN, "escape"),
    # A lone `\r` then `\r\n`: LibCST 1.0 panics on it (a BaseException) unless the breaks are made uniform.
    "cr_then_crlf.py": Case(b"import os\rx = 1\r\n" + CALL.replace("\n", "\r\n").encode(), "DS101", CALL_ROW + 2,
                            CALL_COLUMN),
    "latin1_coding.py": Case(
        ("# -*- coding: latin-1 -*-\n# Déjà vu: ½, ü, ß\n"
         + CALL.replace("messages=[]", "messages=['Grüße']")).encode("latin-1"),
        "DS101", CALL_ROW + 2, CALL_COLUMN, "escape"),
    # Columns count characters, not bytes.
    "non_ascii_before_call.py": Case(
        CALL.replace("response = ", "réponse_ü = ").encode("utf-8"), "DS101", CALL_ROW, CALL_COLUMN + 1),
    "form_feed.py": Case(b"\x0c\n" + CALL.encode(), "DS101", CALL_ROW + 1, CALL_COLUMN),
    "line_separator_in_comment.py": Case(("# a\u2028b\x85c\n" + CALL).encode("utf-8"), "DS101", CALL_ROW + 1,
                                         CALL_COLUMN),
    "no_final_newline.py": Case(CALL.rstrip("\n").encode(), "DS101", CALL_ROW, CALL_COLUMN),
    "tabs.py": Case(("if True:\n\tpass\n" + CALL).encode(), "DS101", CALL_ROW + 2, CALL_COLUMN),
    # --- Python 2 (not `except E, e:`, which Python 3.14 parses, and so does a LibCST that knows 3.14)
    "py2_print.py": syntax_error('print "hello"\n', "print"),
    "py2_exec.py": syntax_error('exec "x = 1"\n'),
    "py2_octal.py": syntax_error("x = 0777\n"),
    "py2_backticks.py": syntax_error("x = `1`\n"),
    "py2_raise_comma.py": syntax_error('raise ValueError, "bad"\n'),
    "py2_ne.py": syntax_error("x = 1 <> 2\n"),
    "py2_long.py": syntax_error("x = 10L\n"),
    "py2_ur_string.py": syntax_error('x = ur"abc"\n'),
    "py2_legacy_openai.py": syntax_error('import openai\nprint openai.ChatCompletion.create(model="m")\n'),
    # --- syntax errors of every kind (CPython's location, whatever the interpreter)
    "unclosed_paren.py": syntax_error("x = (1,\ny = 2\n", with_call=False),
    "unclosed_paren_with_call.py": syntax_error("x = [1,\n2,\n"),
    "stray_closer.py": syntax_error("x = 1)\n"),
    "missing_indent.py": syntax_error("def f():\nreturn 1\n"),
    "unexpected_indent.py": syntax_error("x = 1\n    y = 2\n"),
    "bad_dedent.py": syntax_error("if x:\n        a = 1\n    b = 2\n"),
    "tab_space_mix.py": syntax_error("if True:\n\tx = 1\n        y = 2\n"),
    "unterminated_string.py": syntax_error("x = 'abc\n"),
    "unterminated_triple.py": syntax_error('x = """abc\n\ny = 1\n', with_call=False),
    "unterminated_fstring.py": syntax_error("x = f'{'\n"),
    "invalid_character.py": syntax_error("x = $y\n"),
    "invalid_identifier.py": syntax_error("x\u20ac = 1\n"),
    "double_equals.py": syntax_error("x = = 1\n"),
    "bad_def.py": syntax_error("def f(:\n    pass\n"),
    "trailing_backslash.py": syntax_error("x = 1 + \\\n", with_call=False),
    "assign_to_call.py": syntax_error("f() = 1\n"),
    "assign_to_literal.py": syntax_error("1 = x\n"),
    "keyword_as_name.py": syntax_error("class = 1\n"),
    "positional_after_keyword.py": syntax_error("f(x=1, 2)\n"),
    "bare_generator_argument.py": syntax_error("f(x for x in y, 1)\n"),
    "walrus_on_attribute.py": syntax_error("(a.b := 1)\n"),
    "lambda_default_order.py": syntax_error("g = lambda x=1, y: x\n"),
    "too_deep_indentation.py": Case(
        ("".join(" " * i + "if x:\n" for i in range(101)) + " " * 101 + "pass\n" + CALL).encode(), "DS001", 101,
        None, "indentation"),
    "nonlocal_at_module_level.py": Case(("nonlocal x\n" + CALL).encode(), "DS001", 1, 1, "nonlocal"),
    # --- sizes and depths
    "empty.py": Case(b"", None),
    "bom_only.py": Case(BOM, None),
    "blank_lines.py": Case(b"\n\n   \n\t\n", None),
    "lines_60000_no_api.py": Case(b"x = 1\n" * 60000, None),
    "lines_60000_error_at_end.py": syntax_error("x = 1\n" * 60000 + "x = (\n", with_call=False),
    "syntax_error_without_api.py": Case(b"def f(:\n    pass\n", None),
    "lines_60000_call_at_end.py": Case(('"""\n' + "filler\n" * 59998 + '"""\n' + CALL).encode(), "DS101",
                                       60000 + CALL_ROW, CALL_COLUMN),
    # 3,000 and 100,000 levels of one expression crash LibCST's native parser (C stack overflow).
    "parentheses_3000.py": Case(nested("(", 3000, "1", ")"), "DS001", CALL_ROW + 1, None, "nested"),
    "parentheses_100000.py": Case(nested("(", 100000, "1", ")"), "DS001", CALL_ROW + 1, None, "nested"),
    "brackets_3000.py": Case(nested("[", 3000, "", "]"), "DS001", CALL_ROW + 1, None, "nested"),
    "not_3000.py": Case(nested("not ", 3000, "1", ""), "DS001", None, None, "nested"),
    "not_100000.py": Case(nested("not ", 100000, "1", ""), "DS001", None, None, "nested"),
    "minus_3000.py": Case(nested("-", 3000, "1", ""), "DS001", None, None, "nested"),
    "plus_3000.py": Case(nested("1 + ", 3000, "1", ""), "DS001", None, None, "nested"),
    "plus_100000.py": Case(nested("1 + ", 100000, "1", ""), "DS001", None, None, "nested"),
    "attributes_3000.py": Case(nested("", 0, "a" + ".b" * 3000, ""), "DS001", None, None, "nested"),
    "calls_3000.py": Case(nested("", 0, "f" + "()" * 3000, ""), "DS001", None, None, "nested"),
    "lambdas_3000.py": Case(nested("lambda: ", 3000, "1", ""), "DS001", None, None, "nested"),
    "and_10000.py": Case(nested("a and ", 10000, "b", ""), "DS001", None, None, "nested"),
    "comprehension_3000.py": Case(nested("", 0, "[a " + "for a in b " * 3000 + "]", ""), "DS001", None, None,
                                  "nested"),
    # Valid files nested a few hundred levels deep (generated code: sympy's polynomial tables, long
    # `elif` chains) are analysed, not reported as DS001 at Python's default recursion limit.
    "plus_900.py": Case(nested("s1*s2**3 + ", 900, "1", ""), "DS101", CALL_ROW, CALL_COLUMN),
    "not_900.py": Case(nested("not ", 900, "1", ""), "DS101", CALL_ROW, CALL_COLUMN),
    "calls_900.py": Case(nested("", 0, "f" + "(1)" * 900, ""), "DS101", CALL_ROW, CALL_COLUMN),
    "and_990.py": Case(nested("a and ", 990, "b", ""), "DS101", CALL_ROW, CALL_COLUMN),
    "strings_900.py": Case(nested("", 0, "'a' " * 900, ""), "DS101", CALL_ROW, CALL_COLUMN),
    "elif_900.py": Case((CALL + "if a:\n    pass\n" + "elif a:\n    pass\n" * 900).encode(), "DS101", CALL_ROW,
                        CALL_COLUMN),
}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> Tuple[Path, subprocess.CompletedProcess, Dict[str, list]]:
    folder = tmp_path_factory.mktemp("hostile")
    for name, case in CASES.items():
        (folder / name).write_bytes(case.content)
    (folder / "good.py").write_text(CALL, encoding="utf-8")
    result = run(folder, "--format", "json", ".")
    return folder, result, json_findings(result)


def test_every_file_is_reported_and_the_run_goes_on(hostile_run):
    _, result, findings = hostile_run
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    assert [(code, row, column) for code, row, column, _ in findings["good.py"]] == [("DS101", CALL_ROW, CALL_COLUMN)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file(hostile_run, name):
    _, _, findings = hostile_run
    case = CASES[name]
    found = findings.get(name, [])
    if case.code is None:
        assert found == []
        return
    assert len(found) == 1, found
    [(code, row, column, message)] = found
    assert code == case.code, message
    if case.row is not None:
        assert row == case.row, message
    if case.column is not None:
        assert column == case.column, message
    assert case.message.lower() in message.lower()


@pytest.mark.parametrize(
    "name, status, stdout",
    [
        ("empty.py", 0, "All checks passed!"),
        ("lines_60000_no_api.py", 0, "All checks passed!"),
        ("nul_byte.py", 1, "NUL byte"),
        ("parentheses_100000.py", 1, "DS001"),
        ("crlf.py", 1, "DS101"),
    ],
)
def test_exit_status_of_one_file(hostile_run, name, status, stdout):
    folder, _, _ = hostile_run
    result = run(folder, name)
    assert result.returncode == status
    assert stdout in result.stdout
    assert result.stderr == ""


def test_the_same_files_on_stdin(hostile_run):
    """stdin takes another road to the engine (no file to read): it must hold up the same way."""
    folder, _, _ = hostile_run
    for name in ("mixed_crlf_lf.py", "cr_then_crlf.py", "and_10000.py", "parentheses_3000.py", "nul_byte.py",
                 "invalid_utf8_first_line.py", "empty.py"):
        result = subprocess.run([*dslint_command(), "--format", "json", "--stdin-filename", name, "-"], cwd=folder,
                                input=(folder / name).read_bytes(), capture_output=True, timeout=300)
        output = (result.stdout + result.stderr).decode("utf-8", "replace")
        assert "Traceback" not in output and "panicked" not in output, (name, output)
        if result.returncode == 2:  # refused with a reason: stdin that is not UTF-8
            assert "utf8" in name and result.stderr.decode().startswith("error: "), (name, output)
            continue
        expected = [CASES[name].code] if CASES[name].code else []
        assert [f["code"] for f in json.loads(result.stdout)] == expected, (name, output)
        assert result.returncode == (1 if expected else 0), name


# --- paths that are not files ----------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "good.py").write_text(CALL, encoding="utf-8")
    return tmp_path


def test_folder_named_like_a_python_file_is_walked(tree):
    (tree / "x.py").mkdir()
    (tree / "x.py" / "inner.py").write_text(CALL, encoding="utf-8")
    walked = json_findings(run(tree, "--format", "json", "."))
    assert sorted(walked) == ["good.py", os.path.join("x.py", "inner.py")]
    named = run(tree, "--format", "json", "x.py")
    assert (named.returncode, list(json_findings(named))) == (1, [os.path.join("x.py", "inner.py")])


def test_broken_symlink(tree):
    (tree / "broken.py").symlink_to(tree / "missing.py")
    walked = run(tree, "--format", "concise", ".")
    assert walked.returncode == 1 and "good.py" in walked.stdout and walked.stderr == ""
    named = run(tree, "--format", "concise", "broken.py", "good.py")
    assert named.returncode == 2
    assert named.stderr.splitlines()[-1] == "error: path does not exist: broken.py"
    assert "good.py:4:12: DS101" in named.stdout


def test_symlink_loops(tree):
    (tree / "loop_a.py").symlink_to(tree / "loop_b.py")
    (tree / "loop_b.py").symlink_to(tree / "loop_a.py")
    (tree / "pkg").mkdir()
    (tree / "pkg" / "up").symlink_to(tree, target_is_directory=True)  # a folder loop
    (tree / "pkg" / "self").symlink_to(tree / "pkg", target_is_directory=True)
    walked = run(tree, "--format", "json", ".")
    assert walked.returncode == 1 and walked.stderr == ""
    assert list(json_findings(walked)) == ["good.py"]  # each real file once, however many ways lead to it
    named = run(tree, "--format", "concise", "loop_a.py")
    assert named.returncode == 2 and named.stderr.startswith("error: ") and "loop_a.py" in named.stderr


def test_file_deleted_between_discovery_and_reading(tree, monkeypatch):
    monkeypatch.chdir(tree)  # discovery gives paths relative to the working folder
    (tree / "vanishing.py").write_text(CALL, encoding="utf-8")
    resolver = ConfigResolver(tree)
    found = discover([str(tree)], resolver)
    assert len(found.files) == 2
    (tree / "vanishing.py").unlink()
    result = lint_paths(found.files, resolver)
    assert [Path(f.path).name for f in result.findings] == ["good.py"]
    assert result.errors == []
    [notice] = result.notices
    assert notice == "cannot read vanishing.py: No such file or directory"


def test_file_deleted_between_discovery_and_reading_through_the_command(tree, monkeypatch):
    import dslint.cli

    def discover_then_delete(*args, **kwargs):
        found = discover(*args, **kwargs)
        (tree / "vanishing.py").unlink()
        return found

    (tree / "vanishing.py").write_text(CALL, encoding="utf-8")
    monkeypatch.chdir(tree)
    monkeypatch.setattr(dslint.cli, "discover", discover_then_delete)
    result = cli_runner().invoke(dslint.cli.main, ["--format", "concise", "."])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert "good.py:4:12: DS101" in result.stdout
    assert "warning: cannot read vanishing.py: No such file or directory" in result.stderr


def test_unreadable_file_in_the_engine(tree, monkeypatch):
    """The engine's handling, whatever user runs the tests (root reads a chmod 000 file)."""
    (tree / "secret.py").write_text(CALL, encoding="utf-8")
    read_bytes = Path.read_bytes

    def guarded(self):
        if self.name == "secret.py":
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", guarded)
    result = lint_paths([tree / "good.py", tree / "secret.py"], ConfigResolver(tree))
    assert [Path(f.path).name for f in result.findings] == ["good.py"]
    assert result.notices == [f"cannot read {tree / 'secret.py'}: Permission denied"]


def _without_permission_override(probe_folder: Path) -> Optional[List[str]]:
    """A command prefix under which file permissions apply, or None. As root, the capabilities
    that bypass them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) are dropped with `setpriv`."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    closed = probe_folder / "probe.txt"
    closed.write_text("x", encoding="utf-8")
    closed.chmod(0)
    try:
        reads = subprocess.run([*prefix, sys.executable, "-c", f"open({str(closed)!r}).read()"], capture_output=True,
                               timeout=60)
        runs = subprocess.run([*prefix, *dslint_command(), "--version"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        closed.unlink()
    return prefix if reads.returncode != 0 and runs.returncode == 0 else None


def test_unreadable_file_and_folder(tmp_path):
    user = _without_permission_override(tmp_path)
    if user is None:
        pytest.skip("running as root with no way (setpriv) to drop the capabilities that bypass file "
                    "permissions; test_unreadable_file_in_the_engine covers the engine")
    (tmp_path / "good.py").write_text(CALL, encoding="utf-8")
    (tmp_path / "secret.py").write_text(CALL, encoding="utf-8")
    (tmp_path / "secret.py").chmod(0)
    (tmp_path / "closed").mkdir()
    (tmp_path / "closed" / "hidden.py").write_text(CALL, encoding="utf-8")
    (tmp_path / "closed").chmod(0)
    try:
        result = run(tmp_path, "--format", "concise", ".", user=user)
        assert result.returncode == 2  # a folder that cannot be walked is an error; a file, a warning
        assert "good.py:4:12: DS101" in result.stdout
        assert "warning: cannot read secret.py: Permission denied" in result.stderr
        assert result.stderr.splitlines()[-1] == "error: cannot read directory closed: Permission denied"
        alone = run(tmp_path, "secret.py", user=user)
        assert "warning: cannot read secret.py: Permission denied" in alone.stderr
        assert "All checks passed" not in alone.stdout  # nothing was checked
    finally:
        (tmp_path / "closed").chmod(0o755)
        (tmp_path / "secret.py").chmod(0o644)


# --- notebooks -------------------------------------------------------------------------------

BROKEN_NOTEBOOKS = {
    "truncated.ipynb": b'{"cells": [{"cell_type": "code", "source": ["import openai\\n"',
    "not_json.ipynb": b"import openai\nopenai.chat.completions.create()\n",
    "empty.ipynb": b"",
    "list.ipynb": b"[]",
    "cells_not_list.ipynb": b'{"cells": 5}',
    "source_number.ipynb": b'{"cells": [{"cell_type": "code", "source": 5}]}',
    "invalid_utf8.ipynb": b'{"cells": [{"cell_type": "code", "source": "x = \xff"}]}',
    "nul_in_cell.ipynb": b'{"cells": [{"cell_type": "code", "source": "import openai\\u0000"}]}',
    "deep_json.ipynb": b"[" * 100000 + b"]" * 100000,
    "deep_python_in_cell.ipynb": json.dumps(
        {"cells": [{"cell_type": "code", "source": "import openai\nx = " + "(" * 5000 + ")" * 5000 + "\n"}]}).encode(),
}


def test_broken_notebooks():
    pytest.importorskip("dslint.notebooks", reason="notebooks are not supported in this version")
    folder = Path(tempfile.mkdtemp(prefix="dslint-notebooks-"))
    try:
        for name, content in BROKEN_NOTEBOOKS.items():
            (folder / name).write_bytes(content)
        (folder / "good.py").write_text(CALL, encoding="utf-8")
        result = run(folder, "--format", "json", ".")
        findings = json_findings(result)
        assert [f[:3] for f in findings["good.py"]] == [("DS101", CALL_ROW, CALL_COLUMN)]
        for name in BROKEN_NOTEBOOKS:
            reported = [f for f in findings.get(name, []) if f[0] == "DS001"]
            assert reported or name in result.stderr, f"{name}: nothing said about it"
        assert result.returncode in (1, 2)
    finally:
        shutil.rmtree(folder)


def test_deep_stack_helper_returns_raises_and_restores_the_limit():
    from dslint.parsing import call_with_deep_stack

    limit = sys.getrecursionlimit()

    def depth(n: int) -> int:
        return 0 if n == 0 else 1 + depth(n - 1)

    assert call_with_deep_stack(depth, 8000) == 8000  # far past the default limit of 1000
    with pytest.raises(ZeroDivisionError):
        call_with_deep_stack(lambda: 1 / 0)
    with pytest.raises(RecursionError):
        call_with_deep_stack(depth, 10 ** 6)
    assert sys.getrecursionlimit() == limit


# --- one file's internal error -----------------------------------------------------------------


def test_an_internal_error_in_one_file_is_a_line_and_exit_2(tree, monkeypatch):
    import dslint.cli
    import dslint.rules
    from dslint.rules import Rule, all_rules

    class Crashing(Rule):
        code = "DS999"
        name = "crashing"
        summary = "raises on boom.py"

        def check_file(self, context):
            if context.path.endswith("boom.py"):
                raise ZeroDivisionError("division by zero in a rule")
            return ()

    monkeypatch.setattr(dslint.rules, "all_rules", lambda: [*all_rules(), Crashing()])
    (tree / "boom.py").write_text(CALL, encoding="utf-8")
    (tree / "zzz.py").write_text(CALL, encoding="utf-8")
    monkeypatch.chdir(tree)
    result = cli_runner().invoke(dslint.cli.main, ["--format", "concise", "."])
    assert result.exit_code == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert "good.py:4:12: DS101" in result.stdout and "zzz.py:4:12: DS101" in result.stdout
    assert "boom.py" not in result.stdout
    assert result.stderr.splitlines()[-1] == (
        "error: failed to lint boom.py: ZeroDivisionError: division by zero in a rule")
    logger = logging.getLogger("dslint")
    handlers, level = list(logger.handlers), logger.level
    try:
        verbose = cli_runner().invoke(dslint.cli.main, ["--format", "concise", "--verbose", "."])
    finally:  # --verbose attaches a handler to the stderr of this invocation
        logger.handlers[:] = handlers
        logger.setLevel(level)
    assert verbose.exit_code == 2 and "Traceback" in verbose.stderr and "ZeroDivisionError" in verbose.stderr
