"""Fake QuickBooks benchmark: page latency and mixed-read throughput of the qbXML processor.

    python bench/emulator_bench.py                  # small file, short run
    python bench/emulator_bench.py --size medium    # the figures of record (generation ~30 s)
    python bench/emulator_bench.py --size medium --pages 200 --requests 500

Prints: generation time; latency (median, p95) of one 100-record iterator page for
customers, invoices (with lines) and items; requests per second for a mixed read workload
(iterator pages, ListID/TxnID look-ups, modified-date queries, HostQuery). Everything runs
in one process through ``FakeQuickBooks.process_request`` (parse, validate, handle, encode).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from qbd_emulator.company import CompanyFile
from qbd_emulator.generate import generate
from qbd_emulator.generate.context import NOW
from qbd_emulator.processor import FakeQuickBooks


def rq(body: str) -> str:
    return (
        '<?xml version="1.0"?><?qbxml version="16.0"?><QBXML>'
        f'<QBXMLMsgsRq onError="stopOnError">{body}</QBXMLMsgsRq></QBXML>'
    )


def page_latency(
    qb: FakeQuickBooks, ticket: str, query: str, extra: str, pages: int
) -> list[float]:
    """Seconds per 100-record page, paging one iterator to its end (restarted as needed)."""
    times: list[float] = []
    iterator: str | None = None
    while len(times) < pages:
        if iterator is None:
            body = f'<{query} iterator="Start"><MaxReturned>100</MaxReturned>{extra}</{query}>'
        else:
            body = f'<{query} iterator="Continue" iteratorID="{iterator}"><MaxReturned>100</MaxReturned></{query}>'
        started = time.perf_counter()
        answer = qb.process_request(ticket, rq(body))
        times.append(time.perf_counter() - started)
        iterator = _iterator_of(answer)
    return times


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
    for query, extra in (
        ("CustomerQueryRq", "<ActiveStatus>All</ActiveStatus>"),
        ("InvoiceQueryRq", "<IncludeLineItems>true</IncludeLineItems>"),
        ("ItemQueryRq", "<ActiveStatus>All</ActiveStatus>"),
    ):
        times = page_latency(qb, ticket, query, extra, args.pages)
        print(f"100-record page {query:<16} {_ms(times)}   ({len(times)} pages)")
    deck = mixed_workload(company, random.Random(args.seed))
    rate = run_mixed(qb, ticket, deck, args.requests)
    print(f"mixed read workload: {rate:,.0f} requests/s ({args.requests} requests)")


if __name__ == "__main__":
    main()
