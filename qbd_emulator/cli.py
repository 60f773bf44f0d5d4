"""The ``qbd-emulator`` command line: one argparse tree, one module per command group.

Each command module exposes ``register(subparsers)`` and sets ``func`` on its parsers.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from connector.cli import CommandModule, build_command_parser
from qbd_emulator.commands import (
    company_cmd,
    mutate_cmd,
    qbxml_cmd,
    scenarios_cmd,
    serve_cmd,
    webconnector_cmd,
)

# In --help order, imported by name so a missing one fails loudly (issue 9 item 5).
COMMAND_MODULES: tuple[CommandModule, ...] = (
    qbxml_cmd,
    company_cmd,
    webconnector_cmd,
    mutate_cmd,
    serve_cmd,
    scenarios_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    return build_command_parser(
        "qbd-emulator", "A fake QuickBooks Desktop and Web Connector.", COMMAND_MODULES
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
