#!/usr/bin/env python3
"""Reliability run over a real-world corpus: no crash, no internal error, no broken fix.

    python bench/reliability.py [CORPUS]       (default: /tmp/corpus)

The corpus is the .py files of pinned PyPI wheels; build it with

    ../shared/bench/make_corpus.sh /tmp/corpus

(from the repository root; the script and its package list live in the shared bench folder).

What it does, with the `dslint` installed beside this interpreter (or `python -m dslint`):
1. `dslint --select ALL --format json --exit-zero CORPUS`: findings per rule, DS001 (files that
   do not parse), internal errors (stderr `error: ...` lines, tracebacks, a crash by signal).
2. If this dslint has `--fix`: copies the corpus to a temporary folder and runs
   `dslint --select ALL --fix --unsafe-fixes --exit-zero` on the copy twice, then counts the files
   the first run changed, the changed files that parsed before and no longer do (CPython's
   parser), and the files the second run changed (a fix that does not settle).
Prints a table; exits 1 when internal errors, broken files or unsettled files are not all 0.
"""

from __future__ import annotations

import argparse
import ast
import collections
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

DEFAULT_CORPUS = "/tmp/corpus"
SUFFIXES = (".py", ".pyi", ".ipynb")


def dslint_command() -> List[str]:
    script = Path(sys.executable).parent / "dslint"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dslint"]


def run(arguments: List[str], cwd: Path) -> Tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    result = subprocess.run([*dslint_command(), *arguments], cwd=cwd, capture_output=True, text=True,
                            errors="replace")
    return result, time.perf_counter() - started


def problems(result: subprocess.CompletedProcess) -> List[str]:
    """Internal errors of a run: `error:` lines, tracebacks, Rust panics, death by a signal.
    (`warning:` lines, such as a file that cannot be read, are not internal errors.)"""
    found = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    if "Traceback (most recent call last)" in result.stderr + result.stdout:
        found.append("a traceback reached the output")
    if "panicked at" in result.stderr:
        found.append("a Rust panic (LibCST) reached the output")
    if result.returncode < 0 or result.returncode > 2:
        found.append(f"dslint died with status {result.returncode}")
    elif result.returncode == 2 and not found:
        found.append("exit status 2 with no error line")
    return found


def files_of(folder: Path) -> Dict[str, bytes]:
    """Every file dslint could lint under `folder` (relative path -> digest of its bytes)."""
    digests = {}
    for root, _, names in os.walk(folder):
        for name in names:
            if name.endswith(SUFFIXES):
                path = Path(root, name)
                digests[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).digest()
    return digests


def linted_files(corpus: Path) -> Optional[int]:
    """How many files dslint's own discovery picks in `corpus` (default excludes apply)."""
    try:
        from dslint.config import ConfigResolver
        from dslint.discovery import discover
    except ImportError:
        return None
    return len(discover([str(corpus)], ConfigResolver(corpus)).files)


def parses(data: bytes) -> bool:
    try:
        ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def supports_fix() -> bool:
    result = subprocess.run([*dslint_command(), "--help"], capture_output=True, text=True)
    return "--fix" in result.stdout and "--unsafe-fixes" in result.stdout


def table(rows: List[Tuple[str, str]]) -> str:
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"  {label.ljust(width)}  {value}" for label, value in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=DEFAULT_CORPUS, help=f"folder to lint (default {DEFAULT_CORPUS})")
    parser.add_argument("--no-fix", action="store_true", help="only lint; skip the --fix runs")
    options = parser.parse_args()
    corpus = Path(options.corpus).resolve()
    if not corpus.is_dir():
        print(f"error: {corpus} is not a folder; build it with ../shared/bench/make_corpus.sh {corpus}",
              file=sys.stderr)
        return 2

    failures = 0
    print(f"corpus: {corpus}")
    lint, lint_time = run(["--select", "ALL", "--format", "json", "--exit-zero", "."], corpus)
    lint_problems = problems(lint)
    try:
        findings = json.loads(lint.stdout) if lint.stdout.strip() else []
    except json.JSONDecodeError:
        findings = []
        lint_problems.append("the JSON report does not parse")
    per_rule = collections.Counter(finding["code"] for finding in findings)
    files_with_findings = len({finding["filename"] for finding in findings})
    rows = [
        ("files linted", str(linted_files(corpus) or len(files_of(corpus)))),
        ("findings", f"{len(findings)} in {files_with_findings} files"),
        *((f"  {code}", str(count)) for code, count in sorted(per_rule.items())),
        ("internal errors (must be 0)", str(len(lint_problems))),
        ("warnings", str(sum(line.startswith("warning:") for line in lint.stderr.splitlines()))),
        ("lint wall time", f"{lint_time:.1f} s"),
    ]
    failures += len(lint_problems)

    if not options.no_fix and supports_fix():
        with tempfile.TemporaryDirectory(prefix="dslint-reliability-") as scratch:
            copy = Path(scratch) / "corpus"
            shutil.copytree(corpus, copy, symlinks=True)
            before = {path: (copy / path).read_bytes() for path in files_of(copy)}
            arguments = ["--select", "ALL", "--fix", "--unsafe-fixes", "--exit-zero", "--format", "json", "."]
            first, first_time = run(arguments, copy)
            after_first = files_of(copy)
            changed = [path for path, digest in after_first.items()
                       if hashlib.sha256(before[path]).digest() != digest]
            broken = [path for path in changed if parses(before[path]) and not parses((copy / path).read_bytes())]
            second, second_time = run(arguments, copy)
            unsettled = [path for path, digest in files_of(copy).items() if after_first[path] != digest]
            fix_problems = problems(first) + problems(second)
            rows += [
                ("files changed by --fix --unsafe-fixes", str(len(changed))),
                ("changed files that no longer parse (must be 0)", str(len(broken))),
                ("files changed by a second --fix (must be 0)", str(len(unsettled))),
                ("internal errors in the fix runs (must be 0)", str(len(fix_problems))),
                ("fix wall time (first, second)", f"{first_time:.1f} s, {second_time:.1f} s"),
            ]
            failures += len(broken) + len(unsettled) + len(fix_problems)
            lint_problems += fix_problems
            for path in broken:
                print(f"broken by --fix: {path}", file=sys.stderr)
            for path in unsettled:
                print(f"changed again by a second --fix: {path}", file=sys.stderr)
    elif not options.no_fix:
        rows.append(("--fix", "not supported by this dslint: skipped"))

    print(table(rows))
    for problem in lint_problems[:50]:
        print(f"internal error: {problem}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
