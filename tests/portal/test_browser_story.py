"""The product page's story in headless Chromium against a real ``qbd-connector serve`` on
loopback (issue 13, "What must be shown"): the platform signs into the portal, sets its
branding, switches the integration, creates a company and a link; the business opens the
link, agrees, tries each method, downloads the QWC file and reads its password from the
page; the emulator's Web Connector runs with that file and password and the page turns to
connected and shows the sync's progress; the business pauses and the next Web Connector
session is answered ``none``; the platform turns the integration off and link creation is
refused. Every page is saved under ``out/screenshots``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector.qbwc.qwc import parse_qwc
from tests.portal.live_service import Serve, finished, web_connector

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><circle cx="20" cy="20" '
    b'r="18" fill="#0b6e4f"/><path d="M12 20h16M20 12v16" stroke="#fff" stroke-width="4"/></svg>'
)
SLOW_QUICKBOOKS = {
    "format": "qbd-emulator/scenario",
    "version": 1,
    "faults": [
        {
            "name": "slow-link",
            "link": "soap",
            "call": "receiveResponseXML",
            "kind": "delay",
            "seconds": 0.15,
        }
    ],
}


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    service = Serve(tmp_path, QBD_SYNC_PAGE_SIZE="5")
    yield service
    service.stop()


def _shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_the_whole_story(serve: Serve, browser: Any, screenshots: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    admin = browser.new_context().new_page()
    admin.set_default_timeout(30_000)
    admin.goto(f"{serve.url}/portal")
    _shot(admin, screenshots, "01-portal-login")
    admin.get_by_test_id("api-key").fill("browser-story-key")
    admin.get_by_test_id("login").click()

    # Branding and the integration switch.
    admin.get_by_test_id("brand-name").fill("Acme Lending")
    admin.get_by_test_id("brand-description").fill("Shares your books with Acme Lending")
    admin.get_by_test_id("brand-support").fill("https://help.acme.example/qb")
    logo = tmp_path / "logo.svg"
    logo.write_bytes(SVG)
    admin.get_by_test_id("brand-logo").set_input_files(str(logo))
    admin.get_by_test_id("save-branding").click()
    expect(admin.locator(".app-name")).to_have_text("Acme Lending")
    expect(admin.get_by_test_id("integration-state")).to_have_text("Enabled")
    admin.get_by_test_id("integration-enabled").click()
    expect(admin.get_by_test_id("integration-state")).to_have_text("Disabled")
    admin.get_by_test_id("integration-enabled").click()
    expect(admin.get_by_test_id("integration-state")).to_have_text("Enabled")
    _shot(admin, screenshots, "02-portal-settings")

    # A company and its link.
    admin.get_by_test_id("company-name").fill("Acme Books")
    admin.get_by_test_id("create-company").click()
    expect(admin.locator("h1")).to_have_text("Acme Books")
    company_page = admin.url
    admin.get_by_test_id("create-link").click()
    link = admin.get_by_test_id("link-url").inner_text()
    assert link.startswith(f"{serve.url}/link/")
    _shot(admin, screenshots, "03-portal-company-link")

    # The business opens the link: consent first, in the platform's name.
    business = browser.new_context(accept_downloads=True).new_page()
    business.set_default_timeout(30_000)
    business.goto(link)
    expect(business.locator("h1")).to_contain_text("Share your QuickBooks data")
    expect(business.locator("main")).to_contain_text("Acme Lending asks to read")
    assert "qbd-connector" not in business.content()
    _shot(business, screenshots, "04-link-consent")
    business.get_by_test_id("consent-agree").click()
    _shot(business, screenshots, "05-link-method")

    # Each method in turn: the desktop app needs the connector, hosted ones do not.
    business.get_by_test_id("method-desktop_app").click()
    expect(business.get_by_test_id("download-agent")).to_be_visible()
    _shot(business, screenshots, "06-link-download-desktop")
    business.get_by_test_id("download-agent").click()
    expect(business.get_by_test_id("agent-placeholder")).to_be_visible()
    _shot(business, screenshots, "07-agent-download")
    business.go_back()
    for method in ("enterprise_cloud", "rightworks"):
        business.get_by_role("link", name="Change").click()
        business.get_by_test_id(f"method-{method}").click()
        expect(business.get_by_test_id("download-qwc")).to_be_visible()
        expect(business.get_by_test_id("download-agent")).to_have_count(0)
        _shot(business, screenshots, f"08-link-download-{method}")
    with business.expect_download() as download:
        business.get_by_test_id("download-qwc").click()
    qwc = tmp_path / "acme.qwc"
    download.value.save_as(str(qwc))
    parsed = parse_qwc(qwc.read_bytes())
    assert parsed.app_name == "Acme Lending (Acme Books)"
    assert parsed.app_description == "Shares your books with Acme Lending"

    business.get_by_test_id("show-password").click()
    password = business.get_by_test_id("password").inner_text().strip()
    assert len(password) >= 16
    _shot(business, screenshots, "09-link-password")
    business.get_by_test_id("go-status").click()
    expect(business.get_by_test_id("status-text")).to_have_text("Never connected")

    # The Web Connector, with the downloaded file and the password read from the page.
    scenario = tmp_path / "slow.json"
    scenario.write_text(json.dumps(SLOW_QUICKBOOKS))
    running = web_connector(qwc, password, "--size", "tiny", "--scenario", str(scenario))
    try:
        expect(business.get_by_test_id("status-text")).to_have_text("Syncing", timeout=60_000)
        expect(business.get_by_test_id("progress")).to_be_visible()
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nthe Web Connector said: {finished(running)}") from None
    _shot(business, screenshots, "10-link-syncing")
    result = finished(running)
    assert result["result"] == "done", result
    expect(business.get_by_test_id("status-text")).to_have_text("Connected", timeout=30_000)
    expect(business.get_by_test_id("last-sync")).to_contain_text("succeeded")
    _shot(business, screenshots, "11-link-connected")

    # Pause from the management page: the next session is answered "none".
    business.goto(link)
    business.get_by_test_id("pause").click()
    expect(business.get_by_test_id("resume")).to_be_visible()
    expect(business.get_by_test_id("status-text")).to_have_text("Paused")
    _shot(business, screenshots, "12-link-manage-paused")
    paused = finished(web_connector(qwc, password, "--size", "tiny"))
    assert paused["result"] == "none", paused

    # The portal shows it; turning the integration off refuses new links.
    admin.goto(company_page)
    expect(admin.get_by_test_id("connection-status")).to_have_text("Paused")
    expect(admin.get_by_test_id("run").first).to_contain_text("succeeded")
    expect(admin.get_by_test_id("consent")).to_contain_text("Given")
    _shot(admin, screenshots, "13-portal-company")
    admin.goto(f"{serve.url}/portal")
    admin.get_by_test_id("integration-enabled").click()
    expect(admin.get_by_test_id("integration-state")).to_have_text("Disabled")
    admin.goto(company_page)
    admin.get_by_test_id("create-link").click()
    expect(admin.get_by_test_id("problem")).to_contain_text("turned off")
    _shot(admin, screenshots, "14-portal-link-refused")
    company_id = re.sub(r".*/companies/", "", company_page)
    connection = serve.api("GET", f"/companies/{company_id}/connections").json()["data"][0]
    refused = serve.api(
        "POST", f"/companies/{company_id}/connections/{connection['id']}/links", json={}
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "integration_disabled"
