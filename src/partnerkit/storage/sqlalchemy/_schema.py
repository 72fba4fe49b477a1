"""partnerkit's tables in SQLAlchemy terms: one per aggregate kind, and the sequences table."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from partnerkit.core.errors import ValidationError
from partnerkit.storage._builtin import BUILTIN_SPECS
from partnerkit.storage._ports import AggregateSpec, Index

__all__ = [
    "SEQUENCES_TABLE",
    "TABLE_PREFIX",
    "column_name",
    "index_type",
    "metadata_for",
    "table_name",
]

#: Every table partnerkit creates starts with this prefix.
TABLE_PREFIX = "partnerkit_"

#: The table of :class:`~partnerkit.storage.Sequences` counters.
SEQUENCES_TABLE = "partnerkit_sequences"

# PostgreSQL truncates longer identifiers, which would break the constraint-name mapping.
_MAX_NAME = 63

# Text compares by code point, as Python and SQLite do: COLLATE "C" on PostgreSQL.
_TEXT = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
_BODY = sa.JSON().with_variant(JSONB(), "postgresql")


def table_name(kind: str) -> str:
    """The table of an aggregate kind: ``partnerkit_<kind>``."""
    return TABLE_PREFIX + kind


def column_name(index: str) -> str:
    """The column of an index: ``idx_<name>``."""
    return "idx_" + index


def index_type(index: Index[Any]) -> type[str] | type[int]:
    """The declared type of ``index``: ``str`` (a text column) or ``int`` (a bigint column)."""
    return index.type


def constraint_name(table: str, suffix: str) -> str:
    """A constraint or index name of at most 63 characters, unique for ``table`` and ``suffix``."""
    name = f"{table}_{suffix}"
    if len(name) <= _MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{name[: _MAX_NAME - 11]}_{digest}"


def unique_name(kind: str, index: str) -> str:
    """The name of the unique constraint of a unique index: ``partnerkit_<kind>_<index>_key``."""
    return constraint_name(table_name(kind), f"{index}_key")


def _column_type(kind: type[str] | type[int]) -> sa.types.TypeEngine[Any]:
    return sa.BigInteger() if kind is int else _TEXT


def table_for(spec: AggregateSpec[Any], metadata: sa.MetaData) -> sa.Table:
    """Add the table of ``spec`` to ``metadata`` (or return it if an equal one is there)."""
    name = table_name(spec.kind)
    columns: list[sa.schema.SchemaItem] = [
        sa.Column("id", _TEXT, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("schema", sa.Integer(), nullable=False),
        sa.Column("body", _BODY, nullable=False),
        sa.PrimaryKeyConstraint("id", name=constraint_name(name, "pkey")),
    ]
    for index in spec.indexes:
        column = column_name(index.name)
        columns.append(sa.Column(column, _column_type(index_type(index)), nullable=True))
        if index.unique:
            columns.append(sa.UniqueConstraint(column, name=unique_name(spec.kind, index.name)))
        else:
            columns.append(sa.Index(constraint_name(name, f"{index.name}_idx"), column, "id"))
    existing = metadata.tables.get(name)
    if existing is not None:
        if _shape(existing) != _shape(sa.Table(name, sa.MetaData(), *columns)):
            raise ValidationError.single(
                "specs",
                "duplicate",
                f"{name} is already in the metadata with other columns or constraints",
            )
        return existing
    return sa.Table(name, metadata, *columns)


def _shape(table: sa.Table) -> tuple[object, ...]:
    columns = tuple((c.name, repr(c.type), c.nullable) for c in table.columns)
    unique = tuple(
        sorted(
            (str(c.name), tuple(col.name for col in c.columns))
            for c in table.constraints
            if isinstance(c, sa.UniqueConstraint)
        )
    )
    indexes = tuple(sorted((str(i.name), tuple(c.name for c in i.columns)) for i in table.indexes))
    return columns, unique, indexes


def sequences_table(metadata: sa.MetaData) -> sa.Table:
    """Add the sequences table to ``metadata`` (or return the one there)."""
    existing = metadata.tables.get(SEQUENCES_TABLE)
    if existing is not None:
        return existing
    return sa.Table(
        SEQUENCES_TABLE,
        metadata,
        sa.Column("name", _TEXT, nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=constraint_name(SEQUENCES_TABLE, "pkey")),
    )


def metadata_for(
    specs: Iterable[AggregateSpec[Any]] = BUILTIN_SPECS, metadata: sa.MetaData | None = None
) -> sa.MetaData:
    """Return ``metadata`` (a new one if ``None``) holding partnerkit's tables for ``specs``.

    Adds one table ``partnerkit_<kind>`` per spec (columns ``id``, ``version``,
    ``schema``, ``body`` and one ``idx_<name>`` per index) and the
    ``partnerkit_sequences`` table, so a host's Alembic autogenerate sees
    them beside its own. Adding the same specs twice changes nothing.

    Raises:
        ValidationError: two different specs share a kind, or ``metadata``
            already holds a table of that name with other columns.

    """
    target = sa.MetaData() if metadata is None else metadata
    sequences_table(target)
    seen: dict[str, AggregateSpec[Any]] = {}
    for spec in specs:
        if spec.kind in seen and seen[spec.kind] != spec:
            raise ValidationError.single(
                "specs", "duplicate", f"two different specs have the kind {spec.kind!r}"
            )
        seen[spec.kind] = spec
        table_for(spec, target)
    return target
