"""The ``qbd-connector`` command line: one argparse tree, one module per command group.

Each command module exposes ``register(subparsers)`` and sets ``func`` on its parsers; the
function takes the parsed namespace and returns the process exit code. Must not: hold
business logic (commands call into the packages).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, Protocol


class CommandModule(Protocol):
    """A command group: a module with ``register(subparsers)``."""

    def register(self, subparsers: Any) -> None: ...


def fail(command: str, message: object, code: int = 2) -> int:
    """Say ``qbd-connector <command>: <message>`` on stderr and give ``code`` back as the exit
    status (2: the user's mistake; 1: the command ran and did not succeed)."""
    print(f"qbd-connector {command}: {message}", file=sys.stderr)
    return code


def command_group(subparsers: Any, name: str, help_: str, description: str | None = None) -> Any:
    """The command group ``name`` (``qbd-connector NAME COMMAND ...``) and the sub-parsers its
    commands are added to; the command given is ``args.<name>_command``."""
    group = subparsers.add_parser(name, help=help_, description=description)
    return group.add_subparsers(dest=f"{name}_command", metavar="COMMAND", required=True)


def command_modules() -> tuple[CommandModule, ...]:
    """The command modules, in the order their groups appear in --help. Imported by name (a
    missing one fails here, issue 9 item 5), when the parser is built rather than when the
    package is: ``qbd-emulator`` imports ``build_command_parser`` from this package."""
    from connector.cli import (
        admin_cmd,
        agent_cmd,
        company_cmd,
        connection_cmd,
        demo_cmd,
        export_cmd,
        qbxml_cmd,
        serve_cmd,
        sync_cmd,
    )

    return (
        serve_cmd,
        demo_cmd,
        admin_cmd,
        company_cmd,
        connection_cmd,
        sync_cmd,
        export_cmd,
        qbxml_cmd,
        agent_cmd,
    )


def build_command_parser(
    prog: str, description: str, modules: Sequence[CommandModule]
) -> argparse.ArgumentParser:
    """An argparse tree with one sub-command group per module of ``modules``, in order.
    ``qbd-emulator`` builds its tree with this too."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in modules:
        module.register(subparsers)
    return parser


def build_parser() -> argparse.ArgumentParser:
    return build_command_parser(
        "qbd-connector",
        "QuickBooks Desktop connector: Web Connector service, sync, REST API.",
        command_modules(),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
