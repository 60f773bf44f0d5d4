"""The value types of a company file: stored records, deleted entries, the host product.

Owns: ``StoredRecord``, ``DeletedEntry``/``DeletedKind`` (ListDeletedRet/TxnDeletedRet),
``HostInfo`` (HostRet) and the qbXML versions a QuickBooks 2023 product reports.
``qbd_emulator.company`` exports them. Must not: hold behaviour beyond shaping a Ret.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from connector.qbxml.values import RecordData

QBXML_VERSIONS = (
    "1.0",
    "1.1",
    "2.0",
    "2.1",
    "3.0",
    "4.0",
    "4.1",
    *(f"{v}.0" for v in range(5, 17)),
)
"""SupportedQBXMLVersion values of a QuickBooks 2023 product, in HostRet order."""


@dataclass(slots=True)
class StoredRecord:
    ret: str
    """The ``*Ret`` element name, e.g. ``CustomerRet``, ``ItemServiceRet``."""
    data: RecordData


class DeletedKind(Enum):
    LIST = "list"
    TXN = "txn"


@dataclass(frozen=True, slots=True)
class DeletedEntry:
    """One ListDeletedRet / TxnDeletedRet."""

    kind: DeletedKind
    del_type: str
    """ListDelType / TxnDelType value, e.g. ``Customer``, ``ItemService``, ``Invoice``."""
    id: str
    name: str
    """FullName (lists) or RefNumber (txns); ``""`` when the record had none."""
    time_created: datetime
    time_deleted: datetime

    def as_ret(self) -> tuple[str, RecordData]:
        """The ``ListDeletedRet``/``TxnDeletedRet`` element name and value."""
        if self.kind is DeletedKind.LIST:
            data: RecordData = {"ListDelType": self.del_type, "ListID": self.id}
            name_field, ret = "FullName", "ListDeletedRet"
        else:
            data = {"TxnDelType": self.del_type, "TxnID": self.id}
            name_field, ret = "RefNumber", "TxnDeletedRet"
        data |= {"TimeCreated": self.time_created, "TimeDeleted": self.time_deleted}
        if self.name:
            data[name_field] = self.name
        return ret, data


@dataclass(frozen=True)
class HostInfo:
    """What HostQuery reports (HostRet). MajorVersion 33 is QuickBooks 2023 (Pro 2014
    reports 24 in reference/responses/qbwc-qbwc)."""

    product_name: str = "QuickBooks Enterprise Solutions 23.0"
    major_version: str = "33"
    minor_version: str = "0"
    country: str = "US"
    supported_qbxml_versions: tuple[str, ...] = QBXML_VERSIONS
    is_automatic_login: bool = False
    qb_file_mode: str = "SingleUser"

    def as_ret(self) -> RecordData:
        return {
            "ProductName": self.product_name,
            "MajorVersion": self.major_version,
            "MinorVersion": self.minor_version,
            "Country": self.country,
            "SupportedQBXMLVersion": list(self.supported_qbxml_versions),
            "IsAutomaticLogin": self.is_automatic_login,
            "QBFileMode": self.qb_file_mode,
        }
