"""List writes: CustomerAdd/Mod, VendorAdd/Mod, AccountAdd, ItemServiceAdd, ItemNonInventoryAdd,
and the other list Adds whose ``*Ret`` the company file keeps (ClassAdd, ...).

Owns: mapping each list ``*AddRq``/``*ModRq`` to its data type and ``*Ret``, the fields
QuickBooks derives on Add (Balance/TotalBalance from OpenBalance, IsActive true), and the
call into the company model, which assigns ListID/TimeCreated/EditSequence, fills
FullName/Sublevel, and raises 3100 (duplicate name), 3140 (bad reference), 3120 (unknown
ListID) and 3200 (stale EditSequence). Must not: build XML.
"""

from __future__ import annotations

from connector.qbxml.datatypes import BY_KEY, ITEM_RETS, WRITE_ONLY_MODS, Kind
from connector.qbxml.values import RecordData

from ..errors import InvalidParentError, InvalidReferenceError
from .context import Context, Handler, Reply, Request, ok
from .filters import text
from .write_common import ZERO, body_of, mod_target, money, to_ret

LIST_ADDS: dict[str, tuple[str, str]] = {
    f"{d.add}Rq": (d.key, d.rets[0]) for d in BY_KEY.values() if d.add and d.kind is Kind.LIST
}
LIST_ADDS |= {
    f"{ret.removesuffix('Ret')}AddRq": ("items", ret)
    for ret in ITEM_RETS
    if ret not in ("ItemSalesTaxGroupRet",)
}
LIST_ADDS |= {
    "ClassAddRq": ("classes", "ClassRet"),
    "PaymentMethodAddRq": ("payment_methods", "PaymentMethodRet"),
    "StandardTermsAddRq": ("terms", "StandardTermsRet"),
    "DateDrivenTermsAddRq": ("terms", "DateDrivenTermsRet"),
    "EmployeeAddRq": ("employees", "EmployeeRet"),
    "OtherNameAddRq": ("other_names", "OtherNameRet"),
}
LIST_MODS: dict[str, tuple[str, str]] = {
    f"{d.mod}Rq": (d.key, d.rets[0]) for d in BY_KEY.values() if d.mod and d.kind is Kind.LIST
}
LIST_MODS |= {
    f"{name}Rq": (key, f"{name.removesuffix('Mod')}Ret") for name, key in WRITE_ONLY_MODS.items()
}


def list_add(key: str, ret: str) -> Handler:
    def handle(ctx: Context, request: Request) -> Reply:
        raw = body_of(ctx, request)
        data = to_ret(ret, raw)
        if key in ("customers", "vendors"):
            opening = money(raw.get("OpenBalance")) if "OpenBalance" in raw else ZERO
            data["Balance"] = opening
            if key == "customers":
                data["TotalBalance"] = opening
        data.setdefault("IsActive", True)
        try:
            record = ctx.company.add(key, ret, data, ctx.now)
        except InvalidReferenceError as exc:
            parent = raw.get("ParentRef")
            if isinstance(parent, dict) and exc.target == "Parent":
                name = text(parent, "FullName") or text(parent, "ListID") or ""
                raise InvalidParentError(name, _list_label(key)) from None
            raise
        return ok(request, ((record.ret, record.data),))

    return handle


def list_mod(key: str, ret: str) -> Handler:
    def handle(ctx: Context, request: Request) -> Reply:
        raw = body_of(ctx, request)
        list_id, edit = mod_target(raw, "ListID")
        old = ctx.company.get(key, list_id).data
        changes: RecordData = {}
        for name, value in to_ret(ret, raw).items():
            if name in ("ListID", "EditSequence"):
                continue
            before = old.get(name)  # a Mod aggregate changes only the fields it names
            both = isinstance(value, dict) and isinstance(before, dict)
            changes[name] = {**before, **value} if both else value  # type: ignore[dict-item]
        record = ctx.company.modify(key, list_id, changes, edit, ctx.now)
        return ok(request, ((record.ret, record.data),))

    return handle


def _list_label(key: str) -> str:
    return key.replace("_", " ").title().replace(" ", "")


def list_write_handlers() -> dict[str, Handler]:
    table = {name: list_add(key, ret) for name, (key, ret) in LIST_ADDS.items()}
    table |= {name: list_mod(key, ret) for name, (key, ret) in LIST_MODS.items()}
    return table
