"""Fake QuickBooks benchmark: page latency and mixed-read throughput of the qbXML processor.

    python bench/emulator_bench.py                  # small file, short run
    python bench/emulator_bench.py --size medium    # the figures of record (generation ~10-30 s)
    python bench/emulator_bench.py --size medium --pages 200 --requests 500 --page 100

Prints: generation time; latency (median, p95) and records/s of one iterator page (250
records by default, the sync engine's MaxReturned) for customers, invoices (with lines) and
items; requests per second for a mixed read workload (iterator pages, ListID/TxnID
look-ups, modified-date queries, HostQuery); then, for the same pages' records, the time
to write one ``*Rs`` as text (``render.answer_text``, what the fake answers with) against
building and serialising the lxml tree (``render.answer_element``, the reference it must
equal), in the same process, so the ratio holds on a busy machine. Everything else runs
through ``FakeQuickBooks.process_request`` (parse, validate, handle, encode).

Figures (issue 5), 2026-11-29, medium seed 1, 250-record full pages, the 2-core box under
load 3.7-5 from other jobs; before = the tree at eacfa7a (lxml trees), after = encode_text;
the two trees run alternately, twice each, median ms per page (min in brackets):
    page of 250       before                     after
    CustomerQuery     77 (37), 53 (52)           18 (10), 27 (19)
    InvoiceQuery     177 (87), 167 (82)          56 (26), 28 (18)
    ItemQuery         65 (30), 83 (57)           21 (13), 20 (11)
A medium full sync's 218 fake QuickBooks requests (the sync engine's, recorded once and
replayed; every response identical byte for byte): 23.7 s before, 4.6 s after at load
1.5-2.5 (0.47 -> 0.09 ms per record); 22.8 / 34.0 / 25.0 s before, 6.0 / 9.9 / 6.8 s after
at load 4-5. This script, medium, load 4.5: render alone x5.1 (customers), x6.5 (invoices),
x6.3 (items); whole pages 28 / 49 / 26 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from lxml import etree

from connector.qbxml.schema import Schema
from connector.qbxml.values import Status, Value
from qbd_emulator.company import CompanyFile
from qbd_emulator.generate import generate
from qbd_emulator.generate.gen import NOW
from qbd_emulator.handlers.context import Reply
from qbd_emulator.handlers.render import answer_element, answer_text
from qbd_emulator.processor import FakeQuickBooks

QUERIES = (
    ("CustomerQueryRq", "<ActiveStatus>All</ActiveStatus>", "customers"),
    ("InvoiceQueryRq", "<IncludeLineItems>true</IncludeLineItems>", "invoices"),
    ("ItemQueryRq", "<ActiveStatus>All</ActiveStatus>", "items"),
)


def rq(body: str) -> str:
    return (
        '<?xml version="1.0"?><?qbxml version="16.0"?><QBXML>'
        f'<QBXMLMsgsRq onError="stopOnError">{body}</QBXMLMsgsRq></QBXML>'
    )


def page_latency(
    qb: FakeQuickBooks, ticket: str, query: str, extra: str, pages: int, size: int
) -> list[float]:
    """Seconds per ``size``-record page, paging one iterator to its end (restarted as
    needed). Only full pages count (records remain after them), unless there are none."""
    times: list[tuple[float, bool]] = []
    iterator: str | None = None
    limit = f"<MaxReturned>{size}</MaxReturned>"
    while len(times) < pages:
        if iterator is None:
            body = f'<{query} iterator="Start">{limit}{extra}</{query}>'
        else:
            body = f'<{query} iterator="Continue" iteratorID="{iterator}">{limit}</{query}>'
        started = time.perf_counter()
        answer = qb.process_request(ticket, rq(body))
        elapsed = time.perf_counter() - started
        iterator = _iterator_of(answer)
        times.append((elapsed, iterator is not None))
    full = [t for t, more in times if more]
    return full or [t for t, _ in times]


def _iterator_of(answer: str) -> str | None:
    marker = 'iteratorRemainingCount="'
    start = answer.find(marker)
    if start < 0 or answer[start + len(marker)] == "0":
        return None
    id_at = answer.find('iteratorID="', start) + len('iteratorID="')
    return answer[id_at : answer.find('"', id_at)]


def mixed_workload(company: CompanyFile, rng: random.Random) -> list[str]:
    """A deck of read requests like a sync session's."""
    customers = [str(r.data["ListID"]) for r in company.iter_records("customers")]
    invoices = [str(r.data["TxnID"]) for r in company.iter_records("invoices")]
    since = (NOW.replace(day=1)).isoformat()
    deck: list[Callable[[], str]] = [
        lambda: "<HostQueryRq/>",
        lambda: f"<CustomerQueryRq><ListID>{rng.choice(customers)}</ListID></CustomerQueryRq>",
        lambda: (
            f"<InvoiceQueryRq><TxnID>{rng.choice(invoices)}</TxnID><IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>"
        ),
        lambda: (
            f"<CustomerQueryRq><MaxReturned>100</MaxReturned><FromModifiedDate>{since}</FromModifiedDate></CustomerQueryRq>"
        ),
        lambda: (
            f"<InvoiceQueryRq><MaxReturned>100</MaxReturned><ModifiedDateRangeFilter><FromModifiedDate>{since}</FromModifiedDate></ModifiedDateRangeFilter></InvoiceQueryRq>"
        ),
        lambda: "<ItemQueryRq><MaxReturned>100</MaxReturned></ItemQueryRq>",
    ]
    return [rng.choice(deck)() for _ in range(len(deck) * 50)]


def run_mixed(qb: FakeQuickBooks, ticket: str, deck: list[str], count: int) -> float:
    started = time.perf_counter()
    for i in range(count):
        qb.process_request(ticket, rq(deck[i % len(deck)]))
    return count / (time.perf_counter() - started)


def render_pair(company: CompanyFile, key: str, size: int, repeat: int) -> tuple[float, float]:
    """Seconds per page to write ``size`` records of ``key`` as text, and as an lxml tree."""
    schema = Schema.for_version("16.0")
    rets: tuple[tuple[str, Value], ...] = tuple(
        (r.ret, r.data) for _, r in zip(range(size), company.iter_records(key), strict=False)
    )
    rs = {"customers": "CustomerQueryRs", "invoices": "InvoiceQueryRs"}.get(key, "ItemQueryRs")
    answer = Reply(rs, Status(0, "Info", "Status OK"), rets, None, 0, "{x}")
    assert answer_text(schema, answer, "1") == _lxml(schema, answer)
    timed = []
    for write in (answer_text, _lxml_text):
        started = time.perf_counter()
        for _ in range(repeat):
            write(schema, answer, "1")
        timed.append((time.perf_counter() - started) / repeat)
    return timed[0], timed[1]


def _lxml(schema: Schema, answer: Reply) -> str:
    return etree.tostring(answer_element(schema, answer, "1"), encoding="unicode")


def _lxml_text(schema: Schema, answer: Reply, request_id: str) -> str:
    return etree.tostring(answer_element(schema, answer, request_id), encoding="unicode")


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="small", help="tiny|small|medium|large|N (default small)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pages", type=int, default=30, help="pages timed per query type")
    parser.add_argument("--requests", type=int, default=200, help="requests in the mixed run")
    parser.add_argument("--page", type=int, default=250, help="records per page (default 250)")
    args = parser.parse_args()

    started = time.perf_counter()
    company = generate(args.seed, args.size)
    records = sum(n for k, n in company.counts().items() if k != "sales_tax_items")
    print(
        f"company: size={args.size} seed={args.seed} records={records} "
        f"generated in {time.perf_counter() - started:.1f} s"
    )
    qb = FakeQuickBooks(company, clock=lambda: NOW, seed=args.seed)
    qb.open_connection("", "bench")
    ticket = qb.begin_session("")
    for query, extra, _ in QUERIES:
        times = page_latency(qb, ticket, query, extra, args.pages, args.page)
        rate = args.page / statistics.median(times)
        print(
            f"{args.page}-record page {query:<16} {_ms(times)}   "
            f"{rate:8,.0f} records/s   ({len(times)} pages)"
        )
    deck = mixed_workload(company, random.Random(args.seed))
    rate = run_mixed(qb, ticket, deck, args.requests)
    print(f"mixed read workload: {rate:,.0f} requests/s ({args.requests} requests)")
    for _, _, key in QUERIES:
        text, tree = render_pair(company, key, args.page, repeat=5)
        print(
            f"render {args.page} {key:<10} text {text * 1000:6.1f} ms   lxml tree "
            f"{tree * 1000:6.1f} ms   x{tree / text:4.1f}"
        )


if __name__ == "__main__":
    main()
