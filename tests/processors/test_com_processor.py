"""The COM processor against a fake QBXMLRP2 dispatch object: the calls QuickBooks receives,
in order, with the QWC's preferences; COM errors as QuickBooks' hresults (PROTOCOL.md 1.8)."""

from __future__ import annotations

from typing import Any

import pytest

from connector.processors.base import FileMode, ProcessorError, RequestProcessor
from connector.processors.com import (
    DISP_E_EXCEPTION,
    PROG_ID,
    ComProcessor,
    com_error_to_processor_error,
    create_com_processor,
)
from connector.processors.registry import (
    AuthPreferences,
    ProcessorSpec,
    ProcessorUnavailable,
    create_processor,
)


class ComError(Exception):
    """Shaped as pywintypes.com_error: (hresult, text, excepinfo, argerr), signed numbers."""


def com_error(scode: int, text: str) -> ComError:
    signed = lambda n: n - (1 << 32) if n & 0x80000000 else n  # noqa: E731
    excepinfo = (0, "QBXMLRP2.RequestProcessor.2", text, None, 0, signed(scode))
    return ComError(signed(DISP_E_EXCEPTION), "Exception occurred.", excepinfo, None)


class FakeRp:
    """Records every call; ``fail`` maps a method name to the COM error it raises."""

    def __init__(self, calls: list[tuple[Any, ...]], fail: dict[str, ComError]) -> None:
        self.calls, self.fail = calls, fail
        self.AuthPreferences = self.Prefs(calls)

    class Prefs:
        def __init__(self, calls: list[tuple[Any, ...]]) -> None:
            self.calls = calls

        def __getattr__(self, name: str) -> Any:
            return lambda *args: self.calls.append((f"AuthPreferences.{name}", *args))

    def _do(self, name: str, *args: Any) -> Any:
        self.calls.append((name, *args))
        if name in self.fail:
            raise self.fail[name]
        return {"BeginSession": "{ticket-1}", "ProcessRequest": "<QBXML/>",
                "GetCurrentCompanyFileName": r"C:\Books\Acme.QBW"}.get(name)  # fmt: skip

    def __getattr__(self, name: str) -> Any:
        return lambda *args: self._do(name, *args)


PREFS = AuthPreferences(
    is_read_only=False, unattended_mode="umpRequired", personal_data="pdpNotNeeded", auth_flags=0xF
)
APP_ID, APP_NAME = "app-1", "qbd-connector (Acme)"


def processor(
    fail: dict[str, ComError] | None = None,
) -> tuple[ComProcessor, list[tuple[Any, ...]]]:
    calls: list[tuple[Any, ...]] = []
    created: list[str] = []

    def dispatch(prog_id: str) -> FakeRp:
        created.append(prog_id)
        return FakeRp(calls, fail or {})

    proc = ComProcessor(PREFS, r"C:\Books\Acme.QBW", dispatch=dispatch)
    calls.append(("created", *created))
    return proc, calls


def test_a_session_calls_qbxmlrp2_in_order_with_the_qwc_preferences() -> None:
    proc, calls = processor()
    assert isinstance(proc, RequestProcessor)
    proc.open_connection(APP_ID, APP_NAME)
    ticket = proc.begin_session("", FileMode.MULTI_USER)
    assert proc.process_request(ticket, "<?qbxml?>") == "<QBXML/>"
    assert proc.get_current_company_file_name(ticket) == r"C:\Books\Acme.QBW"
    proc.end_session(ticket)
    proc.close_connection()
    proc.close_connection()  # a second close does nothing
    assert calls[1:] == [
        ("OpenConnection2", "app-1", "qbd-connector (Acme)", 1),
        ("AuthPreferences.PutIsReadOnly", False),
        ("AuthPreferences.PutUnattendedModePref", 1),
        ("AuthPreferences.PutPersonalDataPref", 2),
        ("AuthPreferences.PutAuthFlags", 0xF),
        ("BeginSession", r"C:\Books\Acme.QBW", 1),  # "" = the configured company file
        ("ProcessRequest", "{ticket-1}", "<?qbxml?>"),
        ("GetCurrentCompanyFileName", "{ticket-1}"),
        ("EndSession", "{ticket-1}"),
        ("CloseConnection",),
    ]


@pytest.mark.parametrize(
    ("method", "hresult", "text"),
    [
        ("OpenConnection2", 0x80040401, "Could not access QuickBooks."),
        ("BeginSession", 0x80040408, "Could not start QuickBooks."),
        ("BeginSession", 0x8004040A, "A QuickBooks company data file is already open and it is different."),
        ("BeginSession", 0x80040420, "The QuickBooks user has denied access."),
        ("ProcessRequest", 0x80040400, "QuickBooks found an error when parsing the provided XML text stream."),
    ],
    ids=["cannot-access", "cannot-start", "other-file-open", "access-denied", "parse-error"],
)  # fmt: skip
def test_com_errors_become_quickbooks_hresults(method: str, hresult: int, text: str) -> None:
    proc, _ = processor({method: com_error(hresult, text)})
    with pytest.raises(ProcessorError) as caught:
        proc.open_connection("app-1", "qbd-connector (Acme)")
        ticket = proc.begin_session("", FileMode.DO_NOT_CARE)
        proc.process_request(ticket, "<?qbxml?>")
    assert (caught.value.hresult, caught.value.message) == (hresult, text)
    assert caught.value.hresult_text == f"0x{hresult:08X}"


def test_an_error_without_excepinfo_keeps_its_own_hresult() -> None:
    error = com_error_to_processor_error(ComError(-2147221005, "Invalid class string", None, None))
    assert (error.hresult_text, error.message) == ("0x800401F3", "Invalid class string")
    assert com_error_to_processor_error(RuntimeError("boom")).hresult_text == "0x80040402"


def test_calls_before_open_connection_are_refused_as_qbxmlrp2_would() -> None:
    proc, _ = processor()
    with pytest.raises(ProcessorError, match="OpenConnection2"):
        proc.begin_session("", FileMode.DO_NOT_CARE)


def test_off_windows_the_com_processor_says_it_is_unavailable() -> None:
    with pytest.raises(ProcessorUnavailable, match="Windows"):
        create_com_processor(ProcessorSpec("com", preferences=PREFS))
    with pytest.raises(ProcessorUnavailable, match="Windows"):
        create_processor(ProcessorSpec("com", preferences=PREFS))
    assert PROG_ID == "QBXMLRP2.RequestProcessor"


def test_processors_come_from_entry_points_and_unknown_ones_are_named() -> None:
    from connector.processors.registry import available_processors

    assert {"com", "emulator", "replay"} <= set(available_processors())
    with pytest.raises(ProcessorUnavailable, match="no 'telepathy' processor"):
        create_processor(ProcessorSpec("telepathy"))
