"""The RequestProcessor seam: how the QBWC client reaches QuickBooks.

Owns: the one small interface every QuickBooks link implements, modelled on Intuit's
QBXMLRP2 COM object (OpenConnection2, BeginSession, ProcessRequest, EndSession,
CloseConnection), and the error type carrying QuickBooks' hresult.
Implementations: ``connector.processors.com`` (Windows, pywin32), the fake QuickBooks in
``qbd_emulator`` and the cassette replayer. Must not: know about SOAP or the store.
"""

from __future__ import annotations

from enum import Enum
from typing import Protocol, runtime_checkable


class FileMode(Enum):
    """QBXMLRP2's qbFileOpenMode."""

    SINGLE_USER = "qbFileOpenSingleUser"
    MULTI_USER = "qbFileOpenMultiUser"
    DO_NOT_CARE = "qbFileOpenDoNotCare"


class ProcessorError(Exception):
    """QuickBooks (or the COM layer) refused: ``hresult`` as QBWC reports it (``0x80040400``)."""

    def __init__(self, hresult: int, message: str) -> None:
        super().__init__(f"{hresult_text(hresult)}: {message}")
        self.hresult = hresult
        self.message = message

    @property
    def hresult_text(self) -> str:
        return hresult_text(self.hresult)


def hresult_text(hresult: int) -> str:
    """The hex form QBWC sends on the wire, e.g. ``0x80040400``."""
    return f"0x{hresult & 0xFFFFFFFF:08X}"


@runtime_checkable
class RequestProcessor(Protocol):
    """One QuickBooks link. Calls follow QBXMLRP2's order:
    open_connection, begin_session, process_request*, end_session, close_connection.
    Every method may raise ``ProcessorError``."""

    def open_connection(self, app_id: str, app_name: str) -> None: ...

    def begin_session(self, company_file: str, mode: FileMode = FileMode.DO_NOT_CARE) -> str:
        """Open ``company_file`` (``""`` = the file open in QuickBooks); returns a session ticket."""
        ...

    def process_request(self, ticket: str, request: str) -> str:
        """A qbXML request string in, a qbXML response string out."""
        ...

    def end_session(self, ticket: str) -> None: ...

    def close_connection(self) -> None: ...

    def get_current_company_file_name(self, ticket: str) -> str: ...
