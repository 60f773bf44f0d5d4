"""QWC files: render, parse, the Web Connector's checks, and Intuit's QWC.xsd."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from connector.qbwc.qwc import (
    PersonalDataPref,
    QbType,
    Qwc,
    QwcError,
    Style,
    UnattendedModePref,
    check_app_url,
    parse_qwc,
    qwc_to_xml,
    render_qwc,
    validate_qwc,
)
from connector.qbxml.safexml import parse_document
from tests.refpaths import reference_path

OWNER = "{57F3B9B1-86F1-4fcc-B1EE-566DE1813D20}"
FILE_ID = str(uuid.UUID(int=42))


def _render(**overrides: object) -> str:
    args: dict[str, object] = {
        "app_name": "qbd-connector",
        "app_url": "https://sync.example.com/qbwc",
        "app_support": "https://www.example.com/support",
        "user_name": "qbd-1234",
        "owner_id": OWNER,
        "file_id": FILE_ID,
        "app_description": "Shares your QuickBooks books with Example",
        "run_every_minutes": 60,
    }
    args.update(overrides)
    return render_qwc(**args)  # type: ignore[arg-type]


def test_render_then_parse_round_trips_every_field() -> None:
    text = _render(app_id="qbd", is_read_only=True)
    qwc = parse_qwc(text)
    assert qwc == Qwc(
        app_name="qbd-connector",
        app_url="https://sync.example.com/qbwc",
        app_support="https://www.example.com/support",
        user_name="qbd-1234",
        owner_id=OWNER,
        file_id="{" + FILE_ID + "}",
        app_id="qbd",
        app_description="Shares your QuickBooks books with Example",
        qb_type=QbType.QBFS,
        style=Style.DOCUMENT,
        run_every_minutes=60,
        is_read_only=True,
        auth_flags=0xF,
        personal_data_pref=PersonalDataPref.NOT_NEEDED,
        unattended_mode_pref=UnattendedModePref.OPTIONAL,
    )
    assert text.startswith('<?xml version="1.0"?>\n<QBWCXML>')
    assert "<AuthFlags>0xF</AuthFlags>" in text


def test_render_escapes_markup_in_text() -> None:
    text = _render(app_description="Books & <more>")
    assert "Books &amp; &lt;more&gt;" in text
    assert parse_qwc(text).app_description == "Books & <more>"


def test_render_without_schedule_has_no_scheduler() -> None:
    assert "<Scheduler>" not in _render(run_every_minutes=None)


def _xsd_known(text: str) -> bytes:
    """Drop the elements QWC.xsd predates (IsReadOnly, AuthFlags, ...), keep the rest."""
    root = parse_document(text)
    for child in list(root):
        if child.tag in (
            "IsReadOnly",
            "AuthFlags",
            "PersonalDataPref",
            "UnattendedModePref",
            "CertURL",
            "Notify",
            "AppDisplayName",
            "AppUniqueName",
        ):
            root.remove(child)
    return etree.tostring(root)


def test_rendered_qwc_is_valid_against_intuits_schema() -> None:
    schema = xmlschema.XMLSchema(str(reference_path("xsd", "qwc", "QWC.xsd")))
    schema.validate(_xsd_known(_render()))
    schema.validate(_xsd_known(_render(run_every_minutes=None)))


def test_the_schema_check_can_fail() -> None:
    schema = xmlschema.XMLSchema(str(reference_path("xsd", "qwc", "QWC.xsd")))
    bad = _render().replace("<QBType>QBFS</QBType>", "<QBType>QBXX</QBType>")
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(_xsd_known(bad))


@pytest.mark.parametrize(
    ("url", "codes"),
    [
        pytest.param("https://sync.example.com/qbwc", (), id="https-host"),
        pytest.param("http://localhost:8000/qbwc", (), id="http-localhost"),
        pytest.param("https://localhost/qbwc", (), id="https-localhost"),
        pytest.param("http://sync.example.com/qbwc", ("QBWC1010",), id="http-remote"),
        pytest.param("https://192.168.1.10/qbwc", ("QBWC1001",), id="https-ip"),
        pytest.param("http://127.0.0.1:8000/qbwc", ("QBWC1001", "QBWC1010"), id="http-loopback-ip"),
        pytest.param("https://[::1]/qbwc", ("QBWC1001",), id="ipv6"),
        pytest.param("ftp://example.com/x", ("QBWC1039",), id="not-http"),
    ],
)
def test_app_url_rules(url: str, codes: tuple[str, ...]) -> None:
    assert tuple(p.code for p in check_app_url("App", url)) == codes


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        pytest.param({"app_url": "http://sync.example.com/qbwc"}, "QBWC1010", id="not-https"),
        pytest.param({"app_url": "https://10.0.0.1/qbwc"}, "QBWC1001", id="ip-url"),
        pytest.param({"app_support": "https://10.0.0.1/help"}, "QBWC1002", id="ip-support"),
        pytest.param({"app_support": "https://other.org/help"}, "QBWC1000", id="other-domain"),
        pytest.param({"file_id": "not-a-guid"}, "QBWC1039", id="bad-file-id"),
        pytest.param({"run_every_minutes": 0}, "QBWC1039", id="zero-minutes"),
        pytest.param({"user_name": " "}, "QBWC1039", id="empty-user"),
    ],
)
def test_render_refuses_what_qbwc_refuses(overrides: dict[str, object], code: str) -> None:
    with pytest.raises(QwcError) as info:
        _render(**overrides)
    assert info.value.code == code


def test_same_domain_allows_subdomains_but_not_lookalike_suffixes() -> None:
    _render(app_url="https://a.example.co.uk/q", app_support="https://b.example.co.uk/s")
    with pytest.raises(QwcError):
        _render(app_url="https://a.example.co.uk/q", app_support="https://b.other.co.uk/s")


def test_parse_refuses_non_qwc_documents() -> None:
    for text in ("<Other/>", "not xml", "<QBWCXML><AppName>x</AppName></QBWCXML>"):
        with pytest.raises(QwcError) as info:
            parse_qwc(text)
        assert info.value.code == "QBWC1039"


def test_parse_refuses_entities() -> None:
    hostile = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        "<QBWCXML><AppName>&e;</AppName></QBWCXML>"
    )
    with pytest.raises(QwcError):
        parse_qwc(hostile)


def test_scheduler_first_element_wins() -> None:
    text = _render().replace(
        "<RunEveryNMinutes>60</RunEveryNMinutes>",
        "<RunEveryNSeconds>30</RunEveryNSeconds><RunEveryNMinutes>60</RunEveryNMinutes>",
    )
    qwc = parse_qwc(text)
    assert (qwc.run_every_seconds, qwc.run_every_minutes) == (30, None)
    assert "<RunEveryNSeconds>30</RunEveryNSeconds>" in qwc_to_xml(qwc)


# Expected verdicts for the real QWC files in ../shared/reference/qwc.
REAL_QWCS = {
    "bill-ash-sample.qwc": ("QBWC Data Sync", "http://localhost:8000/webconnector/", ()),
    "consolibyte-example.qwc": ("QuickBooks Integrator", None, ()),
    "consolibyte-example_app.qwc": ("QuickBooks Web Connector example", None, ()),
    "cv3-QBWebConnect.qwc": ("CommerceV3", "http://localhost:8080/qbwc", ()),
    "flowlink-sample.qwc": ("Wombat Quickbooks Desktop Integration", None, ()),
    "intuit-WCECommSample-TestService.qwc": ("Add you app name here", None, ()),
    "intuit-WCWebService-HTTP.qwc": ("HTTPWebService", None, ()),
    "intuit-WCWebService-HTTPS.qwc": ("HTTPSWebService", None, ()),
}


@pytest.mark.parametrize("name", sorted(REAL_QWCS))
def test_real_qwc_files_parse_and_pass_the_checks(name: str) -> None:
    path: Path = reference_path("qwc", name)
    qwc = parse_qwc(path.read_bytes())
    app_name, app_url, problems = REAL_QWCS[name]
    assert qwc.app_name == app_name
    if app_url is not None:
        assert qwc.app_url == app_url
    assert qwc.qb_type is QbType.QBFS
    assert tuple(p.code for p in validate_qwc(qwc)) == problems


def test_real_qwc_optional_elements() -> None:
    flowlink = parse_qwc(reference_path("qwc", "flowlink-sample.qwc").read_bytes())
    assert (flowlink.auth_flags, flowlink.style, flowlink.app_id) == (
        0xF,
        Style.DOCUMENT,
        "WombatQBDesktop",
    )
    consolibyte = parse_qwc(reference_path("qwc", "consolibyte-example.qwc").read_bytes())
    assert (consolibyte.is_read_only, consolibyte.run_every_minutes) == (False, 1)
    ecomm = parse_qwc(reference_path("qwc", "intuit-WCECommSample-TestService.qwc").read_bytes())
    assert ecomm.cert_url == "http://localhost/WCECommSample/service/WCECommService.asmx"
