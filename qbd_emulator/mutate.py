"""A bookkeeper's day in a company file: some adds, edits and deletions of lists and txns.

Owns: ``mutate(company, seed, now)``, deterministic for a seed, used by the demo's second run
(``qbd-emulator mutate``) and the end-to-end tests so that an incremental sync has
something to fetch. Every change goes through the model (``CompanyFile.add/modify/delete``),
so IDs, EditSequence, TimeModified and deleted entries are what QuickBooks would keep.
Must not: do I/O or read the clock (``now`` is given).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from connector.qbxml.values import RecordData
from qbd_emulator.company import CompanyFile

STEP = timedelta(seconds=7)
LEAD = timedelta(minutes=2)
"""Callers at the edge start the changes this long before their "now": they end before it."""


@dataclass
class Mutation:
    """What ``mutate`` changed, per data type."""

    added: dict[str, int] = field(default_factory=dict)
    modified: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    until: datetime | None = None
    """The time of the last change."""

    def count(self, table: dict[str, int], key: str) -> None:
        table[key] = table.get(key, 0) + 1

    def to_dict(self) -> dict[str, dict[str, int]]:
        return {"added": self.added, "modified": self.modified, "deleted": self.deleted}


def _ids(company: CompanyFile, key: str, id_field: str) -> list[str]:
    return [str(r.data[id_field]) for r in company.iter_records(key)]


def mutate(company: CompanyFile, seed: int, now: datetime) -> Mutation:
    """Change ``company`` at times ``now``, ``now + 7 s``, ...; returns what changed."""
    rng = random.Random(seed)
    done = Mutation()
    t = now
    for cid in rng.sample(_ids(company, "customers", "ListID"), min(3, company.count("customers"))):
        record = company.get("customers", cid)
        phone = f"555-{rng.randint(1000, 9999)}"
        company.modify("customers", cid, {"Phone": phone}, str(record.data["EditSequence"]), t)
        done.count(done.modified, "customers")
        t += STEP
    name = f"Walk-in customer {seed}-{rng.randint(0, 10**6)}"
    new = company.add("customers", "CustomerRet", {"Name": name, "IsActive": True}, t)
    done.count(done.added, "customers")
    t += STEP
    ref: RecordData = {"ListID": new.data["ListID"], "FullName": new.data["FullName"]}
    fields: RecordData = {
        "CustomerRef": ref,
        "TxnDate": t.date(),
        "RefNumber": f"W{rng.randint(0, 99999)}",
    }
    company.add("invoices", "InvoiceRet", fields, t)
    done.count(done.added, "invoices")
    t += STEP
    invoices = _ids(company, "invoices", "TxnID")
    for tid in rng.sample(invoices[:-1], min(2, len(invoices) - 1)):
        record = company.get("invoices", tid)
        company.modify("invoices", tid, {"Memo": "corrected"}, str(record.data["EditSequence"]), t)
        done.count(done.modified, "invoices")
        t += STEP
    t = _delete_some(company, rng, done, t)
    done.until = t - STEP
    return done


def _delete_some(company: CompanyFile, rng: random.Random, done: Mutation, t: datetime) -> datetime:
    for key, id_field in (("invoices", "TxnID"), ("checks", "TxnID"), ("classes", "ListID")):
        ids = _ids(company, key, id_field)
        if key == "invoices":
            ids = ids[:-1]  # keep the one just added
        if ids:
            company.delete(key, rng.choice(ids), t)
            done.count(done.deleted, key)
            t += STEP
    return t
