"""The Host/Company/Preferences queries QBWC runs before the first sendRequestXML.

Owns: the request (``build_hcp_request``) and what the client reads from the answer
(``read_host``: country and the highest SupportedQBXMLVersion, sent as qbXMLCountry and
qbXMLMajorVers/qbXMLMinorVers; PG p.22, p.80). The whole answer is passed on unchanged as
strHCPResponse. Must not: judge the company file (the service does: ``connector.qbwc.server.company_check``).
"""

from __future__ import annotations

from connector.qbxml.safexml import parse_document

__all__ = ["build_hcp_request", "read_host"]


def build_hcp_request(qbxml_version: str, owner_id: str) -> str:
    """The three queries QBWC runs before the first sendRequestXML, in one message set.

    The CompanyQuery asks for the application's private data extensions (OwnerID), so the
    service sees the FileID that QBWC registered (the recorded strHCPResponse files show
    ``DataExtRet`` under the application's OwnerID, PG p.36).
    """
    owner = f"<OwnerID>{owner_id}</OwnerID>" if owner_id else ""
    return (
        '<?xml version="1.0" ?>\n'
        f'<?qbxml version="{qbxml_version}"?>\n'
        '<QBXML><QBXMLMsgsRq onError="continueOnError">'
        '<HostQueryRq requestID="0"/>'
        f'<CompanyQueryRq requestID="1">{owner}</CompanyQueryRq>'
        '<PreferencesQueryRq requestID="2"/>'
        "</QBXMLMsgsRq></QBXML>"
    )


def read_host(hcp_response: str) -> tuple[str, tuple[int, int]]:
    """Country and highest SupportedQBXMLVersion from HostRet (-> qbXMLMajorVers/MinorVers)."""
    root = parse_document(hcp_response)
    host = root.find(".//HostRet")
    if host is None:
        raise ValueError("no HostRet in the HostQuery response")
    versions = [_version(v.text or "") for v in host.findall("SupportedQBXMLVersion")]
    known = [v for v in versions if v is not None]
    if not known:
        raise ValueError("HostRet lists no SupportedQBXMLVersion")
    return (host.findtext("Country") or "US").strip(), max(known)


def _version(text: str) -> tuple[int, int] | None:
    """``13.0`` -> (13, 0); ``CA3.0``/``UK2.0`` (non-US prefixes, PROTOCOL.md 1.10) too."""
    digits = text.strip().lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    major, _, minor = digits.partition(".")
    if not major.isdigit() or not (minor or "0").isdigit():
        return None
    return int(major), int(minor or "0")
