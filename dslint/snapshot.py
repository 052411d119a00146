"""A lint run's result, replayed while nothing it depends on has changed.

Even with every file's facts in the cache (dslint.cache), a run walks the tree, resolves each
file's configuration and runs the project pass. A run whose inputs are all unchanged needs none of
that, so its result is recorded with the stamps of everything it depends on:

- every folder walked: its mtime, taken before it was read (a file or folder added, removed or
  renamed in it changes it; so does a config file or .gitignore created there);
- every file linted, and every config file, .gitignore and package marker (`__init__.py`) in a
  walked folder: size and mtime in nanoseconds, with a digest of the bytes, so that a file whose
  stamp changed but whose bytes did not (`touch`, a branch switched back) still counts as unchanged;
- above the given paths, where the configuration, the .gitignore files, the repository root and
  the package names are looked up: whether each of those files is there, and its stamp.

When only linted files changed (their bytes; no folder, config, .gitignore or package marker),
the record still names the files to lint: the run skips the walk and the configuration lookups
of discovery, and the per-file cache gives what the unchanged files gave.

A record belongs to the run's key (working folder, paths, config file, selection, force-exclude),
next to the per-file cache: one small pickle per key, the most recent `KEPT` kept. A record is
made only by a run without errors or notices (those depend on more than these files: permissions).
A change made in the same clock tick as the stamp taken before it would go unnoticed, so a run
whose inputs were modified less than `RECENT_NS` before it started is not recorded (as git treats
"racily clean" files).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union

from dslint import __version__
from dslint.config import DSLINT_TOML, PYPROJECT
from dslint.fileio import write_atomic

if TYPE_CHECKING:
    from dslint.discovery import DiscoveryResult
    from dslint.findings import RunResult

KEPT = 16
_FORMAT = 2  # of a record: one written by an earlier format is recorded again
RECENT_NS = 2 * 10**9  # coarser than any file system's timestamps (FAT: 2 s)
# Looked up in every folder holding a linted file (dslint.config, dslint.discovery, dslint.file_jobs),
# and above the given paths, where the repository root's exclude file is looked up too.
LOOKED_UP_IN_WALKED = (DSLINT_TOML, PYPROJECT, ".gitignore", "__init__.py")
LOOKED_UP_ABOVE = (*LOOKED_UP_IN_WALKED, os.path.join(".git", "info", "exclude"))
# Only whether it is there matters (git rewrites files in it all the time).
REPOSITORY_MARKER = ".git"

Stamp = Tuple[int, int]  # (size, mtime_ns)


def stamp_of(path: Union[str, "os.PathLike[str]"]) -> Optional[Stamp]:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns


def _digest(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as file:
            return hashlib.blake2b(file.read(), digest_size=16).digest()
    except OSError:
        return None


@dataclass
class _Record:
    folders: Dict[str, int]                                    # walked folder -> mtime_ns
    files: Dict[str, Tuple[Stamp, bytes]]                      # file -> (stamp, digest)
    absent: Tuple[str, ...]                                    # looked up, not there
    present: Tuple[str, ...]                                   # repository markers there
    result: "RunResult"
    path_errors: List[str]
    linted: Tuple[str, ...]                                    # the files linted, as discovered


@dataclass
class Replay:
    """What a recorded run still tells: its result, when nothing changed; else (`result` None,
    only linted files changed) what discovery found (`found()`), without walking again."""

    record: _Record
    result: Optional["RunResult"]

    @property
    def path_errors(self) -> List[str]:
        return list(self.record.path_errors)

    def found(self) -> "DiscoveryResult":
        from dslint.discovery import DiscoveryResult

        record = self.record
        return DiscoveryResult([Path(path) for path in record.linted], self.path_errors, dict(record.folders))


def versioned_folder(folder: Path) -> Path:
    """Where what this dslint, Python and LibCST give is kept (each can change results)."""
    python = f"py{sys.version_info[0]}.{sys.version_info[1]}"
    return folder / f"{__version__}-{python}-libcst{_libcst_version()}"


def _libcst_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("libcst")
    except PackageNotFoundError:
        return "unknown"


class RunRecords:
    """The recorded runs in `folder` (the per-file cache's versioned folder)."""

    def __init__(self, folder: Path, key: Sequence[object]):
        self.file = folder / "runs" / (hashlib.sha1(repr(tuple(key)).encode()).hexdigest() + ".pickle")
        self._previous: Optional[_Record] = None
        self.started = time.time_ns()

    def replay(self) -> Optional[Replay]:
        """What the recorded run still tells (see `Replay`); None when more than linted files changed."""
        record = self._load()
        if record is None:
            return None
        refreshed = _refreshed(record)
        if refreshed is None:
            return None
        files, linted_changed = refreshed
        if linted_changed:
            return Replay(record, None)
        if files is not record.files:  # stamps changed, bytes did not: no digest next time
            record.files = files
            self._store(record)
        return Replay(record, record.result)

    def stamps_before(self, folders: Dict[str, int], files: Iterable[Path]) -> "RunInputs":
        """What the run is about to read, stamped before it does."""
        stamps = {}
        for path in files:
            absolute = os.path.abspath(path)
            stamps[absolute] = stamp_of(absolute)
        for folder in folders:
            for name in LOOKED_UP_IN_WALKED:
                candidate = os.path.join(folder, name)
                if candidate not in stamps:
                    stamps[candidate] = stamp_of(candidate)
        return RunInputs(dict(folders), stamps, set())

    def record(self, inputs: "RunInputs", roots: Iterable[str], result: "RunResult", found: "DiscoveryResult") -> None:
        if result.errors or result.notices:
            return
        for root in roots:
            inputs.add_above(os.path.abspath(root))
        recent = self.started - RECENT_NS
        if any(mtime >= recent for mtime in inputs.folders.values()) or \
                any(stamp is not None and stamp[1] >= recent for stamp in inputs.stamps.values()):
            return
        previous = self._previous.files if self._previous is not None else {}
        files: Dict[str, Tuple[Stamp, bytes]] = {}
        absent = []
        for path, stamp in inputs.stamps.items():
            if stamp is None:
                absent.append(path)
                continue
            known = previous.get(path)
            if known is not None and known[0] == stamp:
                files[path] = known
                continue
            digest = _digest(path)
            if digest is None or stamp_of(path) != stamp:
                return  # changed while the run read it: the next run must not trust this result
            files[path] = (stamp, digest)
        self._store(_Record(inputs.folders, files, tuple(absent), tuple(inputs.present), result, list(found.errors),
                            tuple(str(path) for path in found.files)))

    # --- storage ----------------------------------------------------------------------------------

    def _load(self) -> Optional[_Record]:
        try:
            data = self.file.read_bytes()
        except OSError:
            return None
        try:
            version, record = pickle.loads(data)
        except Exception:  # truncated, or written by another dslint: recorded again
            logging.getLogger("dslint").debug("ignoring unreadable run record %s", self.file, exc_info=True)
            return None
        if version != _FORMAT or not isinstance(record, _Record):
            return None
        self._previous = record
        return record

    def _store(self, record: _Record) -> None:
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.file, pickle.dumps((_FORMAT, record), protocol=pickle.HIGHEST_PROTOCOL))
            _prune(self.file.parent)
        except (OSError, pickle.PicklingError) as error:
            logging.getLogger("dslint").warning("cannot record the run in %s: %s", self.file, error)


@dataclass
class RunInputs:
    folders: Dict[str, int]                  # walked folder -> mtime_ns before it was read
    stamps: Dict[str, Optional[Stamp]]       # file -> stamp before it was read (None: not there)
    present: Set[str]                        # repository markers found above the paths

    def add_above(self, root: str) -> None:
        """What is looked up in the folders above `root` (a walked folder or a file named)."""
        folder = os.path.dirname(root)
        while True:
            for name in LOOKED_UP_ABOVE:
                candidate = os.path.join(folder, name)
                if candidate not in self.stamps:
                    self.stamps[candidate] = stamp_of(candidate)
            marker = os.path.join(folder, REPOSITORY_MARKER)
            if os.path.lexists(marker):
                self.present.add(marker)
            else:
                self.stamps[marker] = None
            parent = os.path.dirname(folder)
            if parent == folder:
                return
            folder = parent


def _refreshed(record: _Record) -> Optional[Tuple[Dict[str, Tuple[Stamp, bytes]], bool]]:
    """None when something the recorded run depends on changed, but for the bytes of linted files;
    else the files' stamps, renewed for the files whose stamp changed but whose bytes did not, and
    whether some linted file's bytes changed."""
    for folder, mtime in record.folders.items():
        try:
            if os.stat(folder).st_mtime_ns != mtime:
                return None
        except OSError:
            return None
    if any(os.path.lexists(path) for path in record.absent):
        return None
    if not all(os.path.lexists(path) for path in record.present):
        return None
    files = record.files
    linted: Optional[Set[str]] = None
    linted_changed = False
    for path, (stamp, digest) in record.files.items():
        now = stamp_of(path)
        if now == stamp:
            continue
        if now is None:
            return None
        if _digest(path) != digest or stamp_of(path) != now:
            linted = {os.path.abspath(file) for file in record.linted} if linted is None else linted
            if path not in linted:
                return None
            linted_changed = True
            continue
        files = dict(files) if files is record.files else files
        files[path] = (now, digest)
    return files, linted_changed


def _prune(folder: Path) -> None:
    """Keep the `KEPT` most recently written records."""
    def written(path: Path) -> int:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return 0

    for stale in sorted(folder.glob("*.pickle"), key=written, reverse=True)[KEPT:]:
        try:
            stale.unlink()
        except OSError:
            pass
