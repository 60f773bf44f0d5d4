"""Recognising the Web Connector's hot calls on their bytes, and their answers as templates.

Owns: ``recognise``, which reads a request body *only* when it has exactly the shape the
Web Connector writes (``reference/soap``: an XML declaration, one SOAP 1.1 envelope, no
whitespace, the method element in ``http://developer.intuit.com/`` as its default namespace,
every parameter in WSDL order as ``<name>text</name>`` or ``<name />``, text with only the
five predefined entities); and ``answer_envelope``, the bytes spyne writes for a string,
integer or string-array result (``soap11env``/``tns`` prefixes, lxml's escaping). Anything
else (another layout, a DTD, a character reference, a carriage return, a body over
``FAST_MAX_BODY`` or, for receiveResponseXML, over the service's response limit, a method
not in ``FAST_PARAMETERS``) is not recognised, and the caller hands the body to the
screened spyne path unchanged. A receiveResponseXML over ``FAST_MAX_BODY`` is read as it
arrives (``soap_page``) and recognised here with its response text left out. Since the pages
of a sync ride on receiveResponseXML, its guard screen and spyne parse were a quarter of the
service's CPU in a medium sync (py-spy, issue 12): here a page costs a few scans in C.
tests/qbwc/test_soap_fast.py checks both against spyne on recorded QBWC traffic and generated
values.
Must not: do I/O or know what the calls mean (``service`` answers them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from connector.qbwc.server.soap_screen import SOAP_ENV, TNS
from connector.qbxml.leaves import escape_text

FAST_MAX_BODY = 16 * 1024
"""Calls larger than this go to spyne, except receiveResponseXML (``recognise``'s
``response_limit``); every other call of the Web Connector is well under it (a first
sendRequestXML with its company data is a few KiB)."""
LARGE_OPERATION = "receiveResponseXML"

FAST_PARAMETERS: dict[str, tuple[str, ...]] = {
    "serverVersion": ("strVersion",),
    "clientVersion": ("strVersion",),
    "authenticate": ("strUserName", "strPassword"),
    "sendRequestXML": (
        "ticket",
        "strHCPResponse",
        "strCompanyFileName",
        "qbXMLCountry",
        "qbXMLMajorVers",
        "qbXMLMinorVers",
    ),
    "receiveResponseXML": ("ticket", "response", "hresult", "message"),
    "getLastError": ("ticket",),
    "closeConnection": ("ticket",),
}
"""The methods answered without spyne and their parameters in WSDL order."""
INTEGER_PARAMETERS = frozenset({"qbXMLMajorVers", "qbXMLMinorVers"})
OPTIONAL_PARAMETERS = frozenset({"serverVersion"})
"""Methods whose parameters may be left out (serverVersion with or without strVersion)."""

_START = re.compile(
    rb'(?:<\?xml version="1\.0"(?: encoding="(?:utf|UTF)-8")?\?>)?'
    rb"<(?P<p>[A-Za-z][A-Za-z0-9]{0,15}):Envelope xmlns:(?P=p)=\"" + re.escape(SOAP_ENV.encode())
    + rb'"(?: xmlns:xsi="http://www\.w3\.org/2001/XMLSchema-instance")?'
    rb'(?: xmlns:xsd="http://www\.w3\.org/2001/XMLSchema")?>'
    rb"<(?P=p):Body><(?P<op>[A-Za-z]{1,32}) xmlns=\"" + re.escape(TNS.encode())
    + rb'"(?P<empty> ?/)?>',
)  # fmt: skip
_OPEN = re.compile(rb"<([A-Za-z]{1,32})( ?/)?>")
_TRAILING = frozenset(b" \t\r\n")
_ENTITIES = ((b"&lt;", b"<"), (b"&gt;", b">"), (b"&quot;", b'"'), (b"&apos;", b"'"))
_CONTROLS = bytes(c for c in range(0x20) if c not in b"\t\n\r")
"""The C0 controls XML 1.0 forbids (tab, line feed and carriage return aside)."""
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_INTEGER = re.compile(r"[0-9]{1,9}")


def opens(head: bytes, operation: str) -> bool:
    """``head`` starts a call of ``operation`` in the Web Connector's shape."""
    found = _START.match(head)
    return found is not None and found["op"] == operation.encode()


@dataclass(frozen=True)
class FastCall:
    operation: str
    arguments: dict[str, str | int | None]
    """Each parameter's text (``""`` for an empty element), an integer parameter as int."""


def recognise(body: bytes, response_limit: int = FAST_MAX_BODY) -> FastCall | None:
    """The call ``body`` carries, if it has the Web Connector's exact shape; else None.
    receiveResponseXML may be up to ``response_limit`` bytes, every other call
    ``FAST_MAX_BODY``. Linear in the body: a few scans in C, no parser, no backtracking."""
    found = _START.match(body)
    if found is None or found["p"] in (b"xsi", b"xsd", b"xmlns", b"xml") or b"]]>" in body:
        return None
    operation = found["op"].decode()
    expected = FAST_PARAMETERS.get(operation)
    limit = response_limit if operation == LARGE_OPERATION else FAST_MAX_BODY
    if expected is None or len(body) > limit:
        return None
    tail = b"</" + found["p"] + b":Body></" + found["p"] + b":Envelope>"
    if found["empty"] is None:
        tail = b"</" + found["op"] + b">" + tail
    end = len(body)
    while end and body[end - 1] in _TRAILING:  # no copy of a page to strip a newline
        end -= 1
    if not body.startswith(tail, end - len(tail)) or end - len(tail) < found.end():
        return None
    arguments = _parameters(body, found.end(), end - len(tail))
    if arguments is None:
        return None
    if tuple(arguments) != expected and not (operation in OPTIONAL_PARAMETERS and not arguments):
        return None
    for name in INTEGER_PARAMETERS & arguments.keys():
        text = arguments[name]
        if text is not None:
            if not isinstance(text, str) or _INTEGER.fullmatch(text) is None:
                return None
            arguments[name] = int(text)
    return FastCall(operation, arguments)


def _parameters(body: bytes, pos: int, end: int) -> dict[str, str | int | None] | None:
    """``<name>text</name>`` or ``<name />`` elements filling ``body[pos:end]`` exactly,
    each name once (an empty one as ``""``); None for anything else."""
    arguments: dict[str, str | int | None] = {}
    while pos < end:
        item = _OPEN.match(body, pos, end)
        if item is None or item[1].decode() in arguments:
            return None
        pos, value = item.end(), ""
        if item[2] is None:
            stop = body.find(b"<", pos, end)
            close = b"</" + item[1] + b">"
            if stop < 0 or not body.startswith(close, stop) or stop + len(close) > end:
                return None
            text, pos = _text(body[pos:stop]), stop + len(close)
            if not isinstance(text, str):
                return None
            value = text
        arguments[item[1].decode()] = value
    return arguments


_REFUSED = object()


def _text(raw: bytes) -> object:
    """A parameter's text as the XML parser gives it, or ``_REFUSED`` for anything the
    parser would refuse or change (bad UTF-8, characters XML forbids, a carriage return,
    a character or unknown entity reference). Checked on the bytes, in C, a few passes over
    them; a page's text (megabytes) is checked as it arrives instead (``soap_page.PageText``,
    the same rules chunk by chunk)."""
    if not raw:
        return ""
    plain = unescaped(raw)
    if plain is None:
        return _REFUSED
    try:
        text = plain.decode("utf-8")  # strict: refuses encoded surrogates too
    except UnicodeDecodeError:
        return _REFUSED
    return text if xml_characters(text) else _REFUSED


def xml_characters(text: str) -> bool:
    """``text`` (decoded, strict UTF-8) holds neither of the two noncharacters XML 1.0
    forbids, the only other characters valid UTF-8 can carry that it forbids (an ASCII
    text answers at once: the search stops at its widest character)."""
    return "\ufffe" not in text and "\uffff" not in text


def unescaped(raw: bytes) -> bytes | None:
    """``raw`` with the five predefined entities replaced; None for a carriage return, a
    control XML forbids, or a character or unknown entity reference. Its UTF-8 and the two
    noncharacters (``xml_characters``) are the caller's to check: ``_text`` whole,
    ``soap_page`` by chunk."""
    if b"\r" in raw or len(raw.translate(None, _CONTROLS)) != len(raw):
        return None
    if b"&" in raw:
        for entity, char in _ENTITIES:
            if entity in raw:
                raw = raw.replace(entity, char)
        if raw.count(b"&") != raw.count(b"&amp;"):
            return None
        raw = raw.replace(b"&amp;", b"&")
    return raw


def xml_safe(value: str) -> str:
    """``value`` with every character XML 1.0 cannot carry replaced by U+FFFD (lxml refuses
    them, and spyne then answered an envelope without a Body)."""
    return _NOT_XML.sub("\ufffd", value) if _NOT_XML.search(value) else value


_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    f'<soap11env:Envelope xmlns:soap11env="{SOAP_ENV}" xmlns:tns="{TNS}"><soap11env:Body>'
)
_TAIL = "</soap11env:Body></soap11env:Envelope>"


def answer_envelope(operation: str, value: str | int | Sequence[str]) -> bytes:
    """spyne's response to ``operation`` returning ``value``: a string (already
    ``xml_safe``), an integer (receiveResponseXML) or authenticate's ``ArrayOfString``."""
    if isinstance(value, str):
        result = escape_text(value)
    elif isinstance(value, int):
        result = str(value)
    else:
        result = "".join(f"<tns:string>{escape_text(item)}</tns:string>" for item in value)
    element = f"tns:{operation}Result"
    # spyne writes an empty string in full and an empty array as an empty element
    empty = not result and not isinstance(value, str)
    inner = f"<{element}/>" if empty else f"<{element}>{result}</{element}>"
    return f"{_HEAD}<tns:{operation}Response>{inner}</tns:{operation}Response>{_TAIL}".encode()


INTERNAL_ERROR = (
    b"<?xml version='1.0' encoding='UTF-8'?>\n<soap11env:Envelope xmlns:soap11env=\""
    + SOAP_ENV.encode()
    + b'"><soap11env:Body><soap11env:Fault><faultcode>soap11env:Server</faultcode>'
    b"<faultstring>Internal Error</faultstring><faultactor></faultactor></soap11env:Fault>"
    b"</soap11env:Body></soap11env:Envelope>"
)
"""spyne's answer (HTTP 500) when the method raised."""
