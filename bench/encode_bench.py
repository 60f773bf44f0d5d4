"""Encoder and request-builder throughput: records/s and MB/s of schema-ordered encoding.

Prints figures (CPU time, so a busy machine does not skew them); asserts nothing. Default run is short; ``--records N`` for bigger runs.
Usage: ``python bench/encode_bench.py [--records 5000] [--version 16.0]``
"""

from __future__ import annotations

import argparse
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from lxml import etree

from connector.qbxml import build
from connector.qbxml.encode import document, encode_element
from connector.qbxml.filters import Iterator, ModifiedDateRange, QueryFilter
from connector.qbxml.schema import Schema

PST = timezone(timedelta(hours=-8))


def invoice(i: int) -> dict[str, object]:
    stamp = datetime(2024, 3, 5, 10, 11, 12, tzinfo=PST)
    return {
        "TxnID": f"{i:X}-1712345678",
        "TimeCreated": stamp,
        "TimeModified": stamp,
        "EditSequence": "1712345678",
        "TxnNumber": i,
        "CustomerRef": {"ListID": "80000001-1712345678", "FullName": "Brasserie Lefèvre"},
        "ARAccountRef": {"FullName": "Accounts Receivable"},
        "TxnDate": date(2024, 3, 5),
        "RefNumber": f"INV-{i}",
        "BillAddress": {"Addr1": "18 rue de Dunkerque", "City": "Springfield", "State": "IL"},
        "IsPending": False,
        "DueDate": date(2024, 4, 4),
        "Subtotal": Decimal("607.00"),
        "SalesTaxPercentage": Decimal("0"),
        "SalesTaxTotal": Decimal("0"),
        "AppliedAmount": Decimal("0"),
        "BalanceRemaining": Decimal("607.00"),
        "IsPaid": False,
        "InvoiceLineRet": [
            {
                "TxnLineID": f"{i:X}-{n}",
                "ItemRef": {"FullName": "Event Staffing"},
                "Desc": "Staff",
                "Quantity": Decimal("12.5"),
                "Rate": Decimal("45.50"),
                "Amount": Decimal("568.75"),
            }
            for n in range(3)
        ],
    }


def bench_encode(version: str, count: int) -> None:
    schema = Schema.for_version(version)
    records = [invoice(i) for i in range(count)]
    start = time.process_time()
    rs = encode_element(
        schema,
        "InvoiceQueryRs",
        {"InvoiceRet": records},
        attrs={"statusCode": 0, "statusSeverity": "Info"},
    )
    raw = document(version, [rs], response=True)
    elapsed = time.process_time() - start
    print(
        f"encode InvoiceRet x{count} (3 lines each): {elapsed:.2f} s, "
        f"{count / elapsed:,.0f} records/s, {len(raw) / elapsed / 1e6:.1f} MB/s, "
        f"{len(raw) / 1e6:.1f} MB"
    )


def _naive(parent: etree._Element, value: dict[str, object]) -> None:
    """Baseline: the same tree with bare lxml calls, no schema order and no checks."""
    for name, raw in value.items():
        for item in raw if isinstance(raw, list) else [raw]:
            child = etree.SubElement(parent, name)
            if isinstance(item, dict):
                _naive(child, item)
            else:
                child.text = str(item)


def bench_naive(count: int) -> None:
    records = [invoice(i) for i in range(count)]
    start = time.process_time()
    root = etree.Element("InvoiceQueryRs")
    for rec in records:
        _naive(etree.SubElement(root, "InvoiceRet"), rec)
    etree.tostring(root)
    elapsed = time.process_time() - start
    print(f"baseline bare lxml, same tree x{count}: {count / elapsed:,.0f} records/s")


def bench_queries(version: str, count: int) -> None:
    filters = QueryFilter(
        max_returned=500, modified=ModifiedDateRange(datetime(2024, 1, 1, tzinfo=PST))
    )
    start = time.process_time()
    for i in range(count):
        rq = build.query("invoices", version, filters, iterator=Iterator.start(), request_id=str(i))
        build.request_document(version, [rq])
    elapsed = time.process_time() - start
    print(f"build InvoiceQuery documents x{count}: {count / elapsed:,.0f} requests/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--version", default="16.0")
    args = parser.parse_args()
    Schema.for_version(args.version)  # table load is not part of the figures
    bench_encode(args.version, args.records)
    bench_naive(args.records)
    bench_queries(args.version, max(args.records // 5, 100))


if __name__ == "__main__":
    main()
