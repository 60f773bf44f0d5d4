"""Which stored records a ``*QueryRq`` names: ID/name lists or the filter group.

Owns: the map from query requests to the data types they read (``SOURCES``: every list and
transaction query of ``connector.qbxml.datatypes``, plus the per-kind item queries,
EntityQuery and the two terms queries that read the same records), and ``select``, which
returns the matching records' keys in file order. Missing IDs follow the recorded
responses (reference/responses/qbwc-qbwc): a ListID/TxnID list where nothing is found gives
3120 for the first ID; names or IDs partly found give the 500 warning with what was found.
Must not: page, shape or serialise records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from itertools import islice

from connector.qbxml.datatypes import DATA_TYPES, ITEM_RETS, Kind
from connector.qbxml.values import RecordData

from ..company import CompanyFile, StoredRecord
from ..company.refs import ENTITIES
from ..errors import NotSupportedError, ObjectNotFoundError, QueryIncomplete
from . import filters as f
from .datemacro import period
from .iterators import RecordKey


@dataclass(frozen=True)
class Source:
    keys: tuple[str, ...]
    kind: Kind
    rets: frozenset[str] | None = None
    """Only these ``*Ret`` kinds (None: every record of ``keys``)."""


def _sources() -> dict[str, Source]:
    out = {
        d.request: Source((d.key,), d.kind) for d in DATA_TYPES if d.kind in (Kind.LIST, Kind.TXN)
    }
    for ret in ITEM_RETS:
        out.setdefault(
            f"{ret.removesuffix('Ret')}QueryRq", Source(("items",), Kind.LIST, frozenset({ret}))
        )
    out["EntityQueryRq"] = Source(ENTITIES, Kind.LIST)
    out["StandardTermsQueryRq"] = Source(("terms",), Kind.LIST, frozenset({"StandardTermsRet"}))
    out["DateDrivenTermsQueryRq"] = Source(("terms",), Kind.LIST, frozenset({"DateDrivenTermsRet"}))
    return out


SOURCES: dict[str, Source] = _sources()

LIST_FILTERS = frozenset(
    {
        "MaxReturned",
        "ActiveStatus",
        "FromModifiedDate",
        "ToModifiedDate",
        "NameFilter",
        "NameRangeFilter",
        "AccountType",
        "ClassFilter",
        "CurrencyFilter",
        "TotalBalanceFilter",
        "PaymentMethodType",
    }
)
TXN_FILTERS = frozenset(
    {
        "MaxReturned",
        "ModifiedDateRangeFilter",
        "TxnDateRangeFilter",
        "EntityFilter",
        "AccountFilter",
        "RefNumberFilter",
        "RefNumberRangeFilter",
        "PaidStatus",
        "CurrencyFilter",
    }
)
OPTIONS = frozenset({"IncludeLineItems", "IncludeLinkedTxns", "IncludeRetElement", "OwnerID"})


def records_of(company: CompanyFile, source: Source) -> Iterator[tuple[str, StoredRecord]]:
    for key in source.keys:
        for record in company.iter_records(key):
            if source.rets is None or record.ret in source.rets:
                yield key, record


def _key(key: str, record: StoredRecord, kind: Kind) -> RecordKey:
    return RecordKey(key, str(record.data["TxnID" if kind is Kind.TXN else "ListID"]))


def select(
    company: CompanyFile,
    source: Source,
    body: RecordData,
    now: datetime,
    limit: int | None = None,
) -> list[RecordKey]:
    """Keys of the matching records (the first ``limit`` of them when given: the scan
    stops there). Raises 3120 (``ObjectNotFoundError``) or 500 (``PartialMatch``) for missing named objects."""
    id_field = "TxnID" if source.kind is Kind.TXN else "ListID"
    if id_field in body:
        return _by_ids(company, source, [str(v) for v in f.as_list(body[id_field])])
    if "FullName" in body and source.kind is Kind.LIST:
        return _by_names(company, source, [str(v) for v in f.as_list(body["FullName"])])
    for name in ("RefNumber", "RefNumberCaseSensitive"):
        if name in body:
            wanted = [str(v) for v in f.as_list(body[name])]
            return _by_ref_numbers(company, source, wanted, name == "RefNumber")
    keep = predicate(company, source, body, now)
    matches = (_key(k, r, source.kind) for k, r in records_of(company, source) if keep(r.data))
    return list(islice(matches, limit))


def _by_ids(company: CompanyFile, source: Source, ids: list[str]) -> list[RecordKey]:
    found: dict[str, RecordKey] = {}
    for record_id in dict.fromkeys(ids):
        for key in source.keys:
            try:
                record = company.get(key, record_id)
            except ObjectNotFoundError:
                continue
            if source.rets is None or record.ret in source.rets:
                found[record_id] = RecordKey(key, record_id)
                break
    missing = [i for i in ids if i not in found]
    if missing and not found:
        raise ObjectNotFoundError(missing[0])
    if missing:
        raise PartialMatch([found[i] for i in dict.fromkeys(ids) if i in found], missing[0])
    return [found[i] for i in dict.fromkeys(ids)]


def _by_names(company: CompanyFile, source: Source, names: list[str]) -> list[RecordKey]:
    found: list[RecordKey] = []
    missing: list[str] = []
    for name in dict.fromkeys(names):
        hit = next(
            (
                (key, rec)
                for key in source.keys
                if (rec := company.find_by_name(key, name)) is not None
                and (source.rets is None or rec.ret in source.rets)
            ),
            None,
        )
        if hit is None:
            missing.append(name)
        else:
            found.append(_key(hit[0], hit[1], source.kind))
    if missing:
        raise PartialMatch(found, missing[0])
    return found


def _by_ref_numbers(
    company: CompanyFile, source: Source, wanted: list[str], fold: bool
) -> list[RecordKey]:
    norm: Callable[[str], str] = str.casefold if fold else str
    targets = {norm(w) for w in wanted}
    return [
        _key(k, r, source.kind)
        for k, r in records_of(company, source)
        if norm(str(r.data.get("RefNumber", ""))) in targets
    ]


class PartialMatch(Exception):
    """Some named objects were found, some not: records plus the 500 warning."""

    def __init__(self, found: list[RecordKey], missing: str) -> None:
        super().__init__(missing)
        self.found = found
        self.warning = QueryIncomplete(missing)


def predicate(company: CompanyFile, source: Source, body: RecordData, now: datetime) -> f.Predicate:
    """One predicate for the filter group of ``body``."""
    allowed = LIST_FILTERS if source.kind is Kind.LIST else TXN_FILTERS
    unknown = sorted(set(body) - allowed - OPTIONS)
    if unknown:
        # An emulator limit, said plainly rather than ignored (never a silent wrong answer).
        raise NotSupportedError(f"The fake QuickBooks does not implement the filter {unknown[0]}.")
    tz = now.tzinfo or UTC
    if source.kind is Kind.LIST:
        tests = _list_tests(company, body, tz)
    else:
        tests = _txn_tests(company, body, tz, now.date())
    return lambda record: all(test(record) for test in tests)


def _list_tests(company: CompanyFile, body: RecordData, tz: tzinfo) -> list[f.Predicate]:
    tests = [f.active_status(f.text(body, "ActiveStatus"))]
    lo, hi = f.text(body, "FromModifiedDate"), f.text(body, "ToModifiedDate")
    if lo or hi:
        tests.append(f.modified_between(lo, hi, tz))
    if isinstance(body.get("NameFilter"), dict):
        tests.append(f.name_filter(body["NameFilter"]))  # type: ignore[arg-type]
    if isinstance(body.get("NameRangeFilter"), dict):
        tests.append(f.name_range(body["NameRangeFilter"]))  # type: ignore[arg-type]
    for element in ("AccountType", "PaymentMethodType"):
        wanted = {str(v) for v in f.as_list(body.get(element))}
        if wanted:
            tests.append(lambda r, e=element, w=wanted: str(r.get(e, "")) in w)  # type: ignore[misc]
    if isinstance(body.get("TotalBalanceFilter"), dict):
        tests.append(f.total_balance(body["TotalBalanceFilter"]))  # type: ignore[arg-type]
    return tests + _ref_tests(company, body, (("ClassFilter", "ClassRef"),))


def _ref_tests(
    company: CompanyFile, body: RecordData, pairs: tuple[tuple[str, str], ...]
) -> list[f.Predicate]:
    """ClassFilter/CurrencyFilter style filters on one ``*Ref`` of the record."""
    tests: list[f.Predicate] = []
    for element, ref in (*pairs, ("CurrencyFilter", "CurrencyRef")):
        raw = body.get(element)
        if isinstance(raw, dict):
            match = f.RefMatch.from_raw(raw)
            tests.append(f.on_ref(match, ref, _subtree_names(company, match)))
    return tests


def _txn_tests(
    company: CompanyFile, body: RecordData, tz: tzinfo, today: date
) -> list[f.Predicate]:
    tests: list[f.Predicate] = []
    modified = body.get("ModifiedDateRangeFilter")
    if isinstance(modified, dict):
        tests.append(
            f.modified_between(
                f.text(modified, "FromModifiedDate"), f.text(modified, "ToModifiedDate"), tz
            )
        )
    dates = body.get("TxnDateRangeFilter")
    if isinstance(dates, dict):
        tests.append(_txn_dates(company, dates, today))
    for element, refs in (("EntityFilter", f.ENTITY_REFS), ("AccountFilter", f.ACCOUNT_REFS)):
        raw = body.get(element)
        if isinstance(raw, dict):
            match = f.RefMatch.from_raw(raw)
            tests.append(f.ref_filter(match, refs, _subtree_names(company, match)))
    if isinstance(body.get("RefNumberFilter"), dict):
        tests.append(f.ref_number_filter(body["RefNumberFilter"]))  # type: ignore[arg-type]
    if isinstance(body.get("RefNumberRangeFilter"), dict):
        tests.append(f.ref_number_range(body["RefNumberRangeFilter"]))  # type: ignore[arg-type]
    if "PaidStatus" in body:
        tests.append(f.paid_status(f.text(body, "PaidStatus")))
    return tests + _ref_tests(company, body, ())


def _txn_dates(company: CompanyFile, dates: RecordData, today: date) -> f.Predicate:
    macro = f.text(dates, "DateMacro")
    if macro is None:
        return f.txn_date_between(f.text(dates, "FromTxnDate"), f.text(dates, "ToTxnDate"))
    fiscal = company.company_info.get("FirstMonthFiscalYear")
    lo, hi = period(macro, today, fiscal if isinstance(fiscal, str) else None)
    return f.txn_date_between(lo.isoformat() if lo else None, hi.isoformat() if hi else None)


def _subtree_names(company: CompanyFile, match: f.RefMatch) -> dict[str, str]:
    if match.subtree_id is None:
        return {}
    for key in (*ENTITIES, "accounts", "classes", "items"):
        for record in company.iter_records(key):
            if record.data.get("ListID") == match.subtree_id:
                return {match.subtree_id: str(record.data.get("FullName", ""))}
    return {}
