"""Typed query filters and iterator settings for the request builders.

Owns: the frozen values a caller uses to say what a ``*QueryRq`` should select (ID and name
lists, MaxReturned, ActiveStatus, modified/transaction/deleted date ranges, entity and
account filters, RefNumber filters, PaidStatus, IncludeLineItems, IncludeLinkedTxns,
OwnerID) and the iterator (``Start``/``Continue`` + ``iteratorID``). Each value checks its
own consistency when constructed (``BadValueError``); whether a query and a qbXML version
accept it is decided by ``build`` against the schema. Must not: build XML.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import Enum

from connector.qbxml.errors import BadValueError

__all__ = [
    "AccountFilter",
    "ActiveStatus",
    "DeletedDateRange",
    "EntityFilter",
    "Iterator",
    "IteratorMode",
    "MatchCriterion",
    "ModifiedDateRange",
    "NameFilter",
    "PaidStatus",
    "QueryFilter",
    "RefNumberFilter",
    "RefNumberRange",
    "TxnDateRange",
]


class ActiveStatus(Enum):
    ACTIVE_ONLY = "ActiveOnly"
    INACTIVE_ONLY = "InactiveOnly"
    ALL = "All"


class PaidStatus(Enum):
    ALL = "All"
    PAID_ONLY = "PaidOnly"
    NOT_PAID_ONLY = "NotPaidOnly"


class MatchCriterion(Enum):
    STARTS_WITH = "StartsWith"
    CONTAINS = "Contains"
    ENDS_WITH = "EndsWith"


class IteratorMode(Enum):
    START = "Start"
    CONTINUE = "Continue"


def _tuple_of_str(owner: object, name: str) -> None:
    value = getattr(owner, name)
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise BadValueError(f"{type(owner).__name__}.{name} must be a tuple of str, got {value!r}")


def _one_end(owner: object, low: str, high: str) -> None:
    if getattr(owner, low) is None and getattr(owner, high) is None:
        raise BadValueError(f"{type(owner).__name__} needs {low} or {high}")


def _check_order(owner: object, low: date | None, high: date | None) -> None:
    if low is None or high is None:
        return
    try:
        reversed_range = low > high
    except TypeError:  # one naive, one aware: no order to check; QuickBooks decides
        return
    if reversed_range:
        raise BadValueError(f"{type(owner).__name__}: start {low} is after end {high}")


@dataclass(frozen=True)
class Iterator:
    """``iterator="Start"`` (no ID) or ``iterator="Continue"`` with the ``iteratorID``
    QuickBooks returned. Iterators live only as long as the QuickBooks session (PROTOCOL.md 1.10)."""

    mode: IteratorMode = IteratorMode.START
    iterator_id: str | None = None

    def __post_init__(self) -> None:
        if (self.mode is IteratorMode.CONTINUE) != (self.iterator_id is not None):
            raise BadValueError("iterator Continue needs an iteratorID and Start must not have one")

    @classmethod
    def start(cls) -> Iterator:
        return cls(IteratorMode.START)

    @classmethod
    def resume(cls, iterator_id: str) -> Iterator:
        return cls(IteratorMode.CONTINUE, iterator_id)


@dataclass(frozen=True)
class ModifiedDateRange:
    """Records modified in a range (inclusive; PROTOCOL.md 1.10). Emitted as
    ``FromModifiedDate``/``ToModifiedDate`` on list queries and inside
    ``ModifiedDateRangeFilter`` on transaction queries, as each query's schema says."""

    from_modified: datetime | date | None = None
    to_modified: datetime | date | None = None

    def __post_init__(self) -> None:
        _one_end(self, "from_modified", "to_modified")
        _check_order(self, self.from_modified, self.to_modified)


@dataclass(frozen=True)
class TxnDateRange:
    """``TxnDateRangeFilter``: dates, or one of QuickBooks' ``DateMacro`` names."""

    from_date: date | None = None
    to_date: date | None = None
    date_macro: str | None = None

    def __post_init__(self) -> None:
        has_dates = self.from_date is not None or self.to_date is not None
        if has_dates == (self.date_macro is not None):
            raise BadValueError(
                "TxnDateRange takes from_date/to_date or date_macro (exactly one form)"
            )
        for value in (self.from_date, self.to_date):
            if isinstance(value, datetime):
                raise BadValueError("TxnDateRange takes dates, not datetimes")
        _check_order(self, self.from_date, self.to_date)

    def value(self) -> dict[str, object]:
        return {
            "FromTxnDate": self.from_date,
            "ToTxnDate": self.to_date,
            "DateMacro": self.date_macro,
        }


@dataclass(frozen=True)
class DeletedDateRange:
    """``DeletedDateRangeFilter`` of ListDeletedQuery/TxnDeletedQuery (90 days back at most)."""

    from_deleted: datetime | date | None = None
    to_deleted: datetime | date | None = None

    def __post_init__(self) -> None:
        _one_end(self, "from_deleted", "to_deleted")
        _check_order(self, self.from_deleted, self.to_deleted)

    def value(self) -> dict[str, object]:
        return {"FromDeletedDate": self.from_deleted, "ToDeletedDate": self.to_deleted}


@dataclass(frozen=True)
class _RefFilter:
    """Exactly one of: ListIDs, FullNames, ListIDWithChildren, FullNameWithChildren."""

    list_ids: tuple[str, ...] = ()
    full_names: tuple[str, ...] = ()
    list_id_with_children: str | None = None
    full_name_with_children: str | None = None

    def __post_init__(self) -> None:
        _tuple_of_str(self, "list_ids")
        _tuple_of_str(self, "full_names")
        given = [f.name for f in fields(self) if getattr(self, f.name) not in ((), None)]
        if len(given) != 1:
            raise BadValueError(
                f"{type(self).__name__} takes exactly one of list_ids, full_names, "
                f"list_id_with_children, full_name_with_children; got {given or 'none'}"
            )

    def value(self) -> dict[str, object]:
        return {
            "ListID": list(self.list_ids),
            "FullName": list(self.full_names),
            "ListIDWithChildren": self.list_id_with_children,
            "FullNameWithChildren": self.full_name_with_children,
        }


@dataclass(frozen=True)
class EntityFilter(_RefFilter):
    """``EntityFilter``: transactions of these customers/vendors/employees/other names."""


@dataclass(frozen=True)
class AccountFilter(_RefFilter):
    """``AccountFilter``: transactions touching these accounts."""


@dataclass(frozen=True)
class RefNumberFilter:
    match: MatchCriterion
    ref_number: str

    def value(self) -> dict[str, object]:
        return {"MatchCriterion": self.match.value, "RefNumber": self.ref_number}


@dataclass(frozen=True)
class RefNumberRange:
    from_ref_number: str | None = None
    to_ref_number: str | None = None

    def __post_init__(self) -> None:
        _one_end(self, "from_ref_number", "to_ref_number")

    def value(self) -> dict[str, object]:
        return {"FromRefNumber": self.from_ref_number, "ToRefNumber": self.to_ref_number}


@dataclass(frozen=True)
class NameFilter:
    match: MatchCriterion
    name: str

    def value(self) -> dict[str, object]:
        return {"MatchCriterion": self.match.value, "Name": self.name}


@dataclass(frozen=True)
class QueryFilter:
    """What a ``*QueryRq`` selects. Empty = everything the query returns by default.
    Fields the query (or version) lacks are refused by ``build.query``; alternatives of one
    schema choice (e.g. ``list_ids`` with ``max_returned``) are refused by the encoder."""

    list_ids: tuple[str, ...] = ()
    full_names: tuple[str, ...] = ()
    txn_ids: tuple[str, ...] = ()
    ref_numbers: tuple[str, ...] = ()
    max_returned: int | None = None
    active_status: ActiveStatus | None = None
    modified: ModifiedDateRange | None = None
    name: NameFilter | None = None
    txn_date: TxnDateRange | None = None
    entity: EntityFilter | None = None
    account: AccountFilter | None = None
    ref_number: RefNumberFilter | None = None
    ref_number_range: RefNumberRange | None = None
    paid_status: PaidStatus | None = None
    include_line_items: bool | None = None
    include_linked_txns: bool | None = None
    deleted_types: tuple[str, ...] = ()
    """``ListDelType``/``TxnDelType`` values of ListDeletedQuery/TxnDeletedQuery."""
    deleted: DeletedDateRange | None = None
    include_ret: tuple[str, ...] = ()
    """``IncludeRetElement``: only these fields of each record."""
    owner_ids: tuple[str, ...] = ()
    """``OwnerID`` GUIDs of the custom fields (DataExt) to return; ``"0"`` = public ones."""

    def __post_init__(self) -> None:
        for name in (
            "list_ids",
            "full_names",
            "txn_ids",
            "ref_numbers",
            "deleted_types",
            "include_ret",
            "owner_ids",
        ):
            _tuple_of_str(self, name)
        if self.max_returned is not None and (
            isinstance(self.max_returned, bool) or self.max_returned < 1
        ):
            raise BadValueError(f"max_returned must be a positive int, got {self.max_returned!r}")
