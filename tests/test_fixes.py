"""Autofixes (SPEC "Fixes"): golden before/after texts per fix, what is not offered, and how `--fix`
writes files (encoding, BOM, line endings, mode, read-only files, symlinks, files changed on disk)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import List, NamedTuple, Optional

import pytest

from dslint.config import Config, ConfigResolver
from dslint.engine import lint_text
from dslint.findings import Edit, Fix
from dslint.fixer import apply_fixes, fix_paths, fix_text, linted_roots
from dslint.reporters import render
from dslint.rules import all_rules

REPOSITORY = Path(__file__).resolve().parents[1]


class GoldenCase(NamedTuple):
    name: str
    code: str
    before: str
    after: str


def fixed(source: str, code: Optional[str] = None, unsafe: bool = True, path: str = "example.py"):
    config = Config(path=None, root=REPOSITORY, select=(code,) if code else ())
    outcome = fix_text(source, path, config, unsafe)
    return (outcome.changes[0].fixed if outcome.changes else source), outcome


GOLDEN = [
    GoldenCase(
        'ds201_tenacity_multiline_comments',
        'DS201',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential


@retry(
    # retry everything the SDK raises
    retry=retry_if_exception_type(  openai.APIError  ),  # too broad
    wait=wait_random_exponential(min=1, max=60),
    stop=stop_after_attempt(5),
)
def ask(question: str) -> str:
    resp = client.chat.completions.create(model="deepseek-chat", messages=[{"role": "user", "content": question}])
    return resp.choices[0].message.content
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential


@retry(
    # retry everything the SDK raises
    retry=retry_if_exception_type(  (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError)  ),  # too broad
    wait=wait_random_exponential(min=1, max=60),
    stop=stop_after_attempt(5),
)
def ask(question: str) -> str:
    resp = client.chat.completions.create(model="deepseek-chat", messages=[{"role": "user", "content": question}])
    return resp.choices[0].message.content
''',
    ),
    GoldenCase(
        'ds201_bare_retry_extends_parenthesized_import',
        'DS201',
        '''\
"""Module docstring."""
from openai import (
    OpenAI,
)
from tenacity import (
    retry,
    stop_after_attempt,
)

client = OpenAI(base_url="https://api.deepseek.com")


@retry  # TODO: narrow
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
        '''\
"""Module docstring."""
from openai import (
    OpenAI,
    RateLimitError,
    InternalServerError,
    APIConnectionError,
)
from tenacity import (
    retry,
    stop_after_attempt,
    retry_if_exception_type,
)

client = OpenAI(base_url="https://api.deepseek.com")


@retry(retry=retry_if_exception_type((RateLimitError, InternalServerError, APIConnectionError)))  # TODO: narrow
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
    ),
    GoldenCase(
        'ds201_backoff_exception',
        'DS201',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import backoff


@backoff.on_exception(backoff.expo, openai.APIStatusError, max_tries=5)  # retry on errors
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import backoff


@backoff.on_exception(backoff.expo, (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError), max_tries=5)  # retry on errors
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
    ),
    GoldenCase(
        'ds201_stamina_on',
        'DS201',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import stamina


@stamina.retry(on=(openai.RateLimitError, openai.AuthenticationError), attempts=3)
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import stamina


@stamina.retry(on=(openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError), attempts=3)
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
    ),
    GoldenCase(
        'ds201_retry_package_without_exceptions',
        'DS201',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
from retry import retry


@retry(tries=3, delay=1, backoff=2, jitter=(0, 1))
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
from retry import retry


@retry(tries=3, delay=1, backoff=2, jitter=(0, 1), exceptions=(openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError))
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
    ),
    GoldenCase(
        'ds201_tenacity_not_exception_type',
        'DS201',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
from tenacity import retry, retry_if_not_exception_type, stop_after_attempt, wait_random_exponential


@retry(retry=retry_if_not_exception_type(openai.BadRequestError), wait=wait_random_exponential(max=30), stop=stop_after_attempt(4))
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
from tenacity import retry, retry_if_not_exception_type, stop_after_attempt, wait_random_exponential, retry_if_exception_type


@retry(retry=retry_if_exception_type((openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError)), wait=wait_random_exponential(max=30), stop=stop_after_attempt(4))
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
    ),
    GoldenCase(
        'ds201_loop_unnamed_handler',
        'DS201',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import random
import time


def ask(question):
    for attempt in range(5):
        try:
            return client.chat.completions.create(model="deepseek-chat", messages=[])
        except (openai.RateLimitError,
                openai.APIStatusError):  # retry
            # back off
            time.sleep(2 ** attempt + random.random())
    raise RuntimeError("gave up")
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import random
import time


def ask(question):
    for attempt in range(5):
        try:
            return client.chat.completions.create(model="deepseek-chat", messages=[])
        except (openai.RateLimitError,
                openai.APIStatusError) as e:  # retry
            # back off
            if getattr(e, "status_code", None) in (400, 401, 402, 403, 404, 422): raise
            time.sleep(2 ** attempt + random.random())
    raise RuntimeError("gave up")
''',
    ),
    GoldenCase(
        'ds201_loop_bare_except_name_taken',
        'DS201',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import random
import time


def ask(question):
    e = "keep me"
    attempt = 0
    while attempt < 5:
        try:
            return client.chat.completions.create(model="deepseek-chat", messages=[{"content": e}])
        except:
            attempt += 1
            time.sleep(2 ** attempt + random.random())
    raise RuntimeError("gave up")
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import random
import time


def ask(question):
    e = "keep me"
    attempt = 0
    while attempt < 5:
        try:
            return client.chat.completions.create(model="deepseek-chat", messages=[{"content": e}])
        except BaseException as exc:
            if getattr(exc, "status_code", None) in (400, 401, 402, 403, 404, 422): raise
            attempt += 1
            time.sleep(2 ** attempt + random.random())
    raise RuntimeError("gave up")
''',
    ),
    GoldenCase(
        'ds201_loop_one_line_handler',
        'DS201',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import random
import time


def ask(question):
    for attempt in range(5):
        try:
            return client.chat.completions.create(model="deepseek-chat", messages=[])
        except Exception as err: time.sleep(2 ** attempt + random.random())  # one line
    raise RuntimeError("gave up")
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import random
import time


def ask(question):
    for attempt in range(5):
        try:
            return client.chat.completions.create(model="deepseek-chat", messages=[])
        except Exception as err:
            if getattr(err, "status_code", None) in (400, 401, 402, 403, 404, 422): raise
            time.sleep(2 ** attempt + random.random())  # one line
    raise RuntimeError("gave up")
''',
    ),
    GoldenCase(
        'ds201_recursion',
        'DS201',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import time


def ask(question, retries=3):
    try:
        resp = client.chat.completions.create(model="deepseek-chat", messages=[])
    except openai.APIError as error:
        if retries == 0:
            raise
        time.sleep(2 ** (3 - retries))
        return ask(question, retries - 1)
    return resp.choices[0].message.content
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import time


def ask(question, retries=3):
    try:
        resp = client.chat.completions.create(model="deepseek-chat", messages=[])
    except openai.APIError as error:
        if getattr(error, "status_code", None) in (400, 401, 402, 403, 404, 422): raise
        if retries == 0:
            raise
        time.sleep(2 ** (3 - retries))
        return ask(question, retries - 1)
    return resp.choices[0].message.content
''',
    ),
    GoldenCase(
        'ds201_legacy_http_status',
        'DS201',
        '''\
import random
import time

import openai


def ask(question):
    for attempt in range(5):
        try:
            return openai.ChatCompletion.create(model="gpt-4", messages=[])
        except openai.error.OpenAIError as e:
            time.sleep(2 ** attempt + random.random())
    raise RuntimeError("gave up")
''',
        '''\
import random
import time

import openai


def ask(question):
    for attempt in range(5):
        try:
            return openai.ChatCompletion.create(model="gpt-4", messages=[])
        except openai.error.OpenAIError as e:
            if getattr(e, "http_status", None) in (400, 401, 402, 403, 404, 422): raise
            time.sleep(2 ** attempt + random.random())
    raise RuntimeError("gave up")
''',
    ),
    GoldenCase(
        'ds301_tenacity_trailing_comma',
        'DS301',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
from tenacity import retry, retry_if_exception_type, stop_after_attempt


@retry(
    retry=retry_if_exception_type((openai.RateLimitError, openai.InternalServerError)),
    stop=stop_after_attempt(5),  # five attempts
)
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential


@retry(
    retry=retry_if_exception_type((openai.RateLimitError, openai.InternalServerError)),
    stop=stop_after_attempt(5),  # five attempts
    wait=wait_random_exponential(min=1, max=60),
)
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
    ),
    GoldenCase(
        'ds301_tenacity_module_style',
        'DS301',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import tenacity


@tenacity.retry(retry=tenacity.retry_if_exception_type(openai.RateLimitError), stop=tenacity.stop_after_attempt(3))
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import tenacity


@tenacity.retry(retry=tenacity.retry_if_exception_type(openai.RateLimitError), stop=tenacity.stop_after_attempt(3), wait=tenacity.wait_random_exponential(min=1, max=60))
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
    ),
    GoldenCase(
        'ds301_loop_before_continue',
        'DS301',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import logging

log = logging.getLogger(__name__)


def ask(question):
    for attempt in range(5):
        try:
            resp = client.chat.completions.create(model="deepseek-chat", messages=[])
        except openai.RateLimitError:
            log.warning("rate limited")
            continue
        return resp.choices[0].message.content
    return ""
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import logging
import random
import time

log = logging.getLogger(__name__)


def ask(question):
    for attempt in range(5):
        try:
            resp = client.chat.completions.create(model="deepseek-chat", messages=[])
        except openai.RateLimitError:
            log.warning("rate limited")
            time.sleep(min(60, 2 ** attempt) + random.random())
            continue
        return resp.choices[0].message.content
    return ""
''',
    ),
    GoldenCase(
        'ds301_async_while_counter',
        'DS301',
        '''\
import os

import openai
from openai import AsyncOpenAI

client = AsyncOpenAI(base_url="https://api.deepseek.com")


async def ask(question):
    attempt = 0
    while attempt < 5:
        try:
            return await client.chat.completions.create(model="deepseek-chat", messages=[])
        except (openai.RateLimitError, openai.InternalServerError):
            attempt += 1
    raise RuntimeError("gave up")
''',
        '''\
import asyncio
import os
import random

import openai
from openai import AsyncOpenAI

client = AsyncOpenAI(base_url="https://api.deepseek.com")


async def ask(question):
    attempt = 0
    while attempt < 5:
        try:
            return await client.chat.completions.create(model="deepseek-chat", messages=[])
        except (openai.RateLimitError, openai.InternalServerError):
            attempt += 1
            await asyncio.sleep(min(60, 2 ** attempt) + random.random())
    raise RuntimeError("gave up")
''',
    ),
    GoldenCase(
        'ds302_tenacity_wait_fixed',
        'DS302',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
from tenacity import (
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    wait_fixed,
)


@retry(
    retry=retry_if_exception_type(openai.RateLimitError),
    wait=wait_fixed(2),  # two seconds
    stop=stop_after_attempt(5),
)
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
from tenacity import (
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    wait_fixed,
    wait_random_exponential,
)


@retry(
    retry=retry_if_exception_type(openai.RateLimitError),
    wait=wait_random_exponential(min=1, max=60),  # two seconds
    stop=stop_after_attempt(5),
)
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
    ),
    GoldenCase(
        'ds302_backoff_constant_interval',
        'DS302',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import backoff


@backoff.on_exception(
    backoff.constant,
    openai.RateLimitError,
    interval=5,
    max_tries=4,
)
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import backoff


@backoff.on_exception(
    backoff.expo,
    openai.RateLimitError,
    max_tries=4,
)
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
    ),
    GoldenCase(
        'ds302_loop_constant_sleep',
        'DS302',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import time

DELAY = 3


def ask(question):
    for attempt in range(5):
        try:
            return client.chat.completions.create(model="deepseek-chat", messages=[])
        except openai.RateLimitError:
            time.sleep(  # wait a bit
                DELAY
            )
    raise RuntimeError("gave up")
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import random
import time

DELAY = 3


def ask(question):
    for attempt in range(5):
        try:
            return client.chat.completions.create(model="deepseek-chat", messages=[])
        except openai.RateLimitError:
            time.sleep(  # wait a bit
                min(60, 2 ** attempt) + random.random()
            )
    raise RuntimeError("gave up")
''',
    ),
    GoldenCase(
        'ds304_tenacity_bare',
        'DS304',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
from tenacity import retry


@retry
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
from tenacity import retry, stop_after_attempt


@retry(stop=stop_after_attempt(5))
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
    ),
    GoldenCase(
        'ds304_tenacity_stop_never',
        'DS304',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
from tenacity import retry, retry_if_exception_type, stop_never, wait_random_exponential


@retry(retry=retry_if_exception_type(openai.RateLimitError), wait=wait_random_exponential(max=30), stop=stop_never)
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
from tenacity import retry, retry_if_exception_type, stop_never, wait_random_exponential, stop_after_attempt


@retry(retry=retry_if_exception_type(openai.RateLimitError), wait=wait_random_exponential(max=30), stop=stop_after_attempt(5))
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
    ),
    GoldenCase(
        'ds304_backoff',
        'DS304',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import backoff


@backoff.on_exception(backoff.expo, openai.RateLimitError)
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])


@backoff.on_exception(backoff.expo, openai.RateLimitError, max_tries=None, max_time=None)
def tell(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
        '''\
import os

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
import backoff


@backoff.on_exception(backoff.expo, openai.RateLimitError, max_tries=5)
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])


@backoff.on_exception(backoff.expo, openai.RateLimitError, max_tries=5, max_time=None)
def tell(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
''',
    ),
    GoldenCase(
        'ds305_module_alias_and_from_import',
        'DS305',
        '''\
import asyncio as aio
import random
import time as clock
from time import sleep

import openai
from openai import AsyncOpenAI

client = AsyncOpenAI(base_url="https://api.deepseek.com")


async def ask(question):
    for attempt in range(5):
        try:
            return await client.chat.completions.create(model="deepseek-chat", messages=[])
        except openai.RateLimitError:
            clock.sleep(2 ** attempt + random.random())  # back off
    raise RuntimeError("gave up")


async def tell(question):
    for attempt in range(5):
        try:
            return await client.chat.completions.create(model="deepseek-chat", messages=[])
        except openai.RateLimitError:
            sleep(
                2 ** attempt,  # seconds
            )
    raise RuntimeError("gave up")
''',
        '''\
import asyncio as aio
import random
import time as clock
from time import sleep

import openai
from openai import AsyncOpenAI

client = AsyncOpenAI(base_url="https://api.deepseek.com")


async def ask(question):
    for attempt in range(5):
        try:
            return await client.chat.completions.create(model="deepseek-chat", messages=[])
        except openai.RateLimitError:
            await aio.sleep(2 ** attempt + random.random())  # back off
    raise RuntimeError("gave up")


async def tell(question):
    for attempt in range(5):
        try:
            return await client.chat.completions.create(model="deepseek-chat", messages=[])
        except openai.RateLimitError:
            await aio.sleep(
                2 ** attempt,  # seconds
            )
    raise RuntimeError("gave up")
''',
    ),
    GoldenCase(
        'ds305_adds_import',
        'DS305',
        '''\
"""Docstring."""

from __future__ import annotations

import random
import time

import openai
from openai import AsyncOpenAI

client = AsyncOpenAI(base_url="https://api.deepseek.com")


async def ask(question):
    for attempt in range(5):
        try:
            return await client.chat.completions.create(model="deepseek-chat", messages=[])
        except openai.RateLimitError:
            time.sleep(2 ** attempt + random.random())
    raise RuntimeError("gave up")
''',
        '''\
"""Docstring."""

from __future__ import annotations

import asyncio
import random
import time

import openai
from openai import AsyncOpenAI

client = AsyncOpenAI(base_url="https://api.deepseek.com")


async def ask(question):
    for attempt in range(5):
        try:
            return await client.chat.completions.create(model="deepseek-chat", messages=[])
        except openai.RateLimitError:
            await asyncio.sleep(2 ** attempt + random.random())
    raise RuntimeError("gave up")
''',
    ),
    GoldenCase(
        'ds401_assignments',
        'DS401',
        '''\
import httpx
import requests

URL = "https://api.deepseek.com/chat/completions"


def ask(prompt):
    r = requests.post(
        URL,
        json={"model": "deepseek-chat", "messages": []},  # body
        timeout=60,
    )  # sent
    return r.json()["choices"][0]["message"]["content"]


async def tell(prompt):
    async with httpx.AsyncClient() as http:
        resp = await http.post(URL, json={})
    return resp.json()


def last(prompt):
    r = requests.post(URL, json={})
    return r.json()''',
        '''\
import httpx
import requests

URL = "https://api.deepseek.com/chat/completions"


def ask(prompt):
    r = requests.post(
        URL,
        json={"model": "deepseek-chat", "messages": []},  # body
        timeout=60,
    )  # sent
    r.raise_for_status()
    return r.json()["choices"][0]["message"]["content"]


async def tell(prompt):
    async with httpx.AsyncClient() as http:
        resp = await http.post(URL, json={})
        resp.raise_for_status()
    return resp.json()


def last(prompt):
    r = requests.post(URL, json={})
    r.raise_for_status()
    return r.json()''',
    ),
]


@pytest.mark.parametrize("case", GOLDEN, ids=[case.name for case in GOLDEN])
def test_golden_fix(case: GoldenCase):
    after, outcome = fixed(case.before, case.code)
    assert after == case.after
    assert outcome.fixed >= 1 and not outcome.errors and not outcome.notices
    # What was fixed does not come back, and a second run changes nothing.
    assert not [f for f in outcome.result.findings if f.code == case.code and f.fix is not None]
    again, second = fixed(after, case.code)
    assert again == after and second.fixed == 0


@pytest.mark.parametrize("case", GOLDEN, ids=[case.name for case in GOLDEN])
def test_fix_carries_its_rule_applicability(case: GoldenCase):
    rule = next(rule for rule in all_rules() if rule.code == case.code)
    findings = [f for f in lint_text(case.before, "example.py", Config(path=None, root=REPOSITORY, select=(case.code,))).findings]
    assert findings and all(f.fix is not None and f.fix.applicability == rule.fix_applicability for f in findings)


def test_rule_pages_state_the_fix_applicability():
    for rule in all_rules():
        page = (REPOSITORY / "rules" / f"{rule.code}.md").read_text(encoding="utf-8")
        stated = page.splitlines()[2].split("Fix: ", 1)[1]
        assert stated == (rule.fix_applicability or "none (suggestion only)"), rule.code
        if rule.fix_applicability:
            fix_section = page.split("## Fix", 1)[1].split("\n## ", 1)[0]
            assert f"**{rule.fix_applicability}**" in fix_section, rule.code


# --- not offered ---------------------------------------------------------------------------------

NOT_OFFERED = {
    "DS302 loop without a counter": ("DS302", '''\
import time

import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com")


def ask(question):
    while True:
        try:
            return client.chat.completions.create(model="deepseek-chat", messages=[])
        except openai.RateLimitError:
            time.sleep(2)
'''),
    "DS301 recursion": ("DS301", '''\
import openai
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com")


def ask(question, retries=3):
    try:
        return client.chat.completions.create(model="deepseek-chat", messages=[])
    except openai.RateLimitError:
        if retries == 0:
            raise
        return ask(question, retries - 1)
'''),
    "DS401 async with": ("DS401", '''\
import aiohttp

URL = "https://api.deepseek.com/chat/completions"


async def ask(prompt):
    async with aiohttp.ClientSession() as session:
        async with session.post(URL, json={}) as resp:
            return await resp.json()
'''),
    "DS401 response used on the same line": ("DS401", '''\
import requests

URL = "https://api.deepseek.com/chat/completions"


def ask(prompt):
    r = requests.post(URL, json={}); return r.json()
'''),
    "DS305 sleep inside an expression": ("DS305", '''\
import time

import openai
from openai import AsyncOpenAI

client = AsyncOpenAI(base_url="https://api.deepseek.com")


async def ask(question):
    for attempt in range(3):
        try:
            return await client.chat.completions.create(model="deepseek-chat", messages=[])
        except openai.RateLimitError:
            waited = time.sleep(2 ** attempt) or attempt
'''),
    "DS201 deepseek package": ("DS201", '''\
from deepseek import DeepSeekAPI
from tenacity import retry, stop_after_attempt, wait_random_exponential

api = DeepSeekAPI(api_key="k")


@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10))
def ask(question):
    return api.chat_completion(prompt=question)
'''),
    "DS201 predicate that also retries results": ("DS201", '''\
import openai
from openai import OpenAI
from tenacity import retry, retry_if_exception_type, retry_if_result, stop_after_attempt, wait_random_exponential

client = OpenAI(base_url="https://api.deepseek.com")


@retry(retry=retry_if_exception_type(openai.APIError) | retry_if_result(lambda r: r is None),
       stop=stop_after_attempt(3), wait=wait_random_exponential(max=10))
def ask(question):
    return client.chat.completions.create(model="deepseek-chat", messages=[])
'''),
}


@pytest.mark.parametrize("name", sorted(NOT_OFFERED))
def test_fix_not_offered(name):
    code, source = NOT_OFFERED[name]
    findings = lint_text(source, "example.py", Config(path=None, root=REPOSITORY, select=(code,))).findings
    assert [f.code for f in findings] == [code]
    assert findings[0].fix is None and findings[0].suggestion
    assert fixed(source, code)[0] == source


# --- safe and unsafe ------------------------------------------------------------------------------

MIXED = '''\
import random
import time

import openai
from openai import AsyncOpenAI

client = AsyncOpenAI(base_url="https://api.deepseek.com")


async def ask(question):
    for attempt in range(5):
        try:
            return await client.chat.completions.create(model="deepseek-chat", messages=[])
        except openai.APIError:
            time.sleep(2 ** attempt + random.random())
    raise RuntimeError("gave up")
'''


def test_fix_applies_only_safe_fixes_without_unsafe():
    after, outcome = fixed(MIXED, unsafe=False)
    assert "await asyncio.sleep(2 ** attempt + random.random())" in after
    assert "import asyncio\nimport random\n" in after
    assert "getattr(" not in after  # DS201's re-raise is unsafe
    assert outcome.fixed == 1
    assert "DS201" in {f.code for f in outcome.result.findings}
    after, outcome = fixed(MIXED, unsafe=True)
    assert "getattr(e, \"status_code\", None) in (400, 401, 402, 403, 404, 422): raise" in after
    assert "DS201" not in {f.code for f in outcome.result.findings}


def test_json_output_carries_the_fix_without_fix():
    result = lint_text(MIXED, "example.py", Config(path=None, root=REPOSITORY, select=("DS305",)))
    [finding] = json.loads(render("json", result))
    assert finding["fix"]["applicability"] == "safe"
    edits = finding["fix"]["edits"]
    assert {"content": "import asyncio\n", "location": {"row": 1, "column": 1},
            "end_location": {"row": 1, "column": 1}} in edits
    assert {"content": "await asyncio.sleep", "location": {"row": 15, "column": 13},
            "end_location": {"row": 15, "column": 23}} in edits


def test_unsafe_fixes_are_shown_as_available_only_with_unsafe_fixes():
    result = lint_text(MIXED, "example.py", Config(path=None, root=REPOSITORY))
    plain = render("concise", result)
    assert "[*] 1 fixable with the --fix option (1 hidden fix can be enabled with the --unsafe-fixes option)." in plain
    shown = render("concise", result, unsafe_fixes=True)
    assert "[*] 2 fixable with the --fix option." in shown
    assert "DS201 [*]" in shown and "DS201 [*]" not in plain


# --- one pass -------------------------------------------------------------------------------------


def _finding(code: str, row: int, *edits: Edit):
    from dslint.findings import Finding, Position

    return Finding(code, "m", "x.py", Position(row, 1), Position(row, 1), fix=Fix("safe", "m", tuple(edits)))


def _edit(content: str, start, end):
    from dslint.findings import Position

    return Edit(content, Position(*start), Position(*end))


def test_one_pass_takes_fixes_in_order_and_defers_overlaps():
    text = "a = 1\nb = 2\n"
    first = _finding("DS305", 1, _edit("x", (1, 1), (1, 2)))
    overlapping = _finding("DS305", 1, _edit("y", (1, 1), (1, 6)))
    second = _finding("DS305", 2, _edit("c", (2, 1), (2, 2)))
    result, applied = apply_fixes(text, [overlapping, second, first])
    assert applied in ([first, second], [overlapping, second])
    assert result in ("x = 1\nc = 2\n", "y\nc = 2\n")


def test_one_pass_shares_identical_edits_and_defers_competing_insertions():
    text = "import os\nf()\ng()\n"
    shared = _edit("import time\n", (2, 1), (2, 1))
    one = _finding("DS305", 2, shared, _edit("h", (2, 1), (2, 2)))
    two = _finding("DS305", 3, shared, _edit("k", (3, 1), (3, 2)))
    competing = _finding("DS305", 4, _edit("import sys\n", (2, 1), (2, 1)))
    result, applied = apply_fixes(text, [one, two, competing])
    assert result == "import os\nimport time\nh()\nk()\n"
    assert applied == [one, two]


# --- files ----------------------------------------------------------------------------------------

ASYNC_RETRY = '''\
import random
import time

import openai
from openai import AsyncOpenAI

client = AsyncOpenAI(base_url="https://api.deepseek.com")


async def ask(question):
    for attempt in range(5):
        try:
            return await client.chat.completions.create(model="deepseek-chat", messages=[])
        except openai.RateLimitError:
            time.sleep(2 ** attempt + random.random())  # back off
    raise RuntimeError("gave up")
'''
ASYNC_RETRY_FIXED = ASYNC_RETRY.replace("import random\n", "import asyncio\nimport random\n").replace(
    "time.sleep(2 ** attempt", "await asyncio.sleep(2 ** attempt")


def fix_files(folder: Path, *paths: str, unsafe: bool = False, write: bool = True, select=None):
    resolver = ConfigResolver(folder, select=select)
    files = [folder / path for path in paths]
    return fix_paths(files, resolver, unsafe, linted_roots([str(folder)]), write)


def test_fix_writes_the_file_and_keeps_its_mode(tmp_path):
    target = tmp_path / "app.py"
    target.write_text(ASYNC_RETRY, encoding="utf-8")
    target.chmod(0o640)
    outcome = fix_files(tmp_path, "app.py")
    assert target.read_text(encoding="utf-8") == ASYNC_RETRY_FIXED
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert outcome.fixed == 1 and not outcome.notices
    assert not [p for p in tmp_path.iterdir() if p.name != "app.py"]  # no temporary file left behind


def test_diff_writes_nothing(tmp_path):
    target = tmp_path / "app.py"
    target.write_text(ASYNC_RETRY, encoding="utf-8")
    outcome = fix_files(tmp_path, "app.py", write=False)
    assert target.read_text(encoding="utf-8") == ASYNC_RETRY
    assert [change.fixed for change in outcome.changes] == [ASYNC_RETRY_FIXED]


def test_crlf_stays_crlf(tmp_path):
    target = tmp_path / "app.py"
    target.write_bytes(ASYNC_RETRY.replace("\n", "\r\n").encode("utf-8"))
    fix_files(tmp_path, "app.py")
    assert target.read_bytes() == ASYNC_RETRY_FIXED.replace("\n", "\r\n").encode("utf-8")


def test_bom_is_kept(tmp_path):
    target = tmp_path / "app.py"
    target.write_bytes(b"\xef\xbb\xbf" + ASYNC_RETRY.encode("utf-8"))
    fix_files(tmp_path, "app.py")
    assert target.read_bytes() == b"\xef\xbb\xbf" + ASYNC_RETRY_FIXED.encode("utf-8")


def test_latin1_coding_declaration_is_kept(tmp_path):
    header = "# -*- coding: latin-1 -*-\n# Résumé des réessais\n"
    target = tmp_path / "app.py"
    target.write_bytes((header + ASYNC_RETRY).encode("latin-1"))
    fix_files(tmp_path, "app.py")
    assert target.read_bytes() == (header + ASYNC_RETRY_FIXED).encode("latin-1")


def test_read_only_file_is_left_alone(tmp_path):
    target = tmp_path / "app.py"
    target.write_text(ASYNC_RETRY, encoding="utf-8")
    target.chmod(0o444)
    try:
        outcome = fix_files(tmp_path, "app.py", select=("DS305",))
    finally:
        target.chmod(0o644)
    assert target.read_text(encoding="utf-8") == ASYNC_RETRY
    assert outcome.fixed == 0
    assert any("read-only" in notice for notice in outcome.notices)
    assert [f.code for f in outcome.result.findings] == ["DS305"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symlinks")
def test_symlink_out_of_the_tree_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    tree = tmp_path / "tree"
    outside.mkdir()
    tree.mkdir()
    real = outside / "app.py"
    real.write_text(ASYNC_RETRY, encoding="utf-8")
    (tree / "link.py").symlink_to(real)
    outcome = fix_files(tree, "link.py")
    assert real.read_text(encoding="utf-8") == ASYNC_RETRY
    assert (tree / "link.py").is_symlink()
    assert any("outside the linted tree" in notice for notice in outcome.notices)
    assert outcome.fixed == 0


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symlinks")
def test_symlink_inside_the_tree_fixes_its_target_and_stays_a_link(tmp_path):
    (tmp_path / "src").mkdir()
    real = tmp_path / "src" / "app.py"
    real.write_text(ASYNC_RETRY, encoding="utf-8")
    (tmp_path / "link.py").symlink_to(real)
    outcome = fix_files(tmp_path, "link.py")
    assert (tmp_path / "link.py").is_symlink()
    assert real.read_text(encoding="utf-8") == ASYNC_RETRY_FIXED
    assert outcome.fixed == 1


def test_file_changed_on_disk_is_skipped(tmp_path, monkeypatch):
    import dslint.fixer

    target = tmp_path / "app.py"
    target.write_text(ASYNC_RETRY, encoding="utf-8")
    apply = dslint.fixer.apply_fixes

    def apply_while_someone_edits(text, findings):
        target.write_text(ASYNC_RETRY + "# edited meanwhile\n", encoding="utf-8")
        return apply(text, findings)

    monkeypatch.setattr(dslint.fixer, "apply_fixes", apply_while_someone_edits)
    outcome = fix_files(tmp_path, "app.py")
    assert target.read_text(encoding="utf-8") == ASYNC_RETRY + "# edited meanwhile\n"
    assert any("changed on disk" in notice for notice in outcome.notices)
    assert outcome.fixed == 0


def test_a_fix_that_breaks_the_file_leaves_it_untouched(tmp_path, monkeypatch):
    import dslint.rules.ds305_blocking_sleep as ds305

    def broken(context, sleep, applicability):
        start = context.span(sleep).start
        return Fix(applicability, "break it", (Edit("await (", start, start),))

    monkeypatch.setattr(ds305, "async_sleep_fix", broken)
    target = tmp_path / "app.py"
    target.write_text(ASYNC_RETRY, encoding="utf-8")
    outcome = fix_files(tmp_path, "app.py")
    assert target.read_text(encoding="utf-8") == ASYNC_RETRY
    [error] = outcome.errors
    assert "the DS305 fix at 15:13 (break it) would break the file" in error
    assert outcome.fixed == 0 and not outcome.changes


def test_fixes_of_one_file_wait_for_the_others_of_the_project(tmp_path):
    (tmp_path / "a.py").write_text(ASYNC_RETRY, encoding="utf-8")
    (tmp_path / "b.py").write_text(MIXED, encoding="utf-8")
    outcome = fix_files(tmp_path, "a.py", "b.py", unsafe=True)
    assert outcome.fixed == 3
    assert (tmp_path / "a.py").read_text(encoding="utf-8") == ASYNC_RETRY_FIXED
    again = fix_files(tmp_path, "a.py", "b.py", unsafe=True)
    assert again.fixed == 0 and not again.changes


# --- command line ---------------------------------------------------------------------------------


def dslint(cwd: Path, *args: str, stdin: Optional[str] = None) -> subprocess.CompletedProcess:
    script = Path(sys.executable).parent / "dslint"
    command: List[str] = [str(script)] if script.exists() else [sys.executable, "-m", "dslint"]
    result = subprocess.run([*command, *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_cli_fix_summary_and_exit_status(tmp_path):
    (tmp_path / "app.py").write_text(MIXED, encoding="utf-8")
    result = dslint(tmp_path, "--fix", "--select", "DS201,DS305", "--format", "concise")
    assert result.stdout.endswith("Found 1 problem in 1 file.\nNo fixes available (1 hidden fix can be enabled "
                                  "with the --unsafe-fixes option).\nFixed 1 problem (1 remaining).\n")
    assert result.returncode == 1
    result = dslint(tmp_path, "--fix", "--unsafe-fixes", "--select", "DS201,DS305", "--exit-non-zero-on-fix")
    assert "Fixed 1 problem (0 remaining)." in result.stdout and result.returncode == 1
    result = dslint(tmp_path, "--fix", "--unsafe-fixes", "--select", "DS201,DS305", "--exit-non-zero-on-fix")
    assert "Fixed" not in result.stdout and result.returncode == 0


def test_cli_diff_prints_and_writes_nothing(tmp_path):
    (tmp_path / "app.py").write_text(ASYNC_RETRY, encoding="utf-8")
    result = dslint(tmp_path, "--diff")
    assert result.returncode == 1
    assert result.stdout.startswith("--- app.py\n+++ app.py\n@@ -1,3 +1,4 @@\n+import asyncio\n")
    assert "-            time.sleep(2 ** attempt + random.random())  # back off\n" in result.stdout
    assert "+            await asyncio.sleep(2 ** attempt + random.random())  # back off\n" in result.stdout
    assert "Would fix 1 problem." in result.stderr
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == ASYNC_RETRY
    (tmp_path / "app.py").write_text(ASYNC_RETRY_FIXED, encoding="utf-8")
    result = dslint(tmp_path, "--diff")
    assert (result.returncode, result.stdout) == (0, "")


def test_cli_stdin_fix_prints_the_fixed_source(tmp_path):
    result = dslint(tmp_path, "-", "--fix", "--select", "DS305", stdin=ASYNC_RETRY)
    assert result.stdout == ASYNC_RETRY_FIXED
    assert "All checks passed!" in result.stderr and "Fixed 1 problem (0 remaining)." in result.stderr
    assert result.returncode == 0
    unchanged = dslint(tmp_path, "-", "--fix", "--select", "DS101", stdin=ASYNC_RETRY)
    assert unchanged.stdout == ASYNC_RETRY


def test_pre_commit_offers_a_fixing_hook():
    hooks = (REPOSITORY / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    block = hooks.split("- id: dslint-fix\n", 1)[1].split("\n- id:", 1)[0]
    assert "args: [--fix]" in block and "entry: dslint" in block
