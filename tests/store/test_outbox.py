"""The write outbox (issue 19): idempotency keys, order received, the status steps a sender
records, and a push of one company never visible through another. Both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connector.store import outbox
from connector.store.companies import CompanyRow, create_company
from connector.store.db import Database
from connector.store.errors import Conflict, InvalidValue

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
RECORD = {"name": "Acme Plumbing", "companyName": "Acme Plumbing LLC"}


def test_a_push_is_kept_pending_with_its_record(db: Database, company: CompanyRow) -> None:
    push, new = outbox.create_push(
        db, company.id, "customers", "add", RECORD, idempotency_key=None, now=T0
    )
    assert new and push.status == "pending" and push.record == RECORD
    assert push.created_at == T0 and push.attempts == 0
    assert outbox.get_push(db, company.id, push.id) == push


def test_the_same_idempotency_key_is_the_same_push(db: Database, company: CompanyRow) -> None:
    first, new = outbox.create_push(
        db, company.id, "customers", "add", RECORD, idempotency_key="k-1", now=T0
    )
    again, new_again = outbox.create_push(
        db, company.id, "customers", "add", dict(RECORD), idempotency_key="k-1", now=T0
    )
    assert new and not new_again and again == first
    with pytest.raises(outbox.PushKeyReused):
        outbox.create_push(
            db, company.id, "customers", "add", {"name": "Other"}, idempotency_key="k-1", now=T0
        )
    other = create_company(db, "Beta")  # keys are per company
    theirs, new_theirs = outbox.create_push(
        db, other.id, "customers", "add", RECORD, idempotency_key="k-1", now=T0
    )
    assert new_theirs and theirs.id != first.id
    assert len(outbox.list_pushes(db, company.id)) == 1


def test_pushes_list_in_the_order_received_and_by_status(db: Database, company: CompanyRow) -> None:
    made = [
        outbox.create_push(
            db, company.id, "customers", "add", {"name": f"C{i}"}, idempotency_key=None,
            now=T0 + timedelta(seconds=i),
        )[0]
        for i in range(3)
    ]  # fmt: skip
    assert [p.id for p in outbox.list_pushes(db, company.id)] == [p.id for p in made]
    with db.begin() as conn:
        outbox.mark_sent(conn, made[0].id, message_set_id="ms-1", request_id="r-1", now=T0)
    assert [p.id for p in outbox.list_pushes(db, company.id, status="pending")] == [
        made[1].id, made[2].id,
    ]  # fmt: skip
    with pytest.raises(InvalidValue):
        outbox.list_pushes(db, company.id, status="lost")
    with pytest.raises(outbox.PushNotFound) as missing:
        outbox.get_push(db, create_company(db, "Gamma").id, made[0].id)
    assert missing.value.key == made[0].id  # the id, not a sentence wrapped again
    assert str(missing.value) == f"no push of this company {made[0].id!r}"


def test_the_status_steps_a_sender_records(db: Database, company: CompanyRow) -> None:
    push, _ = outbox.create_push(
        db, company.id, "customers", "add", RECORD, idempotency_key=None, now=T0
    )
    with db.begin() as conn:
        sent = outbox.mark_sent(conn, push.id, message_set_id="ms-7", request_id="r-7", now=T0)
    assert (sent.status, sent.message_set_id, sent.request_id, sent.attempts) == (
        "sent", "ms-7", "r-7", 1,
    )  # fmt: skip
    with db.begin() as conn, pytest.raises(Conflict):
        outbox.mark_sent(conn, push.id, message_set_id="ms-8", request_id="r-8", now=T0)
    with db.begin() as conn:  # in use elsewhere (3175): back to pending for a later session
        again = outbox.record_outcome(conn, push.id, "pending", now=T0, status_code=3175)
    assert again.status == "pending" and again.status_code == 3175
    with db.begin() as conn:
        outbox.mark_sent(conn, push.id, message_set_id="ms-9", request_id="r-9", now=T0)
        done = outbox.record_outcome(conn, push.id, "succeeded", now=T0, qb_id="80000001-1")
    assert (done.status, done.result_qb_id, done.attempts) == ("succeeded", "80000001-1", 2)
    with db.begin() as conn, pytest.raises(Conflict):
        outbox.record_outcome(conn, push.id, "failed", now=T0)  # final stays final
    with db.begin() as conn, pytest.raises(InvalidValue):
        outbox.record_outcome(conn, push.id, "sent", now=T0)
