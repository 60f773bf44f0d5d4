"""The plain floor of storing QuickBooks pages (issue 12): what twenty lines of obvious code
do with the same captured qbXML responses, so every sync bench prints how far the project's
apply path and the end-to-end sync are from it, measured in the same run.

Per page: lxml parses the response whole; each ``*Ret`` becomes a dict (a leaf's text, a
child aggregate a nested dict, repeated children a list); orjson writes it; ``sqlite3``
``executemany`` inserts (company, type, id, JSON) in one transaction a page. No
normalisation, no second JSON text, no counts, no cursor, no upsert: a floor, not a rival.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import orjson
from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _value(element: Any) -> Any:
    if len(element) == 0:
        return element.text
    out: dict[str, Any] = {}
    for child in element:
        value = _value(child)
        if child.tag in out:
            previous = out[child.tag]
            out[child.tag] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[child.tag] = value
    return out


def plain_floor(paths: list[Path], folder: Path) -> tuple[int, float]:
    """Records stored and the seconds it took (reading the files not counted)."""
    texts = [path.read_bytes() for path in paths]
    path = folder / "plain-floor.db"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE records (company TEXT, type TEXT, qb_id TEXT, data BLOB)")
    records = 0
    started = time.perf_counter()
    for text in texts:
        root = etree.fromstring(text, _PARSER)
        rows = []
        for rs in root.iter("*"):
            if not (isinstance(rs.tag, str) and rs.tag.endswith("Rs")):
                continue
            for ret in rs:
                data = _value(ret)
                key = data.get("ListID") or data.get("TxnID") if isinstance(data, dict) else None
                rows.append(("floor", ret.tag, key, orjson.dumps(data)))
        with db:
            db.executemany("INSERT INTO records VALUES (?, ?, ?, ?)", rows)
        records += len(rows)
    seconds = time.perf_counter() - started
    db.close()
    return records, seconds
