"""The portal and link-flow pages over HTTP (httpx's ASGI transport, no browser): login and
CSRF, branding with hostile logos and uploads, the integration switch, the link flow's
order (no QWC or password before consent) and its refusals (used, expired, revoked, another
link's session). The whole story in a real browser is ``test_browser_story.py``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI

from connector.api.app import create_app
from connector.settings import DEFAULT_OWNER_ID
from connector.store import activity, links, sync_requests
from connector.store import platform as platform_store
from connector.store.api_keys import create_api_key
from connector.store.companies import create_company
from connector.store.connections import (
    create_connection,
    get_connection,
    verify_connection_password,
)
from connector.store.db import Database
from connector.store.records import count_records
from tests.portal.portal_client import KEY, PageClient, csrf_of, login, make_settings

pytestmark = pytest.mark.filterwarnings("ignore:_SixMetaPathImporter:ImportWarning")

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f80f0000010101005d0b1a5e0000000049454e44ae426082"
)
EVIL_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
GOOD_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#123456"/></svg>'


@pytest.fixture
def app(sqlite_db: Database) -> FastAPI:
    return create_app(make_settings(sqlite_db), database=sqlite_db)


def _link(client: PageClient, company: str = "Acme") -> str:
    csrf = login(client)
    page = client.post(
        "/portal/companies", data={"csrf": csrf, "name": company}, follow_redirects=True
    )
    made = client.post(
        str(page.url.path) + "/links", data={"csrf": csrf, "connection_id": "", "kind": "setup"}
    )
    assert made.status_code == 200, made.text
    url = re.search(r'data-testid="link-url">([^<]+)<', made.text)
    assert url
    return url.group(1).removeprefix("https://qbd.example.com")


def test_a_key_scoped_to_companies_cannot_sign_in_to_the_portal(
    app: FastAPI, sqlite_db: Database
) -> None:
    company = create_company(sqlite_db, "Acme")
    _, scoped = create_api_key(sqlite_db, "acme-only", companies=[company.id])
    client = PageClient(app)
    page = client.get("/portal")
    refused = client.post("/portal/login", data={"csrf": csrf_of(page.text), "api_key": scoped})
    assert refused.status_code == 403 and "admin API key" in refused.text
    assert 'data-testid="api-key"' in client.get("/portal").text  # still signed out


def _branding_form(csrf: str, **extra: str) -> dict[str, str]:
    return {
        "csrf": csrf,
        "app_name": "Acme Lending",
        "description": "",
        "support_url": "",
        "accent_color": "#112233",
    } | extra


def test_the_portal_needs_a_valid_key_and_its_session_cookie_is_strict(app: FastAPI) -> None:
    client = PageClient(app)
    page = client.get("/portal")
    assert 'data-testid="api-key"' in page.text
    refused = client.post("/portal/login", data={"csrf": csrf_of(page.text), "api_key": "wrong"})
    assert refused.status_code == 401 and "not valid" in refused.text
    page = client.get("/portal")
    done = client.post("/portal/login", data={"csrf": csrf_of(page.text), "api_key": KEY})
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
    home = client.get("/portal")
    assert (
        "Content-Security-Policy" in home.headers
        and home.headers["Referrer-Policy"] == "no-referrer"
    )
    client.post("/portal/logout", data={"csrf": csrf_of(home.text)})
    assert 'data-testid="api-key"' in client.get("/portal").text


def test_a_forged_csrf_token_changes_nothing(app: FastAPI, sqlite_db: Database) -> None:
    client = PageClient(app)
    login(client)
    answer = client.post("/portal/integration", data={"csrf": "forged", "enabled": "false"})
    assert answer.status_code == 403 and "Nothing was" in answer.text
    assert platform_store.get_platform(sqlite_db).integration_enabled
    stranger = PageClient(app)  # no session at all: sent back to the login page
    assert (
        stranger.post("/portal/integration", data={"csrf": "x", "enabled": "false"}).status_code
        == 303
    )
    assert platform_store.get_platform(sqlite_db).integration_enabled


def test_branding_saves_and_a_scripted_svg_or_a_huge_upload_is_refused(
    app: FastAPI, sqlite_db: Database
) -> None:
    client = PageClient(app)
    csrf = login(client)
    saved = client.post(
        "/portal/branding", data=_branding_form(csrf), files={"logo": ("l.png", PNG, "image/png")}
    )
    assert saved.status_code == 303
    logo = client.get("/brand/logo")
    assert logo.content == PNG and "default-src 'none'" in logo.headers["content-security-policy"]
    evil = client.post(
        "/portal/branding",
        data=_branding_form(csrf, app_name="Evil"),
        files={"logo": ("x.svg", EVIL_SVG, "image/svg+xml")},
    )
    assert evil.status_code == 422 and "script" in evil.text
    huge = client.post(
        "/portal/branding",
        data=_branding_form(csrf, app_name="Huge"),
        files={"logo": ("big.png", b"\0" * (50 * 1024 * 1024), "image/png")},
    )
    assert huge.status_code == 413 and "too large" in huge.text
    kept = platform_store.get_platform(sqlite_db).branding
    assert kept.app_name == "Acme Lending" and kept.logo_type == "image/png"


def test_branding_through_the_api_with_an_svg_logo(app: FastAPI) -> None:
    import base64

    client = PageClient(app)
    good = "data:image/svg+xml;base64," + base64.b64encode(GOOD_SVG).decode()
    done = client.api(
        "PUT",
        "/settings/branding",
        json={"appName": "Acme", "accentColor": "#abcdef", "logo": good},
    )
    assert done.status_code == 200 and done.json()["branding"]["logoUrl"]
    bad = "data:image/svg+xml;base64," + base64.b64encode(EVIL_SVG).decode()
    refused = client.api(
        "PUT", "/settings/branding", json={"appName": "Evil", "accentColor": "red", "logo": bad}
    )
    assert refused.status_code == 422
    assert set(refused.json()["error"]["details"]["fields"]) == {"accentColor", "logo"}
    too_big = client.api(
        "PUT",
        "/settings/branding",
        content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert too_big.status_code == 413
    assert client.api("GET", "/settings").json()["branding"]["appName"] == "Acme"


def test_disabled_integration_refuses_connections_and_links(
    app: FastAPI, sqlite_db: Database
) -> None:
    client = PageClient(app)
    company = client.api("POST", "/companies", json={"name": "Off Co"}).json()
    row, _ = create_connection(sqlite_db, company["id"], "rightworks", owner_id=DEFAULT_OWNER_ID)
    assert (
        client.api("PUT", "/settings/integration", json={"enabled": False}).json()["integration"][
            "enabled"
        ]
        is False
    )
    refused = client.api("POST", f"/companies/{company['id']}/connections/{row.id}/links", json={})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "integration_disabled"
    no_connection = client.api(
        "POST", f"/companies/{company['id']}/connections", json={"method": "rightworks"}
    )
    assert no_connection.status_code == 409
    assert no_connection.json()["error"]["code"] == "integration_disabled"
    assert len(client.api("GET", f"/companies/{company['id']}/connections").json()["data"]) == 1
    csrf = login(client)
    page = client.post(
        f"/portal/companies/{company['id']}/links",
        data={"csrf": csrf, "connection_id": "", "kind": "setup"},
    )
    assert page.status_code == 409 and "turned off" in page.text
    manage = client.api(
        "POST", f"/companies/{company['id']}/connections/{row.id}/links", json={"kind": "manage"}
    )
    assert manage.status_code == 201


def test_the_link_flow_gives_nothing_before_consent(app: FastAPI, sqlite_db: Database) -> None:
    path = _link(PageClient(app))
    visitor = PageClient(app)
    first = visitor.get(path)
    assert 'data-testid="consent-agree"' in first.text and "Acme" in first.text
    csrf = csrf_of(first.text)
    assert visitor.get(path + "/qwc").status_code == 403
    skipped = visitor.post(path + "/password", data={"csrf": csrf})
    assert skipped.status_code == 403 and 'data-testid="password"' not in skipped.text
    assert (
        visitor.post(path + "/method", data={"csrf": csrf, "method": "rightworks"}).status_code
        == 403
    )
    assert visitor.get(path + "?step=download").text.count('data-testid="consent-agree"') == 1


def test_a_used_expired_or_revoked_link_is_refused_with_a_page(
    app: FastAPI, sqlite_db: Database
) -> None:
    path = _link(PageClient(app))
    token = path.rsplit("/", 1)[1]
    visitor = PageClient(app)
    csrf = csrf_of(visitor.get(path).text)
    visitor.post(path + "/consent", data={"csrf": csrf})
    shown = visitor.post(path + "/password", data={"csrf": csrf})
    password = re.search(r'data-testid="password">([^<]+)<', shown.text)
    assert password
    link = links.find_by_token(sqlite_db, token)
    assert link is not None
    with sqlite_db.begin() as conn:  # the Web Connector authenticated: the link is used
        activity.note_authenticated(conn, link.connection_id, datetime.now(UTC))
    used = visitor.post(path + "/password", data={"csrf": csrf})
    assert used.status_code == 410 and "already used" in used.text
    assert visitor.get(path + "/qwc").status_code == 410
    row = verify_connection_password(
        sqlite_db, _username(sqlite_db, link.connection_id), password.group(1)
    )
    assert row is not None, "the refused request changed the password"
    assert 'data-testid="pause"' in visitor.get(path).text  # still manages the connection
    links.revoke_link(sqlite_db, link.id)
    revoked = visitor.get(path)
    assert revoked.status_code == 410 and "cancelled" in revoked.text
    _, old_token = links.create_link(
        sqlite_db,
        company_id=link.company_id,
        connection_id=link.connection_id,
        kind=links.LinkKind.SETUP,
        valid_for=timedelta(days=1),
        now=datetime.now(UTC) - timedelta(days=2),
    )
    expired = visitor.get(f"/link/{old_token}")
    assert expired.status_code == 410 and "expired" in expired.text
    assert visitor.get("/link/not-a-real-token").status_code == 404


def _username(db: Database, connection_id: str) -> str:
    from connector.store.connections import get_connection

    return get_connection(db, connection_id).username


def test_one_links_session_does_not_work_on_another_companys_link(
    app: FastAPI, sqlite_db: Database
) -> None:
    admin = PageClient(app)
    first = _link(admin, "First Co")
    second = _link(admin, "Second Co")
    visitor = PageClient(app)
    csrf = csrf_of(visitor.get(first).text)
    answer = visitor.post(second + "/consent", data={"csrf": csrf})
    assert answer.status_code == 403
    assert 'data-testid="consent-agree"' in PageClient(app).get(second).text  # no consent recorded


def test_withdrawing_consent_with_deletion_removes_the_records(
    app: FastAPI, sqlite_db: Database
) -> None:
    path = _link(PageClient(app))
    visitor = PageClient(app)
    csrf = csrf_of(visitor.get(path).text)
    visitor.post(path + "/consent", data={"csrf": csrf})
    link = links.find_by_token(sqlite_db, path.rsplit("/", 1)[1])
    assert link is not None
    _store_a_record(sqlite_db, link.company_id)
    assert count_records_of(sqlite_db, link.company_id) == 1
    done = visitor.post(path + "/withdraw", data={"csrf": csrf, "delete_records": "1"})
    assert done.status_code == 200 and "deleted (1 records)" in done.text
    assert count_records_of(sqlite_db, link.company_id) == 0
    admin = PageClient(app)
    consents = admin.api("GET", f"/companies/{link.company_id}/consents").json()["data"]
    assert consents[0]["withdrawnAt"] and consents[0]["recordsDeletedAt"]


def test_the_business_pauses_and_resumes_from_its_link(app: FastAPI, sqlite_db: Database) -> None:
    path = _link(PageClient(app))
    visitor = PageClient(app)
    csrf = csrf_of(visitor.get(path).text)
    visitor.post(path + "/consent", data={"csrf": csrf})
    link = links.find_by_token(sqlite_db, path.rsplit("/", 1)[1])
    assert link is not None and link.connection_id is not None
    for action, paused in (("pause", True), ("resume", False)):
        answer = visitor.post(path + "/" + action, data={"csrf": csrf})
        assert answer.status_code in (200, 303), answer.text
        assert get_connection(sqlite_db, link.connection_id).paused is paused
    forged = visitor.post(path + "/pause", data={"csrf": "not-the-token"})
    assert forged.status_code == 403
    assert get_connection(sqlite_db, link.connection_id).paused is False


def test_the_portal_buttons_sync_now_and_revoke_a_link(app: FastAPI, sqlite_db: Database) -> None:
    admin = PageClient(app)
    path = _link(admin)
    csrf = login(admin)
    link = links.find_by_token(sqlite_db, path.rsplit("/", 1)[1])
    assert link is not None
    company = f"/portal/companies/{link.company_id}"
    queued = admin.post(company + "/sync", data={"csrf": csrf})
    assert queued.status_code == 303 and queued.headers["location"] == company
    with sqlite_db.begin(write=False) as conn:
        assert sync_requests.has_queued(conn, link.company_id)
    revoked = admin.post(f"/portal/links/{link.id}/revoke", data={"csrf": csrf})
    assert revoked.status_code == 303 and revoked.headers["location"] == company
    assert links.find_by_token(sqlite_db, path.rsplit("/", 1)[1]).revoked_at is not None  # type: ignore[union-attr]
    for missing in ("/portal/companies/nope/sync", "/portal/links/nope/revoke"):
        assert admin.post(missing, data={"csrf": csrf}).status_code == 404
    assert admin.post(company + "/sync", data={"csrf": "forged"}).status_code == 403


def count_records_of(db: Database, company_id: str) -> int:
    with db.begin(write=False) as conn:
        return sum(count_records(conn, company_id).values())


def _store_a_record(db: Database, company_id: str) -> None:
    from connector.store.tables_sync import records

    now = datetime.now(UTC)
    with db.begin() as conn:
        conn.execute(
            records.insert().values(
                company_id=company_id,
                data_type="customers",
                qb_id="80000001-1",
                ret="CustomerRet",
                data="{}",
                normalised="{}",
                created_at=now,
                updated_at=now,
            )
        )
