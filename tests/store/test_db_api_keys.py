"""API keys: shown once, stored hashed, verified by prefix + hash, revocable."""

from __future__ import annotations

import pytest

from connector.store.api_keys import create_api_key, list_api_keys, revoke_api_key, verify_api_key
from connector.store.db import Database
from connector.store.errors import InvalidValue
from connector.store.tables_core import api_keys


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
