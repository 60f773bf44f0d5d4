"""Cassettes of the QuickBooks link: record what QuickBooks answered, replay it in order.

Owns: the cassette file format (versioned, human-readable JSON), ``RecordingProcessor`` (wraps
any ``RequestProcessor`` and notes every call with its answer or hresult),
``ReplayProcessor`` (a ``RequestProcessor`` that answers from a cassette in strict order) and
the request matchers (small pure functions returning ``(ok, reason)``; the default,
``cassette_match.match_request``, compares what matters and ignores requestIDs and times).
``ReplayProcessor.bind`` maps a recording onto another connection: the recorded OwnerID and
FileID become the replaying QWC's in every answer (and back in requests before matching), and
each answer's requestIDs become the replaying request's, so a first full sync recorded on one
connection replays as the first full sync of any fresh one.

A replay never raises anything but ``ProcessorError`` into the Web Connector client (the
client must survive whatever QuickBooks does): a call that does not match the cassette is
answered with hresult 0x80040402 ("Unexpected error") and noted in ``mismatches`` with the
nearest recorded requests; the caller fails the run when ``mismatches`` or ``unused()`` is
not empty. Must not: know SOAP, or read the clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from connector.processors.base import FileMode, ProcessorError, RequestProcessor
from connector.qbxml.errors import XmlInputError
from connector.qbxml.safexml import parse_document

from .cassette_match import (
    Identity,
    canonical_lines,
    map_request_ids,
    match_request,
    qbxml_version,
    recorded_identity,
    similarity,
)

__all__ = [
    "CassetteError",
    "Interaction",
    "RecordingProcessor",
    "ReplayProcessor",
    "cassette_document",
    "load_cassette",
    "match_exact",
    "match_request",
    "match_structure",
    "parse_cassette",
    "save_cassette",
]

FORMAT = "qbd-emulator/quickbooks-link"
VERSION = 1
UNEXPECTED = 0x80040402
"""QBXMLRP2's "Unexpected error" (PROTOCOL.md 1.8), the answer to an unmatched call."""

Matcher = Callable[[str, str], tuple[bool, str]]


class CassetteError(ValueError):
    """A cassette file that cannot be read, or of another format or version."""


@dataclass(frozen=True)
class Interaction:
    """One call on the QuickBooks link, as recorded."""

    call: str
    """``open_connection``, ``begin_session``, ``process_request``,
    ``get_current_company_file_name``, ``end_session`` or ``close_connection``."""
    request: str = ""
    """process_request's qbXML, begin_session's company file name."""
    response: str = ""
    """process_request's qbXML, begin_session's ticket, the company file name."""
    hresult: int | None = None
    """Set when the call raised ``ProcessorError``."""
    message: str = ""


def cassette_document(interactions: list[Interaction]) -> dict[str, object]:
    """The cassette as JSON-ready data (what ``save_cassette`` writes)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "interactions": [
            {k: v for k, v in asdict(i).items() if v not in ("", None)} for i in interactions
        ],
    }


def save_cassette(interactions: list[Interaction], path: Path) -> None:
    text = json.dumps(cassette_document(interactions), indent=1, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def load_cassette(path: Path) -> list[Interaction]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CassetteError(f"cannot read cassette {path}: {exc}") from None
    return parse_cassette(data, str(path))


def parse_cassette(data: object, source: str = "the cassette") -> list[Interaction]:
    """Interactions from a cassette document (``CassetteError`` when it is not one)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CassetteError(f"{source} is not a {FORMAT} cassette")
    if data.get("version") != VERSION:
        raise CassetteError(
            f"{source}: cassette version {data.get('version')!r}, expected {VERSION}"
        )
    try:
        return [Interaction(**item) for item in data["interactions"]]
    except (KeyError, TypeError) as exc:
        raise CassetteError(f"{source}: malformed interactions: {exc}") from None


# --- matchers --------------------------------------------------------------------------


def match_exact(recorded: str, actual: str) -> tuple[bool, str]:
    return (True, "") if recorded == actual else (False, "the request text differs")


def request_shape(request: str) -> tuple[str, ...]:
    """The qbXML version and each request element with its iterator attribute, in order."""
    try:
        root = parse_document(request)
    except XmlInputError as exc:
        return (f"unreadable: {exc}",)
    version = qbxml_version(root)
    msgs = root.find("QBXMLMsgsRq")
    items = list(msgs) if msgs is not None else []
    tags = [f"{el.tag}[{el.get('iterator', '')}]" for el in items if isinstance(el.tag, str)]
    return (version, *tags)


def match_structure(recorded: str, actual: str) -> tuple[bool, str]:
    """Same qbXML version and the same request elements (and iterator use) in the same
    order; values (dates, IDs) may differ, as they do between a recording and a replay."""
    want, got = request_shape(recorded), request_shape(actual)
    if want == got:
        return True, ""
    return False, f"recorded {' '.join(want)} but got {' '.join(got)}"


# --- recording -------------------------------------------------------------------------


@dataclass
class RecordingProcessor:
    """Passes every call to ``inner`` and records it, answers and refusals alike."""

    inner: RequestProcessor
    interactions: list[Interaction] = field(default_factory=list)

    def _run(self, call: str, request: str, fn: Callable[[], str | None]) -> str:
        try:
            answer = fn() or ""
        except ProcessorError as exc:
            self.interactions.append(Interaction(call, request, "", exc.hresult, exc.message))
            raise
        self.interactions.append(Interaction(call, request, answer))
        return answer

    def open_connection(self, app_id: str, app_name: str) -> None:
        self._run("open_connection", "", lambda: self.inner.open_connection(app_id, app_name))

    def begin_session(self, company_file: str, mode: FileMode = FileMode.DO_NOT_CARE) -> str:
        return self._run(
            "begin_session", company_file, lambda: self.inner.begin_session(company_file, mode)
        )

    def process_request(self, ticket: str, request: str) -> str:
        return self._run(
            "process_request", request, lambda: self.inner.process_request(ticket, request)
        )

    def end_session(self, ticket: str) -> None:
        self._run("end_session", "", lambda: self.inner.end_session(ticket))

    def close_connection(self) -> None:
        self._run("close_connection", "", self.inner.close_connection)

    def get_current_company_file_name(self, ticket: str) -> str:
        return self._run(
            "get_current_company_file_name",
            "",
            lambda: self.inner.get_current_company_file_name(ticket),
        )


# --- replaying -------------------------------------------------------------------------


@dataclass
class ReplayProcessor:
    """A RequestProcessor answering from ``interactions`` in strict order."""

    interactions: list[Interaction]
    matcher: Matcher = match_request
    position: int = 0
    mismatches: list[str] = field(default_factory=list)
    identity: Identity = field(default_factory=Identity)

    def bind(self, owner_id: str, file_id: str) -> None:
        """Replay as QuickBooks would answer the connection with this OwnerID and FileID."""
        answers = [i.response for i in self.interactions if i.call == "process_request"]
        recorded = recorded_identity(answers)
        if recorded is None:
            return
        pairs = zip(recorded, (owner_id, file_id), strict=True)
        self.identity = Identity({r.upper(): a for r, a in pairs if r.upper() != a.upper()})

    def unused(self) -> list[Interaction]:
        return self.interactions[self.position :]

    def _next(self, call: str, request: str = "") -> str:
        if self.mismatches:  # off the tape: the run has failed; wind down without new noise
            if call == "process_request":
                raise ProcessorError(UNEXPECTED, "cassette mismatch (see the first one)")
            return ""
        if self.position >= len(self.interactions):
            return self._mismatch(f"{call}: the cassette has no more interactions")
        recorded = self.interactions[self.position]
        if recorded.call != call:
            return self._mismatch(
                f"interaction {self.position}: recorded {recorded.call}, got {call}"
            )
        response = recorded.response
        if call == "process_request":
            request = self.identity.request(request)
            ok, reason = self.matcher(recorded.request, request)
            if not ok:
                return self._mismatch(
                    f"interaction {self.position}: {reason}" + self._near(request)
                )
            response = self.identity.response(map_request_ids(response, recorded.request, request))
        self.position += 1
        if recorded.hresult is not None:
            raise ProcessorError(recorded.hresult, recorded.message)
        return response

    def _mismatch(self, text: str) -> str:
        self.mismatches.append(text)
        raise ProcessorError(UNEXPECTED, f"cassette mismatch: {text}")

    def _near(self, request: str) -> str:
        """The recorded requests closest to ``request`` (by content), for the error message."""
        wanted = canonical_lines(request)
        scored = sorted(
            (
                (-similarity(canonical_lines(item.request), wanted), n)
                for n, item in enumerate(self.interactions)
                if item.call == "process_request"
            ),
        )[:3]
        labels = [
            f"#{n}: {' '.join(request_shape(self.interactions[n].request))}"
            + (" (the same request, out of order)" if score == -1.0 else "")
            for score, n in scored
        ]
        return ("; nearest recorded: " + " | ".join(labels)) if labels else ""

    def open_connection(self, app_id: str, app_name: str) -> None:
        self._next("open_connection")

    def begin_session(self, company_file: str, mode: FileMode = FileMode.DO_NOT_CARE) -> str:
        return self._next("begin_session", company_file)

    def process_request(self, ticket: str, request: str) -> str:
        return self._next("process_request", request)

    def end_session(self, ticket: str) -> None:
        self._next("end_session")

    def close_connection(self) -> None:
        self._next("close_connection")

    def get_current_company_file_name(self, ticket: str) -> str:
        return self._next("get_current_company_file_name")
