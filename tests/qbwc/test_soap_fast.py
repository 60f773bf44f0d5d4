"""The fast path in front of spyne (issue 12) answers byte for byte what spyne answers.

Each request goes once through ``SoapFront`` (fast path, spyne behind it) and once through
the screened spyne endpoint alone, both over the same recording service: the arguments the
service received, the status, the Content-Type and the body must be equal. Requests are the
recorded Web Connector traffic of ``reference/soap`` and generated values; bodies the fast
path does not recognise must reach spyne unchanged (and get the guard's faults).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any, cast

import httpx
import pytest
from a2wsgi import WSGIMiddleware
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from starlette.types import ASGIApp

from connector.api.app import create_app
from connector.qbwc.server.service import QbwcService
from connector.qbwc.server.soap import guarded_wsgi_app
from connector.qbwc.server.soap_asgi import SoapFront
from connector.qbwc.server.soap_fast import (
    FAST_MAX_BODY,
    FAST_PARAMETERS,
    _text,
    recognise,
    xml_safe,
)
from connector.qbwc.server.soap_page import PageText, page_scan
from connector.qbwc.server.soap_screen import DEFAULT_MAX_BODY, TNS
from connector.qbwc.server.text_spool import TextSpool, whole
from connector.secrets import ticket_hash
from connector.settings import Settings
from connector.store import qbwc_sessions
from connector.store.db import Database
from tests.qbwc.scripted_work import ScriptedWork, cheap_hashing, make_connection, soap_envelope
from tests.refpaths import reference_names, reference_path

RECORDED = reference_names("soap")
ANSWERS = ["", "Session closed.", "a&b<c>d]]>'\"", "line\r\nnext\ttab", "é€😀", "\x01\uffff\ud800"]


class RecordingService:
    """Stands in for ``QbwcService``: records each call, answers ``answer``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.answer = ""
        self.fail = False

    def _record(self, name: str, *args: Any) -> str:
        self.calls.append((name, args))
        if self.fail:
            raise RuntimeError("the service failed")
        return self.answer

    def server_version(self) -> str:
        return self._record("server_version")

    def client_version(self, version: str | None) -> str:
        return self._record("client_version", version)

    def send_request_xml(self, *args: Any) -> str:
        return self._record("send_request_xml", *args)

    def get_last_error(self, ticket: str) -> str:
        return self._record("get_last_error", ticket)

    def close_connection(self, ticket: str) -> str:
        return self._record("close_connection", ticket)

    def connection_error(self, *args: Any) -> str:
        return self._record("connection_error", *args)

    def authenticate(self, *args: Any) -> list[str]:
        return [self._record("authenticate", *args), "none", "", "60"]

    def receive_response_xml(self, *args: Any) -> int:
        text = [whole(a) if isinstance(a, TextSpool) else a for a in args]  # a long page's
        return len(self._record("receive_response_xml", *text)) * 7 - 10


class Client:
    """A synchronous face over httpx's ASGI transport (as tests/api/test_core.py)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                return await c.request(method, url, **kwargs)

        return asyncio.run(go())

    def get(self, url: str) -> httpx.Response:
        return self.request("GET", url)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


class Pair:
    """The same service behind the fast front and behind spyne alone."""

    def __init__(self, response_limit: int | None = None) -> None:
        self.service = RecordingService()
        limit = {"soap_max_body_bytes": response_limit} if response_limit else {}
        settings = Settings.from_env({}, **limit)
        wsgi = guarded_wsgi_app(cast(QbwcService, self.service), settings)
        spyne_only: ASGIApp = WSGIMiddleware(wsgi)  # type: ignore[arg-type,assignment]
        front = SoapFront(spyne_only, cast(QbwcService, self.service),
                          response_limit=response_limit or DEFAULT_MAX_BODY)  # fmt: skip
        self.front = front
        self.fast = Client(front)
        self.slow = Client(spyne_only)

    def both(
        self, body: bytes, headers: dict[str, str] | None = None
    ) -> tuple[httpx.Response, httpx.Response]:
        sent = headers or {"Content-Type": "text/xml; charset=utf-8"}
        self.service.calls.clear()
        slow = self.slow.post("/qbwc", content=body, headers=sent)
        slow_calls = list(self.service.calls)
        self.service.calls.clear()
        fast = self.fast.post("/qbwc", content=body, headers=sent)
        assert self.service.calls == slow_calls
        return fast, slow

    def assert_same(self, body: bytes, headers: dict[str, str] | None = None) -> None:
        fast, slow = self.both(body, headers)
        assert fast.status_code == slow.status_code
        assert fast.headers["content-type"] == slow.headers["content-type"]
        assert fast.content == slow.content


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    yield Pair()


@pytest.mark.parametrize("answer", ANSWERS)
@pytest.mark.parametrize("name", RECORDED)
def test_recorded_requests_get_what_spyne_answers(pair: Pair, name: str, answer: str) -> None:
    body = reference_path("soap", name).read_bytes()
    pair.service.answer = answer
    pair.assert_same(body)
    pair.assert_same(body, {"Content-Type": "text/xml", "SOAPAction": f'"{TNS}{_op(body)}"'})


def _op(body: bytes) -> str:
    return body.split(b' xmlns="http://developer.intuit.com/"')[0].rsplit(b"<", 1)[1].decode()


def test_every_fast_method_is_recognised_in_recorded_traffic() -> None:
    bodies = [reference_path("soap", name).read_bytes() for name in RECORDED]
    recognised = {c.operation for body in bodies if (c := recognise(body)) is not None}
    assert recognised == set(FAST_PARAMETERS)
    first = "consolibyte-log-2008/04_sendRequestXML_firstcall_with_strHCPResponse.xml"
    assert recognise(reference_path("soap", first).read_bytes()) is not None  # under 16 KiB


def test_a_failing_service_gets_spynes_fault(pair: Pair) -> None:
    pair.service.fail = True
    try:
        for name in RECORDED:
            pair.assert_same(reference_path("soap", name).read_bytes())
    finally:
        pair.service.fail = False


# any text XML can carry in an element, written as the Web Connector writes it
TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r"), max_size=40)


@settings(max_examples=60, deadline=None)
@given(
    operation=st.sampled_from(sorted(FAST_PARAMETERS)),
    values=st.lists(TEXT, min_size=6, max_size=6),
    answer=TEXT,
)
def test_generated_values_reach_the_service_as_spyne_gives_them(
    pair: Pair, operation: str, values: list[str], answer: str
) -> None:
    names = FAST_PARAMETERS[operation]
    params = dict(zip(names, values, strict=False))
    for name in ("qbXMLMajorVers", "qbXMLMinorVers"):
        if name in params:
            params[name] = str(len(params[name]))
    pair.service.answer = answer
    body = soap_envelope(operation, **params)
    carried = all(xml_safe(value) == value for value in params.values())
    assert (recognise(body) is not None) == carried  # what XML cannot carry goes to spyne
    pair.assert_same(body)


SHAPES = {
    "self-closing-integers": b"<ticket>t</ticket><strHCPResponse /><strCompanyFileName>f"
    b"</strCompanyFileName><qbXMLCountry>US</qbXMLCountry><qbXMLMajorVers />"
    b"<qbXMLMinorVers></qbXMLMinorVers>",
    "leading-zero-integer": b"<ticket>t</ticket><strHCPResponse /><strCompanyFileName />"
    b"<qbXMLCountry /><qbXMLMajorVers>016</qbXMLMajorVers><qbXMLMinorVers>0</qbXMLMinorVers>",
    "integer-too-large": b"<ticket>t</ticket><strHCPResponse /><strCompanyFileName />"
    b"<qbXMLCountry /><qbXMLMajorVers>99999999999</qbXMLMajorVers><qbXMLMinorVers>0"
    b"</qbXMLMinorVers>",
    "parameters-out-of-order": b"<strHCPResponse /><ticket>t</ticket><strCompanyFileName />"
    b"<qbXMLCountry /><qbXMLMajorVers>16</qbXMLMajorVers><qbXMLMinorVers>0</qbXMLMinorVers>",
    "missing-parameters": b"<ticket>t</ticket>",
    "character-reference": b"<ticket>a&#13;&#x41;b</ticket><strHCPResponse /><strCompanyFile"
    b"Name /><qbXMLCountry /><qbXMLMajorVers>1</qbXMLMajorVers><qbXMLMinorVers>0</qbXMLMinor"
    b"Vers>",
    "mismatched-close": b"<ticket>t</strHCPResponse>",
    "unknown-entity": b"<ticket>&evil;</ticket>",
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_other_shapes_of_sendrequestxml(pair: Pair, name: str) -> None:
    head = b'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><sendRequestXML xmlns="http://developer.intuit.com/">'
    pair.assert_same(head + SHAPES[name] + b"</sendRequestXML></soap:Body></soap:Envelope>")


HOSTILE = {
    "dtd": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><soap:Envelope xmlns:soap="'
    b'http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><closeConnection xmlns="http://'
    b'developer.intuit.com/"><ticket>&a;</ticket></closeConnection></soap:Body></soap:Envelope>',
    "wrong-namespace": soap_envelope("closeConnection", ticket="t").replace(
        b"developer.intuit.com", b"example.com"
    ),
    "garbage": b"<not xml",
    "empty": b"",
    "soap-1.2": soap_envelope("serverVersion").replace(
        b"http://schemas.xmlsoap.org/soap/envelope/", b"http://www.w3.org/2003/05/soap-envelope"
    ),
    "prefix-xmlns": soap_envelope("serverVersion").replace(b"soap:", b"xmlns:"),
    "trailing-element": soap_envelope("serverVersion") + b"<x/>",
    "utf-16": soap_envelope("serverVersion").decode().encode("utf-16"),
    "nul-byte": soap_envelope("getLastError", ticket="a\x00b"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_bodies_get_the_guards_answer(pair: Pair, name: str) -> None:
    body = HOSTILE[name]
    assert recognise(body) is None
    pair.assert_same(body)


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/xml; charset=utf-16"},
        {"Content-Type": "text/xml", "SOAPAction": f'"{TNS}authenticate"'},
        {"Content-Type": "application/soap+xml; charset=utf-8"},
    ],
)
def test_headers_that_disagree_go_to_the_guard(pair: Pair, headers: dict[str, str]) -> None:
    pair.assert_same(soap_envelope("closeConnection", ticket="t"), headers)


def test_get_wsdl_and_large_bodies_pass_through(pair: Pair) -> None:
    assert pair.fast.get("/qbwc").content == pair.slow.get("/qbwc").content
    assert pair.fast.get("/qbwc?wsdl").content == pair.slow.get("/qbwc?wsdl").content
    pair.service.answer = "ok"
    big = soap_envelope("getLastError", ticket="x" * 70_000)  # read past the fast limit
    pair.assert_same(big)


def test_the_real_app_answers_no_work_calls_and_persists_sessions(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    cheap_hashing(monkeypatch)
    row, password = make_connection(sqlite_db, "Fast Co")
    work = ScriptedWork(has_work=False)
    app = create_app(Settings.from_env({}, database_url="sqlite://"), database=sqlite_db,
                     work_source_factory=lambda _d, _s: work)  # fmt: skip
    client = Client(app)

    def call(operation: str, **params: str) -> str:
        reply = client.post("/qbwc", content=soap_envelope(operation, **params),
                            headers={"Content-Type": "text/xml; charset=utf-8"})  # fmt: skip
        assert reply.status_code == 200, reply.text
        return reply.text

    assert "serverVersionResult" in call("serverVersion")
    reply = call("authenticate", strUserName=row.username, strPassword=password)
    ticket = reply.split("<tns:string>")[1].split("<")[0]
    assert "<tns:string>none</tns:string>" in reply
    assert ">No data to exchange now.<" in call("closeConnection", ticket=ticket)
    assert "<tns:sendRequestXMLResult></tns:sendRequestXMLResult>" in call(
        "sendRequestXML", ticket=ticket, strHCPResponse="", strCompanyFileName="c",
        qbXMLCountry="US", qbXMLMajorVers="16", qbXMLMinorVers="0",
    )  # fmt: skip
    with sqlite_db.begin() as conn:
        stored = qbwc_sessions.load_session(conn, ticket_hash(ticket))
    assert stored is not None and stored.state.phase.value == "closed"
    assert stored.served_by is not None


def _page(records: int) -> str:
    rets = "".join(
        f"<CustomerRet><ListID>80{i:06d}-1700000000</ListID><Name>A &amp; B {i} &lt;x&gt;"
        f"</Name><Note>\"q\" 'a' é€😀 ]]&gt;</Note></CustomerRet>"
        for i in range(records)
    )
    return (
        '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><CustomerQueryRs requestID="1" '
        f'statusCode="0" iteratorRemainingCount="0">{rets}</CustomerQueryRs></QBXMLMsgsRs></QBXML>'
    )


def test_a_page_past_the_small_limit_is_taken_on_the_fast_path(pair: Pair) -> None:
    page = _page(5000)  # about 700 KB escaped, read in many chunks
    body = soap_envelope("receiveResponseXML", ticket="t", response=page, hresult="", message="")
    assert len(body) > 40 * 16 * 1024
    call = recognise(body, response_limit=len(body))
    assert call is not None and call.arguments["response"] == page
    assert recognise(body) is None  # over the small limit unless the response limit is given
    pair.service.answer = "seven"
    pair.assert_same(body)
    assert pair.service.calls == [("receive_response_xml", ("t", page, "", ""))]


def test_a_page_over_the_response_limit_gets_the_guards_answer() -> None:
    small = Pair(response_limit=200_000)
    body = soap_envelope("receiveResponseXML", ticket="t", response=_page(2000), hresult="",
                         message="")  # fmt: skip
    assert len(body) > 200_000
    small.service.answer = "x"
    fast, slow = small.both(body)
    assert fast.status_code == slow.status_code == 200  # the page is recorded as lost
    assert fast.content == slow.content
    assert small.service.calls and small.service.calls[0][0] == "receive_response_xml"
    assert small.service.calls[0][1][1] == ""  # the service got no page, only why


def test_a_declared_length_over_the_limit_goes_to_the_guard() -> None:
    small = Pair(response_limit=100_000)
    body = soap_envelope("receiveResponseXML", ticket="t", response=_page(300), hresult="",
                         message="")  # fmt: skip
    assert 16 * 1024 < len(body) < 100_000
    small.service.answer = "y"
    small.assert_same(body)  # within the limit: both take it
    assert small.service.calls[0][1][1] != ""


@pytest.mark.parametrize(
    "change",
    [
        (b"&lt;CustomerRet", b"&#60;CustomerRet"),  # a character reference
        (b"</response>", b"</Response>"),  # a mismatched close
        (b"<hresult></hresult>", b"<hresult></hresult><hresult></hresult>"),  # a parameter twice
        (b"Customer", b"Cus\rtomer"),  # a carriage return (the parser would change it)
        (b"&lt;CustomerRet", b"&nbsp;CustomerRet"),  # an entity XML does not predefine
        (b"</soap:Envelope>", b"</soap:Envelope><x/>"),  # something after the envelope
    ],
)
def test_large_pages_of_other_shapes_go_to_spyne(pair: Pair, change: tuple[bytes, bytes]) -> None:
    body = soap_envelope("receiveResponseXML", ticket="t", response=_page(1000), hresult="",
                         message="")  # fmt: skip
    changed = body.replace(*change)
    assert changed != body
    assert recognise(changed, response_limit=len(changed)) is None
    pair.service.answer = "z"
    pair.assert_same(changed)


@pytest.mark.parametrize("step", [1, 7, 4096])
def test_a_page_scan_follows_the_shape_across_any_chunking(step: int) -> None:
    body = soap_envelope("receiveResponseXML", ticket="t", response=_page(200), hresult="1",
                         message="m")  # fmt: skip
    head, rest = body[: FAST_MAX_BODY + 1], body[FAST_MAX_BODY + 1 :]
    scan = page_scan(head)
    assert scan is not None
    assert all(scan.feed(rest[i : i + step]) for i in range(0, len(rest), step))
    hostile = head + rest.replace(b"&lt;/Name&gt;", b"<b/>", 1)
    scan = page_scan(hostile[: FAST_MAX_BODY + 1])
    fed = [scan.feed(hostile[i : i + step]) for i in range(FAST_MAX_BODY + 1, len(hostile), step)]
    assert scan is not None and False in fed  # refused at the chunk that shows the element
    assert page_scan(soap_envelope("getLastError", ticket="x" * 20_000)) is None
    assert page_scan(body.replace(b"&lt;/Name&gt;", b"<b/>", 1)[: FAST_MAX_BODY + 1]) is None


PIECES = ["a", "é", "😀", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&", "&#60;", "&nbsp;",
          ">", "]]>", "\r", "\n", "\t", "\x01", "\x7f", "\ufffe", "\uffff", "\ud7ff", "\ue000"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12), st.sampled_from(["", "\udc80"]))
def test_a_parameter_text_taken_is_what_lxml_reads(pieces: list[str], bad: str) -> None:
    """Whatever the fast path takes as a parameter's text is what an XML parser reads there
    (anything else it refuses, and the body goes to spyne)."""
    raw = ("".join(pieces) + bad).encode("utf-8", errors="surrogatepass")
    taken = _text(raw)
    body = soap_envelope("closeConnection", ticket="T").replace(b">T<", b">" + raw + b"<")
    call = recognise(body)
    assert (call is not None) == (isinstance(taken, str) and b"]]>" not in raw)
    if call is None:
        return
    assert call.arguments["ticket"] == taken
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    assert (etree.fromstring(b"<r>" + raw + b"</r>", parser).text or "") == taken


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from([*PIECES, "]", "]]", "&am", "&quo"]), max_size=16),
    st.lists(st.integers(min_value=0, max_value=80), max_size=6),
)
def test_a_page_text_read_in_chunks_is_the_text_read_whole(
    pieces: list[str], cuts: list[int]
) -> None:
    """However the chunks split an entity, a UTF-8 sequence or a "]]>", ``PageText`` takes
    what ``_text`` takes from the whole and refuses what it (or ``recognise``) refuses."""
    raw = "".join(pieces).encode("utf-8", errors="surrogatepass")
    whole = _text(raw)
    reader = PageText()
    edges = sorted({0, len(raw), *(c for c in cuts if c < len(raw))})
    fed = [reader.feed(raw[a:b]) for a, b in itertools.pairwise(edges)]
    taken = all(fed) and reader.finish()
    assert taken == (isinstance(whole, str) and b"]]>" not in raw)
    if taken:
        assert reader.text() == whole


SPLIT = [b"a]]>b", b"]]&gt;]>", b"x&amp;y&quot;z&apos;&lt;&gt;", "é€😀&lt;".encode(), b"&amp",
         b"&quot", b"a&b", "\ufffe".encode(), b"\xc3", b"q\x01", b"a\rb", b"&#60;"]  # fmt: skip


@pytest.mark.parametrize("raw", SPLIT)
def test_every_split_of_a_text_in_two_or_three_reads_as_the_whole(raw: bytes) -> None:
    whole = _text(raw)
    expected = whole if isinstance(whole, str) and b"]]>" not in raw else None
    for i in range(len(raw) + 1):
        for j in range(i, len(raw) + 1):
            reader = PageText()
            taken = all([reader.feed(raw[:i]), reader.feed(raw[i:j]), reader.feed(raw[j:])])
            taken = taken and reader.finish()
            assert (reader.text() if taken else None) == expected, (raw, i, j)


def _drive(front: SoapFront, body: bytes, step: int) -> tuple[int, bytes]:
    """POST ``body`` to ``front`` in chunks of ``step`` bytes, as a server reads a socket."""
    sent: list[dict[str, Any]] = []
    starts = iter(range(0, len(body), step))

    async def receive() -> dict[str, Any]:
        at = next(starts)
        return {"type": "http.request", "body": body[at : at + step],
                "more_body": at + step < len(body)}  # fmt: skip

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/qbwc", "raw_path": b"/qbwc", "root_path": "", "query_string": b"",
             "server": ("test", 80), "client": ("127.0.0.1", 5000),
             "headers": [(b"host", b"test"), (b"content-type", b"text/xml; charset=utf-8"),
                         (b"content-length", str(len(body)).encode())]}  # fmt: skip
    asyncio.run(front(scope, receive, send))  # type: ignore[arg-type]
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


@pytest.mark.parametrize("step", [7, 4096, 65536])
def test_a_page_in_many_chunks_reaches_the_service_whole(pair: Pair, step: int) -> None:
    page = _page(2000)
    body = soap_envelope("receiveResponseXML", ticket="t", response=page, hresult="", message="")
    pair.service.answer = "seven"
    pair.service.calls.clear()
    status, answer = _drive(pair.front, body, step)
    assert pair.service.calls == [("receive_response_xml", ("t", page, "", ""))]
    assert (status, answer) == (200, pair.slow.post("/qbwc", content=body).content)


@pytest.mark.parametrize("step", [7, 65536])
@pytest.mark.parametrize(
    "change",
    [
        (b"&lt;CustomerRet", b"&#60;CustomerRet"),
        (b"Customer", b"Cus\rtomer"),
        (b"' \xc3\xa9", b"' \xc3"),  # a UTF-8 sequence cut short
        (b"]]&amp;gt;", b"]]>"),
    ],
)
def test_a_page_whose_text_is_refused_in_chunks_gets_spynes_answer(
    pair: Pair, step: int, change: tuple[bytes, bytes]
) -> None:
    original = soap_envelope("receiveResponseXML", ticket="t", response=_page(500), hresult="",
                             message="")  # fmt: skip
    body = original.replace(*change)
    assert body != original
    pair.service.answer = "z"
    pair.service.calls.clear()
    slow = pair.slow.post(
        "/qbwc", content=body, headers={"Content-Type": "text/xml; charset=utf-8"}
    )
    slow_calls = list(pair.service.calls)
    pair.service.calls.clear()
    assert _drive(pair.front, body, step) == (slow.status_code, slow.content)
    assert pair.service.calls == slow_calls
