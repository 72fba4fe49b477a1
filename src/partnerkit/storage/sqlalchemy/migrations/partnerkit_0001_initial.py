"""partnerkit 0001: the tables of partnerkit's own aggregate kinds, and the sequences table.

Revision ID: partnerkit_0001
Revises:
Create Date: 2026-12-06

Frozen: a later change of partnerkit's specs gets a revision of its own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "partnerkit_0001"
down_revision: str | None = None
branch_labels = ("partnerkit",)
depends_on: str | None = None

# (kind, [(index, type, unique)]) as the specs of this release declared them.
_KINDS: list[tuple[str, list[tuple[str, str, bool]]]] = [
    ("programs", []),
    (
        "partners",
        [
            ("domain", "text", True),
            ("tier", "text", False),
            ("partner_type", "text", False),
            ("region", "text", False),
            ("stage", "text", False),
            ("account_manager", "text", False),
        ],
    ),
    (
        "partner_users",
        [
            ("partner_id", "text", False),
            ("status", "text", False),
            ("role", "text", False),
            ("email", "text", True),
        ],
    ),
    ("prospects", [("domain", "text", True)]),
    (
        "deal_registrations",
        [
            ("partner_id", "text", False),
            ("prospect_id", "text", False),
            ("stage", "text", False),
            ("active_key", "text", True),
        ],
    ),
    (
        "quotes",
        [
            ("number", "text", False),
            ("partner_id", "text", False),
            ("prospect_id", "text", False),
            ("registration_id", "text", False),
            ("status", "text", False),
            ("renews", "text", False),
        ],
    ),
    (
        "orders",
        [
            ("number", "text", True),
            ("quote_id", "text", True),
            ("partner_id", "text", False),
            ("registration_id", "text", False),
            ("status", "text", False),
        ],
    ),
    (
        "subscriptions",
        [
            ("order_id", "text", True),
            ("partner_id", "text", False),
            ("term_end", "bigint", False),
        ],
    ),
]


def _text() -> sa.types.TypeEngine[str]:
    # Ordered by code point on PostgreSQL too, as in Python and SQLite.
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def upgrade() -> None:
    """Create the sequences table and one table per kind, with their constraints and indexes."""
    op.create_table(
        "partnerkit_sequences",
        sa.Column("name", _text(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="partnerkit_sequences_pkey"),
    )
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
    """Drop every table the upgrade created (and the rows in them)."""
    for kind, _ in reversed(_KINDS):
        op.drop_table(f"partnerkit_{kind}")
    op.drop_table("partnerkit_sequences")
