"""The cache (`.dslint_cache/`): what screening and analysing each file gave, so that a run reads
and parses only the files that changed.

- An entry belongs to a file's absolute path and holds while the file's size and modification
  time (nanoseconds) are those recorded, as in ruff's cache, and while the analysis settings of
  its configuration are the same.
- An analysis also records the clients that other modules build (`dslint.analysis.module_clients`)
  it was made with: adding or changing such a client anywhere re-analyses every file.
- Which of the searched function names a file mentions is kept with the names asked, so the
  search for callers (DS101/DS102 across files) reads only files asked about new names; and, for
  the files that search parses, what their code calls and names.
- The project pass (call graph, DS101/DS102) is never cached: it runs on the facts every time,
  so a change in one file reaches the findings of every other.
- Text given instead of the file on disk (stdin, the fixer's passes) and notebooks are never cached.

One file per dslint version, Python version and LibCST version (each can change results), written
atomically. It is a pickle, trusted as the source tree is (like `__pycache__`); the folder gets a
`.gitignore` so it is never committed. A cache that cannot be read is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, FrozenSet, Mapping, Optional, Tuple

from dslint.analysis.settings import AnalysisSettings
from dslint.fileio import write_atomic
from dslint.file_jobs import Analysed, FileJob, Mentions, Screened
from dslint.prefilter import CodeNames
from dslint.snapshot import Stamp, stamp_of, versioned_folder
from dslint.workers import fewer_garbage_collections

_FORMAT = 5
_NOTHING_FOUND = Mentions()
_UNCHECKED = object()


@dataclass
class _Entry:
    stamp: Stamp                                  # of the file
    settings: AnalysisSettings
    screened: Dict[bool, Screened] = field(default_factory=dict)  # by `force` (see screen_file)
    analysed: Optional[Tuple[str, Analysed]] = None                # (module clients digest, result)
    asked: FrozenSet[str] = frozenset()
    found: Mentions = Mentions()
    code: Optional[CodeNames] = None  # what its code calls and names (file_jobs.code_names_in)


class Cache:
    def __init__(self, folder: Path, stamps: Optional[Mapping[str, Optional[Stamp]]] = None):
        """`stamps`: absolute path -> stamp, taken before the run read the files (dslint.snapshot
        takes them anyway); the other files are stamped on first lookup."""
        self.folder = folder
        self.file = versioned_folder(folder) / "files.pickle"
        self.entries: Dict[str, _Entry] = self._load()
        self._stamps: Dict[str, Optional[Stamp]] = dict(stamps or {})
        # The entry found valid for each file (or None), checked once per run: a run looks each
        # file up several times, and the caller search asks every file left out of the analysis
        # once per round (tens of thousands of lookups).
        self._valid: Dict[Path, Optional[_Entry]] = {}
        self._covers: Dict[Tuple[FrozenSet[str], FrozenSet[str]], bool] = {}  # (asked, words) -> words <= asked
        # Every file left out of the analysis is asked the same words: one set, pickled once.
        self._word_sets: Dict[FrozenSet[str], FrozenSet[str]] = {}
        self._digests: Dict[int, str] = {}
        self.changed = False

    # --- lookups and updates, per step of a run (dslint.engine) ---------------------------------

    def screened(self, job: FileJob, force: bool) -> Optional[Screened]:
        entry = self._entry(job)
        found = None if entry is None else entry.screened.get(force)
        return None if found is None else replace(found)  # the run adds the text to its copy

    def store_screened(self, job: FileJob, force: bool, screened: Screened) -> None:
        entry = self._entry(job, create=True)
        if entry is not None and screened.notice is None:
            entry.screened[force] = replace(screened, text=None)
            self.changed = True

    def analysed(self, job: FileJob, module_clients: Mapping) -> Optional[Analysed]:
        entry = self._entry(job)
        if entry is None or entry.analysed is None or entry.analysed[0] != self._digest(module_clients):
            return None
        return entry.analysed[1]

    def store_analysed(self, job: FileJob, module_clients: Mapping, analysed: Analysed) -> None:
        entry = self._entry(job, create=True)
        if entry is not None:
            entry.analysed = (self._digest(module_clients), analysed)
            self.changed = True

    def words(self, job: FileJob, words: FrozenSet[str]) -> Optional[Mentions]:
        entry = self._entry(job)
        if entry is None or not self._asked_all(entry.asked, words):
            return None
        found = entry.found
        return Mentions(found.words & words, found.bases & words) if found.words else _NOTHING_FOUND

    def store_words(self, job: FileJob, words: FrozenSet[str], found: Mentions) -> None:
        entry = self._entry(job, create=True)
        if entry is not None:
            known = entry.found
            entry.found = Mentions((known.words - words) | found.words, (known.bases - words) | found.bases)
            asked = entry.asked | words
            entry.asked = self._word_sets.setdefault(asked, asked)
            self.changed = True

    def _asked_all(self, asked: FrozenSet[str], words: FrozenSet[str]) -> bool:
        # A round asks every file the same `words`, and most files were asked the same sets before
        # (shared through _word_sets, and by the pickle): one subset test per pair of sets. (A
        # frozenset keeps its hash, and equal keys are found by identity first.)
        key = (asked, words)
        covered = self._covers.get(key)
        if covered is None:
            covered = self._covers[key] = words <= asked
        return covered

    def code_names(self, job: FileJob) -> Optional[CodeNames]:
        entry = self._entry(job)
        return None if entry is None else entry.code

    def store_code_names(self, job: FileJob, code: CodeNames) -> None:
        entry = self._entry(job, create=True)
        if entry is not None:
            entry.code = code
            self.changed = True

    # --- storage ----------------------------------------------------------------------------------

    def save(self) -> None:
        if not self.changed:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by dslint: the cache is never committed.\n*\n")
            write_atomic(self.file, pickle.dumps((_FORMAT, self.entries), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError as error:
            logging.getLogger("dslint").warning("cannot write the cache %s: %s", self.file, error.strerror or error)

    def _load(self) -> Dict[str, _Entry]:
        try:
            data = self.file.read_bytes()
        except OSError:
            return {}
        try:
            with fewer_garbage_collections():  # a hundred thousand objects
                version, entries = pickle.loads(data)
        except Exception:  # truncated, or written by another dslint: rebuilt
            logging.getLogger("dslint").debug("ignoring unreadable cache %s", self.file, exc_info=True)
            return {}
        return entries if version == _FORMAT and isinstance(entries, dict) else {}

    def _entry(self, job: FileJob, create: bool = False) -> Optional[_Entry]:
        # Text given instead of the file (the fixer's passes over a file the run also read) is
        # never answered from the cache, nor from what this run found valid for the file.
        if job.text is not None or job.display.endswith(".ipynb"):
            return None
        entry = self._valid.get(job.path, _UNCHECKED)
        if entry is _UNCHECKED or (entry is None and create):
            entry = self._valid[job.path] = self._checked_entry(job, create)
        return entry

    def _checked_entry(self, job: FileJob, create: bool) -> Optional[_Entry]:
        key = os.path.abspath(job.path)
        stamp = self._stamp(key)
        if stamp is None:
            return None
        entry = self.entries.get(key)
        if entry is not None and entry.stamp == stamp and entry.settings == job.settings:
            return entry
        if not create:
            return None
        entry = self.entries[key] = _Entry(stamp, job.settings)
        return entry

    def _stamp(self, path: str) -> Optional[Stamp]:
        if path not in self._stamps:
            self._stamps[path] = stamp_of(path)
        return self._stamps[path]

    def _digest(self, module_clients: Mapping) -> str:
        key = id(module_clients)
        if key not in self._digests:
            text = repr(sorted(module_clients.items()))
            self._digests[key] = hashlib.sha1(text.encode()).hexdigest()
        return self._digests[key]
