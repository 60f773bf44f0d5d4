"""Checking Web Connector credentials under the lockout policy (the imperative shell).

Owns: the order of the credential check: lockout state first (a locked or throttled username
is refused without looking at its password), then the password (H6's
``verify_connection_password``, which costs one argon2id hash whether or not the username
exists), then the failure record. Unknown usernames are counted exactly like known ones, so
``nvu`` reveals nothing (PG p.21).
Must not: decide sessions (``connector.qbwc.server.authenticate``) or speak SOAP.
"""

from __future__ import annotations

from datetime import datetime

from connector import secrets
from connector.qbwc.server import lockout
from connector.store import qbwc_sessions as store
from connector.store.connections import ConnectionRow, verify_connection_password
from connector.store.db import Database

MAX_USERNAME = 255
MAX_PASSWORD = 1024
"""Longer values are refused outright (argon2 would hash them, slowly)."""


def check_credentials(
    database: Database,
    policy: lockout.LockoutPolicy,
    username: str | None,
    password: str | None,
    now: datetime,
) -> ConnectionRow | None:
    """The connection when the username may try now and the password is right, else None."""
    name = (username or "").strip()
    secret = password or ""
    if not name or len(name) > MAX_USERNAME or len(secret) > MAX_PASSWORD:
        secrets.burn_verification(secret[:MAX_PASSWORD])
        return None
    with database.begin(write=False) as conn:
        record = store.load_auth_failure(conn, name)
    if not lockout.may_attempt(policy, record, now):
        secrets.burn_verification(secret)  # same cost as a real check
        return None
    row = verify_connection_password(database, name, secret)
    if row is not None and record is None:
        return row
    with database.begin() as conn:
        current = store.load_auth_failure(conn, name, lock=True)
        if row is None:
            store.store_auth_failure(conn, name, lockout.after_failure(policy, current, now))
        elif current is not None:
            store.clear_auth_failures(conn, name)
    return row
