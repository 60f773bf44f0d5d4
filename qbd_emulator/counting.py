"""The fake QuickBooks, counting what it answers (issue 12): requests, whole records by list
or transaction query, and the ID-only records it answers a probe (a request with
``IncludeRetElement``), the deleted-object records of the sweeps, and the time it spent. What the fake returned, not what the
connector says it stored: the tests and ``bench/incremental_bench.py`` read it.
Must not: change an answer."""

from __future__ import annotations

import re
import time

from connector.qbxml.safexml import parse_document
from connector.sync.plan import QUERY_TYPES

from .processor import FakeQuickBooks

QUERIES = frozenset(d.query for d in QUERY_TYPES)
SWEEPS = frozenset(("ListDeletedQuery", "TxnDeletedQuery"))
_REQUEST = re.compile(r"<(\w+)Rq[ >/]")


class CountingQuickBooks(FakeQuickBooks):
    """Counts from its creation; ``reset`` between the sessions counted apart."""

    whole: dict[str, int]
    """Records answered whole, by list or transaction query."""
    probed: int
    swept: int
    """Deleted-object records answered (ListDeletedRet, TxnDeletedRet)."""
    requests: int
    seconds: float

    def __post_init__(self) -> None:
        super().__post_init__()
        self.reset()

    def process_request(self, ticket: str, request: str) -> str:
        started = time.perf_counter()
        response = super().process_request(ticket, request)
        self.seconds += time.perf_counter() - started
        self.requests += 1
        root = parse_document(response)
        count = sum(len(rs) for rs in root[0]) if len(root) else 0
        name = _REQUEST.findall(request)[-1] if count else ""
        if "<IncludeRetElement>" in request:
            self.probed += count
        elif name in QUERIES:
            self.whole[name] = self.whole.get(name, 0) + count
        elif name in SWEEPS:
            self.swept += count
        return response

    def reset(self) -> None:
        self.whole, self.probed, self.swept, self.requests, self.seconds = {}, 0, 0, 0, 0.0
