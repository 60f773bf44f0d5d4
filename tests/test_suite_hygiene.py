"""Rules for the test suite itself.

pytest runs with ``--import-mode=importlib`` and the repository root on ``sys.path``: test
modules are named after their path (``tests.api.test_core``), so two folders may hold test
modules of the same name, and a shared helper is imported by its full name
(``from tests.sync.sync_harness import ...``), never by a bare name from a folder put on
``sys.path``. ``conftest.py`` files are pytest's, not modules to import from. A test that needs
a part from outside the repository asks ``tests.requirements`` (or ``tests.refpaths``,
``tests.conftest_db``) for it: never a bare skip, which CI would not see.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# ``conftest``, ``tests.conftest`` or ``tests.<package>.conftest``, in any import form.
CONFTEST_IMPORT = re.compile(
    r"^\s*(from\s+(tests(\.\w+)*\.)?conftest\s+import"
    r"|from\s+tests(\.\w+)*\s+import\s+(\w+\s*,\s*)*conftest\b"
    r"|import\s+(tests(\.\w+)*\.)?conftest\b)",
    re.MULTILINE,
)
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


def test_the_conftest_rule_catches_every_import_form() -> None:
    for line in (
        "from conftest import REFERENCE",
        "import conftest",
        "from tests.conftest import reference_path",
        "from tests.qbwc.conftest import x",
        "import tests.conftest",
        "from tests import conftest",
        "from tests import refpaths, conftest",
    ):
        assert CONFTEST_IMPORT.search(line), line
    for line in ("from tests.conftest_db import BACKENDS", "from tests.refpaths import REPO"):
        assert not CONFTEST_IMPORT.search(line), line


# A skip for a missing part goes through ``tests.requirements`` (a failure when CI=true).
BYPASS = re.compile(r"\bpytest\.(skip\(|importorskip\(|mark\.skip\b|mark\.skipif\b)|importorskip\(")
BYPASS_ALLOWED = {
    "requirements.py": "the one place that skips (or fails, in CI)",
    "test_requirements.py": "probes of the mechanism itself, in strings run by a child pytest",
    "test_suite_hygiene.py": "the rule's own examples",
    "test_runtime.py": "glibc only: a platform condition, not a missing part",
    "test_hostile_soap_live.py": "Linux /proc only: a platform condition, not a missing part",
    "test_holder.py": "Linux /proc only: a platform condition, not a missing part",
    "test_service.py": "Linux /proc only (live_holder, gone_holder): a platform condition",
    "test_private_files.py": "POSIX file modes only: a platform condition, not a missing part",
    "test_report_parse.py": "Linux /proc only (VmHWM): a platform condition, not a missing part",
    "test_report_json.py": "Linux /proc only (VmHWM): a platform condition, not a missing part",
}


def test_no_test_skips_around_requirements() -> None:
    offenders = sorted(
        f"{path.relative_to(TESTS)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in TESTS.rglob("*.py")
        if path.name not in BYPASS_ALLOWED
        for text in [path.read_text(encoding="utf-8")]
        for m in BYPASS.finditer(text)
    )
    assert offenders == [], "use tests.requirements (missing, require_*) or tests.refpaths"


def test_the_skip_rule_sees_each_bypass() -> None:
    for line in (
        'pytest.skip("no server")',
        'zeep = pytest.importorskip("zeep")',
        "@pytest.mark.skip(reason='later')",
        "@pytest.mark.skipif(True, reason='x')",
    ):
        assert BYPASS.search(line), line
    assert not BYPASS.search("with pytest.raises(pytest.skip.Exception):")
