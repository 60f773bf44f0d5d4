"""``qbd-connector qbxml parse [FILE]``: a qbXML response as JSON lines.

The support engineer's tool for reading what a customer's QuickBooks sent. Output, streamed
as the response is read (so a large response prints as it goes, in flat memory):
- a ``messageSet`` line when ``QBXMLMsgsRs`` carries error-recovery attributes;
- one ``response`` line per ``*Rs``: name, requestID, status code/severity/message, its class
  from the status table, iterator fields, retCount;
- one ``record`` line per ``*Ret`` with its values (Decimals as strings, dates ISO 8601 with
  the offset QuickBooks sent).
A captured Web Connector SOAP call is read too: the qbXML escaped inside
receiveResponseXML's ``response`` or sendRequestXML's ``strHCPResponse`` (PROTOCOL.md 1.2) is
unwrapped first (such an envelope is read whole, within --max-bytes; anything else streams).
A document that cannot be read: the lines read so far stay printed, the reason goes to
stderr, exit status 2 (never a traceback). Must not: hold parsing logic (``connector.qbxml``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any, BinaryIO, TextIO

from connector.cli import command_group, fail
from connector.qbxml.errors import QbxmlError, QbxmlResponseError
from connector.qbxml.parse import iter_events
from connector.qbxml.safexml import DEFAULT_MAX_BYTES, XmlSource, parse_document
from connector.qbxml.schema import SUPPORTED_VERSIONS
from connector.qbxml.status import classify_status
from connector.qbxml.values import Event, MessageSet, Record, ResponseStart

EXAMPLE = """\
example:
  qbd-connector qbxml parse response.xml
  {"kind": "response", "name": "CustomerQueryRs", "requestID": "1", "statusCode": 1, ...}
  {"kind": "record", "type": "CustomerRet", "requestID": "1", "data": {"ListID": ...}}
exit status: 0 read, 2 the input is not a readable qbXML response (reason on stderr)
"""


def register(subparsers: Any) -> None:
    commands = command_group(subparsers, "qbxml", "read qbXML documents", "Read qbXML documents.")
    parse = commands.add_parser(
        "parse",
        help="print a qbXML response as JSON lines",
        description=(
            "Print a qbXML response (or a strHCPResponse) as JSON lines: one line per *Rs\n"
            "with its requestID, status and iterator fields, then one line per record.\n"
            "A captured receiveResponseXML/sendRequestXML SOAP call is unwrapped first."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parse.add_argument("file", nargs="?", metavar="FILE", help="the response (default: stdin)")
    parse.add_argument(
        "--qbxml-version",
        choices=SUPPORTED_VERSIONS,
        metavar="X.Y",
        help="type values with this qbXML version's schema, one of "
        f"{', '.join(SUPPORTED_VERSIONS)} (default: the document's <?qbxml version?>, else 16.0)",
    )
    parse.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"refuse inputs larger than N bytes (default {DEFAULT_MAX_BYTES})",
    )
    parse.set_defaults(func=run_parse)


def run_parse(args: argparse.Namespace) -> int:
    label = args.file or "stdin"
    try:
        if args.file is None:
            return _print_events(sys.stdin.buffer, args, sys.stdout)
        with open(args.file, "rb") as source:
            return _print_events(source, args, sys.stdout)
    except OSError as exc:
        return fail("qbxml parse", f"{label}: {exc.strerror or exc}")
    except QbxmlError as exc:
        return fail("qbxml parse", f"{label}: {exc}")
    except ValueError as exc:  # e.g. --max-bytes 0
        return fail("qbxml parse", exc)


def _print_events(source: BinaryIO, args: argparse.Namespace, out: TextIO) -> int:
    ascii_only = (getattr(out, "encoding", None) or "").lower().replace("-", "") != "utf8"
    qbxml = qbxml_source(source, args.max_bytes)
    for line in json_lines(
        iter_events(qbxml, max_bytes=args.max_bytes, version=args.qbxml_version)
    ):
        out.write(json.dumps(line, default=_json_default, ensure_ascii=ascii_only) + "\n")
    out.flush()
    return 0


_ENVELOPE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Envelope[\s>/]")
_PAYLOADS = ("response", "strHCPResponse")  # receiveResponseXML, sendRequestXML
_PEEK = 4096


def qbxml_source(source: BinaryIO, max_bytes: int) -> XmlSource:
    """What to parse: ``source`` itself (streamed), or the qbXML a captured SOAP call carries."""
    head = source.read(_PEEK)
    if not _ENVELOPE.search(head):
        return _Rejoined(head, source)
    whole = head + source.read(max(0, max_bytes + 1 - len(head)))  # the door refuses > max
    root = parse_document(whole, max_bytes=max_bytes)
    fields = {_local(e.tag): e.text or "" for e in root.iter() if isinstance(e.tag, str)}
    for name in _PAYLOADS:
        if fields.get(name, "").strip():
            return fields[name].strip()
    if fields.get("hresult", "").strip():  # ProcessRequest failed: no response (PROTOCOL.md 1.2)
        raise QbxmlResponseError(
            f"the Web Connector sent no response: hresult {fields['hresult'].strip()} "
            f"({fields.get('message', '').strip()})"
        )
    return whole  # qbXML embedded unescaped, or none (the parser says so)


class _Rejoined:
    """The peeked head, then the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def read(self, size: int = -1, /) -> bytes:
        if not self._head:
            return self._rest.read(size)
        if size < 0:
            out, self._head = self._head + self._rest.read(), b""
        else:
            out, self._head = self._head[:size], self._head[size:]
        return out


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def json_lines(events: Iterator[Event]) -> Iterator[dict[str, object]]:
    """The JSON objects printed for ``events`` (pure; the command writes them)."""
    for event in events:
        if isinstance(event, MessageSet):
            if event.new_message_set_id is not None or event.message_set_status is not None:
                status = event.message_set_status
                yield {
                    "kind": "messageSet",
                    "newMessageSetID": event.new_message_set_id,
                    "messageSetStatusCode": status.code if status else None,
                }
        elif isinstance(event, ResponseStart):
            yield _response_line(event)
        elif isinstance(event, Record):
            yield {
                "kind": "record",
                "type": event.ret,
                "requestID": event.request_id,
                "data": event.data,
            }


def _response_line(event: ResponseStart) -> dict[str, object]:
    status = event.status
    return {
        "kind": "response",
        "name": event.name,
        "requestID": event.request_id,
        "statusCode": status.code,
        "statusSeverity": status.severity,
        "statusMessage": status.message,
        "statusClass": classify_status(status.code, status.severity).value,
        "iteratorRemainingCount": event.iterator_remaining,
        "iteratorID": event.iterator_id,
        "retCount": event.ret_count,
    }


def _json_default(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):  # datetime too: isoformat keeps the offset as sent
        return value.isoformat()
    raise TypeError(f"cannot print {type(value).__name__} as JSON")
