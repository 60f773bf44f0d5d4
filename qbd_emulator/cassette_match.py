"""What a replayed request must match, and how a recording is mapped onto another connection.

Owns: the canonical form of a qbXML request (one line per element or attribute, in order; the
values that differ between a recording and a replay on another connection, at another time,
left out: ``requestID``s, dates and date-times), ``match_request`` (the replay's matcher: equal
canonical forms, else the first line that differs), ``similarity`` (for the nearest-miss
report), ``Identity`` (the recorded connection's OwnerID/FileID mapped onto the replaying one,
both ways) and ``map_request_ids`` (a recorded answer's ``requestID``s made the replaying
request's). Pure: no I/O, no clock.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from connector.qbxml.errors import XmlInputError
from connector.qbxml.safexml import parse_document

__all__ = [
    "Identity",
    "canonical_lines",
    "map_request_ids",
    "match_request",
    "qbxml_version",
    "recorded_identity",
    "request_ids",
    "similarity",
]

_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?)?$")
_SCRUBBED_ATTRIBUTES = frozenset({"requestID"})
_GUID = re.compile(r"\{[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\}")


def qbxml_version(root: etree._Element) -> str:
    node = root.getprevious()
    while node is not None:  # safexml keeps <?qbxml version="X.Y"?> as a sibling
        if isinstance(node, etree._ProcessingInstruction) and node.target == "qbxml":
            return (node.text or "").replace("version=", "").strip("\"' ")
        node = node.getprevious()
    return ""


def canonical_lines(request: str) -> list[str]:
    """``path[@attr=value] = text`` per element, in document order, volatile values blank."""
    try:
        root = parse_document(request)
    except XmlInputError as exc:
        return [f"unreadable: {exc}"]
    lines = [f"qbxml version {qbxml_version(root)}"]

    def walk(el: etree._Element, path: str) -> Iterator[str]:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            here = f"{path}/{child.tag}"
            attrs = "".join(
                f"[@{k}={'*' if k in _SCRUBBED_ATTRIBUTES else str(v)}]"
                for k, v in sorted((str(k), v) for k, v in child.attrib.items())
            )
            text = (child.text or "").strip()
            if _TIME.match(text):
                text = "<time>"
            yield f"{here}{attrs}" + (f" = {text}" if len(child) == 0 else "")
            yield from walk(child, here)

    lines.extend(walk(root, root.tag))
    return lines


def match_request(recorded: str, actual: str) -> tuple[bool, str]:
    """Equal canonical forms; else the first line that differs, recorded against actual."""
    want, got = canonical_lines(recorded), canonical_lines(actual)
    if want == got:
        return True, ""
    for n in range(max(len(want), len(got))):
        a = want[n] if n < len(want) else "(nothing)"
        b = got[n] if n < len(got) else "(nothing)"
        if a != b:
            return False, f"the request differs at line {n + 1}: recorded {a!r}, got {b!r}"
    return False, "the request differs"  # pragma: no cover - equal lists returned above


def similarity(a: list[str], b: list[str]) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def request_ids(request: str) -> list[str]:
    try:
        root = parse_document(request)
    except XmlInputError:
        return []
    msgs = root.find("QBXMLMsgsRq")
    items = list(msgs) if msgs is not None else []
    return [el.get("requestID", "") for el in items if isinstance(el.tag, str)]


def map_request_ids(response: str, recorded: str, actual: str) -> str:
    """``response`` (the answer to ``recorded``) with each ``requestID`` the one ``actual``
    used for the request in the same place (QuickBooks echoes them; the service checks)."""
    pairs = [(r, a) for r, a in zip(request_ids(recorded), request_ids(actual), strict=False)]
    if all(r == a for r, a in pairs):
        return response
    table = {f'requestID="{r}"': f'requestID="{a}"' for r, a in pairs if r}
    pattern = re.compile("|".join(re.escape(k) for k in table))
    return pattern.sub(lambda m: table[m.group(0)], response)


@dataclass
class Identity:
    """The recorded connection's GUIDs (OwnerID, FileID) and the replaying connection's."""

    to_actual: dict[str, str] = field(default_factory=dict)
    """Upper-cased recorded GUID -> the replaying connection's."""

    def to_recorded(self) -> dict[str, str]:
        return {v.upper(): k for k, v in self.to_actual.items()}

    @staticmethod
    def _swap(text: str, table: dict[str, str]) -> str:
        if not table:
            return text
        return _GUID.sub(lambda m: table.get(m.group(0).upper(), m.group(0)), text)

    def response(self, text: str) -> str:
        return self._swap(text, self.to_actual)

    def request(self, text: str) -> str:
        return self._swap(text, self.to_recorded())


def recorded_identity(responses: list[str]) -> tuple[str, str] | None:
    """The (OwnerID, FileID) of the first FileID data extension QuickBooks answered."""
    for response in responses:
        if "FileID" not in response:
            continue
        try:
            root = parse_document(response)
        except XmlInputError:
            continue
        for ext in root.iter("DataExtRet"):
            if ext.findtext("DataExtName") == "FileID":
                owner, value = ext.findtext("OwnerID"), ext.findtext("DataExtValue")
                if owner and value:
                    return owner.strip(), value.strip()
    return None
