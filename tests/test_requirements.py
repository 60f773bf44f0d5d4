"""The CI-strict skip mechanism (``requirements``, ``refpaths``, ``conftest_db``): a missing part
skips with how to get it on a developer machine and fails with the reason when ``CI=true``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests import refpaths, requirements
from tests.requirements import missing, require_chromium, require_executable, require_module

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent


@pytest.fixture(params=["developer", "ci"])
def ci(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    if request.param == "ci":
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
    return bool(request.param == "ci")


def outcome(ci: bool) -> type[BaseException]:
    return pytest.fail.Exception if ci else pytest.skip.Exception


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("TRUE", True), ("1", True), ("yes", True), ("", False), ("false", False)],
)
def test_ci_is_read_from_the_environment_at_call_time(
    value: str, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", value)
    assert requirements.in_ci() is expected


def test_missing_fails_in_ci_and_skips_with_how_elsewhere(ci: bool) -> None:
    with pytest.raises(outcome(ci)) as info:
        missing("the widget", "it fell off", how="apt-get install widget")
    message = str(info.value)
    assert "the widget" in message and "it fell off" in message
    assert "apt-get install widget" in message
    assert ("CI=true" in message) is ci


def test_require_module(ci: bool) -> None:
    assert require_module("json").dumps([]) == "[]"
    with pytest.raises(outcome(ci), match="no_such_module_qbd"):
        require_module("no_such_module_qbd")


def test_require_executable(ci: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    tool = tmp_path / "qbd-tool"
    tool.write_text("#!/bin/sh\n", encoding="utf-8")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert require_executable("qbd-tool", how="-") == str(tool)
    with pytest.raises(outcome(ci), match="no-such-tool is not on PATH"):
        require_executable("no-such-tool", how="-")


def test_require_chromium(ci: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QBD_CHROMIUM", str(tmp_path / "nothing"))
    with pytest.raises(outcome(ci), match=r"QBD_CHROMIUM=.*nothing is not an executable"):
        require_chromium()
    monkeypatch.delenv("QBD_CHROMIUM")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(outcome(ci), match="apt-get install -y chromium"):
        require_chromium()
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n", encoding="utf-8")
    fake.chmod(0o755)
    assert require_chromium() == str(fake)


def test_reference_helpers_with_the_folder_absent(
    ci: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(refpaths, "REFERENCE", tmp_path / "no-reference")
    with pytest.raises(outcome(ci), match=r"the reference folder.*no-reference.* is absent"):
        refpaths.reference_path("xsd", "qwc", "QWC.xsd")
    with pytest.raises(outcome(ci), match="QBD_REFERENCE_DIR"):
        refpaths.require_reference()
    # at collection time: one placeholder, so the test runs and reports (never an empty list)
    assert refpaths.reference_names("responses") == [refpaths.ABSENT]


def test_reference_names_lists_files_at_any_depth(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "responses" / "a").mkdir(parents=True)
    (tmp_path / "responses" / "a" / "x.xml").write_text("<x/>", encoding="utf-8")
    (tmp_path / "responses" / "b.xml").write_text("<b/>", encoding="utf-8")
    (tmp_path / "responses" / "c.txt").write_text("c", encoding="utf-8")
    monkeypatch.setattr(refpaths, "REFERENCE", tmp_path)
    assert refpaths.reference_names("responses") == ["a/x.xml", "b.xml"]
    assert refpaths.reference_path("responses", "b.xml") == tmp_path / "responses" / "b.xml"


# --- whole pytest runs: the plugin's run-level guard and the PostgreSQL fixture --------------

PROBES = textwrap.dedent(
    """
    import pytest
    from tests.requirements import missing

    def test_missing_part():
        missing("the gizmo", "not plugged in", how="plug it in")

    @pytest.mark.skip(reason="a skip that bypasses requirements")
    def test_bare_skip():
        pass

    @pytest.mark.parametrize("name", [])
    def test_empty_parameters(name):
        pass

    def test_postgres(postgres_server_url):
        pass

    def test_fine():
        pass
    """
)


ONLY_A_BARE_SKIP = textwrap.dedent(
    """
    import pytest

    def test_bare_skip():
        pytest.skip("a skip that bypasses requirements")

    def test_fine():
        pass
    """
)


def run_probes(
    tmp_path: Path, *, ci: bool, probes: str = PROBES
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(
        'pytest_plugins = ["tests.requirements", "tests.conftest_db"]\n', encoding="utf-8"
    )
    (tmp_path / "test_probes.py").write_text(probes, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = str(REPO)
    # a port nothing listens on: the PostgreSQL probe gets a psycopg.Error
    env["QBD_TEST_POSTGRES_URL"] = "postgresql+psycopg://postgres@127.0.0.1:9/test"
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_developer_run_skips_with_how_and_counts_the_skips(tmp_path: Path) -> None:
    run = run_probes(tmp_path, ci=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed, 4 skipped" in run.stdout
    assert "skipped tests: 4" in run.stdout
    assert "the gizmo missing: not plugged in; to get it: plug it in" in run.stdout
    assert "PostgreSQL missing: no PostgreSQL at" in run.stdout


def test_a_ci_run_fails_each_missing_part_and_any_other_skip(tmp_path: Path) -> None:
    run = run_probes(tmp_path, ci=True)
    assert run.returncode == 1, run.stdout + run.stderr
    out = run.stdout
    assert "CI=true and the gizmo is required: not plugged in (to get it: plug it in)" in out
    # psycopg.Error is a failure (an error in the fixture), with the reason
    assert "ERROR test_probes.py::test_postgres" in out
    assert "CI=true and PostgreSQL is required: no PostgreSQL at" in out
    # what bypasses requirements still fails the run: counted, named
    assert "skipped tests: 2" in out
    assert "CI=true: 2 skipped test(s) fail this run" in out
    assert "test_bare_skip" in out and "test_empty_parameters" in out


def test_a_ci_run_with_nothing_but_a_bare_skip_fails(tmp_path: Path) -> None:
    run = run_probes(tmp_path, ci=True, probes=ONLY_A_BARE_SKIP)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 passed, 1 skipped" in run.stdout
    assert "CI=true: 1 skipped test(s) fail this run: test_probes.py::test_bare_skip" in run.stdout
    assert run_probes(tmp_path, ci=False, probes=ONLY_A_BARE_SKIP).returncode == 0
