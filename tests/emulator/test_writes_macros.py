"""defMacro / useMacro: a later request of the same message set names an object an earlier
Add created (Intuit's qbXML reference, defMacro: "refer to the transaction by name in a
later request"; the macro status range 9100-9199 of its status-code table)."""

from __future__ import annotations

import pytest

from qbd_emulator.processor import FakeQuickBooks
from tests.emulator.test_processor_support import (
    assert_valid,
    company,
    responses,
    rq,
    session,
    status,
)

Session = tuple[FakeQuickBooks, str]


@pytest.fixture
def qb() -> Session:
    return session(company(1))


def _names(qb: Session) -> tuple[str, str]:
    comp = qb[0].company
    customer = str(next(comp.iter_records("customers")).data["FullName"])
    item = next(
        str(r.data["FullName"]) for r in comp.iter_records("items") if r.ret == "ItemServiceRet"
    )
    return customer, item


def _invoice_then_payment(customer: str, item: str, macro: str, use: str) -> str:
    return (
        f'<InvoiceAddRq requestID="1"><InvoiceAdd defMacro="{macro}">'
        f"<CustomerRef><FullName>{customer}</FullName></CustomerRef><TxnDate>2024-06-20</TxnDate>"
        f"<InvoiceLineAdd><ItemRef><FullName>{item}</FullName></ItemRef><Amount>80.00</Amount>"
        "</InvoiceLineAdd></InvoiceAdd></InvoiceAddRq>"
        f'<ReceivePaymentAddRq requestID="2"><ReceivePaymentAdd>'
        f"<CustomerRef><FullName>{customer}</FullName></CustomerRef><TotalAmount>30.00</TotalAmount>"
        f'<AppliedToTxnAdd><TxnID useMacro="{use}"/><PaymentAmount>30.00</PaymentAmount>'
        "</AppliedToTxnAdd></ReceivePaymentAdd></ReceivePaymentAddRq>"
    )


def test_a_payment_applies_to_the_invoice_its_message_set_created(qb: Session) -> None:
    customer, item = _names(qb)
    body = _invoice_then_payment(customer, item, "TxnID:Inv42", "TxnID:Inv42")
    answer = qb[0].process_request(qb[1], rq(body))
    assert_valid("16.0", answer)
    invoice, payment = responses(answer)
    assert status(invoice) == 0 and status(payment) == 0, payment.get("statusMessage")
    txn_id = invoice.findtext("InvoiceRet/TxnID")
    assert payment.findtext("ReceivePaymentRet/AppliedToTxnRet/TxnID") == txn_id
    assert payment.findtext("ReceivePaymentRet/AppliedToTxnRet/BalanceRemaining") == "50.00"


def test_an_undefined_macro_is_a_macro_error(qb: Session) -> None:
    customer, item = _names(qb)
    body = _invoice_then_payment(customer, item, "TxnID:Inv42", "TxnID:Other")
    answer = qb[0].process_request(qb[1], rq(body, on_error="continueOnError"))
    assert_valid("16.0", answer)
    invoice, payment = responses(answer)
    assert status(invoice) == 0
    assert 9100 <= status(payment) <= 9199 and payment.get("statusSeverity") == "Error"
    assert "TxnID:Other" in str(payment.get("statusMessage"))


def test_macros_do_not_outlive_their_message_set(qb: Session) -> None:
    customer, item = _names(qb)
    first = _invoice_then_payment(customer, item, "TxnID:Inv42", "TxnID:Inv42")
    qb[0].process_request(qb[1], rq(first))
    later = first[first.index("<ReceivePaymentAddRq") :]
    (payment,) = responses(qb[0].process_request(qb[1], rq(later)))
    assert 9100 <= status(payment) <= 9199


def test_repeated_aggregates_each_take_their_own_macro(qb: Session) -> None:
    customer, item = _names(qb)
    invoices = "".join(
        f'<InvoiceAddRq><InvoiceAdd defMacro="TxnID:{name}">'
        f"<CustomerRef><FullName>{customer}</FullName></CustomerRef>"
        f"<InvoiceLineAdd><ItemRef><FullName>{item}</FullName></ItemRef><Amount>{amount}</Amount>"
        "</InvoiceLineAdd></InvoiceAdd></InvoiceAddRq>"
        for name, amount in (("A", "10.00"), ("B", "20.00"))
    )
    payment = (
        f"<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>{customer}</FullName>"
        "</CustomerRef><TotalAmount>25.00</TotalAmount>"
        '<AppliedToTxnAdd><TxnID useMacro="TxnID:B"/><PaymentAmount>20.00</PaymentAmount></AppliedToTxnAdd>'
        '<AppliedToTxnAdd><TxnID useMacro="TxnID:A"/><PaymentAmount>5.00</PaymentAmount></AppliedToTxnAdd>'
        "</ReceivePaymentAdd></ReceivePaymentAddRq>"
    )
    first, second, paid = responses(qb[0].process_request(qb[1], rq(invoices + payment)))
    assert status(paid) == 0, paid.get("statusMessage")
    applied = {
        a.findtext("TxnID"): a.findtext("BalanceRemaining")
        for a in paid.findall("ReceivePaymentRet/AppliedToTxnRet")
    }
    assert applied == {
        first.findtext("InvoiceRet/TxnID"): "5.00",
        second.findtext("InvoiceRet/TxnID"): "0.00",
    }
