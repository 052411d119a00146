"""Reporters: each turns a run's findings into the text of one output format.

A reporter is a function `(result, options) -> str`; `result` is anything shaped like the
engine's RunResult (see `RunSummary`). Adding a format is one module and one entry in REPORTERS.
"""

from __future__ import annotations

from typing import Callable, Dict

from dslint.reporters import concise, github, gitlab, json_output, sarif, statistics, text
from dslint.reporters.common import ReportOptions, RunSummary

Reporter = Callable[[RunSummary, ReportOptions], str]

REPORTERS: Dict[str, Reporter] = {
    "text": text.report,
    "concise": concise.report,
    "json": json_output.report,
    "sarif": sarif.report,
    "github": github.report,
    "gitlab": gitlab.report,
}
FORMATS = tuple(REPORTERS)

# `--statistics` replaces the findings with a count per rule; only json has a shape of its own,
# every other format prints the table (as ruff does).
STATISTICS_REPORTERS: Dict[str, Reporter] = {
    name: statistics.report_json if name == "json" else statistics.report_table for name in FORMATS
}


def render(format_name: str, result: RunSummary, *, quiet: bool = False, show_statistics: bool = False,
           unsafe_fixes: bool = False) -> str:
    """The report of `result` in `format_name` (one of FORMATS), ending in a newline
    unless empty. `quiet` leaves out the closing summary; `show_statistics` reports counts per rule;
    `unsafe_fixes` counts unsafe fixes as fixable (`--unsafe-fixes`)."""
    reporters = STATISTICS_REPORTERS if show_statistics else REPORTERS
    return reporters[format_name](result, ReportOptions(quiet=quiet, unsafe_fixes=unsafe_fixes))
