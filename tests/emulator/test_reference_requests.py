"""Each Intuit SDK sample request (../shared/reference/requests) gets a schema-valid
answer: an error status where the company lacks what is asked for, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.emulator.test_processor_support import assert_valid, responses, root, session
from tests.refpaths import ABSENT, reference_names, reference_path

SAMPLES = ("requests", "intuit-qbxml-sdk-samples")
NAMES = reference_names(*SAMPLES)


def _read(name: str) -> str:
    return reference_path(*SAMPLES, name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_sample_request_gets_a_schema_valid_answer(name: str) -> None:
    text = _read(name)
    qb, ticket = session()
    answer = qb.process_request(ticket, text)
    assert_valid("13.0", answer)
    msgs = root(answer).find("QBXMLMsgsRs")
    assert msgs is not None
    if "ErrRecovery" not in name:
        assert len(responses(answer)) >= 1


def test_error_recovery_samples_in_their_order() -> None:
    qb, ticket = session()
    first = qb.process_request(ticket, _read("ErrRecovery1.xml"))
    status_of_set = qb.process_request(ticket, _read("ErrRecovery2.xml"))
    cleared = qb.process_request(ticket, _read("ErrRecovery3.xml"))
    for answer in (first, status_of_set, cleared):
        assert_valid("13.0", answer)
    assert [r.get("statusCode") for r in responses(status_of_set)] == [
        r.get("statusCode") for r in responses(first)
    ]
    msgs = root(cleared).find("QBXMLMsgsRs")
    assert msgs is not None and msgs.get("messageSetStatusCode") == "0"


def test_samples_folder_is_there() -> None:
    folder = reference_path(*SAMPLES)
    assert NAMES != [ABSENT] and len(NAMES) >= 15
    assert all(Path(folder / n).is_file() for n in NAMES)
