"""Helpers shared by the fake QuickBooks processor tests (no tests here).

A session on a generated company file, request documents, XSD validation (each version's
schema loaded once per process) and response reading through the project's own parser
door (``connector.qbxml.safexml``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache

from lxml import etree

from connector.qbxml.safexml import parse_document
from qbd_emulator.company import CompanyFile
from qbd_emulator.generate import generate
from qbd_emulator.generate.gen import NOW
from qbd_emulator.processor import FakeQuickBooks
from tests.refpaths import reference_path

LATER = NOW + timedelta(hours=1)


@cache
def xsd(version: str) -> etree.XMLSchema:
    digits = version.replace(".", "")
    path = reference_path("xsd", f"qbxml{version}", f"qbxmlops{digits}.xsd")
    return etree.XMLSchema(etree.parse(str(path)))


def fixed_clock(when: datetime = LATER) -> Callable[[], datetime]:
    return lambda: when


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, when: datetime = LATER) -> None:
        self.when = when

    def __call__(self) -> datetime:
        return self.when

    def tick(self, seconds: int = 60) -> datetime:
        self.when += timedelta(seconds=seconds)
        return self.when


@cache
def _generated(seed: int, size: str) -> CompanyFile:
    return generate(seed, size)


def company(seed: int = 1, size: str = "tiny") -> CompanyFile:
    """A fresh generated company (generation is cached, the copy is not shared)."""
    import copy

    return copy.deepcopy(_generated(seed, size))


def session(
    comp: CompanyFile | None = None, clock: Callable[[], datetime] | None = None, **kw: object
) -> tuple[FakeQuickBooks, str]:
    qb = FakeQuickBooks(comp or company(), clock=clock or fixed_clock(), **kw)  # type: ignore[arg-type]
    qb.open_connection("", "tests")
    return qb, qb.begin_session("")


def rq(
    body: str, version: str = "16.0", on_error: str = "stopOnError", msgs_attrs: str = ""
) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="{version}"?>\n'
        f'<QBXML><QBXMLMsgsRq onError="{on_error}"{msgs_attrs}>{body}</QBXMLMsgsRq></QBXML>'
    )


def root(response: str) -> etree._Element:
    return parse_document(response)


def responses(response: str) -> list[etree._Element]:
    msgs = root(response).find("QBXMLMsgsRs")
    assert msgs is not None
    return list(msgs)


def one(response: str) -> etree._Element:
    found = responses(response)
    assert len(found) == 1, response[:500]
    return found[0]


def status(rs: etree._Element) -> int:
    return int(rs.get("statusCode", "-1"))


def ids(rs: etree._Element, field: str = "ListID") -> list[str]:
    return [str(ret.findtext(field)) for ret in rs]


def assert_valid(version: str, response: str) -> None:
    schema = xsd(version)
    doc = root(response)
    if not schema.validate(doc):
        raise AssertionError(f"{schema.error_log.last_error}\n{response[:2000]}")
