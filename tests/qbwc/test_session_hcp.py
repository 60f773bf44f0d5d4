"""Reading strHCPResponse and judging the company file (PG p.36, p.52; PROTOCOL.md 1.2)."""

from __future__ import annotations

import pytest

from connector.qbwc.server.company_check import (
    HcpReading,
    company_error,
    judge,
    normalise_guid,
    read_hcp,
)
from connector.qbwc.server.errors import HcpError
from connector.store.connections import CompanyIdentity
from tests.refpaths import reference_path

THEIR_OWNER = "{68b5925b-4347-4784-e58d-35a2d190962f}"
OUR_FILE_ID = "{AAAAAAAA-1111-2222-3333-444444444444}"


def test_reads_the_real_2006_response() -> None:
    path = reference_path(
        "responses",
        "consolibyte-log-2008",
        "strHCPResponse_HostQueryRs_CompanyQueryRs_PreferencesQueryRs_QBPro2006.xml",
    )
    text = path.read_text(encoding="utf-8")
    reading = read_hcp(text, THEIR_OWNER)
    assert reading.supported_versions[-1] == "5.0" and len(reading.supported_versions) == 8
    assert reading.company_name == "Test Company"
    assert normalise_guid(reading.file_id) == "ee032e95-47f7-2564-096f-2d4545fcb021"
    assert read_hcp("\n  " + text, "{00000000-0000-0000-0000-000000000000}").file_id is None


def test_the_redacted_2014_response_is_refused_with_a_clear_error() -> None:
    path = reference_path(
        "responses",
        "qbwc-qbwc",
        "strHCPResponse_HostQueryRs_CompanyQueryRs_PreferencesQueryRs_QBPro2014.xml",
    )
    with pytest.raises(HcpError, match="not readable XML"):
        read_hcp(path.read_text(encoding="utf-8"), THEIR_OWNER)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("QBPOS is not supported", id="pos-text"),
        pytest.param("<QBXML><QBXMLMsgsRs/></QBXML>", id="no-hostret"),
        pytest.param('<!DOCTYPE x [<!ENTITY a "b">]><QBXML/>', id="dtd"),
    ],
)
def test_unreadable_hcp(text: str) -> None:
    with pytest.raises(HcpError):
        read_hcp(text, THEIR_OWNER)


def ident(
    path: str = r"C:\Co.qbw", name: str = "Co", file_id: str | None = None
) -> CompanyIdentity:
    return CompanyIdentity(path, name, file_id)


@pytest.mark.parametrize(
    ("observed", "bound", "refused"),
    [
        pytest.param(ident(), None, False, id="first-connect"),
        pytest.param(ident(file_id=OUR_FILE_ID.lower().strip("{}")), None, False, id="our-file-id"),
        pytest.param(
            ident(file_id="{BBBBBBBB-0000-0000-0000-000000000000}"),
            None,
            True,
            id="foreign-file-id",
        ),
        pytest.param(ident(r"c:/CO.QBW"), ident(), False, id="same-path-other-spelling"),
        pytest.param(ident(name=" co "), ident(), False, id="same-name-other-case"),
        pytest.param(ident(r"C:\Other.qbw"), ident(), True, id="other-path"),
        pytest.param(ident(name="Other"), ident(), True, id="other-name"),
        pytest.param(ident(), ident(file_id=OUR_FILE_ID), True, id="file-id-removed"),
    ],
)
def test_company_check(
    observed: CompanyIdentity, bound: CompanyIdentity | None, refused: bool
) -> None:
    error = company_error(observed, bound, OUR_FILE_ID)
    assert (error is not None) is refused
    if error is not None:
        assert observed.file_path in error or "FileID" in error


def test_version_is_capped_by_the_web_connector() -> None:
    reading = HcpReading(("12.0", "13.0", "14.0", "15.0", "16.0"), "Co", None)
    assert (
        judge(reading, ident(), None, OUR_FILE_ID, major=None, minor=None).qbxml_version == "16.0"
    )
    assert judge(reading, ident(), None, OUR_FILE_ID, major=14, minor=0).qbxml_version == "14.0"
    old = judge(HcpReading(("5.0",), "Co", None), ident(), None, OUR_FILE_ID, major=5, minor=0)
    assert old.qbxml_version is None and old.error is not None and "qbXML version" in old.error
    wrong = judge(reading, ident(name="Other"), ident(), OUR_FILE_ID, major=None, minor=None)
    assert wrong.qbxml_version is None and wrong.error is not None
