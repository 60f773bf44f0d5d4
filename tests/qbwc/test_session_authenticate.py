"""The pure authenticate decision (PROTOCOL.md 1.3, 1.5) and clientVersion's answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from connector.qbwc.server.authenticate import (
    AuthFacts,
    auth_result,
    client_version_reply,
    decide_authenticate,
)
from connector.qbwc.server.session import CloseReason, EndWork, Phase, SessionState

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
FACTS = AuthFacts(
    ticket="n" * 32,
    ticket_hash="N" * 64,
    credentials_ok=True,
    connection_id="c1",
    company_id="co1",
    min_run_every_seconds=3600,
)


def other(phase: Phase, *, expired: bool = False) -> SessionState:
    expires = NOW - timedelta(seconds=1) if expired else NOW + timedelta(minutes=10)
    return SessionState(
        ticket_hash="o" * 64,
        connection_id="c1",
        company_id="co1",
        phase=phase,
        created_at=NOW - timedelta(minutes=5),
        updated_at=NOW - timedelta(minutes=1),
        expires_at=expires,
        ttl_seconds=1800,
        began=True,
    )


def test_result_array_shapes() -> None:
    assert auth_result("t", "nvu") == ("t", "nvu")
    assert auth_result("t", "none", 300) == ("t", "none", "300")
    assert auth_result("t", "", None, 60) == ("t", "", "", "60")


def test_bad_credentials_store_nothing() -> None:
    decision = decide_authenticate(replace(FACTS, credentials_ok=False), [], NOW)
    assert decision.result == ("n" * 32, "nvu") and decision.session is None


def test_normal_session_returns_bound_path_and_min_run() -> None:
    facts = replace(FACTS, company_file_path=r"C:\co.qbw")
    decision = decide_authenticate(facts, [], NOW)
    assert decision.result == ("n" * 32, r"C:\co.qbw", "", "3600")
    assert decision.session is not None and decision.session.phase is Phase.AUTHENTICATED
    assert decision.session.expires_at == NOW + timedelta(seconds=facts.ttl_seconds)


@pytest.mark.parametrize(
    ("facts", "postpone"),
    [
        pytest.param(replace(FACTS, paused=True), "", id="paused"),
        pytest.param(replace(FACTS, window_opens_in=7200), "7200", id="outside-window"),
        pytest.param(replace(FACTS, has_work=False), "", id="no-work"),
    ],
)
def test_none_cases(facts: AuthFacts, postpone: str) -> None:
    decision = decide_authenticate(facts, [], NOW)
    assert decision.result == ("n" * 32, "none", postpone, "3600")
    assert decision.session is not None and decision.session.phase is Phase.DONE
    assert not decision.session.has_work


@pytest.mark.parametrize("phase", [Phase.AUTHENTICATED, Phase.READY])
def test_busy_when_another_session_is_live(phase: Phase) -> None:
    decision = decide_authenticate(FACTS, [other(phase)], NOW)
    assert decision.status == "busy" and decision.superseded == ()
    assert decision.result[2] == str(FACTS.busy_postpone_seconds)


@pytest.mark.parametrize(
    ("phase", "idle_minutes"),
    [
        pytest.param(Phase.READY, 3, id="ready"),
        pytest.param(Phase.AUTHENTICATED, 11, id="authenticated"),
    ],
)
def test_an_abandoned_session_is_replaced_not_busy(phase: Phase, idle_minutes: int) -> None:
    stale = replace(other(phase), updated_at=NOW - timedelta(minutes=idle_minutes))
    decision = decide_authenticate(FACTS, [stale], NOW)
    assert decision.status == ""
    (old,) = decision.superseded
    assert old.state.phase is Phase.CLOSED
    assert old.effects == (EndWork(CloseReason.SUPERSEDED),)


def test_busy_when_another_call_is_being_worked_on() -> None:
    facts = replace(FACTS, other_call_running=True)
    assert decide_authenticate(facts, [other(Phase.AWAITING_RESPONSE)], NOW).status == "busy"


def test_lost_response_is_detected_and_the_old_session_closed() -> None:
    facts = replace(FACTS, has_work=False)  # recovery counts as work
    decision = decide_authenticate(facts, [other(Phase.AWAITING_RESPONSE)], NOW)
    assert decision.status == "" and decision.session is not None
    (old,) = decision.superseded
    assert old.state.phase is Phase.CLOSED
    assert old.effects == (EndWork(CloseReason.LOST_RESPONSE),)


@pytest.mark.parametrize("phase", [Phase.DONE, Phase.ERROR])
def test_sessions_waiting_for_close_are_dropped(phase: Phase) -> None:
    decision = decide_authenticate(FACTS, [other(phase)], NOW)
    assert decision.status == "" and decision.superseded[0].state.phase is Phase.CLOSED


def test_an_expired_live_session_does_not_make_busy() -> None:
    decision = decide_authenticate(FACTS, [other(Phase.READY, expired=True)], NOW)
    assert decision.status == ""
    assert decision.superseded[0].state.phase is Phase.EXPIRED


@pytest.mark.parametrize(
    ("version", "answer"),
    [
        pytest.param(None, "", id="absent"),
        pytest.param("2.3.0.215", "", id="newer"),
        pytest.param("2.1.0.30", "", id="equal"),
        pytest.param("2.0.0.116", "O:2.1.0.30", id="older"),
        pytest.param(
            "1.5",
            "E:This service needs QuickBooks Web Connector 2.1.0.30 or later.",
            id="major-older",
        ),
        pytest.param(
            "banana",
            "W:Unrecognised Web Connector version 'banana'; continue at your own risk.",
            id="garbage",
        ),
    ],
)
def test_client_version(version: str | None, answer: str) -> None:
    assert client_version_reply(version, "2.1.0.30") == answer


def test_client_version_refuses_a_bad_minimum() -> None:
    with pytest.raises(ValueError, match=r"not N\.N\.N\.N"):
        client_version_reply("2.0", "x.y")
