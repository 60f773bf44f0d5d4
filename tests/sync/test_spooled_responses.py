"""Responses that reach the engine as a ``TextSpool`` (a long text the SOAP front kept on disk,
issue 12) store exactly what the same responses given as strings store: pages applied in line
and behind, reports, on every store backend."""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor
from typing import cast

import pytest

from connector.qbwc.server.text_spool import Response, TextSpool
from connector.qbwc.server.work import Progress, SessionContext
from connector.store.companies import create_company
from connector.store.db import Database
from connector.sync.behind import ThreadApplier
from connector.sync.engine import SyncEngine
from connector.sync.plan import Policy
from qbd_emulator.generate import generate
from qbd_emulator.processor import FakeQuickBooks
from tests.e2e.e2e_harness import latest_now
from tests.sync.sync_harness import run_session, store_state
from tests.sync.test_quickbooks_layout import _reports

POLICY = Policy(page_size=9)  # iterators, and pages applied behind the Web Connector


class Spooling:
    """The engine, given every response as a spool written in odd pieces (on disk past 64
    bytes), closed once applied, as the SOAP front does."""

    def __init__(self, engine: SyncEngine) -> None:
        self.engine = engine
        self.spooled = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.engine, name)

    def apply_response(self, ctx: SessionContext, response: Response) -> Progress:
        assert isinstance(response, str)
        with TextSpool(in_memory=64) as spool:
            for at in range(0, len(response), 1000):
                spool.write(response[at : at + 1000])
            self.spooled += 1
            return self.engine.apply_response(ctx, spool)


@pytest.mark.parametrize("applied", ["in line", "behind"])
def test_spooled_responses_store_what_strings_store(db: Database, applied: str) -> None:
    company = generate(4, "tiny")
    now = latest_now(company)
    stored = {}
    for way in ("string", "spool"):
        qb = FakeQuickBooks(copy.deepcopy(company), clock=lambda: now)
        pool = ThreadPoolExecutor(2)
        engine = SyncEngine(db, POLICY, behind=ThreadApplier(pool) if applied == "behind" else None)
        spooling = Spooling(engine)
        company_id = create_company(db, way).id
        try:
            source = cast(SyncEngine, spooling) if way == "spool" else engine
            percents = run_session(source, qb, company_id, f"ticket-{way}", now)
        finally:
            pool.shutdown(wait=True)
        assert percents[-1] == 100
        assert spooling.spooled == (len(percents) if way == "spool" else 0)
        stored[way] = store_state(db, company_id), _reports(db, company_id)
    records, answers = stored["spool"]
    assert sum(map(len, records.values())) > 100 and len(answers) == 6
    assert stored["spool"] == stored["string"]
