"""QWC files as text: rendering a ``Qwc`` (``render_qwc``, ``qwc_to_xml``) and reading one
(``parse_qwc``).

Owns: the XML of a QWC file. Must not: do I/O (callers read and write the files) or know
about the store.

Facts (PROTOCOL.md 1.6 and 1.7, programmer's guide ch.4 p.33-39, App. A):
- root ``QBWCXML``; tag order does not matter except that the first of ``RunEveryNMinutes`` /
  ``RunEveryNSeconds`` inside ``Scheduler`` wins;
- a missing required element makes QBWC refuse the file (QBWC1039); the other checks QBWC
  makes (URLs, IDs) are ``checks``', run by ``render_qwc`` and left to the caller after
  ``parse_qwc`` (real-world samples can then be read and judged).
"""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from lxml import etree

from connector.qbwc.qwc.checks import validate_qwc
from connector.qbwc.qwc.model import (
    PersonalDataPref,
    QbType,
    Qwc,
    QwcError,
    QwcProblem,
    Style,
    UnattendedModePref,
    braced_guid,
)
from connector.qbxml.errors import XmlInputError
from connector.qbxml.safexml import parse_document

__all__ = ["MAX_QWC_BYTES", "parse_qwc", "qwc_to_xml", "render_qwc"]

E = TypeVar("E", bound=Enum)

MAX_QWC_BYTES = 256 * 1024
"""A QWC is a few hundred bytes; anything this large is not one."""


def render_qwc(
    *,
    app_name: str,
    app_url: str,
    app_support: str,
    user_name: str,
    owner_id: str,
    file_id: str,
    app_id: str = "",
    app_description: str = "",
    run_every_minutes: int | None = None,
    is_read_only: bool = False,
    auth_flags: int = 0xF,
    personal_data_pref: PersonalDataPref = PersonalDataPref.NOT_NEEDED,
    unattended_mode_pref: UnattendedModePref = UnattendedModePref.OPTIONAL,
    style: Style = Style.DOCUMENT,
    qb_type: QbType = QbType.QBFS,
) -> str:
    """The QWC file text for one connection; raises ``QwcError`` if QBWC would refuse it.

    ``owner_id`` is one GUID per application, ``file_id`` one per connection; both are
    written in braces (``{...}``) as Intuit's samples do, keeping the caller's letter case
    (the FileID comes back verbatim in the company file's DataExt).
    """
    qwc = Qwc(
        app_name=app_name,
        app_url=app_url,
        app_support=app_support,
        user_name=user_name,
        owner_id=braced_guid(owner_id),
        file_id=braced_guid(file_id),
        app_id=app_id,
        app_description=app_description,
        qb_type=qb_type,
        style=style,
        run_every_minutes=run_every_minutes,
        is_read_only=is_read_only,
        auth_flags=auth_flags,
        personal_data_pref=personal_data_pref,
        unattended_mode_pref=unattended_mode_pref,
    )
    problems = validate_qwc(qwc)
    if problems:
        raise QwcError(problems)
    return qwc_to_xml(qwc)


# --- rendering -------------------------------------------------------------------------

_TEXT_FIELDS = (
    ("AppName", "app_name"),
    ("AppID", "app_id"),
    ("AppURL", "app_url"),
    ("AppDescription", "app_description"),
    ("AppSupport", "app_support"),
    ("UserName", "user_name"),
    ("OwnerID", "owner_id"),
    ("FileID", "file_id"),
)


def qwc_to_xml(qwc: Qwc) -> str:
    """Serialise ``qwc`` in the element order of Intuit's samples (order is free, PG p.38)."""
    root = etree.Element("QBWCXML")
    for tag, attr in _TEXT_FIELDS:
        _sub(root, tag, getattr(qwc, attr))
    _sub(root, "QBType", qwc.qb_type.value)
    if qwc.cert_url is not None:
        _sub(root, "CertURL", qwc.cert_url)
    if qwc.style is not None:
        _sub(root, "Style", qwc.style.value)
    _render_scheduler(root, qwc)
    _render_optional(root, qwc)
    body = etree.tostring(root, pretty_print=True, encoding="unicode")
    return '<?xml version="1.0"?>\n' + body


def _sub(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def _render_scheduler(root: etree._Element, qwc: Qwc) -> None:
    if qwc.run_every_minutes is None and qwc.run_every_seconds is None:
        return
    scheduler = etree.SubElement(root, "Scheduler")
    if qwc.run_every_minutes is not None:
        _sub(scheduler, "RunEveryNMinutes", str(qwc.run_every_minutes))
    if qwc.run_every_seconds is not None:
        _sub(scheduler, "RunEveryNSeconds", str(qwc.run_every_seconds))


def _render_optional(root: etree._Element, qwc: Qwc) -> None:
    if qwc.is_read_only is not None:
        _sub(root, "IsReadOnly", _bool_text(qwc.is_read_only))
    if qwc.auth_flags is not None:
        _sub(root, "AuthFlags", f"0x{qwc.auth_flags:X}")
    if qwc.personal_data_pref is not None:
        _sub(root, "PersonalDataPref", qwc.personal_data_pref.value)
    if qwc.unattended_mode_pref is not None:
        _sub(root, "UnattendedModePref", qwc.unattended_mode_pref.value)
    if qwc.notify is not None:
        _sub(root, "Notify", _bool_text(qwc.notify))
    if qwc.app_display_name is not None:
        _sub(root, "AppDisplayName", qwc.app_display_name)
    if qwc.app_unique_name is not None:
        _sub(root, "AppUniqueName", qwc.app_unique_name)


def _bool_text(value: bool) -> str:
    return "true" if value else "false"


# --- parsing ---------------------------------------------------------------------------

_REQUIRED = ("AppName", "AppURL", "AppSupport", "UserName", "OwnerID", "FileID", "QBType")


def parse_qwc(data: bytes | str) -> Qwc:
    """Read a QWC file; raises ``QwcError`` (QBWC1039) when it is not one QBWC could add.

    Unknown elements are ignored, as the real client ignores them. Validation of URLs and
    IDs is separate (``validate_qwc``) so that real-world samples can be read and judged.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        root = parse_document(raw, max_bytes=MAX_QWC_BYTES)
    except XmlInputError as exc:
        raise _refused(f"the QWC file is not well-formed XML: {exc}") from exc
    if root.tag != "QBWCXML":
        raise _refused(f"the root element is <{root.tag}>, not <QBWCXML>")
    fields = _child_texts(root)
    missing = [tag for tag in _REQUIRED if tag not in fields]
    if missing:
        raise _refused(f"missing required element(s): {', '.join(missing)}")
    return _build(fields, root)


def _refused(message: str) -> QwcError:
    return QwcError(
        (QwcProblem("QBWC1039", f"There was a problem adding the application: {message}"),)
    )


def _child_texts(root: etree._Element) -> dict[str, str]:
    fields: dict[str, str] = {}
    for child in root:
        if isinstance(child.tag, str) and child.tag not in fields:
            fields[child.tag] = (child.text or "").strip()
    return fields


def _build(fields: dict[str, str], root: etree._Element) -> Qwc:
    minutes, seconds = _parse_scheduler(root)
    return Qwc(
        app_name=fields["AppName"],
        app_url=fields["AppURL"],
        app_support=fields["AppSupport"],
        user_name=fields["UserName"],
        owner_id=fields["OwnerID"],
        file_id=fields["FileID"],
        app_id=fields.get("AppID", ""),
        app_description=fields.get("AppDescription", ""),
        qb_type=_enum(QbType, "QBType", fields["QBType"]),
        style=_opt_enum(Style, "Style", fields.get("Style")),
        run_every_minutes=minutes,
        run_every_seconds=seconds,
        is_read_only=_opt_bool("IsReadOnly", fields.get("IsReadOnly")),
        auth_flags=_opt_flags(fields.get("AuthFlags")),
        personal_data_pref=_opt_enum(
            PersonalDataPref, "PersonalDataPref", fields.get("PersonalDataPref")
        ),
        unattended_mode_pref=_opt_enum(
            UnattendedModePref, "UnattendedModePref", fields.get("UnattendedModePref")
        ),
        cert_url=fields.get("CertURL"),
        app_display_name=fields.get("AppDisplayName"),
        app_unique_name=fields.get("AppUniqueName"),
        notify=_opt_bool("Notify", fields.get("Notify")),
    )


def _parse_scheduler(root: etree._Element) -> tuple[int | None, int | None]:
    """Scheduler: the first of RunEveryNMinutes/RunEveryNSeconds wins (PG p.38)."""
    scheduler = root.find("Scheduler")
    if scheduler is None:
        return None, None
    for child in scheduler:
        if child.tag in ("RunEveryNMinutes", "RunEveryNSeconds"):
            value = _int(str(child.tag), (child.text or "").strip())
            return (value, None) if child.tag == "RunEveryNMinutes" else (None, value)
    return None, None


def _int(tag: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _refused(f"<{tag}> is not an integer: {text!r}") from None


def _enum(kind: type[E], tag: str, text: str) -> E:
    for member in kind:
        if member.value == text:
            return member
    allowed = ", ".join(str(m.value) for m in kind)
    raise _refused(f"<{tag}> must be one of {allowed}, not {text!r}")


def _opt_enum(kind: type[E], tag: str, text: str | None) -> E | None:
    return None if text is None else _enum(kind, tag, text)


def _opt_bool(tag: str, text: str | None) -> bool | None:
    if text is None:
        return None
    lowered = text.lower()
    if lowered not in ("true", "false", "1", "0"):
        raise _refused(f"<{tag}> must be true or false, not {text!r}")
    return lowered in ("true", "1")


def _opt_flags(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise _refused(f"<AuthFlags> is not a number: {text!r}") from None
