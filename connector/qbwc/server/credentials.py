"""Checking Web Connector credentials under the lockout policy (the imperative shell).

Owns: the order of the credential check: lockout state first (a locked or throttled username
is refused at once, without an argon2id hash, so throttled calls cost nothing; the failure
record and the connection are read in one transaction), then the password
(``password_matches``, which costs one argon2id hash whether or not the username exists,
outside any transaction), then the failure record. Failures are counted per username *and* source
address (issue 18 item 3): anyone can read a username in a QWC file, and failures from one
address must never lock the right password out from another. Unknown usernames are counted
exactly like known ones, so ``nvu`` reveals nothing (PG p.21).
Must not: decide sessions (``connector.qbwc.server.authenticate``) or speak SOAP.
"""

from __future__ import annotations

from datetime import datetime

from connector import secrets
from connector.qbwc.server import lockout
from connector.store import qbwc_sessions as store
from connector.store.connections import (
    ConnectionRow,
    find_connection_by_username,
    password_matches,
)
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
    source: str = "",
) -> ConnectionRow | None:
    """The connection when the username may try now from ``source`` (the caller's address)
    and the password is right, else None."""
    name = (username or "").strip()
    secret = password or ""
    if not name or len(name) > MAX_USERNAME or len(secret) > MAX_PASSWORD:
        secrets.burn_verification(secret[:MAX_PASSWORD])
        return None
    source = source[:64]
    with database.begin(write=False) as conn:  # one read for both; the hash outside it
        record = store.load_auth_failure(conn, name, source)
        allowed = lockout.may_attempt(policy, record, now)
        found = find_connection_by_username(conn, name) if allowed else None
    if not allowed:
        return None  # throttled or locked: answered at once, no hash to spend CPU on
    row = password_matches(found, secret)
    if row is not None and record is None:
        return row
    with database.begin() as conn:
        current = store.load_auth_failure(conn, name, source, lock=True)
        if row is None:
            record = lockout.after_failure(policy, current, now)
            store.store_auth_failure(conn, name, record, source)
        elif current is not None:
            store.clear_auth_failures(conn, name, source)
    return row
