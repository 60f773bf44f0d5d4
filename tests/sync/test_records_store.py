"""The records store: lossless JSON, bulk upserts (created/updated/unchanged), deletions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import insert, text

from connector.store import records as store
from connector.store.companies import create_company
from connector.store.db import Database
from connector.store.records import IncomingRecord, decode_data, encode_data
from connector.store.tables_sync import records

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PST = timezone(timedelta(hours=-8))


def _rec(qb_id: str, edit: str, name: str = "Acme", data_type: str = "customers") -> IncomingRecord:
    data = {
        "ListID": qb_id,
        "TimeModified": datetime(2026, 2, 1, 9, 30, tzinfo=PST),
        "EditSequence": edit,
        "Name": name,
        "Balance": Decimal("1234.50"),
        "ShipAddress": [{"Addr1": "1 Main St"}],
    }
    return IncomingRecord(data_type, qb_id, "CustomerRet", data, {"id": qb_id}, edit_sequence=edit)


def test_json_round_trip_keeps_types_and_offsets() -> None:
    value = {
        "Amount": Decimal("-0.10"),
        "TxnDate": date(2026, 1, 31),
        "TimeModified": datetime(2026, 7, 1, 10, 11, 12, tzinfo=PST),
        "IsActive": True,
        "Count": 3,
        "Lines": [{"Rate": Decimal("1.23456")}, {"Memo": "$decimal"}],
    }
    back = decode_data(encode_data(value))
    assert back == value
    assert back["TimeModified"].utcoffset() == timedelta(hours=-8)  # type: ignore[union-attr]
    assert str(back["Amount"]) == "-0.10"


def test_encode_refuses_unknown_types() -> None:
    with pytest.raises(TypeError, match="set"):
        encode_data({"Amount": {1, 2}})  # type: ignore[dict-item]


def test_upsert_counts_created_updated_unchanged(db: Database) -> None:
    company = create_company(db, "Acme").id
    with db.begin() as conn:
        first = store.upsert_records(conn, company, [_rec("1", "a"), _rec("2", "a")], NOW)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    with db.begin() as conn:
        again = store.upsert_records(
            conn, company, [_rec("1", "a"), _rec("2", "b", "Renamed"), _rec("3", "a")], NOW
        )
    assert (again.created, again.updated, again.unchanged) == (1, 1, 1)
    with db.begin() as conn:
        row = store.get_record(conn, company, "customers", "2")
        assert row is not None and row.data["Name"] == "Renamed"
        assert row.data["Balance"] == Decimal("1234.50")
        assert store.count_records(conn, company) == {"customers": 3}


def test_a_repeated_id_in_one_batch_stores_its_last_version(db: Database) -> None:
    """A page may carry one record twice (it changed while the iterator ran): the later one,
    in document order, is QuickBooks' newer answer, whether the record is new or known."""
    company = create_company(db, "Acme").id
    with db.begin() as conn:
        counts = store.upsert_records(
            conn, company, [_rec("1", "a", "First"), _rec("2", "a"), _rec("1", "b", "Second")], NOW
        )
        assert (counts.created, counts.updated, counts.unchanged) == (2, 0, 0)
        row = store.get_record(conn, company, "customers", "1")
        assert row is not None and (row.data["Name"], row.edit_sequence) == ("Second", "b")
        store.upsert_records(
            conn, company, [_rec("1", "b", "Second"), _rec("1", "c", "Third")], NOW
        )
        row = store.get_record(conn, company, "customers", "1")
        assert row is not None and (row.data["Name"], row.edit_sequence) == ("Third", "c")


def test_mark_deleted_then_reappearing_record_is_live_again(db: Database) -> None:
    company = create_company(db, "Acme").id
    with db.begin() as conn:
        store.upsert_records(conn, company, [_rec("1", "a"), _rec("2", "a")], NOW)
        assert store.mark_deleted(conn, company, "customers", ["1", "9"], NOW) == 1
        assert store.mark_deleted(conn, company, "customers", ["1"], NOW) == 0
        assert [r.qb_id for r in store.iter_records(conn, company, "customers")] == ["2"]
        back = store.upsert_records(conn, company, [_rec("1", "a")], NOW)
        assert back.updated == 1
        assert store.count_records(conn, company) == {"customers": 2}


def test_one_data_type_per_batch(db: Database) -> None:
    company = create_company(db, "Acme").id
    with db.begin() as conn, pytest.raises(ValueError, match="one data type"):
        store.upsert_records(
            conn, company, [_rec("1", "a"), _rec("2", "a", data_type="vendors")], NOW
        )


def test_pages_follow_id_order(db: Database) -> None:
    company = create_company(db, "Acme").id
    with db.begin() as conn:
        store.upsert_records(conn, company, [_rec(str(i), "a") for i in range(25)], NOW)
        first = store.page_records(conn, company, "customers", store.Window(limit=10))
        second = store.page_records(
            conn, company, "customers", store.Window(after_id=first[-1].id, limit=10)
        )
    assert len(first) == 10 and len(second) == 10
    assert {r.qb_id for r in first}.isdisjoint({r.qb_id for r in second})


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"Name": "Café «Ünïcode» 東京 \U0001f600"}, id="non-ascii"),
        pytest.param({"Memo": 'a"b\\c/d\n\r\t\b\f\x00\x1f\x7f\u2028\u2029'}, id="escapes"),
        pytest.param({"Count": 2**70, "Neg": -(2**64)}, id="int-beyond-64-bits"),
        pytest.param({"Memo": "\ud800"}, id="lone-surrogate"),
        pytest.param({"A": [], "B": {}, "C": [{"D": None}], "E": False}, id="empties"),
    ],
)
def test_json_text_is_what_json_dumps_writes(value: dict[str, object]) -> None:
    # orjson writes it (fast path) or json does (fallback): either way the same text.
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert encode_data(value) == expected  # type: ignore[arg-type]
    assert decode_data(expected) == value


def test_upsert_stores_the_values_sqlalchemy_would(db: Database) -> None:
    # The upsert runs at driver level: its stored columns must be the ones a SQLAlchemy insert
    # of the same values gives (DateTime formats: reads and modified_since compare with them).
    company = create_company(db, "Acme").id
    now = datetime(2026, 3, 1, 14, 5, 6, 789, tzinfo=timezone(timedelta(hours=2)))
    item = IncomingRecord(
        "customers",
        "1",
        "CustomerRet",
        {"ListID": "1", "Balance": Decimal("1.50")},
        {"id": "1", "name": "Ünï"},
        time_modified="2026-02-01T09:30:00-08:00",
        time_modified_utc=datetime(2026, 2, 1, 17, 30, 0, 123456, tzinfo=UTC),
        edit_sequence="e1",
    )
    with db.begin() as conn:
        store.upsert_records(conn, company, [item], now)
        conn.execute(
            insert(records).values(
                company_id=company,
                data_type="customers",
                qb_id="2",
                ret=item.ret,
                time_modified=item.time_modified,
                time_modified_utc=item.time_modified_utc,
                edit_sequence=item.edit_sequence,
                data=encode_data(item.data),
                normalised=json.dumps(item.normalised, separators=(",", ":"), ensure_ascii=False),
                deleted_at=None,
                created_at=now,
                updated_at=now,
            )
        )
        raw = {
            row.qb_id: row._asdict()
            for row in conn.execute(
                text("SELECT * FROM records WHERE company_id = :c"), {"c": company}
            )
        }
        assert (
            len(store.page_records(conn, company, "customers", store.Window(modified_since=now)))
            == 2
        )
    ours, theirs = raw["1"], raw["2"]
    for name in ("id", "qb_id"):
        del ours[name], theirs[name]
    assert ours == theirs
