"""``connector.qbwc.server.soap_screen``: the body limits per operation and the envelope's shape,
decided while the body arrives (issue 18 item 1)."""

from __future__ import annotations

import io

import pytest

from connector.qbwc.server.errors import BodyTooLarge, ForbiddenXml, MalformedSoap
from connector.qbwc.server.soap_screen import BodyLimits, read_screened
from connector.qbxml.prescan import PrescanLimits
from tests.qbwc.scripted_work import soap_envelope

LIMITS = BodyLimits(response=4 * 1024 * 1024, call=64 * 1024)


class CountingInput(io.BytesIO):
    """A request body that remembers how much of it was read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def screen(body: bytes, declared: int | None = None) -> tuple[str, CountingInput]:
    stream = CountingInput(body)
    screened = read_screened(stream.read, declared, LIMITS, PrescanLimits())
    assert screened.body == body
    return screened.operation, stream


def test_every_call_but_receive_response_xml_has_the_small_limit() -> None:
    big = "x" * (LIMITS.call + 1)
    with pytest.raises(BodyTooLarge) as info:
        screen(soap_envelope("clientVersion", strVersion=big))
    assert info.value.limit == LIMITS.call
    assert screen(soap_envelope("receiveResponseXML", ticket="t", response=big))[0] == (
        "receiveResponseXML"
    )


def test_receive_response_xml_has_the_service_limit() -> None:
    with pytest.raises(BodyTooLarge) as info:
        screen(soap_envelope("receiveResponseXML", response="x" * (LIMITS.response + 1)))
    assert info.value.limit == LIMITS.response


def test_a_declared_length_over_the_call_limit_is_refused_once_the_operation_shows() -> None:
    body = soap_envelope("authenticate", strUserName="u", strPassword="p")
    stream = CountingInput(body + b" " * (LIMITS.call * 4))
    with pytest.raises(BodyTooLarge):
        read_screened(stream.read, len(body) + LIMITS.call * 4, LIMITS, PrescanLimits())
    assert stream.taken <= 64 * 1024  # refused after the first chunk


def test_the_operation_must_show_within_the_call_limit() -> None:
    header = b"<soap:Header>" + b"<h>x</h>" * 9000 + b"</soap:Header>"
    body = soap_envelope("receiveResponseXML", response="x").replace(
        b"<soap:Body>", header + b"<soap:Body>"
    )
    with pytest.raises((BodyTooLarge, ForbiddenXml)):
        screen(body)


def test_an_unknown_operation_is_refused_before_its_body_is_read() -> None:
    body = soap_envelope("dropTables", arg="x" * (1024 * 1024))
    stream = CountingInput(body)
    with pytest.raises(MalformedSoap):
        read_screened(stream.read, None, LIMITS, PrescanLimits())
    assert stream.taken <= 64 * 1024


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"<x/>", id="not-an-envelope"),
        pytest.param(
            b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"/>', id="no-body"
        ),
        pytest.param(
            soap_envelope("getLastError", ticket="t").replace(
                b"</soap:Body>", b"<getLastError xmlns='http://developer.intuit.com/'/></soap:Body>"
            ),
            id="two-operations",
        ),
    ],
)
def test_envelope_shape(body: bytes) -> None:
    with pytest.raises(MalformedSoap):
        screen(body)


def test_tiny_elements_are_refused_at_the_element_limit() -> None:
    body = soap_envelope("receiveResponseXML", ticket="t").replace(
        b"<ticket>", b"<ticket>" + b"<b/>" * 100_000
    )
    stream = CountingInput(body)
    with pytest.raises(ForbiddenXml, match="more than"):
        read_screened(stream.read, None, LIMITS, PrescanLimits())
    assert stream.taken <= 64 * 1024


@pytest.mark.parametrize("declared", [False, True], ids=["chunked", "declared-length"])
def test_a_response_over_the_limit_names_its_ticket(declared: bool) -> None:
    """issue 18 item 2: the session whose page was too large can be told, so it asks again
    smaller; a declared length over the limit is refused once the operation shows."""
    body = soap_envelope("receiveResponseXML", ticket="abc123", response="x" * LIMITS.response)
    stream = CountingInput(body)
    with pytest.raises(BodyTooLarge) as info:
        read_screened(stream.read, len(body) if declared else None, LIMITS, PrescanLimits())
    assert (info.value.operation, info.value.ticket) == ("receiveResponseXML", "abc123")
    assert info.value.limit == LIMITS.response
    if declared:
        assert stream.taken <= 64 * 1024  # refused after the first chunk


def test_other_calls_over_the_limit_name_no_ticket() -> None:
    body = soap_envelope("closeConnection", ticket="abc123" + " " * LIMITS.call)
    with pytest.raises(BodyTooLarge) as info:
        read_screened(CountingInput(body).read, None, LIMITS, PrescanLimits())
    assert info.value.ticket == ""
