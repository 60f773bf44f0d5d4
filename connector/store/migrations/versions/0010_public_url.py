"""The base URL ``serve`` last ran with, for QWC files made outside it (issue 11 item 6).

``qbd-connector connection create`` runs beside the service, not in it: without this it
wrote QWC files pointing at ``http://localhost:8080`` whatever ``--public-url`` the service
was started with. Null until a ``serve`` records one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_public_url"
down_revision = "0009_api_key_scopes"


def upgrade() -> None:
    with op.batch_alter_table("platform_settings") as batch:
        batch.add_column(sa.Column("public_url", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("platform_settings") as batch:
        batch.drop_column("public_url")
