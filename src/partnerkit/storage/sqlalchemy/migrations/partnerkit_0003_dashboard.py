"""partnerkit 0003: the table of daily dashboard snapshots.

Revision ID: partnerkit_0003
Revises: partnerkit_0002
Create Date: 2026-12-07

Frozen: a later change of partnerkit's specs gets a revision of its own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "partnerkit_0003"
down_revision: str | None = "partnerkit_0002"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

# (kind, [(index, type, unique)]) as the specs of this release declared them.
_KINDS: list[tuple[str, list[tuple[str, str, bool]]]] = [
    ("dashboard_snapshots", [("partner_id", "text", False), ("day", "text", False)]),
]


def _text() -> sa.types.TypeEngine[str]:
    # Ordered by code point on PostgreSQL too, as in Python and SQLite.
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def upgrade() -> None:
    """Create one table per kind, with its constraints and indexes."""
    for kind, indexes in _KINDS:
        table = f"partnerkit_{kind}"
        items: list[sa.schema.SchemaItem] = [
            sa.Column("id", _text(), nullable=False),
            sa.Column("version", sa.BigInteger(), nullable=False),
            sa.Column("schema", sa.Integer(), nullable=False),
            sa.Column(
                "body", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
            ),
            sa.PrimaryKeyConstraint("id", name=f"{table}_pkey"),
        ]
        for name, type_, unique in indexes:
            column_type = sa.BigInteger() if type_ == "bigint" else _text()
            items.append(sa.Column(f"idx_{name}", column_type, nullable=True))
            if unique:
                items.append(sa.UniqueConstraint(f"idx_{name}", name=f"{table}_{name}_key"))
        op.create_table(table, *items)
        for name, _, unique in indexes:
            if not unique:
                op.create_index(f"{table}_{name}_idx", table, [f"idx_{name}", "id"])


def downgrade() -> None:
    """Drop the tables the upgrade created (and the rows in them)."""
    for kind, _ in reversed(_KINDS):
        op.drop_table(f"partnerkit_{kind}")
