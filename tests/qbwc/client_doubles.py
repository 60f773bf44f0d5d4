"""Scripted test doubles for the QBWC client: a web service and a QuickBooks processor.

The service answers as PROTOCOL.md 1.2-1.4 documents; the processor follows QBXMLRP2's call
order and records every call so tests can assert on the exact sequence.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from connector.processors.base import FileMode, ProcessorError
from connector.qbwc.client.envelopes import FailureKind, QbwcMethod, SoapCallError

HCP = (
    '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>'
    '<HostQueryRs requestID="0" statusCode="0" statusSeverity="Info" statusMessage="Status OK">'
    "<HostRet><ProductName>QuickBooks Enterprise Solutions 24.0</ProductName>"
    "<MajorVersion>34</MajorVersion><MinorVersion>0</MinorVersion><Country>US</Country>"
    "<SupportedQBXMLVersion>13.0</SupportedQBXMLVersion>"
    "<SupportedQBXMLVersion>16.0</SupportedQBXMLVersion>"
    "<SupportedQBXMLVersion>15.0</SupportedQBXMLVersion>"
    "<IsAutomaticLogin>false</IsAutomaticLogin><QBFileMode>SingleUser</QBFileMode></HostRet>"
    "</HostQueryRs>"
    '<CompanyQueryRs requestID="1" statusCode="0" statusSeverity="Info" statusMessage="Status OK">'
    "<CompanyRet><CompanyName>Acme</CompanyName></CompanyRet></CompanyQueryRs>"
    '<PreferencesQueryRs requestID="2" statusCode="0" statusSeverity="Info" '
    'statusMessage="Status OK"><PreferencesRet/></PreferencesQueryRs>'
    "</QBXMLMsgsRs></QBXML>"
)


def request(n: int) -> str:
    return (
        '<?xml version="1.0"?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        f'<CustomerQueryRq requestID="{n}"><MaxReturned>10</MaxReturned></CustomerQueryRq>'
        "</QBXMLMsgsRq></QBXML>"
    )


@dataclass
class ScriptedService:
    """A QbwcService whose answers are scripted; records (method, args) in order."""

    client_version_reply: str = ""
    auth_reply: tuple[str, ...] = ("ticket-1", "")
    requests: deque[str] = field(default_factory=deque)
    """What sendRequestXML hands out; ``""`` entries mean "nothing now"."""
    percents: deque[int] = field(default_factory=deque)
    last_errors: deque[str] = field(default_factory=deque)
    connection_error_replies: deque[str] = field(default_factory=lambda: deque(["done"]))
    fail: dict[QbwcMethod, FailureKind] = field(default_factory=dict)
    log: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)

    def _enter(self, method: QbwcMethod, *args: object) -> None:
        self.log.append((method.value, args))
        if method in self.fail:
            raise SoapCallError(method, self.fail[method], "scripted failure")

    def server_version(self) -> str:
        self._enter(QbwcMethod.SERVER_VERSION)
        return "scripted 1.0"

    def client_version(self, str_version: str) -> str:
        self._enter(QbwcMethod.CLIENT_VERSION, str_version)
        return self.client_version_reply

    def authenticate(self, user_name: str, password: str) -> tuple[str, ...]:
        self._enter(QbwcMethod.AUTHENTICATE, user_name, password)
        return self.auth_reply

    def send_request_xml(
        self,
        ticket: str,
        hcp_response: str,
        company_file_name: str,
        country: str,
        major_version: int,
        minor_version: int,
    ) -> str:
        self._enter(
            QbwcMethod.SEND_REQUEST_XML,
            ticket,
            hcp_response,
            company_file_name,
            country,
            major_version,
            minor_version,
        )
        return self.requests.popleft() if self.requests else ""

    def receive_response_xml(self, ticket: str, response: str, hresult: str, message: str) -> int:
        self._enter(QbwcMethod.RECEIVE_RESPONSE_XML, ticket, response, hresult, message)
        return self.percents.popleft() if self.percents else 100

    def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        self._enter(QbwcMethod.CONNECTION_ERROR, ticket, hresult, message)
        return self.connection_error_replies.popleft() if self.connection_error_replies else "done"

    def get_last_error(self, ticket: str) -> str:
        self._enter(QbwcMethod.GET_LAST_ERROR, ticket)
        return self.last_errors.popleft() if self.last_errors else ""

    def close_connection(self, ticket: str) -> str:
        self._enter(QbwcMethod.CLOSE_CONNECTION, ticket)
        return "OK"

    def args(self, method: str) -> list[tuple[object, ...]]:
        return [args for name, args in self.log if name == method]


@dataclass
class ScriptedProcessor:
    """A RequestProcessor: fails begin_session for scripted files, throws on scripted requests."""

    open_file: str = r"C:\Company Files\Acme.QBW"
    fail_begin: deque[ProcessorError] = field(default_factory=deque)
    fail_requests: dict[str, ProcessorError] = field(default_factory=dict)
    hcp: str = HCP
    calls: list[str] = field(default_factory=list)

    def open_connection(self, app_id: str, app_name: str) -> None:
        self.calls.append(f"open_connection({app_name})")

    def begin_session(self, company_file: str, mode: FileMode = FileMode.DO_NOT_CARE) -> str:
        self.calls.append(f"begin_session({company_file!r})")
        if self.fail_begin:
            raise self.fail_begin.popleft()
        return "qb-ticket"

    def process_request(self, ticket: str, request: str) -> str:
        assert ticket == "qb-ticket"
        if "<HostQueryRq" in request:
            self.calls.append("process_request(HCP)")
            return self.hcp
        self.calls.append("process_request")
        if request in self.fail_requests:
            raise self.fail_requests[request]
        return f"<QBXML><QBXMLMsgsRs><Answer>{len(self.calls)}</Answer></QBXMLMsgsRs></QBXML>"

    def end_session(self, ticket: str) -> None:
        self.calls.append("end_session")

    def close_connection(self) -> None:
        self.calls.append("close_connection")

    def get_current_company_file_name(self, ticket: str) -> str:
        return self.open_file
