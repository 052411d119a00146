"""Fuzzing the analysis with hypothesis: programs generated from a grammar of what dslint reasons
about (clients built several ways, API calls, nested try/except with every exception form,
status-code tests, re-raises, retry loops, tenacity/backoff/stamina/retry decorators with random
arguments, async code, sleeps, raw HTTP) mixed with random noise statements and comments.

Properties: linting never raises and reports no internal error; every finding is well formed (a
known code, rows and columns inside the file, a message); valid programs get no DS001. When the
fixer is there, `--fix --unsafe-fixes` output parses and compiles and a second run changes nothing.

The default profile (tests/conftest.py) runs about 100 examples; `--hypothesis-profile=long` runs
2000.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Dict, List

import libcst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dslint.config import Config
from dslint.engine import lint_text
from dslint.rules import all_rules

CONFIG = Config(path=None, root=Path(__file__).resolve().parent, select=("ALL",))
CODES = {rule.code for rule in all_rules()}
PATH = "fuzz.py"
LINE_BREAK = re.compile(r"\r\n|\r|\n")

IMPORTS = [
    "import openai",
    "import openai as oa",
    "from openai import OpenAI, AsyncOpenAI, AzureOpenAI",
    "from openai import OpenAI as OAI",
    "from openai import APIError, APIStatusError, RateLimitError, InternalServerError, APIConnectionError",
    "import anthropic",
    "import litellm",
    "import time",
    "import asyncio",
    "import random",
    "import logging",
    "import requests",
    "import httpx",
    "import aiohttp",
    "import tenacity",
    "from tenacity import retry, stop_after_attempt, stop_after_delay, wait_exponential, wait_fixed, "
    "wait_random_exponential, retry_if_exception_type, Retrying, AsyncRetrying",
    "import backoff",
    "import stamina",
    "from retry import retry",
    "import retrying",
]

EXCEPTIONS = [
    "Exception", "BaseException", "openai.APIError", "openai.APIStatusError", "openai.RateLimitError",
    "openai.InternalServerError", "openai.BadRequestError", "openai.AuthenticationError",
    "openai.APIConnectionError", "openai.APITimeoutError", "openai.NotFoundError", "openai.OpenAIError",
    "oa.RateLimitError", "APIStatusError", "RateLimitError", "APIError", "InternalServerError",
    "APIConnectionError", "openai.error.RateLimitError", "openai.error.APIError",
    "openai.error.ServiceUnavailableError",
    "anthropic.RateLimitError", "anthropic.APIStatusError", "litellm.RateLimitError", "requests.HTTPError",
    "requests.exceptions.RequestException", "httpx.HTTPStatusError", "tenacity.RetryError", "KeyError",
    "ValueError", "TimeoutError", "Unknown", "pkg.errors.Custom", "ERRORS",
]

STATUS_CODES = [400, 401, 402, 403, 404, 408, 409, 422, 429, 500, 502, 503, 504]
URLS = ['"https://api.deepseek.com/chat/completions"', 'f"{BASE}/v1/chat/completions"',
        '"https://api.openai.com/v1/embeddings"', "URL", 'BASE + "/chat/completions"', '"https://example.com"']

identifiers = st.from_regex(r"[a-z_][a-z0-9_]{0,7}", fullmatch=True).filter(
    lambda name: not keyword.iskeyword(name) and name not in {"match", "case", "type", "_"})
small_numbers = st.one_of(st.integers(-3, 10), st.sampled_from(["1.5", "0.1", "60", "2 ** attempt", "delay",
                                                               "attempt", "N", "None", "-1", "float('inf')"]))
comment_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30)
noqa_comments = st.sampled_from(["# noqa", "# noqa: DS101", "# noqa:DS201,DS301", "# dslint: ignore[DS304]",
                                 "# dslint: file-ignore[DS102]", "# noqa: DS101 -- on purpose", "# type: ignore"])


@st.composite
def keywords(draw, pool: Dict[str, List[str]], at_most: int = 3) -> List[str]:
    """`name=value` arguments, each name at most once."""
    names = draw(st.lists(st.sampled_from(sorted(pool)), max_size=at_most, unique=True))
    return [f"{name}={draw(st.sampled_from(pool[name]))}" for name in names]


@dataclass(frozen=True)
class Ctx:
    depth: int = 0
    in_function: bool = False
    in_async: bool = False
    in_loop: bool = False
    error: str = ""  # the `as` name of the enclosing handler


def indent(lines: List[str], by: int = 1) -> List[str]:
    return ["    " * by + line if line else line for line in lines]


@st.composite
def client_expression(draw) -> str:
    constructor = draw(st.sampled_from(["OpenAI", "openai.OpenAI", "OAI", "AsyncOpenAI", "AzureOpenAI",
                                        "oa.OpenAI", "anthropic.Anthropic", "make_client"]))
    arguments = draw(keywords({
        "base_url": ['"https://api.deepseek.com"', '"https://api.deepseek.com/v1"', "BASE",
                     '"https://api.deepseek.com/anthropic"', '"https://api.openai.com/v1"'],
        "api_key": ['"sk-x"', "os.environ['KEY']"], "max_retries": ["0", "3", "N"],
        "timeout": ["30", "httpx.Timeout(5.0)"]}))
    expression = f"{constructor}({', '.join(arguments)})"
    if draw(st.integers(0, 5)) == 0:
        expression += draw(st.sampled_from([".with_options(max_retries=0)", ".with_options(timeout=5)",
                                            ".with_raw_response", ".with_streaming_response"]))
    return expression


@st.composite
def api_call(draw, ctx: Ctx) -> str:
    receiver = draw(st.sampled_from(["client", "self.client", "aclient", "openai", "oa", "get_client()",
                                     "unknown", "clients[0]", "client.with_options(max_retries=0)",
                                     "client.with_raw_response", "llm"]))
    method = draw(st.sampled_from(["chat.completions.create", "chat.completions.parse", "completions.create",
                                   "embeddings.create", "responses.create", "images.generate",
                                   "moderations.create", "ChatCompletion.create", "Completion.create",
                                   "messages.create", "models.list", "files.create"]))
    arguments = draw(st.sampled_from(['model="deepseek-chat", messages=[]', 'model="gpt-4o", input="x"',
                                      "**kwargs", "", 'model=MODEL, messages=messages, stream=True']))
    call = f"{receiver}.{method}({arguments})"
    if draw(st.integers(0, 6)) == 0:
        call = draw(st.sampled_from(['litellm.completion(model="deepseek/deepseek-chat", messages=[])',
                                     f"requests.post({draw(st.sampled_from(URLS))}, json=payload)",
                                     f"httpx.post({draw(st.sampled_from(URLS))}, json=payload)",
                                     f"session.get({draw(st.sampled_from(URLS))})"]))
    if ctx.in_async and draw(st.booleans()):
        call = f"await {call}"
    return call


@st.composite
def exception_form(draw) -> str:
    kind = draw(st.integers(0, 6))
    if kind == 0:
        return ""  # bare except
    if kind == 1:
        names = draw(st.lists(st.sampled_from(EXCEPTIONS), min_size=0, max_size=3))
        return "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"
    return draw(st.sampled_from(EXCEPTIONS))


@st.composite
def sleep_statement(draw, ctx: Ctx) -> List[str]:
    delay = draw(st.sampled_from(["1", "2", "DELAY", "delay", "2 ** attempt", "random.uniform(1, 3)",
                                  "min(60, 2 ** attempt) + random.random()", "backoff_time", "retry_after",
                                  "float(e.response.headers.get('retry-after', 1))" if ctx.error else "0.5"]))
    form = draw(st.sampled_from(["time.sleep", "asyncio.sleep", "sleep", "await asyncio.sleep"]
                                if ctx.in_async else ["time.sleep", "sleep", "asyncio.sleep"]))
    lines = [f"{form}({delay})"]
    if draw(st.booleans()):
        lines.insert(0, draw(st.sampled_from(["delay *= 2", "attempt += 1", "delay = min(delay * 2, 60)",
                                              "retries -= 1"])))
    return lines


@st.composite
def noise(draw, ctx: Ctx) -> List[str]:
    name = draw(identifiers)
    kind = draw(st.integers(0, 11))
    if kind == 0:
        return [f"{name} = {draw(st.integers())!r}"]
    if kind == 1:
        return [f"{name} = {draw(st.text(max_size=20))!r}"]
    if kind == 2:
        return [f"pass  # {draw(comment_text)}", f"# {draw(comment_text)}"]
    if kind == 3:
        return [f"{name} = [x * 2 for x in range(3) if x]  {draw(noqa_comments)}"]
    if kind == 4:
        return [f"logging.getLogger(__name__).info({draw(st.text(max_size=10))!r})"]
    if kind == 5:
        return [f"with open({name!r}) as handle:", "    data = handle.read()"]
    if kind == 6:
        return [f"class {name.capitalize() or 'C'}Thing:", "    value = 1", "", "    def method(self):",
                "        return self.value"]
    if kind == 7:
        return [f"{name} = lambda *args, **kwargs: (args, kwargs)"]
    if kind == 8:
        return ["assert True, 'fine'"]
    if kind == 9:
        return [f"{name}: dict = {{'a': {{'b': [1, (2, 3)]}}}}"]
    if kind == 10:
        return ["pass", ""]
    return [f"print({name!r}, sep='')"]


@st.composite
def status_test(draw, ctx: Ctx) -> List[str]:
    error = ctx.error
    subject = draw(st.sampled_from([f"{error}.status_code", f"getattr({error}, 'status_code', None)",
                                    f"{error}.response.status_code", "status", f"{error}.http_status"]))
    codes = draw(st.lists(st.sampled_from(STATUS_CODES), min_size=1, max_size=3, unique=True))
    test = (f"{subject} == {codes[0]}" if len(codes) == 1 and draw(st.booleans())
            else f"{subject} in {tuple(codes) if draw(st.booleans()) else set(codes)}")
    if draw(st.integers(0, 4)) == 0:
        test = f"{subject} >= 500"
    if draw(st.integers(0, 4)) == 0:
        test = f"isinstance({error}, {draw(st.sampled_from(EXCEPTIONS))})"
    lines = []
    if subject == "status":
        lines.append(f"status = getattr({error}, 'status_code', 0)")
    inner = Ctx(ctx.depth + 1, ctx.in_function, ctx.in_async, ctx.in_loop, error)
    lines.append(f"if {test}:")
    lines += indent(draw(handler_body(inner)))
    if draw(st.booleans()):
        lines.append(f"elif {subject} == {draw(st.sampled_from(STATUS_CODES))}:")
        lines += indent(draw(handler_body(inner)))
    if draw(st.booleans()):
        lines.append("else:")
        lines += indent(draw(st.sampled_from([["raise"], [f"raise {error}"], ["pass"], ["log.error('x')"]])))
    return lines


@st.composite
def handler_body(draw, ctx: Ctx) -> List[str]:
    options = ["pass", "...", "raise", "log"]
    if ctx.error:
        options += ["raise_e", "raise_from", "print_e", "status", "status", "retry_after"]
    if ctx.in_function:
        options += ["return", "return_none", "return_value"]
    if ctx.in_loop:
        options += ["continue", "break", "sleep_continue", "sleep"]
    else:
        options += ["sleep"]
    if ctx.depth < 3:
        options += ["nested_try"]
    choice = draw(st.sampled_from(options))
    error = ctx.error
    if choice == "raise_e":
        return [f"raise {error}"]
    if choice == "raise_from":
        return [f"raise {draw(st.sampled_from(['RuntimeError', 'LLMUnavailable', 'ValueError']))}('x') from "
                f"{draw(st.sampled_from([error, 'None']))}"]
    if choice == "print_e":
        return [f"print({error})"]
    if choice == "log":
        return [draw(st.sampled_from(["logging.exception('failed')", "logger.warning('retrying')",
                                      "log.error('x', exc_info=True)"]))]
    if choice == "status":
        return draw(status_test(ctx))
    if choice == "retry_after":
        return [f"retry_after = {error}.response.headers.get('retry-after')", *draw(sleep_statement(ctx))]
    if choice == "return":
        return ["return"]
    if choice == "return_none":
        return ["return None"]
    if choice == "return_value":
        return [draw(st.sampled_from(["return {}", "return fallback()", "return ''"]))]
    if choice == "sleep_continue":
        return [*draw(sleep_statement(ctx)), "continue"]
    if choice == "sleep":
        return draw(sleep_statement(ctx))
    if choice == "nested_try":
        return draw(try_statement(replace(ctx, depth=ctx.depth + 1)))
    return [choice]


@st.composite
def try_statement(draw, ctx: Ctx) -> List[str]:
    inner = replace(ctx, depth=ctx.depth + 1)
    lines = ["try:"]
    body = [draw(st.sampled_from(["response = ", "return ", ""]) if ctx.in_function else
                 st.sampled_from(["response = ", ""])) + draw(api_call(ctx))]
    if body[0].startswith("response = ") and draw(st.booleans()):
        body.append(draw(st.sampled_from(["print(response.json())", "data = response.choices[0]",
                                          "response.raise_for_status()", "if response.status_code != 200:\n    pass"])))
        body[-1:] = body[-1].split("\n")
    if draw(st.integers(0, 3)) == 0:
        body += draw(statement(inner))
    if ctx.in_loop and draw(st.booleans()):
        body.append(draw(st.sampled_from(["break", "return response" if ctx.in_function else "break",
                                          "done = True"])))
    lines += indent(body)
    for _ in range(draw(st.integers(1, 3))):
        form = draw(exception_form())
        name = draw(st.sampled_from(["", "e", "err", "exc"]))
        clause = "except" + (f" {form}" if form else "") + (f" as {name}" if form and name else "")
        lines.append(clause + ":")
        lines += indent(draw(handler_body(replace(inner, error=name if form and name else ""))))
        if not form:
            break  # a bare except must be last
    if draw(st.integers(0, 3)) == 0:
        lines += ["else:", "    log.info('ok')"]
    if draw(st.integers(0, 3)) == 0:
        lines += ["finally:", "    cleanup()"]
    return lines


@st.composite
def loop_statement(draw, ctx: Ctx) -> List[str]:
    header = draw(st.sampled_from(["for attempt in range(3):", "for attempt in range(MAX_RETRIES):",
                                   "while True:", "while not done:", "while attempt < 5:", "for item in items:",
                                   "for _ in itertools.count():", "while retries > 0:"]))
    inner = replace(ctx, depth=ctx.depth + 1, in_loop=True)
    lines = []
    if "done" in header:
        lines.append("done = False")
    lines.append(header)
    body = draw(st.lists(st.one_of(try_statement(inner), sleep_statement(inner), noise(inner)), min_size=1,
                         max_size=3))
    lines += indent([line for block in body for line in block])
    if draw(st.integers(0, 3)) == 0:
        lines += ["else:", "    raise RuntimeError('gave up')"]
    return lines


@st.composite
def retry_iterator(draw, ctx: Ctx) -> List[str]:
    inner = replace(ctx, depth=ctx.depth + 1)
    kind = draw(st.sampled_from(["Retrying", "tenacity.Retrying", "AsyncRetrying", "stamina.retry_context"]))
    arguments = draw(keywords({
        "stop": ["stop_after_attempt(3)"], "wait": ["wait_fixed(1)", "wait_random_exponential(min=1, max=60)"],
        "reraise": ["True"], "retry": ["retry_if_exception_type(openai.RateLimitError)"], "on": ["openai.APIError"],
        "attempts": ["3"]}))
    asynchronous = kind == "AsyncRetrying" and ctx.in_async
    lines = [f"{'async ' if asynchronous else ''}for attempt in {kind}({', '.join(arguments)}):",
             "    with attempt:", "        " + draw(api_call(inner))]
    return lines


@st.composite
def raw_http(draw, ctx: Ctx) -> List[str]:
    library = draw(st.sampled_from(["requests", "httpx", "session", "requests.Session()"]))
    method = draw(st.sampled_from(["post", "get", "request"]))
    url = draw(st.sampled_from(URLS))
    verb = '"POST", ' if method == "request" else ""
    call = f"{library}.{method}({verb}{url}, json=payload, timeout=30)"
    lines = [f"response = {call}"]
    lines += draw(st.sampled_from([[], [], ["response.raise_for_status()"], ["if response.status_code == 429:",
                                                                          "    time.sleep(1)"],
                                   ["if not response.ok:", "    raise RuntimeError(response.text)"]]))
    lines.append(draw(st.sampled_from(["data = response.json()", "print(response.text)",
                                       "return response.json()" if ctx.in_function else "result = response"])))
    return lines


@st.composite
def statement(draw, ctx: Ctx) -> List[str]:
    strategies = [noise(ctx), api_call(ctx).map(lambda call: [call]), raw_http(ctx)]
    if ctx.depth < 3:
        strategies += [try_statement(ctx), try_statement(ctx), loop_statement(ctx), retry_iterator(ctx)]
        strategies.append(st.tuples(st.sampled_from(["if flag:", "if not ready:", "with lock:"]),
                                    st.deferred(lambda: statement(replace(ctx, depth=ctx.depth + 1))))
                          .map(lambda pair: [pair[0], *indent(pair[1])]))
    return draw(st.one_of(strategies))


@st.composite
def decorator(draw) -> str:
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return "@retry"
    if kind == 1:
        return "@" + draw(st.sampled_from(["retry", "tenacity.retry"])) + "(" + ", ".join(draw(keywords({
            "stop": ["stop_after_attempt(5)", "stop_after_delay(30)", "stop_after_attempt(N)"],
            "wait": ["wait_exponential(multiplier=1, max=30)", "wait_fixed(2)", "wait_random_exponential()",
                     "tenacity.wait_none()", "wait_fixed(1) + wait_random(0, 1)"],
            "retry": [f"retry_if_exception_type({draw(exception_form()) or 'Exception'})",
                      "tenacity.retry_if_exception(lambda e: True)"],
            "reraise": ["True", "False"], "before_sleep": ["log_it"]}, 4))) + ")"
    if kind == 2:
        strategy = draw(st.sampled_from(["backoff.expo", "backoff.constant", "backoff.fibo"]))
        return "@backoff.on_exception(" + ", ".join([strategy, draw(exception_form()) or "Exception", *draw(keywords({
            "max_tries": ["5", "N"], "max_time": ["60"], "jitter": ["None", "backoff.full_jitter"],
            "giveup": ["lambda e: e.status_code in (400, 401)", "is_fatal"], "interval": ["2"],
            "factor": ["2"]}))]) + ")"
    if kind == 3:
        return "@stamina.retry(" + ", ".join(["on=" + (draw(exception_form()) or "Exception"), *draw(keywords({
            "attempts": ["3", "None"], "timeout": ["45"], "wait_initial": ["0.1"], "wait_exp_base": ["1", "2"],
            "wait_jitter": ["0"]}))]) + ")"
    if kind == 4:
        positional = [draw(exception_form()) or "Exception"] if draw(st.booleans()) else []
        return "@retry(" + ", ".join(positional + draw(keywords({
            "tries": ["3", "-1"], "delay": ["1"], "backoff": ["2", "1"], "max_delay": ["30"],
            "jitter": ["(0, 1)"]}, 4))) + ")"
    if kind == 5:
        arguments = draw(keywords({"stop_max_attempt_number": ["3"], "wait_exponential_multiplier": ["1000"],
                                   "wait_fixed": ["2000"]}))
        return "@retrying.retry(" + ", ".join(arguments) + ")"
    if kind == 6:
        return draw(st.sampled_from(["@functools.lru_cache()", "@app.route('/chat')", "@staticmethod",
                                     "@property", "@click.command()"]))
    return f"@{draw(identifiers)}({draw(small_numbers)!s}, key={draw(small_numbers)!s})"


@st.composite
def function(draw, name: str, callees: List[str]) -> List[str]:
    asynchronous = draw(st.integers(0, 3)) == 0
    ctx = Ctx(depth=0, in_function=True, in_async=asynchronous)
    decorators = draw(st.lists(decorator(), max_size=2))
    parameters = draw(st.sampled_from(["", "client", "client: OpenAI", "client: 'openai.OpenAI'", "prompt, *args",
                                       "self", "messages, retries=3"]))
    body = [line for block in draw(st.lists(statement(ctx), min_size=1, max_size=3)) for line in block]
    if callees and draw(st.booleans()):
        callee = draw(st.sampled_from(callees))
        call = f"{'await ' if asynchronous and draw(st.booleans()) else ''}{callee}()"
        if draw(st.booleans()):
            body += ["try:", f"    return {call}", f"except {draw(exception_form()) or 'Exception'}:",
                     f"    {draw(st.sampled_from(['return None', 'raise', 'pass', f'return {name}()']))}"]
        else:
            body.append(f"return {call}")
    if draw(st.integers(0, 5)) == 0:  # recursion from a handler
        body += ["try:", "    " + draw(api_call(ctx)), "except openai.RateLimitError:",
                 f"    return {'await ' if asynchronous else ''}{name}()"]
    return decorators + [f"{'async ' if asynchronous else ''}def {name}({parameters}):", *indent(body)]


@st.composite
def programs(draw) -> str:
    lines = draw(st.lists(st.sampled_from(IMPORTS), max_size=8, unique=True))
    if "import requests" not in lines and draw(st.booleans()):
        lines.append("import requests")
    lines += ["", 'BASE = "https://api.deepseek.com"', 'URL = BASE + "/chat/completions"', "N = 5", "DELAY = 2",
              "ERRORS = (openai.RateLimitError, openai.APIConnectionError)"]
    for target in draw(st.lists(st.sampled_from(["client", "aclient", "llm", "clients"]), max_size=3, unique=True)):
        expression = draw(client_expression())
        lines.append(f"{target} = [{expression}]" if target == "clients" else f"{target} = {expression}")
    if draw(st.booleans()):
        lines += ["", "", "def get_client():", f"    return {draw(client_expression())}"]
    if draw(st.booleans()):
        lines += ["", "", "class Service:", "    def __init__(self):",
                  f"        self.client = {draw(client_expression())}", "", "    def ask(self, prompt):"]
        lines += indent(draw(try_statement(Ctx(depth=1, in_function=True))), 2)
    names: List[str] = []
    for index in range(draw(st.integers(1, 4))):
        name = f"task_{index}"
        lines += ["", ""] + draw(function(name, list(names)))
        names.append(name)
    for block in draw(st.lists(statement(Ctx()), max_size=2)):
        lines += [""] + block
    if names and draw(st.booleans()):
        lines += ["", f"{draw(st.sampled_from(names))}()"]
    break_kind = draw(st.sampled_from(["\n"] * 6 + ["\r\n", "mixed"]))
    if break_kind == "mixed":
        breaks = draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(lines), max_size=len(lines)))
        return "".join(line + end for line, end in zip(lines, breaks))
    return break_kind.join(lines) + break_kind


def check_well_formed(source: str, result) -> None:
    assert result.errors == [], result.errors
    rows = LINE_BREAK.split(source)
    seen = set()
    for finding in result.findings:
        assert finding.code in CODES, finding
        assert finding.code != "DS001", (finding, source)  # the grammar makes valid programs
        assert finding.path == PATH
        assert finding.message.strip(), finding
        assert 1 <= finding.start.row <= len(rows), finding
        assert 1 <= finding.start.column <= len(rows[finding.start.row - 1]) + 1, finding
        assert (finding.start.row, finding.start.column) <= (finding.end.row, finding.end.column), finding
        assert finding.end.row <= len(rows), finding
        assert finding.noqa_row is None or finding.start.row <= finding.noqa_row <= len(rows), finding
        assert (finding.code, finding.start.row) not in seen, finding  # one finding per (rule, anchor line)
        seen.add((finding.code, finding.start.row))
        if finding.fix is not None:
            assert finding.fix.applicability in ("safe", "unsafe"), finding
            for edit in finding.fix.edits:
                assert 1 <= edit.start.row <= len(rows) and 1 <= edit.end.row <= len(rows), finding
                assert (edit.start.row, edit.start.column) <= (edit.end.row, edit.end.column), finding


def test_the_grammar_reaches_the_rules():
    """A guard against a grammar that quietly stops producing what the fuzzing is about."""
    found = set()

    @settings(max_examples=60, database=None, derandomize=True)
    @given(programs())
    def collect(source: str):
        found.update(finding.code for finding in lint_text(source, PATH, CONFIG).findings)

    collect()
    assert {"DS101", "DS102", "DS103", "DS201", "DS301", "DS304", "DS308", "DS401"} <= found, found


@given(programs())
def test_lint_never_raises_and_findings_are_well_formed(source: str):
    compile(source, PATH, "exec")  # the grammar makes valid programs
    check_well_formed(source, lint_text(source, PATH, CONFIG))


try:
    from dslint.fixer import fix_text
except ImportError:  # a version without --fix
    fix_text = None


@pytest.mark.skipif(fix_text is None, reason="this version has no fixer (dslint/fixer.py)")
@settings(max_examples=max(10, settings().max_examples // 3), suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_unsafe_fixes_parse_and_settle(source: str):
    compile(source, PATH, "exec")
    outcome = fix_text(source, PATH, CONFIG, unsafe=True)
    assert outcome.errors == [], (outcome.errors, source)
    fixed = outcome.changes[0].fixed if outcome.changes else source
    libcst.parse_module(fixed.replace("\r\n", "\n").replace("\r", "\n"))
    compile(fixed, PATH, "exec")
    check_well_formed(fixed, outcome.result)
    again = fix_text(fixed, PATH, CONFIG, unsafe=True)
    assert again.errors == [] and again.changes == [], (fixed, [c.fixed for c in again.changes])
