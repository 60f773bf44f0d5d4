"""The fake QuickBooks company file, one package.

Modules: ``model`` (``CompanyFile``: records, look-ups, add/modify/delete under QuickBooks'
rules), ``values`` (stored records, deleted entries, the host product), ``refs`` (which list
a ``*Ref`` names, unique names, resolving refs), ``ids`` (ListID/TxnID/EditSequence
formats and counters), ``balances`` (open amounts and payer balances when payments apply),
``storage`` (the on-disk format: ``save``/``load``). This module is the public surface
(``__all__``, pinned by a test). Must not: do I/O outside ``storage``.
"""

from __future__ import annotations

from .model import CompanyFile, in_schema_order
from .refs import VIEWS, name_of, storage_key
from .storage import load, save
from .values import QBXML_VERSIONS, DeletedEntry, DeletedKind, HostInfo, StoredRecord

__all__ = [
    "QBXML_VERSIONS",
    "VIEWS",
    "CompanyFile",
    "DeletedEntry",
    "DeletedKind",
    "HostInfo",
    "StoredRecord",
    "in_schema_order",
    "load",
    "name_of",
    "save",
    "storage_key",
]
