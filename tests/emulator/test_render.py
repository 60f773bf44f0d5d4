"""``render``: the answer text is what serialising the lxml ``*Rs`` gave, character for character.

``answer_element`` (an lxml tree) is the reference; ``answer_text`` writes the same
characters with ``encode_text``. Every record of generated files is compared in every
version (pruned below 16.0), without ``encode_text`` ever falling back to lxml.
"""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from connector.qbxml import encode
from connector.qbxml.schema import SUPPORTED_VERSIONS, Schema
from connector.qbxml.values import Status, Value
from qbd_emulator.company import CompanyFile
from qbd_emulator.handlers.context import Reply
from qbd_emulator.handlers.render import answer_element, answer_text, response_document
from tests.emulator.test_processor_support import company, rq, session


def reference(schema: Schema, answer: Reply, request_id: str | None) -> tuple[str, object]:
    try:
        elem = answer_element(schema, answer, request_id)
        return "text", etree.tostring(elem, encoding="unicode")
    except Exception as exc:
        return "error", (type(exc), str(exc))


def written(schema: Schema, answer: Reply, request_id: str | None) -> tuple[str, object]:
    try:
        return "text", answer_text(schema, answer, request_id)
    except Exception as exc:
        return "error", (type(exc), str(exc))


@cache
def response_of(version: str) -> dict[str, str]:
    """``*Ret`` -> the first ``*QueryRs`` (else any ``*Rs``) that carries it."""
    schema = Schema.for_version(version)
    found: dict[str, str] = {}
    for rs in sorted(schema.responses(), key=lambda name: "QueryRs" not in name):
        for spec in schema.children(rs):
            found.setdefault(spec.name, rs)
    return found


def _refuse(*args: object, **kwargs: object) -> etree._Element:
    raise AssertionError("encode_text fell back to encode_element")


@cache
def small(seed: int) -> CompanyFile:
    return company(seed, "small")  # read only here


@pytest.mark.parametrize(
    ("seed", "version"), [*((1, v) for v in SUPPORTED_VERSIONS), (2, SUPPORTED_VERSIONS[-1])]
)
def test_every_generated_record_matches_lxml(seed: int, version: str) -> None:
    schema = Schema.for_version(version)
    comp = small(seed)
    by_rs: dict[str, list[tuple[str, Value]]] = {}
    for records in comp.records.values():
        for record in records.values():
            rs = response_of(version).get(record.ret)
            if rs is not None:
                by_rs.setdefault(rs, []).append((record.ret, record.data))
    assert len(by_rs) > 20
    for rs, rets in by_rs.items():
        answer = Reply(rs, Status(0, "Info", "Status OK"), tuple(rets), len(rets), 0, "{x}")
        expected = reference(schema, answer, "7")
        assert expected[0] == "text", expected
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(encode, "encode_element", _refuse)
            assert answer_text(schema, answer, "7") == expected[1], rs


ATTRIBUTE_TEXT = st.text(
    st.characters(max_codepoint=0x2FF) | st.sampled_from("&<>\"'\r\n\t€\ufffe\ud800"),
    max_size=30,
)


@given(message=ATTRIBUTE_TEXT, request_id=st.none() | ATTRIBUTE_TEXT)
def test_status_attributes_match_lxml(message: str, request_id: str | None) -> None:
    schema = Schema.for_version("16.0")
    answer = Reply("CustomerQueryRs", Status(3120, "Error", message))
    assert written(schema, answer, request_id) == reference(schema, answer, request_id)


def test_response_document() -> None:
    assert response_document([]) == '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs/></QBXML>'
    assert response_document(["<A/>", "<B/>"], new_message_set_id='a"b', message_set_status=0) == (
        '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs newMessageSetID="a&quot;b" '
        'messageSetStatusCode="0"><A/><B/></QBXMLMsgsRs></QBXML>'
    )
    with pytest.raises(ValueError):
        response_document([], new_message_set_id="bad\x01")


def test_a_record_the_encoder_refuses_is_status_1000() -> None:
    """The fake's own fault, with the encoder's reason and path (as before issue 5)."""
    comp = company()
    record = next(iter(comp.records["customers"].values()))
    record.data["Name"] = "Euro € Shop"
    qb, ticket = session(comp)
    body = f'<CustomerQueryRq requestID="a&quot;b"><ListID>{record.data["ListID"]}</ListID></CustomerQueryRq>'
    assert qb.process_request(ticket, rq(body)) == (
        '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><CustomerQueryRs requestID="a&quot;b" '
        'statusCode="1000" statusSeverity="Error" statusMessage="Internal error: '
        "CustomerRet/Name: character '€' (U+20AC) at position 5 is outside ISO-8859-1, which "
        'QuickBooks cannot store (PROTOCOL.md 1.10) (qbXML 16.0)"/></QBXMLMsgsRs></QBXML>'
    )
