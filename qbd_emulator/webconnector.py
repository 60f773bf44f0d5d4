"""The fake Web Connector: the QBWC client wired to the fake QuickBooks over real HTTP(S).

Owns: what Intuit's Web Connector does around one update of one application: registering
the QWC's FileID in the company file through QuickBooks when the application is added
(PG p.36, App. A QBWC1022-1027; a file that already holds another FileID under the same
OwnerID stays bound to it and the application is refused, QBWC1026), then one session (``connector.qbwc.client.run_session``) against the
AppURL through the httpx transport. Must not: know the service's internals (it only speaks
SOAP to AppURL), or print (the command does).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum

from lxml import etree

from connector.processors.base import FileMode, RequestProcessor
from connector.qbwc.client import ClientConfig, SessionSummary, run_session
from connector.qbwc.client.envelopes import escape_text
from connector.qbwc.client.transport import HttpxTransport, SoapQbwcService, SoapTransport
from connector.qbwc.qwc import Qwc
from connector.qbxml.safexml import parse_document

__all__ = [
    "QBWC1026",
    "AddApplicationError",
    "FileIdOutcome",
    "add_application",
    "run_webconnector",
]


class FileIdOutcome(Enum):
    ADDED = "added"
    PRESENT = "present"


QBWC1026 = "QBWC1026: There was some problem adding fileID."
"""The Web Connector's message when QuickBooks refuses the FileID (PG App. A, p.91: "It may
be because the FileID is already in use")."""


class AddApplicationError(Exception):
    """QuickBooks refused to store the FileID (QBWC1026): the company file is bound to
    another application instance (another FileID under this OwnerID), or the write failed."""


def add_application(
    qwc: Qwc, processor: RequestProcessor, *, qbxml_version: str = "13.0", company_file: str = ""
) -> FileIdOutcome:
    """What QBWC does when a QWC is added (PG p.36, App. A QBWC1022-1027): connect to
    QuickBooks, look for the ``FileID`` data extension under the QWC's OwnerID, and write
    the QWC's FileID there (DataExtAdd) when the file has none. The FileID stays what was
    stored when the file was first authorised (PG p.36: it lets the service "know it is talking
    to the file it has always talked to"): a file holding another FileID under this OwnerID is
    never overwritten; QBWC's DataExtAdd is refused by QuickBooks (3100, the name is in use)
    and the application is not added (QBWC1026). Uncertain: the guide documents QBWC1026 for a
    refused FileID write, not this case by name; nothing is written either way.

    Raises ``ProcessorError`` when QuickBooks cannot be reached, ``AddApplicationError``
    when it refuses the write.
    """
    processor.open_connection(qwc.app_id, qwc.app_name)
    try:
        ticket = processor.begin_session(company_file, FileMode.DO_NOT_CARE)
        try:
            return _register(qwc, processor, ticket, qbxml_version)
        finally:
            processor.end_session(ticket)
    finally:
        processor.close_connection()


def _register(qwc: Qwc, processor: RequestProcessor, ticket: str, version: str) -> FileIdOutcome:
    query = _message_set(
        version, f'<CompanyQueryRq requestID="1"><OwnerID>{qwc.owner_id}</OwnerID></CompanyQueryRq>'
    )
    stored = _stored_file_id(parse_document(processor.process_request(ticket, query)), qwc)
    if stored is not None and _same_guid(stored, qwc.file_id):
        return FileIdOutcome.PRESENT
    write = _message_set(
        version,
        f'<DataExtAddRq requestID="2"><DataExtAdd><OwnerID>{qwc.owner_id}</OwnerID>'
        "<DataExtName>FileID</DataExtName><OtherDataExtType>Company</OtherDataExtType>"
        f"<DataExtValue>{escape_text(qwc.file_id)}</DataExtValue></DataExtAdd>"
        "</DataExtAddRq>",
    )
    answer = parse_document(processor.process_request(ticket, write)).find(".//DataExtAddRs")
    if answer is None or answer.get("statusCode") != "0":
        said = (
            "no answer"
            if answer is None
            else f"{answer.get('statusCode')} {answer.get('statusMessage', '')}"
        )
        bound = f" The company file is bound to FileID {stored}." if stored is not None else ""
        raise AddApplicationError(f"{QBWC1026}{bound} QuickBooks said: {said}")
    return FileIdOutcome.ADDED


def _same_guid(a: str, b: str) -> bool:
    return a.strip().strip("{}").lower() == b.strip().strip("{}").lower()


def _message_set(version: str, body: str) -> str:
    return (
        f'<?xml version="1.0" ?><?qbxml version="{version}"?><QBXML>'
        f'<QBXMLMsgsRq onError="stopOnError">{body}</QBXMLMsgsRq></QBXML>'
    )


def _stored_file_id(root: etree._Element, qwc: Qwc) -> str | None:
    for ext in root.iter("DataExtRet"):
        owner = (ext.findtext("OwnerID") or "").strip().lower()
        if owner == qwc.owner_id.lower() and ext.findtext("DataExtName") == "FileID":
            return (ext.findtext("DataExtValue") or "").strip()
    return None


def run_webconnector(
    qwc: Qwc,
    password: str,
    processor: RequestProcessor,
    *,
    verify: bool | str = True,
    timeout: float = 60.0,
    config: ClientConfig | None = None,
    sleep: Callable[[float], None] = time.sleep,
    wrap_transport: Callable[[SoapTransport], SoapTransport] | None = None,
) -> SessionSummary:
    """One update session of ``qwc`` against its AppURL, QuickBooks being ``processor``.

    ``verify`` is ``True``, ``False`` or a CA file (a self-signed test certificate);
    ``wrap_transport`` puts something on the SOAP link (e.g. ``faults.FaultyTransport``).
    """
    with HttpxTransport(qwc.app_url, verify=verify, timeout=timeout) as http:
        transport: SoapTransport = wrap_transport(http) if wrap_transport else http
        return run_session(
            qwc, password, SoapQbwcService(transport), processor, config=config, sleep=sleep
        )
