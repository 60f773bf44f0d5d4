"""The ``qbd-emulator`` command line: one argparse tree, one module per command group.

Each command module exposes ``register(subparsers)`` and sets ``func`` on its parsers.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from connector.cli import build_command_parser

COMMAND_MODULES = (
    "qbd_emulator.commands.qbxml_cmd",
    "qbd_emulator.commands.company_cmd",
    "qbd_emulator.commands.webconnector_cmd",
    "qbd_emulator.commands.serve_cmd",
    "qbd_emulator.commands.mutate_cmd",
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
