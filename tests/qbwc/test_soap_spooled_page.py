"""A page past the front's memory (``SoapFront.in_memory``, issue 12): its bytes wait on disk
while it is read, its text reaches the service as a ``TextSpool`` equal to the page, removed
once answered; a body the front does not take reaches spyne byte for byte from the disk."""

from __future__ import annotations

import tracemalloc
from typing import Any, cast

import pytest
from a2wsgi import WSGIMiddleware
from starlette.types import ASGIApp

from connector.qbwc.server.service import QbwcService
from connector.qbwc.server.soap import guarded_wsgi_app
from connector.qbwc.server.soap_asgi import SoapFront
from connector.qbwc.server.text_spool import IN_MEMORY as IN_MEMORY_DEFAULT
from connector.qbwc.server.text_spool import TextSpool, slices, whole
from connector.settings import Settings
from tests.qbwc.scripted_work import soap_envelope
from tests.qbwc.test_soap_fast import Client, RecordingService, _drive, _page

IN_MEMORY = 4096


class SpoolRecordingService(RecordingService):
    """Records the text a receiveResponseXML carried, and the spool it came in."""

    def __init__(self) -> None:
        super().__init__()
        self.spools: list[TextSpool] = []

    def receive_response_xml(self, *args: Any) -> int:
        ticket, response, hresult, message = args
        if isinstance(response, TextSpool):
            self.spools.append(response)
            assert not response._file.closed
        return super().receive_response_xml(ticket, whole(response), hresult, message)


def _fronts(service: RecordingService) -> tuple[SoapFront, Client]:
    wsgi = guarded_wsgi_app(cast(QbwcService, service), Settings.from_env({}))
    spyne_only: ASGIApp = WSGIMiddleware(wsgi)  # type: ignore[arg-type,assignment]
    front = SoapFront(spyne_only, cast(QbwcService, service), in_memory=IN_MEMORY)
    return front, Client(spyne_only)


@pytest.mark.parametrize("step", [7, 4096, 65536])
def test_a_page_past_the_fronts_memory_reaches_the_service_as_a_spool(step: int) -> None:
    service = SpoolRecordingService()
    front, slow = _fronts(service)
    page = _page(600)
    assert len(page) > 15 * IN_MEMORY
    body = soap_envelope("receiveResponseXML", ticket="t", response=page, hresult="", message="")
    service.answer = "seven"
    status, answer = _drive(front, body, step)
    assert service.calls == [("receive_response_xml", ("t", page, "", ""))]
    (spool,) = service.spools
    assert len(spool) == len(page) and spool._file.closed  # removed once answered
    assert (status, answer) == (200, slow.post("/qbwc", content=body).content)


@pytest.mark.parametrize("step", [7, 65536])
@pytest.mark.parametrize(
    "change",
    [
        (b"&lt;CustomerRet", b"&#60;CustomerRet"),  # the front refuses the text: spyne reads it
        (b"</response>", b"</Response>"),  # a mismatched close
        (b"' \xc3\xa9", b"' \xc3"),  # a UTF-8 sequence cut short
        (b"</soap:Envelope>", b"</soap:Envelope><x/>"),  # something after the envelope
    ],
)
def test_a_body_past_the_fronts_memory_reaches_spyne_as_it_came(
    step: int, change: tuple[bytes, bytes]
) -> None:
    service = SpoolRecordingService()
    front, slow_client = _fronts(service)
    original = soap_envelope("receiveResponseXML", ticket="t", response=_page(300), hresult="",
                             message="")  # fmt: skip
    body = original.replace(*change)
    assert body != original and len(body) > 10 * IN_MEMORY
    service.answer = "z"
    slow = slow_client.post(
        "/qbwc", content=body, headers={"Content-Type": "text/xml; charset=utf-8"}
    )
    slow_calls = list(service.calls)
    service.calls.clear()
    assert _drive(front, body, step) == (slow.status_code, slow.content)
    assert service.calls == slow_calls and not service.spools


class SlicingService(RecordingService):
    """Reads a page's text a slice at a time, as the report path's parser does."""

    def receive_response_xml(self, *args: Any) -> int:
        self.read = sum(len(piece) for piece in slices(args[1], 16 * 1024))
        return 1


def _peak(in_memory: int, body: bytes) -> int:
    service = SlicingService()
    wsgi = guarded_wsgi_app(cast(QbwcService, service), Settings.from_env({}))
    spyne_only: ASGIApp = WSGIMiddleware(wsgi)  # type: ignore[arg-type,assignment]
    front = SoapFront(spyne_only, cast(QbwcService, service), in_memory=in_memory)
    tracemalloc.start()
    try:
        assert _drive(front, body, 65536)[0] == 200
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert service.read > 6_000_000
    return peak


def test_a_large_page_is_read_in_flat_memory() -> None:
    """A 6 MB page (a large company's aged receivables is 9 MB): held in memory it costs its
    raw bytes and its text, about twice its size; spooled, about the front's memory."""
    page = _page(48_000)
    body = soap_envelope("receiveResponseXML", ticket="t", response=page, hresult="", message="")
    spooled, held = _peak(IN_MEMORY_DEFAULT, body), _peak(1 << 40, body)
    assert spooled < 3 * IN_MEMORY_DEFAULT, f"spooled: {spooled / 1e6:.1f} MB"
    assert held > 2 * len(page), f"held: {held / 1e6:.1f} MB"
