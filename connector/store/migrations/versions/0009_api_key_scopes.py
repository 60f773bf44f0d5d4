"""API keys per tenant: admin keys, and keys scoped to named companies (issue 19).

Keys that exist before the upgrade stay admin keys (``scoped`` false): they could reach
every company before, and nothing they did stops working.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connector.store.migrations import kit

revision = "0009_api_key_scopes"
down_revision = "0008_ticket_hash"


def upgrade() -> None:
    op.add_column(
        "api_keys",
        sa.Column("scoped", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "api_key_companies",
        sa.Column("key_id", kit.ID, nullable=False),
        sa.Column("company_id", kit.ID, nullable=False),
        kit.cascade_fk("api_key_companies", "key_id", "api_keys"),
        kit.cascade_fk("api_key_companies", "company_id", "companies"),
        kit.pk("api_key_companies", "key_id", "company_id"),
    )
    op.create_index(op.f("ix_api_key_companies_company_id"), "api_key_companies", ["company_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_api_key_companies_company_id"), table_name="api_key_companies")
    op.drop_table("api_key_companies")
    op.drop_column("api_keys", "scoped")
