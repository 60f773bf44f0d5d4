"""The general ledger of a company file: the dated, balanced postings of its transactions.
About 430 lines: every transaction type's posting rules, and the memo that computes them once
per state of the books (``postings``, ``daily``), which the rules' look-ups feed.

Owns: what each transaction type posts to which account (debit positive, credit
negative), on the accrual or the cash basis, computed from the stored records themselves
(so a transaction received through ``*Add`` counts like a generated one), and the account
table the reports read. Every transaction's postings sum to zero: its line postings are
computed from the lines and the header account (AR, AP, the bank, the card) takes the
opposite of their sum. Non-posting documents (estimates, sales orders, purchase orders)
post nothing. Must not: read the clock, do I/O, or know qbXML syntax.

Accounting rules (from general bookkeeping and Intuit's descriptions of its reports;
the fine points are uncertain): an item line posts to the item's income account on a sale
and to its expense, COGS or asset account on a purchase; a stocked item sold also moves
its ``PurchaseCost`` x quantity from the asset account to COGS. On the cash basis, an
invoice or a bill posts nothing when entered: each payment applied to it posts the
document's non-AR/AP postings in proportion to the amount paid, on the payment's date
(QuickBooks' cash basis does the same proration); an unused payment stays in AR.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from connector.qbxml.values import RecordData, Value

from .model import CompanyFile

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

DEBIT_NORMAL = frozenset(
    {
        "Bank",
        "AccountsReceivable",
        "OtherCurrentAsset",
        "FixedAsset",
        "OtherAsset",
        "CostOfGoodsSold",
        "Expense",
        "OtherExpense",
        "NonPosting",
    }
)
"""Account types shown as debits minus credits; the others as credits minus debits."""

INCOME_STATEMENT = ("Income", "CostOfGoodsSold", "Expense", "OtherIncome", "OtherExpense")


class Posting(NamedTuple):
    """One amount on one account on one day (a named tuple: a medium file makes 154,000 of
    them for its first report; as frozen dataclasses they took 0.36 s, as tuples 0.30)."""

    day: date
    account: str
    """The account's ListID."""
    amount: Decimal
    """Debit positive, credit negative."""


@dataclass(frozen=True)
class Account:
    list_id: str
    full_name: str
    type: str
    special: str | None

    @property
    def sign(self) -> int:
        """+1 when the account is shown as debits minus credits, else -1."""
        return 1 if self.type in DEBIT_NORMAL else -1


def accounts(company: CompanyFile) -> dict[str, Account]:
    """The chart of accounts by ListID, in the file's order."""
    out: dict[str, Account] = {}
    for record in company.iter_records("accounts"):
        data = record.data
        special = data.get("SpecialAccountType")
        list_id = str(data["ListID"])
        name = str(data.get("FullName", data.get("Name", "")))
        kind = str(data.get("AccountType", ""))
        out[list_id] = Account(list_id, name, kind, str(special) if special else None)
    return out


def special_account(company: CompanyFile, special: str, kind: str | None = None) -> str | None:
    """The ListID of the account with ``SpecialAccountType`` ``special`` (else the first
    account of type ``kind``), or None."""
    table = accounts(company)
    for account in table.values():
        if account.special == special:
            return account.list_id
    for account in table.values():
        if kind is not None and account.type == kind:
            return account.list_id
    return None


def _dec(value: Value | None) -> Decimal:
    return value if isinstance(value, Decimal) else ZERO


def _ref(value: Value | None) -> str | None:
    if isinstance(value, dict) and value.get("ListID") is not None:
        return str(value["ListID"])
    return None


def _rows(value: Value | None) -> list[RecordData]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    if isinstance(value, dict):
        return [value]
    return []


class _Books:
    """Look-ups the posting rules share (items, special accounts), built once."""

    def __init__(self, company: CompanyFile) -> None:
        self.company = company
        self.items: dict[str, RecordData] = {
            str(r.data["ListID"]): r.data for r in company.iter_records("items")
        }
        self.ar = special_account(company, "AccountsReceivable", "AccountsReceivable")
        self.ap = special_account(company, "AccountsPayable", "AccountsPayable")
        self.tax = special_account(company, "SalesTaxPayable", "OtherCurrentLiability")
        self.undeposited = special_account(company, "UndepositedFunds", "OtherCurrentAsset")
        self.fallback_income = special_account(company, "-", "Income")
        self.fallback_expense = special_account(company, "-", "Expense")
        self._sold: dict[str, tuple[bool, str | None, str | None, str | None, Decimal]] = {}
        self._bought: dict[str, str | None] = {}
        """Each item's accounts, worked out at its first line (the items do not change
        while the books are read)."""

    def sale_line(self, line: RecordData) -> list[tuple[str | None, Decimal]]:
        """Postings of one sales line (credits): income, and for stock the cost moved."""
        amount = _dec(line.get("Amount"))
        item_id = _ref(line.get("ItemRef")) or ""
        accounts = self._sold.get(item_id)
        if accounts is None:
            accounts = self._sold[item_id] = self._sale_accounts(item_id)
        tax, income, cogs, asset, unit_cost = accounts
        if tax:  # a sales tax item on a line
            return [(self.tax, -amount)]
        out: list[tuple[str | None, Decimal]] = [(income, -amount)]
        if cogs and asset:
            cost = (unit_cost * _dec(line.get("Quantity"))).quantize(CENT)
            out += [(cogs, cost), (asset, -cost)]
        return out

    def _sale_accounts(
        self, item_id: str
    ) -> tuple[bool, str | None, str | None, str | None, Decimal]:
        """(a sales tax item, income account, COGS account, asset account, unit cost) of an
        item as its sales lines post it (worked out once per item)."""
        item = self.items.get(item_id, {})
        income = (
            _ref(item.get("IncomeAccountRef"))
            or _ref(_sub(item, "SalesOrPurchase").get("AccountRef"))
            or _ref(_sub(item, "SalesAndPurchase").get("IncomeAccountRef"))
            or _ref(item.get("AccountRef"))
            or _ref(item.get("DepositToAccountRef"))
            or self.fallback_income
        )
        cogs, asset = _ref(item.get("COGSAccountRef")), _ref(item.get("AssetAccountRef"))
        return "TaxRate" in item, income, cogs, asset, _dec(item.get("PurchaseCost"))

    def purchase_line(self, line: RecordData) -> tuple[str | None, Decimal]:
        """The debit of one ``ItemLineRet`` or ``ExpenseLineRet``."""
        amount = _dec(line.get("Amount"))
        account = _ref(line.get("AccountRef"))
        if account is not None:
            return account, amount
        item_id = _ref(line.get("ItemRef")) or ""
        if item_id not in self._bought:
            item = self.items.get(item_id, {})
            self._bought[item_id] = (
                _ref(item.get("AssetAccountRef"))
                or _ref(_sub(item, "SalesAndPurchase").get("ExpenseAccountRef"))
                or _ref(_sub(item, "SalesOrPurchase").get("AccountRef"))
                or _ref(item.get("ExpenseAccountRef"))
                or self.fallback_expense
            )
        return self._bought[item_id], amount


def _sub(data: RecordData, name: str) -> RecordData:
    value = data.get(name)
    return value if isinstance(value, dict) else {}


SALES = {"InvoiceRet": "InvoiceLineRet", "SalesReceiptRet": "SalesReceiptLineRet"}
SALES["CreditMemoRet"] = "CreditMemoLineRet"
PURCHASE_LINES = ("ExpenseLineRet", "ItemLineRet")


def _lines(
    books: _Books, ret: str, data: RecordData
) -> tuple[str | None, list[tuple[str | None, Decimal]]]:
    """(header account, line postings) of one transaction; the header takes the rest."""
    lines: list[tuple[str | None, Decimal]] = []
    if ret in SALES:
        group = SALES[ret].replace("LineRet", "LineGroupRet")
        inside = [x for g in _rows(data.get(group)) for x in _rows(g.get(SALES[ret]))]
        for line in [*_rows(data.get(SALES[ret])), *inside]:
            lines += books.sale_line(line)
        if _dec(data.get("SalesTaxTotal")):
            lines.append((books.tax, -_dec(data.get("SalesTaxTotal"))))
        if ret == "CreditMemoRet":
            lines = [(account, -amount) for account, amount in lines]
        header = books.undeposited if ret == "SalesReceiptRet" else books.ar
        header = _ref(data.get("DepositToAccountRef")) or _ref(data.get("ARAccountRef")) or header
        return header, lines
    if ret == "ReceivePaymentRet":
        lines.append((_ref(data.get("ARAccountRef")) or books.ar, -_dec(data.get("TotalAmount"))))
        return _ref(data.get("DepositToAccountRef")) or books.undeposited, lines
    if ret in (
        "BillRet",
        "VendorCreditRet",
        "CheckRet",
        "CreditCardChargeRet",
        "CreditCardCreditRet",
    ):
        for name in PURCHASE_LINES:
            lines += [books.purchase_line(line) for line in _rows(data.get(name))]
        if ret in ("VendorCreditRet", "CreditCardCreditRet"):
            lines = [(account, -amount) for account, amount in lines]
        header = _ref(data.get("APAccountRef")) or (
            books.ap if ret in ("BillRet", "VendorCreditRet") else None
        )
        return _ref(data.get("AccountRef")) or header, lines
    if ret in ("BillPaymentCheckRet", "BillPaymentCreditCardRet"):
        lines.append((_ref(data.get("APAccountRef")) or books.ap, _dec(data.get("Amount"))))
        bank = _ref(data.get("BankAccountRef")) or _ref(data.get("CreditCardAccountRef"))
        return bank, lines
    if ret == "DepositRet":
        for line in _rows(data.get("DepositLineRet")):
            lines.append(
                (_ref(line.get("AccountRef")) or books.undeposited, -_dec(line.get("Amount")))
            )
        return _ref(data.get("DepositToAccountRef")), lines
    if ret == "TransferRet":
        lines.append((_ref(data.get("TransferFromAccountRef")), -_dec(data.get("Amount"))))
        return _ref(data.get("TransferToAccountRef")), lines
    if ret == "JournalEntryRet":
        for line in _rows(data.get("JournalDebitLine")):
            lines.append((_ref(line.get("AccountRef")), _dec(line.get("Amount"))))
        for line in _rows(data.get("JournalCreditLine")):
            lines.append((_ref(line.get("AccountRef")), -_dec(line.get("Amount"))))
        return None, lines
    return None, []


POSTING_KEYS = (
    "invoices",
    "credit_memos",
    "sales_receipts",
    "receive_payments",
    "bills",
    "vendor_credits",
    "bill_payment_checks",
    "bill_payment_credit_cards",
    "checks",
    "credit_card_charges",
    "credit_card_credits",
    "deposits",
    "transfers",
    "journal_entries",
)
"""The data types whose transactions post to the ledger."""


def _balanced(
    day: date, header: str | None, lines: Iterable[tuple[str | None, Decimal]]
) -> list[Posting]:
    """The postings of one transaction; the header (or, without one, the first line's
    account) takes whatever makes them sum to zero. Postings without an account are
    dropped together with their counterpart, so the ledger stays balanced."""
    kept = [(account, amount) for account, amount in lines if account is not None and amount]
    rest = -sum((amount for _, amount in kept), ZERO)
    target = header if header is not None else (kept[0][0] if kept else None)
    if target is None:
        return []
    out = [Posting(day, str(account), amount) for account, amount in kept]
    if rest:
        out.append(Posting(day, target, rest))
    return out


def _day(data: RecordData) -> date:
    value = data.get("TxnDate")
    assert isinstance(value, date)
    return value


_Memo = dict[str, tuple[tuple[RecordData, ...], list[Posting]]]
_MEMO: dict[int, tuple[weakref.ref[CompanyFile], _Memo]] = {}
"""By ``id`` of the company file (it is not hashable), with a weak reference to tell a
file from a later one at the same address."""
_MEMO_LOCK = threading.Lock()
"""Fake QuickBooks of many companies run in threads of one process (bench/fleet_bench.py:
hundreds of Web Connectors): one thread's sweep of the dead entries must not see another's
insert ("dictionary changed size during iteration")."""


def _memo(company: CompanyFile) -> _Memo:
    with _MEMO_LOCK:
        found = _MEMO.get(id(company))
        if found is not None and found[0]() is company:
            return found[1]
        for key in [k for k, (ref, _) in _MEMO.items() if ref() is None]:
            del _MEMO[key]
        memo: _Memo = {}
        _MEMO[id(company)] = (weakref.ref(company), memo)
        return memo


def _state(company: CompanyFile) -> tuple[RecordData, ...]:
    """The record values the ledger reads. The model replaces a record's ``data`` on every
    change (never edits it in place), so the same objects mean the same books."""
    keys = (*POSTING_KEYS, "items", "accounts")
    return tuple(r.data for key in keys for r in company.records.get(key, {}).values())


def postings(company: CompanyFile, basis: str = "Accrual") -> list[Posting]:
    """Every posting of the file on ``basis`` (``Accrual`` or ``Cash``), computed again only
    when a record it reads was added, changed or deleted (the result is shared: read it)."""
    state = _state(company)
    memo = _memo(company)
    known = memo.get(basis)
    same = known is not None and len(known[0]) == len(state)
    if known is not None and same and all(a is b for a, b in zip(known[0], state, strict=True)):
        return known[1]
    found = _postings(company, basis)
    memo[basis] = (state, found)
    return found


def daily(company: CompanyFile, basis: str = "Accrual") -> list[Posting]:
    """``postings`` summed per day and account, in day order: what running balances read
    (a medium file's 154,000 postings are 13,000 such sums), made again only when
    ``postings`` are. Amounts are cents, so the sums are exact in any order."""
    found = postings(company, basis)
    memo = _memo(company)
    state = memo[basis][0]
    known = memo.get(f"{basis}/daily")
    if known is not None and known[0] is state:
        return known[1]
    sums: dict[tuple[date, str], Decimal] = {}
    for entry in found:
        key = (entry.day, entry.account)
        sums[key] = sums.get(key, ZERO) + entry.amount
    out = [Posting(day, account, amount) for (day, account), amount in sorted(sums.items())]
    memo[f"{basis}/daily"] = (state, out)
    return out


def _postings(company: CompanyFile, basis: str) -> list[Posting]:
    books = _Books(company)
    cash = basis == "Cash"
    deferred: dict[str, tuple[Decimal, list[tuple[str | None, Decimal]]]] = {}
    out: list[Posting] = []
    for key in POSTING_KEYS:
        for record in company.iter_records(key):
            header, lines = _lines(books, record.ret, record.data)
            if cash and record.ret in ("InvoiceRet", "BillRet"):
                total = -sum((a for _, a in lines), ZERO)
                deferred[str(record.data["TxnID"])] = (total, lines)
                continue
            if cash and record.ret in ("CreditMemoRet", "VendorCreditRet"):
                continue  # (uncertain) an unapplied credit posts nothing on the cash basis
            if cash and record.ret in PAYMENT_RETS:
                continue  # below, once every document it pays is known
            out += _balanced(_day(record.data), header, lines)
    if cash:
        out += _cash_payments(company, books, deferred)
    return out


PAYMENT_RETS = ("ReceivePaymentRet", "BillPaymentCheckRet", "BillPaymentCreditCardRet")


def _cash_payments(
    company: CompanyFile,
    books: _Books,
    deferred: dict[str, tuple[Decimal, list[tuple[str | None, Decimal]]]],
) -> Iterator[Posting]:
    """Payments on the cash basis: the paid documents' postings, prorated."""
    for key in ("receive_payments", "bill_payment_checks", "bill_payment_credit_cards"):
        for record in company.iter_records(key):
            data = record.data
            header, _ = _lines(books, record.ret, data)
            receipt = record.ret == "ReceivePaymentRet"
            realised: list[tuple[str | None, Decimal]] = []
            for applied in _rows(data.get("AppliedToTxnRet")):
                total, doc_lines = deferred.get(str(applied.get("TxnID")), (ZERO, []))
                paid = _dec(applied.get("Amount"))
                if not total or not paid:
                    continue
                realised += _prorate(doc_lines, paid / total)
            if receipt:
                unused = _dec(data.get("TotalAmount")) - sum((-v for _, v in realised), ZERO)
                realised.append((_ref(data.get("ARAccountRef")) or books.ar, -unused))
            yield from _balanced(_day(data), header, realised)


def _prorate(
    lines: list[tuple[str | None, Decimal]], fraction: Decimal
) -> list[tuple[str | None, Decimal]]:
    """``lines`` scaled by ``fraction``, to the cent, the rounding left on the largest line
    so that the share sums exactly to the fraction of the whole."""
    whole = sum((amount for _, amount in lines), ZERO)
    target = (whole * fraction).quantize(CENT, ROUND_HALF_UP)
    out = [(a, (v * fraction).quantize(CENT, ROUND_HALF_UP)) for a, v in lines]
    drift = target - sum((v for _, v in out), ZERO)
    if out and drift:
        index = max(range(len(out)), key=lambda i: abs(out[i][1]))
        out[index] = (out[index][0], out[index][1] + drift)
    return out


def balances(
    entries: Iterable[Posting], start: date | None = None, end: date | None = None
) -> dict[str, Decimal]:
    """Net debit per account over the postings dated within [start, end]."""
    out: dict[str, Decimal] = {}
    for entry in entries:
        if (start is None or entry.day >= start) and (end is None or entry.day <= end):
            out[entry.account] = out.get(entry.account, ZERO) + entry.amount
    return out
