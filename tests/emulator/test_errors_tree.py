"""One error tree for the emulator: the docstring's drawing is the classes' hierarchy,
and every status class answers with its code and QuickBooks' wording."""

from __future__ import annotations

import re

import pytest

from connector.processors.base import ProcessorError
from qbd_emulator import company, errors
from qbd_emulator.errors import (
    EmulatorError,
    InvalidReferenceError,
    NoMatch,
    ObjectNotFoundError,
    OverpaymentError,
    ParseRefusal,
    Refusal,
    Severity,
    StatusError,
)


def _drawn_parents() -> dict[str, str]:
    """``child -> parent`` as drawn in the module docstring (indentation = depth)."""
    doc = errors.__doc__ or ""
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = [(-1, "Exception")]
    for line in doc.splitlines():
        match = re.match(r"^( *(?:\| *)*)\+-- (\w+)", line)
        if match is None:
            continue
        depth, name = len(match.group(1)), match.group(2)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[name] = stack[-1][1]
        stack.append((depth, name))
    return parents


def test_the_drawn_tree_is_the_class_tree() -> None:
    drawn = _drawn_parents()
    assert len(drawn) >= 20
    for child, parent in drawn.items():
        if parent == "Exception" or not hasattr(errors, child):
            continue
        assert getattr(errors, parent) in getattr(errors, child).__bases__, (child, parent)
    defined = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, EmulatorError)
    }
    assert defined <= set(drawn), defined - set(drawn)


def test_refusals_are_processor_errors_and_emulator_errors() -> None:
    refusal = ParseRefusal("unexpected end of input")
    assert isinstance(refusal, ProcessorError) and isinstance(refusal, EmulatorError)
    assert refusal.hresult == 0x80040400
    assert "(unexpected end of input)" in str(refusal)
    assert "()" not in str(Refusal(errors.Hresult.COULD_NOT_START))


def test_severity_is_an_enum_of_wire_values() -> None:
    assert [s.value for s in Severity] == ["Info", "Warn", "Error"]
    assert NoMatch().status().severity is Severity.INFO


@pytest.mark.parametrize(
    ("error", "request_name", "code", "text"),
    [
        pytest.param(
            ObjectNotFoundError("80000001-1"),
            "CustomerMod",
            3120,
            'Object "80000001-1" specified in the request cannot be found.  '
            "QuickBooks error message: Invalid argument.  "
            "The specified record does not exist in the list.",
            id="3120",
        ),
        pytest.param(
            InvalidReferenceError("Customer", "Joe"),
            "InvoiceAdd",
            3140,
            'There is an invalid reference to QuickBooks Customer "Joe" in the Invoice.  '
            "QuickBooks error message: Invalid argument.  "
            "The specified record does not exist in the list.",
            id="3140-where-from-request",
        ),
        pytest.param(
            InvalidReferenceError("Invoice", "1-2", "ReceivePayment"),
            "ReceivePaymentAdd",
            3140,
            'There is an invalid reference to QuickBooks Invoice "1-2" in the ReceivePayment.  '
            "QuickBooks error message: Invalid argument.  "
            "The specified record does not exist in the list.",
            id="3140-where-given",
        ),
        pytest.param(
            OverpaymentError("too much"), "ReceivePaymentAdd", 3210, "too much", id="3210"
        ),
    ],
)
def test_statuses_carry_code_and_wording(
    error: StatusError, request_name: str, code: int, text: str
) -> None:
    status = error.status(request_name)
    assert (status.code, status.severity, status.message) == (code, Severity.ERROR, text)


def test_company_package_public_surface() -> None:
    names = " ".join(sorted(company.__all__))
    assert names == (
        "CompanyFile DeletedEntry DeletedKind HostInfo QBXML_VERSIONS StoredRecord VIEWS "
        "in_schema_order load name_of save storage_key"
    )
    for name in company.__all__:
        assert hasattr(company, name), name
