"""Every write handler of the fake QuickBooks, in one registry.

Owns: joining the list, transaction, payment and delete/void/DataExt handler tables.
Must not: hold handler logic.
"""

from __future__ import annotations

from .context import Handler
from .write_delete import delete_handlers
from .write_lists import list_write_handlers
from .write_payments import payment_handlers
from .write_txns import txn_write_handlers


def write_handlers() -> dict[str, Handler]:
    return list_write_handlers() | txn_write_handlers() | payment_handlers() | delete_handlers()
