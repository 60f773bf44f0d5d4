"""What a replayed request must match (``qbd_emulator.cassette_match``): values that differ
between connections and times are left out, everything else counts to the byte."""

from __future__ import annotations

from qbd_emulator.cassette import Interaction, ReplayProcessor
from qbd_emulator.cassette_match import Identity, map_request_ids, match_request

OLD, NEW = "{11111111-1111-1111-1111-111111111111}", "{22222222-2222-2222-2222-222222222222}"
QUERY = (
    '<?xml version="1.0" ?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
    '<InvoiceQueryRq requestID="{rid}"><ModifiedDateRangeFilter><FromModifiedDate>{when}'
    "</FromModifiedDate></ModifiedDateRangeFilter><MaxReturned>50</MaxReturned></InvoiceQueryRq>"
    "</QBXMLMsgsRq></QBXML>"
)


def _query(rid: str = "1.invoices", when: str = "2026-01-05T09:00:00-05:00") -> str:
    return QUERY.format(rid=rid, when=when)


def test_request_ids_and_times_do_not_count_but_every_other_byte_does() -> None:
    assert match_request(_query(), _query("7.invoices", "2027-03-01T10:11:12+01:00")) == (True, "")
    ok, reason = match_request(_query(), _query().replace(">50<", ">51<"))
    assert not ok
    assert reason == (
        "the request differs at line 6: recorded 'QBXML/QBXMLMsgsRq/InvoiceQueryRq/MaxReturned"
        " = 50', got 'QBXML/QBXMLMsgsRq/InvoiceQueryRq/MaxReturned = 51'"
    )
    assert not match_request(_query(), _query().replace("16.0", "15.0"))[0]
    assert not match_request(_query(), _query().replace("stopOnError", "continueOnError"))[0]


def test_answers_take_the_replaying_request_ids_and_guids() -> None:
    answer = f'<InvoiceQueryRs requestID="1.invoices" statusCode="0"><X>{OLD}</X></InvoiceQueryRs>'
    mapped = map_request_ids(answer, _query(), _query("3.invoices"))
    assert 'requestID="3.invoices"' in mapped
    identity = Identity({OLD.upper(): NEW})
    assert NEW in identity.response(mapped) and OLD not in identity.response(mapped)
    assert identity.request(f"<OwnerID>{NEW.lower()}</OwnerID>") == f"<OwnerID>{OLD}</OwnerID>"


def test_bind_maps_the_recorded_file_id() -> None:
    company = (
        f"<CompanyRet><DataExtRet><OwnerID>{OLD}</OwnerID><DataExtName>FileID</DataExtName>"
        f"<DataExtValue>{OLD.replace('1', '3')}</DataExtValue></DataExtRet></CompanyRet>"
    )
    replay = ReplayProcessor([Interaction("process_request", _query(), company)])
    replay.bind(OLD, NEW)  # same OwnerID, another connection's FileID
    answer = replay.process_request("t", _query("9.invoices"))
    assert f"<OwnerID>{OLD}</OwnerID>" in answer and f"<DataExtValue>{NEW}<" in answer
