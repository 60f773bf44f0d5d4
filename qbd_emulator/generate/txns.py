"""The transaction timeline: how many of each type, on which days, in which order.

Owns: the mix of transaction types and the chronological event loop (so that payments
follow the invoices and bills they pay, deposits follow the payments they sweep, and IDs
grow with time as QuickBooks' do). Must not: build records itself (``sales``,
``purchases``, ``banking``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

from qbd_emulator.generate import banking, purchases, sales
from qbd_emulator.generate.gen import HISTORY_DAYS, Gen
from qbd_emulator.generate.state import TxnState

Maker = Callable[[Gen, TxnState, date], None]

MIX: dict[str, tuple[int, Maker]] = {
    "estimates": (5, sales.make_estimate),
    "sales_orders": (4, sales.make_sales_order),
    "invoices": (22, sales.make_invoice),
    "credit_memos": (2, sales.make_credit_memo),
    "sales_receipts": (8, sales.make_sales_receipt),
    "receive_payments": (16, sales.make_receive_payment),
    "purchase_orders": (4, purchases.make_purchase_order),
    "bills": (12, purchases.make_bill),
    "vendor_credits": (2, purchases.make_vendor_credit),
    "bill_payment_checks": (7, partial(purchases.make_bill_payment, by_card=False)),
    "bill_payment_credit_cards": (2, partial(purchases.make_bill_payment, by_card=True)),
    "checks": (6, banking.make_check),
    "deposits": (3, banking.make_deposit),
    "credit_card_charges": (3, partial(banking.make_card_txn, credit=False)),
    "credit_card_credits": (1, partial(banking.make_card_txn, credit=True)),
    "transfers": (1, banking.make_transfer),
    "journal_entries": (3, banking.make_journal_entry),
}
"""Data-type key -> (relative weight, maker)."""

FALLBACK = {"receive_payments": "invoices", "bill_payment_checks": "bills"}
FALLBACK["bill_payment_credit_cards"] = "bills"
"""A payment with nothing open to pay becomes the document it would have paid."""


def mix_counts(count: int) -> dict[str, int]:
    """How many of each type for ``count`` transactions: at least one of each, and exactly
    ``count`` in all when ``count`` allows one of each (rounding goes to invoices)."""
    total_weight = sum(weight for weight, _ in MIX.values())
    counts = {key: max(1, count * weight // total_weight) for key, (weight, _) in MIX.items()}
    counts["invoices"] += max(count - sum(counts.values()), 0)
    return counts


def timeline(gen: Gen, counts: dict[str, int]) -> list[tuple[int, int]]:
    """(day offset, type index) events sorted by day."""
    keys = list(MIX)
    events: list[tuple[int, int]] = []
    for index, key in enumerate(keys):
        for _ in range(counts[key]):
            events.append((gen.rng.randrange(HISTORY_DAYS), index))
    events.sort()
    return events


def run(gen: Gen, state: TxnState, counts: dict[str, int]) -> None:
    keys = list(MIX)
    start = gen.start.date()
    for offset, index in timeline(gen, counts):
        key = keys[index]
        day = start + timedelta(days=offset)
        before = gen.company.count(key)
        MIX[key][1](gen, state, day)
        if gen.company.count(key) == before and key in FALLBACK:
            MIX[FALLBACK[key]][1](gen, state, day)
    last = gen.now.date() - timedelta(days=1)
    for key, (_, maker) in MIX.items():
        if gen.company.count(key) == 0:  # e.g. a payment drawn before any invoice existed
            maker(gen, state, last)
