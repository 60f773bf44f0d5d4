"""The consent the business gives in the link flow: its wording, purely.

Owns: what the platform will read (every synced data type, in plain words, and the
reports), what it may write where writes are enabled, and the wording's version, recorded
with each consent so the portal can show exactly what was agreed to. Change the wording:
change ``WORDING_VERSION``. Must not: do I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.qbxml.datatypes import DATA_TYPES, Kind

WORDING_VERSION = "2025-06.1"
REPORTS = (
    ("profit-and-loss", "Profit and loss"),
    ("balance-sheet", "Balance sheet"),
    ("trial-balance", "Trial balance"),
    ("aged-receivables", "Aged receivables"),
    ("aged-payables", "Aged payables"),
)


def label(key: str) -> str:
    """``sales_tax_codes`` -> ``Sales tax codes``."""
    return key.replace("_", " ").capitalize()


READ_TYPES: tuple[str, ...] = tuple(d.key for d in DATA_TYPES if d.kind in (Kind.LIST, Kind.TXN))
WRITE_TYPES: tuple[str, ...] = tuple(d.key for d in DATA_TYPES if d.add is not None)


@dataclass(frozen=True)
class ConsentWording:
    app_name: str
    version: str
    reads: tuple[str, ...]
    reports: tuple[str, ...]
    writes: tuple[str, ...]

    def read_labels(self) -> list[str]:
        return [label(k) for k in self.reads]

    def report_labels(self) -> list[str]:
        names = dict(REPORTS)
        return [names.get(k, label(k)) for k in self.reports]

    def write_labels(self) -> list[str]:
        return [label(k) for k in self.writes]


def wording(app_name: str, allow_writes: bool) -> ConsentWording:
    return ConsentWording(
        app_name=app_name,
        version=WORDING_VERSION,
        reads=READ_TYPES,
        reports=tuple(k for k, _ in REPORTS),
        writes=WRITE_TYPES if allow_writes else (),
    )
