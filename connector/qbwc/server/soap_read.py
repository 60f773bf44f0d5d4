"""The messages of a request the SOAP front read, kept to be given back to the fallback.

Owns: ``ReadBody``, the ASGI messages read so far, replayed exactly as they came when the
front does not answer the call itself; past ``IN_MEMORY`` bytes their bodies wait in a
temporary file. Why (issue 12): a page is read whole before the call can be recognised, and
its raw bytes were held beside its text until then: a large company's 9 MB report added
10.5 MB to the service.
Must not: read the body's meaning (``soap_fast``, ``soap_page``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO

from starlette.types import Message

from connector.qbwc.server.text_spool import IN_MEMORY


class ReadBody:
    """Messages as read; ``messages`` gives them back (once), ``close`` lets them go."""

    def __init__(self, in_memory: int = IN_MEMORY) -> None:
        self._read: list[tuple[Message, int | None]] = []
        """Each message, and where its body went to the file, the length it had there."""
        self._held = 0
        self._in_memory = in_memory
        self._file: IO[bytes] | None = None

    def append(self, message: Message) -> None:
        body = message.get("body", b"") if message["type"] == "http.request" else b""
        if self._file is None:
            self._read.append((message, None))
            self._held += len(body)
            if self._held > self._in_memory:
                self._spill()
        elif body:
            self._file.write(body)
            self._read.append(({**message, "body": b""}, len(body)))
        else:
            self._read.append((message, None))

    def replace(self, body: bytes) -> None:
        """The body read whole, as one message (a small call's bytes, joined once)."""
        self.close()
        self._read = [({"type": "http.request", "body": body, "more_body": False}, None)]

    def messages(self) -> Iterator[Message]:
        """The messages in the order they came, each with its body."""
        if self._file is not None:
            self._file.seek(0)
        for message, length in self._read:
            if length is None:
                yield message
            else:
                assert self._file is not None
                yield {**message, "body": self._file.read(length)}

    def close(self) -> None:
        self._read, self._held = [], 0
        if self._file is not None:
            self._file.close()
            self._file = None

    def _spill(self) -> None:
        """Move the bodies read so far to the file; ``append`` writes the later ones there."""
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        kept, self._read = self._read, []
        for message, _ in kept:
            self.append(message)
