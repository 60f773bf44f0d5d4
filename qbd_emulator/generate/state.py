"""What transaction generation remembers between events: open documents and numbering.

Owns: ``TxnState`` (open invoices and bills, undeposited payments, unconverted estimates
and sales orders, RefNumber counters, item/terms/tax look-ups) and ``OpenSet`` (O(1) add,
remove and random pick), and ``pick_open`` (what a payment pays). Must not: create records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from connector.qbxml.values import RecordData
from qbd_emulator.generate.gen import Gen
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


def pick_open(
    gen: Gen, key: str, open_docs: OpenSet, by_party: dict[str, OpenSet], party: str
) -> tuple[RecordData, list[str]]:
    """What a payment pays: an open document of ``key`` (invoices, bills) at random, its
    ``party`` reference (CustomerRef, VendorRef) and the ids to pay, that document's and,
    three times in ten when the party has others open, one more of them (``open_docs``
    must not be empty)."""
    first = gen.company.get(key, open_docs.choice(gen.rng))
    owner = first.data[party]
    assert isinstance(owner, dict)
    targets = [str(first.data["TxnID"])]
    others = by_party.get(str(owner["ListID"]))
    if others is not None and len(others) > 1 and gen.chance(0.3):
        extra = others.choice(gen.rng)
        if extra not in targets:
            targets.append(extra)
    return owner, targets


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
    open_invoices: OpenSet = field(default_factory=OpenSet)
    open_by_customer: dict[str, OpenSet] = field(default_factory=dict)
    open_bills: OpenSet = field(default_factory=OpenSet)
    open_bills_by_vendor: dict[str, OpenSet] = field(default_factory=dict)
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
