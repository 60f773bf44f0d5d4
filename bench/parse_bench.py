"""Benchmark: qbXML response parsing (connector.qbxml.parse.iter_events) vs raw lxml.

Prints, for a generated CustomerQueryRs and InvoiceQueryRs of --records records:
- throughput of iter_events (MB/s, records/s) and of raw ``lxml.etree.iterparse`` over the
  same bytes in the same run (end events, clearing each record: the minimal streaming loop),
  and the ratio (target: iter_events at least 40% of raw lxml's speed); also raw iterparse
  reading each record into untyped dicts of text, the least any value-producing parser does.
  Times are CPU time
  (``process_time``), best of --repeat interleaved runs, so a busy machine skews them less;
- peak RSS of a child process parsing --memory-records responses streamed from a generator
  (the input is never held in memory), to show memory stays flat as the record count grows.

Usage: python bench/parse_bench.py [--records N] [--repeat R] [--memory-records 10000,200000]
                                  [--memory-kind Account|Customer|Invoice]
Default run is short (well under a minute); raise the numbers for bigger runs.
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lxml import etree

from connector.qbxml.parse import iter_events

HEAD = (
    '<?xml version="1.0" ?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRs>'
    '<{kind}QueryRs requestID="1" statusCode="0" statusSeverity="Info" statusMessage="Status OK"'
    ' iteratorRemainingCount="0" iteratorID="{{eb05f701-e727-472f-8ade-6753c4f67a46}}">'
)
TAIL = "</{kind}QueryRs></QBXMLMsgsRs></QBXML>"


def customer(i: int) -> str:
    return (
        f"<CustomerRet><ListID>{i:X}-1232697602</ListID>"
        "<TimeCreated>2009-01-23T03:00:02-05:00</TimeCreated>"
        "<TimeModified>2009-03-08T02:30:02-04:00</TimeModified>"
        f"<EditSequence>1232697602</EditSequence><Name>Customer {i}</Name>"
        f"<FullName>Customer {i}</FullName><IsActive>true</IsActive><Sublevel>0</Sublevel>"
        f"<CompanyName>Company {i}</CompanyName><FirstName>Ann</FirstName><LastName>Lee</LastName>"
        f"<BillAddress><Addr1>{i} Main St</Addr1><City>Springfield</City><State>IL</State>"
        "<PostalCode>62701</PostalCode></BillAddress>"
        "<Phone>555-0100</Phone><Email>ann@example.com</Email>"
        "<TermsRef><ListID>80000003-1280748245</ListID><FullName>Net 30</FullName></TermsRef>"
        f"<Balance>{i}.25</Balance><TotalBalance>{i}.25</TotalBalance>"
        "<JobStatus>None</JobStatus></CustomerRet>"
    )


def invoice(i: int) -> str:
    lines = "".join(
        f"<InvoiceLineRet><TxnLineID>{i:X}-{n}</TxnLineID><ItemRef><ListID>8000000A-12</ListID>"
        f"<FullName>Item {n}</FullName></ItemRef><Desc>Line {n}</Desc><Quantity>{n + 1}</Quantity>"
        f"<Rate>12.5</Rate><Amount>{12.5 * (n + 1):.2f}</Amount></InvoiceLineRet>"
        for n in range(3)
    )
    return (
        f"<InvoiceRet><TxnID>{i:X}-1285640333</TxnID>"
        "<TimeCreated>2010-09-27T22:18:53-05:00</TimeCreated>"
        "<TimeModified>2010-09-27T22:19:52-05:00</TimeModified>"
        f"<EditSequence>1285640392</EditSequence><TxnNumber>{i}</TxnNumber>"
        "<CustomerRef><ListID>80000006-1282647976</ListID><FullName>Ann Lee</FullName></CustomerRef>"
        f"<TxnDate>2010-09-27</TxnDate><RefNumber>{i}</RefNumber>"
        "<DueDate>2010-10-27</DueDate><Subtotal>75.00</Subtotal><SalesTaxPercentage>0.00"
        "</SalesTaxPercentage><SalesTaxTotal>0.00</SalesTaxTotal><AppliedAmount>0.00</AppliedAmount>"
        "<BalanceRemaining>75.00</BalanceRemaining><IsPaid>false</IsPaid>"
        f"{lines}</InvoiceRet>"
    )


def account(i: int) -> str:
    """A small record, so the 200k-record memory run stays short."""
    return (
        f"<AccountRet><ListID>{i:X}-1209525941</ListID><Name>Account {i}</Name>"
        f"<IsActive>true</IsActive><Balance>{i}.02</Balance></AccountRet>"
    )


RECORDS: dict[str, Callable[[int], str]] = {
    "Customer": customer,
    "Invoice": invoice,
    "Account": account,
}


def chunks(kind: str, count: int) -> Iterator[bytes]:
    yield HEAD.format(kind=kind).encode()
    make = RECORDS[kind]
    for start in range(0, count, 500):
        yield "".join(make(i) for i in range(start, min(count, start + 500))).encode()
    yield TAIL.format(kind=kind).encode()


class GeneratorFile(io.RawIOBase):
    """A read-only binary file over a generator of byte chunks (nothing held in memory)."""

    def __init__(self, parts: Iterator[bytes]) -> None:
        self._parts = parts
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            part = next(self._parts, None)
            if part is None:
                break
            self._buffer += part
        size = len(self._buffer) if size < 0 else size
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def raw_lxml(data: bytes, ret: str) -> int:
    count = 0
    for _event, elem in etree.iterparse(io.BytesIO(data), events=("end",)):
        if elem.tag == ret:
            count += 1
            elem.clear()
            while elem.getprevious() is not None:
                del elem.getparent()[0]  # type: ignore[union-attr]
    return count


def raw_lxml_dicts(data: bytes, ret: str) -> int:
    """Raw iterparse that also reads every record into nested dicts of text (untyped): the
    least a parser handing out values must do."""
    count = 0
    for _event, elem in etree.iterparse(io.BytesIO(data), events=("end",)):
        if elem.tag == ret:
            count += 1
            _text_dict(elem)
            elem.clear()
            while elem.getprevious() is not None:
                del elem.getparent()[0]  # type: ignore[union-attr]
    return count


def _text_dict(elem: etree._Element) -> dict[str, object]:
    return {str(c.tag): _text_dict(c) if len(c) else c.text for c in elem}


def ours(data: bytes, ret: str) -> int:
    return sum(1 for event in iter_events(data, max_bytes=len(data) + 1) if hasattr(event, "ret"))


RUNS = (
    ("raw lxml iterparse", raw_lxml),
    ("raw lxml + text dicts", raw_lxml_dicts),
    ("iter_events", ours),
)


def throughput(kind: str, records: int, repeat: int) -> None:
    data = b"".join(chunks(kind, records))
    ret = f"{kind}Ret"
    best: dict[str, float] = {}
    for _ in range(repeat):  # interleaved, best of N, CPU time: the machine may be shared
        for name, run in RUNS:
            started = time.process_time()
            assert run(data, ret) == records
            best[name] = min(best.get(name, float("inf")), time.process_time() - started)
    mb = len(data) / 1e6
    print(f"{kind}QueryRs: {records} records, {mb:.1f} MB")
    for name, seconds in best.items():
        print(f"  {name:22s} {mb / seconds:7.1f} MB/s {records / seconds:10.0f} records/s")
    ratio = best["raw lxml iterparse"] / best["iter_events"]
    untyped = best["raw lxml + text dicts"] / best["iter_events"]
    print(f"  iter_events speed = {ratio:.0%} of raw lxml (target >= 40%)")
    print(f"  iter_events speed = {untyped:.0%} of raw lxml reading records into untyped dicts")


def memory_child(kind: str, records: int) -> None:
    sum(1 for _ in iter_events(GeneratorFile(chunks(kind, 10))))  # warm up: tables loaded
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    source = GeneratorFile(chunks(kind, records))
    count = sum(1 for e in iter_events(source, max_bytes=1 << 40) if hasattr(e, "ret"))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(count, before, after)


def memory(kind: str, counts: list[int]) -> None:
    for count in counts:
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", kind, str(count)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        parsed, before, after = (int(x) for x in out)
        assert parsed == count
        print(
            f"  {kind}QueryRs {count:>7} records streamed: peak RSS {after / 1024:6.1f} MiB "
            f"(+{(after - before) / 1024:.1f} MiB over the process before parsing)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory-records", default="10000,200000")
    parser.add_argument("--memory-kind", default="Account", choices=sorted(RECORDS))
    parser.add_argument("--memory-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child[0], int(args.memory_child[1]))
        return
    for kind in ("Customer", "Invoice"):
        throughput(kind, args.records, args.repeat)
    print("peak memory (child process, input streamed from a generator):")
    memory(args.memory_kind, [int(n) for n in args.memory_records.split(",")])


if __name__ == "__main__":
    main()
