"""Rules for the test suite itself.

pytest runs with ``--import-mode=importlib`` and the repository root on ``sys.path``: test
modules are named after their path (``tests.api.test_core``), so two folders may hold test
modules of the same name, and a shared helper is imported by its full name
(``from tests.sync.sync_harness import ...``), never by a bare name from a folder put on
``sys.path``. ``conftest.py`` files are pytest's, not modules to import from.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CONFTEST_IMPORT = re.compile(r"^\s*(from\s+conftest\s+import|import\s+conftest\b)", re.MULTILINE)
HELPER_NAMES = frozenset(p.stem for p in TESTS.rglob("*.py") if p.stem != "__init__")


def test_no_test_imports_from_conftest() -> None:
    offenders = sorted(
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if CONFTEST_IMPORT.search(path.read_text(encoding="utf-8"))
    )
    assert offenders == []


def test_every_test_folder_is_a_package() -> None:
    """A folder of test modules has an ``__init__.py``: its helpers are ``tests.<folder>.<module>``."""
    folders = {p.parent for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts}
    missing = sorted(
        str(f.relative_to(TESTS.parent)) for f in folders if not (f / "__init__.py").exists()
    )
    assert missing == []


def bare_helper_imports(source: str) -> list[str]:
    """Imports in ``source`` that name a test helper by its bare module name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [f"line {node.lineno}: {n}" for n in names if n in HELPER_NAMES]
    return found


def test_helpers_are_imported_by_their_full_name() -> None:
    offenders = [
        f"{path.relative_to(TESTS)} {hit}"
        for path in sorted(TESTS.rglob("*.py"))
        for hit in bare_helper_imports(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_rule_finds_a_bare_helper_import() -> None:
    source = "import refpaths\nfrom sync_harness import T0\nfrom tests.refpaths import REPO\n"
    assert bare_helper_imports(source) == ["line 1: refpaths", "line 2: sync_harness"]
