"""``qbd-emulator serve [--host H] [--port P]``: the emulator server (``qbd_emulator.server``).

Binds the socket itself so that ``--port 0`` works: the first line on stdout is
``qbd-emulator serve: listening on http://HOST:PORT`` with the port actually bound (tests and
scripts read it). Serves until Ctrl-C or SIGTERM. Exit codes: 0 stopped, 2 address unusable.
Must not: hold routes (``server.app``).
"""

from __future__ import annotations

import argparse
import socket
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the emulator server: fake companies and Web Connector runs over HTTP",
        description="An HTTP API (OpenAPI at /openapi.json) holding fake QuickBooks companies "
        "and running Web Connector updates against a service.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8090, help="port (0: any free one)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from qbd_emulator.server.app import create_app

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        sock.close()
        print(
            f"qbd-emulator serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr
        )
        return 2
    sock.listen(2048)  # connections queue until uvicorn serves: the printed URL works at once
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if family == socket.AF_INET6 else args.host
    print(f"qbd-emulator serve: listening on http://{host}:{port}", flush=True)
    config = uvicorn.Config(create_app(), log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
    return 0
