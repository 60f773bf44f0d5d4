"""The fake QuickBooks company file: lists, transactions, deletions, host and company info.

Owns: the in-memory model and its operations (add, modify, delete, look-ups) with
QuickBooks' rules for IDs, TimeCreated/TimeModified, EditSequence, TxnNumber, unique names
(3100), unknown IDs (3120), bad references (3140) and stale EditSequence (3200), and the
hierarchy of list names (FullName, Sublevel, renamed parents).
Records are kept in exactly the shape of ``connector.qbxml.values`` (a dict keyed by the
``*Ret`` element's child names in schema order), stored under the data-type keys of
``connector.qbxml.datatypes`` and then by ListID/TxnID, in insertion order.
Values inside a record are treated as immutable: every change replaces a top-level value,
so ref dicts may be shared between records (the generator relies on it to save memory).
``sales_tax_items`` is a view (``refs.VIEWS``). Must not: read the clock (``now`` is passed
in), do I/O, or know qbXML syntax.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from connector.qbxml.datatypes import BY_KEY, DATA_TYPES, Kind
from connector.qbxml.schema import Schema
from connector.qbxml.values import RecordData, Value
from qbd_emulator.errors import InvalidReferenceError, ObjectNotFoundError, StaleEditSequenceError

from .ids import IdCounters, edit_sequence
from .refs import VIEWS, NameIndex, in_view, name_of, resolve_refs, storage_key
from .values import DeletedEntry, DeletedKind, HostInfo, StoredRecord

SYSTEM_FIELDS = ("ListID", "TxnID", "TimeCreated", "TimeModified", "EditSequence", "TxnNumber")
"""Fields only QuickBooks writes (``add`` assigns them, ``modify`` ignores them)."""


@cache
def field_order(ret: str) -> dict[str, int]:
    """Position of each child of ``ret`` in schema order (qbXML 16.0, a superset of 13.0)."""
    return {spec.name: i for i, spec in enumerate(Schema.for_version("16.0").children(ret))}


def in_schema_order(ret: str, data: RecordData) -> RecordData:
    """``data`` with its top-level keys in schema order (unknown keys last, as given)."""
    order = field_order(ret)
    last = len(order)
    return dict(sorted(data.items(), key=lambda item: order.get(item[0], last)))


@dataclass(eq=False)
class CompanyFile:
    """One company file. ``records[key][id]``; ``deleted`` in deletion order."""

    company_info: RecordData
    preferences: RecordData
    host: HostInfo = field(default_factory=HostInfo)
    file_path: str = "C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\Company.qbw"
    data_ext: list[RecordData] = field(default_factory=list)
    """Company-level DataExtRet dicts (e.g. QBWC's FileID under its OwnerID, PG p.36)."""
    records: dict[str, dict[str, StoredRecord]] = field(default_factory=dict)
    deleted: list[DeletedEntry] = field(default_factory=list)
    counters: IdCounters = field(default_factory=IdCounters)
    message_sets: dict[str, str] = field(default_factory=dict)
    """Message-set error recovery (PROTOCOL.md 1.5): last response per newMessageSetID,
    kept with the file so it survives sessions (the processor owns its content)."""
    names: NameIndex = field(default_factory=NameIndex, init=False, repr=False)

    def __post_init__(self) -> None:
        self.rebuild_name_index()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CompanyFile):
            return NotImplemented
        return self.state() == other.state()

    def state(self) -> tuple[object, ...]:
        """Everything that defines the file (used for equality after save/load)."""
        return (
            self.company_info,
            self.preferences,
            self.host,
            self.file_path,
            self.data_ext,
            {k: {i: (r.ret, r.data) for i, r in v.items()} for k, v in self.records.items()},
            self.deleted,
            self.counters,
            self.message_sets,
        )

    def rebuild_name_index(self) -> None:
        """After records were loaded or replaced wholesale."""
        self.names = NameIndex.of(self.records)

    # ---- reads ------------------------------------------------------------------------
    def get(self, key: str, record_id: str) -> StoredRecord:
        record = self.records.get(storage_key(key), {}).get(record_id)
        if record is None or not in_view(key, record):
            raise ObjectNotFoundError(record_id)
        return record

    def find_by_name(self, key: str, full_name: str) -> StoredRecord | None:
        """Case-insensitive, as QuickBooks matches names (uncertain for every list)."""
        record_id = self.names.find(key, full_name)
        if record_id is None:
            return None
        record = self.records[storage_key(key)][record_id]
        return record if in_view(key, record) else None

    def iter_records(self, key: str) -> Iterator[StoredRecord]:
        for record in self.records.get(storage_key(key), {}).values():
            if in_view(key, record):
                yield record

    def count(self, key: str) -> int:
        if key in VIEWS:
            return sum(1 for _ in self.iter_records(key))
        return len(self.records.get(key, {}))

    def counts(self) -> dict[str, int]:
        """Records per data type, in the registry's order (views included)."""
        keys = [d.key for d in DATA_TYPES if d.key in self.records or d.key in VIEWS]
        return {key: self.count(key) for key in keys}

    def ref_to(self, key: str, record_id: str) -> RecordData:
        """A ``{"ListID", "FullName"}`` ref (as QuickBooks returns refs) to a list record."""
        data = self.get(key, record_id).data
        return {"ListID": record_id, "FullName": name_of(data)}

    # ---- writes -----------------------------------------------------------------------
    def add(
        self, key: str, ret: str, data: RecordData, now: datetime, *, resolve: bool = True
    ) -> StoredRecord:
        """Store a new record: assigns ListID/TxnID, TimeCreated, TimeModified, EditSequence
        (and TxnNumber for transactions); checks unique names (3100) and, when ``resolve``,
        resolves every modelled ref to ``{ListID, FullName}`` (3140 when it names nothing)."""
        dtype = BY_KEY[storage_key(key)]
        if ret not in dtype.rets and ret not in VIEWS.get(key, ("", frozenset()))[1]:
            raise ValueError(f"{ret} is not a record of {key}")
        body = resolve_refs(self, key, data) if resolve else dict(data)
        stamp: dict[str, Value] = {}
        if dtype.kind is Kind.TXN:
            stamp["TxnID"] = self.counters.txn_id(now)
        else:
            self._fill_full_name(key, ret, body)
            self.names.check_unique(key, name_of(body), None)
            stamp["ListID"] = self.counters.list_id(now)  # only once the checks passed
        stamp |= {"TimeCreated": now, "TimeModified": now, "EditSequence": edit_sequence(now)}
        if dtype.kind is Kind.TXN:
            stamp["TxnNumber"] = self.counters.txn_number()
        for name in stamp:
            body.pop(name, None)
        record = StoredRecord(ret, in_schema_order(ret, stamp | body))
        record_id = str(stamp[dtype.id_field])
        self.records.setdefault(dtype.key, {})[record_id] = record
        if dtype.kind is Kind.LIST:
            self.names.add(key, name_of(record.data), record_id)
        return record

    def modify(
        self,
        key: str,
        record_id: str,
        changes: RecordData,
        edit_sequence_value: str,
        now: datetime,
        *,
        resolve: bool = True,
    ) -> StoredRecord:
        """Apply ``changes`` (top-level values replaced, the record kept in schema order) if
        ``edit_sequence_value`` is current (else 3200). A new name or parent recomputes
        FullName/Sublevel, here and in sub-records; a parent that is the record itself or
        one of its sub-records is refused (3140)."""
        record = self.get(key, record_id)
        current = str(record.data.get("EditSequence", ""))
        if edit_sequence_value != current:
            raise StaleEditSequenceError(edit_sequence_value)
        body = resolve_refs(self, key, changes) if resolve else dict(changes)
        for name in SYSTEM_FIELDS:  # QuickBooks assigns these; a Mod cannot set them
            body.pop(name, None)
        if isinstance(body.get("ParentRef"), dict):
            self._check_not_own_ancestor(key, record_id, body["ParentRef"])
        old_name = name_of(record.data)
        renamed = ("Name" in body or "ParentRef" in body) and "ListID" in record.data
        data = dict(record.data)
        data.update(body)
        if renamed:
            self._fill_full_name(key, record.ret, data)
            self.names.check_unique(key, name_of(data), record_id)
        data["TimeModified"] = now
        data["EditSequence"] = edit_sequence(now, current)
        record.data = in_schema_order(record.ret, data) if body else data
        if renamed and name_of(data) != old_name:
            self.names.remove(key, old_name)
            self.names.add(key, name_of(data), record_id)
            self._rename_children(key, record_id, now)
        return record

    def touch(self, key: str, record_id: str, now: datetime) -> StoredRecord:
        """A modification without field changes (QuickBooks bumps TimeModified and
        EditSequence when, e.g., a payment is applied to an invoice)."""
        record = self.get(key, record_id)
        edit = str(record.data["EditSequence"])
        return self.modify(key, record_id, {}, edit, now, resolve=False)

    def delete(self, key: str, record_id: str, now: datetime) -> DeletedEntry:
        record = self.get(key, record_id)
        dtype = BY_KEY[storage_key(key)]
        del self.records[dtype.key][record_id]
        name = name_of(record.data)
        if dtype.kind is Kind.LIST:
            self.names.remove(key, name)
            kind = DeletedKind.LIST
        else:
            kind = DeletedKind.TXN
            name = str(record.data.get("RefNumber", ""))
        created = record.data["TimeCreated"]
        assert isinstance(created, datetime)
        entry = DeletedEntry(kind, record.ret.removesuffix("Ret"), record_id, name, created, now)
        self.deleted.append(entry)
        return entry

    # ---- the hierarchy of list names --------------------------------------------------
    def _fill_full_name(self, key: str, ret: str, body: RecordData) -> None:
        """FullName = parent's FullName + ":" + Name and Sublevel = depth, for the
        hierarchical lists (their Ret has FullName/Sublevel; QuickBooks stops at 5 levels)."""
        order = field_order(ret)
        parent = body.get("ParentRef")
        full_name, level = str(body.get("Name", "")), 0
        if isinstance(parent, dict) and parent:
            parent_data = self.get(key, str(parent["ListID"])).data
            full_name = f"{name_of(parent_data)}:{full_name}"
            parent_level = parent_data.get("Sublevel", 0)
            level = (parent_level if isinstance(parent_level, int) else 0) + 1
        if "FullName" in order:
            body["FullName"] = full_name
        if "Sublevel" in order:
            body["Sublevel"] = level

    def _check_not_own_ancestor(self, key: str, record_id: str, parent: Value | None) -> None:
        seen = 0
        while isinstance(parent, dict) and seen < 100:  # QuickBooks allows 5 levels
            if parent.get("ListID") == record_id:
                detail = ": a record cannot be its own parent"
                raise InvalidReferenceError("Parent", record_id, detail=detail)
            parent = self.get(key, str(parent.get("ListID", ""))).data.get("ParentRef")
            seen += 1

    def _rename_children(self, key: str, parent_id: str, now: datetime) -> None:
        """Sub-records follow their parent's new FullName (QuickBooks shows the new path
        at once; whether it bumps their TimeModified is uncertain: we do, so syncs see it)."""
        for child_id, child in list(self.records.get(storage_key(key), {}).items()):
            parent = child.data.get("ParentRef")
            if isinstance(parent, dict) and parent.get("ListID") == parent_id:
                edit = str(child.data["EditSequence"])
                self.modify(key, child_id, {"ParentRef": {"ListID": parent_id}}, edit, now)
