"""The QWC file a connection hands out, carrying the platform's branding.

Owns: which branding goes where in the QWC (PROTOCOL.md 1.6): AppName is the platform's
application name with the company's name (the Web Connector keys applications by name, so
two connections on one PC must differ), AppDescription its description. AppSupport stays
the service's own ``/support`` page, which shows the platform's name and links to its
support address: the Web Connector requires AppSupport on the same domain as AppURL
(QBWC1000) and fetches it (QBWC1003/1004), so the platform's own support URL cannot go
there directly. Must not: render XML itself (``connector.qbwc.qwc``).
"""

from __future__ import annotations

from connector.portal.operations import brand
from connector.settings import Settings
from connector.store.companies import CompanyRow
from connector.store.connections import ConnectionRow
from connector.store.db import Database


def branded_qwc(
    db: Database, settings: Settings, company: CompanyRow, connection: ConnectionRow
) -> str:
    from connector.qbwc.qwc import connection_qwc

    shown = brand(db, settings)
    return connection_qwc(
        settings, company, connection, app_name=shown.name, description=shown.description
    )
