"""QuickBooks through COM: Intuit's QBXMLRP2 request processor, driven with pywin32.

Owns: ``ComProcessor``, the ``RequestProcessor`` for Windows: OpenConnection2 with the QWC's
AppID and AppName, the QWC's AuthPreferences (IsReadOnly, UnattendedModePref,
PersonalDataPref, AuthFlags; PG p.37, "rp.AuthPreferences"), BeginSession with the company
file and open mode, ProcessRequest, GetCurrentCompanyFileName, EndSession and
CloseConnection; and the translation of COM errors into ``ProcessorError`` with QuickBooks'
hresult and message (PROTOCOL.md 1.8).
Importable anywhere; usable only where pywin32 and QBXMLRP2 exist: elsewhere creating one
raises ``ProcessorUnavailable`` saying so. Must not: know SOAP, the agent or the store.

COM facts (uncertain where marked; confirm on the Windows runner, ci/windows-quickbooks.yml):
- QBXMLRP2 reports its errors as DISP_E_EXCEPTION (0x80020009) with the QuickBooks hresult
  in EXCEPINFO.scode and its text in EXCEPINFO.bstrDescription; pywin32 raises them as
  ``pywintypes.com_error(hresult, text, excepinfo, argerr)`` with signed 32-bit numbers.
- Enumeration values of the QBXMLRP2 type library (uncertain: from the SDK's IDL as
  commonly reproduced, not from Intuit's pages in ../shared/reference):
  QBXMLRPConnectionType ctLocalQBD = 1; QBFileMode single 0, multi 1, do-not-care 2;
  QBXMLRPUnattendedModePrefType umpOptional 0, umpRequired 1;
  QBXMLRPPersonalDataPrefType pdpOptional 0, pdpRequired 1, pdpNotNeeded 2.
- AuthPreferences are set after OpenConnection2 and before BeginSession (uncertain: the
  SDK guide says "before BeginSession"; they only take effect for the first authorisation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connector.processors.base import FileMode, ProcessorError
from connector.processors.registry import AuthPreferences, ProcessorSpec, ProcessorUnavailable

PROG_ID = "QBXMLRP2.RequestProcessor"
DISP_E_EXCEPTION = 0x80020009
CT_LOCAL_QBD = 1
FILE_MODES = {FileMode.SINGLE_USER: 0, FileMode.MULTI_USER: 1, FileMode.DO_NOT_CARE: 2}
UNATTENDED = {"umpOptional": 0, "umpRequired": 1}
PERSONAL_DATA = {"pdpOptional": 0, "pdpRequired": 1, "pdpNotNeeded": 2}
UNEXPECTED = 0x80040402
"""QBXMLRP2's "Unexpected error" (PROTOCOL.md 1.8), for a failure that carries no hresult."""

Dispatch = Callable[[str], Any]


def _pywin32_dispatch() -> Dispatch:
    try:
        import pythoncom
        import win32com.client
    except ImportError:
        raise ProcessorUnavailable(
            "the com processor talks to QuickBooks Desktop on Windows through pywin32; it is "
            "not available on this machine (use --processor emulator or replay here)"
        ) from None

    def dispatch(prog_id: str) -> Any:
        pythoncom.CoInitialize()  # each agent session runs on its own thread
        return win32com.client.Dispatch(prog_id)

    return dispatch


def com_error_to_processor_error(exc: BaseException) -> ProcessorError:
    """A pywin32 ``com_error`` (or anything shaped like one) as QuickBooks' hresult + text."""
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    hresult = args[0] if args and isinstance(args[0], int) else UNEXPECTED
    message = args[1] if len(args) > 1 and isinstance(args[1], str) else str(exc)
    excepinfo = args[2] if len(args) > 2 else None
    if (hresult & 0xFFFFFFFF) == DISP_E_EXCEPTION and isinstance(excepinfo, tuple | list):
        scode = excepinfo[5] if len(excepinfo) > 5 else None
        description = excepinfo[2] if len(excepinfo) > 2 else None
        if isinstance(scode, int) and scode:
            hresult = scode
        if isinstance(description, str) and description:
            message = description
    return ProcessorError(hresult & 0xFFFFFFFF, message.strip() or "no message")


class ComProcessor:
    """``RequestProcessor`` over QBXMLRP2. ``dispatch`` creates the COM object (pywin32's
    ``Dispatch`` by default; tests give a fake)."""

    def __init__(
        self,
        preferences: AuthPreferences,
        company_file: str = "",
        dispatch: Dispatch | None = None,
    ) -> None:
        self.preferences = preferences
        self.company_file = company_file
        self._dispatch = dispatch or _pywin32_dispatch()
        self._rp: Any = None

    def _call(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except ProcessorError:
            raise
        except Exception as exc:  # pywintypes.com_error and the COM layer's own failures
            raise com_error_to_processor_error(exc) from None

    def open_connection(self, app_id: str, app_name: str) -> None:
        def open_() -> None:
            self._rp = self._dispatch(PROG_ID)
            self._rp.OpenConnection2(app_id, app_name, CT_LOCAL_QBD)
            self._set_preferences()

        self._call(open_)

    def _set_preferences(self) -> None:
        prefs, wanted = self._rp.AuthPreferences, self.preferences
        if wanted.is_read_only is not None:
            prefs.PutIsReadOnly(wanted.is_read_only)
        if wanted.unattended_mode in UNATTENDED:
            prefs.PutUnattendedModePref(UNATTENDED[wanted.unattended_mode])
        if wanted.personal_data in PERSONAL_DATA:
            prefs.PutPersonalDataPref(PERSONAL_DATA[wanted.personal_data])
        if wanted.auth_flags is not None:
            prefs.PutAuthFlags(wanted.auth_flags)

    def _connected(self) -> Any:
        if self._rp is None:
            raise ProcessorError(0x8004040D, "no connection to QuickBooks: call OpenConnection2")
        return self._rp

    def begin_session(self, company_file: str, mode: FileMode = FileMode.DO_NOT_CARE) -> str:
        rp = self._connected()
        path = company_file or self.company_file
        ticket: str = self._call(lambda: rp.BeginSession(path, FILE_MODES[mode]))
        return ticket

    def process_request(self, ticket: str, request: str) -> str:
        rp = self._connected()
        response: str = self._call(lambda: rp.ProcessRequest(ticket, request))
        return response

    def get_current_company_file_name(self, ticket: str) -> str:
        rp = self._connected()
        name: str = self._call(lambda: rp.GetCurrentCompanyFileName(ticket))
        return name

    def end_session(self, ticket: str) -> None:
        rp = self._connected()
        self._call(lambda: rp.EndSession(ticket))

    def close_connection(self) -> None:
        if self._rp is None:
            return
        rp, self._rp = self._rp, None
        self._call(rp.CloseConnection)


def create_com_processor(spec: ProcessorSpec) -> ComProcessor:
    """The ``com`` processor of ``connector.processors.registry``."""
    return ComProcessor(spec.preferences, spec.company_file)
