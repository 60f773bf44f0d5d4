"""The ``qbd-connector`` command line: one argparse tree, one module per command group.

Each command module exposes ``register(subparsers)`` and sets ``func`` on its parsers; the
function takes the parsed namespace and returns the process exit code. Must not: hold
business logic (commands call into the packages).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Command modules, in the order their groups appear in --help.
COMMAND_MODULES = (
    "connector.cli.serve_cmd",
    "connector.cli.demo_cmd",
    "connector.cli.admin_cmd",
    "connector.cli.company_cmd",
    "connector.cli.sync_cmd",
    "connector.cli.export_cmd",
    "connector.cli.qbxml_cmd",
    "connector.cli.agent_cmd",
)


def build_command_parser(
    prog: str, description: str, modules: Sequence[str]
) -> argparse.ArgumentParser:
    """An argparse tree with one sub-command group per module of ``modules``.

    A module that does not exist (a command group not built yet) is skipped; any other
    import error propagates. ``qbd-emulator`` builds its tree with this too.
    """
    parser = argparse.ArgumentParser(prog=prog, description=description)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def build_parser() -> argparse.ArgumentParser:
    return build_command_parser(
        "qbd-connector",
        "QuickBooks Desktop connector: Web Connector service, sync, REST API.",
        COMMAND_MODULES,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
