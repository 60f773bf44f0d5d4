"""Which encoding a SOAP request body is in, decided once, before anything decodes it
(issue 18 item 4).

Owns: the one decision every later reader of the body follows: the pre-check of
``connector.qbwc.server.soap_screen`` decodes with it, and spyne is handed the very same bytes with
exactly this codec as their ``charset``. Only UTF-8 and UTF-16 are accepted (the Web
Connector sends UTF-8; .NET can send UTF-16); the HTTP ``charset``, the byte order mark, the
byte pattern of the first ``<`` and the XML declaration must all agree, else the body is
refused. (Before: the check decoded by the declaration and spyne by the HTTP charset, so
``charset=utf-7`` made ``+ADwAeAAvAD4-`` an element for spyne only.)
Must not: decode the body itself or know the operations.
"""

from __future__ import annotations

import codecs
import re

from connector.qbwc.server.errors import ForbiddenXml

_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_CHARSET = re.compile(r"""(?:^|;)\s*charset\s*=\s*["']?([^"';\s]*)""", re.IGNORECASE)
_UTF16 = frozenset({"utf-16", "utf-16-le", "utf-16-be"})
ACCEPTED = frozenset({"utf-8", *_UTF16})


def http_charset(content_type: str) -> str | None:
    """The ``charset`` parameter of a Content-Type header, if it has one."""
    match = _CHARSET.search(content_type)
    return match.group(1) if match and match.group(1) else None


def decide_encoding(head: bytes, charset: str | None = None) -> str:
    """The Python codec of a body whose first bytes are ``head`` and whose HTTP charset is
    ``charset`` (UTF-8 when nothing says otherwise, XML 1.0 appendix F); ``ForbiddenXml``
    when the signs disagree or name anything but UTF-8/UTF-16."""
    by_bytes = _by_bytes(head)
    for source, name in (("HTTP charset", charset), ("XML declaration", _declared(head, by_bytes))):
        if name is None:
            continue
        canonical = _canonical(name)
        if canonical not in ACCEPTED:
            raise ForbiddenXml(f"unsupported {source} {name!r} (only UTF-8 and UTF-16)")
        if not _agrees(canonical, by_bytes, head):
            raise ForbiddenXml(f"the {source} says {name!r} but the body's bytes are {by_bytes}")
    return by_bytes


def spyne_charset(encoding: str, head: bytes) -> str:
    """The charset to hand spyne with the body (it decodes with Python's codecs)."""
    return "utf-8-sig" if encoding == "utf-8" and head.startswith(codecs.BOM_UTF8) else encoding


def _agrees(named: str, by_bytes: str, head: bytes) -> bool:
    if (named in _UTF16) != (by_bytes in _UTF16):
        return False
    if named in ("utf-8", "utf-16"):
        return True
    # A named byte order must be the one the bytes show (a byte order mark included).
    if by_bytes == "utf-16":
        by_bytes = "utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
    return named == by_bytes


def _by_bytes(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF32_BE, codecs.BOM_UTF32_LE)):
        raise ForbiddenXml("unsupported encoding 'UTF-32' (only UTF-8 and UTF-16)")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(b"<\x00"):
        return "utf-16-le"
    if head.startswith(b"\x00<"):
        return "utf-16-be"
    return "utf-8"


def _declared(head: bytes, by_bytes: str) -> str | None:
    text = head
    if by_bytes in _UTF16:
        text = head.decode(by_bytes, errors="replace").encode("ascii", "replace")
    match = _DECLARED.match(text.removeprefix(codecs.BOM_UTF8))
    return None if match is None else match.group(1).decode("ascii")


def _canonical(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()
