"""Rules for the test suite itself.

With several ``conftest.py`` files, pytest re-binds the module name ``conftest`` to whichever
it imported last, so ``from conftest import ...`` works alone and fails in a full run.
Shared helpers live in uniquely named modules (``refpaths``, ``conftest_db``, ...).
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CONFTEST_IMPORT = re.compile(r"^\s*(from\s+conftest\s+import|import\s+conftest\b)", re.MULTILINE)


def test_no_test_imports_from_conftest() -> None:
    offenders = sorted(
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if CONFTEST_IMPORT.search(path.read_text(encoding="utf-8"))
    )
    assert offenders == []


def test_test_module_basenames_are_unique() -> None:
    """pytest's default import mode refuses two test modules with the same basename."""
    seen: dict[str, Path] = {}
    clashes = []
    for path in sorted(TESTS.rglob("test_*.py")):
        if path.name in seen:
            clashes.append(f"{seen[path.name].relative_to(TESTS)} / {path.relative_to(TESTS)}")
        seen.setdefault(path.name, path)
    assert clashes == []
