"""Group lines on sales forms (``*LineGroupRet``), the last part of ``optional``.

Owns: turning the company's item group into a kit of one item the company sells most, and
wrapping a share of the sales lines of that item into a group line: the group's quantity is
the line's, its ``TotalAmount`` the line's amount, the line itself its one subline (what
QuickBooks stores when a group item is entered on a form). Amounts, quantities and accounts
do not change, so the ledger (which reads the lines inside groups) stays the same.
Must not: add records (the size of a file is exact).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal

from connector.qbxml.values import RecordData
from qbd_emulator.company import StoredRecord, in_schema_order
from qbd_emulator.generate.gen import Gen, vals

SALES_FORMS = {
    "invoices": "InvoiceRet",
    "sales_orders": "SalesOrderRet",
    "sales_receipts": "SalesReceiptRet",
    "estimates": "EstimateRet",
    "credit_memos": "CreditMemoRet",
}
SHARE = 0.5


def fill_groups(gen: Gen) -> None:
    group = next((r for r in gen.company.iter_records("items") if r.ret == "ItemGroupRet"), None)
    member = _most_sold(gen)
    if group is None or member is None:
        return
    _as_kit(group, member)
    ref = gen.ref(group)
    for key, ret in SALES_FORMS.items():
        line_key = ret.replace("Ret", "LineRet")
        for record in gen.company.iter_records(key):
            _wrap(gen, record, line_key, ref, group.data, member)


def _sales_lines(gen: Gen) -> list[RecordData]:
    out: list[RecordData] = []
    for key, ret in SALES_FORMS.items():
        line_key = ret.replace("Ret", "LineRet")
        for record in gen.company.iter_records(key):
            lines = record.data.get(line_key)
            out += [x for x in lines if isinstance(x, dict)] if isinstance(lines, list) else []
    return out


def _most_sold(gen: Gen) -> RecordData | None:
    counts = Counter(
        str(ref["ListID"])
        for line in _sales_lines(gen)
        if isinstance(ref := line.get("ItemRef"), dict)
    )
    if not counts:
        return None
    list_id = counts.most_common(1)[0][0]
    return gen.ref(gen.company.get("items", list_id))


def _as_kit(group: StoredRecord, member: RecordData) -> None:
    data = dict(group.data)
    data["ItemDesc"] = f"{member['FullName']} kit"
    data["ItemGroupLine"] = vals([{"ItemRef": member, "Quantity": Decimal(1)}])
    group.data = in_schema_order(group.ret, data)


def _wrap(
    gen: Gen,
    record: StoredRecord,
    line_key: str,
    ref: RecordData,
    group: RecordData,
    member: RecordData,
) -> None:
    lines = record.data.get(line_key)
    if not isinstance(lines, list):
        return
    kept: list[RecordData] = []
    groups: list[RecordData] = []
    for line in lines:
        if not isinstance(line, dict):
            continue
        item = line.get("ItemRef")
        if isinstance(item, dict) and item["ListID"] == member["ListID"] and gen.chance(SHARE):
            created = record.data["TimeCreated"]
            assert isinstance(created, datetime)
            wrapper: RecordData = {"TxnLineID": gen.line_id(created), "ItemGroupRef": ref}
            wrapper |= {"Desc": group["ItemDesc"], "Quantity": line.get("Quantity", Decimal(1))}
            wrapper |= {"IsPrintItemsInGroup": False, "TotalAmount": line["Amount"]}
            wrapper[line_key] = vals([line])
            groups.append(wrapper)
        else:
            kept.append(line)
    if not groups:
        return
    data = dict(record.data)
    group_key = line_key.replace("LineRet", "LineGroupRet")
    if kept:
        data[line_key] = vals(kept)
    else:
        data.pop(line_key)
    data[group_key] = vals(groups)
    record.data = in_schema_order(record.ret, data)
