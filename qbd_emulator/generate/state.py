"""What transaction generation remembers between events: open documents and numbering.

Owns: ``TxnState`` (open invoices and bills, undeposited payments, unconverted estimates
and sales orders, RefNumber counters, item/terms/tax look-ups) and ``OpenSet`` (O(1) add,
remove and random pick), and ``OpenDocs`` (open invoices or bills: what a payment pays of
them, and which it pays off). Must not: create records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from connector.qbxml.values import RecordData
from qbd_emulator.company.balances import application
from qbd_emulator.generate.gen import CENT, ZERO, Gen
from qbd_emulator.generate.items import ItemInfo


class OpenSet:
    """A set of ids with O(1) add, discard and uniform random choice."""

    def __init__(self) -> None:
        self._items: list[str] = []
        self._where: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item: str) -> bool:
        return item in self._where

    def add(self, item: str) -> None:
        if item not in self._where:
            self._where[item] = len(self._items)
            self._items.append(item)

    def discard(self, item: str) -> None:
        index = self._where.pop(item, None)
        if index is None:
            return
        last = self._items.pop()
        if index < len(self._items):
            self._items[index] = last
            self._where[last] = index

    def choice(self, rng: random.Random) -> str:
        return self._items[rng.randrange(len(self._items))]


@dataclass(frozen=True)
class Payment:
    """What a payment pays: the ``party`` reference, the ids paid, their ``AppliedToTxnRet``
    and the total applied."""

    owner: RecordData
    targets: list[str]
    applied: list[RecordData]
    total: Decimal


class OpenDocs:
    """The open documents of one kind (invoices, bills), also by party, and how a payment
    picks, pays and settles them. ``party`` is the documents' reference to their customer or
    vendor, ``due`` the field of what is left to pay, ``full`` how often a payment pays a
    document in full (else half of it, at least a cent)."""

    def __init__(self, key: str, party: str, due: str, full: float) -> None:
        self.key, self.party, self.due, self.full = key, party, due, full
        self.docs = OpenSet()
        self.by_party: dict[str, OpenSet] = {}

    def __len__(self) -> int:
        return len(self.docs)

    def add(self, party_id: str, txn_id: str) -> None:
        self.docs.add(txn_id)
        self.by_party.setdefault(party_id, OpenSet()).add(txn_id)

    def pay(self, gen: Gen) -> Payment:
        """A document at random and, three times in ten when its party has others open, one
        more of them; each paid as ``full`` says (there must be an open document)."""
        first = gen.company.get(self.key, self.docs.choice(gen.rng))
        owner = first.data[self.party]
        assert isinstance(owner, dict)
        targets = [str(first.data["TxnID"])]
        others = self.by_party.get(str(owner["ListID"]))
        if others is not None and len(others) > 1 and gen.chance(0.3):
            extra = others.choice(gen.rng)
            if extra not in targets:
                targets.append(extra)
        applied = [self._applied(gen, txn_id) for txn_id in targets]
        total = sum((a["Amount"] for a in applied if isinstance(a["Amount"], Decimal)), ZERO)
        return Payment(owner, targets, applied, total)

    def _applied(self, gen: Gen, txn_id: str) -> RecordData:
        doc = gen.company.get(self.key, txn_id)
        due = doc.data[self.due]
        assert isinstance(due, Decimal)
        amount = due if gen.chance(self.full) else max((due / 2).quantize(CENT), CENT)
        return application(doc, amount)

    def settle(self, gen: Gen, payment: Payment) -> None:
        """Drop the documents the payment (already applied) paid off."""
        for txn_id in payment.targets:
            if gen.company.get(self.key, txn_id).data[self.due] == 0:
                self.docs.discard(txn_id)
                self.by_party[str(payment.owner["ListID"])].discard(txn_id)


@dataclass(frozen=True)
class Undeposited:
    """A payment or sales receipt sitting in Undeposited Funds."""

    txn_type: str
    txn_id: str
    amount: Decimal
    entity: RecordData
    method: RecordData | None


@dataclass
class TxnState:
    items: dict[str, ItemInfo]
    tax_rates: dict[str, Decimal]
    """Sales tax item ListID -> rate in percent."""
    due_days: dict[str, int]
    """Terms ListID -> days until due (date-driven terms approximated)."""
    invoices: OpenDocs = field(
        default_factory=lambda: OpenDocs("invoices", "CustomerRef", "BalanceRemaining", 0.8)
    )
    bills: OpenDocs = field(
        default_factory=lambda: OpenDocs("bills", "VendorRef", "OpenAmount", 0.85)
    )
    estimates: OpenSet = field(default_factory=OpenSet)
    sales_orders: OpenSet = field(default_factory=OpenSet)
    purchase_orders: OpenSet = field(default_factory=OpenSet)
    undeposited: list[Undeposited] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)

    def next_number(self, series: str, first: int = 1001) -> str:
        value = self.numbers.get(series, first)
        self.numbers[series] = value + 1
        return str(value)

    def due(self, terms: RecordData | None, day: date) -> date:
        days = self.due_days.get(str(terms["ListID"]), 30) if terms else 30
        return day + timedelta(days=days)

    def __post_init__(self) -> None:
        self._sold = list(self.items.values())
        self._bought = [item for item in self._sold if item.expense is not None]

    def sale_items(self) -> list[ItemInfo]:
        """Items a sales line may use (a cached list: items do not change while txns are
        generated, and copying them per line made ``large`` quadratic)."""
        return self._sold

    def bought_items(self) -> list[ItemInfo]:
        """Items a purchase line may use (they post to an expense or inventory account)."""
        return self._bought
