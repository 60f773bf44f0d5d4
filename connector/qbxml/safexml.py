"""The one safe door to the XML parser: every lxml parser in the code base is built here.
About 310 lines: every parser and every limit behind one door, on purpose (STYLE.md).

Owns: turning untrusted bytes (qbXML responses, SOAP bodies, QWC files, requests reaching the
fake QuickBooks) into lxml elements, with these guarantees:

- no DOCTYPE at all (so no DTD, no entity declarations, no external entities): refused with
  ``XmlSecurityError`` before libxml2 sees the declaration (and checked again on the tree);
- no entity resolution, no network access, no DTD loading, ``huge_tree=False`` (libxml2's
  default depth and text-size limits stay on);
- a byte limit counted while reading: the source is read in chunks and parsing stops with
  ``XmlTooLargeError`` as soon as the count crosses the limit, so a 200 MB body costs one chunk
  of memory, not 200 MB;
- only the encodings QuickBooks and the Web Connector use are accepted (UTF-8, UTF-16,
  ISO-8859-1, US-ASCII, windows-1252; PROTOCOL.md 1.10); anything else, and any bytes that are
  not well-formed XML, give ``XmlParseError`` with line and column.

Three doors: ``event_parser`` (a tree-less parser calling a target's ``start``/``end``;
``connector.qbxml.prescan`` screens untrusted envelopes with it before any tree is built),
``parse_document`` (a whole, small document: SOAP bodies, QWC files, requests) and
``iterparse`` (start/end events for streaming large responses; the caller clears elements),
with ``iterparse_batches`` as its faster form (one iterator of events per chunk read).
Encodings are checked from the XML declaration before decoding (in pull mode libxml2 reports
the document's encoding only at the end) and again on the finished tree.
Comments are dropped; processing instructions are kept (``<?qbxml version="16.0"?>`` is a
sibling before the root). Sources: ``bytes``, ``str`` (the declared encoding is then ignored,
and the limit counts characters), or a binary file object (``read(n)``).

Must not: know qbXML or SOAP, do any I/O of its own (file objects are passed in).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from typing import Protocol, TypedDict

from lxml import etree

from connector.qbxml.errors import XmlParseError, XmlSecurityError, XmlTooLargeError

__all__ = [
    "ALLOWED_ENCODINGS",
    "DEFAULT_MAX_BYTES",
    "SupportsRead",
    "XmlSource",
    "event_parser",
    "iterparse",
    "iterparse_batches",
    "parse_document",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
"""Default byte limit, sized for a qbXML response page (a 64 MiB page is far above anything
QuickBooks sends for a few hundred records)."""

CHUNK_SIZE = 16 * 1024  # measured: 16 KiB feeds parse faster than 64 KiB (cache locality)

# Python's canonical codec names of the encodings we accept.
ALLOWED_ENCODINGS = frozenset(
    {"utf-8", "utf-16", "utf-16-le", "utf-16-be", "iso8859-1", "ascii", "cp1252"}
)

_DOCTYPE_MARKERS = tuple("<!DOCTYPE".encode(codec) for codec in ("ascii", "utf-16-le", "utf-16-be"))
_MARKER_TAIL = max(len(marker) for marker in _DOCTYPE_MARKERS) - 1


class SupportsRead(Protocol):
    """A binary file, or a file of text (read as a ``str`` document is)."""

    def read(self, size: int = ..., /) -> bytes | str: ...


XmlSource = bytes | bytearray | str | SupportsRead


# Every parser of the codebase is built with these: no DTD, no entity expansion, no network,
# libxml2's default size limits (huge_tree off).
class _SafeOptions(TypedDict):
    resolve_entities: bool
    no_network: bool
    load_dtd: bool
    dtd_validation: bool
    huge_tree: bool
    remove_comments: bool
    remove_pis: bool


_SAFE_OPTIONS: _SafeOptions = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": False,
}


def event_parser(target: object, encoding: str | None = None) -> etree.XMLParser:
    """A feed parser that builds no tree: it calls ``target.start(tag, attrib)``,
    ``target.end(tag)`` (and ``doctype``/``pi``/``comment``/``data`` when the target has
    them). ``encoding`` overrides what the document declares. Same safe options as the rest."""
    return etree.XMLParser(target=target, encoding=encoding, **_SAFE_OPTIONS)  # type: ignore[arg-type]


def parse_document(source: XmlSource, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse a whole document and return its root element (PIs before it: ``getprevious()``)."""
    parser = etree.XMLParser(**_SAFE_OPTIONS)
    guard = _Guard(max_bytes)
    etree.clear_error_log()
    for chunk in _chunks(source):
        guard.admit(chunk)
        error = _try(parser.feed, chunk)
        if error is not None:
            raise error
    guard.check_not_empty()
    try:
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        raise _parse_error(exc) from None
    _check_root(root)
    return root


def iterparse(
    source: XmlSource, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[tuple[str, etree._Element]]:
    """Yield ``("start" | "end", element)`` pairs while reading ``source`` chunk by chunk.

    The tree grows as parsing goes: callers keep memory flat by clearing finished elements
    (``elem.clear()`` and deleting preceding siblings). Events parsed before an error are
    handed out first, then the error is raised.
    """
    for batch in iterparse_batches(source, max_bytes=max_bytes):
        yield from batch


def iterparse_batches(
    source: XmlSource, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Iterator[tuple[str, etree._Element]]]:
    """``iterparse`` grouped by chunk read: one iterator of events per chunk.

    The fast path for large responses (one Python frame less per event). Consume each batch
    before asking for the next one; the error of a chunk is raised when the next batch is asked
    for, after that chunk's well-formed events.
    """
    parser = etree.XMLPullParser(events=("start", "end"), **_SAFE_OPTIONS)
    guard = _Guard(max_bytes)
    etree.clear_error_log()
    for chunk in _chunks(source):
        guard.admit(chunk)
        error = _try(parser.feed, chunk)
        yield guard.checked(parser.read_events())
        if error is not None:
            raise error
    guard.check_not_empty()
    error = _try(parser.close)
    events = parser.read_events()
    if error is not None:
        # A document cut short fails at close, and libxml2 then ends every element still
        # open: those "end" events close nothing the document closed, so a consumer would
        # hand out a record read up to the cut as if it were whole (issue 11 item 5). Every
        # element the document did close was reported by ``feed`` already.
        yield guard.checked((event, elem) for event, elem in events if event != "end")
        raise error
    yield guard.checked(events)


class _Guard:
    """Counts what was read against the limit and looks for a DOCTYPE until the root starts."""

    def __init__(self, max_bytes: int) -> None:
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, got {max_bytes}")
        self.max_bytes = max_bytes
        self.count = 0
        self.root_seen = False
        self._bytes_tail = b""
        self._text_tail = ""
        self._head: bytes | None = b""  # the first bytes, until the encoding was checked

    def admit(self, chunk: bytes | str) -> None:
        self.count += len(chunk)
        if self.count > self.max_bytes:
            raise XmlTooLargeError(self.max_bytes)
        if not self.root_seen:
            self._scan_for_doctype(chunk)
        if self._head is not None and isinstance(chunk, bytes):
            self._head += chunk
            if len(self._head) >= _SNIFF_BYTES:
                self.finish_sniffing()

    def finish_sniffing(self) -> None:
        """Check the declared encoding once enough of the head was read (or at the end)."""
        if self._head is not None:
            head, self._head = self._head, None
            _check_declared_encoding(head)

    def check_not_empty(self) -> None:
        self.finish_sniffing()
        if self.count == 0:
            raise XmlParseError("the document is empty (no bytes at all)", line=1, column=1)

    def _scan_for_doctype(self, chunk: bytes | str) -> None:
        # A DOCTYPE can only come before the root element, so scanning stops once the root has
        # started. The tail of the previous chunk is kept so a marker split across two chunks is
        # still seen. Conservative on purpose: the whole first chunk is scanned, so a literal
        # "<!DOCTYPE" in a comment or CDATA near the top is refused too (QuickBooks and QBWC
        # send neither; escaped text reads "&lt;!DOCTYPE" and is not matched).
        if isinstance(chunk, str):
            text = self._text_tail + chunk
            found = "<!DOCTYPE" in text
            self._text_tail = text[-_MARKER_TAIL:]
        else:
            data = self._bytes_tail + chunk
            found = any(marker in data for marker in _DOCTYPE_MARKERS)
            self._bytes_tail = data[-_MARKER_TAIL:]
        if found:
            raise XmlSecurityError("DOCTYPE declarations are not allowed (no DTDs, no entities)")

    def checked(self, events: Iterator[tuple[str, object]]) -> Iterator[tuple[str, etree._Element]]:
        """``events`` as they are once the root was checked (start/end events: elements)."""
        if self.root_seen:
            return events  # type: ignore[return-value]
        return self._check_first(events)

    def _check_first(
        self, events: Iterator[tuple[str, object]]
    ) -> Iterator[tuple[str, etree._Element]]:
        for event, elem in events:
            assert isinstance(elem, etree._Element)  # only start/end events were asked for
            if not self.root_seen and event == "start":
                _check_root(elem)
                self.root_seen = True
            yield event, elem


def _chunks(source: XmlSource) -> Iterator[bytes | str]:
    if isinstance(source, str | bytes | bytearray):
        for start in range(0, len(source), CHUNK_SIZE):
            piece = source[start : start + CHUNK_SIZE]
            yield bytes(piece) if isinstance(piece, bytearray) else piece
        return
    if not hasattr(source, "read"):
        raise TypeError(f"XML source must be bytes, str or a binary file, not {type(source)!r}")
    while chunk := source.read(CHUNK_SIZE):
        if not isinstance(chunk, bytes | str):
            raise TypeError(f"read() returned {type(chunk)!r}, expected bytes or str")
        yield chunk


def _try(call: Callable[..., object], *args: object) -> XmlParseError | None:
    try:
        call(*args)
    except etree.XMLSyntaxError as exc:
        return _parse_error(exc)
    return None


def _parse_error(exc: etree.XMLSyntaxError) -> XmlParseError:
    """The first fatal/error entry of libxml2's log is the cause; the exception text may be a
    later consequence (e.g. "no element found" after an undefined entity)."""
    for entry in exc.error_log:  # type: ignore[attr-defined]  # iterable; missing from the stubs
        if entry.level >= etree.ErrorLevels.ERROR:
            return XmlParseError(entry.message, line=entry.line, column=entry.column)
    line, column = exc.position
    return XmlParseError(exc.msg or "not well-formed XML", line=line or None, column=column or None)


_SNIFF_BYTES = 256
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_UTF32_BOMS = (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")


def _check_declared_encoding(head: bytes) -> None:
    """Refuse an encoding outside ALLOWED_ENCODINGS before libxml2 decodes with it (in pull
    mode libxml2 only reports the document's encoding once the whole document is read)."""
    if head.startswith(_UTF32_BOMS):
        raise XmlParseError("unsupported encoding 'UTF-32'", line=1, column=1)
    text = head
    wide = head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2] in (b"<\x00", b"\x00<")
    if wide:
        codec = "utf-16-be" if head[:1] in (b"\xfe", b"\x00") else "utf-16-le"
        text = head.decode(codec, errors="replace").lstrip("\ufeff").encode("ascii", "replace")
    match = _DECLARED.match(text.removeprefix(b"\xef\xbb\xbf"))
    if match is None:
        return
    declared = match.group(1).decode("ascii")
    _check_encoding_name(declared)
    if wide != codecs.lookup(declared).name.startswith("utf-16"):
        actual = "UTF-16" if wide else "8-bit"
        raise XmlParseError(
            f"the document declares encoding {declared!r} but its bytes are {actual}",
            line=1,
            column=1,
        )


def _check_encoding_name(encoding: str) -> None:
    try:
        canonical = codecs.lookup(encoding).name
    except LookupError:
        canonical = encoding
    if canonical not in ALLOWED_ENCODINGS:
        raise XmlParseError(f"unsupported encoding {encoding!r}", line=1, column=1)


def _check_root(root: etree._Element) -> None:
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.system_url:
        raise XmlSecurityError("DOCTYPE declarations are not allowed (no DTDs, no entities)")
    if docinfo.encoding:  # known here once the whole document was read (parse_document)
        _check_encoding_name(docinfo.encoding)
