"""Reading the first sendRequestXML's ``strHCPResponse`` and judging the company file.

Owns: what the service takes from the HostQuery/CompanyQuery/PreferencesQuery responses QBWC
sends once per session (PG p.22, p.80): the qbXML versions QuickBooks supports, the company
name, and our ``FileID`` data extension (DataExtName ``FileID`` under our OwnerID, PG p.36,
p.52); and the verdict: which qbXML version to speak, and whether this company file is the
one the connection is bound to (FileID when present, else the file path and company name
recorded at first connect).
Must not: touch the store or the session state (``service`` does); parse XML other than
through ``connector.qbxml.safexml``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from connector.qbwc.server.errors import HcpError
from connector.qbwc.server.session import CompanyVerdict
from connector.qbxml import safexml
from connector.qbxml.errors import QbxmlError
from connector.qbxml.versions import OUR_VERSIONS, pick_version
from connector.store.connections import CompanyIdentity

HCP_MAX_BYTES = 4 * 1024 * 1024
"""strHCPResponse is three small responses; anything near this size is not one."""


@dataclass(frozen=True)
class HcpReading:
    supported_versions: tuple[str, ...]
    company_name: str
    file_id: str | None
    """Value of our ``FileID`` DataExt (OwnerID = ours), when the file carries one."""


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _child_text(elem: etree._Element, name: str) -> str:
    for child in elem:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def normalise_guid(value: str | None) -> str:
    """``{ABC-...}`` and ``abc-...`` compare equal."""
    return (value or "").strip().strip("{}").lower()


def read_hcp(hcp_response: str, owner_id: str) -> HcpReading:
    """Parse ``strHCPResponse``; ``HcpError`` when it is not readable qbXML with a HostRet."""
    try:
        root = safexml.parse_document(hcp_response.lstrip(), max_bytes=HCP_MAX_BYTES)
    except QbxmlError as exc:
        raise HcpError(f"strHCPResponse is not readable XML: {exc}") from None
    versions: list[str] = []
    company_name = ""
    file_id: str | None = None
    host_seen = False
    for elem in root.iter():
        name = _local(elem.tag)
        if name == "HostRet":
            host_seen = True
            versions += [
                (c.text or "").strip() for c in elem if _local(c.tag) == "SupportedQBXMLVersion"
            ]
        elif name == "CompanyRet":
            company_name = _child_text(elem, "CompanyName")
        elif name == "DataExtRet" and _is_our_file_id(elem, owner_id):
            file_id = _child_text(elem, "DataExtValue")
    if not host_seen:
        raise HcpError("strHCPResponse has no HostRet (HostQuery response)")
    return HcpReading(tuple(versions), company_name, file_id)


def _is_our_file_id(elem: etree._Element, owner_id: str) -> bool:
    return _child_text(elem, "DataExtName") == "FileID" and normalise_guid(
        _child_text(elem, "OwnerID")
    ) == normalise_guid(owner_id)


def _same_path(a: str, b: str) -> bool:
    """Windows paths: case-insensitive, either slash."""
    return a.strip().replace("/", "\\").casefold() == b.strip().replace("/", "\\").casefold()


def company_error(
    observed: CompanyIdentity, bound: CompanyIdentity | None, expected_file_id: str
) -> str | None:
    """Why this company file must be refused, or ``None`` when it is the right one."""
    if observed.file_id:
        if normalise_guid(observed.file_id) == normalise_guid(expected_file_id):
            return None
        return (
            f"The open company file '{observed.file_path}' belongs to another connection "
            f"(its FileID is {observed.file_id}); open the company file this connection was "
            "set up for."
        )
    if bound is None:
        return None
    if bound.file_id:
        return (
            f"The open company file '{observed.file_path}' lacks this connection's FileID; "
            f"it was set up with '{bound.company_name}' at '{bound.file_path}'."
        )
    same_name = observed.company_name.strip().casefold() == bound.company_name.strip().casefold()
    if same_name and _same_path(observed.file_path, bound.file_path):
        return None
    return (
        f"This connection is bound to company '{bound.company_name}' at '{bound.file_path}', "
        f"but QuickBooks has '{observed.company_name}' at '{observed.file_path}' open. Open the "
        "right company file, or ask for a new connection for this one."
    )


def judge(
    reading: HcpReading,
    observed: CompanyIdentity,
    bound: CompanyIdentity | None,
    expected_file_id: str,
    *,
    major: int | None,
    minor: int | None,
    supported_by_us: Iterable[str] = OUR_VERSIONS,
) -> CompanyVerdict:
    """The version to speak and the company check, as the session machine wants them."""
    error = company_error(observed, bound, expected_file_id)
    if error is not None:
        return CompanyVerdict(None, error)
    try:
        version = pick_version(reading.supported_versions, tuple(supported_by_us), major, minor)
    except QbxmlError as exc:
        return CompanyVerdict(None, f"QuickBooks and this service share no qbXML version: {exc}")
    return CompanyVerdict(version)
