"""A page (receiveResponseXML past ``FAST_MAX_BODY``) read as its chunks arrive.

Owns: ``PageScan``, which follows the Web Connector's shape chunk by chunk (the response
text holds no ``<`` before ``</response>``, and little follows it), and ``PageText``, that
text unescaped chunk by chunk as ``soap_fast`` would unescape it whole. The caller keeps the
raw chunks until the call is recognised (the guard needs them, unchanged, otherwise), then
lets them go before the text is joined. Whole, a page was held about three times over (the
joined body, the parameter's slice, the copy each ``replace`` made): +27 MB at a large
company's 9 MB aged receivables report, which QuickBooks does not page (issue 12). A text
whose pieces take more than ``in_memory`` bytes of memory is written to a ``TextSpool`` as it
is read (a private temporary file, gone when closed), and given as that spool: the caller's
raw chunks wait on disk too (``soap_read``), so neither grows with the text.
Must not: know what the call means (``service``); its only I/O is the spool's file.
"""

from __future__ import annotations

import codecs
import sys

from connector.qbwc.server.soap_fast import (
    FAST_MAX_BODY,
    LARGE_OPERATION,
    opens,
    unescaped,
    xml_characters,
)
from connector.qbwc.server.text_spool import IN_MEMORY, Response, TextSpool

_ENTITY_MAX = len(b"&quot;")
"""The longest of the five entities: a trailing ``&`` closer to the end than this may be
one cut in two by the chunking, and waits for the next chunk."""


class PageText:
    """A parameter's text fed in pieces: the same text ``soap_fast._text`` gives for the
    whole (or refused where it refuses), however the bytes are split."""

    def __init__(self, in_memory: int = IN_MEMORY) -> None:
        self.refused = False
        self._pieces: list[str] = []
        self._held = 0  # bytes ``_pieces`` take in memory
        self._in_memory = in_memory
        self._spool: TextSpool | None = None  # past ``in_memory``, the text goes to a file
        self._carry = b""
        self._tail = b""  # the last two bytes fed: a "]]>" split between chunks
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")

    def feed(self, raw: bytes) -> bool:
        """Take the next bytes; False once the text is refused."""
        if self.refused or not raw:
            return not self.refused
        if b"]]>" in raw or b"]]>" in self._tail + raw[:2]:
            return self._refuse()  # ``recognise`` refuses any body holding it
        self._tail = (self._tail + raw[-2:])[-2:]
        data = self._carry + raw if self._carry else raw
        cut = data.rfind(b"&", max(0, len(data) - _ENTITY_MAX + 1))
        if cut >= 0 and b";" not in data[cut:]:
            data, self._carry = data[:cut], data[cut:]
        else:
            self._carry = b""
        return self._take(data, final=False)

    def finish(self) -> bool:
        """The text is whole: True unless it is refused (an entity or a UTF-8 sequence cut
        short at its end included)."""
        if self.refused:
            return False
        carry, self._carry = self._carry, b""
        return self._take(carry, final=True)

    def text(self) -> Response:
        """The text, once ``finish`` said True: a ``str`` (its pieces go as it is joined),
        or the ``TextSpool`` a long one was written to (the caller closes it)."""
        assert not self.refused and not self._carry, "text() before finish()"
        if self._spool is None:
            pieces, self._pieces = self._pieces, []
            return "".join(pieces)
        self._spill()  # the pieces read since it last spilled
        spool, self._spool = self._spool, None
        return spool

    def close(self) -> None:
        """Remove the spool of a text refused or never taken."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def _take(self, data: bytes, *, final: bool) -> bool:
        plain = unescaped(data)
        if plain is None:
            return self._refuse()
        try:
            piece = self._decoder.decode(plain, final)  # strict: encoded surrogates too
        except UnicodeDecodeError:
            return self._refuse()
        if not xml_characters(piece):
            return self._refuse()
        if piece:
            self._pieces.append(piece)
            self._held += sys.getsizeof(piece)
            if self._held > self._in_memory:
                self._spill()
        return True

    def _spill(self) -> None:
        if self._spool is None:
            self._spool = TextSpool(in_memory=0)  # long already: straight to its file
        for piece in self._pieces:
            self._spool.write(piece)
        self._pieces, self._held = [], 0

    def _refuse(self) -> bool:
        self.refused, self._pieces, self._carry = True, [], b""
        self.close()
        return False


def page_scan(head: bytes, in_memory: int = IN_MEMORY) -> PageScan | None:
    """A ``PageScan`` for a body starting with ``head`` (more than ``FAST_MAX_BODY``
    bytes), when it is a receiveResponseXML of the Web Connector's shape so far."""
    if not opens(head, LARGE_OPERATION):
        return None
    return PageScan.start(head, in_memory)


class PageScan:
    """Follows a receiveResponseXML past ``FAST_MAX_BODY`` as it arrives: its ``response``
    text may be long but holds no ``<`` before ``</response>``, and little may follow that.
    ``feed`` says False at the first chunk that breaks the shape (or whose text ``PageText``
    refuses), so a hostile body (tiny elements, a tag of a million attributes) goes on to
    the guard's screen after the chunk that shows it, not after it was read whole."""

    OPEN, CLOSE = b"<response>", b"</response>"

    def __init__(self, head: bytes, in_memory: int = IN_MEMORY) -> None:
        self.head = head
        """The body up to and including ``<response>``."""
        self.text = PageText(in_memory)
        self.pending = b""
        self.closed = False
        self.after = 0
        self._rest: list[bytes] = []  # from "</response>" on

    @classmethod
    def start(cls, head: bytes, in_memory: int = IN_MEMORY) -> PageScan | None:
        """A scan of a body that starts with ``head``, if its response text has begun."""
        at = head.find(cls.OPEN)
        if at < 0:
            return None
        scan = cls(head[: at + len(cls.OPEN)], in_memory)
        if scan.feed(head[at + len(cls.OPEN) :]):
            return scan
        scan.text.close()
        return None

    def feed(self, chunk: bytes) -> bool:
        if self.closed:
            self.after += len(chunk)
            self._rest.append(chunk)
            return self.after <= FAST_MAX_BODY
        data = self.pending + chunk if self.pending else chunk
        self.pending = b""
        at = data.find(b"<")
        if at < 0:
            return self.text.feed(data)
        if at and not self.text.feed(data[:at]):
            return False
        if len(data) - at < len(self.CLOSE):
            self.pending = data[at:]
            return self.CLOSE.startswith(self.pending)
        if not data.startswith(self.CLOSE, at):
            return False
        self.closed, self.after = True, len(data) - at - len(self.CLOSE)
        self._rest.append(data[at:])
        return self.after <= FAST_MAX_BODY

    def envelope(self) -> bytes | None:
        """The body with its response text left out (``<response></response>``), once
        ``</response>`` was read; for ``soap_fast.recognise``."""
        return self.head + b"".join(self._rest) if self.closed else None
