"""The connector's whole app served in this process, for the emulator and the tests.

Owns: ``serve_app``, the app (``connector.api.app.create_app``) under uvicorn in a thread on
http://localhost:PORT, on a socket bound once to a free port (no window for another process
to take the port between choosing and binding it), until the block ends. Used by the
scenario matrix and by the end-to-end tests' harness. Must not: start processes
(``qbd_emulator.child_service`` runs ``qbd-connector serve`` as a child).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from connector.settings import Settings
from connector.store.db import Database

__all__ = ["serve_app"]


@contextmanager
def serve_app(database: Database, **overrides: Any) -> Iterator[Settings]:
    """The app over ``database`` on loopback; ``overrides`` are ``Settings`` fields (the
    lockout's base delay is 0 unless given: tests and scenarios log in at once)."""
    import uvicorn

    from connector.api.app import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    options: dict[str, Any] = {"lockout_base_delay_seconds": 0.0, **overrides}
    settings = Settings(database_url="unused", port=sock.getsockname()[1], **options)
    config = uvicorn.Config(
        create_app(settings, database=database), log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            sock.close()
            raise RuntimeError("the connector's app did not start")
        time.sleep(0.02)
    try:
        yield settings
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
