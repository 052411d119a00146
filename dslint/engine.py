"""Running the rules over a set of files as one project (see `_Run` for the steps).

`lint_paths` and `lint_text` are the entry points every front end (CLI, stdin, tests) calls.
Whatever goes wrong in one file becomes a DS001 finding or an error line for that file; the run
always goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    TypeVar,
    Union,
)

from dslint.analysis.module_clients import ModuleClient
from dslint.analysis.settings import AnalysisSettings
from dslint.config import Config, ConfigResolver
from dslint.file_jobs import (
    Analysed,
    FileJob,
    Mentions,
    Screened,
    analyse_file,
    code_names_in,
    load_analysis,
    module_names,
    read_text,
    screen_file,
    words_in,
)
from dslint.findings import Finding, RunResult
from dslint.prefilter import CodeNames, needs_analysis
from dslint.suppression import filter_suppressed
from dslint.word_index import WordIndex
from dslint.workers import WorkFailed, Workers, fewer_garbage_collections

T = TypeVar("T")

if TYPE_CHECKING:
    from dslint.analysis.project import Project
    from dslint.cache import Cache  # created by the CLI when caching is on

def settings_of(config: Config) -> AnalysisSettings:
    return AnalysisSettings(config.provider, config.client_factories, config.retry_decorators)


class _Run:
    """One run over a set of files, as one project:

    1. read and screen every file (dslint.prefilter: text, then CPython's `ast` for the files that
       pass), collecting DS001 and the clients each module builds;
    2. analyse with LibCST the files that can hold an API call or a raw request to the API;
    3. search the other files for the callers of the functions that some status code of an API
       call reaches uncaught (`_CallerSearch`; no other caller can change a finding),
       analyse those that may hold one, and repeat until no new file does;
    4. the project pass (call graph), then selection, deduplication and suppression per file.
    """

    def __init__(self, jobs: Sequence[FileJob], configs: Sequence[Config], result: RunResult,
                 workers: Workers, cache: Optional[Cache], screen: bool = True):
        self.jobs = list(jobs)
        self.configs = list(configs)
        self.result = result
        self.workers = workers
        self.cache = cache
        self.screen = screen  # False: every file is parsed and analysed (what the screen must not change)
        self.screened: List[Screened] = []
        self.analysed: Dict[int, Analysed] = {}
        self.word_index = WordIndex()  # the identifiers of the files screened (not cached) in this run
        self.searched: Set[_CallerSearch] = set()
        # Subclasses in files not analysed yet (`_Subclass`): by the searches for calls through them
        # (in files not analysed yet), and by "<class>.<method>", how an analysed file's call site
        # names a call through one.
        self.subclasses_by_search: Dict[_CallerSearch, List[_Subclass]] = {}
        self.subclasses_by_method: Dict[str, List[_Subclass]] = {}

    def execute(self, notebook_cells: bool) -> RunResult:
        self.screened = self._screen(range(len(self.jobs)), force=not self.screen)
        module_clients: Dict[str, ModuleClient] = {}
        for screened in self.screened:
            module_clients.update(screened.clients)
        self._screen_users_of_clients(module_clients)
        deepseek_clients = [name for name, client in module_clients.items() if client.provider == "deepseek"]
        pending = [index for index, screened in enumerate(self.screened)
                   if self._needs_analysis(index, screened, module_clients, deepseek_clients)]
        project = None
        while pending:
            self._analyse(pending, module_clients)
            project = self._project()
            pending = self._callers(_caller_searches(project) - self.searched)
            pending += [index for index in self._files_of_subclasses_called() if index not in pending]
        return self._finish(project, notebook_cells)

    # --- the steps ------------------------------------------------------------------------------

    def _screen(self, indexes: Iterable[int], force: bool) -> List[Screened]:
        indexes = list(indexes)
        found, todo = self._from_cache(indexes, lambda job: self.cache.screened(job, force))
        for screened, index in zip(self.workers.map(screen_file, [(self.jobs[i], force) for i in todo]), todo):
            if isinstance(screened, WorkFailed):
                self.result.errors.append(f"failed to read {self.jobs[index].display}: {screened.message}")
                screened = Screened(notice=f"{self.jobs[index].display} was not checked")
            if screened.mentioned is not None:
                if index not in self.word_index:
                    self.word_index.add(index, *screened.mentioned)
                screened.mentioned = None
            if self._needs_analysis(index, screened, {}, []):
                load_analysis()  # now, while the workers screen the rest, rather than after them
            found[index] = screened
            if self.cache:
                self.cache.store_screened(self.jobs[index], force, screened)
        for index in indexes:
            if found[index].notice:
                self.result.notices.append(found[index].notice)
            if found[index].notebook is not None:
                self.result.notebooks[self.jobs[index].display] = found[index].notebook
        return [found[index] for index in indexes]

    def _screen_users_of_clients(self, module_clients: Mapping[str, ModuleClient]) -> None:
        """Screen the files that stage 1 left out but that may import a client another module builds
        (`from app.clients import deepseek` names it as an import of a function would)."""
        if not module_clients:
            return
        searches = {_CallerSearch.of(qualified_name) for qualified_name in module_clients}
        left_out = [index for index, screened in enumerate(self.screened)
                    if not screened.passed and screened.problem is None and screened.notice is None]
        users = list(self._matching(left_out, searches))
        for index, screened in zip(users, self._screen(users, force=True)):
            self.screened[index] = screened

    def _needs_analysis(self, index: int, screened: Screened, module_clients: Mapping[str, ModuleClient],
                        deepseek_clients: List[str]) -> bool:
        if not screened.passed or screened.problem is not None:
            return False
        if screened.syntax is None or not self.screen:
            return True  # CPython's parser gave up: the analysis reports it (DS001) or copes
        clients = (*module_clients, *self.jobs[index].settings.client_factories)
        return needs_analysis(screened.syntax, screened.module_name, clients, deepseek_clients)

    def _analyse(self, indexes: List[int], module_clients: Dict[str, ModuleClient]) -> None:
        found, todo = self._from_cache(indexes, lambda job: self.cache.analysed(job, module_clients))
        self.analysed.update(found)
        if not todo:
            return
        load_analysis()
        # The largest first: the pool's workers then finish at about the same time. (Reads the
        # texts the cache left out, which the analysis needs.)
        todo.sort(key=lambda i: -len(self._text(i) or ""))
        work = [(self.jobs[i], self.screened[i], module_clients) for i in todo]
        for outcome, index in zip(self.workers.map(analyse_file, work, heavy=True), todo):
            if isinstance(outcome, WorkFailed):
                self.result.errors.append(f"failed to lint {self.jobs[index].display}: {outcome.message}")
                outcome = Analysed()
            elif self.cache:
                self.cache.store_analysed(self.jobs[index], module_clients, outcome)
            self.analysed[index] = outcome

    def _callers(self, searches: Set[_CallerSearch]) -> List[int]:
        """The files not analysed yet that one of `searches` matches: by the words of their text,
        then by what their code calls and names. A file whose code matches only a class-header
        search defines a subclass that matters only if something calls the method through it: it
        is deferred (`_defer_subclasses`), the searches for such calls join in, and it is analysed
        with the files that make one."""
        rest = [index for index, screened in enumerate(self.screened)
                if index not in self.analysed and screened.problem is None and screened.notice is None]
        selected: Dict[int, None] = {}
        while searches:
            self.searched |= searches
            matching = self._matching(rest, searches)
            derived: Set[_CallerSearch] = set()
            for index, code in zip(matching, self._code_names(list(matching))):
                module_name = self.screened[index].module_name
                if code is None:  # CPython's parser cannot tell: the analysis decides
                    selected[index] = None
                    continue
                hits = [search for search in matching[index] if search.matches_code(code, module_name)]
                calling = [search for search in hits if not search.in_class_header]
                if calling:
                    selected[index] = None
                    for search in calling:
                        for subclass in self.subclasses_by_search.get(search, ()):
                            selected.update(dict.fromkeys(subclass.files()))
                else:
                    for search in hits:
                        derived |= self._defer_subclasses(index, search, code)
            searches = derived - self.searched
        return list(selected)

    def _defer_subclasses(self, index: int, search: _CallerSearch, code: CodeNames) -> Set[_CallerSearch]:
        """Record the classes of the file at `index` that derive from `search.qualifier`; the
        searches for calls through them (and for their own subclasses)."""
        package = self.screened[index].module_name.split(".", 1)[0]
        derived = set()
        for via in self.subclasses_by_search.get(search, [None]):
            for path, bases in code.classes:
                if search.qualifier not in bases:
                    continue
                subclass = _Subclass(index, via)
                name = path.rsplit(".", 1)[-1]
                self.subclasses_by_method.setdefault(f"{name}.{search.name}", []).append(subclass)
                for through in (_CallerSearch(search.name, name, package),
                                _CallerSearch(search.name, name, package, in_class_header=True)):
                    self.subclasses_by_search.setdefault(through, []).append(subclass)
                    derived.add(through)
        return derived

    def _files_of_subclasses_called(self) -> List[int]:
        """The files, not analysed yet, of the deferred subclasses through which an analysed file
        calls a method (its call site names `<module>.<class>.<method>`)."""
        files: Dict[int, None] = {}
        if self.subclasses_by_method:
            for analysed in self.analysed.values():
                for site in analysed.facts.call_sites if analysed.facts is not None else ():
                    for callee in site.callees:
                        for subclass in self.subclasses_by_method.get(".".join(callee.rsplit(".", 2)[-2:]), ()):
                            files.update(dict.fromkeys(subclass.files()))
        return [index for index in files if index not in self.analysed]

    def _matching(self, indexes: List[int], searches: Set[_CallerSearch]) -> Dict[int, List[_CallerSearch]]:
        """The files at `indexes` that some of `searches` match, with those searches."""
        words = frozenset(word for search in searches for word in (search.name, search.qualifier, search.package))
        # Indexed by the word every match needs (its name; its base for a subclass search): most
        # files mention none, and a project has thousands of searches.
        by_word: Dict[str, List[_CallerSearch]] = {}
        for search in searches:
            by_word.setdefault(search.qualifier if search.in_class_header else search.name, []).append(search)
        matching = {}
        for index, found in zip(indexes, self._words(indexes, words)):
            candidates = (search for word in found.words if word in by_word for search in by_word[word])
            matched = [search for search in candidates if search.matches(found, self.screened[index].module_name)]
            if matched:
                matching[index] = matched
        return matching

    def _code_names(self, indexes: List[int]) -> List[Optional[CodeNames]]:
        """What the code of each file calls and names (None: CPython's parser cannot tell)."""
        found, todo = self._from_cache(indexes, lambda job: self.cache.code_names(job))
        work = [(self.jobs[i], self.screened[i].text) for i in todo]
        # Each file is parsed: in workers even when they are a few dozen (this process would keep them waiting).
        for code, index in zip(self.workers.map(code_names_in, work, heavy=True), todo):
            if isinstance(code, WorkFailed):
                code = None
            elif self.cache and code is not None:
                self.cache.store_code_names(self.jobs[index], code)
            found[index] = code
        return [found.get(index) for index in indexes]

    def _words(self, indexes: List[int], words: FrozenSet[str]) -> List[Mentions]:
        found = self.word_index.mentions((i for i in indexes if i in self.word_index), words)
        if self.cache:
            for index, mentioned in found.items():
                self.cache.store_words(self.jobs[index], words, mentioned)
        cached, todo = self._from_cache((i for i in indexes if i not in found), lambda job: self.cache.words(job, words))
        found.update(cached)
        work = [(self.jobs[i], self.screened[i].text, words) for i in todo]
        for mentioned, index in zip(self.workers.map(words_in, work), todo):
            if isinstance(mentioned, WorkFailed):
                self.result.errors.append(f"failed to search {self.jobs[index].display}: {mentioned.message}")
                mentioned = Mentions(words, words)  # analysed, then: the analysis reports what goes wrong
            elif self.cache:
                self.cache.store_words(self.jobs[index], words, mentioned)
            found[index] = mentioned
        return [found[index] for index in indexes]

    def _project(self) -> "Project":
        from dslint.analysis.project import Project

        return Project(analysed.facts for analysed in self.analysed.values() if analysed.facts is not None)

    def _finish(self, project: Optional["Project"], notebook_cells: bool) -> RunResult:
        """Per-file findings and, when some file was analysed, the project pass's; then selection,
        deduplication and suppression per file."""
        from dslint.rules import project_rules

        findings: List[List[Finding]] = []
        for index, screened in enumerate(self.screened):
            analysed = self.analysed.get(index)
            findings.append(([screened.problem] if screened.problem is not None else [])
                            + (analysed.findings if analysed is not None else []))
        if project is not None:
            index_of = {job.display: index for index, job in enumerate(self.jobs)}
            for rule in project_rules():
                for finding in rule.check_project(project):
                    findings[index_of[finding.path]].append(finding)
        for index, (job, config) in enumerate(zip(self.jobs, self.configs)):
            if not findings[index]:
                continue
            path = Path(job.display)
            selected = _deduplicated(f for f in findings[index] if config.is_enabled(f.code, path))
            if not selected:
                continue
            source = self._text(index)
            if source is not None:
                self.result.sources[job.display] = source
                selected = filter_suppressed(selected, source)
            notebook = self.result.notebooks.get(job.display)
            if notebook is not None and notebook_cells:  # rows of the virtual source -> rows of a cell
                selected = [notebook.map_finding(finding) for finding in selected]
            self.result.findings.extend(selected)
        self.result.findings.sort(key=lambda f: f.sort_key)
        return self.result

    def _from_cache(self, indexes: Iterable[int],
                    lookup: Callable[[FileJob], Optional[T]]) -> Tuple[Dict[int, T], List[int]]:
        """What the cache answers for the files at `indexes`, and the indexes still to do."""
        found: Dict[int, T] = {}
        todo = []
        for index in indexes:
            cached = lookup(self.jobs[index]) if self.cache else None
            if cached is None:
                todo.append(index)
            else:
                found[index] = cached
        return found, todo

    # --- texts ----------------------------------------------------------------------------------

    def _text(self, index: int) -> Optional[str]:
        """A file's text: kept from screening, or read again (a file the cache answered for)."""
        screened = self.screened[index]
        if screened.text is None and screened.notice is None:
            screened.text = read_text(self.jobs[index])
        return screened.text


@dataclass(frozen=True)
class _CallerSearch:
    """What a file that may call a function on some API call's escape path mentions.

    A call in another file resolves to `pkg.mod.func` only through an import naming `mod` (or
    `func` itself from it), and to `pkg.mod.C.meth` only through `C` (an import, an instance
    `C(...)`, an annotation) or a subclass of `C` that inherits `meth`; every such import names
    the package `pkg`, unless it is relative, from inside `pkg`. With `in_class_header`, the file
    must name `qualifier` among the bases of a class it defines (a subclass of `qualifier`, which
    the project pass needs when a call of `name` goes through it: see `_Run._callers`). Otherwise
    its code must also call `name`. `_Run._callers` matches the words of each file's text first (cheap: comments and
    docstrings over-select), then parses the files that match and matches what their code names
    (`prefilter.code_names`).
    """

    name: str
    qualifier: str
    package: str
    in_class_header: bool = False

    @classmethod
    def of(cls, qualified_name: str) -> "_CallerSearch":
        """For a module-level name (a function, a client): `pkg.mod.name`."""
        module, _, name = qualified_name.rpartition(".")
        return cls(name, module.rsplit(".", 1)[-1], module.split(".", 1)[0])

    def matches(self, found: Union[Mentions, CodeNames], module_name: str) -> bool:
        """By the words (and class bases) a file's text or its code names."""
        if self.package not in found.words and module_name.split(".", 1)[0] != self.package:
            return False
        if self.in_class_header:
            return self.qualifier in found.bases
        return self.name in found.words and self.qualifier in found.words

    def matches_code(self, code: CodeNames, module_name: str) -> bool:
        return self.matches(code, module_name) and (self.in_class_header or self.name in code.called)


@dataclass(frozen=True)
class _Subclass:
    """A class in a file not analysed yet that derives from the class of a method the caller
    search follows (or from another such subclass, `via`): the project pass needs it (its bases)
    only to resolve a call through it."""

    file: int
    via: Optional["_Subclass"] = None

    def files(self) -> Iterator[int]:
        """Its file and those of the subclasses it derives through."""
        subclass: Optional[_Subclass] = self
        while subclass is not None:
            yield subclass.file
            subclass = subclass.via


def _caller_searches(project: "Project") -> Set[_CallerSearch]:
    searches = set()
    for function_id in project.functions_escaped_into():
        function = project.functions.get(function_id)
        if function is None or "<locals>" in function_id:
            continue  # module-level code and nested functions are called from their own file only
        if function.class_id is None:
            searches.add(_CallerSearch.of(function_id))
        else:
            name = function_id.rsplit(".", 1)[-1]
            package = function.module.split(".", 1)[0]
            qualifier = function.class_id.rsplit(".", 1)[-1]
            searches.add(_CallerSearch(name, qualifier, package))
            searches.add(_CallerSearch(name, qualifier, package, in_class_header=True))
            searches.update(_CallerSearch(name, subclass.rsplit(".", 1)[-1], subclass.split(".", 1)[0])
                            for subclass in project.subclasses(function.class_id))
    return searches


def _deduplicated(findings) -> List[Finding]:
    """One finding per (rule, anchor line)."""
    seen = set()
    unique = []
    for finding in findings:
        key = (finding.code, finding.cell, finding.start.row)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def lint_paths(files: Sequence[Path], resolver: ConfigResolver, *, notebook_cells: bool = True,
               texts: Optional[Mapping[Path, str]] = None, jobs: int = 1,
               cache: Optional[Cache] = None, screen: bool = True) -> RunResult:
    """Lint `files` as one project. Notebook findings carry their cell and rows relative to it;
    with `notebook_cells=False` they keep the rows of the notebook's virtual source (what a fixer
    edits: `result.sources[path]`, written back with `result.notebooks[path].with_source(fixed)`).
    `texts` gives the decoded text of some files instead of what is on disk (the fixer's passes);
    `jobs` is the number of processes; `cache` keeps what each unchanged file gave (dslint.cache);
    `screen=False` parses and analyses every file: the screen (dslint.prefilter) must not change
    the findings, but for DS001 in files that never name an SDK (only those it parses)."""
    texts = texts or {}
    configs = [resolver.config_for(path) for path in files]
    file_jobs = [FileJob(path, str(path), settings_of(config), texts.get(path), module)
                 for path, config, module in zip(files, configs, module_names(files))]
    result = RunResult(files_checked=len(files))
    run = _Run(file_jobs, configs, result, Workers(jobs), cache, screen)
    with fewer_garbage_collections():
        return run.execute(notebook_cells)


def lint_text(text: str, path: str, config: Config, *, notebook_cells: bool = True) -> RunResult:
    """Lint one file's text (stdin); a path ending in .ipynb makes it notebook JSON."""
    result = RunResult(files_checked=1)
    run = _Run([FileJob(Path(path), path, settings_of(config), text)], [config], result, Workers(1), None)
    return run.execute(notebook_cells)
