"""qbXML versions: read what QuickBooks supports and pick the version to speak.

Owns: the ``QbxmlVersion`` value (``"13.0"``, and the country-prefixed forms ``"CA3.0"``,
``"UK2.0"`` that non-US editions list, PROTOCOL.md 1.10), reading HostQuery's
``SupportedQBXMLVersion`` list (from a parsed ``HostRet`` record or from the raw
``strHCPResponse``, PROTOCOL.md 1.2), and ``pick_version``: the highest version both sides
support, capped by the qbXMLMajorVers/qbXMLMinorVers QBWC passes to sendRequestXML.
Must not: do I/O; decide anything about sessions (the QBWC layer does).

Versions only match when their country prefix matches too: ``"CA13.0"`` is not ``"13.0"``
(uncertain: whether non-US editions also accept the plain US numbers is not documented in our
sources, so we do not assume it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from connector.qbxml import safexml
from connector.qbxml.errors import QbxmlVersionError
from connector.qbxml.values import Value

__all__ = [
    "OUR_VERSIONS",
    "QbxmlVersion",
    "pick_version",
    "supported_versions",
    "supported_versions_from_hcp",
]

OUR_VERSIONS = ("13.0", "14.0", "15.0", "16.0")
"""The qbXML versions the connector speaks (the schemas in ../shared/reference/xsd)."""

_VERSION = re.compile(r"^\s*([A-Z]{2})?([0-9]{1,3})\.([0-9]{1,3})\s*$")


@dataclass(frozen=True)
class QbxmlVersion:
    country: str
    """``""`` for the US form, else the prefix (``CA``, ``UK``, ``AU``)."""
    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> QbxmlVersion:
        match = _VERSION.match(text)
        if match is None:
            raise QbxmlVersionError(f"not a qbXML version: {text!r} (expected e.g. 13.0 or CA3.0)")
        return cls(match.group(1) or "", int(match.group(2)), int(match.group(3)))

    def sort_key(self) -> tuple[int, int, bool]:
        """Newer first by number; at equal numbers the US form sorts last (highest)."""
        return (self.major, self.minor, self.country == "")

    def __str__(self) -> str:
        return f"{self.country}{self.major}.{self.minor}"


def supported_versions(host_ret: Mapping[str, Value]) -> tuple[str, ...]:
    """The ``SupportedQBXMLVersion`` values of a parsed ``HostRet`` record, as sent."""
    value = host_ret.get("SupportedQBXMLVersion")
    items = value if isinstance(value, list) else [] if value is None else [value]
    return tuple(str(item).strip() for item in items)


def supported_versions_from_hcp(
    hcp_response: bytes | str, *, max_bytes: int = safexml.DEFAULT_MAX_BYTES
) -> tuple[str, ...]:
    """The ``SupportedQBXMLVersion`` list from a raw HostQuery response (``strHCPResponse``).

    Reading stops at the end of ``HostRet``, so a flaw later in the document (e.g. in
    PreferencesRet) does not hide the host's versions. No ``HostRet`` -> QbxmlVersionError.
    """
    found: list[str] = []
    for event, elem in safexml.iterparse(hcp_response, max_bytes=max_bytes):
        if event != "end":
            continue
        name = _local(elem.tag)
        parent = elem.getparent()
        if (
            name == "SupportedQBXMLVersion"
            and parent is not None
            and _local(parent.tag) == "HostRet"
        ):
            found.append((elem.text or "").strip())
        elif name == "HostRet":
            return tuple(found)
    raise QbxmlVersionError("the HostQuery response has no HostRet")


def pick_version(
    supported_by_qb: Iterable[str],
    supported_by_us: Iterable[str] = OUR_VERSIONS,
    major: int | str | None = None,
    minor: int | str | None = None,
) -> str:
    """The highest version in both lists, at most ``major.minor`` when QBWC gave them.

    ``minor`` without ``major`` is ignored; ``major`` without ``minor`` caps at ``major.*``.
    Entries of QuickBooks' list that are not versions are skipped (and named in the error
    if nothing is left in common).
    """
    ours = {QbxmlVersion.parse(text) for text in supported_by_us}
    theirs, unreadable = _parse_lenient(supported_by_qb)
    cap = _cap(major, minor)
    common = sorted(
        (v for v in ours & theirs if cap is None or (v.major, v.minor) <= cap),
        key=QbxmlVersion.sort_key,
    )
    if common:
        return str(common[-1])
    detail = f"; unreadable entries {unreadable}" if unreadable else ""
    capped = f" at most {cap[0]}.{cap[1] if cap[1] < _NO_MINOR_CAP else '*'}" if cap else ""
    raise QbxmlVersionError(
        f"no common qbXML version{capped}: QuickBooks supports "
        f"{_texts(theirs)}, the connector {_texts(ours)}"
        f"{detail}"
    )


_NO_MINOR_CAP = 10**6


def _cap(major: int | str | None, minor: int | str | None) -> tuple[int, int] | None:
    if major is None or str(major).strip() == "":
        return None
    try:
        major_int = int(major)
        minor_int = _NO_MINOR_CAP if minor is None or str(minor).strip() == "" else int(minor)
    except ValueError:
        raise QbxmlVersionError(f"bad qbXMLMajorVers/MinorVers: {major!r}/{minor!r}") from None
    return (major_int, minor_int)


def _parse_lenient(texts: Iterable[str]) -> tuple[set[QbxmlVersion], list[str]]:
    good: set[QbxmlVersion] = set()
    bad: list[str] = []
    for text in texts:
        try:
            good.add(QbxmlVersion.parse(text))
        except QbxmlVersionError:
            bad.append(text)
    return good, bad


def _texts(versions: set[QbxmlVersion]) -> list[str]:
    return [str(v) for v in sorted(versions, key=QbxmlVersion.sort_key)]


def _local(tag: object) -> str:
    text = tag if isinstance(tag, str) else ""
    return text.rpartition("}")[2]
