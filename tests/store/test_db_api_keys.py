"""API keys: shown once, stored hashed, verified by prefix + hash, revocable, admin or scoped."""

from __future__ import annotations

import pytest

from connector.store.api_keys import (
    create_api_key,
    find_api_key,
    get_api_key,
    list_api_keys,
    revoke_api_key,
    verify_api_key,
)
from connector.store.companies import create_company
from connector.store.db import Database
from connector.store.errors import ApiKeyNotFound, CompanyNotFound, InvalidValue
from connector.store.tables_core import api_keys, companies


def test_a_key_verifies_and_is_stored_only_hashed(db: Database) -> None:
    row, key = create_api_key(db, "ci")
    assert key.startswith(f"qbdk_{row.prefix}_")
    assert verify_api_key(db, key) == row
    with db.begin() as conn:
        stored = conn.execute(api_keys.select()).mappings().one()
    assert stored["key_hash"].startswith("$argon2id$") and key not in str(dict(stored))
    assert list_api_keys(db) == [row]


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda k: k + "x", id="wrong-secret"),
        pytest.param(lambda k: "qbdk_00000000_" + k.split("_", 2)[2], id="unknown-prefix"),
        pytest.param(lambda k: "Bearer " + k, id="malformed"),
        pytest.param(lambda k: "", id="empty"),
    ],
)
def test_wrong_keys_are_refused(db: Database, mangle: object) -> None:
    _, key = create_api_key(db)
    assert callable(mangle)
    assert verify_api_key(db, mangle(key)) is None


def test_a_revoked_key_is_refused(db: Database) -> None:
    row, key = create_api_key(db)
    revoked = revoke_api_key(db, row.id)
    assert revoked.revoked_at is not None
    assert revoke_api_key(db, row.id).revoked_at == revoked.revoked_at
    assert verify_api_key(db, key) is None


def test_a_key_needs_a_name(db: Database) -> None:
    with pytest.raises(InvalidValue):
        create_api_key(db, " ")


def test_a_scoped_key_names_its_companies_by_id_or_name(db: Database) -> None:
    acme = create_company(db, "Acme")
    beta = create_company(db, "Beta")
    create_company(db, "Gamma")
    row, key = create_api_key(db, "lender", companies=["Acme", beta.id, "Acme"])
    assert row.company_ids == tuple(sorted((acme.id, beta.id))) and not row.is_admin
    assert verify_api_key(db, key) == row
    admin, _ = create_api_key(db, "admin")
    assert admin.company_ids is None and admin.is_admin


def test_a_scoped_key_for_an_unknown_company_creates_nothing(db: Database) -> None:
    create_company(db, "Acme")
    with pytest.raises(CompanyNotFound):
        create_api_key(db, "x", companies=["Acme", "Nope"])
    with pytest.raises(InvalidValue):
        create_api_key(db, "x", companies=[])
    assert list_api_keys(db) == []


def test_a_deleted_company_leaves_its_key_scoped_to_nothing_not_admin(db: Database) -> None:
    acme = create_company(db, "Acme")
    row, _ = create_api_key(db, "x", companies=[acme.id])
    with db.begin() as conn:
        conn.execute(companies.delete().where(companies.c.id == acme.id))
    assert get_api_key(db, row.id).company_ids == ()


def test_find_a_key_by_id_prefix_or_name(db: Database) -> None:
    row, key = create_api_key(db, "ci")
    for text in (row.id, row.prefix, f"qbdk_{row.prefix}", key, "ci"):
        assert find_api_key(db, text) == row
    with pytest.raises(ApiKeyNotFound):
        find_api_key(db, "nothing")
    twin, _ = create_api_key(db, "ci")
    with pytest.raises(InvalidValue, match="several API keys"):
        find_api_key(db, "ci")
    revoke_api_key(db, row.id)
    assert find_api_key(db, "ci") == twin  # only the live one of that name counts
