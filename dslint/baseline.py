"""Baselines: record today's findings (`--write-baseline FILE`), then report only new ones
(`--baseline FILE`), so an old codebase can adopt dslint without fixing everything first.

An entry matches a finding on its rule, its path (relative to the baseline file's folder, so the
baseline works from any working folder) and the normalised text of its anchor line plus an
occurrence index (see dslint.fingerprints): it survives lines inserted or removed elsewhere in the
file and edits to other lines, but not an edit of the anchor line itself.

The file is JSON, sorted, one entry per finding, meant to be committed:

    {"dslint-baseline": 1, "findings": [{"code": "DS101", "path": "app.py", "line": "...", "occurrence": 0}]}
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import FrozenSet, List, Sequence, Tuple

from dslint.fileio import write_atomic
from dslint.findings import Finding
from dslint.fingerprints import Key, keys

VERSION = 1
_MARKER = "dslint-baseline"


class BaselineError(Exception):
    """A baseline file that cannot be read; the message names the file."""


def load_baseline(path: str) -> FrozenSet[Key]:
    try:
        with open(path, encoding="utf-8") as file:
            document = json.load(file)
    except OSError as error:
        raise BaselineError(f"cannot read baseline {path}: {error.strerror or error}") from None
    except ValueError as error:
        raise BaselineError(f"baseline {path} is not valid JSON: {error}") from None
    if not isinstance(document, dict) or document.get(_MARKER) != VERSION or not isinstance(
        document.get("findings"), list
    ):
        raise BaselineError(
            f"baseline {path} is not a dslint baseline (version {VERSION}); write it with --write-baseline"
        )
    entries = set()
    for entry in document["findings"]:
        try:
            key = (entry["code"], entry["path"], entry["line"], entry["occurrence"])
        except (KeyError, TypeError):
            raise BaselineError(f"baseline {path}: malformed entry {entry!r}") from None
        if not (all(isinstance(part, str) for part in key[:3]) and isinstance(key[3], int)):
            raise BaselineError(f"baseline {path}: malformed entry {entry!r}")
        entries.add(key)
    return frozenset(entries)


def write_baseline(path: str, findings: Sequence[Finding], result) -> int:
    """Record every finding in `findings`; returns how many."""
    entries = sorted(_keys(path, findings, result))
    document = {
        _MARKER: VERSION,
        "findings": [{"code": c, "path": p, "line": line, "occurrence": n} for c, p, line, n in entries],
    }
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return len(entries)


def filter_baselined(
    path: str, baseline: FrozenSet[Key], findings: Sequence[Finding], result
) -> Tuple[List[Finding], int]:
    """The findings that are not in `baseline`, and how many were."""
    kept = [finding for finding, key in zip(findings, _keys(path, findings, result)) if key not in baseline]
    return kept, len(findings) - len(kept)


def _keys(baseline_path: str, findings: Sequence[Finding], result) -> List[Key]:
    folder = os.path.dirname(os.path.abspath(baseline_path))

    def path_of(finding: Finding) -> str:
        if finding.path == "-":
            return "-"
        relative = os.path.relpath(os.path.abspath(finding.path), folder)
        return relative.replace(os.sep, "/")

    return keys(findings, result, path_of)
