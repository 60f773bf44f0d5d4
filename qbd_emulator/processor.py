"""The fake QuickBooks behind the RequestProcessor seam (QBXMLRP2's shape).

Owns: the connection and session life cycle and the COM-level refusals (PROTOCOL.md 1.8):
QuickBooks that cannot start (``running=False``: 0x80040408), a company file name that is
not the open file (0x8004040A when another file is open in QuickBooks, 0x80040406 when
QuickBooks has none open; medium confidence), no file name while QuickBooks has no file
open (0x80040417, medium confidence), calls out of order or with an unknown ticket
(0x8004040D, medium confidence), the parse refusal 0x80040400 and the unsupported-version
refusal 0x80040423 (``handlers.envelope``).
Each session owns its iterators; ``end_session`` expires them (a later Continue gets 3391).
The clock and the RNG are injected: handlers read the time only through ``Context.now``.
Must not: parse or build qbXML itself (``handlers`` does), do I/O.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, get_args

from connector.processors.base import FileMode

from .company import CompanyFile, HostInfo
from .errors import Hresult, Refusal
from .handlers import run_message_set
from .handlers.context import Context
from .handlers.envelope import read_message_set
from .handlers.iterators import IteratorTable
from .handlers.render import indented

Clock = Callable[[], datetime]
Layout = Literal["one-line", "indented"]
LAYOUTS: tuple[Layout, ...] = get_args(Layout)


def system_clock() -> datetime:
    """The local wall clock with its UTC offset (the default at the edge only)."""
    return datetime.now(UTC).astimezone()


def _refuse(code: Hresult) -> Refusal:
    return Refusal(code)


@dataclass
class _Session:
    ticket: str
    mode: FileMode
    iterators: IteratorTable


@dataclass
class FakeQuickBooks:
    """A RequestProcessor answering from ``company``.

    ``running=False`` simulates QuickBooks that cannot start; ``file_open_in_ui`` says
    whether the company file is open in the QuickBooks window (then a different file name
    gets 0x8004040A, else 0x80040406, and an empty one 0x80040417). ``product`` overrides
    what HostQuery reports. ``layout``: answers in one line (the default) or ``indented``,
    one element a line, as most answers recorded from QuickBooks are (``render.indented``).
    """

    company: CompanyFile
    clock: Clock = system_clock
    seed: int = 0
    running: bool = True
    file_open_in_ui: bool = True
    product: HostInfo | None = None
    layout: Layout = "one-line"
    _rng: random.Random = field(init=False, repr=False)
    _connected: bool = field(default=False, init=False)
    _app_name: str = field(default="", init=False)
    _sessions: dict[str, _Session] = field(default_factory=dict, init=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)
    """QuickBooks answers one call at a time; so does the fake (a server may call from threads)."""

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        if self.product is not None:
            self.company.host = self.product

    # -- RequestProcessor -------------------------------------------------------------
    def open_connection(self, app_id: str, app_name: str) -> None:
        self._connected = True
        self._app_name = app_name

    def begin_session(self, company_file: str, mode: FileMode = FileMode.DO_NOT_CARE) -> str:
        with self._lock:
            return self._begin(company_file, mode)

    def _begin(self, company_file: str, mode: FileMode) -> str:
        if not self._connected:
            raise _refuse(Hresult.COULD_NOT_ACCESS)
        if not self.running:
            raise _refuse(Hresult.COULD_NOT_START)
        if company_file and not _same_file(company_file, self.company.file_path):
            raise _refuse(
                Hresult.OTHER_FILE_OPEN if self.file_open_in_ui else Hresult.INVALID_FILE_NAME
            )
        if not company_file and not self.file_open_in_ui:
            raise _refuse(Hresult.NO_FILE_OPEN)  # "" means "the file open in QuickBooks"
        ticket = "{" + str(uuid.UUID(int=self._rng.getrandbits(128), version=4)) + "}"
        self._sessions[ticket] = _Session(ticket, mode, IteratorTable(self._rng))
        return ticket

    def process_request(self, ticket: str, request: str) -> str:
        with self._lock:
            answer = self._process(ticket, request)
        return indented(answer) if self.layout == "indented" else answer

    def _process(self, ticket: str, request: str) -> str:
        session = self._session(ticket)
        msgset = read_message_set(request, self.company.host.supported_qbxml_versions)
        ctx = Context(
            self.company,
            msgset.schema,
            self._now(),
            self._rng,
            session.iterators,
            self._app_name,
            _MODES.get(session.mode),
        )
        return run_message_set(ctx, msgset)

    def end_session(self, ticket: str) -> None:
        with self._lock:
            session = self._session(ticket)
            session.iterators.clear()
            del self._sessions[ticket]

    def close_connection(self) -> None:
        with self._lock:
            for session in self._sessions.values():
                session.iterators.clear()
            self._sessions.clear()
            self._connected = False

    def get_current_company_file_name(self, ticket: str) -> str:
        self._session(ticket)
        return self.company.file_path

    # -- helpers ----------------------------------------------------------------------
    def _session(self, ticket: str) -> _Session:
        session = self._sessions.get(ticket)
        if session is None:
            raise _refuse(Hresult.INVALID_TICKET)
        return session

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return an aware datetime (QuickBooks keeps offsets)")
        return now.replace(microsecond=0)


def answer_request(
    company: CompanyFile,
    request: str,
    *,
    clock: Clock = system_clock,
    seed: int = 1,
    app_name: str = "qbd-emulator qbxml",
    layout: Layout = "one-line",
) -> str:
    """One qbXML request in a connection and session of its own (``qbd-emulator qbxml`` and
    the server's ``POST /companies/{id}/qbxml``): the response, or ``ProcessorError`` when
    QuickBooks refuses the request (a ``Refusal`` with the hresult QBWC would report)."""
    qb = FakeQuickBooks(company, clock=clock, seed=seed, layout=layout)
    qb.open_connection("", app_name)
    ticket = qb.begin_session("")
    try:
        return qb.process_request(ticket, request)
    finally:
        qb.end_session(ticket)
        qb.close_connection()


def printed(answer: str) -> str:
    """``answer`` as ``qbd-emulator qbxml`` prints it (and the server answers it): ending
    with one line break (an indented answer has its own)."""
    return answer if answer.endswith("\n") else answer + "\n"


_MODES = {FileMode.SINGLE_USER: "SingleUser", FileMode.MULTI_USER: "MultiUser"}
"""QBXMLRP2's open mode as HostRet QBFileMode (DO_NOT_CARE: whatever the file is in)."""


def _same_file(a: str, b: str) -> bool:
    """Windows paths: case-insensitive, either slash."""
    return a.replace("/", "\\").casefold() == b.replace("/", "\\").casefold()
