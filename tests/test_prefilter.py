"""Stage 2 of the screen on small modules: what counts as reaching a client and as a resource call;
and what the caller search asks of a file (the names its code calls, the words it mentions)."""

import ast
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dslint.analysis.settings import AnalysisSettings
from dslint.file_jobs import FileJob, Mentions, module_names, words_in
from dslint.prefilter import (
    _SCREEN_TOKENS,
    ApiScreen,
    class_bases,
    code_names,
    identifiers,
    needs_analysis,
    syntax_facts,
    walk,
)
from dslint.word_index import WordIndex
from node_kinds import REPO, REPO_FILES


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
    ("import openai\nopenai.ChatCompletion.create()\n", True),
    ("from openai import ChatCompletion\nChatCompletion.acreate()\n", True),
    ("import openai\nopenai.chat.completions.with_raw_response.create()\n", True),   # the module client
    ("from openai import chat\nchat.completions.create()\n", True),
    ("openai.ChatCompletion.create()\n", False),                  # `openai` never imported: unresolved
    ("import openai\nopenai.OpenAI()\nopenai.lib.azure.token()\n", False),  # building a client is no call
    ("from anthropic import Anthropic\nAnthropic(api_key=key)\n", False),
    ("import litellm\nlitellm.completion(model='deepseek/deepseek-chat')\n", True),
    ("from litellm import completion as ask\nMODEL = f'deepseek/{name}'\nask(MODEL)\n", True),
    ("from litellm import completion as ask\nask(model='gpt-4o')\n", False),  # litellm: DeepSeek models only
    ("import litellm\nlitellm.completion(model=model)\n", False),
    ("litellm.completion(model='deepseek/deepseek-chat')\n", False),
    ("completions = client.chat.completions\ncompletions.create()\n", True),  # a resource held by a name
    ("chat = client.chat\nchat.completions.create()\n", True),
    ("self.chat = client.chat\nself.chat.completions.parse()\n", True),
    ("threads = client.beta.threads\nthreads.runs.create()\n", True),
    ("x.create()\nparser.parse(text)\nlog.stream()\n", False),
    ("files.sort()\nself.model_name\n", False),
    ("rows.sort()\nkeep(self.models)\n", True),               # `self.models` may hold client.models: any method
    ("client.files\n", False),                                 # held, but no call at all
    ("chat = client.chat\nrows.sort()\nchat.send()\n", False),  # no call completes chat.completions.*
    ("completions = client.chat.completions\ncompletions.list()\n", False),
    ("self.completions = client.chat.completions\nlog.create()\n", True),  # `log` may hold it too
])
def test_resource_call(source, expected):
    assert facts(source).resource_call is expected


ANTHROPIC = "from anthropic import Anthropic\n\nclient = Anthropic({})\nclient.messages.create(model=m)\n"


@pytest.mark.parametrize("source, clients, deepseek_clients, expected", [
    (ANTHROPIC.format(""), [], [], False),                  # Anthropic's own API: out of scope
    (ANTHROPIC.format(""), ["app.main.client"], [], False),  # its module client is not DeepSeek's either
    (ANTHROPIC.format("base_url='https://api.deepseek.com/anthropic'"), [], [], True),
    (ANTHROPIC.format("base_url=settings.DEEPSEEK_ANTHROPIC_URL"), [], [], True),
    ("from app.clients import claude\nclaude.messages.create(model=m)\n", ["app.clients.claude"], [], False),
    ("from app.clients import claude\nclaude.messages.create(model=m)\n", ["app.clients.claude"],
     ["app.clients.claude"], True),
    ("from anthropic import Anthropic\nclient = Anthropic()\nclient.messages.create()\nclient.files.list()\n", [], [], True),
])
def test_anthropic_calls_count_only_for_deepseek(source, clients, deepseek_clients, expected):
    assert facts(source).resource_call
    assert needs_analysis(facts(source), "app.main", clients, deepseek_clients) is expected


def test_shaped_calls():
    assert facts("self.llm.chat.completions.create()\n").shaped_call
    assert not facts("self.llm.chat.create()\n").shaped_call


@pytest.mark.parametrize("source, expected", [
    ("import requests\nrequests.post('https://api.deepseek.com/chat/completions', json={})\n", True),
    ("import httpx\nhttpx.post(URL)\nURL = 'https://api.openai.com/v1/files'\n", True),
    ("from aiohttp import ClientSession\nClientSession().get('https://api.deepseek.com/models')\n", True),
    ("import requests\nrequests.post(url)\n", False),                           # no API host named
    ("BASE = 'https://api.openai.com/v1'\nsettings.get('base_url', BASE)\n", False),  # no HTTP library
])
def test_raw_request(source, expected):
    assert facts(source).raw_request is expected


@pytest.mark.parametrize("source, module, expected", [
    ("import app.llm\n", "app.main", True),             # binds `app`: app.llm.client is reachable
    ("from app.llm import client\n", "app.main", True),
    ("from app import llm\n", "app.main", True),
    ("from . import llm\n", "app.main", True),
    ("from app.llm import *\n", "app.main", True),
    ("from .llm import client as c\n", "app.main", True),
    ("", "app.llm", True),                                # the module that builds it
    ("from app.other import client\n", "app.main", False),
    ("import application\n", "app.main", False),
    ("", "app.llm_tools", False),
])
def test_a_client_another_module_builds_is_reached_through_imports(source, module, expected):
    reaching = facts(source + "client.files.list()\n", module)
    assert needs_analysis(reaching, module, ["app.llm.client"]) is expected


def test_a_call_that_is_no_api_call_needs_no_analysis_even_with_an_sdk_import():
    assert not needs_analysis(facts("import openai\nrows.sort()\n"), "app.main", [])
    assert needs_analysis(facts("import openai\nclient.files.list()\n"), "app.main", [])


@pytest.mark.parametrize("source, expected", [
    ("ask('hi')\n", {"ask"}),
    ("llm.ask('hi')\n", {"ask"}),
    ("self.client.ask('hi')\n", {"ask"}),
    ("from llm import ask as question\nquestion('hi')\n", {"question", "ask"}),
    ("import llm.ask as a\n", set()),                       # an alias never called
    ("(ask)('hi')\n", {"ask"}),
    ("handlers = {'ask': ask}\n", set()),                   # referenced, not called
    ('"""llm.ask(prompt)"""\n# ask(x)\n', set()),            # docstrings and comments are no code
])
def test_called_names(source, expected):
    assert code_names(ast.parse(source)).called == expected


CODE = '''\
"""Usage: `from langchain.embeddings import OpenAIEmbeddings` then `Store(OpenAIEmbeddings())`."""
import pkg.llm as model
from .clients import deepseek as ds


class Store(mixins.Cached, Generic["Embedder"]):
    """class Example(Documented): pass"""

    def add(self, texts: "Sequence[Vectors]", *, batch=10):
        # Embedder.embed(texts) in a comment
        return self.embedding.embed(texts, kind=f"{batch} docs")


ROUTES = {"route": "fallback handler"}
'''


def test_code_names_leave_out_comments_and_docstrings():
    code = code_names(ast.parse(CODE))
    assert code.called == {"embed"}
    # Names, attributes, imports (dotted names split), definitions, parameters, keywords, and the
    # words of string literals other than docstrings (string annotations among them).
    assert {"pkg", "llm", "model", "clients", "deepseek", "ds", "Store", "mixins", "Cached", "Generic", "Embedder",
            "add", "self", "texts", "Sequence", "Vectors", "batch", "embedding", "embed", "kind", "docs",
            "ROUTES", "route", "fallback", "handler"} == code.words
    assert code.bases == {"mixins", "Cached", "Generic", "Embedder"}
    assert {"langchain", "OpenAIEmbeddings", "Example", "Documented", "comment"}.isdisjoint(code.words)
    assert identifiers(CODE) > code.words  # the text's words over-select


def test_code_names_list_the_classes_other_modules_can_name():
    code = code_names(ast.parse("""\
from typing import TYPE_CHECKING

class A(Base, mixins.Retry, metaclass=Meta):
    class Inner("Forward"):
        pass

if TYPE_CHECKING:
    class B(A):
        pass
else:
    try:
        class C:
            pass
    except ImportError:
        pass

def factory():
    class Local(A):
        pass
    return Local
"""))
    assert dict(code.classes) == {"A": {"Base", "mixins", "Retry"}, "A.Inner": {"Forward"}, "B": {"A"}, "C": set()}
    assert "A" in code.bases  # the bases of every class statement, local ones too


WORD_TEXTS = [
    "from llm import ask\n\n\nclass Bot(Base, mixins.Retry):\n    pass\n",
    "def ñame():\n    return ask_all()  # ask in a comment\n",
    "class  Child ( Base ) :\n    x = 'Base'\n",
    "",
]


def test_the_word_index_answers_as_reading_each_file_does():
    index = WordIndex()
    for file, text in enumerate(WORD_TEXTS):
        index.add(file, " ".join(identifiers(text)), class_bases(text))
    for words in (frozenset({"ask", "Base", "ñame", "Retry"}), frozenset({"ask_all", "Child", "nothing"})):
        answered = index.mentions(range(len(WORD_TEXTS)), words)
        for file, text in enumerate(WORD_TEXTS):
            assert answered[file] == words_in(FileJob(Path("x.py"), "x.py", AnalysisSettings()), text, words)
    assert index.mentions([0], frozenset({"ask", "Base"}))[0] == Mentions(frozenset({"ask", "Base"}), frozenset({"Base"}))


def test_walk_is_ast_walk_without_contexts_and_operators():
    tree = ast.parse("def f(a, *, b=1):\n    x = {**a, 'k': not b or -a + 1 < 2}\n    global g\n"
                     "    return [y async for y in a if y is not None]\n"
                     "match p:\n    case Point(x=0, y=[1, *rest]) | {'k': _}:\n        pass\n")
    assert list(walk(tree)) == _walked_as_defined(tree)


@pytest.mark.parametrize("path", REPO_FILES)
def test_walk_is_ast_walk_without_contexts_and_operators_on_repo_files(path):
    tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
    assert list(walk(tree)) == _walked_as_defined(tree)


def _walked_as_defined(tree: ast.AST) -> list:
    return [node for node in ast.walk(tree)
            if not isinstance(node, (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop))]


def test_module_names_from_the_package_folders_above(tmp_path, monkeypatch):
    for folder in ("app", "app/llm", "scripts"):
        (tmp_path / folder).mkdir()
    for package in ("app", "app/llm"):
        (tmp_path / package / "__init__.py").write_text("")
    for module in ("app/llm/client.py", "app/main.py", "scripts/run.py"):
        (tmp_path / module).write_text("")
    (tmp_path / "linked.py").symlink_to(tmp_path / "app" / "llm" / "client.py")  # named as its target
    (tmp_path / "llm").symlink_to(tmp_path / "app" / "llm")                      # a folder linked in
    monkeypatch.chdir(tmp_path)
    paths = [tmp_path / "app/llm/client.py", tmp_path / "app/llm/__init__.py", Path("app/main.py"),
             tmp_path / "scripts/run.py", tmp_path / "linked.py", tmp_path / "llm" / "client.py",
             Path("missing.py")]
    expected = [("app.llm.client", False), ("app.llm", True), ("app.main", False), ("run", False),
                ("app.llm.client", False), ("app.llm.client", False), ("missing", False)]
    assert module_names(paths) == expected
    assert [module_names([path])[0] for path in paths] == expected  # one at a time: the same
    # A path that does not exist (`--stdin-filename`) named from the current folder's packages.
    monkeypatch.chdir(tmp_path / "app" / "llm")
    assert module_names([Path("fresh.py"), Path("../new.py")]) == [("app.llm.fresh", False), ("app.new", False)]


def _text_holds_a_token(text: str, factories=()) -> bool:
    """Stage 1 as specified: a token in the lowered text, or a client factory among the identifiers."""
    lowered = text.lower()
    return any(token in lowered for token in _SCREEN_TOKENS) or not set(factories).isdisjoint(identifiers(text))


# Pieces of the tokens, in other cases, glued to digits, dots, underscores and non-ASCII letters.
_PIECES = ["openai", "OpenAI", "OPEN", "ai", "deep", "Seek", "anthropic", "lite", "LLM", "completions", "Completions",
           "create", "CREATE", "chat", "embeddings", "images", "generate", "with", "raw", "response", "streaming",
           "make_client", ".", "_", "9", " ", "\n", "#", "'", "(", "é", "İ", "ß", "Σ"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
def test_stage_one_finds_a_token_exactly_when_the_text_holds_one(text):
    assert ApiScreen(["make_client"]).may_report(text) == _text_holds_a_token(text, ["make_client"])


@pytest.mark.parametrize("text", [
    "client.chat.Completions.CREATE(x)", "x = chat_completions.create", "completions .create", "DEEPSEEK_API_KEY",
    "url = 'https://api.deepseek.com'", "# uses OpenAI", "9openai", "completions.9create", "import os\n", "",
])
def test_stage_one_on_examples(text):
    assert ApiScreen().may_report(text) == _text_holds_a_token(text)


def _names_cpython_tokenizes(text: str) -> set:
    import io
    import tokenize

    return {token.string for token in tokenize.generate_tokens(io.StringIO(text).readline) if token.type == tokenize.NAME}


@pytest.mark.parametrize("path", sorted(str(path.relative_to(REPO)) for path in (REPO / "dslint").rglob("*.py")))
def test_identifiers_hold_every_name_of_the_code(path):
    text = (REPO / path).read_text(encoding="utf-8")
    assert _names_cpython_tokenizes(text) <= identifiers(text)


@pytest.mark.parametrize("text, expected", [
    ("x = obj.ask(1e5, '2fa')  # ok_then\n", {"x", "obj", "ask", "1e5", "2fa", "ok_then"}),
    ("y = 1if z else 0x1F\n", {"y", "1if", "z", "else", "0x1F"}),  # a keyword glued to a number
    ("naïve = café.crème(ü)\n", {"naïve", "café", "crème", "ü"}),
])
def test_identifiers_of_ascii_and_other_text(text, expected):
    assert identifiers(text) == expected
