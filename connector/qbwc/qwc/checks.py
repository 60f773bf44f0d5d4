"""The checks the real Web Connector makes on a QWC file before it adds or calls it.

Owns: the rules with their QBWC codes (PG App. A; PROTOCOL.md 1.6-1.7):
AppURL ``https://`` except ``localhost`` (QBWC1010, newer clients QBWC1051), no IP address in
AppURL (QBWC1001) or AppSupport (QBWC1002), AppSupport on AppURL's domain (QBWC1000), and
required values present and well-formed (QBWC1039). Must not: parse or render XML.
"""

from __future__ import annotations

import ipaddress
import uuid
from urllib.parse import urlsplit

from connector.qbwc.qwc.model import Qwc, QwcProblem

__all__ = ["check_app_url", "is_guid", "validate_qwc"]


def check_app_url(app_name: str, url: str) -> tuple[QwcProblem, ...]:
    """The checks QBWC makes on AppURL before calling it (QBWC1001, QBWC1010)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    problems: list[QwcProblem] = []
    if parts.scheme not in ("http", "https") or not host:
        problems.append(QwcProblem("QBWC1039", f"AppURL {url!r} is not an http(s) URL"))
        return tuple(problems)
    if _is_ip(host):
        problems.append(
            QwcProblem(
                "QBWC1001",
                f"The application {app_name}'s service URL is an IP Address, it will not be loaded.",
            )
        )
    if parts.scheme != "https" and host != "localhost":
        # PG App. A QBWC1010; QBWC 2.1+ words it "...not on a secure (https) server ...
        # QBWC1051 The new application was not added" (RappidDevelopment/quickbooks-js#26).
        problems.append(
            QwcProblem(
                "QBWC1010",
                f"Application {app_name} cannot be loaded. For security reasons only SSL "
                "(https) based applications are allowed (QBWC1051: the service URL is not "
                "on a secure (https) server).",
            )
        )
    return tuple(problems)


def validate_qwc(qwc: Qwc) -> tuple[QwcProblem, ...]:
    """Every reason the Web Connector would refuse ``qwc``; empty when it is acceptable."""
    problems = list(check_app_url(qwc.app_name, qwc.app_url))
    problems.extend(_support_problems(qwc))
    problems.extend(_field_problems(qwc))
    return tuple(problems)


def _support_problems(qwc: Qwc) -> list[QwcProblem]:
    support = urlsplit(qwc.app_support)
    host = (support.hostname or "").lower()
    if support.scheme not in ("http", "https") or not host:
        return [QwcProblem("QBWC1039", f"AppSupport {qwc.app_support!r} is not an http(s) URL")]
    if _is_ip(host):
        return [
            QwcProblem(
                "QBWC1002",
                f"The application {qwc.app_name}'s support URL is an IP Address, "
                "it will not be loaded.",
            )
        ]
    app_host = (urlsplit(qwc.app_url).hostname or "").lower()
    if app_host and not _is_ip(app_host) and _domain(app_host) != _domain(host):
        return [
            QwcProblem(
                "QBWC1000",
                f"The domain names for {qwc.app_name}'s service and support URLs do not match.",
            )
        ]
    return []


def _field_problems(qwc: Qwc) -> list[QwcProblem]:
    problems = []
    for tag, value in (("AppName", qwc.app_name), ("UserName", qwc.user_name)):
        if not value.strip():
            problems.append(QwcProblem("QBWC1039", f"<{tag}> is empty"))
    for tag, value in (("OwnerID", qwc.owner_id), ("FileID", qwc.file_id)):
        if not is_guid(value):
            problems.append(QwcProblem("QBWC1039", f"<{tag}> is not a GUID: {value!r}"))
    if qwc.run_every_minutes is not None and qwc.run_every_minutes < 1:
        problems.append(QwcProblem("QBWC1039", "<RunEveryNMinutes> must be at least 1"))
    if qwc.run_every_seconds is not None and qwc.run_every_seconds < 1:
        problems.append(QwcProblem("QBWC1039", "<RunEveryNSeconds> must be at least 1"))
    if qwc.auth_flags is not None and not 0 <= qwc.auth_flags <= 0xF:
        problems.append(QwcProblem("QBWC1034", "<AuthFlags> must be between 0x0 and 0xF"))
    return problems


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _domain(host: str) -> str:
    """The registrable part of a host name, approximated as its last two labels.

    Uncertain: PG says only "same domain name"; Intuit-era samples pair
    ``secure.domain.com`` with ``www.domain.com`` (consolibyte example_app.qwc), so
    sub-domains of one domain are accepted. Two-label public suffixes (``co.uk``) would
    need a suffix list; the common ones (``co.uk``, ``com.au``) keep three labels here.
    """
    labels = host.rstrip(".").split(".")
    two_label_suffix = len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL
    keep = 3 if len(labels) >= 3 and two_label_suffix else 2
    return ".".join(labels[-keep:])


_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu"})


def is_guid(value: str) -> bool:
    text = value.strip()
    inner = text[1:-1] if text.startswith("{") and text.endswith("}") else text
    try:
        uuid.UUID(inner)
    except ValueError:
        return False
    return True
