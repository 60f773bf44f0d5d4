"""Saving and loading a fake company file: gzip'd JSON lines, typed values kept losslessly.

Owns: the on-disk format. Line 1 is a header (format name and version, host, CompanyRet,
PreferencesRet, file path, DataExt, ID counters, message-set store); then one line per
record ``{"k": key, "r": ret, "d": data}`` in insertion order; then one line per deleted
entry ``{"x": [...]}``. Values JSON lacks are tagged objects: ``{"$d": "12.30"}`` Decimal
(its exponent kept), ``{"$D": "2024-03-05"}`` date, ``{"$t": "2024-03-05T10:11:12-07:00"}``
datetime with its own offset. Record element names never start with ``$``, so tags cannot
collide. Reading and writing stream line by line, so a ``large`` file never sits in memory
twice. Must not: generate or interpret records.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from qbd_emulator.errors import CompanyFileError

from .ids import IdCounters
from .model import CompanyFile
from .values import DeletedEntry, DeletedKind, HostInfo, StoredRecord

FORMAT = "qbd-emulator-company"
_UNIQUE_TEXT = frozenset({"ListID", "TxnID", "TxnLineID", "EditSequence", "RefNumber"})
VERSION = 1


def _default(value: object) -> dict[str, str]:
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise CompanyFileError(f"datetime without UTC offset cannot be saved: {value}")
        return {"$t": value.isoformat()}
    if isinstance(value, date):
        return {"$D": value.isoformat()}
    raise CompanyFileError(f"cannot save a value of type {type(value).__name__}: {value!r}")


class _Decoder:
    """Decodes tags, and shares what the generator shared: element names are interned and
    equal refs become one dict (memory for ``large`` stays what generation needed)."""

    def __init__(self) -> None:
        self.refs: dict[tuple[str, str], dict[str, Any]] = {}
        self.texts: dict[tuple[tuple[str, Any], ...], dict[str, Any]] = {}
        self.dates: dict[str, date] = {}
        self.strings: dict[str, str] = {}
        self.decimals: dict[str, Decimal] = {}

    def _decimal(self, text: str) -> Decimal:
        if len(text) > 5:  # amounts are mostly unique; "0.00", quantities and rates repeat
            return Decimal(text)
        number = self.decimals.get(text)
        if number is None:
            number = self.decimals[text] = Decimal(text)
        return number

    def pairs(self, pairs: list[tuple[str, Any]]) -> Any:
        if len(pairs) == 1:
            tag, text = pairs[0]
            if tag == "$d":
                return self._decimal(text)
            if tag == "$t":
                return datetime.fromisoformat(text)
            if tag == "$D":
                day = self.dates.get(text)
                if day is None:
                    day = self.dates[text] = date.fromisoformat(text)
                return day
        if len(pairs) == 2 and pairs[0][0] == "ListID" and pairs[1][0] == "FullName":
            key = (pairs[0][1], pairs[1][1])
            ref = self.refs.get(key)
            if ref is None:
                ref = self.refs[key] = {"ListID": key[0], "FullName": key[1]}
            return ref
        if len(pairs) <= 12 and all(type(value) is str for _, value in pairs):
            # Text-only aggregates (addresses, formats) repeat across records: share them.
            shape = tuple(pairs)
            shared = self.texts.get(shape)
            if shared is None:
                shared = self.texts[shape] = {sys.intern(n): v for n, v in pairs}
            return shared
        return {sys.intern(name): self._text(name, value) for name, value in pairs}

    def _text(self, name: str, value: Any) -> Any:
        """Repeated text values (memos, descriptions, enum values) become one string, as
        they were when generated; identifiers are unique, so caching them would cost."""
        if type(value) is not str or name in _UNIQUE_TEXT or len(value) > 80:
            return value
        return self.strings.setdefault(value, value)


def dumps(value: object) -> str:
    return json.dumps(value, default=_default, separators=(",", ":"), ensure_ascii=False)


def loads(text: str, decoder: _Decoder | None = None) -> Any:
    hook = (decoder or _Decoder()).pairs
    try:
        return json.loads(text, object_pairs_hook=hook)
    except (ValueError, InvalidOperation) as exc:
        raise CompanyFileError(f"corrupt company file line: {exc}") from None


def iter_lines(company: CompanyFile) -> Iterator[str]:
    """The file's lines, header first (one record at a time: nothing is buffered)."""
    header = {
        "format": FORMAT,
        "version": VERSION,
        "host": asdict(company.host),
        "company_info": company.company_info,
        "preferences": company.preferences,
        "file_path": company.file_path,
        "data_ext": company.data_ext,
        "counters": asdict(company.counters),
        "message_sets": company.message_sets,
    }
    yield dumps(header)
    for key, table in company.records.items():
        for record in table.values():
            yield dumps({"k": key, "r": record.ret, "d": record.data})
    for entry in company.deleted:
        row = [entry.kind.value, entry.del_type, entry.id, entry.name]
        yield dumps({"x": [*row, entry.time_created, entry.time_deleted]})


def save(company: CompanyFile, path: str | Path) -> None:
    """Write ``company`` to ``path`` (gzip; written to a temporary name, then renamed)."""
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    with gzip.open(partial, "wt", encoding="utf-8", compresslevel=5) as out:
        for line in iter_lines(company):
            out.write(line)
            out.write("\n")
    partial.replace(target)


def load(path: str | Path) -> CompanyFile:
    """Read a file written by ``save``; ``CompanyFileError`` when it is not one."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            return from_lines(lines)
    except (OSError, EOFError) as exc:
        raise CompanyFileError(f"cannot read company file {path}: {exc}") from None


def from_lines(lines: Iterator[str]) -> CompanyFile:
    company = _header(next(lines, ""))
    decoder = _Decoder()
    for number, line in enumerate(lines, start=2):
        row = loads(line, decoder)
        if "x" in row:
            kind, del_type, record_id, name, created, deleted = row["x"]
            company.deleted.append(
                DeletedEntry(DeletedKind(kind), del_type, record_id, name, created, deleted)
            )
        elif {"k", "r", "d"} <= row.keys():
            data = row["d"]
            id_value = data.get("TxnID", data.get("ListID"))
            company.records.setdefault(row["k"], {})[id_value] = StoredRecord(row["r"], data)
        else:
            raise CompanyFileError(f"line {number}: neither a record nor a deleted entry")
    company.rebuild_name_index()
    return company


def _header(line: str) -> CompanyFile:
    if not line:
        raise CompanyFileError("empty company file")
    header = loads(line)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CompanyFileError("not a qbd-emulator company file")
    if header.get("version") != VERSION:
        raise CompanyFileError(f"unsupported company file version {header.get('version')!r}")
    host = dict(header["host"])
    host["supported_qbxml_versions"] = tuple(host["supported_qbxml_versions"])
    return CompanyFile(
        company_info=header["company_info"],
        preferences=header["preferences"],
        host=HostInfo(**host),
        file_path=header["file_path"],
        data_ext=header["data_ext"],
        counters=IdCounters(**header["counters"]),
        message_sets=header["message_sets"],
    )
