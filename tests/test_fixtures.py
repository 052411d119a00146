"""Every fixture under tests/fixtures is linted and must produce exactly the findings it announces.

A fixture announces a finding with a comment on the anchor line:
`# expect: DS102(401,402,422)` — the rule, and the exact set of status codes the message names
(optional). `tests/fixtures/<CODE>/*.py` are linted one file at a time and checked for the rules
of their folder; `tests/fixtures/projects/<name>/` folders are linted as one run and checked for
every rule.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import pytest

from dslint.config import ConfigResolver
from dslint.engine import lint_paths

FIXTURES = Path(__file__).parent / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*(.*)$")
ANNOTATION = re.compile(r"(DS\d{3})(\(([\d,\s]*)\))?")
NAMED_CODE = re.compile(r"\b(\d{3}) [A-Z][a-z]")

Expected = Tuple[str, int, str]  # (file, row, code)


def expectations(path: Path) -> Dict[Expected, Optional[Set[int]]]:
    found: Dict[Expected, Optional[Set[int]]] = {}
    for row, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if not match:
            continue
        for code, parenthesised, numbers in ANNOTATION.findall(match.group(1)):
            found[(str(path), row, code)] = {int(n) for n in re.findall(r"\d{3}", numbers)} if parenthesised else None
    return found


def named_codes(message: str) -> Set[int]:
    return {int(code) for code in NAMED_CODE.findall(message)}


def check(paths: List[Path], root: Path, rules: Optional[List[str]], select: Optional[List[str]] = None) -> None:
    """Lint `paths` with `select` (default: `rules`, or every rule) and compare with the annotations."""
    expected: Dict[Expected, Optional[Set[int]]] = {}
    for path in paths:
        expected.update(expectations(path))
    if rules:
        expected = {key: value for key, value in expected.items() if key[2] in rules}
    result = lint_paths(paths, ConfigResolver(cwd=root, select=select or rules or ["ALL"]))
    assert not result.errors
    actual = {(f.path, f.start.row, f.code): f for f in result.findings if not rules or f.code in rules}
    unexpected = sorted(f"{Path(k[0]).name}:{k[1]} {k[2]} {f.message}" for k, f in actual.items() if k not in expected)
    missing = sorted(f"{Path(k[0]).name}:{k[1]} {k[2]}" for k in expected if k not in actual)
    assert not unexpected and not missing, f"unexpected: {unexpected}\nmissing: {missing}"
    for key, codes in expected.items():
        if codes is not None:
            assert named_codes(actual[key].message) == codes, f"{key}: {actual[key].message}"


def _single_file_cases():
    for folder in sorted(FIXTURES.glob("DS*")):
        for path in sorted(folder.glob("*.py")):
            yield pytest.param(path, [folder.name], id=f"{folder.name}/{path.name}")


def _project_cases():
    projects = FIXTURES / "projects"
    for folder in sorted(projects.iterdir()) if projects.is_dir() else ():
        yield pytest.param(folder, id=f"projects/{folder.name}")


@pytest.mark.parametrize("path, rules", list(_single_file_cases()))
def test_single_file_fixture(path: Path, rules: List[str]) -> None:
    check([path], path.parent, rules)


@pytest.mark.parametrize("folder", list(_project_cases()))
def test_project_fixture(folder: Path) -> None:
    paths = sorted(folder.rglob("*.py"))
    check(paths, folder, None)

