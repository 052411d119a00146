"""Stage 2 of the screen on small modules: what counts as reaching a client and as a resource call."""

import ast

import pytest

from dslint.prefilter import syntax_facts


def facts(source: str, module: str = "app.main", is_package: bool = False):
    return syntax_facts(ast.parse(source), source, module, is_package)


@pytest.mark.parametrize("source, module, expected", [
    ("from openai import OpenAI\n", "app.main", True),
    ("import openai.types\n", "app.main", True),            # binds `openai`: openai.OpenAI() is reachable
    ("import litellm as llm\n", "app.main", True),
    ("from openai.types.chat import ChatCompletion\n", "app.main", False),
    ("from openai import RateLimitError\n", "app.main", False),
    ("import os\nimport json\n", "app.main", False),
    ("from .._client import OpenAI\n", "openai.resources.files", True),  # inside the SDK's own package
    ("from ..types import FileObject\n", "openai.resources.files", False),
])
def test_sdk_import(source, module, expected):
    assert facts(source, module).sdk_import is expected


@pytest.mark.parametrize("source, expected", [
    ("client.chat.completions.create()\n", True),
    ("self.client.with_options(timeout=1).chat.completions.create()\n", True),
    ("client.chat.completions.with_raw_response.create()\n", True),
    ("client.files.list()\n", True),                          # any method of files
    ("client.beta.threads.messages.create()\n", True),
    ("openai.ChatCompletion.create()\n", True),
    ("litellm.completion(model='deepseek/deepseek-chat')\n", True),
    ("from litellm import completion as ask\nask()\n", True),
    ("completions = client.chat.completions\ncompletions.create()\n", True),  # a resource held by a name
    ("x.create()\nparser.parse(text)\nlog.stream()\n", False),
    ("files.sort()\nself.model_name\n", False),
    ("rows.sort()\nkeep(self.models)\n", True),               # `self.models` may hold client.models
    ("client.files\n", False),                                 # held, but no call at all
])
def test_resource_call(source, expected):
    assert facts(source).resource_call is expected


def test_shaped_and_request_calls():
    shaped = facts("self.llm.chat.completions.create()\n")
    assert shaped.shaped_call and not shaped.request_call
    request = facts("requests.post('https://api.deepseek.com/chat/completions', json={})\n")
    assert request.request_call and request.names_api_host and not request.shaped_call
    assert not facts("requests.post(url)\n").names_api_host
