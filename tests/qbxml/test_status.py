"""The status table: every documented code and hresult lands in the right class."""

from __future__ import annotations

import pytest

from connector.qbxml.status import (
    HRESULTS,
    STATUS_CODES,
    StatusClass,
    classify_hresult,
    classify_status,
    describe_hresult,
    describe_status,
    parse_hresult,
)

C = StatusClass


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param(0, C.OK, id="ok"),
        pytest.param(1, C.NO_MATCH, id="no-match"),
        pytest.param(500, C.NOT_FOUND, id="500-not-found-warning"),
        pytest.param(3120, C.NOT_FOUND, id="3120-not-found"),
        pytest.param(3100, C.DUPLICATE_NAME, id="duplicate-name"),
        pytest.param(3130, C.BAD_REFERENCE, id="bad-parent-reference"),
        pytest.param(3140, C.BAD_REFERENCE, id="bad-reference"),
        pytest.param(3200, C.STALE_EDIT_SEQUENCE, id="stale-edit-sequence"),
        pytest.param(3170, C.RETRY_LATER, id="3170-modified-by-another-user"),
        pytest.param(3175, C.RETRY_LATER, id="3175-in-use"),
        pytest.param(3176, C.RETRY_LATER, id="3176-locked"),
        pytest.param(3180, C.RETRY_LATER, id="3180-error-saving"),
        pytest.param(501, C.UNSUPPORTED, id="501-not-in-spec"),
        pytest.param(510, C.UNSUPPORTED, id="510"),
        pytest.param(530, C.UNSUPPORTED, id="530-unsupported-field"),
        pytest.param(531, C.UNSUPPORTED, id="531-unsupported-enum"),
        pytest.param(1030, C.UNSUPPORTED, id="1030-unsupported-message"),
        pytest.param(3250, C.UNSUPPORTED, id="3250-feature-not-enabled"),
        pytest.param(2345, C.UNSUPPORTED, id="2000-range"),
        pytest.param(3260, C.PERMISSION, id="3260"),
        pytest.param(3261, C.PERMISSION, id="3261-personal-data"),
        pytest.param(3262, C.PERMISSION, id="3262"),
        pytest.param(3263, C.PERMISSION, id="3263"),
        pytest.param(3264, C.PERMISSION, id="3264"),
        pytest.param(3391, C.INVALID_ITERATOR, id="invalid-iterator"),
        pytest.param(3150, C.FATAL, id="missing-element"),
        pytest.param(1000, C.FATAL, id="internal-error"),
        pytest.param(560, C.WARNING, id="deprecated-field"),
    ],
)
def test_documented_codes(code: int, expected: StatusClass) -> None:
    assert classify_status(code) is expected
    # The table wins over whatever severity came with it: never classified by text either.
    assert classify_status(code, "Error") is expected


@pytest.mark.parametrize(
    ("code", "severity", "expected"),
    [
        pytest.param(42, None, C.OK, id="info-range"),
        pytest.param(777, None, C.WARNING, id="warning-range"),
        pytest.param(1999, None, C.FATAL, id="error-range"),
        pytest.param(8888, None, C.FATAL, id="high-error-range"),
        pytest.param(8888, "Warn", C.WARNING, id="severity-warn"),
        pytest.param(777, "Error", C.FATAL, id="severity-error"),
        pytest.param(3999, "Info", C.OK, id="severity-info"),
        pytest.param(777, "bogus", C.WARNING, id="unknown-severity-falls-back-to-range"),
    ],
)
def test_unlisted_codes_use_severity_then_ranges(
    code: int, severity: str | None, expected: StatusClass
) -> None:
    assert code not in STATUS_CODES
    assert classify_status(code, severity) is expected


@pytest.mark.parametrize(
    ("hresult", "expected"),
    [
        pytest.param("0x80040400", C.FATAL, id="parse-error"),
        pytest.param("0x80040408", C.RETRY_LATER, id="could-not-start"),
        pytest.param("0x80040422", C.RETRY_LATER, id="single-user-needed"),
        pytest.param("0x80040424", C.RETRY_LATER, id="not-initialised"),
        pytest.param("0x80040423", C.UNSUPPORTED, id="qbxml-version-unsupported"),
        pytest.param("0x80040418", C.PERMISSION, id="first-access-admin"),
        pytest.param("0x8004041A", C.PERMISSION, id="no-permission"),
        pytest.param("0x80040420", C.PERMISSION, id="user-denied"),
        pytest.param("0x8004041F", C.UNSUPPORTED, id="qb-basic"),
        pytest.param("0x80049999", C.FATAL, id="unlisted"),
    ],
)
def test_documented_hresults(hresult: str, expected: StatusClass) -> None:
    assert classify_hresult(hresult) is expected


@pytest.mark.parametrize(
    "text",
    ["0x80040400", "0X80040400", "80040400", " 0x80040400 ", "-2147220480", "2147746816"],
)
def test_hresult_spellings(text: str) -> None:
    assert parse_hresult(text) == 0x80040400
    assert parse_hresult(-2147220480) == 0x80040400


@pytest.mark.parametrize(
    "text", ["", "nope", "0xZZ", "0x1FFFFFFFF", "99999999999", "0x8004_0400", "٨٠٠٤٠٤٠٠"]
)
def test_bad_hresults_are_refused_clearly(text: str) -> None:
    with pytest.raises(ValueError, match="hresult"):
        classify_hresult(text)


def test_every_row_has_a_meaning_and_a_source() -> None:
    for rule in [*STATUS_CODES.values(), *HRESULTS.values()]:
        assert rule.meaning and rule.source
    assert "iterator" in describe_status(3391).meaning
    assert describe_hresult(0x80040400).source


def test_error_classes() -> None:
    assert not C.OK.is_error and not C.NO_MATCH.is_error and not C.WARNING.is_error
    assert all(c.is_error for c in C if c not in (C.OK, C.NO_MATCH, C.WARNING))
