"""Which files to lint: walk the given paths, honouring .gitignore files and the configured excludes."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Set, Tuple

from dslint.config import Config, ConfigResolver, relative_to

if TYPE_CHECKING:
    import pathspec

PYTHON_SUFFIXES = (".py", ".pyi", ".ipynb")  # notebooks are linted through dslint.notebooks


@dataclass
class DiscoveryResult:
    files: List[Path] = field(default_factory=list)  # sorted, each once; relative to cwd when under it
    errors: List[str] = field(default_factory=list)  # "path does not exist: foo" (the CLI adds "error: ")
    folders: Dict[str, int] = field(default_factory=dict)  # each folder walked -> its mtime_ns before it was read


def discover(paths: Sequence[str], resolver: ConfigResolver, force_exclude: bool = False) -> DiscoveryResult:
    """The Python files under `paths`. Files named explicitly are linted even where excludes or a
    .gitignore would skip them, unless `force_exclude` (what pre-commit, which names every file, needs)."""
    walker = _Walker(resolver)
    for given in paths:
        path = Path(given)
        if not os.path.exists(path):
            walker.errors.append(f"path does not exist: {given}")
        elif force_exclude and is_force_excluded(path, resolver):
            continue
        elif path.is_dir():
            walker.walk(path)
        else:
            walker.add(path)
    return DiscoveryResult(files=sorted(walker.files.values()), errors=walker.errors, folders=walker.folders)


def is_force_excluded(path: Path, resolver: ConfigResolver) -> bool:
    """Whether `exclude`/`extend-exclude` match a path given explicitly (or as --stdin-filename)."""
    return resolver.config_for(path).is_excluded(path, is_dir=os.path.isdir(path))


class _Walker:
    def __init__(self, resolver: ConfigResolver):
        self.resolver = resolver
        self.cwd = str(resolver.cwd)
        self.files: Dict[str, Path] = {}  # absolute path -> path as shown
        self.errors: List[str] = []
        self.folders: Dict[str, int] = {}
        # Real folders already walked, by (device, inode): symlinks cannot loop or walk a tree twice.
        self.walked: Set[Tuple[int, int]] = set()

    def add(self, path: Path) -> None:
        absolute = os.path.abspath(path)
        self.files.setdefault(absolute, Path(self._shown(absolute)))

    def walk(self, top: Path) -> None:
        """Walk a folder named explicitly. Like a file named explicitly, it is linted even where an
        exclude or a .gitignore above it would skip it; inside it they apply to what is below it."""
        absolute = os.path.abspath(top)
        if not self._first_visit(os.stat(absolute)):
            return
        ignore_files = _ancestor_ignore_files(absolute)
        if _is_ignored(absolute, True, ignore_files):
            ignore_files = ()
        excluded = _Exclusion(absolute)
        # Depth-first with an explicit stack: a deep tree must not exhaust recursion.
        pending = [(absolute, ignore_files)]
        while pending:
            folder, ignore_files = pending.pop()
            ignore_files = ignore_files + _ignore_files_in(folder)
            config = self.resolver.config_for_dir(folder)
            try:
                self.folders[folder] = os.stat(folder).st_mtime_ns
                with os.scandir(folder) as scan:
                    entries = sorted(scan, key=lambda entry: entry.name, reverse=True)
            except OSError as exc:
                self.errors.append(f"cannot read directory {self._shown(folder)}: {exc.strerror or exc}")
                continue
            for entry in entries:
                # Broken symlinks, sockets and the like are neither: skipped without a word.
                if _is_dir(entry):
                    if _is_ignored(entry.path, True, ignore_files) or excluded(config, entry.path, True):
                        continue
                    if self._first_visit(entry.stat()):
                        pending.append((entry.path, ignore_files))
                elif entry.name.endswith(PYTHON_SUFFIXES) and _is_file(entry):
                    if not (_is_ignored(entry.path, False, ignore_files) or excluded(config, entry.path, False)):
                        self.add(Path(entry.path))

    def _first_visit(self, stat: os.stat_result) -> bool:
        key = (stat.st_dev, stat.st_ino)
        if key in self.walked:
            return False
        self.walked.add(key)
        return True

    def _shown(self, absolute: str) -> str:
        relative = relative_to(absolute, self.cwd)
        return absolute if relative is None else relative.replace("/", os.sep)


class _Exclusion:
    """The configured excludes within one walked folder.

    Patterns are relative to their config's root, except where they exclude the walked folder
    itself (`dslint .venv/lib/pkg`): there they are matched relative to that folder, or nothing
    in it could be linted.
    """

    def __init__(self, top: str):
        self.top = top
        self._top_excluded: Dict[int, bool] = {}

    def __call__(self, config: Config, path: str, is_dir: bool) -> bool:
        key = id(config)  # the resolver hands out one Config object per config file
        if key not in self._top_excluded:
            self._top_excluded[key] = config.is_excluded(self.top, is_dir=True)
        if self._top_excluded[key]:
            return config.exclude_matches(relative_to(path, self.top), is_dir)
        return config.is_excluded(path, is_dir)


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


# --- .gitignore ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _IgnoreFile:
    """The patterns of one .gitignore, which apply to paths below its folder."""

    folder: str
    spec: "pathspec.GitIgnoreSpec"
    has_negation: bool

    def verdict(self, relative: str) -> Optional[bool]:
        """True: ignored; False: re-included by a `!pattern`; None: no pattern here matches."""
        if not self.has_negation:
            return True if self.spec.match_file(relative) else None
        # A negation here must override a shallower .gitignore, so "no match" and "re-included"
        # have to be told apart: the last pattern that matches decides, as in git.
        for pattern in reversed(self.spec.patterns):
            if pattern.include is not None and pattern.match_file(relative) is not None:
                return pattern.include
        return None


def _is_ignored(path: str, is_dir: bool, ignore_files: Tuple[_IgnoreFile, ...]) -> bool:
    for ignore_file in reversed(ignore_files):  # the deepest .gitignore has the last word
        relative = path[len(ignore_file.folder) + 1 :].replace(os.sep, "/")
        verdict = ignore_file.verdict(relative + "/" if is_dir else relative)
        if verdict is not None:
            return verdict
    return False


def _ignore_files_in(folder: str) -> Tuple[_IgnoreFile, ...]:
    return _read_ignore_file(folder, os.path.join(folder, ".gitignore"))


def _read_ignore_file(folder: str, file: str) -> Tuple[_IgnoreFile, ...]:
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:  # absent (the common case) or unreadable: nothing to honour
        return ()
    import pathspec  # on first use, as in dslint.config: it costs more to import than the walk of a small tree

    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    if not spec.patterns:
        return ()
    has_negation = any(pattern.include is False for pattern in spec.patterns)
    return (_IgnoreFile(folder, spec, has_negation),)


def _ancestor_ignore_files(folder: str) -> Tuple[_IgnoreFile, ...]:
    """The ignore files that reach `folder` from above: its repository's .git/info/exclude and each
    .gitignore from the repository root down to its parent. Outside a repository there are none: a
    stray .gitignore in a home folder must not hide a project's files."""
    repository_root = _repository_root(folder)
    if repository_root is None:
        return ()
    above = []
    current = folder
    while current != repository_root:
        current = os.path.dirname(current)
        above.append(current)
    found = _read_ignore_file(repository_root, os.path.join(repository_root, ".git", "info", "exclude"))
    for ancestor in reversed(above):
        found += _ignore_files_in(ancestor)
    return found


def _repository_root(folder: str) -> Optional[str]:
    current = folder
    while not os.path.exists(os.path.join(current, ".git")):
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
    return current
