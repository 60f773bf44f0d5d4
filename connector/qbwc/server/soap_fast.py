"""Recognising the Web Connector's hot calls on their bytes, and their answers as templates.

Owns: ``recognise``, which reads a request body *only* when it has exactly the shape the
Web Connector writes (``reference/soap``: an XML declaration, one SOAP 1.1 envelope, no
whitespace, the method element in ``http://developer.intuit.com/`` as its default namespace,
every parameter in WSDL order as ``<name>text</name>`` or ``<name />``, text with only the
five predefined entities); and ``answer_envelope``, the bytes spyne writes for a string
result (``soap11env``/``tns`` prefixes, lxml's escaping). Anything else (another layout, a
DTD, a character reference, a carriage return, a body over ``FAST_MAX_BODY``, a method not
in ``FAST_PARAMETERS``) is not recognised, and the caller hands the body to the screened
spyne path unchanged. tests/qbwc/test_soap_fast.py checks both against spyne on recorded
QBWC traffic and generated values.
Must not: do I/O or know what the calls mean (``service`` answers them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from connector.qbwc.server.soap_screen import SOAP_ENV, TNS
from connector.qbxml.leaves import escape_text

FAST_MAX_BODY = 16 * 1024
"""Larger bodies (a first sendRequestXML with its company data, receiveResponseXML) go to
spyne; every no-work call of the Web Connector is well under 1 KiB."""

FAST_PARAMETERS: dict[str, tuple[str, ...]] = {
    "serverVersion": ("strVersion",),
    "clientVersion": ("strVersion",),
    "sendRequestXML": (
        "ticket",
        "strHCPResponse",
        "strCompanyFileName",
        "qbXMLCountry",
        "qbXMLMajorVers",
        "qbXMLMinorVers",
    ),
    "getLastError": ("ticket",),
    "closeConnection": ("ticket",),
}
"""The methods answered without spyne and their parameters in WSDL order."""
INTEGER_PARAMETERS = frozenset({"qbXMLMajorVers", "qbXMLMinorVers"})
OPTIONAL_PARAMETERS = frozenset({"serverVersion"})
"""Methods whose parameters may be left out (serverVersion with or without strVersion)."""

_ENVELOPE = re.compile(
    rb'(?:<\?xml version="1\.0"(?: encoding="(?:utf|UTF)-8")?\?>)?'
    rb"<(?P<p>[A-Za-z][A-Za-z0-9]{0,15}):Envelope xmlns:(?P=p)=\"" + re.escape(SOAP_ENV.encode())
    + rb'"(?: xmlns:xsi="http://www\.w3\.org/2001/XMLSchema-instance")?'
    rb'(?: xmlns:xsd="http://www\.w3\.org/2001/XMLSchema")?>'
    rb"<(?P=p):Body><(?P<op>[A-Za-z]{1,32}) xmlns=\"" + re.escape(TNS.encode())
    + rb'"(?: ?/>|>(?P<params>(?:<[A-Za-z]{1,32}(?: ?/>|>[^<&\r]*(?:&(?:amp|lt|gt|quot|apos);'
    rb"[^<&\r]*)*</[A-Za-z]{1,32}>))*)</(?P=op)>)"
    rb"</(?P=p):Body></(?P=p):Envelope>[ \t\r\n]*",
)  # fmt: skip
_PARAMETER = re.compile(rb"<([A-Za-z]+)(?: ?/>|>([^<]*)</([A-Za-z]+)>)")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_INTEGER = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class FastCall:
    operation: str
    arguments: dict[str, str | int | None]
    """Each parameter as spyne hands it to the method: ``None`` for an empty element."""


def recognise(body: bytes) -> FastCall | None:
    """The call ``body`` carries, if it has the Web Connector's exact shape; else None."""
    if len(body) > FAST_MAX_BODY or b"]]>" in body:
        return None
    found = _ENVELOPE.fullmatch(body)
    if found is None or found["p"] in (b"xsi", b"xsd", b"xmlns", b"xml"):
        return None
    operation = found["op"].decode()
    expected = FAST_PARAMETERS.get(operation)
    if expected is None:
        return None
    arguments: dict[str, str | int | None] = {}
    for item in _PARAMETER.finditer(found["params"] or b""):
        name, raw, closing = (item[1].decode(), item[2], item[3])
        if closing is not None and closing.decode() != name:
            return None
        value = _text(raw)
        if value is _REFUSED:
            return None
        arguments[name] = value if isinstance(value, str) else None
    if tuple(arguments) != expected and not (operation in OPTIONAL_PARAMETERS and not arguments):
        return None
    for name in INTEGER_PARAMETERS & arguments.keys():
        text = arguments[name]
        if text is not None:
            if not isinstance(text, str) or _INTEGER.fullmatch(text) is None:
                return None
            arguments[name] = int(text)
    return FastCall(operation, arguments)


_REFUSED = object()


def _text(raw: bytes | None) -> object:
    """A parameter's text as the XML parser gives it, or ``_REFUSED`` for anything the
    parser would refuse or change (bad UTF-8, characters XML forbids)."""
    if not raw:
        return ""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _REFUSED
    if _NOT_XML.search(text):
        return _REFUSED
    if "&" in text:
        for entity, char in _ENTITIES:
            text = text.replace(entity, char)
    return text


def xml_safe(value: str) -> str:
    """``value`` with every character XML 1.0 cannot carry replaced by U+FFFD (lxml refuses
    them, and spyne then answered an envelope without a Body)."""
    return _NOT_XML.sub("\ufffd", value) if _NOT_XML.search(value) else value


_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    f'<soap11env:Envelope xmlns:soap11env="{SOAP_ENV}" xmlns:tns="{TNS}"><soap11env:Body>'
)
_TAIL = "</soap11env:Body></soap11env:Envelope>"


def answer_envelope(operation: str, value: str) -> bytes:
    """spyne's response to ``operation`` returning the string ``value`` (already
    ``xml_safe``)."""
    return (
        f"{_HEAD}<tns:{operation}Response><tns:{operation}Result>{escape_text(value)}"
        f"</tns:{operation}Result></tns:{operation}Response>{_TAIL}"
    ).encode()


INTERNAL_ERROR = (
    b"<?xml version='1.0' encoding='UTF-8'?>\n<soap11env:Envelope xmlns:soap11env=\""
    + SOAP_ENV.encode()
    + b'"><soap11env:Body><soap11env:Fault><faultcode>soap11env:Server</faultcode>'
    b"<faultstring>Internal Error</faultstring><faultactor></faultactor></soap11env:Fault>"
    b"</soap11env:Body></soap11env:Envelope>"
)
"""spyne's answer (HTTP 500) when the method raised."""
