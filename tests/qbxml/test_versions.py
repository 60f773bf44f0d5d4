"""qbXML version negotiation: HostQuery's list, QBWC's cap, and the refusals."""

from __future__ import annotations

import pytest

from connector.qbxml.errors import QbxmlError, QbxmlVersionError
from connector.qbxml.parse import parse_response
from connector.qbxml.values import Record
from connector.qbxml.versions import (
    OUR_VERSIONS,
    QbxmlVersion,
    pick_version,
    supported_versions,
    supported_versions_from_hcp,
)
from tests.refpaths import reference_path

QB2014 = [f"{n}.0" for n in range(1, 14)] + ["1.1", "2.1", "4.1"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13.0", QbxmlVersion("", 13, 0)),
        ("CA3.0", QbxmlVersion("CA", 3, 0)),
        ("UK2.1", QbxmlVersion("UK", 2, 1)),
        (" 16.0 ", QbxmlVersion("", 16, 0)),
    ],
)
def test_parse_and_print(text: str, expected: QbxmlVersion) -> None:
    assert QbxmlVersion.parse(text) == expected
    assert str(expected) == text.strip()


@pytest.mark.parametrize("text", ["", "13", "v13.0", "13.0.1", "ca3.0", "13,0"])
def test_bad_version_text(text: str) -> None:
    with pytest.raises(QbxmlVersionError, match="not a qbXML version"):
        QbxmlVersion.parse(text)


@pytest.mark.parametrize(
    ("qb", "major", "minor", "expected"),
    [
        pytest.param(QB2014, None, None, "13.0", id="qb2014-highest-common"),
        pytest.param(["13.0", "14.0", "15.0", "16.0", "17.0"], None, None, "16.0", id="newer-qb"),
        pytest.param(["13.0", "14.0", "15.0", "16.0"], 14, 0, "14.0", id="capped-by-qbwc"),
        pytest.param(["13.0", "14.0", "15.0", "16.0"], "15", "0", "15.0", id="cap-as-text"),
        pytest.param(["13.0", "16.0"], 15, None, "13.0", id="cap-major-only"),
        pytest.param(["16.0", "13.0", "junk"], None, None, "16.0", id="order-and-junk-ignored"),
        pytest.param(["13.0", "16.0"], None, 0, "16.0", id="minor-without-major-ignored"),
    ],
)
def test_pick_version(qb: list[str], major: object, minor: object, expected: str) -> None:
    assert pick_version(qb, major=major, minor=minor) == expected  # type: ignore[arg-type]


def test_pick_version_country_forms_match_only_their_country() -> None:
    assert pick_version(["CA3.0", "CA13.0"], supported_by_us=["CA13.0", "13.0"]) == "CA13.0"
    with pytest.raises(QbxmlVersionError, match="no common qbXML version") as info:
        pick_version(["CA3.0", "UK2.0"])
    assert "CA3.0" in str(info.value) and "16.0" in str(info.value)


@pytest.mark.parametrize(
    ("qb", "major", "message"),
    [
        pytest.param(["1.0", "5.0"], None, "no common", id="qb2006-too-old"),
        pytest.param(["13.0"], 12, "at most 12", id="qbwc-cap-below-ours"),
        pytest.param([], None, "no common", id="empty"),
    ],
)
def test_no_common_version_is_a_clear_error(qb: list[str], major: int | None, message: str) -> None:
    with pytest.raises(QbxmlVersionError, match=message) as info:
        pick_version(qb, major=major)
    assert isinstance(info.value, QbxmlError)


def test_bad_qbwc_cap() -> None:
    with pytest.raises(QbxmlVersionError, match="qbXMLMajorVers"):
        pick_version(["13.0"], major="thirteen")


def test_our_bad_version_is_refused() -> None:
    with pytest.raises(QbxmlVersionError):
        pick_version(["13.0"], supported_by_us=["13"])


def test_supported_versions_from_a_host_ret_record() -> None:
    assert supported_versions({"SupportedQBXMLVersion": ["12.0", "13.0"]}) == ("12.0", "13.0")
    assert supported_versions({"SupportedQBXMLVersion": "13.0"}) == ("13.0",)
    assert supported_versions({}) == ()


def test_from_hcp_2006() -> None:
    path = reference_path(
        "responses",
        "consolibyte-log-2008",
        "strHCPResponse_HostQueryRs_CompanyQueryRs_PreferencesQueryRs_QBPro2006.xml",
    )
    versions = supported_versions_from_hcp(path.read_bytes())
    assert versions == ("1.0", "1.1", "2.0", "2.1", "3.0", "4.0", "4.1", "5.0")
    with pytest.raises(QbxmlVersionError):
        pick_version(versions, OUR_VERSIONS, major=5, minor=0)


def test_from_hcp_2014_reads_the_host_before_the_broken_part() -> None:
    # SOURCES.md: this file is not well-formed further down (a redaction typo in CompanyRet);
    # the HostRet comes first and is complete.
    path = reference_path(
        "responses",
        "qbwc-qbwc",
        "strHCPResponse_HostQueryRs_CompanyQueryRs_PreferencesQueryRs_QBPro2014.xml",
    )
    versions = supported_versions_from_hcp(path.read_bytes())
    assert versions[-1] == "13.0" and len(versions) == 16
    assert pick_version(versions, major=13, minor=0) == "13.0"


def test_hcp_without_host_ret() -> None:
    with pytest.raises(QbxmlVersionError, match="HostRet"):
        supported_versions_from_hcp(b"<QBXML><QBXMLMsgsRs><CompanyQueryRs/></QBXMLMsgsRs></QBXML>")


def test_from_the_parsed_host_ret_record() -> None:
    path = reference_path(
        "responses",
        "consolibyte-log-2008",
        "strHCPResponse_HostQueryRs_CompanyQueryRs_PreferencesQueryRs_QBPro2006.xml",
    )
    host = next(
        e for e in parse_response(path.read_bytes()) if isinstance(e, Record) and e.ret == "HostRet"
    )
    assert supported_versions(host.data) == supported_versions_from_hcp(path.read_bytes())
