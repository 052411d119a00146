from __future__ import annotations

from pathlib import Path

import pytest

import dslint.config
from dslint.config import DEFAULT_EXCLUDES, Config, ConfigError, ConfigResolver, find_config_file, load_config


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def default_on(monkeypatch):
    """A fixed rule set, so selection tests do not depend on which rules exist: DS303 is default-off."""
    monkeypatch.setattr(dslint.config, "default_on_codes", lambda: frozenset({"DS101", "DS102", "DS201", "DS301"}))


# --- loading ---------------------------------------------------------------------------------


def test_no_file_gives_defaults_rooted_at_cwd(tmp_path):
    config = load_config(None, tmp_path)
    assert config.path is None
    assert config.root == tmp_path
    assert config.select == () and config.ignore == () and config.provider == "auto"
    assert config.exclude == DEFAULT_EXCLUDES


def test_every_key_of_the_pyproject_table_is_read(tmp_path):
    path = write(
        tmp_path / "pyproject.toml",
        """
[project]
name = "app"

[tool.dslint]
select = ["DS1", "DS201"]
ignore = ["DS103"]
extend-select = ["DS303"]
exclude = ["vendored"]
extend-exclude = ["generated/"]
provider = "deepseek"
client-factories = ["myapp.llm.get_client"]

[tool.dslint.per-file-ignores]
"tests/*.py" = ["DS101", "DS2"]

[tool.dslint.retry-decorators]
"myapp.retry.retrying" = ["openai.RateLimitError", "openai.InternalServerError"]
""",
    )
    config = load_config(path, tmp_path)
    assert config.path == path
    assert config.root == tmp_path
    assert config.select == ("DS1", "DS201")
    assert config.ignore == ("DS103",)
    assert config.extend_select == ("DS303",)
    assert config.exclude == ("vendored",)
    assert config.extend_exclude == ("generated/",)
    assert config.provider == "deepseek"
    assert config.client_factories == ("myapp.llm.get_client",)
    assert config.per_file_ignores == (("tests/*.py", ("DS101", "DS2")),)
    assert config.retry_decorators == (
        ("myapp.retry.retrying", ("openai.RateLimitError", "openai.InternalServerError")),
    )


def test_dslint_toml_keys_are_top_level(tmp_path):
    path = write(tmp_path / "dslint.toml", 'select = ["DS2"]\nprovider = "openai"\n')
    config = load_config(path, tmp_path)
    assert config.select == ("DS2",)
    assert config.provider == "openai"


def test_explicit_pyproject_without_a_table_gives_defaults(tmp_path):
    path = write(tmp_path / "pyproject.toml", '[project]\nname = "app"\n')
    config = load_config(path, tmp_path)
    assert config.path == path and config.select == ()


# --- errors name the file and the key --------------------------------------------------------


@pytest.mark.parametrize(
    "table, expected",
    [
        ('selct = ["DS1"]', "unknown key 'selct' in [tool.dslint] (did you mean 'select'?)"),
        ('extend_select = ["DS1"]', "unknown key 'extend_select' in [tool.dslint] (did you mean 'extend-select'?)"),
        ("foo = 1", "unknown key 'foo' in [tool.dslint]"),
        ('select = "DS1"', "'select' in [tool.dslint]: must be a list of strings, got a string"),
        ("ignore = [1]", "'ignore' in [tool.dslint]: must be a list of strings, but 1 is an integer"),
        ('select = ["E501"]', "'select' in [tool.dslint]: invalid rule selector 'E501'"),
        ('select = ["DS1011"]', "invalid rule selector 'DS1011'"),
        ('select = ["ds101"]', "invalid rule selector 'ds101'"),
        (
            'provider = "anthropic"',
            "'provider' in [tool.dslint]: must be one of auto, deepseek, openai, got 'anthropic'",
        ),
        ("provider = 3", "'provider' in [tool.dslint]: must be one of auto, deepseek, openai, got 3"),
        ('per-file-ignores = ["x"]', "'per-file-ignores' in [tool.dslint]: must be a table, got a list"),
        (
            'per-file-ignores = {"tests/*" = "DS1"}',
            "'per-file-ignores.tests/*' in [tool.dslint]: must be a list of strings",
        ),
        (
            'client-factories = ["not a name"]',
            "'client-factories' in [tool.dslint]: 'not a name' is not a qualified name",
        ),
        (
            'retry-decorators = {"my.retry" = "x"}',
            "'retry-decorators.my.retry' in [tool.dslint]: must be a list of strings",
        ),
        (
            'retry-decorators = {"my retry" = []}',
            "'retry-decorators' in [tool.dslint]: 'my retry' is not a qualified name",
        ),
        ('exclude = "build"', "'exclude' in [tool.dslint]: must be a list of strings, got a string"),
    ],
)
def test_bad_values_are_errors_naming_file_and_key(tmp_path, monkeypatch, table, expected):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / "pyproject.toml", "[tool.dslint]\n" + table + "\n")
    with pytest.raises(ConfigError) as error:
        load_config(path, tmp_path)
    assert str(error.value).startswith("pyproject.toml: ")
    assert expected in str(error.value)


def test_invalid_toml_is_an_error_naming_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / "sub" / "dslint.toml", "select = [\n")
    with pytest.raises(ConfigError, match=r"^sub/dslint.toml: invalid TOML"):
        load_config(path, tmp_path)


def test_dslint_toml_errors_name_the_file_not_a_table(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / "dslint.toml", "bogus = 1\n")
    with pytest.raises(ConfigError, match=r"^dslint.toml: unknown key 'bogus' in dslint.toml$"):
        load_config(path, tmp_path)


# --- finding the file ------------------------------------------------------------------------


def test_find_config_file_walks_up_to_the_nearest(tmp_path):
    outer = write(tmp_path / "pyproject.toml", "[tool.dslint]\n")
    inner = write(tmp_path / "a" / "pyproject.toml", "[tool.dslint]\n")
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    assert find_config_file(tmp_path / "a" / "b" / "c") == inner
    assert find_config_file(tmp_path / "a" / "b" / "c" / "file.py") == inner
    assert find_config_file(tmp_path) == outer


def test_find_config_file_skips_pyproject_without_dslint_table(tmp_path):
    outer = write(tmp_path / "pyproject.toml", "[tool.dslint]\n")
    write(tmp_path / "a" / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    assert find_config_file(tmp_path / "a") == outer


def test_dslint_toml_wins_over_pyproject_in_the_same_folder(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.dslint]\n")
    dslint_toml = write(tmp_path / "dslint.toml", "")
    assert find_config_file(tmp_path) == dslint_toml


# --- selection -------------------------------------------------------------------------------


def config(tmp_path: Path, **options) -> Config:
    return Config(path=None, root=tmp_path, **options)


def test_default_selection_is_the_default_on_rules(tmp_path, default_on):
    plain = config(tmp_path)
    assert plain.is_enabled("DS101", None)
    assert not plain.is_enabled("DS303", None)


def test_select_matches_by_prefix_and_enables_default_off_rules(tmp_path, default_on):
    selected = config(tmp_path, select=("DS3",))
    assert selected.is_enabled("DS301", None)
    assert selected.is_enabled("DS303", None)
    assert not selected.is_enabled("DS101", None)


def test_all_selects_everything(tmp_path, default_on):
    assert config(tmp_path, select=("ALL",)).is_enabled("DS303", None)


def test_extend_select_adds_to_the_default_selection(tmp_path, default_on):
    extended = config(tmp_path, extend_select=("DS303",))
    assert extended.is_enabled("DS303", None)
    assert extended.is_enabled("DS101", None)


def test_ignore_wins_over_select(tmp_path, default_on):
    narrowed = config(tmp_path, select=("DS1",), ignore=("DS102",))
    assert narrowed.is_enabled("DS101", None)
    assert not narrowed.is_enabled("DS102", None)
    assert not config(tmp_path, ignore=("ALL",)).is_enabled("DS101", None)


def test_per_file_ignores_apply_to_matching_paths_only(tmp_path, default_on):
    scoped = config(tmp_path, per_file_ignores=(("tests/*.py", ("DS1",)), ("conftest.py", ("DS201",))))
    assert not scoped.is_enabled("DS101", tmp_path / "tests" / "test_app.py")
    assert scoped.is_enabled("DS201", tmp_path / "tests" / "test_app.py")
    assert scoped.is_enabled("DS101", tmp_path / "app.py")
    assert not scoped.is_enabled("DS201", tmp_path / "deep" / "er" / "conftest.py")
    assert scoped.is_enabled("DS101", None)


def test_per_file_ignores_take_relative_paths_from_the_working_folder(tmp_path, monkeypatch, default_on):
    monkeypatch.chdir(tmp_path)
    scoped = config(tmp_path, per_file_ignores=(("tests/*.py", ("DS101",)),))
    assert not scoped.is_enabled("DS101", Path("tests/test_app.py"))


def test_name_patterns_match_paths_outside_the_root(tmp_path, default_on):
    scoped = config(tmp_path / "project", per_file_ignores=(("conftest.py", ("DS101",)), ("tests/*.py", ("DS102",))))
    outside = tmp_path / "elsewhere" / "tests" / "conftest.py"
    assert not scoped.is_enabled("DS101", outside)
    assert scoped.is_enabled("DS102", tmp_path / "elsewhere" / "tests" / "x.py")


def test_cli_select_replaces_the_whole_file_selection(tmp_path, default_on):
    from_file = config(tmp_path, select=("DS1",), ignore=("DS301",), extend_select=("DS201",))
    overridden = from_file.with_overrides(select=["DS3"])
    assert overridden.select == ("DS3",)
    assert overridden.is_enabled("DS301", None)
    assert not overridden.is_enabled("DS201", None)
    assert not overridden.is_enabled("DS101", None)


def test_cli_ignore_and_extend_select_add_to_the_file(tmp_path, default_on):
    from_file = config(tmp_path, ignore=("DS102",), extend_select=("DS303",))
    overridden = from_file.with_overrides(ignore=["DS101"], extend_select=["DS304"])
    assert overridden.ignore == ("DS102", "DS101")
    assert overridden.extend_select == ("DS303", "DS304")
    assert from_file.with_overrides() == from_file


# --- excludes --------------------------------------------------------------------------------


def test_default_excludes_match_any_path_component(tmp_path):
    plain = config(tmp_path)
    assert plain.is_excluded(tmp_path / "a" / ".venv", is_dir=True)
    assert plain.is_excluded(tmp_path / "pkg.egg-info", is_dir=True)
    assert plain.is_excluded(tmp_path / "build" / "lib" / "x.py", is_dir=False)
    assert not plain.is_excluded(tmp_path / "src" / "app.py", is_dir=False)


def test_anchored_excludes_are_relative_to_the_root(tmp_path):
    anchored = config(tmp_path, extend_exclude=("src/generated",))
    assert anchored.is_excluded(tmp_path / "src" / "generated", is_dir=True)
    assert not anchored.is_excluded(tmp_path / "lib" / "src" / "generated", is_dir=True)
    assert anchored.is_excluded(tmp_path / "node_modules", is_dir=True)  # the defaults stay


# --- one config per file ---------------------------------------------------------------------


def test_resolver_uses_the_nearest_config_and_loads_it_once(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.dslint]\nprovider = "openai"\n')
    write(tmp_path / "sub" / "dslint.toml", 'provider = "deepseek"\n')
    resolver = ConfigResolver(tmp_path)
    assert resolver.config_for(tmp_path / "app.py").provider == "openai"
    assert resolver.config_for(tmp_path / "sub" / "deep" / "x.py").provider == "deepseek"
    assert resolver.config_for(tmp_path / "sub" / "a.py") is resolver.config_for(tmp_path / "sub" / "b.py")


def test_resolver_without_any_file_uses_defaults_rooted_at_cwd(tmp_path):
    (tmp_path / "project").mkdir()
    resolver = ConfigResolver(tmp_path)
    defaults = resolver.config_for(tmp_path / "project" / "x.py")
    assert defaults.path is None
    assert defaults.root == tmp_path


def test_explicit_config_applies_to_every_path(tmp_path):
    explicit = write(tmp_path / "ci" / "strict.toml", 'provider = "deepseek"\n')
    write(tmp_path / "pyproject.toml", '[tool.dslint]\nprovider = "openai"\n')
    resolver = ConfigResolver(tmp_path, explicit)
    assert resolver.config_for(tmp_path / "app.py").provider == "deepseek"
    assert resolver.config_for(tmp_path / "ci" / "app.py").root == tmp_path / "ci"


def test_missing_explicit_config_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        ConfigResolver(tmp_path, tmp_path / "nope.toml")


def test_resolver_layers_cli_selection_on_every_config(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.dslint]\nignore = ["DS103"]\n')
    write(tmp_path / "sub" / "dslint.toml", 'ignore = ["DS102"]\n')
    resolver = ConfigResolver(tmp_path, ignore=["DS101"])
    assert resolver.config_for(tmp_path / "a.py").ignore == ("DS103", "DS101")
    assert resolver.config_for(tmp_path / "sub" / "a.py").ignore == ("DS102", "DS101")


def test_resolver_rejects_bad_cli_selectors_naming_the_flag(tmp_path):
    with pytest.raises(ConfigError, match=r"^--extend-select: invalid rule selector 'FOO'"):
        ConfigResolver(tmp_path, extend_select=["FOO"])


def test_a_broken_config_met_while_resolving_is_an_error(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.dslint]\nnope = 1\n")
    resolver = ConfigResolver(tmp_path)
    with pytest.raises(ConfigError, match="unknown key 'nope'"):
        resolver.config_for(tmp_path / "x.py")
