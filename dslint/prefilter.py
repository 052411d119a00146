"""Which files need the full (LibCST) analysis: a two-stage screen that never drops a finding.

Per-file rules report only on API calls and raw HTTP requests to the API, so a file needs the
analysis only if it can hold one of those. Both stages test necessary conditions of what
`dslint.analysis.api_calls` and `dslint.analysis.raw_http` recognise:

1. Text. The file names an SDK (`openai`, `anthropic`, `deepseek`, `litellm`, case-insensitive:
   this also covers `OpenAI(`, `api.deepseek.com` and `DEEPSEEK_API_KEY`), a distinctive resource
   path (`completions.create`, `embeddings.create`, ...), or the name of a client another module
   builds or of a configured client factory. Every other file is left alone (not even parsed).
2. Syntax (CPython's `ast`, for the files that pass stage 1; they are parsed anyway to report
   syntax errors). A file needs the analysis when
   - a call's attribute chain ends in a distinctive resource path (the receiver-less shape
     fallback: `x.chat.completions.create(...)`);
   - a call is request-shaped (`x.post(...)`), the file imports requests, httpx or aiohttp, and
     its text names an API host (DS401 resolves the request through those libraries); or
   - the file can reach a client *and* has a call that could be an API call. It reaches a client
     through an import of an SDK entry point (a client class, the `openai` module, a legacy
     resource class, litellm's calls, `openai.<resource>`), or by being, or importing, the module
     (or a module above it) that builds a client another file uses or defines a configured
     factory. A call could be an API call when its attribute chain names a whole resource method
     path after the client (`x.chat.completions.create`, `x.files.<anything>`), or when it starts
     at a name an SDK import binds and its qualified name is a module-level API call (the
     `openai` module's resources, openai 0.x's `ChatCompletion.create`, litellm's `completion`
     when a string literal of the file starts with `deepseek/`). A resource object held by a
     variable (`completions = client.chat.completions`) shows as an attribute chain outside any
     callee that ends with the beginning of a resource path; a file with one counts the calls
     that could complete that path: those whose attribute chain ends with the rest of it after
     some step (`completions.create(...)`, `.create(...)` for `chat.completions.create`), and
     every method call for a resource that takes any method (`files`).
     An Anthropic client's calls count only when it is pointed at DeepSeek: a file whose only
     such calls are `messages.*` must name DeepSeek or import a client another module builds for it.

A file that fails stage 2 can still call a function that an API call's status codes reach
uncaught (DS101/DS102 follow calls across files): the engine searches such files for what a call of those functions needs
them to name (`identifiers`, `class_bases` of the text; then `code_names` of the code of the files
that match; see `dslint.engine._CallerSearch`) and analyses the files that name it, until no new
file does.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Set, Tuple

from dslint import knowledge

SDK_ROOTS = ("openai", "anthropic", "deepseek", "litellm")


def _shape_tails() -> Iterable[str]:
    for method in knowledge.SHAPE_METHODS:
        yield ".".join(method.split(".")[-2:])
    yield from knowledge.CLIENT_PASSTHROUGH_ATTRS


def _entry_points() -> FrozenSet[str]:
    """Qualified names through which a file reaches a client or a module-level API call."""
    roots = {"openai", *knowledge.CLIENT_CONSTRUCTORS, *knowledge.LEGACY_MODULE_CALLS, *knowledge.LITELLM_CALLS}
    roots.update("openai." + pattern.rstrip(".*") for pattern in knowledge.RESOURCE_METHODS["openai"])
    # `from openai import lib` then `lib.azure.AzureOpenAI(...)`: every prefix is an entry point.
    return frozenset(".".join(root.split(".")[:end]) for root in roots for end in range(1, root.count(".") + 2))


def _resource_paths() -> Dict[Tuple[Tuple[str, ...], bool], FrozenSet[str]]:
    """(path, takes any method below it) for every resource method a call can name after its
    client, with the resource tables (`knowledge.RESOURCE_METHODS`) that have it."""
    paths: Dict[Tuple[Tuple[str, ...], bool], Set[str]] = {}
    for table, patterns in knowledge.RESOURCE_METHODS.items():
        for pattern in patterns:
            wildcard = pattern.endswith(".*")
            path = tuple(pattern[:-2].split(".") if wildcard else pattern.split("."))
            paths.setdefault((path, wildcard), set()).add(table)
    return {key: frozenset(tables) for key, tables in paths.items()}


def _paths_begun_by() -> Dict[Tuple[str, ...], FrozenSet[Tuple[Tuple[str, ...], bool]]]:
    """`client.chat`, `client.beta.assistants`: a resource object that a variable may hold, with
    the resource paths it begins."""
    begun: Dict[Tuple[str, ...], Set[Tuple[Tuple[str, ...], bool]]] = {}
    for path, wildcard in RESOURCE_PATHS:
        for end in range(1, len(path) + (1 if wildcard else 0)):
            begun.setdefault(path[:end], set()).add((path, wildcard))
    return {prefix: frozenset(paths) for prefix, paths in begun.items()}


ENTRY_POINTS = _entry_points()
RESOURCE_PATHS = _resource_paths()
_PATHS_BEGUN_BY = _paths_begun_by()
_RESOURCE_HEADS = frozenset(path[0] for path, _ in RESOURCE_PATHS)
# The resource tables of the clients whose calls count only when they are pointed at DeepSeek.
_DEEPSEEK_ONLY_TABLES = frozenset(kind.resources for kind in knowledge.CLIENT_CONSTRUCTORS.values()
                                  if kind.family in knowledge.DEEPSEEK_ONLY_FAMILIES)
# What a module-level API call counts as (the `openai` module, openai 0.x, litellm).
_MODULE_API = "module"
SHAPE_METHODS = frozenset(knowledge.SHAPE_METHODS)
_SHAPE_LAST_NAMES = frozenset(method.rsplit(".", 1)[-1] for method in SHAPE_METHODS)
_HTTP_PACKAGES = frozenset(name.split(".", 1)[0] for name in (*knowledge.HTTP_MODULES, *knowledge.SESSION_CLASSES))


@dataclass(frozen=True)
class SyntaxFacts:
    """What stage 2 reads from one module's syntax tree (independent of the other files)."""

    shaped_call: bool        # a call ending in a distinctive resource path
    raw_request: bool        # `<something>.post(...)`, an import of an HTTP library, an API host named
    sdk_import: bool         # an import of an SDK entry point
    # The resource tables of which a call could be a method (`_MODULE_API` for a module-level API call).
    resource_tables: FrozenSet[str]
    # The text names DeepSeek, as the construction of a client for its Anthropic-format endpoint
    # must (looked at only where it decides: every call that could be an API call is such a client's).
    names_deepseek: bool
    imported: FrozenSet[str] = frozenset()  # the absolute names its imports bind (see `_Imports`)

    @property
    def resource_call(self) -> bool:
        """A call that could be a resource method or a module-level API call."""
        return bool(self.resource_tables)


# What stage 1 looks for in the lowered text: the SDKs' names, and the distinctive resource paths.
_SCREEN_TOKENS = tuple(dict.fromkeys(token.lower() for token in SDK_ROOTS + tuple(_shape_tails())))
_WORD_TOKENS = tuple(token for token in _SCREEN_TOKENS if "." not in token)
_DOTTED_TOKENS = tuple((token, token.split(".")) for token in _SCREEN_TOKENS if "." in token)


class ApiScreen:
    """Stage 1: whether a file may hold something an analysis rule reports."""

    def __init__(self, extra_names: Iterable[str] = ()):
        self.names = frozenset(name for name in extra_names if name)

    def may_report(self, text: str, words: Optional[FrozenSet[str]] = None) -> bool:
        """Whether the lowered text holds one of `_SCREEN_TOKENS`, or the text names a client
        factory. `words`: the text's `identifiers`, when the caller has them already.

        Each token is identifier characters (and dots): wherever the text holds one, each dotted
        part of it lies within one of the text's identifiers. So the tokens are looked for in the
        lowered identifiers (a fifth of the text, on average), and the text itself is lowered and
        searched only for a dotted token whose parts are all there (as substring tests: far faster
        than one case-insensitive regex)."""
        words = identifiers(text) if words is None else words
        named = " ".join(words).lower()
        if any(token in named for token in _WORD_TOKENS):
            return True
        dotted = [token for token, parts in _DOTTED_TOKENS if all(part in named for part in parts)]
        if dotted:
            lowered = text.lower()
            if any(token in lowered for token in dotted):
                return True
        return bool(self.names) and not self.names.isdisjoint(words)


def needs_analysis(facts: SyntaxFacts, module_name: str, clients: Iterable[str],
                   deepseek_clients: Iterable[str] = ()) -> bool:
    """Stage 2, for a file that passed stage 1. `clients` are the qualified names of the clients
    other modules build and of the configured client factories: the analysis resolves them by
    qualified name, so the file must be their module or import them (or a module above them).
    `deepseek_clients` are those among them built for DeepSeek's endpoint."""
    if facts.shaped_call or facts.raw_request:
        return True
    if not facts.resource_call:
        return False
    if facts.resource_tables <= _DEEPSEEK_ONLY_TABLES and not facts.names_deepseek:
        # `client.messages.create(...)` counts only on a client built naming DeepSeek: in this
        # file (which would name it), or in another module (a module client it imports).
        return _reaches_any(facts, module_name, deepseek_clients)
    return facts.sdk_import or _reaches_any(facts, module_name, clients)


def _reaches_any(facts: SyntaxFacts, module_name: str, clients: Iterable[str]) -> bool:
    return any(_within(name, module_name) or any(_within(name, bound) for bound in facts.imported) for name in clients)


def _within(qualified: str, prefix: str) -> bool:
    """`qualified` is `prefix` or a name inside it (`app.llm.client` is within `app.llm` and `app`)."""
    return qualified == prefix or qualified.startswith(prefix + ".")


# Fields that hold only expression contexts and operators (`Load()`, `Add()`): a third of all
# nodes, never looked at.
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops"})
# Leaves (their fields hold strings and constants) are known; other node types are looked at once.
_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {kind: () for kind in (ast.Name, ast.Constant, ast.alias, ast.Global, ast.Nonlocal)}


def walk(tree: ast.AST) -> Iterator[ast.AST]:
    """`tree` and every node below it, breadth first like `ast.walk` (three times as fast), but for
    expression contexts and operators."""
    todo = [tree]
    append, node_type, child_fields = todo.append, ast.AST, _CHILD_FIELDS
    for node in todo:  # the list grows while it is read
        fields = child_fields.get(type(node))
        if fields is None:
            fields = child_fields[type(node)] = tuple(name for name in node._fields if name not in _SKIPPED_FIELDS)
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, node_type):
                        append(item)
            elif isinstance(value, node_type):
                append(value)
        yield node


def syntax_facts(tree: ast.Module, text: str, module_name: str, is_package: bool) -> SyntaxFacts:
    """What stage 2 needs. A call could be a resource method when its attribute chain (through
    `with_options(...)` and the response wrappers) names a whole resource method path
    (`x.chat.completions.create`, `x.files.<anything>`), or a module-level API call when the name
    at its root is bound by an SDK import and its qualified name is one (`openai.ChatCompletion.create`,
    `completion(...)` from litellm with a `deepseek/` model literal in the file). The analysis also
    follows a resource object held by a variable (`completions = client.chat.completions`): a file
    with an expression like that anywhere outside a call's callee counts the calls that could
    complete its path (`_completed`)."""
    shaped = request = False
    tables: Set[str] = set()
    held: Set[Tuple[Tuple[str, ...], bool]] = set()  # the resource paths that a held resource object begins
    imports = _Imports(module_name, is_package)
    calls = []
    inner = set()  # attribute chains that are part of a longer chain or a call's callee
    for node in walk(tree):  # breadth first: a node comes before the nodes inside it
        if isinstance(node, ast.Call):
            calls.append(node)
            inner.add(id(node.func))
            if isinstance(node.func, ast.Attribute) and node.func.attr in knowledge.CLIENT_PASSTHROUGH_METHODS:
                held.update(_paths_begun(node.func.value))
        elif isinstance(node, ast.Attribute):
            inner.add(id(node.value))
            if id(node) not in inner:
                held.update(_paths_begun(node))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.add(node)
    module_api = _ModuleApi(imports, tree)
    for call in calls:
        chain, root = _attribute_chain(call.func)
        if tables <= _DEEPSEEK_ONLY_TABLES:  # else no other call changes what stage 2 decides
            if module_api.names_a_call(root, chain):
                tables.add(_MODULE_API)
            for path in (*_resource_methods_named(chain), *_completed(chain, held)):
                tables.update(RESOURCE_PATHS[path])
        if not chain:
            continue
        request = request or chain[-1] in knowledge.HTTP_METHODS
        if chain[-1] in _SHAPE_LAST_NAMES:
            shaped = shaped or any(".".join(chain[start:]) in SHAPE_METHODS for start in range(len(chain)))
    raw_request = request and imports.http and any(host in text for host in knowledge.API_HOSTS)
    names_deepseek = bool(tables) and tables <= _DEEPSEEK_ONLY_TABLES and "deepseek" in text.lower()
    return SyntaxFacts(shaped, raw_request, imports.sdk_import, frozenset(tables), names_deepseek,
                       frozenset(imports.bound))


class _Imports:
    """What a module's imports bind, with relative imports made absolute (as the resolver names them):
    - `bound`: `import a.b` binds `a`, `import a.b as c` binds `a.b`, `from m import x` binds `m.x`,
      `from m import *` binds `m` (whatever is reached through a name they bind starts with it);
    - `sdk`: local name -> qualified name, for the names bound to SDK entry points;
    - `sdk_star`: the SDK entry points imported with `*`;
    - `http`: an HTTP library (requests, httpx, aiohttp) is imported."""

    def __init__(self, module_name: str, is_package: bool):
        self.module_name = module_name
        self.is_package = is_package
        self.bound: Set[str] = set()
        self.sdk: Dict[str, str] = {}
        self.sdk_star: List[str] = []
        self.http = False

    @property
    def sdk_import(self) -> bool:
        return bool(self.sdk or self.sdk_star)

    def add(self, node) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                qualified = alias.name if alias.asname else alias.name.split(".")[0]
                self._bind(qualified, alias.asname or qualified)
            return
        module = _absolute_module(node, self.module_name, self.is_package)
        if module is None:
            return
        for alias in node.names:
            if alias.name == "*":
                self._bind(module, None)
            else:
                self._bind(f"{module}.{alias.name}", alias.asname or alias.name)

    def _bind(self, qualified: str, local: Optional[str]) -> None:
        """`local` names `qualified`; None: a star import of the module `qualified`."""
        self.bound.add(qualified)
        self.http = self.http or qualified.split(".", 1)[0] in _HTTP_PACKAGES
        if qualified not in ENTRY_POINTS:
            return
        if local is None:
            self.sdk_star.append(qualified)
        else:
            self.sdk[local] = qualified


class _ModuleApi:
    """Calls of the SDKs' module-level API (`dslint.analysis.api_calls` resolves them by qualified name)."""

    def __init__(self, imports: _Imports, tree: ast.Module):
        self.imports = imports
        self.tree = tree
        self._deepseek_model: Optional[bool] = None

    def names_a_call(self, root: Optional[str], chain: Tuple[str, ...]) -> bool:
        if root is None:
            return False
        bases = [self.imports.sdk[root]] if root in self.imports.sdk else []
        bases += [f"{module}.{root}" for module in self.imports.sdk_star]
        return any(self._is_api_call(".".join((base,) + chain)) for base in bases)

    def _is_api_call(self, name: str) -> bool:
        if name in knowledge.LEGACY_MODULE_CALLS:
            return True
        if name.startswith("openai.") and knowledge.resource_method("openai", name[len("openai."):]):
            return True
        return name in knowledge.LITELLM_CALLS and self._names_deepseek_model()

    def _names_deepseek_model(self) -> bool:
        """A string literal of the module starts a DeepSeek model name (litellm's calls count only then)."""
        if self._deepseek_model is None:
            self._deepseek_model = any(text.startswith(knowledge.LITELLM_MODEL_PREFIX)
                                       for text in _string_literals(self.tree))
        return self._deepseek_model


def _string_literals(tree: ast.Module) -> Iterable[str]:
    """Every string literal's text (bytes as latin-1; an f-string's literal parts joined, as
    `dslint.analysis.resolver.string_value` reads them)."""
    for node in walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            yield node.value if isinstance(node.value, str) else node.value.decode("latin-1")
        elif isinstance(node, ast.JoinedStr):
            yield "".join(part.value for part in node.values
                          if isinstance(part, ast.Constant) and isinstance(part.value, str))


def _resource_methods_named(chain: Tuple[str, ...]) -> Iterator[Tuple[Tuple[str, ...], bool]]:
    """The resource paths whose whole method the attribute chain of a call names."""
    if _RESOURCE_HEADS.isdisjoint(chain):
        return  # most calls: `self.x(...)`, `os.path.join(...)`
    for path, wildcard in RESOURCE_PATHS:
        size = len(path)
        if any(chain[start:start + size] == path and (wildcard or start + size == len(chain))
               for start in range(len(chain) - size + (0 if wildcard else 1))):
            yield path, wildcard


def _paths_begun(expr: ast.expr) -> Iterator[Tuple[Tuple[str, ...], bool]]:
    """The resource paths begun by the resource object that the attribute chain `expr` may end in
    (`client.chat.completions`: `chat.completions.create`, `chat.completions.parse`, ...)."""
    chain, _ = _attribute_chain(expr)
    for start in range(len(chain)):
        yield from _PATHS_BEGUN_BY.get(chain[start:], ())


def _completed(chain: Tuple[str, ...],
               held: Set[Tuple[Tuple[str, ...], bool]]) -> Iterator[Tuple[Tuple[str, ...], bool]]:
    """The `held` resource paths that a call on attribute chain `chain` could complete: its
    receiver may be a resource object some steps into the path (the analysis joins the steps
    taken where the object was held, `ClientRef.prefix`, to the call's path)."""
    if not chain:
        return
    for path, wildcard in held:
        if wildcard or any(chain[-(len(path) - step):] == path[step:] for step in range(1, len(path))):
            yield path, wildcard


def _absolute_module(node: ast.ImportFrom, module_name: str, is_package: bool) -> Optional[str]:
    """`from ..x import y` inside package `openai._client` → `openai.x` (as the resolver names it)."""
    if not node.level:
        return node.module
    package = module_name.split(".") if is_package else module_name.split(".")[:-1]
    if node.level - 1 > len(package):
        return None
    base = package[:len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else [])) or None


def _attribute_chain(func: ast.expr) -> Tuple[Tuple[str, ...], Optional[str]]:
    """`a.b.with_raw_response.c.with_options(t).d(...)` → (("b", "c", "d"), "a"): the attribute
    names through the passthrough wrappers and calls, and the name at the root of the chain (None
    when it is not a name)."""
    chain = []
    while True:
        if isinstance(func, ast.Attribute):
            if func.attr not in knowledge.CLIENT_PASSTHROUGH_ATTRS:
                chain.append(func.attr)
            func = func.value
        elif (isinstance(func, ast.Call) and isinstance(func.func, ast.Attribute)
              and func.func.attr in knowledge.CLIENT_PASSTHROUGH_METHODS):
            func = func.func.value
        elif isinstance(func, ast.Await):
            func = func.value
        else:
            break
    chain.reverse()
    return tuple(chain), func.id if isinstance(func, ast.Name) else None


_IDENTIFIER = re.compile(r"[^\W\d]\w*")  # Python's identifiers, non-ASCII ones included
# ASCII text: every character that cannot be part of an identifier, made a space.
_SEPARATORS = str.maketrans({chr(code): " " for code in range(128) if not (chr(code).isalnum() or chr(code) == "_")})
# The bases of a class statement: everything between `class Name(` and the colon of its header.
# Anchored on a line break rather than `^` with re.MULTILINE, which tries every position: 9 times faster.
_CLASS_HEADER = re.compile(r"\n[ \t]*class[ \t]+\w+[ \t]*\(([^:]*)")


def identifiers(text: str) -> FrozenSet[str]:
    """Every identifier-shaped word of a file (comments and strings included: it only over-selects).

    On ASCII text, the runs of letters, digits and underscores (numbers too: splitting on the
    other characters is 1.6 times faster than finding identifiers with a regex). Code names an
    identifier as a whole run: only a keyword can follow a number without a space (`1if`)."""
    if text.isascii():
        return frozenset(text.translate(_SEPARATORS).split())
    return frozenset(_IDENTIFIER.findall(text))


def class_bases(text: str) -> FrozenSet[str]:
    """The identifiers among the bases of the file's class statements (over-selects, like `identifiers`)."""
    return frozenset(word for bases in _CLASS_HEADER.findall("\n" + text) for word in identifiers(bases))


@dataclass(frozen=True)
class CodeNames:
    """What a file's code names, for the caller search (`dslint.engine._CallerSearch`): the text's
    `identifiers` and `class_bases` without the words of its comments and docstrings."""

    called: FrozenSet[str]  # the names it calls
    words: FrozenSet[str]   # the identifiers of its code and of its string literals but string statements
    bases: FrozenSet[str]   # those among the bases of its class statements
    # The classes other modules can name (at module level or in a class: "Outer.Inner"), each with
    # the identifiers of its bases.
    classes: Tuple[Tuple[str, FrozenSet[str]], ...] = ()


# The fields of the nodes that hold an identifier (or a dotted name, or a list of them).
_NAME_FIELDS = {
    ast.Name: ("id",), ast.Attribute: ("attr",), ast.alias: ("name", "asname"), ast.ImportFrom: ("module",),
    ast.FunctionDef: ("name",), ast.AsyncFunctionDef: ("name",), ast.ClassDef: ("name",), ast.arg: ("arg",),
    ast.keyword: ("arg",), ast.Global: ("names",), ast.Nonlocal: ("names",), ast.ExceptHandler: ("name",),
    **{getattr(ast, kind): fields for kind, fields in (
        ("MatchAs", ("name",)), ("MatchStar", ("name",)), ("MatchMapping", ("rest",)), ("MatchClass", ("kwd_attrs",)),
        ("TypeVar", ("name",)), ("ParamSpec", ("name",)), ("TypeVarTuple", ("name",)))
       if hasattr(ast, kind)},
}


def code_names(tree: ast.Module) -> CodeNames:
    """The names the file's code calls, and the words its code names.

    Calls: `name(...)`, `<anything>.name(...)`, and the imported name behind an alias (`from m
    import name as n; n(...)`). A call resolves to a function `pkg.mod.name` or a method
    `pkg.mod.C.name` (dslint.analysis.file_facts: qualified names through imports and definitions;
    the class of `self` or of a receiver bound to `C(...)`) only through one of them.
    Words: every identifier of the code, and the identifier-shaped words of its string literals
    (an annotation may be a string) but those of string statements (docstrings): the qualified
    names the analysis resolves come from imports, names, attributes and annotations, never from
    a docstring or a comment, where usage examples name classes and packages they do not use."""
    original: Dict[str, Set[str]] = {}
    called: Set[str] = set()
    words: Set[str] = set()
    bases: Set[str] = set()
    statements = set()  # the string literals that are a statement of their own
    for node in walk(tree):  # breadth first: a statement comes before its string
        kind = type(node)
        if kind is ast.Call:
            if isinstance(node.func, ast.Name):
                called.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                called.add(node.func.attr)
        elif kind is ast.Constant:
            if isinstance(node.value, str) and id(node) not in statements:
                words.update(identifiers(node.value))
            continue
        elif kind is ast.Expr and type(node.value) is ast.Constant:
            statements.add(id(node.value))
        elif kind is ast.alias and node.asname:
            original.setdefault(node.asname, set()).add(node.name.rsplit(".", 1)[-1])
        elif kind is ast.ClassDef:
            bases.update(_names_in(node.bases))
        for field in _NAME_FIELDS.get(kind, ()):
            value = getattr(node, field)
            if isinstance(value, str):
                words.update(value.split("."))
            elif value:
                words.update(value)
    called.update(*(original[name] for name in called & original.keys()))
    return CodeNames(frozenset(called), frozenset(words), frozenset(bases), tuple(_classes(tree, "")))


def _classes(node: ast.AST, prefix: str) -> Iterator[Tuple[str, FrozenSet[str]]]:
    """The class statements below `node` outside functions (in `if`, `try`, ... blocks too), with
    their dotted paths from the module and the identifiers of their bases."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef):
            path = prefix + child.name
            yield path, frozenset(_names_in(child.bases))
            yield from _classes(child, path + ".")
        elif not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.expr)):
            yield from _classes(child, prefix)


def _names_in(expressions: List[ast.expr]) -> Iterator[str]:
    """The identifiers of `expressions` (the bases of a class: names, attributes, string annotations)."""
    for expression in expressions:
        for node in walk(expression):
            if isinstance(node, ast.Name):
                yield node.id
            elif isinstance(node, ast.Attribute):
                yield node.attr
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield from identifiers(node.value)
