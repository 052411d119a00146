"""Jupyter notebooks: found, linted as one module, findings in rows of their cell, written back intact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Union

import pytest
from test_cli import run

from dslint.config import ConfigResolver
from dslint.engine import lint_paths
from dslint.notebooks import NotebookError, load_notebook, mask_magics

Source = Union[str, List[str]]


def code(source: Source) -> Dict[str, Any]:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def markdown(source: Source) -> Dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def lines(text: str) -> List[str]:
    """A cell's source the way nbformat stores it: a list of lines, the last without its newline."""
    return text.splitlines(keepends=True)


def notebook_text(*cells: Dict[str, Any], language: str = "python") -> str:
    document = {
        "cells": list(cells),
        "metadata": {"kernelspec": {"language": language, "name": "python3"}, "language_info": {"name": language}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"  # nbformat's layout


CLIENT_CELL = code(lines('from openai import OpenAI\n\nclient = OpenAI(base_url="https://api.deepseek.com")'))
MAGICS_CELL = code(
    lines(
        "%pip install openai\n"
        "!ls -la\n"
        "files = !ls\n"
        "client?\n"
        "%time x = 1\n"
        "if True:\n"
        "    %env DEBUG=1\n"
        "response = client.chat.completions.create(model=\"m\", messages=[])"
    )
)
# The finding is on row 8 of cell 3, column 12.
NOTEBOOK = notebook_text(markdown(["# Support bot\n", "Calls DeepSeek."]), CLIENT_CELL, MAGICS_CELL)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "nb.ipynb").write_text(NOTEBOOK, encoding="utf-8")
    return tmp_path


# --- through the command ---------------------------------------------------------------------


def test_finding_names_its_cell_and_counts_rows_from_the_cell(project):
    result = run(project, "--format", "concise")
    assert result.returncode == 1
    assert result.stdout.startswith("nb.ipynb:cell 3:8:12: DS101 ")


def test_text_format_shows_the_cells_line(project):
    out = run(project).stdout
    assert out.startswith("nb.ipynb:cell 3:8:12: DS101 ")
    assert '8 | response = client.chat.completions.create(model="m", messages=[])\n' in out


def test_json_cell_key_and_rows(project):
    [item] = json.loads(run(project, "--format", "json").stdout)
    assert (item["filename"], item["cell"], item["location"], item["noqa_row"]) == (
        "nb.ipynb", 3, {"row": 8, "column": 12}, 8,
    )  # fmt: skip
    assert item["end_location"]["row"] == 8


def test_the_client_of_another_cell_is_resolved(project):
    # Only the DeepSeek client from cell 2 makes this DeepSeek's table (no 403/404 in the message).
    [item] = json.loads(run(project, "--format", "json").stdout)
    assert "402 Insufficient Balance" in item["message"] and "403" not in item["message"]


def test_a_folder_walk_finds_notebooks_but_not_checkpoints(project):
    (project / ".ipynb_checkpoints").mkdir()
    (project / ".ipynb_checkpoints" / "nb-checkpoint.ipynb").write_text(NOTEBOOK, encoding="utf-8")
    assert run(project, "--format", "concise").stdout.count(" DS101 ") == 1


def test_noqa_in_a_cell(project):
    cell = dict(MAGICS_CELL, source=MAGICS_CELL["source"][:-1] + [MAGICS_CELL["source"][-1] + "  # noqa: DS101"])
    (project / "nb.ipynb").write_text(notebook_text(CLIENT_CELL, cell), encoding="utf-8")
    assert run(project).returncode == 0


def test_broken_notebook_is_a_finding_not_a_crash(project):
    (project / "broken.ipynb").write_text('{"cells": [\n  {"cell_type": "code",}\n]}\n', encoding="utf-8")
    (project / "old.ipynb").write_text('{"worksheets": []}', encoding="utf-8")
    result = run(project, "--format", "concise")
    assert result.returncode == 1
    out = result.stdout
    assert "broken.ipynb:2:24: DS001 cannot parse this file: invalid notebook JSON: " in out
    assert "old.ipynb:1:1: DS001 cannot parse this file: not a Jupyter notebook (nbformat 4)" in out
    assert "nb.ipynb:cell 3:8:12: DS101 " in out  # the run goes on


def test_syntax_error_in_a_cell(project):
    (project / "nb.ipynb").write_text(notebook_text(markdown("x"), code("import openai\n"), code("x = (\n")), encoding="utf-8")
    assert run(project, "--format", "concise").stdout.startswith("nb.ipynb:cell 3:1:")


def test_notebook_of_another_language_is_skipped(project):
    (project / "nb.ipynb").write_text(NOTEBOOK.replace('"python"', '"R"'), encoding="utf-8")
    assert run(project).returncode == 0


def test_notebook_on_stdin(project):
    result = run(project, "-", "--stdin-filename", "nb.ipynb", "--format", "concise", stdin=NOTEBOOK)
    assert (result.returncode, result.stdout.split(" DS101")[0]) == (1, "nb.ipynb:cell 3:8:12:")


def test_github_and_sarif_point_at_the_line_of_the_file(project):
    stored = '    "response = client.chat.completions.create(model=\\"m\\", messages=[])"'
    file_line = 1 + NOTEBOOK.splitlines().index(stored)
    github = run(project, "--format", "github").stdout
    assert github.startswith(f"::error file=nb.ipynb,line={file_line},endLine={file_line},title=dslint (DS101)::")
    assert "::nb.ipynb:cell 3:8:12: DS101 " in github
    [result] = json.loads(run(project, "--format", "sarif").stdout)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": file_line, "endLine": file_line}
    assert result["properties"]["cell"] == 3


# --- the adapter -----------------------------------------------------------------------------


def test_magics_are_masked_row_for_row():
    cell = [
        "%matplotlib inline",
        "!pip install x \\",
        "    --quiet",
        "out = !ls",
        "a, b = %sx cmd",
        "obj??",
        "x = 1  # a comment?",
        "if x:",
        "    %time f()",
        "s = '''",
        "%not a magic",
        "'''",
        "y = (",
        "  !x)",
        "z = x != y",
    ]
    assert mask_magics(cell) == [
        "pass",
        "pass",
        "",
        "pass",
        "pass",
        "pass",
        "x = 1  # a comment?",
        "if x:",
        "    pass",
        "s = '''",
        "%not a magic",
        "'''",
        "y = (",
        "  !x)",
        "z = x != y",
    ]


def test_cell_magics():
    assert mask_magics(["%%bash", "echo hi"]) == ["", ""]
    assert mask_magics(["", "%%time", "x = 1"]) == ["", "", "x = 1"]


def test_rows_map_to_cells_and_back():
    notebook = load_notebook(NOTEBOOK)
    assert notebook.source.splitlines()[:4] == [
        "from openai import OpenAI", "", 'client = OpenAI(base_url="https://api.deepseek.com")', "pass",
    ]  # fmt: skip
    assert notebook.cell_position(4) == (3, 1)
    assert notebook.cell_position(3) == (2, 3)
    assert notebook.virtual_row(3, 8) == 11
    assert notebook.cell_line(3, 1) == "%pip install openai"


def test_writing_back_the_same_source_changes_nothing():
    notebook = load_notebook(NOTEBOOK)
    assert notebook.with_source(notebook.source) == NOTEBOOK


def test_writing_back_keeps_layout_magics_and_other_cells():
    notebook = load_notebook(NOTEBOOK)
    fixed = notebook.source.replace(
        'messages=[])\n', 'messages=[])\nresponse.raise_for_status()\n'
    ).replace("from openai import OpenAI\n", "import asyncio\nfrom openai import OpenAI\n")
    written = notebook.with_source(fixed)
    document = json.loads(written)
    assert written == json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    cells = document["cells"]
    assert cells[0] == json.loads(NOTEBOOK)["cells"][0]
    assert cells[1]["source"][:2] == ["import asyncio\n", "from openai import OpenAI\n"]
    assert cells[2]["source"][:2] == ["%pip install openai\n", "!ls -la\n"]  # magics restored
    assert cells[2]["source"][-2:] == [
        'response = client.chat.completions.create(model="m", messages=[])\n',
        "response.raise_for_status()",  # the cell still ends without a newline
    ]
    assert {key: value for key, value in cells[2].items() if key != "source"} == {
        key: value for key, value in MAGICS_CELL.items() if key != "source"
    }


def test_source_stored_as_one_string_stays_one_string():
    text = notebook_text(code("a = 1\nb = 2\n"))
    notebook = load_notebook(text)
    written = json.loads(notebook.with_source("a = 1\nb = 3\n"))
    assert written["cells"][0]["source"] == "a = 1\nb = 3\n"


@pytest.mark.parametrize(
    "text, message",
    [
        ("[]", "not a Jupyter notebook"),
        ('{"cells": [1]}', "cell 1 is not a JSON object"),
        ('{"cells": [{"cell_type": "code", "source": 3}]}', "cell 1: 'source' must be a string or a list of strings"),
        ('{"cells": [', "invalid notebook JSON"),
    ],
)
def test_bad_notebooks(text, message):
    with pytest.raises(NotebookError, match=message):
        load_notebook(text)


def test_engine_keeps_virtual_rows_for_a_fixer(project):
    result = lint_paths([project / "nb.ipynb"], ConfigResolver(project), notebook_cells=False)
    [finding] = result.findings
    path = str(project / "nb.ipynb")
    assert (finding.cell, finding.start.row) == (None, 11)
    assert result.sources[path] == result.notebooks[path].source
    assert result.sources[path].splitlines()[10].startswith("response = client.chat")
