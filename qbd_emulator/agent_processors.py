"""The emulator's processors for the desktop agent (entry-point group ``qbd_connector.processors``).

Owns: ``emulator`` (a fake QuickBooks for a saved company file, generated from a seed and size
the first time, with the QWC's FileID registered as QBWC does when an application is added,
and written back after a session that changed it) and ``replay`` (a cassette, from its start
each session; ``finish`` reports what did not match or went unused).
Must not: hold agent logic (``connector.agent``) or QuickBooks behaviour (``processor``).
"""

from __future__ import annotations

import re
from pathlib import Path

from connector.processors.base import FileMode
from connector.processors.registry import ProcessorSpec, ProcessorUnavailable
from connector.qbwc.qwc import QwcError, parse_qwc

from .cassette import CassetteError, ReplayProcessor, load_cassette
from .company import CompanyFile, load, save
from .errors import CompanyFileError
from .processor import FakeQuickBooks
from .webconnector import AddApplicationError, FileIdOutcome, add_application

_WRITE = re.compile(r"<\w+(?:Add|Mod|Del|Void)Rq\b")


class SavedFakeQuickBooks:
    """A ``FakeQuickBooks`` whose company file is saved after a session that wrote to it."""

    def __init__(self, company: CompanyFile, path: Path, changed: bool = False) -> None:
        self.inner = FakeQuickBooks(company)
        self.path, self.changed = path, changed

    def open_connection(self, app_id: str, app_name: str) -> None:
        self.inner.open_connection(app_id, app_name)

    def begin_session(self, company_file: str, mode: FileMode = FileMode.DO_NOT_CARE) -> str:
        return self.inner.begin_session(company_file, mode)

    def process_request(self, ticket: str, request: str) -> str:
        self.changed = self.changed or bool(_WRITE.search(request))
        return self.inner.process_request(ticket, request)

    def end_session(self, ticket: str) -> None:
        self.inner.end_session(ticket)

    def close_connection(self) -> None:
        self.inner.close_connection()

    def get_current_company_file_name(self, ticket: str) -> str:
        return self.inner.get_current_company_file_name(ticket)

    def finish(self) -> str | None:
        if self.changed:
            save(self.inner.company, self.path)
            self.changed = False
        return None


def emulator(spec: ProcessorSpec) -> SavedFakeQuickBooks:
    if not spec.company_file:
        raise ProcessorUnavailable("the emulator processor needs a company file (or a seed)")
    path = Path(spec.company_file)
    created = not path.exists()
    try:
        if created:
            if spec.seed is None:
                raise ProcessorUnavailable(f"{path} does not exist: give --seed and --size")
            from .generate import generate

            company = generate(spec.seed, spec.size or "tiny")
        else:
            company = load(path)
    except (CompanyFileError, ValueError) as exc:
        raise ProcessorUnavailable(f"the fake company cannot be opened: {exc}") from None
    try:
        qwc = parse_qwc(spec.qwc_xml)
    except QwcError as exc:
        raise ProcessorUnavailable(f"the QWC file is refused: {exc}") from None
    try:
        registered = add_application(qwc, FakeQuickBooks(company))
    except AddApplicationError as exc:  # the file is bound to another connection's FileID
        raise ProcessorUnavailable(str(exc)) from None
    fake = SavedFakeQuickBooks(company, path, created or registered is not FileIdOutcome.PRESENT)
    fake.finish()
    return fake


class CassetteReplay(ReplayProcessor):
    def finish(self) -> str | None:
        problems = list(self.mismatches)
        problems += [f"unused #{self.position + n}: {i.call}" for n, i in enumerate(self.unused())]
        return "; ".join(problems) or None


def replay(spec: ProcessorSpec) -> CassetteReplay:
    if not spec.cassette:
        raise ProcessorUnavailable("the replay processor needs --cassette FILE")
    try:
        replayed = CassetteReplay(load_cassette(Path(spec.cassette)))
    except (CassetteError, OSError) as exc:
        raise ProcessorUnavailable(f"the cassette cannot be read: {exc}") from None
    if spec.qwc_xml:  # recorded on any connection: answer as this connection's file
        try:
            qwc = parse_qwc(spec.qwc_xml)
        except QwcError as exc:
            raise ProcessorUnavailable(f"the QWC file is refused: {exc}") from None
        replayed.bind(qwc.owner_id, qwc.file_id)
    return replayed


__all__ = ["CassetteReplay", "SavedFakeQuickBooks", "emulator", "replay"]
