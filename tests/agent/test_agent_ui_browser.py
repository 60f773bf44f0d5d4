"""The agent's local UI in headless Chromium (Debian's, through Playwright): add a company
from a QWC file, sync now and watch the progress reach 100, pause, resume, edit the schedule,
read the log. A screenshot of each page goes to ``out/screenshots/`` (gitignored)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.agent.agent_harness import Service, cli, running_service
from tests.refpaths import REPO
from tests.requirements import require_chromium

SHOTS = REPO / "out" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    with running_service(tmp_path, sync_page_size=4) as svc:
        yield svc


@pytest.fixture
def agent_home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "agent"
    cli(home, "start")
    try:
        yield home
    finally:
        cli(home, "stop", check=False)


def card(name: str) -> str:
    return f'[data-testid="company-{name}"]'


def field(page: Any, name: str, what: str) -> str:
    text: str = page.locator(f'{card(name)} [data-field="{what}"]').inner_text()
    return text


@pytest.mark.timeout(300)
def test_add_sync_pause_resume_in_the_browser(
    service: Service, agent_home: Path, tmp_path: Path
) -> None:
    executable = require_chromium()  # skips on a developer machine, fails under CI=true
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    linked = service.link("Acme", every_minutes=60)
    url = cli(agent_home, "ui", "--print").stdout.strip()
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=executable,
            headless=True, args=CHROMIUM_FLAGS,
        )  # fmt: skip
        try:
            page = context.new_page()
            page.goto(url)
            assert "token=" not in page.url  # the token became a cookie
            expect(page.get_by_text("No company yet")).to_be_visible()
            page.screenshot(path=str(SHOTS / "agent-01-companies-empty.png"), full_page=True)

            page.get_by_role("link", name="Add a company").first.click()
            page.locator('[data-testid="qwc-file"]').set_input_files(str(linked.qwc))
            page.locator('[data-testid="password"]').fill(linked.password)
            page.locator('[data-testid="name"]').fill("Acme")
            page.locator('[data-testid="processor"]').select_option("emulator")
            page.locator('[data-testid="seed"]').fill("1")
            page.locator('[data-testid="size"]').fill("tiny")
            page.screenshot(path=str(SHOTS / "agent-02-add-company.png"), full_page=True)
            page.locator('[data-testid="add-company"]').click()

            company = page.locator(card("Acme"))
            expect(company).to_be_visible()
            progress = company.locator('[data-testid="progress"]')
            state = company.locator('[data-testid="state"]')
            last_run = company.locator('[data-field="lastRun"]')
            expect(last_run).to_contain_text("succeeded", timeout=120_000)  # added: at once
            expect(state).to_have_text("idle")
            first = field(page, "Acme", "lastRun")

            company.locator('[data-testid="sync-now"]').click()
            expect(page.locator(card("Acme"))).to_be_visible()
            expect(page.locator(f'{card("Acme")} [data-testid="state"]')).to_have_text(
                "syncing", timeout=30_000
            )
            page.screenshot(path=str(SHOTS / "agent-03-syncing.png"), full_page=True)
            progress = page.locator(f'{card("Acme")} [data-testid="progress"]')
            page.wait_for_function(
                "el => el.value === 100", arg=progress.element_handle(), timeout=120_000
            )
            expect(page.locator(f'{card("Acme")} [data-field="lastRun"]')).not_to_have_text(
                first, timeout=30_000
            )
            assert "(succeeded)" in field(page, "Acme", "lastRun")  # Synced, or No Data Exchange

            page.locator(f'{card("Acme")} [data-testid="pause"]').click()
            expect(page.locator(f'{card("Acme")} [data-testid="state"]')).to_have_text("paused")
            expect(page.locator(f'{card("Acme")} [data-testid="resume"]')).to_be_visible()
            expect(page.locator(f'{card("Acme")} [data-testid="pause"]')).to_be_hidden()
            page.screenshot(path=str(SHOTS / "agent-04-paused.png"), full_page=True)
            page.locator(f'{card("Acme")} [data-testid="resume"]').click()
            expect(page.locator(f'{card("Acme")} [data-testid="state"]')).not_to_have_text("paused")
            expect(page.locator(f'{card("Acme")} [data-testid="pause"]')).to_be_visible()

            page.get_by_role("link", name="Acme").click()
            page.locator('[data-testid="every-minutes"]').fill("20000")
            page.locator('[data-testid="save-schedule"]').click()
            expect(page.locator('[data-testid="error"]')).to_contain_text("--every-minutes 20000")
            page.locator('[data-testid="every-minutes"]').fill("15")
            page.locator('[data-testid="save-schedule"]').click()
            expect(page.locator('[data-testid="every-minutes"]')).to_have_value("15")
            page.screenshot(path=str(SHOTS / "agent-05-company-schedule.png"), full_page=True)

            page.get_by_role("link", name="Log").click()
            expect(page.locator('[data-testid="log"]')).to_contain_text("Acme: paused")
            page.screenshot(path=str(SHOTS / "agent-06-log.png"), full_page=True)
        finally:
            context.close()
    listed = cli(agent_home, "list").stdout
    assert "Acme\temulator\tevery 15 min" in listed
