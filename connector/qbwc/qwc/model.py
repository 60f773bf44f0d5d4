"""The QWC file's values: the ``Qwc`` descriptor, its enums, and the problems QBWC reports.

Owns: ``Qwc`` (the elements of a QWC file, PROTOCOL.md 1.6), its Enums, ``QwcProblem`` (one
reason the Web Connector refuses a file, with its QBWC code, PG App. A) and ``QwcError``.
Must not: parse, render or check (``document`` and ``checks`` do), or do I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum


@dataclass(frozen=True)
class QwcProblem:
    """One reason the Web Connector would refuse a QWC: ``code`` is QBWC's (``QBWC1001``)."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class QbType(Enum):
    QBFS = "QBFS"
    QBPOS = "QBPOS"


class Style(Enum):
    DOCUMENT = "Document"
    DOC_WRAPPED = "DocWrapped"
    RPC = "RPC"


class PersonalDataPref(Enum):
    NOT_NEEDED = "pdpNotNeeded"
    OPTIONAL = "pdpOptional"
    REQUIRED = "pdpRequired"


class UnattendedModePref(Enum):
    REQUIRED = "umpRequired"
    OPTIONAL = "umpOptional"


class QwcError(ValueError):
    """A QWC file that cannot be read or that the Web Connector would refuse."""

    def __init__(self, problems: tuple[QwcProblem, ...]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    @property
    def code(self) -> str:
        return self.problems[0].code


@dataclass(frozen=True)
class Qwc:
    """The elements of a QWC file (PROTOCOL.md 1.6). ``None`` = element absent."""

    app_name: str
    app_url: str
    app_support: str
    user_name: str
    owner_id: str
    file_id: str
    app_id: str = ""
    app_description: str = ""
    qb_type: QbType = QbType.QBFS
    style: Style | None = None
    run_every_minutes: int | None = None
    run_every_seconds: int | None = None
    is_read_only: bool | None = None
    auth_flags: int | None = None
    personal_data_pref: PersonalDataPref | None = None
    unattended_mode_pref: UnattendedModePref | None = None
    cert_url: str | None = None
    app_display_name: str | None = None
    app_unique_name: str | None = None
    notify: bool | None = None


def braced_guid(value: str) -> str:
    text = value.strip()
    inner = text[1:-1] if text.startswith("{") and text.endswith("}") else text
    return "{" + inner + "}"


def with_file_id(qwc: Qwc, file_id: str) -> Qwc:
    """A copy of ``qwc`` for another connection (one FileID per connection)."""
    return replace(qwc, file_id=braced_guid(file_id))
