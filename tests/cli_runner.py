"""The CLI runner the tests that invoke `dslint.cli.main` in-process share."""

from click.testing import CliRunner


def cli_runner() -> CliRunner:
    """A runner that keeps stderr apart (click < 8.2 mixes it into stdout unless told not to)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()
