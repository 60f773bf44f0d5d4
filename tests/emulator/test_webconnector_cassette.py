"""Cassettes of the QuickBooks link: record a live session, replay it strictly in order, and
fail clearly (nearest recorded request, unused interactions) when the replay drifts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.api.app import create_app
from connector.processors.base import ProcessorError
from connector.qbwc.qwc import connection_qwc
from connector.settings import Settings
from connector.store.companies import get_company
from connector.store.db import Database
from qbd_emulator.cassette import (
    CassetteError,
    Interaction,
    ReplayProcessor,
    load_cassette,
    match_exact,
    match_structure,
    save_cassette,
)
from qbd_emulator.child_service import free_port
from qbd_emulator.cli import main
from tests.qbwc.client_server import serve
from tests.qbwc.scripted_work import REQUEST, ScriptedWork, make_connection

Q1 = REQUEST.format(version="13.0", n="a")
Q2 = REQUEST.format(version="13.0", n="b")
ITERATING = Q1.replace("<CustomerQueryRq ", '<CustomerQueryRq iterator="Start" ')
VENDORS = Q1.replace("CustomerQueryRq", "VendorQueryRq")


def test_structure_matcher_ignores_values_not_shape() -> None:
    assert match_structure(Q1, Q2) == (True, "")
    assert match_exact(Q1, Q2)[0] is False
    ok, reason = match_structure(Q1, ITERATING)
    assert not ok and "CustomerQueryRq[Start]" in reason
    assert match_structure(Q1, VENDORS)[0] is False
    assert match_structure(Q1, Q1.replace("13.0", "16.0"))[0] is False


def test_replay_is_strict_and_reports_the_nearest_request() -> None:
    tape = [
        Interaction("open_connection"),
        Interaction("begin_session", "", "{t}"),
        Interaction("process_request", Q1, "<QBXML/>"),
        Interaction("process_request", VENDORS, "", 0x80040400, "parse error"),
        Interaction("end_session"),
    ]
    replay = ReplayProcessor(list(tape))
    replay.open_connection("", "app")
    assert replay.begin_session("") == "{t}"
    assert replay.process_request("{t}", Q2) == "<QBXML/>"
    with pytest.raises(ProcessorError) as info:  # recorded refusals replay as refusals
        replay.process_request("{t}", VENDORS)
    assert info.value.hresult == 0x80040400
    assert [i.call for i in replay.unused()] == ["end_session"]
    with pytest.raises(ProcessorError) as info:
        replay.process_request("{t}", ITERATING)
    assert info.value.hresult == 0x80040402
    assert "recorded end_session, got process_request" in replay.mismatches[0]


def test_a_drifting_request_names_the_nearest_recorded_ones() -> None:
    replay = ReplayProcessor([Interaction("process_request", Q1, "x")])
    with pytest.raises(ProcessorError):
        replay.process_request("t", ITERATING)
    assert "nearest recorded: #0: 13.0 CustomerQueryRq[]" in replay.mismatches[0]
    # Off the tape, the rest winds down without new mismatches.
    replay.end_session("t")
    assert len(replay.mismatches) == 1


def test_cassette_files_round_trip_and_refuse_other_formats(tmp_path: Path) -> None:
    tape = [Interaction("process_request", Q1, "<QBXML/>"), Interaction("end_session")]
    path = tmp_path / "c.json"
    save_cassette(tape, path)
    assert load_cassette(path) == tape
    assert json.loads(path.read_text())["version"] == 1
    path.write_text('{"format": "other"}')
    with pytest.raises(CassetteError):
        load_cassette(path)
    path.write_text("not json")
    with pytest.raises(CassetteError):
        load_cassette(path)


class Service:
    def __init__(self, db: Database, qwc: Path, password: str) -> None:
        self.db, self.qwc, self.password = db, qwc, password

    def run(self, work: ScriptedWork, *extra: str) -> int:
        """One fake Web Connector run against a fresh app (same store) serving ``work``."""
        port = int(self.qwc.read_text().split("localhost:")[1].split("/")[0])
        settings = Settings(database_url="sqlite://", port=port)
        app = create_app(settings, database=self.db, work_source_factory=lambda _d, _s: work)
        args = ["webconnector", "--qwc", str(self.qwc), f"--password={self.password}", "--json"]
        with serve(app, port):
            return main([*args, *extra])


@pytest.fixture
def service(sqlite_db: Database, tmp_path: Path) -> Iterator[Service]:
    settings = Settings(database_url="sqlite://", port=free_port())
    row, password = make_connection(sqlite_db, "Acme")
    qwc = tmp_path / "acme.qwc"
    qwc.write_text(connection_qwc(settings, get_company(sqlite_db, "Acme"), row))
    yield Service(sqlite_db, qwc, password)


def test_record_then_replay_a_live_session(
    service: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tape = tmp_path / "session.json"
    code = service.run(ScriptedWork(per_connection=2), "--size", "tiny", "--record", str(tape))
    recorded = json.loads(capsys.readouterr().out)
    assert code == 0 and recorded["result"] == "done"
    calls = [i.call for i in load_cassette(tape)]
    assert calls[:2] == ["open_connection", "begin_session"]
    assert calls.count("process_request") == 3  # Host/Company/Preferences + two requests
    assert calls[-2:] == ["end_session", "close_connection"]

    code = service.run(ScriptedWork(per_connection=2), "--replay", str(tape))
    replayed = json.loads(capsys.readouterr().out)
    assert code == 0, replayed
    assert replayed["result"] == "done"
    assert replayed["cassette"] == {"mismatches": [], "unused": []}

    code = service.run(ScriptedWork(per_connection=1), "--replay", str(tape))
    short = json.loads(capsys.readouterr().out)
    assert code == 1
    assert short["cassette"]["unused"]  # one recorded request was never asked for

    code = service.run(ScriptedWork(per_connection=3), "--replay", str(tape))
    long = json.loads(capsys.readouterr().out)
    assert code == 1
    assert "recorded end_session, got process_request" in long["cassette"]["mismatches"][0]
