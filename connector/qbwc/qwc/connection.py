"""A connection's QWC file, from the service's settings and the connection's store rows.

Owns: what the service writes into the QWC it hands out (AppURL and AppSupport under the
public URL, AppName with the company's name, the connection's UserName, OwnerID, FileID and
schedule) and where the service serves it (``connection_qwc_url``). The API's QWC download,
``connection create --qwc-out`` and the demo all use it.
Must not: read the store or the environment (the caller passes the rows and settings).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connector.qbwc.qwc.document import render_qwc

if TYPE_CHECKING:
    from connector.settings import Settings
    from connector.store.companies import CompanyRow
    from connector.store.connections import ConnectionRow

__all__ = ["connection_qwc", "connection_qwc_url"]


def connection_qwc(
    settings: Settings,
    company: CompanyRow,
    connection: ConnectionRow,
    *,
    app_name: str | None = None,
    description: str | None = None,
) -> str:
    """The QWC file the user adds to the Web Connector for this connection (PROTOCOL.md 1.6).

    AppName carries the company name: the Web Connector keys applications by name, so two
    connections of one PC must differ there (PROTOCOL.md 1.6, RB README). Raises ``QwcError``
    when the Web Connector would refuse the file (e.g. a public URL that is an IP address).
    ``app_name`` and ``description`` are the platform's branding (``connector.portal.qwc``)
    when it set one.
    """
    return render_qwc(
        app_name=f"{app_name or settings.app_name} ({company.name})",
        app_url=f"{settings.public_url}/qbwc",
        app_support=f"{settings.public_url}/support",
        app_description=description
        or f"Shares {company.name}'s QuickBooks data through {settings.app_name}",
        user_name=connection.username,
        owner_id=connection.owner_id,
        file_id=connection.file_id,
        run_every_minutes=connection.schedule_every_minutes,
    )


def connection_qwc_url(settings: Settings, connection: ConnectionRow) -> str:
    """Where the REST API serves the connection's QWC file (``GET .../connections/{id}/qwc``,
    DESIGN.md); a link-flow URL exists only as a link's token
    (``connector.portal.operations.create_link``)."""
    base = f"{settings.public_url}/api/v1/companies/{connection.company_id}"
    return f"{base}/connections/{connection.id}/qwc"
