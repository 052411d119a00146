"""The `dslint` command: parses options, hands the work to the engine, prints. No analysis here."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, List, Mapping, Optional, Sequence, Tuple

import click

from dslint import __version__
from dslint.config import Config, ConfigError, ConfigResolver
from dslint.discovery import discover, is_force_excluded
from dslint.docs import UnknownRuleError, rule_doc
from dslint.reporters import FORMATS, render

if TYPE_CHECKING:
    from dslint.snapshot import Stamp

CACHE_FOLDER = ".dslint_cache"

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
STDIN = "-"


class _Command(click.Command):
    """Prints click's own usage errors as `error: ...` with exit 2, like every other dslint error."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            status = super().main(
                args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra
            )
        except click.ClickException as exc:
            _error(exc.format_message())
            if isinstance(exc, click.UsageError):
                click.echo("For more information, try 'dslint --help'.", err=True)
            status = EXIT_ERROR
        except click.Abort:  # Ctrl-C
            status = 130
        if standalone_mode:
            sys.exit(status)
        return status


def _split_codes(ctx: click.Context, param: click.Parameter, values: Tuple[str, ...]) -> Optional[Tuple[str, ...]]:
    """`--select DS1,DS2 --select DS3` -> ("DS1", "DS2", "DS3"); None when the flag is absent."""
    if not values:
        return None
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


@click.command(cls=_Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option(
    "--stdin-filename",
    metavar="PATH",
    help="Name of the file read from stdin (`-`): picks its config and is shown in messages.",
)
@click.option(
    "--select",
    multiple=True,
    callback=_split_codes,
    metavar="CODES",
    help="Rules to check instead of the configured selection: comma-separated codes or prefixes (DS101, DS2, ALL).",
)
@click.option(
    "--ignore",
    multiple=True,
    callback=_split_codes,
    metavar="CODES",
    help="Rules to skip, on top of the configured ones.",
)
@click.option(
    "--extend-select",
    multiple=True,
    callback=_split_codes,
    metavar="CODES",
    help="Rules to check on top of the selection.",
)
@click.option(
    "--config",
    "config_file",
    metavar="FILE",
    help="Use this pyproject.toml or dslint.toml for every path, instead of each file's nearest one.",
)
@click.option(
    "--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."
)
@click.option("--output-file", metavar="FILE", help="Write the report to FILE instead of stdout.")
@click.option("--statistics", is_flag=True, help="Show the number of findings per rule instead of the findings.")
@click.option("--exit-zero", is_flag=True, help="Exit with status 0 even when findings remain.")
@click.option("-q", "--quiet", is_flag=True, help="Print the findings only, without the summary.")
@click.option("--explain", metavar="CODE", help="Show the documentation of a rule and exit.")
@click.option("--list-rules", is_flag=True, help="List every rule and exit.")
@click.option(
    "--force-exclude", is_flag=True, help="Apply exclude patterns to paths given explicitly too (as pre-commit needs)."
)
@click.option(
    "--add-noqa", is_flag=True, help="Add a `# noqa: CODE` comment to the line of every current finding, and exit."
)
@click.option(
    "--baseline",
    "baseline_file",
    metavar="FILE",
    help="Report only the findings that are not in this baseline (written with --write-baseline).",
)
@click.option(
    "--write-baseline", "write_baseline_file", metavar="FILE", help="Record every current finding in FILE, and exit."
)
@click.option("--fix", is_flag=True, help="Apply the safe fixes (with --unsafe-fixes, the unsafe ones too).")
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="Let --fix and --diff apply fixes that change runtime behaviour too; alone, show them as available.",
)
@click.option(
    "--diff", is_flag=True, help="Print what --fix would change as a unified diff and write nothing (exit 1 if any)."
)
@click.option(
    "--exit-non-zero-on-fix", is_flag=True, help="With --fix: exit 1 when something was fixed, even if nothing remains."
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    metavar="N",
    help="Number of processes to lint with.  [default: the number of CPUs]",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option(
    "--cache-dir",
    metavar="DIR",
    envvar="DSLINT_CACHE_DIR",
    show_envvar=True,
    help=f"Where the cache lives.  [default: {CACHE_FOLDER} in the current folder]",
)
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
@click.version_option(__version__, "--version", prog_name="dslint", message="%(prog)s %(version)s")
def main(
    paths: Tuple[str, ...],
    stdin_filename: Optional[str],
    select: Optional[Tuple[str, ...]],
    ignore: Optional[Tuple[str, ...]],
    extend_select: Optional[Tuple[str, ...]],
    config_file: Optional[str],
    output_format: str,
    output_file: Optional[str],
    statistics: bool,
    exit_zero: bool,
    quiet: bool,
    explain: Optional[str],
    list_rules: bool,
    force_exclude: bool,
    add_noqa: bool,
    baseline_file: Optional[str],
    write_baseline_file: Optional[str],
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    exit_non_zero_on_fix: bool,
    jobs: Optional[int],
    no_cache: bool,
    cache_dir: Optional[str],
    verbose: bool,
) -> int:
    """Find unhandled DeepSeek/OpenAI API status codes and unsafe retries in PATHs (default: `.`;
    `-` reads stdin)."""
    if explain is not None:
        return _explain(explain)
    if list_rules:
        click.echo(_rules_table(), nl=False)
        return EXIT_CLEAN
    if STDIN in paths and len(paths) > 1:
        raise click.UsageError("'-' (stdin) cannot be combined with other paths")
    if add_noqa and write_baseline_file is not None:
        raise click.UsageError("--add-noqa and --write-baseline are two ways to adopt dslint: choose one")
    if verbose:
        _show_engine_debug_log()
    reads_stdin = paths == (STDIN,) or (not paths and stdin_filename is not None)
    if add_noqa and reads_stdin:
        raise click.UsageError("--add-noqa changes files in place: it cannot read stdin")
    if (fix or diff) and (add_noqa or write_baseline_file is not None):
        raise click.UsageError("--fix and --diff cannot be combined with --add-noqa or --write-baseline")
    fixing = None  # the fixer's outcome, with --fix or --diff

    try:
        resolver = ConfigResolver(
            Path.cwd(),
            Path(config_file) if config_file else None,
            select=select,
            ignore=ignore,
            extend_select=extend_select,
        )
        run = _RunOptions(jobs, None if no_cache else Path(cache_dir or CACHE_FOLDER))
        if fix or diff:
            fixing, path_errors = _fix(paths, stdin_filename, resolver, force_exclude, reads_stdin, unsafe_fixes, diff,
                                       run)
            result = fixing.result
        elif reads_stdin:
            result, path_errors = _lint_stdin(stdin_filename, resolver, force_exclude), []
        else:
            result, path_errors = _lint_paths(paths or (".",), resolver, force_exclude, run)
    except ConfigError as exc:
        _error(str(exc))
        return EXIT_ERROR
    except Exception as exc:  # a bug outside any one file: say so plainly, never a bare traceback
        if verbose:
            traceback.print_exc()
        _error(
            f"internal error: {type(exc).__name__}: {exc}"
            + ("" if verbose else " (run with --verbose for the traceback)")
        )
        return EXIT_ERROR

    result = _with_paths_shown_from(os.getcwd(), result)
    errors = path_errors + result.errors
    if diff:
        return _show_diff(fixing, result, errors, exit_zero)
    if write_baseline_file is not None:
        return _write_baseline(write_baseline_file, result, errors)
    if baseline_file is not None:
        from dslint.baseline import BaselineError, filter_baselined, load_baseline

        try:
            findings, _ = filter_baselined(baseline_file, load_baseline(baseline_file), result.findings, result)
        except BaselineError as exc:
            _error(str(exc))
            return EXIT_ERROR
        result = dataclasses.replace(result, findings=findings)
    if add_noqa:
        return _add_noqa(result, errors)
    # "All checks passed!" would be false when some path could not be checked (or some file read).
    summary = not quiet and not ((errors or result.notices) and not result.findings)
    # Every error reaches the report too (SARIF's invocation says the run was incomplete); it is still
    # printed on stderr below.
    report = render(output_format, dataclasses.replace(result, errors=errors), quiet=not summary,
                    show_statistics=statistics, unsafe_fixes=unsafe_fixes)
    if fixing is not None and fixing.fixed and not quiet:
        fixed_line = f"Fixed {_plural(fixing.fixed, 'problem')} ({len(result.findings)} remaining).\n"
        if output_format in ("text", "concise") and not statistics:
            report += fixed_line
        else:
            click.echo(fixed_line, err=True, nl=False)
    try:
        if fixing is not None and reads_stdin:  # the fixed source goes to stdout, the report to stderr
            _write_fixed_stdin(fixing)
            if output_file is None:
                click.echo(report, err=True, nl=False)
            else:
                _write(report, output_file)
        else:
            _write(report, output_file)
    except OSError as exc:
        _error(f"cannot write {output_file}: {exc.strerror or exc}")
        return EXIT_ERROR

    for notice in result.notices:
        click.echo(f"warning: {notice}", err=True)
    if not reads_stdin and not result.files_checked and not errors:
        click.echo("warning: No Python files found under the given path(s)", err=True)
    # Errors come last, after every file's findings, where they cannot scroll out of sight.
    for error in errors:
        _error(error)
    if errors:
        return EXIT_ERROR
    if fixing is not None and fixing.fixed and exit_non_zero_on_fix and not exit_zero:
        return EXIT_FINDINGS
    return EXIT_FINDINGS if result.findings and not exit_zero else EXIT_CLEAN


def _write_baseline(path: str, result, errors: List[str]) -> int:
    from dslint.baseline import write_baseline

    try:
        count = write_baseline(path, result.findings, result)
    except OSError as exc:
        _error(f"cannot write {path}: {exc.strerror or exc}")
        return EXIT_ERROR
    click.echo(f"Wrote {count} finding{'' if count == 1 else 's'} to the baseline {path}.", err=True)
    return _report_problems(result, errors)


def _add_noqa(result, errors: List[str]) -> int:
    from dslint.noqa import add_noqa

    outcome = add_noqa(result.findings, result)
    for skipped in outcome.skipped:
        click.echo(f"warning: {skipped}", err=True)
    directives = f"{outcome.added} noqa directive{'' if outcome.added == 1 else 's'}"
    files = f"{outcome.files} file{'' if outcome.files == 1 else 's'}"
    click.echo(f"Added {directives} in {files}.", err=True)
    return _report_problems(result, errors + outcome.errors)


def _report_problems(result, errors: List[str]) -> int:
    """After a command that writes files instead of a report: the notices and errors, and the
    exit status (2 when something went wrong, else 0)."""
    for notice in result.notices:
        click.echo(f"warning: {notice}", err=True)
    for error in errors:
        _error(error)
    return EXIT_ERROR if errors else EXIT_CLEAN


@dataclasses.dataclass(frozen=True)
class _RunOptions:
    jobs: Optional[int]
    cache_folder: Optional[Path]  # None: no cache

    @contextlib.contextmanager
    def lint_options(self, stamps: Optional[Mapping[str, Optional[Stamp]]] = None) -> Iterator[dict]:
        """The keyword arguments of `dslint.engine.lint_paths` these options set; the cache is
        saved when the block ends. `stamps`: the files' stamps already taken (dslint.snapshot)."""
        from dslint.workers import default_jobs

        cache = None
        if self.cache_folder is not None:
            from dslint.cache import Cache

            cache = Cache(self.cache_folder, stamps)
        yield {"jobs": self.jobs or default_jobs(), "cache": cache}
        if cache is not None:
            cache.save()

    def run_records(self, paths: Sequence[str], resolver: ConfigResolver, force_exclude: bool):
        """Where a lint run over `paths` is recorded and replayed (dslint.snapshot); None without a cache."""
        if self.cache_folder is None:
            return None
        from dslint.snapshot import RunRecords, versioned_folder

        return RunRecords(versioned_folder(self.cache_folder), (tuple(paths), resolver.identity, force_exclude))


def _lint_paths(paths: Sequence[str], resolver: ConfigResolver, force_exclude: bool, run: _RunOptions):
    records = run.run_records(paths, resolver, force_exclude)
    replay = records.replay() if records is not None else None
    if replay is not None and replay.result is not None:
        return replay.result, replay.path_errors
    found = replay.found() if replay is not None else discover(paths, resolver, force_exclude)
    if records is not None:
        explicit = [resolver.explicit_file] if resolver.explicit_file is not None else []
        inputs = records.stamps_before(found.folders, [*found.files, *explicit])
    # Imported only now: the engine's modules are not needed by --version, --explain or a bad
    # config (and LibCST is imported only when some file needs the analysis).
    from dslint.engine import lint_paths

    with run.lint_options(inputs.stamps if records is not None else None) as options:
        result = lint_paths(found.files, resolver, **options)
    if records is not None:
        records.record(inputs, paths, result, found)
    return result, found.errors


def _lint_stdin(stdin_filename: Optional[str], resolver: ConfigResolver, force_exclude: bool):
    from dslint.engine import lint_text
    from dslint.findings import RunResult

    if stdin_filename and force_exclude and is_force_excluded(Path(stdin_filename), resolver):
        return RunResult(findings=[], errors=[], notices=[], files_checked=0, sources={})
    config = _stdin_config(stdin_filename, resolver)
    text, error = _stdin_text(stdin_filename or "stdin")
    if text is None:
        return RunResult(findings=[], errors=[error], notices=[], files_checked=0, sources={})
    return lint_text(text, stdin_filename or STDIN, config)


def _stdin_text(shown: str) -> Tuple[Optional[str], str]:
    """The text on stdin; None and the error line when it is not UTF-8."""
    try:
        return sys.stdin.buffer.read().decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        return None, f"cannot read {shown}: not valid UTF-8 (byte {exc.start})"


def _stdin_config(stdin_filename: Optional[str], resolver: ConfigResolver) -> Config:
    """The config of the file stdin stands for: that of `--stdin-filename`, or of the current folder."""
    return resolver.config_for(Path(stdin_filename)) if stdin_filename else resolver.config_for_dir(resolver.cwd)


def _fix(paths: Sequence[str], stdin_filename: Optional[str], resolver: ConfigResolver, force_exclude: bool,
         reads_stdin: bool, unsafe: bool, diff: bool, run: _RunOptions):
    """`--fix` / `--diff`: the fixer's outcome (what remains is `outcome.result`) and path errors."""
    from dslint.findings import RunResult
    from dslint.fixer import FileChange, FixOutcome, fix_paths, fix_text, linted_roots

    if reads_stdin:
        shown = stdin_filename or STDIN
        text, error = _stdin_text(shown)
        if text is None:
            return FixOutcome(RunResult(errors=[error])), []
        if stdin_filename and force_exclude and is_force_excluded(Path(stdin_filename), resolver):
            outcome = FixOutcome(RunResult(files_checked=0))
        else:
            outcome = fix_text(text, shown, _stdin_config(stdin_filename, resolver), unsafe)
        if not outcome.changes:  # stdout echoes the source unchanged
            outcome.changes = [FileChange(shown, text, text)]
        path_errors: List[str] = []
    else:
        found = discover(paths or (".",), resolver, force_exclude)
        with run.lint_options() as options:
            outcome = fix_paths(found.files, resolver, unsafe, linted_roots(paths or (".",)), write=not diff,
                                **options)
        path_errors = found.errors
    outcome.result.notices.extend(outcome.notices)
    outcome.result.errors.extend(outcome.errors)
    return outcome, path_errors


def _show_diff(outcome, result, errors: List[str], exit_zero: bool) -> int:
    """`--diff`: the changes as a unified diff on stdout, a count on stderr; exit 1 if any."""
    from dslint.fixer import unified_diff

    changes = [change for change in outcome.changes if change.fixed != change.original]
    cwd = os.getcwd()
    for change in changes:
        shown = os.path.relpath(change.path, cwd) if os.path.isabs(change.path) else change.path
        if shown.startswith(os.pardir):
            shown = change.path
        click.echo(unified_diff(dataclasses.replace(change, path=shown)), nl=False)
    fixes = sum(change.fixes for change in changes)
    click.echo(f"Would fix {_plural(fixes, 'problem')}." if fixes else "No fixes to apply.", err=True)
    for notice in result.notices:
        click.echo(f"warning: {notice}", err=True)
    for error in errors:
        _error(error)
    if errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if changes and not exit_zero else EXIT_CLEAN


def _write_fixed_stdin(outcome) -> None:
    """`dslint - --fix`: the source, fixed, on stdout (its line endings as they came)."""
    stream = click.get_binary_stream("stdout")
    for change in outcome.changes:
        stream.write(change.fixed.encode("utf-8"))
    stream.flush()


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _with_paths_shown_from(cwd: str, result):
    """Show paths under the working folder relative to it, as ruff does."""

    def shown(path: str) -> str:
        if not os.path.isabs(path):
            return path
        relative = os.path.relpath(path, cwd)
        return path if relative.startswith(os.pardir) else relative

    return dataclasses.replace(
        result,
        findings=[finding.with_path(shown(finding.path)) for finding in result.findings],
        sources={shown(path): source for path, source in result.sources.items()},
        notebooks={shown(path): notebook for path, notebook in result.notebooks.items()},
    )


def _write(report: str, output_file: Optional[str]) -> None:
    if output_file is None:
        click.echo(report, nl=False)
        return
    target = Path(output_file)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(report, encoding="utf-8")


def _explain(code: str) -> int:
    try:
        page = rule_doc(code.upper())
    except UnknownRuleError as exc:
        _error(f"{exc} (run `dslint --list-rules` to see every rule)")
        return EXIT_ERROR
    click.echo(page, nl=not page.endswith("\n"))
    return EXIT_CLEAN


def _rules_table() -> str:
    from dslint.rules import all_rules

    header = ("code", "name", "default", "fix")
    rows: List[Tuple[str, ...]] = [header] + [
        (rule.code, rule.name, "on" if rule.default_on else "off", rule.fix_applicability or "-")
        for rule in all_rules()
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    return "".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() + "\n" for row in rows)


def _show_engine_debug_log() -> None:
    # The engine logs the traceback of each file it fails to lint to the "dslint" logger at DEBUG.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("debug: %(message)s"))
    logger = logging.getLogger("dslint")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def _error(message: str) -> None:
    click.echo(f"error: {message}", err=True)
