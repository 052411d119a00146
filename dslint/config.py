"""Configuration: `[tool.dslint]` in pyproject.toml or top-level keys in dslint.toml.

Importing this module stays cheap (no LibCST, no rule modules): the CLI needs a config before it
knows whether anything must be parsed at all.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple, Union

from dslint.knowledge import PROVIDERS

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".dslint_cache", "__pycache__", ".ipynb_checkpoints", "node_modules", "build", "dist",
    "site-packages", ".eggs", "*.egg-info",
)  # fmt: skip

StrPath = Union[str, "os.PathLike[str]"]

PYPROJECT = "pyproject.toml"
DSLINT_TOML = "dslint.toml"

# A selector is a rule code or a prefix of one (codes are DS + three digits), or ALL.
_SELECTOR = re.compile(r"ALL|DS\d{0,3}")
_QUALIFIED_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


class ConfigError(Exception):
    """A configuration problem the user must fix; the message names the file (or flag) and key."""


@dataclass(frozen=True)
class Config:
    path: Optional[Path]  # the file it came from; None = built-in defaults
    root: Path  # folder of that file (cwd when none): exclude and per-file-ignores globs are relative to it
    select: Tuple[str, ...] = ()  # empty = every default-on rule
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    exclude: Tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: Tuple[str, ...] = ()
    provider: str = "auto"
    client_factories: Tuple[str, ...] = ()
    retry_decorators: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()

    def is_enabled(self, code: str, path: Optional[Path]) -> bool:
        """Whether findings of rule `code` are reported for the file at `path` (None: any file)."""
        if self.select:
            selected = _matches_any(code, self.select)
        else:
            selected = code in default_on_codes()
        if not (selected or _matches_any(code, self.extend_select)):
            return False
        if _matches_any(code, self.ignore):
            return False
        if path is not None and self.per_file_ignores:
            return not _matches_any(code, self._ignored_codes_for(self.relative_path(path)))
        return True

    def is_excluded(self, path: StrPath, is_dir: bool) -> bool:
        """Whether `exclude`/`extend-exclude` match `path` (gitignore syntax, relative to root)."""
        return self.exclude_matches(self.relative_path(path), is_dir)

    def exclude_matches(self, relative: str, is_dir: bool) -> bool:
        """Whether `exclude`/`extend-exclude` match a POSIX path relative to some base folder."""
        return self._exclude_spec.match_file(relative + "/" if is_dir else relative)

    def relative_path(self, path: StrPath) -> str:
        """`path` relative to root in POSIX form; only its name when it lies outside root.

        Outside root, anchored patterns cannot apply, but name patterns (`build`, `*.egg-info`,
        `test_*.py`) still should, as ruff matches them against any path component.
        """
        absolute = os.path.abspath(path)
        relative = relative_to(absolute, str(self.root))
        return os.path.basename(absolute) if relative is None else relative

    def with_overrides(
        self,
        select: Optional[Sequence[str]] = None,
        ignore: Optional[Sequence[str]] = None,
        extend_select: Optional[Sequence[str]] = None,
    ) -> "Config":
        """Apply the CLI's selection on top of this file's, the way ruff layers them.

        `--select` replaces the file's whole selection (its select, extend-select and ignore), so
        `--select DS303` shows DS303 even where the file ignores it; `--ignore` and
        `--extend-select` add to what is in force. per-file-ignores always stay.
        """
        if select is not None:
            return replace(
                self,
                select=tuple(select),
                ignore=tuple(ignore or ()),
                extend_select=tuple(extend_select or ()),
            )
        return replace(
            self,
            ignore=self.ignore + tuple(ignore or ()),
            extend_select=self.extend_select + tuple(extend_select or ()),
        )

    # pathspec is imported on first use: it costs more to import than the rest of this module.
    @functools.cached_property
    def _exclude_spec(self):
        import pathspec

        return pathspec.GitIgnoreSpec.from_lines(self.exclude + self.extend_exclude)

    @functools.cached_property
    def _per_file_ignore_specs(self):
        import pathspec

        return [(pathspec.GitIgnoreSpec.from_lines([glob]), codes) for glob, codes in self.per_file_ignores]

    def _ignored_codes_for(self, relative: str) -> List[str]:
        return [code for spec, codes in self._per_file_ignore_specs if spec.match_file(relative) for code in codes]


def relative_to(absolute: str, folder: str) -> Optional[str]:
    """`absolute` relative to `folder` in POSIX form, or None when it is not inside it. Both must
    be absolute and normalised; a string prefix test, as os.path.relpath costs far more per file."""
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    if absolute.startswith(prefix):
        return absolute[len(prefix) :].replace(os.sep, "/")
    return "." if absolute == folder else None


def _matches_any(code: str, selectors: Iterable[str]) -> bool:
    return any(selector == "ALL" or code.startswith(selector) for selector in selectors)


@functools.lru_cache(maxsize=None)
def default_on_codes() -> FrozenSet[str]:
    # Imported on first use: the rule modules pull in the analysis, which a config never needs.
    from dslint.rules import all_rules

    return frozenset(rule.code for rule in all_rules() if rule.default_on)


# --- Finding and loading files ---------------------------------------------------------------


def find_config_file(start: Path) -> Optional[Path]:
    """The nearest dslint.toml, or pyproject.toml with a [tool.dslint] table, from `start` upwards."""
    directory = Path(os.path.abspath(start))
    if not directory.is_dir():
        directory = directory.parent
    for folder in (directory, *directory.parents):
        found = _config_file_in(folder)
        if found is not None:
            return found
    return None


def _config_file_in(folder: Path) -> Optional[Path]:
    # os.path.isfile, not Path.is_file: in a folder that cannot be searched, Path.is_file raises
    # PermissionError (and stopped the whole run); its files cannot be read either way.
    dslint_toml = folder / DSLINT_TOML
    if os.path.isfile(dslint_toml):
        return dslint_toml
    pyproject = folder / PYPROJECT
    if os.path.isfile(pyproject) and _dslint_table(pyproject, _read_toml(pyproject)) is not None:
        return pyproject
    return None


def load_config(path: Optional[Path], cwd: Path) -> Config:
    """The Config in the file at `path` (defaults rooted at `cwd` when None)."""
    if path is None:
        return Config(path=None, root=Path(os.path.abspath(cwd)))
    path = Path(os.path.abspath(path))
    table = _dslint_table(path, _read_toml(path)) or {}
    where = "[tool.dslint]" if path.name == PYPROJECT else path.name
    return _parse_table(table, _OptionReader(_display(path), where), path)


def _read_toml(path: Path) -> Dict[str, Any]:
    try:
        with open(path, "rb") as file:
            return tomllib.load(file)
    except OSError as exc:
        raise ConfigError(f"{_display(path)}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{_display(path)}: invalid TOML: {exc}") from None


def _dslint_table(path: Path, document: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    if path.name != PYPROJECT:
        return document
    table = document.get("tool", {}).get("dslint") if isinstance(document.get("tool"), dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{_display(path)}: [tool.dslint] must be a table")
    return table


def _display(path: Path) -> str:
    """`path` as the user sees it: relative to the working folder when under it."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith(os.pardir) else relative


# --- Validation ------------------------------------------------------------------------------

_KEYS = (
    "select", "ignore", "extend-select", "per-file-ignores", "exclude", "extend-exclude",
    "provider", "client-factories", "retry-decorators",
)  # fmt: skip


@dataclass(frozen=True)
class _OptionReader:
    """Checks the values of one file's table; every error names the file, the table and the key."""

    file: str
    where: str

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.file}: '{key}' in {self.where}: {problem}")

    def strings(self, value: Any, key: str) -> Tuple[str, ...]:
        if not isinstance(value, list):
            raise self.error(key, f"must be a list of strings, got {_type_name(value)}")
        for item in value:
            if not isinstance(item, str):
                raise self.error(key, f"must be a list of strings, but {item!r} is {_type_name(item)}")
        return tuple(value)

    def selectors(self, value: Any, key: str) -> Tuple[str, ...]:
        values = self.strings(value, key)
        for selector in values:
            problem = _selector_problem(selector)
            if problem:
                raise self.error(key, problem)
        return values

    def qualified_names(self, value: Any, key: str) -> Tuple[str, ...]:
        names = self.strings(value, key)
        for name in names:
            self.qualified_name(name, key)
        return names

    def qualified_name(self, name: str, key: str) -> None:
        if not _QUALIFIED_NAME.fullmatch(name):
            raise self.error(key, f"'{name}' is not a qualified name like 'package.module.name'")

    def table(self, value: Any, key: str) -> Dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(key, f"must be a table, got {_type_name(value)}")
        return value


def _parse_table(table: Dict[str, Any], reader: _OptionReader, path: Path) -> Config:
    options: Dict[str, Any] = {}
    for key, value in table.items():
        attribute = key.replace("-", "_")
        if key in ("select", "ignore", "extend-select"):
            options[attribute] = reader.selectors(value, key)
        elif key in ("exclude", "extend-exclude"):
            options[attribute] = reader.strings(value, key)
        elif key == "per-file-ignores":
            options[attribute] = tuple(
                (glob, reader.selectors(codes, f"{key}.{glob}")) for glob, codes in reader.table(value, key).items()
            )
        elif key == "provider":
            if value not in PROVIDERS:
                raise reader.error(key, f"must be one of {', '.join(sorted(PROVIDERS))}, got {value!r}")
            options[attribute] = value
        elif key == "client-factories":
            options[attribute] = reader.qualified_names(value, key)
        elif key == "retry-decorators":
            entries = []
            for decorator, exceptions in reader.table(value, key).items():
                reader.qualified_name(decorator, key)
                entries.append((decorator, reader.qualified_names(exceptions, f"{key}.{decorator}")))
            options[attribute] = tuple(entries)
        else:
            close = difflib.get_close_matches(key.replace("_", "-"), _KEYS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(f"{reader.file}: unknown key '{key}' in {reader.where}{hint}")
    return Config(path=path, root=path.parent, **options)


def _selector_problem(selector: str) -> Optional[str]:
    if _SELECTOR.fullmatch(selector):
        return None
    return f"invalid rule selector '{selector}' (expected a rule code or prefix like DS101 or DS1, or ALL)"


def check_selectors(values: Sequence[str], option: str) -> None:
    """Validate rule selectors given on the command line; `option` names the flag in the error."""
    for selector in values:
        problem = _selector_problem(selector)
        if problem:
            raise ConfigError(f"{option}: {problem}")


def _type_name(value: Any) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number", list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


# --- One config per file ---------------------------------------------------------------------


class ConfigResolver:
    """Gives each file the config of its nearest config file, loading each file once.

    An explicit `config_file` (`--config`) applies to every path. The CLI's selection flags are
    layered on top of whichever config a file gets.
    """

    def __init__(
        self,
        cwd: Path,
        config_file: Optional[Path] = None,
        *,
        select: Optional[Sequence[str]] = None,
        ignore: Optional[Sequence[str]] = None,
        extend_select: Optional[Sequence[str]] = None,
    ):
        for option, values in (("--select", select), ("--ignore", ignore), ("--extend-select", extend_select)):
            check_selectors(values or (), option)
        self.cwd = Path(os.path.abspath(cwd))
        self._overrides = dict(select=select, ignore=ignore, extend_select=extend_select)
        self._configs: Dict[Optional[Path], Config] = {}
        self._file_in_folder: Dict[Path, Optional[Path]] = {}
        self._config_in_folder: Dict[StrPath, Config] = {}
        self._explicit: Optional[Config] = None
        if config_file is not None:
            if not Path(config_file).is_file():
                raise ConfigError(f"{config_file}: config file does not exist")
            self._explicit = self._load(Path(os.path.abspath(config_file)))

    @property
    def identity(self) -> Tuple[object, ...]:
        """What decides each file's config besides the config files: the working folder, `--config`
        and the selection flags."""
        explicit = str(self._explicit.path) if self._explicit is not None else None
        return str(self.cwd), explicit, tuple(sorted(self._overrides.items()))

    @property
    def explicit_file(self) -> Optional[Path]:
        return self._explicit.path if self._explicit is not None else None

    def config_for(self, file_path: Path) -> Config:
        """The config for the file at `file_path` (it need not exist: stdin has a made-up name)."""
        return self.config_for_dir(os.path.dirname(os.path.abspath(file_path)))

    def config_for_dir(self, directory: StrPath) -> Config:
        if self._explicit is not None:
            return self._explicit
        # Keyed by the folder's text: a run asks once per file, and Path objects cost more than the lookup.
        found = self._config_in_folder.get(directory)
        if found is None:
            found = self._config_in_folder[directory] = self._load(
                self._nearest_config_file(Path(os.path.abspath(directory))))
        return found

    def _nearest_config_file(self, folder: Path) -> Optional[Path]:
        if folder not in self._file_in_folder:
            found = _config_file_in(folder)
            if found is None and folder.parent != folder:
                found = self._nearest_config_file(folder.parent)
            self._file_in_folder[folder] = found
        return self._file_in_folder[folder]

    def _load(self, path: Optional[Path]) -> Config:
        if path not in self._configs:
            self._configs[path] = load_config(path, self.cwd).with_overrides(**self._overrides)
        return self._configs[path]
