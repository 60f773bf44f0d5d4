"""Settings: read once from ``QBD_*`` variables, flags override, bad values are clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.settings import DEFAULT_OWNER_ID, Settings, SettingsError


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.database_url == f"sqlite:///{tmp_path / 'qbd-connector.db'}"
    assert (settings.host, settings.port, settings.public_url) == (
        "127.0.0.1",
        8080,
        "http://localhost:8080",
    )
    assert settings.owner_id == DEFAULT_OWNER_ID and settings.app_name == "qbd-connector"
    assert settings.bootstrap_api_key is None and not settings.ssl_enabled


def test_environment_then_overrides() -> None:
    env = {
        "QBD_DATABASE_URL": "postgresql://db/x",
        "QBD_PORT": "9000",
        "QBD_API_KEY": "k",
        "QBD_TICKET_TTL_SECONDS": "60",
        "QBD_LOCKOUT_BASE_DELAY_SECONDS": "0.25",
        "QBD_PUBLIC_URL": "https://qbd.example.com/",
        "QBD_APPLY_WORKERS": "0",
        "QBD_SYNC_PAGE_SIZE": "50",
    }
    settings = Settings.from_env(env, port=9100, host=None)
    assert settings.database_url == "postgresql://db/x"
    assert (settings.port, settings.host) == (9100, "127.0.0.1")
    assert settings.bootstrap_api_key == "k" and settings.ticket_ttl_seconds == 60
    assert settings.lockout_base_delay_seconds == 0.25
    assert settings.public_url == "https://qbd.example.com"
    assert settings.apply_workers == 0 and settings.sync_page_size == 50


def test_ssl_makes_the_default_public_url_https() -> None:
    settings = Settings.from_env({}, port=8443, ssl_certfile="c.pem", ssl_keyfile="k.pem")
    assert settings.public_url == "https://localhost:8443" and settings.ssl_enabled


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param(
            {"QBD_PORT": "eighty"}, "QBD_PORT='eighty' is not a valid int", id="port-text"
        ),
        pytest.param({"QBD_PORT": "-1"}, "outside 0-65535", id="port-range"),
        pytest.param({"QBD_SSL_KEYFILE": "k.pem"}, "both an SSL", id="key-only"),
        pytest.param({"QBD_PUBLIC_URL": "localhost:8080"}, "public URL", id="no-scheme"),
        pytest.param({"QBD_MIN_QBWC_VERSION": "two"}, "N.N.N.N", id="version"),
        pytest.param({"QBD_OWNER_ID": "not-a-guid"}, "braced GUID", id="owner-id"),
        pytest.param({"QBD_TICKET_TTL_SECONDS": "0"}, "must be positive", id="ttl"),
        pytest.param({"QBD_APPLY_WORKERS": "-1"}, "outside 0-64", id="apply-workers"),
        pytest.param({"QBD_SYNC_PAGE_SIZE": "0"}, "outside 1-10000", id="page-size"),
    ],
)
def test_bad_values_are_clear_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")):
        Settings.from_env(env)


def test_unknown_overrides_are_refused() -> None:
    with pytest.raises(TypeError, match="colour"):
        Settings.from_env({}, colour="blue")
