"""``qbd-emulator company``: generate a fake company file, or summarise one.

    qbd-emulator company generate --seed N --size S --out FILE [--json]
    qbd-emulator company show FILE [--json]

A progress bar (rich, on stderr) only when stderr is a terminal; quiet when piped. The
summary (records per data type) goes to stdout. Must not: hold generation logic.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from qbd_emulator.company import CompanyFile, load, save
from qbd_emulator.errors import CompanyFileError
from qbd_emulator.generate import generate, parse_size


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("company", help="generate or inspect a fake company file")
    commands = parser.add_subparsers(dest="company_command", metavar="ACTION", required=True)
    gen = commands.add_parser("generate", help="generate a company file from a seed")
    gen.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    gen.add_argument(
        "--size", default="small", help="tiny|small|medium|large or a number of records"
    )
    gen.add_argument("--out", required=True, help="file to write (gzip JSON lines)")
    gen.add_argument("--json", action="store_true", help="print the summary as JSON")
    gen.set_defaults(func=run_generate)
    show = commands.add_parser("show", help="print the record counts of a company file")
    show.add_argument("file")
    show.add_argument("--json", action="store_true", help="print the summary as JSON")
    show.set_defaults(func=run_show)


def run_generate(args: argparse.Namespace) -> int:
    try:
        total = parse_size(args.size)
    except ValueError as exc:
        print(f"qbd-emulator company generate: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with _progress(total) as advance:
        company = generate(args.seed, args.size, advance)
    if not saved(company, args.out, "company generate"):
        return 1
    seconds = time.perf_counter() - started
    _summary(company, args.json, {"file": args.out, "seed": args.seed, "seconds": seconds})
    return 0


def run_show(args: argparse.Namespace) -> int:
    company = loaded(args.file, "company show")
    if company is None:
        return 1
    _summary(company, args.json, {"file": args.file})
    return 0


def loaded(path: str, command: str) -> CompanyFile | None:
    """The company file at ``path``, or ``None`` after saying on stderr why it cannot be read
    (``command``: the words after ``qbd-emulator`` in the message)."""
    try:
        return load(path)
    except CompanyFileError as exc:
        print(f"qbd-emulator {command}: {exc}", file=sys.stderr)
        return None


def saved(company: CompanyFile, path: str, command: str) -> bool:
    """Whether ``company`` was written to ``path``; on failure, says why on stderr."""
    try:
        save(company, path)
    except OSError as exc:
        print(f"qbd-emulator {command}: cannot write {path}: {exc}", file=sys.stderr)
        return False
    return True


def _summary(company: CompanyFile, as_json: bool, extra: dict[str, Any]) -> None:
    try:
        _print_summary(company, as_json, extra)
    except BrokenPipeError:  # `... | head`: the reader left; Python's documented recipe
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _print_summary(company: CompanyFile, as_json: bool, extra: dict[str, Any]) -> None:
    counts = company.counts()
    total = sum(n for key, n in counts.items() if key != "sales_tax_items")
    info = {
        "company": company.company_info.get("CompanyName", ""),
        **extra,
        "records": total,
        "deleted": len(company.deleted),
        "counts": counts,
    }
    if as_json:
        print(json.dumps(info, default=str))
        return
    for key in ("company", *extra, "records", "deleted"):
        value = info[key]
        print(f"{key}: {value:.1f}" if isinstance(value, float) else f"{key}: {value}")
    width = max(len(key) for key in counts)
    for key, count in counts.items():
        print(f"  {key:<{width}}  {count:>8}")


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on stderr when it is a terminal, else nothing at all."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("generating", total=total)
        yield lambda n: bar.advance(task, n)
