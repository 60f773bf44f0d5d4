"""Every log record's text bounded: logs must not become a disk-filling channel (issue 18 item 5).

Owns: the process's log record class. Messages (and formatted tracebacks) longer than
``MAX_CHARS`` keep a prefix of ``PREFIX_CHARS`` and say how long they were. Hostile input
reaches log lines through libraries we do not control (spyne logs a request it cannot parse
whole, with ``%r``: an 11 MB body gave an 11 MB line) and through exception messages that
quote a value; bounding the record itself covers them all, whichever handler writes it.
Must not: configure handlers, levels or formats (uvicorn and the embedding application do).
"""

from __future__ import annotations

import logging
import traceback

MAX_CHARS = 8 * 1024
PREFIX_CHARS = 2 * 1024


def bounded(text: str, max_chars: int = MAX_CHARS, prefix_chars: int = PREFIX_CHARS) -> str:
    """``text`` itself when short enough, else its prefix and its length."""
    if len(text) <= max_chars:
        return text
    return f"{text[:prefix_chars]}... [cut: {len(text)} characters in all]"


class BoundedLogRecord(logging.LogRecord):
    """A LogRecord whose message and traceback text are bounded."""

    def getMessage(self) -> str:
        return bounded(super().getMessage())

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if self.exc_info and self.exc_info[0] is not None and not self.exc_text:
            # Formatter.format uses exc_text when set: format the traceback once, bounded
            # (its last line quotes the exception's message, which may quote the input).
            self.exc_text = bounded("".join(traceback.format_exception(*self.exc_info)).rstrip())


def install() -> None:
    """Make every record of this process a ``BoundedLogRecord`` (idempotent; a factory that
    someone else installed is left alone)."""
    if logging.getLogRecordFactory() is logging.LogRecord:
        logging.setLogRecordFactory(BoundedLogRecord)
