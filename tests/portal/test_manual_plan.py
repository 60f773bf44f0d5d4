"""A manual sync's plan: the requested types first, in the plan's order, then the rest."""

from __future__ import annotations

from connector.sync.manual import requested_first

PLAN = ["accounts", "customers", "items", "invoices", "deleted_txns"]


def test_requested_types_run_first_in_plan_order_then_the_rest() -> None:
    assert requested_first(PLAN, ["invoices", "customers"]) == [
        "customers", "invoices", "accounts", "items", "deleted_txns",
    ]  # fmt: skip


def test_a_requested_sweep_not_due_is_added_and_none_keeps_the_plan() -> None:
    assert requested_first(PLAN[:4], ["deleted_lists"]) == ["deleted_lists", *PLAN[:4]]
    assert requested_first(PLAN, None) == PLAN
    assert requested_first(PLAN, []) == PLAN
