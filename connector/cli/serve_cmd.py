"""``qbd-connector serve``: migrate the store, then serve the API and ``/qbwc`` with uvicorn.

Must not: hold service logic (``connector.api.app.create_app`` assembles everything).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from connector.cli import fail
from connector.cli.admin_cmd import open_database, settings_from_args
from connector.settings import Settings, SettingsError
from connector.store.platform import save_public_url


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="run the service: REST API under /api/v1 and the Web Connector endpoint /qbwc",
        description="Migrate the database, then serve the REST API and the QBWC SOAP endpoint.",
    )
    parser.add_argument("--host", help="interface to listen on (default 127.0.0.1, QBD_HOST)")
    parser.add_argument("--port", type=int, help="port (default 8080, QBD_PORT)")
    parser.add_argument(
        "--database-url", help="SQLAlchemy URL (default QBD_DATABASE_URL or ./qbd-connector.db)"
    )
    parser.add_argument(
        "--public-url",
        help="the base URL the Web Connector and browsers reach this service at, written in "
        "QWC files and links (QBD_PUBLIC_URL; default http(s)://localhost:PORT); recorded in "
        "the database so `connection create` points its QWC files there too",
    )
    parser.add_argument("--ssl-certfile", help="PEM certificate: serve HTTPS")
    parser.add_argument("--ssl-keyfile", help="PEM private key of --ssl-certfile")
    parser.add_argument("--log-level", default="info", help="uvicorn log level (default info)")
    parser.set_defaults(func=run)


def public_url_advice(settings: Settings) -> list[str]:
    """What to fix before a Web Connector on another machine can use the QWC files this
    service makes: they point at ``settings.public_url`` (issue 11 item 6)."""
    from connector.qbwc.qwc import check_app_url

    problems = check_app_url(settings.app_name, f"{settings.public_url}/qbwc")
    advice = [
        f"QWC files point at {settings.public_url}/qbwc, which the Web Connector refuses: {p}"
        for p in problems
    ]
    if advice:
        advice.append(
            "give --public-url https://HOST (QBD_PUBLIC_URL) with a host name the PC reaches "
            "and serve HTTPS (--ssl-certfile/--ssl-keyfile, or behind an HTTPS proxy)"
        )
    elif (
        settings.host not in ("127.0.0.1", "localhost", "::1")
        and "://localhost" in settings.public_url
    ):
        advice.append(
            f"listening on {settings.host}, but QWC files point at {settings.public_url}: a "
            "Web Connector on another PC cannot reach that; give --public-url https://HOST"
        )
    return advice


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from connector.api.app import create_app
    from connector.runtime import tune_process

    try:
        settings = settings_from_args(args)
        database = open_database(settings.database_url)
    except (SettingsError, ValueError) as exc:
        return fail("serve", exc)
    try:
        app = create_app(settings, database=database)
        tune_process()  # a long-running process: see connector.runtime
        save_public_url(database, settings.public_url)  # ``connection create`` points QWCs here
        for line in public_url_advice(settings):  # before the line scripts wait for
            print(f"qbd-connector serve: {line}", file=sys.stderr, flush=True)
        print(f"qbd-connector: serving {settings.public_url} (database {database.url})", flush=True)
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            ssl_certfile=settings.ssl_certfile,
            ssl_keyfile=settings.ssl_keyfile,
            log_level=args.log_level,
        )
    finally:
        database.dispose()
    return 0
