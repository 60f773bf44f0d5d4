"""A long response text kept on disk, not in memory: ``TextSpool``, and ``Response``, the
text a receiveResponseXML carries (a ``str``, or a spool once it is long).

Owns: writing a text in pieces (UTF-8) to a temporary file past ``IN_MEMORY`` bytes, and
reading it back as the parser reads a file (``reader``), in slices of characters (``slices``:
the digest), its first characters (``head``) or whole (``whole``, for the few who need one
``str``: a data page going to the inbox). Why (issue 12): QuickBooks does not page a report,
and a large company's aged receivables is a 9 MB answer; held as one text, its reading, its
joining and its applying each added 18-20 MB to the service at the end of a sync, so its
memory grew with the company. Spooled, it is read 16 KB at a time by the report's parser.
Must not: know what the text means.
"""

from __future__ import annotations

import codecs
import tempfile
from collections.abc import Iterator
from typing import IO, TypeAlias

from connector.qbxml.safexml import XmlSource

__all__ = [
    "IN_MEMORY",
    "Response",
    "TextReader",
    "TextSpool",
    "head",
    "slices",
    "whole",
    "xml_source",
]

IN_MEMORY = 1 << 20
"""Bytes a spool keeps in memory before it moves to a temporary file by default; the SOAP
front spools a page's text once its pieces take as many bytes of memory, and its raw bytes
past as many bytes (a page of 250 records is a few hundred KB)."""

_SLICE = 1 << 20
"""Bytes read back at a time (``slices``, ``whole``)."""


class TextSpool:
    """A text written in pieces, held as UTF-8 in a ``SpooledTemporaryFile`` (in a file from
    the start when ``in_memory`` is 0). Close it (or use it as a context manager) to remove
    its file."""

    def __init__(self, in_memory: int = IN_MEMORY) -> None:
        self._file: IO[bytes] = (  # closed by ``close``
            tempfile.SpooledTemporaryFile(max_size=in_memory)  # noqa: SIM115
            if in_memory > 0
            else tempfile.TemporaryFile()  # noqa: SIM115 (max_size=0 would never roll over)
        )
        self._chars = 0
        self._bytes = 0
        self._blank = True  # only whitespace written so far

    def write(self, piece: str) -> None:
        if not piece:
            return
        data = piece.encode()
        self._file.seek(self._bytes)
        self._file.write(data)
        self._bytes += len(data)
        self._chars += len(piece)
        if self._blank and not piece.isspace():
            self._blank = False

    def __len__(self) -> int:
        """Characters written."""
        return self._chars

    def isspace(self) -> bool:
        """As ``str.isspace``: True when not empty and only whitespace."""
        return self._chars > 0 and self._blank

    def reader(self) -> TextReader:
        """The text from its start, as a file of text (``read`` gives ``str``, as the
        parser takes a ``str`` document: its declared encoding is not what the spool holds);
        readers do not share a position."""
        return TextReader(self._file, self._bytes)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> TextSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"TextSpool({self._chars} characters)"


class TextReader:
    """One reading of a spool, with its own position: ``read(size)`` decodes about ``size``
    bytes (a character cut by the slice waits for the next read)."""

    def __init__(self, file: IO[bytes], size: int) -> None:
        self._file, self._size, self._at = file, size, 0
        self._decoder = codecs.getincrementaldecoder("utf-8")()

    def read(self, size: int = -1, /) -> str:
        while True:
            left = self._size - self._at
            count = left if size < 0 else min(max(size, 4), left)
            if count <= 0:
                return self._decoder.decode(b"", True)
            self._file.seek(self._at)
            data = self._file.read(count)
            self._at += len(data)
            if text := self._decoder.decode(data):
                return text


Response: TypeAlias = str | TextSpool
"""A receiveResponseXML's response text: a ``str``, or a ``TextSpool`` once it is long."""


def xml_source(response: Response) -> XmlSource:
    """What ``connector.qbxml`` parses: the text, or a fresh reader of the spool."""
    return response if isinstance(response, str) else response.reader()


def slices(response: Response, size: int = _SLICE) -> Iterator[str]:
    """The text, ``size`` characters (a string) or about ``size`` bytes (a spool) at a time."""
    if isinstance(response, str):
        for start in range(0, len(response), size):
            yield response[start : start + size]
        return
    reader = response.reader()
    while piece := reader.read(size):
        yield piece


def head(response: Response, chars: int) -> str:
    """The first ``chars`` characters (fewer when the text is shorter)."""
    if isinstance(response, str):
        return response[:chars]
    taken: list[str] = []
    count = 0
    for piece in slices(response, max(chars, 16)):
        taken.append(piece[: chars - count])
        count += len(taken[-1])
        if count >= chars:
            break
    return "".join(taken)


def whole(response: Response) -> str:
    """The text as one ``str``."""
    return response if isinstance(response, str) else "".join(slices(response))
