"""The values every handler receives and returns.

Owns: ``Context`` (the company file, the schema of the negotiated version, the injected
clock reading, the seeded RNG, the session's iterators), ``Request`` (one validated ``*Rq``
read into raw values) and ``Reply`` (one ``*Rs``: status, records, iterator fields).
Handlers are functions ``(Context, Request) -> Reply``; they raise a ``StatusError``
(``qbd_emulator.errors``; the company model raises them too) for an error status. Must not: build XML.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from connector.qbxml.schema import Schema
from connector.qbxml.values import RecordData, Status, Value

from ..company import CompanyFile
from ..errors import OK_MESSAGE, Severity
from .iterators import IteratorTable


@dataclass
class Context:
    company: CompanyFile
    schema: Schema
    """The schema the response must be valid for (the request's version, or 13.0 below it)."""
    now: datetime
    rng: random.Random
    iterators: IteratorTable
    app_name: str = ""
    file_mode: str | None = None
    """HostRet QBFileMode of this session (``SingleUser``/``MultiUser``); None: the host's."""


MacroPath = tuple[tuple[str, int], ...]
"""From the ``*Rq`` down to a leaf: (element name, index among same-named siblings)."""


@dataclass(frozen=True)
class MacroUse:
    path: MacroPath
    macro: str


@dataclass(frozen=True)
class Request:
    name: str
    """e.g. ``CustomerQueryRq``."""
    request_id: str | None
    attrs: Mapping[str, str]
    body: RecordData
    """Children as raw values: text leaves, nested dicts, lists for repeated elements."""
    def_macro: str | None = None
    """The ``defMacro`` of the ``*Add`` inside (``TxnID:Inv42``): names the new object."""
    use_macros: tuple[MacroUse, ...] = ()
    """Leaves (``<TxnID useMacro="TxnID:Inv42"/>``) whose value a macro supplies."""

    @property
    def base(self) -> str:
        """``CustomerQuery`` for ``CustomerQueryRq``."""
        return self.name.removesuffix("Rq")

    @property
    def response_name(self) -> str:
        return f"{self.base}Rs"


@dataclass(frozen=True)
class Reply:
    name: str
    status: Status
    rets: tuple[tuple[str, Value], ...] = ()
    """Children in order: ``*Ret`` records, or the leaves of ``TxnDelRs``/``ListDelRs``."""
    ret_count: int | None = None
    iterator_remaining: int | None = None
    iterator_id: str | None = None
    raw: str | None = None
    """Serialised children written after ``rets`` as they are (a ``ReportRet``: its rows
    carry attributes the record encoder has no values for)."""


Handler = Callable[[Context, Request], Reply]


def ok(request: Request, rets: tuple[tuple[str, Value], ...] = (), **fields: object) -> Reply:
    return Reply(request.response_name, Status(0, Severity.INFO, OK_MESSAGE), rets, **fields)  # type: ignore[arg-type]
