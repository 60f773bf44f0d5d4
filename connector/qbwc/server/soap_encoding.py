"""Which encoding a SOAP request body is in, decided once, before anything decodes it.

Owns: the one decision every later reader of the body follows (the pre-check of
``connector.qbwc.server.soap_screen`` and spyne, which is handed the body with exactly this
``charset``). Only UTF-8 and UTF-16 are accepted (the Web Connector sends UTF-8; .NET can
send UTF-16); the byte order mark, the byte pattern of ``<`` and the XML declaration must
agree.
Must not: decode the body itself or know the operations.
"""

from __future__ import annotations

import codecs
import re

from connector.qbwc.server.errors import ForbiddenXml

_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_UTF16 = {"utf-16", "utf-16-le", "utf-16-be"}
ACCEPTED = frozenset({"utf-8", *_UTF16})


def sniff_encoding(head: bytes) -> str:
    """The Python codec of a body whose first bytes are ``head`` (``utf-8`` when nothing
    says otherwise, as XML 1.0 appendix F); ``ForbiddenXml`` when they disagree or name
    anything but UTF-8/UTF-16."""
    by_bytes = _by_bytes(head)
    declared = _declared(head, by_bytes)
    if declared is not None:
        canonical = _canonical(declared)
        if canonical not in ACCEPTED:
            raise ForbiddenXml(f"unsupported encoding {declared!r} (only UTF-8 and UTF-16)")
        if (canonical in _UTF16) != (by_bytes in _UTF16):
            raise ForbiddenXml(
                f"the document declares encoding {declared!r} but its bytes are {by_bytes}"
            )
    return by_bytes


def _by_bytes(head: bytes) -> str:
    if head.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")):
        raise ForbiddenXml("unsupported encoding 'UTF-32' (only UTF-8 and UTF-16)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
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
    match = _DECLARED.match(text.removeprefix(b"\xef\xbb\xbf"))
    return None if match is None else match.group(1).decode("ascii")


def _canonical(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()
