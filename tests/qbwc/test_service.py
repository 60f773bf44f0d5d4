"""The QBWC service against a real store (SQLite and PostgreSQL) and a scripted WorkSource."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from connector.qbwc.server import holder
from connector.qbwc.server.lockout import LockoutPolicy
from connector.qbwc.server.service import QbwcConfig, QbwcService
from connector.qbwc.server.session import NOOP, SERVICE_FAILURE, UNKNOWN_TICKET, Phase
from connector.qbwc.server.work import SessionContext
from connector.secrets import ticket_hash
from connector.settings import Settings
from connector.store import qbwc_sessions as store
from connector.store.connections import ConnectionRow, get_connection, set_paused
from connector.store.db import Database
from tests.qbwc.scripted_work import ScriptedWork, cheap_hashing, make_connection

OWNER = "{9A8A4DFA-9D97-4AAF-A36D-5923707DF5B6}"


def hcp(company: str = "Acme Ltd", file_id: str | None = None, owner: str = OWNER) -> str:
    ext = (
        f"<DataExtRet><OwnerID>{owner}</OwnerID><DataExtName>FileID</DataExtName>"
        f"<DataExtType>STR255TYPE</DataExtType><DataExtValue>{file_id}</DataExtValue></DataExtRet>"
        if file_id
        else ""
    )
    return (
        '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>'
        '<HostQueryRs requestID="0" statusCode="0" statusSeverity="Info"><HostRet>'
        "<ProductName>QuickBooks Enterprise 24.0</ProductName><MajorVersion>34</MajorVersion>"
        "<SupportedQBXMLVersion>13.0</SupportedQBXMLVersion>"
        "<SupportedQBXMLVersion>16.0</SupportedQBXMLVersion></HostRet></HostQueryRs>"
        '<CompanyQueryRs requestID="1" statusCode="0" statusSeverity="Info"><CompanyRet>'
        f"<CompanyName>{company}</CompanyName>{ext}</CompanyRet></CompanyQueryRs>"
        "</QBXMLMsgsRs></QBXML>"
    )


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    db: Database
    work: ScriptedWork
    clock: Clock
    service: QbwcService
    row: ConnectionRow
    password: str

    def login(self, password: str | None = None) -> list[str]:
        return self.service.authenticate(self.row.username, password or self.password)

    def first_send(self, ticket: str, company: str = "Acme Ltd", path: str = r"C:\Acme.qbw") -> str:
        return self.service.send_request_xml(ticket, hcp(company), path, "US", 16, 0)

    def another(self) -> QbwcService:
        """A second service instance on the same store (another process or server)."""
        return QbwcService(self.db, self.work, self.service.config, clock=self.clock)

    def session(self, ticket: str) -> store.StoredSession:
        with self.db.begin() as conn:
            stored = store.load_session(conn, ticket_hash(ticket))
        assert stored is not None
        return stored


@pytest.fixture(autouse=True)
def _cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_hashing(monkeypatch)


def _world_factory(db: Database) -> Callable[..., World]:
    counter = iter(range(100))

    def make(per_connection: int = 2, **config: object) -> World:
        row, password = make_connection(db, f"Company {next(counter)}")
        work, clock = ScriptedWork(per_connection), Clock()
        cfg = QbwcConfig(**config)  # type: ignore[arg-type]
        return World(db, work, clock, QbwcService(db, work, cfg, clock=clock), row, password)

    return make


@pytest.fixture
def make_world(sqlite_db: Database) -> Callable[..., World]:
    """Most rules are backend-independent: SQLite only, to keep the module fast."""
    return _world_factory(sqlite_db)


@pytest.fixture
def world(make_world: Callable[..., World]) -> World:
    return make_world()


@pytest.fixture
def any_world(db: Database) -> World:
    """The store-sensitive paths run on SQLite and on PostgreSQL."""
    return _world_factory(db)()


def test_a_whole_session_across_two_instances(any_world: World) -> None:
    world = any_world
    ticket, path, *_ = world.login()
    assert len(ticket) == 32 and path == ""
    request = world.first_send(ticket)
    assert "CustomerQueryRq" in request
    other = world.another()  # any instance answers any call
    assert other.receive_response_xml(ticket, "<QBXML>r1</QBXML>", "", "") == 50
    assert "CustomerQueryRq" in world.service.send_request_xml(ticket, "", "", "US", 16, 0)
    assert other.receive_response_xml(ticket, "<QBXML>r2</QBXML>", "", "") == 100
    assert world.service.close_connection(ticket) == "2 of 2 requests processed."
    assert world.work.names() == [
        "begin", "next_request", "apply_response", "next_request", "apply_response", "end",
    ]  # fmt: skip
    assert world.session(ticket).state.phase is Phase.CLOSED
    assert world.session(ticket).state.qbxml_version == "16.0"


def test_first_connect_binds_the_company_and_a_different_file_is_refused(any_world: World) -> None:
    world = any_world
    ticket = world.login()[0]
    world.first_send(ticket)
    world.service.close_connection(ticket)
    bound = get_connection(world.db, world.row.id).bound_company
    assert bound is not None and (bound.company_name, bound.file_path) == (
        "Acme Ltd",
        r"C:\Acme.qbw",
    )
    ticket2, path, *_ = world.login()
    assert path == r"C:\Acme.qbw"  # the bound file, for QBWC to open
    assert world.first_send(ticket2, company="Other Corp", path=r"C:\Other.qbw") == ""
    message = world.service.get_last_error(ticket2)
    assert "Acme Ltd" in message and "Other Corp" in message
    assert world.session(ticket2).state.phase is Phase.ERROR


def test_file_id_decides_when_present(world: World) -> None:
    ticket = world.login()[0]
    mine = world.service.send_request_xml(
        ticket, hcp(file_id=world.row.file_id), r"C:\moved\Acme.qbw", "US", 16, 0
    )
    assert "CustomerQueryRq" in mine
    world.service.close_connection(ticket)
    bound = get_connection(world.db, world.row.id).bound_company
    assert bound is not None and bound.file_id == world.row.file_id
    ticket2 = world.login()[0]
    foreign = "{00000000-0000-0000-0000-000000000001}"
    assert world.service.send_request_xml(ticket2, hcp(file_id=foreign), "x", "US", 16, 0) == ""
    assert "another connection" in world.service.get_last_error(ticket2)


def test_bad_credentials_and_unknown_users_look_the_same(world: World) -> None:
    wrong = world.login("not-the-password")
    unknown = world.service.authenticate("nobody-here", "whatever")
    assert [len(wrong), wrong[1], len(wrong[0])] == [2, "nvu", 32]
    assert [len(unknown), unknown[1], len(unknown[0])] == [2, "nvu", 32]
    assert world.service.get_last_error(wrong[0]) == UNKNOWN_TICKET  # nothing was stored


def test_lockout_refuses_even_the_right_password(make_world: Callable[..., World]) -> None:
    policy = LockoutPolicy(free_attempts=1, base_delay_seconds=1, lock_after=3, lock_seconds=60)
    world = make_world(lockout=policy)
    for _ in range(3):
        assert world.login("wrong")[1] == "nvu"
        world.clock.now += timedelta(seconds=5)  # past each throttle delay
    assert world.login()[1] == "nvu"  # locked
    world.clock.now += timedelta(seconds=61)
    assert world.login()[1] == ""


def test_throttle_applies_to_unknown_usernames_too(make_world: Callable[..., World]) -> None:
    policy = LockoutPolicy(free_attempts=0, base_delay_seconds=30, max_delay_seconds=30)
    world = make_world(lockout=policy)
    assert world.login("wrong")[1] == "nvu"
    assert world.login()[1] == "nvu"  # throttled: the right password is not even checked
    world.clock.now += timedelta(seconds=31)
    assert world.login()[1] == ""
    with world.db.begin() as conn:
        assert store.load_auth_failure(conn, world.row.username) is None  # reset on success
    world.service.authenticate("ghost", "x")
    with world.db.begin() as conn:
        ghost = store.load_auth_failure(conn, "ghost")
    assert ghost is not None and ghost.failures == 1


def test_paused_connection_gets_none(world: World) -> None:
    set_paused(world.db, world.row.id, True)
    ticket, status, *rest = world.login()
    assert status == "none" and rest[-1] == "3600"
    assert world.service.close_connection(ticket) == "No data to exchange now."
    assert world.work.names() == []


def test_no_work_gets_none(world: World) -> None:
    world.work.work_available = False
    assert world.login()[1] == "none"


def test_busy_while_another_session_is_live(world: World) -> None:
    first = world.login()[0]
    world.first_send(first)
    world.service.receive_response_xml(first, "<QBXML>r1</QBXML>", "", "")  # READY
    second, status, *_ = world.login()
    assert status == "busy"
    world.service.close_connection(second)
    assert world.session(first).state.phase is Phase.READY  # untouched


def test_lost_response_is_detected_and_reported_to_the_work_source(any_world: World) -> None:
    world = any_world
    first = world.login()[0]
    world.first_send(first)  # a request is out; its response never comes
    second, status, *_ = world.login()
    assert status == r"C:\Acme.qbw"  # a normal session, not busy
    assert ("end", ticket_hash(first), "lost_response") in world.work.calls
    assert world.session(first).state.phase is Phase.CLOSED
    assert world.session(second).state.phase is Phase.AUTHENTICATED
    assert world.service.receive_response_xml(first, "<QBXML>late</QBXML>", "", "") == -1
    assert "lost" in world.service.get_last_error(first)
    assert "CustomerQueryRq" in world.first_send(second)


def test_duplicate_receive_is_not_stored_twice(any_world: World) -> None:
    world = any_world
    ticket = world.login()[0]
    world.first_send(ticket)
    assert world.service.receive_response_xml(ticket, "<QBXML>r1</QBXML>", "", "") == 50
    assert world.another().receive_response_xml(ticket, "<QBXML>r1</QBXML>", "", "") == 50
    assert world.work.names().count("apply_response") == 1


def test_processor_error_ends_with_a_negative_value(world: World) -> None:
    ticket = world.login()[0]
    world.first_send(ticket)
    assert world.service.receive_response_xml(ticket, "", "0x80040400", "parse error") < 0
    assert "0x80040400" in world.service.get_last_error(ticket)
    assert world.service.close_connection(ticket).endswith("(0x80040400)")


def test_connection_error_answers_done_and_records_the_hresult(world: World) -> None:
    ticket = world.login()[0]
    assert (
        world.service.connection_error(ticket, "0x80040408", "Could not start QuickBooks.")
        == "done"
    )
    assert world.session(ticket).state.hresult == "0x80040408"
    assert ("end", ticket_hash(ticket), "connection_error") in world.work.calls
    assert "0x80040408" in world.service.close_connection(ticket)


def test_noop_when_work_may_arrive(make_world: Callable[..., World]) -> None:
    world = make_world(per_connection=0)
    ticket = world.login()[0]
    assert world.first_send(ticket) == ""
    assert world.service.get_last_error(ticket) == NOOP


def test_expired_ticket(world: World) -> None:
    ticket = world.login()[0]
    world.clock.now += timedelta(seconds=world.service.config.ttl_seconds + 1)
    assert world.first_send(ticket) == ""
    assert "expired" in world.service.get_last_error(ticket)
    assert ("end", ticket_hash(ticket), "expired") in world.work.calls


def test_unknown_ticket(world: World) -> None:
    assert world.service.send_request_xml("f" * 32, "", "", "US", 16, 0) == ""
    assert world.service.receive_response_xml("f" * 32, "<x/>", "", "") == -1
    assert world.service.get_last_error("") == UNKNOWN_TICKET
    assert world.service.close_connection("x" * 500) == UNKNOWN_TICKET


def test_a_failing_work_source_ends_the_session_cleanly(world: World) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("database on fire")

    world.work.next_request = boom  # type: ignore[assignment,method-assign]
    ticket = world.login()[0]
    assert world.first_send(ticket) == ""
    assert world.service.get_last_error(ticket) == SERVICE_FAILURE
    assert world.session(ticket).claim_token is None  # the lease was released


def test_a_call_whose_lease_was_taken_over_meanwhile_leaves_the_session_alone(
    any_world: World,
) -> None:
    """The lease ran out while the call worked and another instance took the session: the
    first call's ending writes nothing (the other's state and lease stand)."""
    world = any_world
    ticket = world.login()[0]
    asked = world.work.next_request

    def slow(ctx: SessionContext) -> str | None:
        _served_by(world, ticket, "another-instance", lease_for=110)
        return asked(ctx)

    world.work.next_request = slow  # type: ignore[method-assign]
    world.first_send(ticket)
    taken = world.session(ticket)
    assert taken.claim_token == "f" * 32
    assert taken.served_by == "another-instance"
    assert taken.state.requests_sent == 0


def test_calls_after_close(world: World) -> None:
    ticket = world.login()[0]
    world.service.close_connection(ticket)
    assert world.first_send(ticket) == ""
    assert world.service.receive_response_xml(ticket, "<x/>", "", "") == -1
    assert world.service.connection_error(ticket, "0x1", "x") == "done"
    assert world.work.names().count("end") == 1


def test_dead_sessions_are_purged_after_the_retention(make_world: Callable[..., World]) -> None:
    world = make_world(purge_after_seconds=3600)
    old = world.login()[0]
    world.service.close_connection(old)
    live = world.login()[0]
    world.clock.now += timedelta(hours=2)
    world.login()  # authenticate purges; the live one is expired-superseded, not deleted
    with world.db.begin() as conn:
        assert store.load_session(conn, ticket_hash(old)) is None
        kept = store.load_session(conn, ticket_hash(live))
    assert kept is not None and kept.state.phase is Phase.EXPIRED


def test_auth_failure_rows_round_trip_and_purge(any_world: World) -> None:
    world = any_world
    from connector.qbwc.server.lockout import FailureRecord

    now = world.clock.now
    record = FailureRecord(3, now, now, now + timedelta(seconds=4), None)
    with world.db.begin() as conn:
        store.store_auth_failure(conn, "someone", record)
        store.store_auth_failure(conn, "someone", replace(record, failures=4))
        assert store.load_auth_failure(conn, "someone") == replace(record, failures=4)
        assert store.purge_auth_failures(conn, now + timedelta(seconds=1)) == 1
        assert store.load_auth_failure(conn, "someone") is None


def test_a_session_abandoned_mid_way_is_replaced(world: World) -> None:
    first = world.login()[0]
    world.first_send(first)
    world.service.receive_response_xml(first, "<QBXML>r1</QBXML>", "", "")  # READY
    world.clock.now += timedelta(minutes=3)  # the Web Connector crashed and came back
    second, status, *_ = world.login()
    assert status == r"C:\Acme.qbw"
    assert ("end", ticket_hash(first), "superseded") in world.work.calls
    assert world.session(first).state.phase is Phase.CLOSED
    assert world.session(second).state.phase is Phase.AUTHENTICATED


def test_oversized_client_text_fits_the_store(any_world: World) -> None:
    """hresult, qbXMLCountry and the company file are the client's text: a value longer than
    the columns allow must not turn a call into a fault (PostgreSQL enforces lengths)."""
    world = any_world
    ticket = world.login()[0]
    long_hresult = "0x" + "8" * 200
    assert world.service.connection_error(ticket, long_hresult, "m" * 5000) == "done"
    assert world.session(ticket).state.hresult == long_hresult[:32]
    world.service.close_connection(ticket)
    ticket = world.login()[0]
    request = world.service.send_request_xml(ticket, hcp(), "C:\\" + "d" * 5000, "X" * 300, 16, 0)
    assert "CustomerQueryRq" in request
    assert world.session(ticket).state.country == "X" * 8


# ------------------------------------------------------- takeover (issue 18.9, issue 11.11)
@pytest.fixture(scope="module")
def gone_holder() -> str:
    """The holder text of a process of this machine that has exited."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        text = holder.identity_of(proc.pid)
    finally:
        proc.kill()
        proc.wait()
    if text is None:
        pytest.skip("no /proc here: a gone process cannot be told from a live one")
    assert holder.certainly_gone(text)
    return text


@pytest.fixture
def live_holder() -> Iterator[str]:
    """The holder text of another live process of this machine (another service instance)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        text = holder.identity_of(proc.pid)
        if text is None:
            pytest.skip("no /proc here: a gone process cannot be told from a live one")
        yield text
    finally:
        proc.kill()
        proc.wait()


def _served_by(world: World, ticket: str, who: str, *, lease_for: int | None = None) -> None:
    """Rewrite the row as if process ``who`` had served it last (holding a lease when given)."""
    stored = world.session(ticket)
    lease = None if lease_for is None else world.clock.now + timedelta(seconds=lease_for)
    with world.db.begin() as conn:
        store.save_session(
            conn,
            stored.state,
            claim_token=None if lease is None else "f" * 32,
            claim_expires_at=lease,
            served_by=who,
        )


def test_the_service_records_which_process_served_a_session(world: World) -> None:
    ticket = world.login()[0]
    assert world.session(ticket).served_by == holder.this_process()
    world.first_send(ticket)
    assert world.session(ticket).served_by == holder.this_process()


def test_a_session_whose_service_was_killed_between_calls_is_taken_over_at_once(
    any_world: World, gone_holder: str
) -> None:
    """Killed after answering receiveResponseXML: the Web Connector's next call failed and
    ended its update, so its next authenticate is a new session, not ``busy`` for 2 min."""
    world = any_world
    first = world.login()[0]
    world.first_send(first)
    world.service.receive_response_xml(first, "<QBXML>r1</QBXML>", "", "")  # READY
    _served_by(world, first, gone_holder)
    world.clock.now += timedelta(seconds=5)  # restarted at once
    second, status, *_ = world.login()
    assert status == r"C:\Acme.qbw"
    assert ("end", ticket_hash(first), "superseded") in world.work.calls
    assert world.session(first).state.phase is Phase.CLOSED
    assert "CustomerQueryRq" in world.first_send(second)


def test_a_lease_held_by_a_killed_service_is_taken_over_as_a_lost_response(
    any_world: World, gone_holder: str
) -> None:
    """Killed while working on a call: its lease would make authenticate ``busy`` for the
    whole lease; the holder is gone, so the session is over (its response counts as lost,
    and the WorkSource hears so, which applies what it had stored)."""
    world = any_world
    first = world.login()[0]
    world.first_send(first)  # AWAITING_RESPONSE; the service dies working on the answer
    _served_by(world, first, gone_holder, lease_for=110)
    second, status, *_ = world.login()
    assert status == r"C:\Acme.qbw"
    assert ("end", ticket_hash(first), "lost_response") in world.work.calls
    assert world.session(first).claim_token is None
    assert "CustomerQueryRq" in world.first_send(second)


def test_a_call_on_a_session_whose_lease_holder_was_killed_does_not_wait(
    world: World, gone_holder: str
) -> None:
    ticket = world.login()[0]
    _served_by(world, ticket, gone_holder, lease_for=110)
    slept: list[float] = []

    def nap(seconds: float) -> None:  # a live lease makes the call wait here, in a loop
        slept.append(seconds)
        if len(slept) > 3:
            raise AssertionError("the call waits for the lease of a killed service")

    world.service._sleep = nap
    assert "CustomerQueryRq" in world.first_send(ticket)
    assert slept == []


def test_a_live_lease_of_another_instance_is_still_busy(any_world: World, live_holder: str) -> None:
    """Two instances on one database: a call another live process is working on is never
    taken over (exactly once), whatever the new authenticate says."""
    world = any_world
    first = world.login()[0]
    world.first_send(first)
    world.service.receive_response_xml(first, "<QBXML>r1</QBXML>", "", "")
    _served_by(world, first, live_holder, lease_for=110)
    assert world.another().authenticate(world.row.username, world.password)[1] == "busy"
    _served_by(world, first, live_holder)  # the call ended; the session is READY, heard from
    assert world.login()[1] == "busy"
    assert world.session(first).state.phase is Phase.READY


@pytest.mark.parametrize(
    ("answered", "setting", "quiet"),
    [(1, "QBD_QBWC_IDLE_SECONDS", 30), (0, "QBD_QBWC_START_IDLE_SECONDS", 45)],
)
def test_the_quiet_periods_are_settings(
    make_world: Callable[..., World], answered: int, setting: str, quiet: int
) -> None:
    """A Web Connector that went quiet without closeConnection (READY after a response, or
    AUTHENTICATED before its first request) is taken over after the configured quiet period,
    not only after the fixed 120 s / 600 s."""
    settings = Settings.from_env({setting: str(quiet)}, database_url="sqlite://")
    config = QbwcConfig.from_settings(settings)
    world = make_world(
        lease_seconds=config.lease_seconds,
        idle_seconds=config.idle_seconds,
        start_idle_seconds=config.start_idle_seconds,
    )
    first = world.login()[0]
    if answered:
        world.first_send(first)
        world.service.receive_response_xml(first, "<QBXML>r1</QBXML>", "", "")
    world.clock.now += timedelta(seconds=quiet - 1)
    assert world.login()[1] == "busy"
    world.clock.now += timedelta(seconds=2)
    bound = r"C:\Acme.qbw" if answered else ""  # the first sendRequestXML binds the file
    assert world.login()[1] == bound
    assert world.session(first).state.phase is Phase.CLOSED


def test_a_finished_session_without_close_connection_is_dropped_at_once(world: World) -> None:
    """PROTOCOL.md 1.5: an authenticate while closeConnection is expected drops the old
    ticket; no quiet period applies."""
    world.work.per_connection = 1
    first = world.login()[0]
    world.first_send(first)
    assert world.service.receive_response_xml(first, "<QBXML>r1</QBXML>", "", "") == 100
    second, status, *_ = world.login()  # no closeConnection came
    assert status == r"C:\Acme.qbw"
    assert world.session(first).state.phase is Phase.CLOSED
    assert world.service.close_connection(first)  # a late closeConnection still gets a text
    assert world.session(second).state.phase is Phase.AUTHENTICATED
