"""Generate a consistent fake QuickBooks company file from a seed.

Owns: ``generate(seed, size)`` and the size table. The same seed and size always give an
identical ``CompanyFile`` (one ``random.Random(seed)``, Faker seeded with the same seed, a
fixed "now"). Order: lists (accounts ... currencies), names, items, then a chronological
timeline of transactions, then later modifications, recent deletions and balances.
Must not: do I/O (saving is ``qbd_emulator.company.storage``).

Sizes count records (list elements and transactions, not lines, not deleted ones):
``tiny`` 100, ``small`` 2,000, ``medium`` 50,000, ``large`` 500,000, or an int. The count
is exact unless it is too small to hold the fixed lists and one transaction of each type
(``tiny`` comes out at about 105).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from qbd_emulator.company import CompanyFile
from qbd_emulator.generate import finish, header, items, lists, names, optional, txns
from qbd_emulator.generate.gen import Gen, Progress
from qbd_emulator.generate.state import TxnState

SIZES: dict[str, int] = {"tiny": 100, "small": 2_000, "medium": 50_000, "large": 500_000}
FIXED_LISTS = 68
"""About how many list records every file has (chart of accounts, terms, tax...)."""

__all__ = ["SIZES", "Plan", "generate", "parse_size", "plan"]


def parse_size(size: str | int) -> int:
    """``tiny|small|medium|large`` or a positive record count; ``ValueError`` otherwise."""
    if isinstance(size, int) or size.isdigit():
        count = int(size)
        if count < 1:
            raise ValueError("size must be a positive number of records")
        return count
    try:
        return SIZES[size]
    except KeyError:
        raise ValueError(f"unknown size {size!r}: use {', '.join(SIZES)} or a number") from None


@dataclass(frozen=True)
class Plan:
    customers: int
    vendors: int
    employees: int
    other_names: int
    items: int
    classes: int
    txns: dict[str, int]
    """Planned from ``total``; ``generate`` re-plans from what the lists left over."""
    deletions: int


def plan(total: int) -> Plan:
    """How many of each kind for about ``total`` records (jobs add ~0.6 per customer)."""
    rest = max(total - FIXED_LISTS, 40)
    customers = max(5, rest * 4 // 100)
    vendors = max(3, rest * 25 // 1000)
    employees = max(2, rest * 5 // 1000)
    other_names = max(1, rest * 3 // 1000)
    item_count = max(11, rest * 2 // 100)
    lists_total = int(customers * 1.6) + vendors + employees + other_names + item_count
    count = max(rest - lists_total, len(txns.MIX))
    return Plan(
        customers,
        vendors,
        employees,
        other_names,
        item_count,
        2 if total < 1000 else 6,
        txns.mix_counts(count),
        max(2, total // 200),
    )


def generate(seed: int, size: str | int, progress: Progress | None = None) -> CompanyFile:
    """A whole company file for ``seed`` and ``size``; ``progress(n)`` as records are added."""
    total = parse_size(size)
    the_plan = plan(total)
    company = CompanyFile(company_info={}, preferences={})
    gen = Gen.create(seed, company, progress)
    _lists(gen, the_plan)
    state = TxnState(
        items.items(gen, the_plan.items, set()),
        _tax_rates(gen),
        _due_days(gen),
    )
    # Every transaction event stores exactly one record, so the rest of the budget makes
    # the file exactly ``total`` records whenever that leaves room for one of each type.
    stored = sum(n for key, n in company.counts().items() if key != "sales_tax_items")
    txns.run(gen, state, txns.mix_counts(max(total - stored, len(txns.MIX))))
    finish.finish(gen, the_plan.deletions)
    name = str(gen.fake.company())
    company.company_info = header.company_info(gen, name)
    company.preferences = header.preferences(gen)
    company.file_path = header.file_path(name)
    optional.fill(gen)
    return company


def _lists(gen: Gen, the_plan: Plan) -> None:
    lists.accounts(gen)
    lists.classes(gen, the_plan.classes)
    lists.terms(gen)
    lists.payment_methods(gen)
    lists.sales_tax_codes(gen)
    lists.currencies(gen)
    used: set[str] = set()
    names.tax_agency(gen, used)
    items.sales_tax_items(gen)
    names.customers(gen, the_plan.customers, used)
    names.vendors(gen, the_plan.vendors, used)
    names.employees(gen, the_plan.employees, used)
    names.other_names(gen, the_plan.other_names, used)


def _tax_rates(gen: Gen) -> dict[str, Decimal]:
    rates: dict[str, Decimal] = {}
    for record in gen.company.iter_records("sales_tax_items"):
        rate = record.data.get("TaxRate")
        if isinstance(rate, Decimal):
            rates[str(record.data["ListID"])] = rate
    return rates


def _due_days(gen: Gen) -> dict[str, int]:
    days: dict[str, int] = {}
    for record in gen.company.iter_records("terms"):
        due = record.data.get("StdDueDays", 30)
        days[str(record.data["ListID"])] = due if isinstance(due, int) else 30
    return days
