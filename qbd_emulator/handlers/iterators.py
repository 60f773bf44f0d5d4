"""Query iterators: the pages of one ``iterator="Start"`` query, owned by one session.

Owns: the iterator state QuickBooks keeps between ``Start`` and the last ``Continue``: the
ordered record keys matched at ``Start`` (a snapshot, so no record is lost or repeated when
the file changes between pages), the position, the request's options. PROTOCOL.md 1.10:
iterators live only as long as the QuickBooks session that created them, and one ends with
the page that leaves nothing remaining (``query._page``); an unknown, stopped, exhausted or
expired ``iteratorID`` gives statusCode 3391. Must not: filter records or build XML.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from connector.qbxml.values import Value

from ..errors import InvalidIteratorError


@dataclass(frozen=True, slots=True)
class RecordKey:
    """Where one matched record lives in the company file."""

    data_type: str
    record_id: str


@dataclass
class QueryIterator:
    iterator_id: str
    request: str
    """The ``*QueryRq`` that started it; a Continue must be of the same request type."""
    keys: tuple[RecordKey, ...]
    options: Mapping[str, Value]
    """The Start request's raw body (line items, linked txns, OwnerID, IncludeRetElement)."""
    position: int = 0

    @property
    def remaining(self) -> int:
        return len(self.keys) - self.position

    def next_page(self, size: int) -> tuple[RecordKey, ...]:
        page = self.keys[self.position : self.position + size]
        self.position += len(page)
        return page


def new_iterator_id(rng: random.Random) -> str:
    """``{eb05f701-e727-472f-8ade-6753c4f67a46}``: a braced GUID, as QuickBooks sends."""
    return "{" + str(uuid.UUID(int=rng.getrandbits(128), version=4)) + "}"


@dataclass
class IteratorTable:
    """The iterators of one session."""

    rng: random.Random
    live: dict[str, QueryIterator] = field(default_factory=dict)

    def start(
        self, request: str, keys: tuple[RecordKey, ...], options: Mapping[str, Value]
    ) -> QueryIterator:
        it = QueryIterator(new_iterator_id(self.rng), request, keys, options)
        self.live[it.iterator_id] = it
        return it

    def resume(self, request: str, iterator_id: str) -> QueryIterator:
        it = self.live.get(iterator_id)
        if it is None or it.request != request:
            raise InvalidIteratorError(iterator_id)
        return it

    def stop(self, iterator_id: str) -> None:
        self.live.pop(iterator_id, None)

    def clear(self) -> None:
        self.live.clear()
