"""The pure planner: order of data types, next query, watermark rewind and offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connector.qbxml.datatypes import Kind
from connector.store.sync_runs import CursorRow
from connector.sync.plan import (
    QUERY_TYPES,
    CursorState,
    IteratorAction,
    Policy,
    from_modified,
    next_query,
    pick_next,
    plan_types,
    run_kind,
)

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _c(key: str, **kw: object) -> CursorRow:
    return CursorRow(company_id="c", data_type=key, **kw)  # type: ignore[arg-type]


def test_first_plan_visits_every_query_type_then_sweeps() -> None:
    plan = plan_types({}, NOW, Policy())
    assert plan[: len(QUERY_TYPES)] == [d.key for d in QUERY_TYPES]
    assert plan[-2:] == ["deleted_lists", "deleted_txns"]
    assert plan.index("customers") < plan.index("invoices")
    assert run_kind(plan, {}) == "full"


def test_sweeps_are_periodic() -> None:
    policy = Policy(sweep_every=timedelta(hours=1))
    recent = {"deleted_lists": _c("deleted_lists", last_swept_at=NOW - timedelta(minutes=5))}
    plan = plan_types(recent, NOW, policy)
    assert "deleted_lists" not in plan and "deleted_txns" in plan


def test_requested_types_narrow_the_plan_and_unknown_ones_are_refused() -> None:
    assert plan_types({}, NOW, Policy(), requested=["invoices"]) == ["invoices"]
    with pytest.raises(KeyError, match="nope"):
        plan_types({}, NOW, Policy(), requested=["nope"])


def test_pick_next_prefers_active_and_pending_then_deferred() -> None:
    plan = ["accounts", "customers", "invoices"]
    cursors = {
        "accounts": _c("accounts", state=CursorState.DEFERRED.value),
        "customers": _c("customers", state=CursorState.DONE.value),
        "invoices": _c("invoices", state=CursorState.PENDING.value),
    }
    assert pick_next(plan, cursors) == "invoices"
    cursors["invoices"] = _c("invoices", state=CursorState.ERROR.value)
    assert pick_next(plan, cursors) == "accounts"
    cursors["accounts"] = _c("accounts", state=CursorState.DONE.value)
    assert pick_next(plan, cursors) is None


def test_watermark_is_rewound_in_quickbooks_own_offset() -> None:
    cursor = _c("customers", watermark="2026-07-01T10:00:00-08:00")
    assert from_modified(cursor, Policy()) == "2026-07-01T09:59:00-08:00"
    assert from_modified(_c("customers"), Policy()) is None


def test_offset_change_during_a_run_widens_the_rewind() -> None:
    cursor = _c(
        "customers", watermark="2026-03-08T10:00:00-07:00", min_offset=-480, max_offset=-420
    )
    assert from_modified(cursor, Policy()) == "2026-03-08T08:59:00-07:00"


def test_iterated_type_starts_then_continues_within_its_session() -> None:
    cursor = _c("customers", watermark="2026-01-01T00:00:00+00:00")
    spec, flying = next_query(cursor, Policy(page_size=100), "T1")
    assert spec.iterator is IteratorAction.START and spec.max_returned == 100
    assert spec.from_modified == "2025-12-31T23:59:00+00:00"
    assert flying.in_flight_request_id == spec.request_id and flying.in_flight_ticket == "T1"
    mid = flying.__class__(**{**flying.__dict__, "iterator_id": "{x}", "iterator_ticket": "T1"})
    spec2, _ = next_query(mid, Policy(), "T1")
    assert spec2.iterator is IteratorAction.CONTINUE and spec2.iterator_id == "{x}"
    assert spec2.request_id != spec.request_id
    spec3, _ = next_query(mid, Policy(), "T2")  # another session: the iterator is dead
    assert spec3.iterator is IteratorAction.START


def test_non_iterable_type_is_one_query_without_iterator() -> None:
    spec, _ = next_query(_c("accounts"), Policy(), "T")
    assert spec.iterator is None and spec.max_returned is None


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="page_size"):
        Policy(page_size=0)


@pytest.mark.parametrize("version", ["13.0", "16.0"])
def test_list_del_types_follow_the_data_type_table(version: str) -> None:
    """Derived from the ``*Ret`` names (issue 9): every value is one the schema's
    ListDelType enumerates, and every list type's deletions reach it."""
    from connector.qbxml.schema import Schema
    from connector.sync.plan import LIST_DEL_TYPES

    leaf = Schema.for_version(version).leaf("ListDeletedQueryRq", "ListDelType")
    assert leaf is not None and leaf.enum is not None
    assert set(LIST_DEL_TYPES) <= set(leaf.enum)
    reached = {key for keys in LIST_DEL_TYPES.values() for key in keys}
    assert reached == {d.key for d in QUERY_TYPES if d.kind is Kind.LIST}
    assert LIST_DEL_TYPES["ItemSalesTax"] == ("items", "sales_tax_items")
    assert LIST_DEL_TYPES["DateDrivenTerms"] == ("terms",)
