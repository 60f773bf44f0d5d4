"""Faults as data: what goes wrong, where, and when, for a fake Web Connector run.
About 430 lines: the scenario format and the two wrappers whose fault kinds it checks.

Owns: the scenario file format (versioned JSON), ``Fault`` values, and the two wrappers that
inject them at either seam (``Scenario`` builds both for one run): ``FaultyProcessor`` (the
QuickBooks link: a call raises the hresult QuickBooks would, a request is answered with a
status code, or QuickBooks is slow) and ``FaultyTransport`` (the SOAP link: the reply is lost,
garbled, an HTTP error, or late; or the call never reaches the service, ``drop_before``). Which call a fault hits is decided by ``call`` (a method name),
``request`` (optional: only ``process_request`` calls carrying that qbXML request element,
e.g. ``CustomerAddRq``; ``nth`` then counts those), ``nth`` (1-based count of that call, or
every call when absent), ``times`` (how many hits at most) and ``probability`` (drawn from
one seeded ``random.Random``, so a run replays exactly). ``when`` places a QuickBooks-link
fault: ``before`` the inner call (the default: QuickBooks never saw it) or ``after`` it took
effect (on ``process_request``: QuickBooks applied the request and its answer is lost, the
case message-set error recovery exists for, PROTOCOL.md 1.5). SOAP-link faults act after the
service saw the call, except ``drop_before``.
Must not: read the clock (delays go through the injected ``sleep``) or know the service.

```
{"format": "qbd-emulator/scenario", "version": 1, "faults": [
  {"name": "qb-down", "link": "quickbooks", "call": "begin_session",
   "kind": "hresult", "hresult": "0x80040408", "message": "Could not start QuickBooks."},
  {"name": "applied-then-lost", "link": "quickbooks", "call": "process_request",
   "request": "CustomerAddRq", "when": "after", "kind": "hresult", "hresult": "0x80040402"},
  {"name": "lost-reply", "link": "soap", "call": "receiveResponseXML", "nth": 2, "kind": "drop"}
]}
```
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from lxml import etree

from connector.processors.base import FileMode, ProcessorError, RequestProcessor
from connector.qbwc.client.envelopes import FailureKind, HttpReply, QbwcMethod, SoapCallError
from connector.qbwc.client.transport import SoapTransport
from connector.qbxml.safexml import parse_document

__all__ = [
    "Fault",
    "FaultKind",
    "FaultyProcessor",
    "FaultyTransport",
    "Link",
    "Scenario",
    "ScenarioError",
    "Trigger",
    "When",
    "load_scenario",
    "parse_scenario",
]

FORMAT = "qbd-emulator/scenario"
VERSION = 1


class ScenarioError(ValueError):
    """A scenario file that cannot be read or holds an impossible fault."""


class Link(Enum):
    QUICKBOOKS = "quickbooks"
    SOAP = "soap"


class When(Enum):
    BEFORE = "before"
    """The inner call is not made (QuickBooks never saw the request)."""
    AFTER = "after"
    """The inner call took effect, then its answer is lost."""


class FaultKind(Enum):
    HRESULT = "hresult"
    """QuickBooks link: the call raises ``ProcessorError(hresult, message)``."""
    DROP = "drop"
    """SOAP link: the request was sent but no reply came back (connection reset)."""
    GARBAGE = "garbage"
    """SOAP link: the reply is not XML (a server error page; QBWC1042's classic cause)."""
    HTTP_ERROR = "http_error"
    """SOAP link: an HTTP error status with an HTML body."""
    DELAY = "delay"
    """The reply comes ``seconds`` late (through the injected ``sleep``); on the QuickBooks
    link: slow QuickBooks, the call waits before it is made."""
    STATUS = "status"
    """QuickBooks link, ``process_request``: the ``*Rs`` of ``request`` (else the first one)
    answers ``statusCode`` with ``statusSeverity`` (default Error) and ``message``, no data."""
    DROP_BEFORE = "drop_before"
    """SOAP link: the connection fails before the request reaches the service."""


_KINDS = {
    "quickbooks": frozenset({"hresult", "status", "delay"}),
    "soap": frozenset({"drop", "drop_before", "garbage", "http_error", "delay"}),
}


_QUICKBOOKS_CALLS = frozenset(
    {
        "open_connection",
        "begin_session",
        "process_request",
        "end_session",
        "close_connection",
        "get_current_company_file_name",
    }
)
_SOAP_CALLS = frozenset(m.value for m in QbwcMethod)


@dataclass
class Trigger:
    """When a fault fires: the ``nth`` call (1-based; ``None`` = any), or ``every`` Nth call
    (the Nth, 2Nth, ...), at most ``times`` times (``None`` = no limit), each time with
    ``probability``."""

    nth: int | None = None
    times: int | None = None
    probability: float = 1.0
    fired: int = 0
    every: int | None = None

    def fires(self, count: int, rng: random.Random) -> bool:
        if self.nth is not None and count != self.nth:
            return False
        if self.every is not None and count % self.every != 0:
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        if self.probability < 1.0 and rng.random() >= self.probability:
            return False
        self.fired += 1
        return True


@dataclass
class Fault:
    name: str
    link: Link
    call: str
    kind: FaultKind
    trigger: Trigger = field(default_factory=Trigger)
    hresult: int = 0x80040402
    message: str = "Unexpected error (injected fault)"
    status: int = 500
    seconds: float = 0.0
    when: When = When.BEFORE
    request: str | None = None
    """Only ``process_request`` calls whose qbXML carries this request element."""
    status_code: int = 3175
    severity: str = "Error"

    def matches(self, request_text: str | None) -> bool:
        if self.request is None:
            return True
        pattern = rf"<{re.escape(self.request)}[\s/>]"
        return request_text is not None and re.search(pattern, request_text) is not None


def load_scenario(path: Path) -> list[Fault]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot read scenario {path}: {exc}") from None
    return parse_scenario(data)


def parse_scenario(data: object) -> list[Fault]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ScenarioError(f"not a {FORMAT} file")
    if data.get("version") != VERSION:
        raise ScenarioError(f"scenario version {data.get('version')!r}, expected {VERSION}")
    faults = data.get("faults")
    if not isinstance(faults, list):
        raise ScenarioError("'faults' must be a list")
    return [_fault(n, item) for n, item in enumerate(faults)]


_FIELDS = frozenset(
    {"name", "link", "call", "kind", "nth", "every", "times", "probability", "when", "request"}
    | {"hresult", "message", "status", "seconds", "statusCode", "statusSeverity"}
)
"""A fault's fields (DESIGN.md "Scenario files"); any other is refused, not ignored."""


def _count(item: dict[str, object], key: str) -> int | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{key} must be a whole number from 1, got {value!r}")
    return value


def _fault(index: int, item: object) -> Fault:
    if not isinstance(item, dict):
        raise ScenarioError(f"fault #{index} is not an object")
    name = str(item.get("name", f"fault-{index}"))
    try:
        link, kind = Link(item["link"]), FaultKind(item["kind"])
        call = str(item["call"])
        unknown = sorted(set(item) - _FIELDS)
        if unknown:
            raise ScenarioError(f"fault {name!r}: unknown field(s) {', '.join(unknown)}")
        trigger = Trigger(
            _count(item, "nth"),
            _count(item, "times"),
            float(item.get("probability", 1.0)),
            every=_count(item, "every"),
        )
        fault = Fault(name, link, call, kind, trigger)
        if "hresult" in item:
            fault.hresult = int(str(item["hresult"]), 16)
        fault.message = str(item.get("message", fault.message))
        fault.status = int(item.get("status", fault.status))
        fault.seconds = float(item.get("seconds", fault.seconds))
        fault.status_code = int(item.get("statusCode", fault.status_code))
        fault.severity = str(item.get("statusSeverity", fault.severity))
        default_when = When.BEFORE if link is Link.QUICKBOOKS else When.AFTER
        fault.when = When(item.get("when", default_when.value))
        request = item.get("request")
        fault.request = None if request is None else str(request)
    except (KeyError, ValueError, TypeError) as exc:
        raise ScenarioError(f"fault {name!r}: {exc}") from None
    _check(fault)
    return fault


def _check(fault: Fault) -> None:
    calls = _QUICKBOOKS_CALLS if fault.link is Link.QUICKBOOKS else _SOAP_CALLS
    if fault.call not in calls:
        raise ScenarioError(
            f"fault {fault.name!r}: {fault.call!r} is not a {fault.link.value} call"
        )
    if fault.kind.value not in _KINDS[fault.link.value]:
        raise ScenarioError(
            f"fault {fault.name!r}: {fault.kind.value} does not act on the {fault.link.value} link"
        )
    if fault.link is Link.SOAP and fault.when is When.BEFORE:
        raise ScenarioError(f"fault {fault.name!r}: soap faults act after the service saw the call")
    if fault.kind is FaultKind.STATUS and fault.call != "process_request":
        raise ScenarioError(f"fault {fault.name!r}: a status answers process_request only")
    if fault.request is not None and fault.call != "process_request":
        raise ScenarioError(f"fault {fault.name!r}: 'request' only narrows process_request")
    if not 0.0 <= fault.trigger.probability <= 1.0:
        raise ScenarioError(f"fault {fault.name!r}: probability must be within 0..1")


@dataclass
class _Faults:
    faults: list[Fault]
    rng: random.Random
    counts: Counter[str] = field(default_factory=Counter)
    fired: list[str] = field(default_factory=list)

    def hit(self, link: Link, call: str, request_text: str | None = None) -> Fault | None:
        self.counts[call] += 1
        for fault in self.faults:
            if fault.link is not link or fault.call != call or not fault.matches(request_text):
                continue
            count = self.counts[call]
            if fault.request is not None:  # nth counts the calls carrying that request
                self.counts[f"{call}/{fault.request}"] += 1
                count = self.counts[f"{call}/{fault.request}"]
            if fault.trigger.fires(count, self.rng):
                self.fired.append(f"{fault.name} at {call} #{count}")
                return fault
        return None


class FaultyProcessor:
    """A RequestProcessor that raises the scenario's hresults before ``inner`` is called, or
    after it (``when: after``: the call took effect and its answer is lost)."""

    def __init__(
        self,
        inner: RequestProcessor,
        faults: list[Fault],
        rng: random.Random,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.inner = inner
        self._faults = _Faults(faults, rng)
        self._after: Fault | None = None
        self._sleep = sleep

    @property
    def fired(self) -> list[str]:
        return self._faults.fired

    def _gate(self, call: str) -> None:
        """Calls other than process_request: a fault ``after`` them fires once they ran."""
        fault = self._faults.hit(Link.QUICKBOOKS, call)
        if fault is not None and fault.kind is FaultKind.DELAY:
            self._sleep(fault.seconds)
            fault = None
        if fault is not None and fault.when is When.BEFORE:
            raise ProcessorError(fault.hresult, fault.message)
        self._after = fault

    def _gate_after(self) -> None:
        fault, self._after = self._after, None
        if fault is not None:
            raise ProcessorError(fault.hresult, fault.message)

    def open_connection(self, app_id: str, app_name: str) -> None:
        self._gate("open_connection")
        self.inner.open_connection(app_id, app_name)
        self._gate_after()

    def begin_session(self, company_file: str, mode: FileMode = FileMode.DO_NOT_CARE) -> str:
        self._gate("begin_session")
        ticket = self.inner.begin_session(company_file, mode)
        self._gate_after()
        return ticket

    def process_request(self, ticket: str, request: str) -> str:
        fault = self._faults.hit(Link.QUICKBOOKS, "process_request", request)
        if fault is not None and fault.kind is FaultKind.DELAY:
            self._sleep(fault.seconds)
            fault = None
        if fault is not None and fault.kind is FaultKind.STATUS:
            return answer_status(self.inner.process_request(ticket, request), fault)
        if fault is not None and fault.when is When.BEFORE:
            raise ProcessorError(fault.hresult, fault.message)
        response = self.inner.process_request(ticket, request)
        if fault is not None:  # QuickBooks applied it; the answer never reaches the caller
            raise ProcessorError(fault.hresult, fault.message)
        return response

    def end_session(self, ticket: str) -> None:
        self._gate("end_session")
        self.inner.end_session(ticket)
        self._gate_after()

    def close_connection(self) -> None:
        self._gate("close_connection")
        self.inner.close_connection()
        self._gate_after()

    def get_current_company_file_name(self, ticket: str) -> str:
        self._gate("get_current_company_file_name")
        name = self.inner.get_current_company_file_name(ticket)
        self._gate_after()
        return name


def answer_status(response: str, fault: Fault) -> str:
    """``response`` with the fault's request answered by its status code and no data (what
    QuickBooks sends when it refuses one request of a message set)."""
    root = parse_document(response)
    wanted = None if fault.request is None else fault.request[: -len("Rq")] + "Rs"
    for rs in root.iterfind("QBXMLMsgsRs/*"):
        if wanted is None or rs.tag == wanted:
            for child in list(rs):
                rs.remove(child)
            rs.set("statusCode", str(fault.status_code))
            rs.set("statusSeverity", fault.severity)
            rs.set("statusMessage", fault.message)
            break
    return '<?xml version="1.0" ?>' + etree.tostring(root, encoding="unicode")


class FaultyTransport:
    """A SoapTransport that loses, garbles, fails or delays the replies the scenario names.
    The request always reaches the service first, as on a real network."""

    def __init__(
        self,
        inner: SoapTransport,
        faults: list[Fault],
        rng: random.Random,
        sleep: Callable[[float], None],
    ) -> None:
        self.inner = inner
        self._faults = _Faults(faults, rng)
        self._sleep = sleep

    @property
    def fired(self) -> list[str]:
        return self._faults.fired

    def post(self, method: QbwcMethod, envelope: bytes) -> HttpReply:
        fault = self._faults.hit(Link.SOAP, method.value)
        if fault is not None and fault.kind is FaultKind.DROP_BEFORE:
            raise SoapCallError(method, FailureKind.TRANSPORT, f"connection refused ({fault.name})")
        reply = self.inner.post(method, envelope)
        if fault is None:
            return reply
        if fault.kind is FaultKind.DROP:
            raise SoapCallError(method, FailureKind.TRANSPORT, f"connection reset ({fault.name})")
        if fault.kind is FaultKind.GARBAGE:
            return HttpReply(200, b"<br />\n<b>Fatal error</b>: injected fault", "text/html")
        if fault.kind is FaultKind.HTTP_ERROR:
            return HttpReply(fault.status, b"<html><body>Server Error</body></html>", "text/html")
        self._sleep(fault.seconds)
        return reply


class Scenario:
    """A loaded scenario for one run: one seeded RNG, both wrappers, what fired."""

    def __init__(
        self, faults: list[Fault], seed: int, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.faults = faults
        self.rng = random.Random(seed)
        self.sleep = sleep
        self._wrappers: list[FaultyProcessor | FaultyTransport] = []

    def wrap_processor(self, inner: RequestProcessor) -> FaultyProcessor:
        wrapper = FaultyProcessor(inner, self.faults, self.rng, self.sleep)
        self._wrappers.append(wrapper)
        return wrapper

    def wrap_transport(self, inner: SoapTransport) -> SoapTransport:
        wrapper = FaultyTransport(inner, self.faults, self.rng, self.sleep)
        self._wrappers.append(wrapper)
        return wrapper

    def fired(self) -> list[str]:
        return [line for wrapper in self._wrappers for line in wrapper.fired]
