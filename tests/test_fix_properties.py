"""Property tests of the autofixes: modules of retry constructs and handlers generated from a small
grammar are fixed with `--fix --unsafe-fixes`; the result parses and compiles, no fixed finding
fires again in its function, and a second run changes nothing.

The default run is short (DSLINT_HYPOTHESIS_EXAMPLES, 50 unless set); raise it to search longer.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import libcst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dslint.config import Config
from dslint.fixer import fix_text, is_applicable

EXAMPLES = int(os.environ.get("DSLINT_HYPOTHESIS_EXAMPLES", "50"))
CONFIG = Config(path=None, root=Path(__file__).resolve().parent, select=("ALL",))


@dataclass
class Module:
    """A generated module: the imports its code needs and one function per construct."""

    imports: Set[str] = field(default_factory=set)
    functions: List[str] = field(default_factory=list)
    async_client: bool = False

    def source(self, import_order: List[str]) -> str:
        lines = [line for line in import_order if line in self.imports]
        lines += sorted(self.imports - set(import_order))
        header = "\n".join(lines)
        clients = ['client = OpenAI(base_url="https://api.deepseek.com")']
        if self.async_client:
            clients.append('aclient = AsyncOpenAI(base_url="https://api.deepseek.com")')
        return header + "\n\n" + "\n".join(clients) + "\n\n\n" + "\n\n\n".join(self.functions)


CALL = 'client.chat.completions.create(model="deepseek-chat", messages=[])'
ACALL = 'await aclient.chat.completions.create(model="deepseek-chat", messages=[])'


@st.composite
def tenacity_construct(draw, module: Module, name: str) -> str:
    module_style = draw(st.booleans())
    module.imports.add("import openai")

    def use(symbol: str) -> str:
        if module_style:
            module.imports.add("import tenacity")
            return f"tenacity.{symbol}"
        module.imports.add(f"from tenacity import {symbol}")
        return symbol

    arguments = []
    retry = draw(st.sampled_from([None, "openai.APIError", "(openai.RateLimitError, openai.InternalServerError)",
                                  "not openai.BadRequestError", "Exception"]))
    if retry is not None and retry.startswith("not "):
        arguments.append(f"retry={use('retry_if_not_exception_type')}({retry[4:]})")
    elif retry is not None:
        arguments.append(f"retry={use('retry_if_exception_type')}({retry})")
    wait = draw(st.sampled_from([None, "wait_fixed(2)", "wait_random_exponential(max=30)", "wait_none()",
                                 "wait_random(1, 3)"]))
    if wait is not None:
        symbol, rest = wait.split("(", 1)
        arguments.append(f"wait={use(symbol)}({rest}")
    stop = draw(st.sampled_from([None, "stop_after_attempt(3)", "stop_never"]))
    if stop is not None:
        symbol, _, rest = stop.partition("(")
        arguments.append(f"stop={use(symbol)}" + (f"({rest}" if rest else ""))
    if draw(st.booleans()):
        arguments.append("reraise=True")
    arguments = draw(st.permutations(arguments))
    decorator = use("retry")
    layout = draw(st.sampled_from(["bare", "line", "lines", "lines-comments"]))
    if layout == "bare" and not arguments:
        head = f"@{decorator}  # retry"
    elif layout in ("bare", "line"):
        head = f"@{decorator}({', '.join(arguments)})"
    else:
        comment = "  # argument" if layout == "lines-comments" else ""
        body = "".join(f"    {argument},{comment}\n" for argument in arguments)
        head = f"@{decorator}(\n{body})"
    return f"{head}\ndef {name}(question):\n    return {CALL}\n"


@st.composite
def backoff_construct(draw, module: Module, name: str) -> str:
    module.imports.update({"import openai", "import backoff"})
    constant = draw(st.booleans())
    arguments = ["backoff.constant" if constant else "backoff.expo",
                 draw(st.sampled_from(["openai.APIError", "openai.RateLimitError", "Exception"]))]
    if constant and draw(st.booleans()):
        arguments.append("interval=3")
    tries = draw(st.sampled_from([None, "5", "None"]))
    if tries is not None:
        arguments.append(f"max_tries={tries}")
    if draw(st.booleans()):
        body = "".join(f"    {argument},\n" for argument in arguments)
        head = f"@backoff.on_exception(\n{body})"
    else:
        head = f"@backoff.on_exception({', '.join(arguments)})"
    return f"{head}\ndef {name}(question):\n    return {CALL}\n"


@st.composite
def loop_construct(draw, module: Module, name: str) -> str:
    module.imports.add("import openai")
    is_async = draw(st.booleans())
    if is_async:
        module.async_client = True
    header = draw(st.sampled_from(["for", "while-counter", "while-true"]))
    caught = draw(st.sampled_from(["Exception", "openai.APIError", "openai.APIStatusError",
                                   "(openai.RateLimitError, openai.InternalServerError)", "openai.RateLimitError",
                                   ""]))
    bound = draw(st.sampled_from([None, "e", "err"])) if caught else None
    clause = "except" + (f" {caught}" if caught else "") + (f" as {bound}" if bound else "") + ":"
    if draw(st.booleans()):
        clause += "  # retry"
    statements = []
    if header == "while-counter":
        statements.append("attempt += 1")
    if draw(st.booleans()):
        statements.append(f'print("failed", {bound or "question"})')
    sleep = draw(st.sampled_from([None, "time.sleep(2)", "time.sleep(2 ** attempt + random.random())",
                                  "asyncio.sleep(2)"]))
    if sleep is not None and "attempt" in sleep and header == "while-true":
        sleep = "time.sleep(2)"
    if sleep is not None:
        if sleep.startswith("asyncio"):
            if not is_async:
                sleep = "time.sleep(2)"
            else:
                module.imports.add("import asyncio")
                sleep = "await " + sleep
        if "time." in sleep:
            module.imports.add("import time")
        if "random." in sleep:
            module.imports.add("import random")
        statements.append(sleep)
    if draw(st.booleans()):
        statements.append("continue")
    if not statements:
        statements.append("pass")
    one_line = len(statements) == 1 and statements[0] != "continue" and draw(st.booleans())
    call = ACALL if is_async else CALL
    lines = [f"{'async ' if is_async else ''}def {name}(question):"]
    if header == "for":
        lines.append("    for attempt in range(5):")
    elif header == "while-counter":
        lines += ["    attempt = 0", "    while attempt < 5:"]
    else:
        lines.append("    while True:")
    lines += ["        try:", f"            return {call}"]
    if one_line:
        lines.append(f"        {clause.split('  #')[0]} {statements[0]}")
    else:
        lines.append(f"        {clause}")
        lines += [f"            {statement}" for statement in statements]
    lines.append('    raise RuntimeError("gave up")')
    return "\n".join(lines) + "\n"


@st.composite
def http_construct(draw, module: Module, name: str) -> str:
    module.imports.add("import requests")
    multi_line = draw(st.booleans())
    request = ('requests.post(\n        "https://api.deepseek.com/chat/completions",\n        json={},  # body\n    )'
               if multi_line else 'requests.post("https://api.deepseek.com/chat/completions", json={})')
    return f"def {name}(prompt):\n    r = {request}\n    return r.json()\n"


CONSTRUCTS = {"tenacity": tenacity_construct, "backoff": backoff_construct, "loop": loop_construct,
              "http": http_construct}
IMPORT_ORDER = ["import asyncio", "import random", "import time", "import backoff", "import openai",
                "import requests", "import tenacity", "from openai import AsyncOpenAI, OpenAI"]


@st.composite
def modules(draw) -> str:
    module = Module(imports={"from openai import AsyncOpenAI, OpenAI"})
    kinds = draw(st.lists(st.sampled_from(sorted(CONSTRUCTS)), min_size=1, max_size=3))
    for index, kind in enumerate(kinds):
        module.functions.append(draw(CONSTRUCTS[kind](module, f"f{index}")))
    return module.source(IMPORT_ORDER)


def _function_rows(source: str) -> List[Tuple[int, int, str]]:
    rows = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            rows.append((first, node.end_lineno or node.lineno, node.name))
    return rows


def _places(source: str, findings, fixable_only: bool) -> Set[Tuple[str, Optional[str]]]:
    rows = _function_rows(source)
    places = set()
    for finding in findings:
        if fixable_only and not is_applicable(finding, unsafe=True):
            continue
        function = next((name for first, last, name in rows if first <= finding.start.row <= last), None)
        places.add((finding.code, function))
    return places


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules())
def test_fixes_parse_hold_and_settle(source: str):
    compile(source, "generated.py", "exec")  # the grammar makes valid modules
    outcome = fix_text(source, "generated.py", CONFIG, unsafe=True)
    assert not outcome.errors and not outcome.notices
    fixed = outcome.changes[0].fixed if outcome.changes else source
    libcst.parse_module(fixed)
    compile(fixed, "generated.py", "exec")

    from dslint.engine import lint_text

    before = lint_text(source, "generated.py", CONFIG).findings
    fixed_places = _places(source, before, fixable_only=True)
    assert bool(fixed_places) == bool(outcome.changes)
    remaining = _places(fixed, outcome.result.findings, fixable_only=False)
    assert not fixed_places & remaining, (fixed_places & remaining, fixed)

    again = fix_text(fixed, "generated.py", CONFIG, unsafe=True)
    assert not again.changes and again.fixed == 0


def test_the_grammar_reaches_every_fixable_rule():
    """The generated modules exercise each rule with a fix (a guard against a grammar that
    quietly stops producing what the property is about)."""
    found: Dict[str, int] = {}

    @settings(max_examples=60, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(modules())
    def collect(source: str):
        from dslint.engine import lint_text

        for finding in lint_text(source, "generated.py", CONFIG).findings:
            if finding.fix is not None:
                found[finding.code] = found.get(finding.code, 0) + 1

    collect()
    assert {"DS201", "DS301", "DS302", "DS304", "DS305", "DS401"} <= set(found)
