"""Reporters: each turns a run's findings into the text of one output format.

A reporter is a function `(result, options) -> str`; `result` is anything shaped like the
engine's RunResult (see `RunSummary`). Adding a format is one module and one entry in REPORTER_MODULES.
"""

from __future__ import annotations

import importlib
from typing import Callable, Dict

from dslint.reporters.common import ReportOptions, RunSummary

Reporter = Callable[[RunSummary, ReportOptions], str]

# Format -> the module whose `report` renders it, imported when a run uses it (the CLI starts
# faster; a pre-commit run on one file takes about a tenth of a second).
REPORTER_MODULES: Dict[str, str] = {
    "text": "text",
    "concise": "concise",
    "json": "json_output",
    "sarif": "sarif",
    "github": "github",
    "gitlab": "gitlab",
}
FORMATS = tuple(REPORTER_MODULES)


def _reporter(format_name: str, show_statistics: bool = False) -> Reporter:
    """The reporter of `format_name`. `--statistics` replaces the findings with a count per rule;
    only json has a shape of its own, every other format prints the table (as ruff does)."""
    if show_statistics:
        from dslint.reporters import statistics

        return statistics.report_json if format_name == "json" else statistics.report_table
    return importlib.import_module(f"dslint.reporters.{REPORTER_MODULES[format_name]}").report


def render(format_name: str, result: RunSummary, *, quiet: bool = False, show_statistics: bool = False,
           unsafe_fixes: bool = False) -> str:
    """The report of `result` in `format_name` (one of FORMATS), ending in a newline
    unless empty. `quiet` leaves out the closing summary; `show_statistics` reports counts per rule;
    `unsafe_fixes` counts unsafe fixes as fixable (`--unsafe-fixes`)."""
    return _reporter(format_name, show_statistics)(result, ReportOptions(quiet=quiet, unsafe_fixes=unsafe_fixes))
