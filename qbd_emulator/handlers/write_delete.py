"""TxnDel, TxnVoid, ListDel, and DataExtAdd/DataExtMod.

Owns: finding the record a ``TxnDelType``/``TxnVoidType``/``ListDelType`` names, QuickBooks'
refusal to delete a list element still in use (3170) or an unknown ID (3120), undoing the
customer/vendor balance a deleted or voided transaction carried, voiding (amounts to zero,
"VOID:" memo), and the DataExt values: company-level (``OtherDataExtType`` Company, where
the Web Connector keeps its FileID under the application's OwnerID, PG p.36) or on a list
or transaction record. Deletions are remembered with their time (ListDeletedQuery and
TxnDeletedQuery). Must not: build XML.
"""

from __future__ import annotations

from connector.qbxml.datatypes import DATA_TYPES, Kind
from connector.qbxml.values import RecordData, Value

from ..company import StoredRecord
from ..company.refs import iter_refs, resolve_ref
from ..errors import (
    CannotDeleteError,
    DuplicateNameError,
    FeatureNotEnabledError,
    ObjectNotFoundError,
)
from .context import Context, Handler, Reply, Request, ok
from .filters import as_list, text
from .write_common import ZERO
from .write_payments import KINDS, unapply
from .write_txns import line_names, move_balance, set_totals

TXN_BY_DEL_TYPE = {
    d.txn_del_type: d.key for d in DATA_TYPES if d.kind is Kind.TXN and d.txn_del_type
}
LIST_BY_DEL_TYPE = {
    d.txn_del_type: d.key for d in DATA_TYPES if d.kind is Kind.LIST and d.txn_del_type
}
LIST_BY_DEL_TYPE |= {
    "Class": "classes",
    "PaymentMethod": "payment_methods",
    "StandardTerms": "terms",
    "DateDrivenTerms": "terms",
    "SalesTaxCode": "sales_tax_codes",
    "Currency": "currencies",
    "Employee": "employees",
    "OtherName": "other_names",
}


def _txn(ctx: Context, del_type: str, txn_id: str) -> tuple[str, StoredRecord]:
    key = TXN_BY_DEL_TYPE.get(del_type)
    if key is None:
        raise FeatureNotEnabledError(del_type)
    return key, ctx.company.get(key, txn_id)


def _release(ctx: Context, key: str, record: StoredRecord) -> None:
    """Payments are unapplied first; a paid invoice or bill is refused (uncertain: the
    QuickBooks UI asks before unlinking; through the SDK we refuse, the safe reading)."""
    if key in KINDS:
        unapply(ctx, key, record.data)
        return
    if key in ("invoices", "bills") and any(
        isinstance(link, dict)
        and link.get("TxnType") in ("ReceivePayment", "BillPaymentCheck", "BillPaymentCreditCard")
        for link in as_list(record.data.get("LinkedTxn"))
    ):
        raise CannotDeleteError(str(record.data["TxnID"]), "It has payments applied to it.")
    move_balance(ctx, key, record.data, -1)


def txn_del(ctx: Context, request: Request) -> Reply:
    del_type, txn_id = text(request.body, "TxnDelType") or "", text(request.body, "TxnID") or ""
    key, record = _txn(ctx, del_type, txn_id)
    _release(ctx, key, record)
    return _delete(ctx, request, key, "Txn", del_type, txn_id, name_element="RefNumber")


def txn_void(ctx: Context, request: Request) -> Reply:
    del_type, txn_id = text(request.body, "TxnVoidType") or "", text(request.body, "TxnID") or ""
    key, record = _txn(ctx, del_type, txn_id)
    _release(ctx, key, record)
    record = ctx.company.get(key, txn_id)
    voided = _voided(key, record)
    edit = str(record.data["EditSequence"])
    saved = ctx.company.modify(key, txn_id, voided, edit, ctx.now, resolve=False).data
    rets: list[tuple[str, Value]] = [
        ("TxnVoidType", del_type),
        ("TxnID", txn_id),
        ("TimeCreated", saved["TimeCreated"]),
        ("TimeModified", saved["TimeModified"]),
    ]
    if "RefNumber" in saved:
        rets.append(("RefNumber", saved["RefNumber"]))
    return ok(request, tuple(rets))


def _voided(key: str, record: StoredRecord) -> RecordData:
    changes: RecordData = {"Memo": f"VOID: {record.data.get('Memo', '')}".rstrip()}
    for name in line_names(record.ret):
        if name in record.data:
            changes[name] = [
                {**line, "Amount": ZERO} if isinstance(line, dict) and "Amount" in line else line
                for line in as_list(record.data[name])
            ]
    if "AppliedToTxnRet" in record.data:
        changes["AppliedToTxnRet"] = []
    if "UnusedPayment" in record.data:
        changes["UnusedPayment"] = ZERO
    merged = dict(record.data) | changes
    set_totals(key, record.ret, merged)
    changes |= {k: v for k, v in merged.items() if record.data.get(k) != v}
    return changes


def list_del(ctx: Context, request: Request) -> Reply:
    del_type, list_id = text(request.body, "ListDelType") or "", text(request.body, "ListID") or ""
    key = "items" if del_type.startswith("Item") else LIST_BY_DEL_TYPE.get(del_type)
    if key is None:
        raise FeatureNotEnabledError(del_type)
    record = ctx.company.get(key, list_id)
    if key == "items" and record.ret != f"{del_type}Ret":
        raise ObjectNotFoundError(list_id)
    _refuse_if_used(ctx, list_id)
    return _delete(ctx, request, key, "List", del_type, list_id, name_element="FullName")


def _delete(
    ctx: Context,
    request: Request,
    key: str,
    prefix: str,
    del_type: str,
    record_id: str,
    *,
    name_element: str,
) -> Reply:
    """Delete the record and answer as TxnDel/ListDel do (``prefix`` Txn or List):
    ``{prefix}DelType``, ``{prefix}ID``, ``TimeDeleted`` and, when the record has one, its
    name as ``name_element`` (RefNumber, FullName)."""
    entry = ctx.company.delete(key, record_id, ctx.now)
    rets: list[tuple[str, Value]] = [
        (f"{prefix}DelType", del_type),
        (f"{prefix}ID", record_id),
        ("TimeDeleted", entry.time_deleted),
    ]
    if entry.name:
        rets.append((name_element, entry.name))
    return ok(request, tuple(rets))


def _refuse_if_used(ctx: Context, list_id: str) -> None:
    """QuickBooks will not delete a list element that a record refers to (or a parent)."""
    for table in ctx.company.records.values():
        for record in table.values():
            for _path, _name, ref in iter_refs(record.data):
                if ref.get("ListID") == list_id:
                    raise CannotDeleteError(list_id, "It is in use and cannot be deleted.")


def data_ext_write(mod: bool) -> Handler:
    def handle(ctx: Context, request: Request) -> Reply:
        raw = request.body.get(request.base)
        assert isinstance(raw, dict)
        ext: RecordData = {
            "OwnerID": text(raw, "OwnerID") or "",
            "DataExtName": text(raw, "DataExtName") or "",
            "DataExtType": "STR255TYPE",
            "DataExtValue": text(raw, "DataExtValue") or "",
        }
        holder = _holder(ctx, raw)
        found = [i for i, d in enumerate(holder) if _same_ext(d, ext)]
        if mod and not found:
            raise ObjectNotFoundError(str(ext["DataExtName"]))
        if not mod and found:
            raise DuplicateNameError(str(ext["DataExtName"]))
        if found:
            holder[found[0]] = ext
        else:
            holder.append(ext)
        _store_holder(ctx, raw, holder)
        return ok(request, (("DataExtRet", ext),))

    return handle


def _same_ext(a: Value, b: RecordData) -> bool:
    return (
        isinstance(a, dict)
        and str(a.get("OwnerID")).lower() == str(b["OwnerID"]).lower()
        and a.get("DataExtName") == b["DataExtName"]
    )


def _holder(ctx: Context, raw: RecordData) -> list[Value]:
    if "OtherDataExtType" in raw:
        return list(ctx.company.data_ext)
    _key, record = _ext_target(ctx, raw)
    return list(as_list(record.data.get("DataExtRet")))


def _store_holder(ctx: Context, raw: RecordData, holder: list[Value]) -> None:
    if "OtherDataExtType" in raw:
        ctx.company.data_ext = [d for d in holder if isinstance(d, dict)]
        return
    key, record = _ext_target(ctx, raw)
    edit = str(record.data["EditSequence"])
    ctx.company.modify(
        key,
        str(record.data.get("ListID", record.data.get("TxnID"))),
        {"DataExtRet": holder},
        edit,
        ctx.now,
        resolve=False,
    )


def _ext_target(ctx: Context, raw: RecordData) -> tuple[str, StoredRecord]:
    if "TxnDataExtType" in raw:
        return _txn(ctx, text(raw, "TxnDataExtType") or "", text(raw, "TxnID") or "")
    kind = text(raw, "ListDataExtType") or ""
    key = "items" if kind.startswith("Item") else LIST_BY_DEL_TYPE.get(kind, "")
    ref = raw.get("ListObjRef")
    if not key or not isinstance(ref, dict):
        raise FeatureNotEnabledError(kind)
    resolved = resolve_ref(ctx.company, (key,), ref, "ListObjRef")
    return key, ctx.company.get(key, str(resolved["ListID"]))


def delete_handlers() -> dict[str, Handler]:
    return {
        "TxnDelRq": txn_del,
        "TxnVoidRq": txn_void,
        "ListDelRq": list_del,
        "DataExtAddRq": data_ext_write(mod=False),
        "DataExtModRq": data_ext_write(mod=True),
    }


__all__ = ["delete_handlers"]
