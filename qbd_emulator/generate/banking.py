"""Generated banking and general-ledger transactions: checks, deposits (sweeping
Undeposited Funds), credit card charges and credits, transfers, journal entries.

Owns: their records, lines and ledger postings. Must not: decide counts.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from connector.qbxml.values import RecordData
from qbd_emulator.generate.gen import ZERO, Gen, vals
from qbd_emulator.generate.purchases import expense_lines
from qbd_emulator.generate.state import TxnState

PAYEE_ROLES = ("vendors", "vendors", "vendors", "employees", "other_names")


def _payee(gen: Gen) -> RecordData:
    roles = [r for r in PAYEE_ROLES if gen.refs.get(r)]
    return gen.pick(gen.choice(roles))


def make_check(gen: Gen, state: TxnState, day: date) -> None:
    created = gen.stamp(day)
    lines, postings = expense_lines(gen, created, gen.rng.randint(1, 3))
    total = sum((amount for _, amount in postings), ZERO)
    bank = gen.pick("bank")
    data: RecordData = {"AccountRef": bank, "PayeeEntityRef": _payee(gen)}
    data |= {"RefNumber": state.next_number("check", 3001), "TxnDate": day, "Amount": total}
    data |= {"Memo": "Check", "IsToBePrinted": False, "ExpenseLineRet": vals(lines)}
    gen.add("checks", "CheckRet", data, created)
    for account, amount in postings:
        gen.post(account, amount)
    gen.post(bank, -total)


def make_card_txn(gen: Gen, state: TxnState, day: date, credit: bool) -> None:
    created = gen.stamp(day)
    lines, postings = expense_lines(gen, created, gen.rng.randint(1, 2), 5, 400)
    total = sum((amount for _, amount in postings), ZERO)
    card = gen.pick("credit_card")
    data: RecordData = {"AccountRef": card, "PayeeEntityRef": gen.pick("vendors")}
    data |= {"TxnDate": day, "Amount": total, "RefNumber": str(gen.rng.randint(100000, 999999))}
    data |= {"Memo": "Refund" if credit else "Card purchase", "ExpenseLineRet": vals(lines)}
    sign = -1 if credit else 1
    if credit:
        gen.add("credit_card_credits", "CreditCardCreditRet", data, created)
    else:
        gen.add("credit_card_charges", "CreditCardChargeRet", data, created)
    for account, amount in postings:
        gen.post(account, sign * amount)
    gen.post(card, -sign * total)


def make_deposit(gen: Gen, state: TxnState, day: date) -> None:
    """Deposits what waits in Undeposited Funds; an "other income" deposit when nothing does."""
    created = gen.stamp(day)
    bank = gen.account["checking"]
    lines: list[RecordData] = []
    waiting, state.undeposited = state.undeposited[:25], state.undeposited[25:]
    for item in waiting:
        line: RecordData = {"TxnType": item.txn_type, "TxnID": item.txn_id}
        line |= {"TxnLineID": gen.line_id(created), "EntityRef": item.entity}
        line["AccountRef"] = gen.account["undeposited"]
        if item.method is not None:
            line["PaymentMethodRef"] = item.method
        lines.append(line | {"Amount": item.amount})
        gen.post(gen.account["undeposited"], -item.amount)
    if not lines:
        amount = gen.money(50, 2000)
        line = {"TxnLineID": gen.line_id(created), "AccountRef": gen.account["income_other"]}
        lines.append(line | {"Memo": "Interest and refunds", "Amount": amount})
        gen.post(gen.account["income_other"], -amount)
    total = sum((line["Amount"] for line in lines if isinstance(line["Amount"], Decimal)), ZERO)
    data: RecordData = {"TxnDate": day, "DepositToAccountRef": bank, "Memo": "Deposit"}
    data |= {"DepositTotal": total, "DepositLineRet": vals(lines)}
    gen.add("deposits", "DepositRet", data, created)
    gen.post(bank, total)


def make_transfer(gen: Gen, state: TxnState, day: date) -> None:
    created = gen.stamp(day)
    source, target = gen.account["checking"], gen.account["savings"]
    if gen.chance(0.4):
        source, target = target, source
    amount = gen.money(100, 5000)
    gen.post(source, -amount)
    gen.post(target, amount)
    data: RecordData = {"TxnDate": day, "TransferFromAccountRef": source}
    data["FromAccountBalance"] = gen.gl.get(str(source["ListID"]), ZERO)
    data |= {"TransferToAccountRef": target}
    data["ToAccountBalance"] = gen.gl.get(str(target["ListID"]), ZERO)
    data |= {"Amount": amount, "Memo": "Funds transfer"}
    gen.add("transfers", "TransferRet", data, created)


def make_journal_entry(gen: Gen, state: TxnState, day: date) -> None:
    """Debits equal credits: one to three debit lines balanced by one or two credits."""
    created = gen.stamp(day)
    debits: list[RecordData] = []
    total = ZERO
    for _ in range(gen.rng.randint(1, 3)):
        account, amount = gen.pick("expense"), gen.money(10, 1500)
        debits.append(_je_line(gen, created, account, amount, "Accrual"))
        gen.post(account, amount)
        total += amount
    credit_accounts = [gen.account["payroll_liab"], gen.account["prepaid"], gen.account["loan"]]
    first = (total / 2).quantize(Decimal("0.01")) if gen.chance(0.5) else total
    credits = [_je_line(gen, created, gen.choice(credit_accounts), first, "Reclass")]
    if first != total:
        credits.append(_je_line(gen, created, gen.account["checking"], total - first, "Paid"))
    for line in credits:
        credit_account, credit = line["AccountRef"], line["Amount"]
        assert isinstance(credit_account, dict) and isinstance(credit, Decimal)
        gen.post(credit_account, -credit)
    data: RecordData = {"TxnDate": day, "RefNumber": state.next_number("journal", 1)}
    data |= {"Memo": "Adjusting entry", "IsAdjustment": gen.chance(0.3)}
    data |= {"JournalDebitLine": vals(debits), "JournalCreditLine": vals(credits)}
    gen.add("journal_entries", "JournalEntryRet", data, created)


def _je_line(
    gen: Gen, created: datetime, account: RecordData, amount: Decimal, memo: str
) -> RecordData:
    line: RecordData = {"TxnLineID": gen.line_id(created), "AccountRef": account}
    return line | {"Amount": amount, "Memo": memo}
