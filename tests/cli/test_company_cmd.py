"""``company create``, ``connection create`` and ``admin create-api-key``, run in process
through ``main([...])`` and once as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from connector.cli import main
from connector.qbwc.qwc import parse_qwc
from connector.store.api_keys import verify_api_key
from connector.store.connections import verify_connection_password
from connector.store.db import Database
from connector.store.tables_core import connections


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _company(capsys: pytest.CaptureFixture[str], url: str, name: str = "Acme Co") -> dict[str, str]:
    code, out, _ = _run(capsys, "company", "create", name, "--json", "--database-url", url)
    assert code == 0
    body: dict[str, str] = json.loads(out)
    return body


def test_company_create_prints_the_new_company(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    created = _company(capsys, url)
    assert created["name"] == "Acme Co" and len(created["id"]) == 36
    code, out, _ = _run(capsys, "company", "create", "Beta", "--database-url", url)
    assert code == 0 and out.startswith("company 'Beta' created: ")
    code, out, _ = _run(capsys, "company", "list", "--database-url", url)
    assert [line.split("  ", 1)[1] for line in out.splitlines()] == ["Acme Co", "Beta"]


def test_a_duplicate_company_is_exit_2(capsys: pytest.CaptureFixture[str], url: str) -> None:
    _company(capsys, url)
    code, out, err = _run(capsys, "company", "create", "Acme Co", "--database-url", url)
    assert (code, out) == (2, "") and "already exists" in err


@pytest.mark.parametrize("by", ["id", "name"])
def test_connection_create_prints_credentials_that_work_and_writes_the_qwc(
    capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path, by: str
) -> None:
    company = _company(capsys, url)
    qwc_file = tmp_path / "acme.qwc"
    code, out, _ = _run(
        capsys,
        "connection",
        "create",
        company[by],
        "--method",
        "desktop_app",
        "--qwc-out",
        str(qwc_file),
        "--json",
        "--database-url",
        url,
        "--public-url",
        "https://qbd.example.com",
    )
    assert code == 0
    made = json.loads(out)
    assert made["companyId"] == company["id"] and made["method"] == "desktop_app"
    database = Database.from_url(url)
    try:
        assert verify_connection_password(database, made["username"], made["password"])
    finally:
        database.dispose()
    qwc = parse_qwc(qwc_file.read_bytes())
    assert (qwc.user_name, qwc.file_id) == (made["username"], made["fileId"])
    assert qwc.app_url == "https://qbd.example.com/qbwc"
    assert_password_kept_only_as_a_hash(url, made["username"], made["password"], qwc_file)


def assert_password_kept_only_as_a_hash(url: str, username: str, password: str, qwc: Path) -> None:
    """The printed password is in neither the QWC file nor the database, only its argon2id."""
    assert password.encode() not in qwc.read_bytes()
    database = Database.from_url(url)
    try:
        with database.begin(write=False) as conn:
            stored = conn.execute(
                sa.select(connections.c.password_hash).where(connections.c.username == username)
            ).scalar_one()
    finally:
        database.dispose()
    assert stored.startswith("$argon2id$") and password not in stored
    db_file = Path(url.removeprefix("sqlite:///"))
    assert password.encode() not in db_file.read_bytes()


def test_connection_create_text_output(capsys: pytest.CaptureFixture[str], url: str) -> None:
    _company(capsys, url)
    code, out, err = _run(
        capsys, "connection", "create", "Acme Co", "--method", "rightworks", "--database-url", url
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith("  username: qbd-") and lines[2].startswith("  password: ")
    assert "shown once" in err


def test_unknown_company_is_exit_2(capsys: pytest.CaptureFixture[str], url: str) -> None:
    code, out, err = _run(
        capsys, "connection", "create", "Nobody", "--method", "desktop_app", "--database-url", url
    )
    assert (code, out) == (2, "")
    assert err.strip() == "qbd-connector connection: no company with id or name 'Nobody'"


def test_bad_method_is_exit_2(capsys: pytest.CaptureFixture[str], url: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["connection", "create", "Acme", "--method", "fax", "--database-url", url])
    assert exc.value.code == 2
    assert "invalid choice: 'fax'" in capsys.readouterr().err


def test_a_qwc_the_web_connector_would_refuse_leaves_no_connection(
    capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path
) -> None:
    _company(capsys, url)
    code, out, err = _run(
        capsys,
        "connection",
        "create",
        "Acme Co",
        "--method",
        "desktop_app",
        "--qwc-out",
        str(tmp_path / "x.qwc"),
        "--public-url",
        "http://10.0.0.5:8080",
        "--database-url",
        url,
    )
    assert (code, out) == (2, "") and "QBWC1001" in err
    assert not (tmp_path / "x.qwc").exists()
    database = Database.from_url(url)
    try:
        with database.begin() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM connections").scalar() == 0
    finally:
        database.dispose()


def test_bad_database_url_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "company", "create", "X", "--database-url", "mysql://x/y")
    assert code == 2 and "unsupported database" in err


def test_a_database_that_cannot_be_opened_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.db'}"
    code, out, err = _run(capsys, "company", "create", "X", "--database-url", url)
    assert (code, out) == (2, "")
    assert err.startswith("qbd-connector company: cannot open the database sqlite:///")
    assert "unable to open database file" in err


def test_admin_create_api_key_prints_a_working_key(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    code, out, err = _run(capsys, "admin", "create-api-key", "--name", "ci", "--database-url", url)
    assert code == 0 and "shown once" in err
    database = Database.from_url(url)
    try:
        row = verify_api_key(database, out.strip())
        assert row is not None and row.name == "ci"
    finally:
        database.dispose()


def test_the_real_command_uses_qbd_database_url(tmp_path: Path) -> None:
    env = {**os.environ, "QBD_DATABASE_URL": f"sqlite:///{tmp_path / 'env.db'}"}
    done = subprocess.run(
        [sys.executable, "-m", "connector", "company", "create", "Env Co", "--json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == "Env Co"
    assert (tmp_path / "env.db").exists() and not (tmp_path / "qbd-connector.db").exists()


def test_admin_key_commands_create_scoped_list_and_revoke(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    acme = _company(capsys, url, "Acme Co")
    code, out, _ = _run(
        capsys,
        "admin",
        "create-api-key",
        "--name",
        "acme-only",
        "--company",
        "Acme Co",
        "--json",
        "--database-url",
        url,
    )
    created = json.loads(out)
    assert code == 0 and created["scope"] == "companies" and created["companies"] == [acme["id"]]
    code, out, err = _run(
        capsys, "admin", "create-api-key", "--company", "Nope", "--database-url", url
    )
    assert (code, out) == (2, "") and "no company" in err
    code, out, _ = _run(capsys, "admin", "list-api-keys", "--json", "--database-url", url)
    listed = json.loads(out)
    assert code == 0 and [k["name"] for k in listed] == ["acme-only"]
    assert "key" not in listed[0] and created["key"] not in out and "hash" not in out
    code, out, _ = _run(capsys, "admin", "revoke-api-key", created["prefix"], "--database-url", url)
    assert code == 0 and "revoked" in out
    database = Database.from_url(url)
    try:
        assert verify_api_key(database, created["key"]) is None
    finally:
        database.dispose()
    code, out, _ = _run(capsys, "admin", "list-api-keys", "--database-url", url)
    assert code == 0 and "acme-only" in out and "revoked" in out
    code, _, err = _run(capsys, "admin", "revoke-api-key", "nothing", "--database-url", url)
    assert code == 2 and "no API key" in err
