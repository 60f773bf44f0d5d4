"""The service's settings: one frozen ``Settings`` read once at start-up and passed down.

Owns: every tunable of the service, its ``QBD_*`` environment variable and its default.
Must not: be read at import time anywhere (call ``Settings.from_env()`` in the shell: the CLI
or a test) or do I/O beyond reading the environment mapping it is given.

Environment: ``QBD_<FIELD>`` for each field (``QBD_DATABASE_URL``, ``QBD_PORT``,
``QBD_PUBLIC_URL``, ...), except ``bootstrap_api_key`` which is ``QBD_API_KEY`` (DESIGN.md).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from connector.store.db import default_database_url

DEFAULT_OWNER_ID = "{9A8A4DFA-9D97-4AAF-A36D-5923707DF5B6}"
"""The QWC OwnerID: one GUID per application, never per connection or version (PROTOCOL.md
1.6: it keys our private DataExt, e.g. the FileID, in every company file)."""

APP_NAME = "qbd-connector"


class SettingsError(ValueError):
    """A setting has a value the service cannot run with."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""
    """Base URL in QWC AppURL/AppSupport and API links; default ``http(s)://localhost:<port>``."""
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    app_name: str = APP_NAME
    owner_id: str = DEFAULT_OWNER_ID
    min_qbwc_version: str = "2.1.0.30"
    """clientVersion below this gets ``O:<version>``. Uncertain: 2.1.0.30 is the oldest version
    PROTOCOL.md 1.2 quotes from real logs, not an Intuit-documented floor."""
    ticket_ttl_seconds: int = 1800
    """A QBWC ticket expires this long after its last call."""
    qbwc_lease_seconds: int = 120
    """How long one Web Connector call may hold its session while the sync engine works; a
    lease of a service process known to be gone (killed, on this machine) is taken over at
    once, one of another machine when it runs out."""
    qbwc_idle_seconds: int = 120
    """A session waiting for the Web Connector's next request, silent this long, is taken
    over by a new authenticate of its connection (before: ``busy``). A session whose service
    process is gone is taken over at once: the Web Connector's calls to it failed."""
    qbwc_start_idle_seconds: int = 600
    """The same for a session that has authenticated but not yet sent its first request (the
    Web Connector may spend minutes opening QuickBooks first)."""
    lockout_threshold: int = 5
    """Wrong passwords for one username (within ``lockout_seconds``) before it locks."""
    lockout_seconds: int = 900
    lockout_base_delay_seconds: float = 0.5
    """Slow-down before the lock: this delay, doubled per further failure."""
    soap_max_body_bytes: int = 64 * 1024 * 1024
    """Largest SOAP request accepted (a receiveResponseXML with a big page of records)."""
    soap_max_call_body_bytes: int = 1024 * 1024
    """Largest SOAP request of every other call (and until the operation is known): they
    carry a few kilobytes at most, and anyone can send them (issue 18 item 1)."""
    api_max_body_bytes: int = 1024 * 1024
    """Largest REST request body (a pushed record is a few kilobytes; issue 18 item 6)."""
    default_every_minutes: int = 60
    sync_page_size: int = 250
    """MaxReturned of iterated queries: records per page QuickBooks returns (1-10000). A
    smaller page keeps each answer well inside the Web Connector's timeouts on a slow PC."""
    apply_workers: int = 1
    """Worker processes that parse and store the pages the Web Connector delivers, beside
    the service process (0: a thread of the service process, sharing its one core)."""
    agent_download_url: str = ""
    """Where the link flow's "download the connector" points (the packaged agent's release);
    empty: a page saying the installer is not available yet."""
    bootstrap_api_key: str | None = None
    """``QBD_API_KEY``: an API key accepted besides the stored ones (first-run convenience)."""
    webhook_allow_private: bool = False
    """``QBD_WEBHOOK_ALLOW_PRIVATE=1``: webhooks may target loopback and private addresses
    (tests, local development); otherwise such a URL is refused (issue 19)."""
    webhook_workers: int = 1
    """Threads of ``serve`` that deliver webhooks (0: this instance delivers none)."""
    webhook_poll_seconds: float = 0.25
    """How often an idle delivery worker looks for due deliveries (one indexed query; the
    figure bounds a new event's delivery latency: bench/webhook_bench.py)."""

    def __post_init__(self) -> None:
        if not self.public_url:
            scheme = "https" if self.ssl_certfile else "http"
            object.__setattr__(self, "public_url", f"{scheme}://localhost:{self.port}")
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))
        _validate(self)

    @property
    def ssl_enabled(self) -> bool:
        return self.ssl_certfile is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``QBD_*`` variables; keyword overrides (e.g. command-line flags) win,
        except those that are ``None`` (a flag not given)."""
        env = os.environ if environ is None else environ
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(overrides) - names
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        values: dict[str, Any] = {"database_url": default_database_url(env)}
        for name in names:
            raw = env.get(_env_name(name), "").strip()
            if raw:
                values[name] = _parse(name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _env_name(field_name: str) -> str:
    return "QBD_API_KEY" if field_name == "bootstrap_api_key" else f"QBD_{field_name.upper()}"


_INT_FIELDS = {
    "port",
    "ticket_ttl_seconds",
    "qbwc_lease_seconds",
    "qbwc_idle_seconds",
    "qbwc_start_idle_seconds",
    "lockout_threshold",
    "lockout_seconds",
    "soap_max_body_bytes",
    "soap_max_call_body_bytes",
    "api_max_body_bytes",
    "default_every_minutes",
    "apply_workers",
    "sync_page_size",
    "webhook_workers",
}
_FLOAT_FIELDS = {"lockout_base_delay_seconds", "webhook_poll_seconds"}
_BOOL_FIELDS = {"webhook_allow_private"}


def _parse_bool(raw: str) -> bool:
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


def _parse(name: str, raw: str) -> Any:
    parser: Callable[[str], Any] = (
        int
        if name in _INT_FIELDS
        else float
        if name in _FLOAT_FIELDS
        else _parse_bool
        if name in _BOOL_FIELDS
        else str
    )
    try:
        return parser(raw)
    except ValueError:
        raise SettingsError(f"{_env_name(name)}={raw!r} is not a valid {parser.__name__}") from None


def _validate(s: Settings) -> None:
    if not 0 <= s.port <= 65535:
        raise SettingsError(f"port {s.port} is outside 0-65535")
    if (s.ssl_certfile is None) != (s.ssl_keyfile is None):
        raise SettingsError("give both an SSL certificate file and a key file, or neither")
    parts = urlsplit(s.public_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"public URL {s.public_url!r} must be an http(s) URL with a host")
    if not re.fullmatch(r"\d+(\.\d+){0,3}", s.min_qbwc_version):
        raise SettingsError(f"minimum Web Connector version {s.min_qbwc_version!r} is not N.N.N.N")
    if not re.fullmatch(r"\{[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\}", s.owner_id):
        raise SettingsError(f"owner id {s.owner_id!r} is not a braced GUID")
    if not 0 <= s.apply_workers <= 64:
        raise SettingsError(f"apply_workers {s.apply_workers} is outside 0-64")
    if not 1 <= s.sync_page_size <= 10_000:
        raise SettingsError(f"sync_page_size {s.sync_page_size} is outside 1-10000")
    if not 0 <= s.webhook_workers <= 16:
        raise SettingsError(f"webhook_workers {s.webhook_workers} is outside 0-16")
    if s.webhook_poll_seconds <= 0:
        raise SettingsError("webhook_poll_seconds must be positive")
    for name in _INT_FIELDS - {"port", "apply_workers", "webhook_workers"}:
        if getattr(s, name) <= 0:
            raise SettingsError(f"{name} must be positive")
    if s.lockout_base_delay_seconds < 0:
        raise SettingsError("lockout_base_delay_seconds must not be negative")
