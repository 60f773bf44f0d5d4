"""Query filters and shaping against the records they must select."""

from __future__ import annotations

from decimal import Decimal

from qbd_emulator.company import CompanyFile
from tests.emulator.test_processor_support import company, ids, one, rq, session, status


def _records(comp: CompanyFile, key: str) -> list[dict]:  # type: ignore[type-arg]
    return [r.data for r in comp.iter_records(key)]


def test_active_status_defaults_to_active_only() -> None:
    comp = company(1)
    first = next(comp.iter_records("customers"))
    comp.modify(
        "customers",
        str(first.data["ListID"]),
        {"IsActive": False},
        str(first.data["EditSequence"]),
        first.data["TimeModified"],
    )  # type: ignore[arg-type]
    qb, ticket = session(comp)
    default = ids(one(qb.process_request(ticket, rq("<CustomerQueryRq/>"))))
    every = ids(
        one(
            qb.process_request(
                ticket, rq("<CustomerQueryRq><ActiveStatus>All</ActiveStatus></CustomerQueryRq>")
            )
        )
    )
    inactive = ids(
        one(
            qb.process_request(
                ticket,
                rq("<CustomerQueryRq><ActiveStatus>InactiveOnly</ActiveStatus></CustomerQueryRq>"),
            )
        )
    )
    assert first.data["ListID"] not in default
    assert inactive == [first.data["ListID"]]
    assert sorted(default + inactive) == sorted(every)


def test_entity_filter_and_lines() -> None:
    comp = company(1)
    qb, ticket = session(comp)
    invoice = _records(comp, "invoices")[0]
    customer = invoice["CustomerRef"]
    expected = sorted(
        d["TxnID"]
        for d in _records(comp, "invoices")
        if d["CustomerRef"]["ListID"] == customer["ListID"]
    )
    rs = one(
        qb.process_request(
            ticket,
            rq(
                f"<InvoiceQueryRq><EntityFilter><FullName>{customer['FullName']}</FullName></EntityFilter></InvoiceQueryRq>"
            ),
        )
    )
    assert sorted(ids(rs, "TxnID")) == expected
    assert rs.find("InvoiceRet/InvoiceLineRet") is None
    with_lines = one(
        qb.process_request(
            ticket,
            rq(
                f"<InvoiceQueryRq><TxnID>{invoice['TxnID']}</TxnID><IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>"
            ),
        )
    )
    lines = with_lines.findall("InvoiceRet/InvoiceLineRet")
    assert len(lines) == len(invoice["InvoiceLineRet"])
    assert [Decimal(str(x.findtext("Amount"))) for x in lines] == [
        line["Amount"] for line in invoice["InvoiceLineRet"]
    ]


def test_paid_status_splits_invoices() -> None:
    comp = company(2)
    qb, ticket = session(comp)
    paid = ids(
        one(
            qb.process_request(
                ticket, rq("<InvoiceQueryRq><PaidStatus>PaidOnly</PaidStatus></InvoiceQueryRq>")
            )
        ),
        "TxnID",
    )
    open_ = ids(
        one(
            qb.process_request(
                ticket, rq("<InvoiceQueryRq><PaidStatus>NotPaidOnly</PaidStatus></InvoiceQueryRq>")
            )
        ),
        "TxnID",
    )
    everything = sorted(d["TxnID"] for d in _records(comp, "invoices"))
    assert sorted(paid + open_) == everything
    for data in _records(comp, "invoices"):
        assert (data["TxnID"] in paid) == bool(data["IsPaid"])


def test_linked_txns_only_when_asked() -> None:
    comp = company(1)
    qb, ticket = session(comp)
    linked = [d for d in _records(comp, "invoices") if d.get("LinkedTxn")]
    assert linked, "the generated file has no paid invoice"
    txn = linked[0]["TxnID"]
    plain = one(
        qb.process_request(ticket, rq(f"<InvoiceQueryRq><TxnID>{txn}</TxnID></InvoiceQueryRq>"))
    )
    full = one(
        qb.process_request(
            ticket,
            rq(
                f"<InvoiceQueryRq><TxnID>{txn}</TxnID><IncludeLinkedTxns>true</IncludeLinkedTxns></InvoiceQueryRq>"
            ),
        )
    )
    assert plain.find("InvoiceRet/LinkedTxn") is None
    assert len(full.findall("InvoiceRet/LinkedTxn")) == len(linked[0]["LinkedTxn"])


def test_ref_number_and_txn_date_filters() -> None:
    comp = company(1)
    qb, ticket = session(comp)
    invoice = _records(comp, "invoices")[0]
    by_ref = one(
        qb.process_request(
            ticket,
            rq(f"<InvoiceQueryRq><RefNumber>{invoice['RefNumber']}</RefNumber></InvoiceQueryRq>"),
        )
    )
    assert invoice["TxnID"] in ids(by_ref, "TxnID")
    day = invoice["TxnDate"].isoformat()
    on_day = one(
        qb.process_request(
            ticket,
            rq(
                f"<InvoiceQueryRq><TxnDateRangeFilter><FromTxnDate>{day}</FromTxnDate><ToTxnDate>{day}</ToTxnDate></TxnDateRangeFilter></InvoiceQueryRq>"
            ),
        )
    )
    assert sorted(ids(on_day, "TxnID")) == sorted(
        d["TxnID"] for d in _records(comp, "invoices") if d["TxnDate"].isoformat() == day
    )


def test_listid_lookup_missing_and_partial() -> None:
    comp = company(1)
    qb, ticket = session(comp)
    known = _records(comp, "customers")[0]["ListID"]
    missing = one(
        qb.process_request(
            ticket, rq("<CustomerQueryRq><ListID>8000001B-1405768916</ListID></CustomerQueryRq>")
        )
    )
    assert status(missing) == 3120
    assert missing.get("statusMessage", "").startswith(
        'Object "8000001B-1405768916" specified in the request cannot be found.'
    )
    partial = one(
        qb.process_request(
            ticket,
            rq(
                f"<CustomerQueryRq><ListID>{known}</ListID><ListID>8000001B-1405768916</ListID></CustomerQueryRq>"
            ),
        )
    )
    assert status(partial) == 500 and partial.get("statusSeverity") == "Warn"
    assert ids(partial) == [known]


def test_item_query_spans_every_item_kind_and_terms_both_kinds() -> None:
    comp = company(1)
    qb, ticket = session(comp)
    items = one(
        qb.process_request(
            ticket, rq("<ItemQueryRq><ActiveStatus>All</ActiveStatus></ItemQueryRq>")
        )
    )
    assert sorted({r.tag for r in items}) == sorted({r.ret for r in comp.iter_records("items")})
    terms = one(
        qb.process_request(
            ticket, rq("<TermsQueryRq><ActiveStatus>All</ActiveStatus></TermsQueryRq>")
        )
    )
    assert {r.tag for r in terms} == {"StandardTermsRet", "DateDrivenTermsRet"}
    service = one(
        qb.process_request(
            ticket, rq("<ItemServiceQueryRq><ActiveStatus>All</ActiveStatus></ItemServiceQueryRq>")
        )
    )
    assert {r.tag for r in service} == {"ItemServiceRet"}


def test_metadata_only_counts() -> None:
    comp = company(1)
    qb, ticket = session(comp)
    rs = one(
        qb.process_request(
            ticket,
            rq(
                '<CustomerQueryRq metaData="MetaDataOnly"><ActiveStatus>All</ActiveStatus></CustomerQueryRq>'
            ),
        )
    )
    assert rs.get("retCount") == str(comp.count("customers")) and len(rs) == 0


def test_owner_id_returns_only_that_owners_data_ext() -> None:
    comp = company(1)
    comp.data_ext.append(
        {
            "OwnerID": "{AAAA0000-1111-2222-3333-444455556666}",
            "DataExtName": "FileID",
            "DataExtType": "STR255TYPE",
            "DataExtValue": "{x}",
        }
    )
    qb, ticket = session(comp)
    plain = one(qb.process_request(ticket, rq("<CompanyQueryRq/>")))
    asked = one(
        qb.process_request(
            ticket,
            rq(
                "<CompanyQueryRq><OwnerID>{AAAA0000-1111-2222-3333-444455556666}</OwnerID></CompanyQueryRq>"
            ),
        )
    )
    assert plain.find("CompanyRet/DataExtRet") is None
    assert asked.findtext("CompanyRet/DataExtRet/DataExtValue") == "{x}"


def test_include_ret_element_and_iterator_stop() -> None:
    qb, ticket = session(company(1))
    rs = one(
        qb.process_request(
            ticket,
            rq(
                "<CustomerQueryRq><MaxReturned>2</MaxReturned><IncludeRetElement>Name</IncludeRetElement></CustomerQueryRq>"
            ),
        )
    )
    assert all(r.find("Name") is not None and r.find("Email") is None for r in rs)
    started = one(
        qb.process_request(
            ticket,
            rq('<CustomerQueryRq iterator="Start"><MaxReturned>1</MaxReturned></CustomerQueryRq>'),
        )
    )
    it = started.get("iteratorID")
    stopped = one(
        qb.process_request(ticket, rq(f'<CustomerQueryRq iterator="Stop" iteratorID="{it}"/>'))
    )
    assert status(stopped) == 0
    again = one(
        qb.process_request(ticket, rq(f'<CustomerQueryRq iterator="Continue" iteratorID="{it}"/>'))
    )
    assert status(again) == 3391


def test_balance_class_currency_and_payment_method_type_filters() -> None:
    comp = company(2)
    qb, ticket = session(comp)
    customers = _records(comp, "customers")
    rich = one(
        qb.process_request(
            ticket,
            rq(
                "<CustomerQueryRq><ActiveStatus>All</ActiveStatus><TotalBalanceFilter><Operator>GreaterThan</Operator>"
                "<Amount>0</Amount></TotalBalanceFilter></CustomerQueryRq>"
            ),
        )
    )
    assert sorted(ids(rich)) == sorted(
        d["ListID"] for d in customers if d.get("TotalBalance", 0) > 0
    )
    klass, target = _records(comp, "classes")[0], customers[0]
    comp.modify(
        "customers",
        target["ListID"],
        {"ClassRef": {"ListID": klass["ListID"]}},
        target["EditSequence"],
        target["TimeModified"],
    )
    rs = one(
        qb.process_request(
            ticket,
            rq(
                "<CustomerQueryRq><ActiveStatus>All</ActiveStatus><ClassFilter>"
                f"<FullName>{klass['FullName']}</FullName></ClassFilter></CustomerQueryRq>"
            ),
        )
    )
    assert ids(rs) == [target["ListID"]]
    methods = _records(comp, "payment_methods")
    kind = methods[0]["PaymentMethodType"]
    rs = one(
        qb.process_request(
            ticket,
            rq(
                "<PaymentMethodQueryRq><ActiveStatus>All</ActiveStatus>"
                f"<PaymentMethodType>{kind}</PaymentMethodType></PaymentMethodQueryRq>"
            ),
        )
    )
    assert sorted(ids(rs)) == sorted(
        d["ListID"] for d in methods if d.get("PaymentMethodType") == kind
    )
    currency, invoice = _records(comp, "currencies")[0], _records(comp, "invoices")[0]
    comp.modify(
        "invoices",
        invoice["TxnID"],
        {"CurrencyRef": {"ListID": currency["ListID"]}},
        invoice["EditSequence"],
        invoice["TimeModified"],
    )
    rs = one(
        qb.process_request(
            ticket,
            rq(
                f"<InvoiceQueryRq><CurrencyFilter><ListID>{currency['ListID']}</ListID></CurrencyFilter></InvoiceQueryRq>"
            ),
        )
    )
    assert ids(rs, "TxnID") == [invoice["TxnID"]]
