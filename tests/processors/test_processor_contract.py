"""One contract, every RequestProcessor: the fake QuickBooks, a replayed cassette, and (marker
``windows``, on the self-hosted runner with QuickBooks Desktop) the COM processor. The same
test body runs against each (STYLE.md 10). On the Windows runner ``QBD_RECORD_DIR`` makes the
COM runs record cassettes of real QuickBooks' answers there.

Run on Windows: ``pytest -m windows tests/processors`` with ``QBD_QUICKBOOKS_COMPANY_FILE``
(the sample company's path). Elsewhere the ``windows`` tests are deselected (pyproject addopts).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from connector.processors.base import FileMode, ProcessorError, RequestProcessor
from connector.processors.registry import AuthPreferences
from connector.qbwc.qwc import Qwc
from qbd_emulator.cassette import RecordingProcessor, ReplayProcessor, load_cassette, save_cassette
from qbd_emulator.generate import generate
from qbd_emulator.processor import FakeQuickBooks

QWC = Qwc(
    app_name="qbd-connector contract", app_url="https://localhost/qbwc",
    app_support="https://localhost/support", user_name="contract",
    owner_id="{9A8A4DFA-9D97-4AAF-A36D-5923707DF5B6}", file_id="{8C1E3D49-5F27-41D6-9B0B-4546E6D80995}",
)  # fmt: skip


def message_set(body: str, version: str = "13.0") -> str:
    return (
        f'<?xml version="1.0" ?><?qbxml version="{version}"?><QBXML>'
        f'<QBXMLMsgsRq onError="stopOnError">{body}</QBXMLMsgsRq></QBXML>'
    )


HOST = message_set('<HostQueryRq requestID="1"/>')
CUSTOMERS = message_set(
    '<CustomerQueryRq requestID="2"><MaxReturned>2</MaxReturned></CustomerQueryRq>'
)
BROKEN = '<?xml version="1.0" ?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq>'


def contract(qb: RequestProcessor, company_file: str = "") -> None:
    qb.open_connection(QWC.app_id, QWC.app_name)
    ticket = qb.begin_session(company_file, FileMode.DO_NOT_CARE)
    try:
        host = qb.process_request(ticket, HOST)
        assert re.search(r'<HostQueryRs[^>]*statusCode="0"', host), host[:300]
        assert "<SupportedQBXMLVersion>13.0</SupportedQBXMLVersion>" in host
        customers = qb.process_request(ticket, CUSTOMERS)
        assert re.search(r'<CustomerQueryRs[^>]*statusCode="(0|1)"', customers)
        assert customers.count("<CustomerRet>") <= 2
        with pytest.raises(ProcessorError) as refused:
            qb.process_request(ticket, BROKEN)
        assert refused.value.hresult == 0x80040400  # PROTOCOL.md 1.8: parse error
        assert qb.get_current_company_file_name(ticket)
    finally:
        qb.end_session(ticket)
        qb.close_connection()


Factory = Callable[[], tuple[RequestProcessor, str]]


def fake() -> tuple[RequestProcessor, str]:
    return FakeQuickBooks(generate(7, "tiny")), ""


def test_the_fake_quickbooks_keeps_the_contract() -> None:
    contract(*fake())


def test_a_replayed_cassette_keeps_the_contract(tmp_path: Path) -> None:
    recorder = RecordingProcessor(fake()[0])
    contract(recorder)
    save_cassette(recorder.interactions, tmp_path / "contract.json")
    replay = ReplayProcessor(load_cassette(tmp_path / "contract.json"))
    contract(replay)
    assert replay.mismatches == [] and replay.unused() == []


@pytest.fixture
def com() -> Iterator[tuple[RequestProcessor, str]]:
    from connector.processors.com import ComProcessor

    company_file = os.environ.get("QBD_QUICKBOOKS_COMPANY_FILE", "")
    if not company_file:
        pytest.fail("the windows tests need QBD_QUICKBOOKS_COMPANY_FILE (see README)")
    prefs = AuthPreferences(unattended_mode="umpOptional", personal_data="pdpNotNeeded")
    yield ComProcessor(prefs, company_file), company_file


@pytest.mark.windows
def test_real_quickbooks_through_com_keeps_the_contract(
    com: tuple[RequestProcessor, str], request: pytest.FixtureRequest
) -> None:
    processor, company_file = com
    record = os.environ.get("QBD_RECORD_DIR")
    recorder = RecordingProcessor(processor) if record else None
    contract(recorder or processor, company_file)
    if recorder is not None and record:
        save_cassette(recorder.interactions, Path(record) / f"{request.node.name}.json")
