"""The agent's configuration, credentials and schedule rules (pure parts and their files)."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest

from connector.agent import config as cfg
from connector.agent.advice import Outcome, OutcomeKind, judge
from connector.agent.config import AgentConfig, CompanyConfig, ProcessorKind
from connector.agent.control import new_company
from connector.agent.credentials import (
    EncryptedFileStore,
    KeyringStore,
    open_credential_store,
)
from connector.agent.errors import ConfigError, CredentialError, DuplicateCompany, UnknownCompany
from connector.agent.paths import AgentPaths, agent_paths
from connector.agent.schedule import after_session, backoff, is_due
from connector.agent.state import CompanyState
from connector.qbwc.client import SessionResult, SessionSummary
from connector.qbwc.qwc import Qwc, qwc_to_xml

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def qwc_text(minutes: int | None = 15, seconds: int | None = None) -> str:
    return qwc_to_xml(
        Qwc(
            app_name="qbd-connector (Acme & Co)", app_url="https://svc.example.com/qbwc",
            app_support="https://svc.example.com/support", user_name="qbd-user",
            owner_id="{9A8A4DFA-9D97-4AAF-A36D-5923707DF5B6}",
            file_id="{8C1E3D49-5F27-41D6-9B0B-4546E6D80995}",
            run_every_minutes=minutes, run_every_seconds=seconds,
        )
    )  # fmt: skip


@pytest.fixture
def paths(tmp_path: Path) -> AgentPaths:
    p = agent_paths({"QBD_AGENT_HOME": str(tmp_path / "home")})
    p.create()
    return p


def company(name: str = "Acme", **kw: object) -> CompanyConfig:
    kw.setdefault("every_minutes", 15)
    return CompanyConfig(name=name, qwc_xml=qwc_text(), **kw)  # type: ignore[arg-type]


def test_home_override_and_folders_private(paths: AgentPaths, tmp_path: Path) -> None:
    assert paths.config_file == tmp_path / "home" / "config" / "agent.json"
    assert stat.S_IMODE(os.stat(paths.config_dir).st_mode) == 0o700


def test_config_round_trip_and_edits(paths: AgentPaths) -> None:
    config = cfg.add_company(AgentConfig(), company())
    config = cfg.add_company(config, company("Beta", processor=ProcessorKind.EMULATOR))
    config = cfg.edit_company(config, "Beta", paused=True, every_minutes=5)
    cfg.save_config(paths.config_file, config)
    assert cfg.load_config(paths.config_file) == config
    assert stat.S_IMODE(os.stat(paths.config_file).st_mode) == 0o600
    with pytest.raises(DuplicateCompany):
        cfg.add_company(config, company("Beta"))
    with pytest.raises(UnknownCompany):
        cfg.remove_company(config, "Gamma")
    assert cfg.remove_company(config, "Acme").names() == ("Beta",)


@pytest.mark.parametrize(
    "text", ["not json", '{"format": "other"}', '{"format": "qbd-connector/agent-config", "version": 9}',
             '{"format": "qbd-connector/agent-config", "version": 1, "companies": [{"x": 1}]}'],
    ids=["not-json", "other-format", "future-version", "malformed-company"],
)  # fmt: skip
def test_a_bad_config_file_is_refused_and_left_alone(paths: AgentPaths, text: str) -> None:
    paths.config_file.write_text(text)
    with pytest.raises(ConfigError):
        cfg.load_config(paths.config_file)
    assert paths.config_file.read_text() == text


def test_new_company_takes_name_and_schedule_from_the_qwc(paths: AgentPaths) -> None:
    made = new_company(paths, qwc_text(), None, "emulator", None, 3, "tiny", None)
    assert made.name == "qbd-connector-Acme-Co" and made.every_minutes == 15
    assert made.company_file == str(paths.companies_dir / "qbd-connector-Acme-Co.json.gz")
    assert (
        new_company(paths, qwc_text(None, 90), "x", "com", None, None, None, None).every_minutes
        == 2
    )
    assert (
        new_company(paths, qwc_text(None), "x", "com", None, None, None, None).every_minutes == 60
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("<QBWCXML/>", "A", "com", None, None, None, None), "QWC file is refused"),
        ((qwc_text(), "bad name!", "com", None, None, None, None), "company name"),
        ((qwc_text(), "A", "telepathy", None, None, None, None), "--processor"),
        ((qwc_text(), "A", "emulator", None, None, None, None), "--company-file or --seed"),
        ((qwc_text(), "A", "emulator", "/nowhere.json.gz", None, None, None), "no such file"),
        ((qwc_text(), "A", "replay", None, None, None, "/nowhere.json"), "--cassette"),
    ],
    ids=["bad-qwc", "bad-name", "bad-processor", "emulator-without-company", "missing-file", "missing-cassette"],
)  # fmt: skip
def test_new_company_refuses_bad_input(paths: AgentPaths, args: tuple, error: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigError, match=error):
        new_company(paths, *args)


def test_encrypted_file_store_keeps_passwords_encrypted_and_private(paths: AgentPaths) -> None:
    store = EncryptedFileStore(paths)
    store.set("Acme", "s3cret-password")
    store.set("Beta", "other")
    store.delete("Beta")
    assert (store.get("Acme"), store.get("Beta")) == ("s3cret-password", None)
    assert b"s3cret" not in paths.credentials_file.read_bytes()
    for path in (paths.credentials_file, paths.credentials_key):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    paths.credentials_key.write_bytes(b"A" * 43 + b"=")  # another key: refuses, keeps the file
    with pytest.raises(CredentialError, match="cannot be decrypted"):
        store.get("Acme")


def test_keyring_store_when_a_credential_store_exists(paths: AgentPaths) -> None:
    import keyring
    from keyring.backend import KeyringBackend
    from keyring.errors import PasswordDeleteError

    class MemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]
        data: ClassVar[dict[tuple[str, str], str]] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.data.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.data[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            if self.data.pop((service, username), None) is None:
                raise PasswordDeleteError("not found")  # keyring's documented contract

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        store = open_credential_store(paths, {})
        assert isinstance(store, KeyringStore) and "MemoryKeyring" in store.description
        store.set("Acme", "pw")
        assert store.get("Acme") == "pw" and MemoryKeyring.data[("qbd-connector-agent", "Acme")]
        store.delete("Acme")
        store.delete("Acme")  # absent: fine
        assert store.get("Acme") is None and not paths.credentials_file.exists()
        assert isinstance(
            open_credential_store(paths, {"QBD_AGENT_CREDENTIALS": "file"}), EncryptedFileStore
        )
    finally:
        keyring.set_keyring(previous)


def test_no_keyring_here_means_the_encrypted_file(paths: AgentPaths) -> None:
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert isinstance(open_credential_store(paths, {}), EncryptedFileStore)
        with pytest.raises(CredentialError, match="no OS credential store"):
            open_credential_store(paths, {"QBD_AGENT_CREDENTIALS": "keyring"})
        with pytest.raises(CredentialError, match="use 'file' or 'keyring'"):
            open_credential_store(paths, {"QBD_AGENT_CREDENTIALS": "vault"})
    finally:
        keyring.set_keyring(previous)


# -- schedule and advice ------------------------------------------------------------------


def summary(result: SessionResult, **kw: object) -> SessionSummary:
    return SessionSummary(result=result, calls=(), **kw)  # type: ignore[arg-type]


def test_due_rules() -> None:
    c = company()
    assert is_due(c, CompanyState(), NOW, False)  # new: at once
    later = CompanyState(next_run=NOW + timedelta(minutes=1))
    assert not is_due(c, later, NOW, False) and is_due(c, later, NOW, True)  # sync-now
    assert not is_due(company(paused=True), CompanyState(), NOW, True)  # paused: never


@pytest.mark.parametrize(
    ("result", "extra", "wait"),
    [
        (SessionResult.DONE, {}, 15 * 60),
        (SessionResult.DONE, {"min_run_seconds": 3600}, 3600),
        (SessionResult.NO_WORK, {"postpone_seconds": 300}, 300),
        (SessionResult.BUSY, {"postpone_seconds": 60}, 60),
        (SessionResult.POSTPONED, {"postpone_seconds": 7200}, 7200),
    ],
    ids=["schedule", "minimum-interval", "none-window", "busy", "postponed"],
)
def test_next_run_follows_the_service(result: SessionResult, extra: dict, wait: int) -> None:  # type: ignore[type-arg]
    c = company()  # every 15 minutes
    outcome = judge(summary(result, **extra))
    assert outcome.kind is OutcomeKind.SUCCEEDED
    state = after_session(c, CompanyState(failures=2), outcome, NOW, NOW + timedelta(seconds=20))
    assert state.next_run == NOW + timedelta(seconds=wait) and state.failures == 0


def test_failures_back_off_and_a_stop_resumes_at_once() -> None:
    assert [backoff(n, 15) for n in (1, 2, 3, 4, 5, 6)] == [30, 60, 120, 240, 480, 900]
    assert backoff(30, 10_000) == 3600
    failed = judge(summary(SessionResult.SOAP_ERROR, errors=("QBWC1012: refused",)))
    state = after_session(company(), CompanyState(failures=1), failed, NOW, NOW)
    assert (state.failures, state.next_run) == (2, NOW + timedelta(seconds=60))
    stopped = Outcome(OutcomeKind.STOPPED, "stopped")
    assert after_session(company(), state, stopped, NOW, NOW).next_run == NOW


def test_a_quickbooks_error_says_what_the_user_can_do() -> None:
    outcome = judge(
        summary(SessionResult.CONNECTION_ERROR, errors=("QBWC1013: Error connecting",)), 0x80040408
    )
    assert outcome.failed and outcome.hresult == "0x80040408"
    assert outcome.message.startswith("0x80040408: Could not start QuickBooks")
    assert "start QuickBooks" in outcome.advice
    nvu = judge(summary(SessionResult.INVALID_USER, errors=("QBWC1040: bad",)))
    assert nvu.failed and "password" in nvu.advice


def test_one_agent_per_user_lock(paths: AgentPaths) -> None:
    from connector.agent.errors import AlreadyRunning
    from connector.agent.lock import InstanceLock, is_locked

    first = InstanceLock(paths.lock_file)
    first.acquire()
    try:
        assert is_locked(paths.lock_file)
        assert paths.lock_file.read_text().strip() == str(os.getpid())
        with pytest.raises(AlreadyRunning, match=f"pid {os.getpid()}"):
            InstanceLock(paths.lock_file).acquire()
    finally:
        first.release()
    assert not is_locked(paths.lock_file) and paths.lock_file.read_text().strip() == ""
