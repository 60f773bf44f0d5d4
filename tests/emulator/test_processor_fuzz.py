"""Robustness: mutated requests get a schema-valid answer or the 0x80040400 refusal,
never another exception, and the file's customer/vendor balances stay consistent with its
open transactions after every answer (hypothesis drives the mutations)."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from connector.processors.base import ProcessorError
from connector.qbxml.safexml import parse_document
from qbd_emulator.company import CompanyFile
from qbd_emulator.company.balances import recompute_balances
from tests.emulator.test_processor_support import assert_valid, company, rq, session, xsd

SEEDS = [
    "<CustomerQueryRq><MaxReturned>3</MaxReturned><ActiveStatus>All</ActiveStatus>"
    "<NameFilter><MatchCriterion>Contains</MatchCriterion><Name>a</Name></NameFilter></CustomerQueryRq>",
    "<InvoiceQueryRq><MaxReturned>2</MaxReturned><ModifiedDateRangeFilter><FromModifiedDate>2024-01-01"
    "</FromModifiedDate></ModifiedDateRangeFilter><IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>",
    "<CustomerAddRq><CustomerAdd><Name>Fuzz</Name><BillAddress><Addr1>1 St</Addr1></BillAddress>"
    "<Phone>555</Phone></CustomerAdd></CustomerAddRq>",
    "<JournalEntryAddRq><JournalEntryAdd><TxnDate>2024-01-02</TxnDate><JournalDebitLine><AccountRef>"
    "<FullName>Checking</FullName></AccountRef><Amount>5.00</Amount></JournalDebitLine><JournalCreditLine>"
    "<AccountRef><FullName>Checking</FullName></AccountRef><Amount>5.00</Amount></JournalCreditLine>"
    "</JournalEntryAdd></JournalEntryAddRq>",
    "<TxnDelRq><TxnDelType>Invoice</TxnDelType><TxnID>1-1111111111</TxnID></TxnDelRq>",
    "<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>x</FullName></CustomerRef>"
    "<TotalAmount>1.00</TotalAmount><IsAutoApply>true</IsAutoApply></ReceivePaymentAdd></ReceivePaymentAddRq>",
    "<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>x</FullName></CustomerRef><InvoiceLineAdd>"
    "<Quantity>2</Quantity><Rate>1.5</Rate></InvoiceLineAdd></InvoiceAdd></InvoiceAddRq>",
    "<DataExtAddRq><DataExtAdd><OwnerID>{57F3B9B1-86F1-4fcc-B1EE-566DE1813D20}</OwnerID><DataExtName>FileID</DataExtName>"
    "<OtherDataExtType>Company</OtherDataExtType><DataExtValue>v</DataExtValue></DataExtAdd></DataExtAddRq>",
    '<ItemQueryRq iterator="Start"><MaxReturned>2</MaxReturned></ItemQueryRq>',
    "<ListDeletedQueryRq><ListDelType>Customer</ListDelType><DeletedDateRangeFilter>"
    "<FromDeletedDate>2024-01-01</FromDeletedDate></DeletedDateRangeFilter></ListDeletedQueryRq>",
]
TEXTS = st.sampled_from(["", "x", "-1", "2024-13-45", "true", "9" * 30, "ÄÖ", "東", "1.5", " All "])
NAMES = st.sampled_from(
    ["ListID", "FullName", "MaxReturned", "Bogus", "IncludeLineItems", "Name", "TxnID"]
)


def _mutate(root: etree._Element, data: st.DataObject) -> None:
    nodes = list(root.iter())
    node = data.draw(st.sampled_from(nodes))
    action = data.draw(st.sampled_from(["drop", "dup", "text", "insert", "swap", "attr"]))
    parent = node.getparent()
    if action == "drop" and parent is not None:
        parent.remove(node)
    elif action == "dup" and parent is not None:
        parent.insert(parent.index(node), copy.deepcopy(node))
    elif action == "text" and len(node) == 0:
        node.text = data.draw(TEXTS)
    elif action == "insert":
        child = etree.SubElement(node, data.draw(NAMES))
        child.text = data.draw(TEXTS)
    elif action == "swap" and len(node) >= 2:
        first = node[0]
        node.remove(first)
        node.append(first)
    elif action == "attr":
        node.set(
            data.draw(st.sampled_from(["iterator", "requestID", "metaData"])), data.draw(TEXTS)
        )


QB = session(company(1))


def _live_seeds() -> list[str]:
    """Requests naming real records of the fake's file, so mutations reach deep logic."""
    comp = QB[0].company
    cust = next(comp.iter_records("customers")).data
    item = next(r.data for r in comp.iter_records("items") if r.ret == "ItemServiceRet")
    inv = next(r.data for r in comp.iter_records("invoices"))
    bill = next(r.data for r in comp.iter_records("bills"))
    bank = next(
        r.data for r in comp.iter_records("accounts") if r.data.get("AccountType") == "Bank"
    )
    return [
        f"<InvoiceAddRq><InvoiceAdd><CustomerRef><ListID>{cust['ListID']}</ListID></CustomerRef>"
        f"<InvoiceLineAdd><ItemRef><ListID>{item['ListID']}</ListID></ItemRef><Quantity>2</Quantity>"
        "<Rate>3.25</Rate></InvoiceLineAdd></InvoiceAdd></InvoiceAddRq>",
        f"<InvoiceModRq><InvoiceMod><TxnID>{inv['TxnID']}</TxnID><EditSequence>{inv['EditSequence']}"
        "</EditSequence><Memo>m</Memo><InvoiceLineMod><TxnLineID>-1</TxnLineID><Amount>4.00</Amount>"
        "</InvoiceLineMod></InvoiceMod></InvoiceModRq>",
        f"<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><ListID>{inv['CustomerRef']['ListID']}"
        f"</ListID></CustomerRef><AppliedToTxnAdd><TxnID>{inv['TxnID']}</TxnID><PaymentAmount>0.50"
        "</PaymentAmount></AppliedToTxnAdd></ReceivePaymentAdd></ReceivePaymentAddRq>",
        f"<BillPaymentCheckAddRq><BillPaymentCheckAdd><PayeeEntityRef><ListID>{bill['VendorRef']['ListID']}"
        f"</ListID></PayeeEntityRef><BankAccountRef><ListID>{bank['ListID']}</ListID></BankAccountRef>"
        f"<IsToBePrinted>true</IsToBePrinted><AppliedToTxnAdd><TxnID>{bill['TxnID']}</TxnID>"
        "<PaymentAmount>0.25</PaymentAmount></AppliedToTxnAdd></BillPaymentCheckAdd></BillPaymentCheckAddRq>",
        f"<TxnVoidRq><TxnVoidType>Invoice</TxnVoidType><TxnID>{inv['TxnID']}</TxnID></TxnVoidRq>",
        f"<ListDelRq><ListDelType>Customer</ListDelType><ListID>{cust['ListID']}</ListID></ListDelRq>",
        f"<CustomerModRq><CustomerMod><ListID>{cust['ListID']}</ListID><EditSequence>{cust['EditSequence']}"
        "</EditSequence><Name>Renamed</Name></CustomerMod></CustomerModRq>",
    ]


SEEDS += _live_seeds()


@settings(
    max_examples=int(__import__("os").environ.get("QBD_FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    seed=st.sampled_from(SEEDS),
    steps=st.integers(1, 3),
    version=st.sampled_from(["13.0", "16.0"]),
    data=st.data(),
)
def test_mutated_requests_never_crash(
    seed: str, steps: int, version: str, data: st.DataObject
) -> None:
    root = parse_document(seed)
    for _ in range(steps):
        _mutate(root, data)
    body = etree.tostring(root, encoding="unicode")
    qb, ticket = QB
    try:
        answer = qb.process_request(ticket, rq(body, version))
    except ProcessorError as exc:
        assert exc.hresult_text == "0x80040400", exc
        # differential check: the fake never refuses what Intuit's schema accepts
        assert not xsd(version).validate(parse_document(rq(body, version)).getroottree()), exc
        return
    assert_valid(version, answer)
    assert _balances(qb.company) == _recomputed(qb.company), body


def _balances(comp: CompanyFile) -> dict[str, object]:
    return {
        str(r.data["ListID"]): (r.data.get("Balance"), r.data.get("TotalBalance"))
        for key in ("customers", "vendors")
        for r in comp.iter_records(key)
    }


def _recomputed(comp: CompanyFile) -> dict[str, object]:
    twin = copy.deepcopy(comp)
    recompute_balances(twin)
    return _balances(twin)
