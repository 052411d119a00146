#!/usr/bin/env python3
"""Speed and memory of dslint on a real-world corpus, next to grep, ruff and Fixit.

    python bench/benchmark.py [--quick] [--reps N] [--scaling-reps N] [--cache-dir DIR]
                              [--skip-scaling] [--corpus DIR] [--shared-bench DIR]

Standard library only; POSIX only (it reads per-process rusage with os.wait4).

Setup, kept in the cache folder (default ~/.cache/dslint-bench) and reused by later runs:
- corpus/: the .py files of pinned PyPI wheels, built by <shared-bench>/make_corpus.sh
  (<shared-bench> defaults to ../shared/bench beside the repository). `--corpus DIR` uses an
  existing corpus instead.
- peers-venv/: a virtualenv holding ruff and fixit==2.2.1 (never dslint's own dependencies).
dslint itself is `python -m dslint` of the interpreter running this script.

Measured in one interleaved run (each repetition runs every command once, in turn, so that
drifting machine load spreads over all of them; default 5 repetitions), each command as a
subprocess: wall time, CPU time (user+sys) and peak RSS of the process and every descendant it
waited for (dslint's worker processes included; RSS reads ~7 MB at least, the size of the small
launcher that forks each command):
- dslint cold with --jobs 1 and with the default jobs (--no-cache), warm (a primed --cache-dir,
  nothing changed), warm after one file was touched (same bytes, new mtime) and after one file
  was edited (a comment added or taken back), one file without SDK calls, one with;
- floors: `grep -rlE 'openai|deepseek'` over the corpus and `python -c pass`;
- peers: `ruff check --select ALL` and `--select E9` (--isolated --no-cache), and Fixit 2.2.1 with
  a single trivial rule, run once (it takes minutes).
Then it prints the ratios dslint-cold/ruff-ALL, fixit/dslint-cold and dslint-warm/grep, dslint's
findings per rule (--statistics), and the scaling of cold dslint over 1x, 2x and 4x the corpus
(hard-linked copies). Results also go to <cache>/results-<timestamp>.json.

--quick runs every command once and skips Fixit; --skip-scaling skips the scaling runs.
A command that exits with an unexpected status is reported as FAILED with its stderr, not timed.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent
DSLINT = [sys.executable, "-m", "dslint"]
FIXIT_VERSION = "2.2.1"
# Files of the pinned corpus, so that single-file timings compare across runs; a corpus given
# with --corpus that lacks them gets the first file (sorted) that matches instead.
SDK_FILE = "mem0ai/mem0/llms/openai.py"  # calls client.chat.completions.create
PLAIN_FILE = "django/django/core/paginator.py"  # never mentions an LLM SDK
SDK_WORDS = (b"openai", b"deepseek", b"anthropic")
WARM = "dslint warm"
WARM_EDITED = "dslint warm, 1 file edited"


# Runs argv[2:] as its child, then writes "wall-s cpu-s max-rss exit-status" to the file argv[1].
# os.wait4 gives the child's rusage together with that of every descendant it waited for, so CPU
# and peak RSS include dslint's worker processes. A separate small process because a child's
# peak RSS starts at the size of the process that forked it (the kernel keeps the high-water
# mark across exec): forked from this script nothing would read below ~30 MB, from the launcher
# the floor is ~7 MB. Timing inside the launcher leaves its own start-up out.
LAUNCHER = """
import os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    except OSError as exc:
        os.write(2, f"cannot start {argv[0]}: {exc}\\n".encode())
    os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
with open(report, "w") as file:
    file.write(f"{wall} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss} {code}")
"""


@dataclass
class Command:
    name: str
    argv: List[str]
    cwd: Path
    ok_statuses: Tuple[int, ...] = (0,)
    must_print: str = ""  # stdout must contain it: proves the tool did the work it is timed for
    before: Optional[Callable[[], None]] = None  # untimed preparation before every run
    max_reps: Optional[int] = None


@dataclass
class Result:
    command: Command
    walls: List[float] = field(default_factory=list)
    cpus: List[float] = field(default_factory=list)
    rss_mb: List[float] = field(default_factory=list)
    error: str = ""

    def wall(self) -> Optional[float]:
        return statistics.median(self.walls) if self.walls and not self.error else None

    def as_json(self) -> dict:
        return {"name": self.command.name, "argv": self.command.argv, "cwd": str(self.command.cwd),
                "wall_s": self.walls, "cpu_s": self.cpus, "peak_rss_mb": self.rss_mb, "error": self.error}


def run_once(command: Command) -> Tuple[float, float, float, str]:
    """Run `command`; returns wall s, CPU s, peak RSS MB, and an error message ('' if it worked).

    Output goes to files, not /dev/null: GNU grep stops at the first match when it writes to
    /dev/null.
    """
    if command.before:
        command.before()
    with tempfile.TemporaryDirectory(prefix="dslint-bench-") as folder:
        report, out, err = (Path(folder, name) for name in ("report", "stdout", "stderr"))
        with out.open("wb") as stdout, err.open("wb") as stderr:
            launcher = subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCHER, str(report), *command.argv],
                                      cwd=command.cwd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr)
        output = out.read_text(errors="replace")
        errors = err.read_text(errors="replace")
        if launcher.returncode != 0 or not report.exists():
            return 0.0, 0.0, 0.0, f"the launcher failed with status {launcher.returncode}: {errors.strip()}"
        wall, cpu, max_rss, status = report.read_text().split()
    error = ""
    if int(status) not in command.ok_statuses:
        error = f"exit status {status}"
    elif command.must_print not in output:
        error = f"exit status {status} but {command.must_print!r} is not in its output"
    if error:
        tail = "\n".join(f"    {line}" for line in errors.strip().splitlines()[-8:])
        error += f"\n{tail}" if tail else ""
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    return float(wall), float(cpu), int(max_rss) / (2**20 if sys.platform == "darwin" else 2**10), error


def measure(commands: Sequence[Command], reps: int) -> List[Result]:
    """Round-robin: repetition r runs every command once before repetition r+1 starts.
    A command that failed once is not run again: its time would mean nothing."""
    results = [Result(command) for command in commands]
    for rep in range(reps):
        for result in results:
            limit = result.command.max_reps or reps
            if result.error or rep >= limit:
                continue
            print(f"  [{rep + 1}/{reps}] {result.command.name}", file=sys.stderr, flush=True)
            wall, cpu, rss, result.error = run_once(result.command)
            if not result.error:
                result.walls.append(wall)
                result.cpus.append(cpu)
                result.rss_mb.append(rss)
    return results


def build_corpus(cache: Path, shared_bench: Path) -> Path:
    """Build <cache>/corpus unless a stamp says it was built from the same package list."""
    corpus, stamp = cache / "corpus", cache / "corpus.stamp"
    wanted = hashlib.sha256((shared_bench / "corpus.txt").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text().strip() == wanted and corpus.is_dir():
        return corpus
    print(f"building the corpus in {corpus} ...", file=sys.stderr)
    subprocess.run([str(shared_bench / "make_corpus.sh"), str(corpus)], check=True)
    stamp.write_text(wanted + "\n")
    return corpus


def peers_venv(cache: Path) -> Path:
    """<cache>/peers-venv/bin holding ruff and Fixit, created on first use."""
    venv = cache / "peers-venv"
    bin_dir = venv / "bin"
    if not ((bin_dir / "ruff").exists() and (bin_dir / "fixit").exists()):
        print(f"installing ruff and fixit=={FIXIT_VERSION} into {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "ruff", f"fixit=={FIXIT_VERSION}"], check=True)
    return bin_dir


def link_tree(source: Path, target: Path) -> None:
    """A copy of `source` made of hard links (copies where linking fails, e.g. across file
    systems). Not symlinks: a linter that resolves them would lint each file once, not once per copy."""
    def link_or_copy(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link_or_copy)


def fixit_workspace(corpus: Path, shared_bench: Path, scratch: Path) -> Path:
    """A folder holding fixit.toml, fixit_rules/ and corpus/ (hard links to the corpus).

    Fixit finds fixit.toml by walking up from each file's real path (a symlinked corpus is
    linted with no rule at all), and resolves the local rule `.fixit_rules.create_call`
    against the folder of that toml: the package must be named `fixit_rules` (no dot) and sit
    beside the toml. A rule that fails to load is only a warning and Fixit then reports every
    file clean, so the timed run must print a CreateCall finding to count.
    """
    workspace = scratch / "fixit"
    workspace.mkdir()
    peers = shared_bench / "peers"
    shutil.copyfile(peers / "fixit.toml", workspace / "fixit.toml")
    # copyfile, not copytree: the shared originals are read-only, the copies must be deletable.
    (workspace / "fixit_rules").mkdir()
    for rule_file in (peers / "fixit_rules").glob("*.py"):
        shutil.copyfile(rule_file, workspace / "fixit_rules" / rule_file.name)
    link_tree(corpus, workspace / "corpus")
    return workspace


def find_file(corpus: Path, preferred: str, wanted: Callable[[bytes], bool]) -> Path:
    if (corpus / preferred).is_file():
        return corpus / preferred
    for folder, folders, names in os.walk(corpus):
        folders.sort()
        for name in sorted(names):
            path = Path(folder, name)
            if name.endswith(".py") and wanted(path.read_bytes()):
                return path
    raise SystemExit(f"error: no file in {corpus} fits the single-file benchmark ({preferred})")


def touch(path: Path) -> None:
    """Rewrite the file with its own bytes and bump its mtime: a new stat, the same bytes."""
    path.write_bytes(path.read_bytes())
    os.utime(path)


EDIT = b"\n# an edit by dslint's benchmark\n"


def edit(path: Path) -> None:
    """Change the file's bytes: add a comment at its end, or take back the one added last time."""
    data = path.read_bytes()
    path.write_bytes(data[:-len(EDIT)] if data.endswith(EDIT) else data + EDIT)


def undo_edit(path: Path) -> None:
    """The corpus must stay as it was built."""
    data = path.read_bytes()
    if data.endswith(EDIT):
        path.write_bytes(data[:-len(EDIT)])


def version(argv: List[str]) -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True)
    except OSError as exc:
        return f"unavailable ({exc})"
    return (result.stdout or result.stderr).strip().splitlines()[0] if result.returncode == 0 else "unavailable"


def sdk_file_in(corpus: Path) -> Path:
    """The file of the one-file run with SDK use, which the warm runs touch and edit."""
    return find_file(corpus, SDK_FILE, lambda data: b"chat.completions.create" in data)


def commands(corpus: Path, sdk_file: Path, bin_dir: Path, cache_dir: Path, cwd: Path,
             fixit_dir: Optional[Path]) -> List[Command]:
    plain_file = find_file(corpus, PLAIN_FILE, lambda data: not any(word in data.lower() for word in SDK_WORDS))
    lint = [*DSLINT, "--select", "ALL", "--quiet", "--exit-zero"]
    ruff = [str(bin_dir / "ruff"), "check", "--isolated", "--no-cache", "--exit-zero", "--quiet"]
    warm = [*lint, "--cache-dir", str(cache_dir), str(corpus)]
    listed = [
        Command("dslint cold, --jobs 1", [*lint, "--no-cache", "--jobs", "1", str(corpus)], cwd),
        Command("dslint cold", [*lint, "--no-cache", str(corpus)], cwd),
        # Primed before every repetition: the previous repetition's edit must not count as a change.
        Command(WARM, warm, cwd, before=lambda: subprocess.run(warm, cwd=cwd, capture_output=True)),
        Command("dslint warm, 1 file touched", warm, cwd,
                before=lambda: touch(sdk_file)),
        Command(WARM_EDITED, warm, cwd,
                before=lambda: edit(sdk_file)),
        Command("dslint 1 file, no SDK", [*lint, "--no-cache", str(plain_file)], cwd),
        Command("dslint 1 file, SDK", [*lint, "--no-cache", str(sdk_file)], cwd),
        Command("grep -rlE 'openai|deepseek'", ["grep", "-rlE", "openai|deepseek", str(corpus)], cwd),
        Command("python -c pass", [sys.executable, "-c", "pass"], cwd),
        Command("ruff --select ALL", [*ruff, "--select", "ALL", str(corpus)], cwd),
        Command("ruff --select E9", [*ruff, "--select", "E9", str(corpus)], cwd),
    ]
    if fixit_dir:
        # Fixit exits 1 with findings, 2 with files it could not lint, 3 with both.
        listed.append(Command(f"fixit {FIXIT_VERSION}, 1 rule", [str(bin_dir / "fixit"), "lint", "corpus"],
                              fixit_dir, ok_statuses=(0, 1, 2, 3), must_print="CreateCall", max_reps=1))
    return listed


def seconds(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.3f}" if value < 10 else f"{value:.1f}"


def print_table(results: Sequence[Result]) -> None:
    width = max(len(result.command.name) for result in results)
    print(f"{'command'.ljust(width)}  {'wall s median [min-max]':<28} {'CPU s':>8} {'peak RSS MB':>12}")
    for result in results:
        name = result.command.name.ljust(width)
        if result.error:
            print(f"{name}  FAILED: {result.error}")
            continue
        wall = f"{seconds(result.wall())} [{seconds(min(result.walls))}-{seconds(max(result.walls))}]"
        print(f"{name}  {wall:<28} {seconds(statistics.median(result.cpus)):>8} {max(result.rss_mb):>12.0f}")


def ratios(results: Sequence[Result]) -> Dict[str, Optional[float]]:
    wall = {result.command.name: result.wall() for result in results}
    fixit = next((name for name in wall if name.startswith("fixit")), "")

    def ratio(top: str, bottom: str) -> Optional[float]:
        return wall[top] / wall[bottom] if wall.get(top) and wall.get(bottom) else None

    return {"dslint cold / ruff ALL": ratio("dslint cold", "ruff --select ALL"),
            "fixit / dslint cold": ratio(fixit, "dslint cold"),
            "dslint warm / grep": ratio(WARM, "grep -rlE 'openai|deepseek'")}


def rule_statistics(corpus: Path, cwd: Path) -> str:
    result = subprocess.run([*DSLINT, "--no-cache", "--select", "ALL", "--statistics", "--exit-zero", str(corpus)],
                            cwd=cwd, capture_output=True, text=True, errors="replace")
    if result.returncode != 0:
        return f"FAILED: exit status {result.returncode}\n{result.stderr.strip()}"
    return result.stdout.rstrip()


def scaling(corpus: Path, scratch: Path, cwd: Path, reps: int) -> List[dict]:
    """Cold dslint (default jobs) on 1x, 2x and 4x the corpus; the copies are whole corpora side by
    side in copyN/ folders, so every file is linted once per copy."""
    targets = {1: corpus}
    for factor in (2, 4):
        targets[factor] = scratch / f"corpus-x{factor}"
        for copy in range(1, factor + 1):
            link_tree(corpus, targets[factor] / f"copy{copy}")
    results = measure([Command(f"dslint cold, {factor}x corpus", [*DSLINT, "--no-cache", "--select", "ALL",
                                                                   "--quiet", "--exit-zero", str(target)], cwd)
                       for factor, target in targets.items()], reps)
    rows = []
    for factor, result in zip(targets, results):
        wall = result.wall()
        rows.append({"factor": factor, "wall_s": wall, "wall_s_per_1x": wall / factor if wall else None,
                     "result": result.as_json()})
        shown = f"FAILED: {result.error}" if result.error else f"{seconds(wall)} s, {seconds(wall / factor)} s per 1x"
        print(f"  {factor}x  {shown}")
    return rows


def count_files(corpus: Path) -> int:
    return sum(name.endswith(".py") for _, _, names in os.walk(corpus) for name in names)


def compile_dslint() -> None:
    """Byte-compile the dslint being measured, as installing it does. Run from a source folder
    with PYTHONDONTWRITEBYTECODE set (or a read-only tree), every run would compile its modules
    again: a third of a 0.12 s one-file run."""
    spec = importlib.util.find_spec("dslint")
    if spec is not None and spec.origin:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(spec.origin).parent)], check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repetition of everything; no Fixit")
    parser.add_argument("--reps", type=int, default=5, help="repetitions (default 5)")
    parser.add_argument("--scaling-reps", type=int, default=3, help="repetitions of the scaling runs (default 3)")
    parser.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache" / "dslint-bench",
                        help="where the corpus, the peers' venv and the results are kept")
    parser.add_argument("--skip-scaling", action="store_true", help="skip the 1x/2x/4x corpus runs")
    parser.add_argument("--corpus", type=Path, help="use this existing corpus instead of building one")
    parser.add_argument("--shared-bench", type=Path, default=REPO.parent / "shared" / "bench",
                        help="folder of make_corpus.sh and peers/ (default: ../shared/bench beside the repo)")
    options = parser.parse_args()
    reps = 1 if options.quick else options.reps
    scaling_reps = 1 if options.quick else options.scaling_reps
    cache = options.cache_dir.expanduser().resolve()
    shared_bench = options.shared_bench.resolve()
    cache.mkdir(parents=True, exist_ok=True)

    corpus = options.corpus.resolve() if options.corpus else build_corpus(cache, shared_bench)
    if not corpus.is_dir():
        print(f"error: {corpus} is not a folder", file=sys.stderr)
        return 2
    bin_dir = peers_venv(cache)
    compile_dslint()
    report = {
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "corpus": str(corpus), "corpus_files": count_files(corpus),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "versions": {"dslint": version([*DSLINT, "--version"]), "ruff": version([str(bin_dir / "ruff"), "--version"]),
                     "fixit": version([str(bin_dir / "fixit"), "--version"])},
        "reps": reps,
    }
    print(f"corpus: {corpus} ({report['corpus_files']} .py files); "
          + ", ".join(report["versions"].values()))

    # Scratch (dslint's cache, hard-linked copies) lives in the cache folder: hard links need the
    # corpus's file system, which is the cache's for a built corpus.
    with tempfile.TemporaryDirectory(prefix="scratch-", dir=cache) as scratch_name:
        scratch = Path(scratch_name)
        fixit_dir = None if options.quick else fixit_workspace(corpus, shared_bench, scratch)
        sdk_file = sdk_file_in(corpus)
        listed = commands(corpus, sdk_file, bin_dir, scratch / "dslint-cache", cache, fixit_dir)
        # Primes the warm runs' cache (and the page cache for everyone); a failure shows in the
        # warm runs themselves.
        run_once(next(command for command in listed if command.name == WARM))
        try:
            results = measure(listed, reps)
        finally:
            undo_edit(sdk_file)
        print()
        print_table(results)
        report["commands"] = [result.as_json() for result in results]
        report["ratios"] = ratios(results)
        print("\nratios of median wall times:")
        for name, value in report["ratios"].items():
            print(f"  {name}: {'-' if value is None else f'{value:.2f}'}")
        report["statistics"] = rule_statistics(corpus, cache)
        print(f"\ndslint findings per rule (--select ALL --statistics):\n{report['statistics']}")
        if not options.skip_scaling:
            print(f"\nscaling, cold dslint with the default jobs (median of {scaling_reps}):")
            report["scaling"] = scaling(corpus, scratch, cache, scaling_reps)

    output = cache / f"results-{time.strftime('%Y%m%d-%H%M%S')}.json"
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nresults: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
