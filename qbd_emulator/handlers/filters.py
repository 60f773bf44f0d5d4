"""Query filters as pure predicates over stored records.

Owns: turning the filter elements of a ``*QueryRq`` (already read into a raw values dict:
text leaves, lists for repeated elements) into one predicate per record, and the date-time
rules QuickBooks applies to them. Must not: page, serialise or touch the company file.

Date rules (PROTOCOL.md 1.10): ``FromModifiedDate``/``ToModifiedDate`` are inclusive; a
date-time without offset is the company's local time (the injected clock's offset); a bare
date means the whole day (From: 00:00:00, To: 23:59:59) (uncertain for To: QuickBooks'
documentation says dates are inclusive, we read that as the whole day).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from decimal import Decimal

from connector.qbxml.values import RecordData, Value

from ..errors import InvalidFieldError, StatusError

Predicate = Callable[[RecordData], bool]


def as_list(value: Value | None) -> list[Value]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def text(raw: Mapping[str, Value], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0]
    return str(value)


def parse_when(value: str, tz: tzinfo, *, end_of_day: bool = False) -> datetime:
    """A request's DATETIMETYPE/DATETYPE text as an aware datetime (see module docstring)."""
    try:
        if "T" not in value:
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max if end_of_day else time.min, tz).replace(
                microsecond=0
            )
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise StatusError(3020, f'There is an invalid date "{value}" in the request.') from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise StatusError(3020, f'There is an invalid date "{value}" in the request.') from None


def _aware(value: Value | None, tz: tzinfo) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, str):
        return parse_when(value, tz)
    return None


def modified_between(lo: str | None, hi: str | None, tz: tzinfo) -> Predicate:
    start = parse_when(lo, tz) if lo else None
    end = parse_when(hi, tz, end_of_day=True) if hi else None
    if start and end and start > end:
        raise StatusError(3030, "The date range in the request is invalid (From is after To).")

    def keep(record: RecordData) -> bool:
        when = _aware(record.get("TimeModified"), tz)
        if when is None:
            return False
        return (start is None or when >= start) and (end is None or when <= end)

    return keep


def txn_date_between(lo: str | None, hi: str | None) -> Predicate:
    start = parse_day(lo) if lo else None
    end = parse_day(hi) if hi else None

    def keep(record: RecordData) -> bool:
        day = record.get("TxnDate")
        if isinstance(day, str):
            day = parse_day(day)
        if not isinstance(day, date):
            return False
        return (start is None or day >= start) and (end is None or day <= end)

    return keep


def active_status(status: str | None) -> Predicate:
    """ActiveStatus: QuickBooks' default is ActiveOnly."""
    wanted = status or "ActiveOnly"

    def keep(record: RecordData) -> bool:
        active = record.get("IsActive", True) is not False
        if wanted == "All":
            return True
        return active if wanted == "ActiveOnly" else not active

    return keep


def _name_of(record: RecordData) -> str:
    return str(record.get("FullName") or record.get("Name") or "")


def name_filter(raw: Mapping[str, Value]) -> Predicate:
    criterion = text(raw, "MatchCriterion") or "StartsWith"
    needle = (text(raw, "Name") or "").lower()
    tests: dict[str, Callable[[str], bool]] = {
        "StartsWith": lambda name: name.startswith(needle),
        "Contains": lambda name: needle in name,
        "EndsWith": lambda name: name.endswith(needle),
    }
    test = tests.get(criterion, tests["StartsWith"])
    return lambda record: test(_name_of(record).lower())


def name_range(raw: Mapping[str, Value]) -> Predicate:
    lo = (text(raw, "FromName") or "").lower()
    hi = text(raw, "ToName")
    top = hi.lower() if hi is not None else None

    def keep(record: RecordData) -> bool:
        name = _name_of(record).lower()
        return name >= lo and (top is None or name[: len(top)] <= top)

    return keep


def ref_number_filter(raw: Mapping[str, Value]) -> Predicate:
    criterion = text(raw, "MatchCriterion") or "StartsWith"
    needle = (text(raw, "RefNumber") or "").lower()

    def keep(record: RecordData) -> bool:
        ref = str(record.get("RefNumber") or "").lower()
        if criterion == "Contains":
            return needle in ref
        if criterion == "EndsWith":
            return ref.endswith(needle)
        return ref.startswith(needle)

    return keep


def ref_number_range(raw: Mapping[str, Value]) -> Predicate:
    lo, hi = text(raw, "FromRefNumber"), text(raw, "ToRefNumber")

    def key(ref: str) -> tuple[int, int | str]:
        return (0, int(ref)) if ref.isdigit() else (1, ref.lower())

    def keep(record: RecordData) -> bool:
        ref = str(record.get("RefNumber") or "")
        if not ref:
            return False
        return (lo is None or key(ref) >= key(lo)) and (hi is None or key(ref) <= key(hi))

    return keep


@dataclass(frozen=True)
class RefMatch:
    """EntityFilter/AccountFilter/CurrencyFilter: ListIDs, FullNames, or a subtree."""

    ids: frozenset[str]
    names: frozenset[str]
    subtree_id: str | None = None
    subtree_name: str | None = None

    @classmethod
    def from_raw(cls, raw: Mapping[str, Value]) -> RefMatch:
        return cls(
            frozenset(str(v) for v in as_list(raw.get("ListID"))),
            frozenset(str(v).lower() for v in as_list(raw.get("FullName"))),
            text(raw, "ListIDWithChildren"),
            text(raw, "FullNameWithChildren"),
        )

    def matches(self, ref: Value | None, parent_names: Mapping[str, str]) -> bool:
        if not isinstance(ref, dict):
            return False
        list_id, name = str(ref.get("ListID", "")), str(ref.get("FullName", "")).lower()
        if list_id in self.ids or name in self.names:
            return True
        if self.subtree_name is not None:
            root = self.subtree_name.lower()
            return name == root or name.startswith(root + ":")
        if self.subtree_id is not None:
            root_name = parent_names.get(self.subtree_id, "").lower()
            return list_id == self.subtree_id or (
                bool(root_name) and name.startswith(root_name + ":")
            )
        return False


ENTITY_REFS = ("CustomerRef", "VendorRef", "PayeeEntityRef", "EntityRef")
ACCOUNT_REFS = (
    "AccountRef",
    "ARAccountRef",
    "APAccountRef",
    "DepositToAccountRef",
    "BankAccountRef",
)


def _refs(record: RecordData, names: tuple[str, ...], lines: bool) -> list[Value]:
    found: list[Value] = [record[n] for n in names if n in record]
    if lines:
        for key, value in record.items():
            if key.endswith(("LineRet", "Line")):
                for line in as_list(value):
                    if isinstance(line, dict):
                        found.extend(line[n] for n in names if n in line)
    return found


def ref_filter(
    match: RefMatch, names: tuple[str, ...], parent_names: Mapping[str, str]
) -> Predicate:
    lines = names is ACCOUNT_REFS  # an AccountFilter also matches expense/journal lines
    return lambda record: any(
        match.matches(ref, parent_names) for ref in _refs(record, names, lines)
    )


def paid_status(status: str | None) -> Predicate:
    wanted = status or "All"

    def keep(record: RecordData) -> bool:
        if wanted == "All":
            return True
        paid = record.get("IsPaid")
        if paid is None:
            remaining = record.get("BalanceRemaining", record.get("OpenAmount", Decimal(0)))
            paid = Decimal(str(remaining)) == 0
        return bool(paid) if wanted == "PaidOnly" else not paid

    return keep


def owner_data_ext(owner_ids: list[Value]) -> Callable[[RecordData], RecordData]:
    """OwnerID: keep only the DataExtRet of the owners asked for (none unless asked). The
    returned function strips the record it is given in place: the caller's own copy."""
    owners = {str(o).lower() for o in owner_ids}

    def strip(record: RecordData) -> RecordData:
        found = record.pop("DataExtRet", None)
        if found is None:
            return record
        ext: list[Value] = [
            d
            for d in as_list(found)
            if isinstance(d, dict) and str(d.get("OwnerID", "")).lower() in owners
        ]
        if ext:
            record["DataExtRet"] = ext
        return record

    return strip


def on_ref(match: RefMatch, name: str, parent_names: Mapping[str, str]) -> Predicate:
    """ClassFilter (``ClassRef``) and CurrencyFilter (``CurrencyRef``). A record without
    the ref does not match (uncertain for CurrencyFilter: QuickBooks may treat a missing
    CurrencyRef as the home currency)."""
    return lambda record: match.matches(record.get(name), parent_names)


_OPERATORS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "LessThan": lambda a, b: a < b,
    "LessThanEqual": lambda a, b: a <= b,
    "Equal": lambda a, b: a == b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanEqual": lambda a, b: a >= b,
}


def total_balance(raw: Mapping[str, Value]) -> Predicate:
    """TotalBalanceFilter: Operator and Amount against TotalBalance (vendors: Balance)."""
    test = _OPERATORS[text(raw, "Operator") or "Equal"]
    try:
        amount = Decimal(text(raw, "Amount") or "0")
    except ArithmeticError:
        raise InvalidFieldError("The Amount of TotalBalanceFilter is not a number.") from None

    def keep(record: RecordData) -> bool:
        value = record.get("TotalBalance", record.get("Balance", Decimal(0)))
        return test(Decimal(str(value)), amount)

    return keep
