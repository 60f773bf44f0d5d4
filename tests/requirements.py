"""Parts from outside the repository that a test needs: skip on a developer machine, FAIL in CI.

A test that needs the reference folder, PostgreSQL, Chromium, a command or an optional module
asks for it here, never with a bare ``pytest.skip``/``pytest.importorskip``:

- ``missing(part, problem, how=...)``: the one decision. With ``CI=true`` (``in_ci()``) the test
  fails with ``part`` and ``problem``; elsewhere it skips, saying ``how`` to get the part.
- ``require_module(name, how=...)``: the imported module, or ``missing``.
- ``require_executable(name, how=...)``: the command's path, or ``missing``.
- ``require_chromium()``: the path of a headless-capable Chromium (``QBD_CHROMIUM`` or
  ``chromium`` / ``chromium-browser`` on PATH), or ``missing``. Playwright tests use the
  ``browser``/``page`` fixtures of ``conftest_browser`` instead, which call it.
- The reference folder: ``refpaths.reference_path(...)``; PostgreSQL: the ``backend`` /
  ``postgres_server_url`` fixtures of ``conftest_db``. Both go through ``missing``.

Registered as a pytest plugin (``tests/conftest.py``), this module also prints the number of
skipped tests at the end of every run and, with ``CI=true``, fails a run that skipped any test
(a skip from a condition this module never saw, such as an empty parameter list, still counts).
"""

from __future__ import annotations

import importlib
import os
import shutil
from types import ModuleType
from typing import NoReturn

import pytest

DEV_INSTALL = "pip install -e '.[dev]'"
_CI_TRUE = {"1", "true", "yes"}


def in_ci() -> bool:
    """``CI`` is set to true (as CI services and ``.ci/run`` do): missing parts are failures."""
    return os.environ.get("CI", "").strip().lower() in _CI_TRUE


def missing(part: str, problem: str, *, how: str) -> NoReturn:
    """Fail the test in CI, skip it elsewhere: ``part`` is required and ``problem`` says why not."""
    if in_ci():
        pytest.fail(f"CI=true and {part} is required: {problem} (to get it: {how})", pytrace=False)
    pytest.skip(f"{part} missing: {problem}; to get it: {how}")


def require_module(name: str, *, how: str = DEV_INSTALL) -> ModuleType:
    """The module ``name``, imported; ``missing`` when it cannot be imported."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        missing(f"the Python module {name}", str(exc), how=how)


def require_executable(name: str, *, how: str) -> str:
    """The path of the command ``name`` on PATH; ``missing`` when there is none."""
    path = shutil.which(name)
    if path is None:
        missing(f"the {name} command", f"{name} is not on PATH", how=how)
    return path


CHROMIUM_NAMES = ("chromium", "chromium-browser")


def require_chromium() -> str:
    """A Chromium executable for headless browser tests (never a downloaded browser build)."""
    configured = os.environ.get("QBD_CHROMIUM")
    if configured:
        if os.access(configured, os.X_OK):
            return configured
        missing("Chromium", f"QBD_CHROMIUM={configured} is not an executable", how=_CHROMIUM_HOW)
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path is not None:
            return path
    missing("Chromium", f"none of {', '.join(CHROMIUM_NAMES)} is on PATH", how=_CHROMIUM_HOW)


_CHROMIUM_HOW = "apt-get install -y chromium (or set QBD_CHROMIUM to a Chromium executable)"


# --- the run-level guard (this module is a plugin: see tests/conftest.py) ----------------------


class _SkipGuard:
    """Counts skipped tests; in CI a run with any skip fails (``missing`` fails them anyway)."""

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def _note(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skipped.append(report.nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._note(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._note(report)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if in_ci() and self.skipped and exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        terminalreporter.write_line(f"skipped tests: {len(self.skipped)}")
        if in_ci() and self.skipped:
            shown = ", ".join(self.skipped[:10]) + (" ..." if len(self.skipped) > 10 else "")
            terminalreporter.write_line(
                f"CI=true: {len(self.skipped)} skipped test(s) fail this run: {shown}", red=True
            )


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_SkipGuard(), "qbd-skip-guard")
