"""Message-set error recovery (PROTOCOL.md 1.5; Intuit's ErrRecovery1-3 samples)."""

from __future__ import annotations

from qbd_emulator.processor import FakeQuickBooks
from tests.emulator.test_processor_support import company, responses, root, rq, session, status

ADD = '<CustomerAddRq requestID="1"><CustomerAdd><Name>Recovered Co</Name></CustomerAdd></CustomerAddRq>'


def _msgs(answer: str) -> dict[str, str]:
    msgs = root(answer).find("QBXMLMsgsRs")
    assert msgs is not None
    return dict(msgs.attrib)  # type: ignore[arg-type]


def test_lost_response_is_asked_for_again_not_reprocessed() -> None:
    qb, ticket = session()
    first = qb.process_request(ticket, rq(ADD, msgs_attrs=' newMessageSetID="AB1F2395"'))
    assert _msgs(first)["newMessageSetID"] == "AB1F2395"
    count = qb.company.count("customers")
    # ErrRecovery2: status of the message set
    again = qb.process_request(
        ticket, rq("", msgs_attrs=' oldMessageSetID="AB1F2395" newMessageSetID="AB1F2395"')
    )
    assert _msgs(again)["messageSetStatusCode"] == "0"
    assert [r.findtext("CustomerRet/ListID") for r in responses(again)] == [
        r.findtext("CustomerRet/ListID") for r in responses(first)
    ]
    # the same set resent under the same ID is answered from the store, never run twice
    resent = qb.process_request(ticket, rq(ADD, msgs_attrs=' newMessageSetID="AB1F2395"'))
    assert status(responses(resent)[0]) == 0
    assert qb.company.count("customers") == count
    # the same ID with different requests: checksum mismatch
    other = qb.process_request(
        ticket,
        rq(ADD.replace("Recovered Co", "Other Co"), msgs_attrs=' newMessageSetID="AB1F2395"'),
    )
    assert _msgs(other)["messageSetStatusCode"] == "9001"


def test_recovery_state_survives_sessions_and_clearing() -> None:
    comp = company()
    qb, ticket = session(comp)
    qb.process_request(ticket, rq(ADD, msgs_attrs=' newMessageSetID="set-1"'))
    qb.end_session(ticket)
    qb2 = FakeQuickBooks(comp)
    qb2.open_connection("", "again")
    ticket2 = qb2.begin_session("")
    status_rs = qb2.process_request(
        ticket2, rq("", msgs_attrs=' oldMessageSetID="set-1" newMessageSetID="set-1"')
    )
    assert len(responses(status_rs)) == 1
    # ErrRecovery3: clear the stored state
    cleared = qb2.process_request(ticket2, rq("", msgs_attrs=' oldMessageSetID="set-1"'))
    assert _msgs(cleared)["messageSetStatusCode"] == "0"
    gone = qb2.process_request(
        ticket2, rq("", msgs_attrs=' oldMessageSetID="set-1" newMessageSetID="set-1"')
    )
    assert _msgs(gone)["messageSetStatusCode"] == "9002"


def test_unknown_old_id_and_too_long_ids() -> None:
    qb, ticket = session()
    unknown = qb.process_request(ticket, rq("", msgs_attrs=' oldMessageSetID="never-seen"'))
    assert _msgs(unknown)["messageSetStatusCode"] == "600"
    processed = qb.process_request(
        ticket, rq(ADD, msgs_attrs=' oldMessageSetID="never-seen" newMessageSetID="n2"')
    )
    assert status(responses(processed)[0]) == 0
    too_long = qb.process_request(ticket, rq(ADD, msgs_attrs=' newMessageSetID="' + "x" * 25 + '"'))
    assert _msgs(too_long)["messageSetStatusCode"] == "9004"
    assert responses(too_long) == []


def test_clear_all_message_sets() -> None:
    qb, ticket = session()
    for set_id in ("s1", "s2"):
        qb.process_request(
            ticket, rq(ADD.replace("Recovered", set_id), msgs_attrs=f' newMessageSetID="{set_id}"')
        )
    assert len(qb.company.message_sets) == 2
    cleared = qb.process_request(
        ticket, rq("", msgs_attrs=' oldMessageSetID="ClearAllMessageSets"')
    )
    assert _msgs(cleared)["messageSetStatusCode"] == "0"
    assert qb.company.message_sets == {}
    for set_id in ("s1", "s2"):
        gone = qb.process_request(
            ticket, rq("", msgs_attrs=f' oldMessageSetID="{set_id}" newMessageSetID="{set_id}"')
        )
        assert responses(gone) == []
