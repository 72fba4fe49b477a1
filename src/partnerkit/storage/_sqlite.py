"""The SQLite reference backend (stdlib ``sqlite3``): the embedded real database."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from partnerkit.core import EventDispatcher
from partnerkit.core.errors import Conflict, NotFound, ValidationError
from partnerkit.storage._common import (
    BaseRepository,
    BaseUnitOfWork,
    Where,
    check_listing,
    decode_body,
    encode_body,
    encode_cursor,
    listing_key,
    normalize_where,
    with_version,
)
from partnerkit.storage._ports import (
    DEFAULT_PAGE_SIZE,
    AggregateSpec,
    IndexValue,
    Page,
    Sequences,
)

__all__ = ["SCHEMA_VERSION", "SqliteStorage", "SqliteUnitOfWork"]

A = TypeVar("A")

# The storage's own tables, migrated in order; PRAGMA user_version records how far.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS pk_sequences (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS pk_tables (
        kind TEXT PRIMARY KEY,
        indexes TEXT NOT NULL
    );
    """,
)

#: The version of partnerkit's own SQLite schema that this release writes.
SCHEMA_VERSION = len(_MIGRATIONS)


class SqliteStorage:
    """Stores aggregates in one SQLite file: a table per kind, a JSON body, indexed columns.

    Opens the database in WAL mode and brings partnerkit's own schema up to
    date (migrations kept in code; ``PRAGMA user_version`` tracks them).
    Each aggregate kind gets a table ``agg_<kind>`` with ``id``, ``version``,
    ``schema``, ``body`` and one ``idx_<name>`` column per index, created on
    first use; indexes added later are back-filled. Safe to use from several
    threads and processes: every unit of work has its own connection and
    writes in one ``BEGIN IMMEDIATE`` transaction.

    ``path`` must name a file: every unit of work opens its own
    connection, and each connection to ``":memory:"`` would be a new, empty
    database (use :class:`~partnerkit.storage.MemoryStorage` instead).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        dispatcher: EventDispatcher | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.path = os.fspath(path)
        if self.path == ":memory:" or self.path.startswith("file::memory:") or not self.path:
            raise ValidationError.single(
                "path",
                "invalid",
                "SqliteStorage needs a database file; use MemoryStorage for an in-memory store",
            )
        self.dispatcher = dispatcher
        self.timeout = timeout
        self._ready: set[tuple[str, tuple[tuple[str, bool], ...]]] = set()
        self._ready_lock = threading.Lock()
        conn = self.connect()
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("BEGIN IMMEDIATE")
            (current,) = conn.execute("PRAGMA user_version").fetchone()
            for number in range(current, SCHEMA_VERSION):
                for statement in _MIGRATIONS[number].split(";"):
                    if statement.strip():
                        conn.execute(statement)
            if current < SCHEMA_VERSION:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        finally:
            conn.close()

    def connect(self) -> sqlite3.Connection:
        """Open a new connection with partnerkit's settings (autocommit; explicit transactions)."""
        conn = sqlite3.connect(
            self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def unit_of_work(self) -> SqliteUnitOfWork:
        """Return a new unit of work with its own connection."""
        return SqliteUnitOfWork(self)

    def __repr__(self) -> str:
        return f"SqliteStorage({self.path!r})"


def _table(kind: str) -> str:
    return f"agg_{kind}"


def _ensure_table(conn: sqlite3.Connection, spec: AggregateSpec[Any]) -> None:
    """Create or migrate the table of ``spec`` inside the caller's transaction."""
    table = _table(spec.kind)
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {table} ("
        "id TEXT PRIMARY KEY, version INTEGER NOT NULL, schema INTEGER NOT NULL, "
        "body TEXT NOT NULL)"
    )
    row = conn.execute("SELECT indexes FROM pk_tables WHERE kind = ?", (spec.kind,)).fetchone()
    known: dict[str, bool] = json.loads(row[0]) if row else {}
    wanted = {index.name: index.unique for index in spec.indexes}
    if row is not None and known == wanted:
        return
    columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
    for name, unique in known.items():
        if wanted.get(name) != unique:
            conn.execute(f"DROP INDEX IF EXISTS {table}_{name}")
    added = [index for index in spec.indexes if f"idx_{index.name}" not in columns]
    for index in added:
        conn.execute(f"ALTER TABLE {table} ADD COLUMN idx_{index.name}")
    changed = [i for i in spec.indexes if i.name not in known or known[i.name] != i.unique]
    if changed:
        # Back-fill the new or changed index columns from the stored bodies.
        for id, version, schema, body in conn.execute(
            f"SELECT id, version, schema, body FROM {table}"
        ).fetchall():
            values = spec.index_values(decode_body(spec, body, version, schema))
            conn.execute(
                f"UPDATE {table} SET "
                + ", ".join(f"idx_{i.name} = ?" for i in changed)
                + " WHERE id = ?",
                [values[i.name] for i in changed] + [id],
            )
    for index in changed:
        if index.unique:
            statement = f"CREATE UNIQUE INDEX {table}_{index.name} ON {table} (idx_{index.name})"
        else:
            statement = f"CREATE INDEX {table}_{index.name} ON {table} (idx_{index.name}, id)"
        conn.execute(statement)
    conn.execute(
        "INSERT INTO pk_tables (kind, indexes) VALUES (?, ?) "
        "ON CONFLICT (kind) DO UPDATE SET indexes = excluded.indexes",
        (spec.kind, json.dumps(wanted, sort_keys=True)),
    )


class _SqliteSequences:
    def __init__(self, uow: SqliteUnitOfWork) -> None:
        self._uow = uow

    def next(self, name: str) -> int:
        conn = self._uow._connection()
        conn.execute(
            "INSERT INTO pk_sequences (name, value) VALUES (?, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1",
            (name,),
        )
        (value,) = conn.execute("SELECT value FROM pk_sequences WHERE name = ?", (name,)).fetchone()
        return int(value)


class SqliteUnitOfWork(BaseUnitOfWork):
    """A unit of work over :class:`SqliteStorage`: one connection, one write transaction."""

    def __init__(self, storage: SqliteStorage) -> None:
        super().__init__(storage.dispatcher)
        self._storage = storage
        self._conn: sqlite3.Connection | None = None
        self._in_transaction = False
        self._pending_ready: set[tuple[str, tuple[tuple[str, bool], ...]]] = set()
        self.sequences: Sequences = _SqliteSequences(self)

    def __enter__(self) -> SqliteUnitOfWork:
        super().__enter__()
        return self

    def _connection(self) -> sqlite3.Connection:
        self._require_active()
        if self._conn is None:
            self._conn = self._storage.connect()
        if not self._in_transaction:
            self._conn.execute("BEGIN IMMEDIATE")
            self._in_transaction = True
        return self._conn

    def repository(self, spec: AggregateSpec[A]) -> SqliteRepository[A]:
        """Return the repository for ``spec`` (creating or migrating its table on first use)."""
        key = (spec.kind, tuple((i.name, i.unique) for i in spec.indexes))
        if key not in self._storage._ready and key not in self._pending_ready:
            _ensure_table(self._connection(), spec)
            self._pending_ready.add(key)
        return SqliteRepository(self, spec)

    def _begin(self) -> None:
        self._in_transaction = False
        self._pending_ready = set()

    def _commit(self) -> None:
        if self._conn is not None and self._in_transaction:
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error:
                self._conn.execute("ROLLBACK")
                raise
            self._in_transaction = False
            with self._storage._ready_lock:
                self._storage._ready |= self._pending_ready

    def _rollback(self) -> None:
        if self._conn is not None and self._in_transaction:
            self._conn.execute("ROLLBACK")
        self._in_transaction = False

    def _after_commit(self) -> None:
        self._pending_ready = set()

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class SqliteRepository(BaseRepository[A]):
    """The :class:`~partnerkit.storage.Repository` of :class:`SqliteUnitOfWork`."""

    def __init__(self, uow: SqliteUnitOfWork, spec: AggregateSpec[A]) -> None:
        self._uow = uow
        self._spec = spec
        self._table = _table(spec.kind)

    def find(self, id: str) -> A | None:
        """Return the aggregate with identifier ``id``, or ``None``."""
        row = (
            self._uow._connection()
            .execute(f"SELECT version, schema, body FROM {self._table} WHERE id = ?", (id,))
            .fetchone()
        )
        if row is None:
            return None
        version, schema, body = row
        return decode_body(self._spec, body, version, schema)

    def _write(
        self, id: str, values: dict[str, IndexValue], run: Callable[[sqlite3.Connection], int]
    ) -> int:
        conn = self._uow._connection()
        try:
            return run(conn)
        except sqlite3.IntegrityError as exc:
            message = str(exc)
            for index in self._spec.indexes:
                if f"{self._table}.idx_{index.name}" in message:
                    raise Conflict(
                        self._spec.kind,
                        id,
                        f"{index.name} {values[index.name]!r} is already taken",
                        field=index.name,
                    ) from None
            raise Conflict(self._spec.kind, id, "the id is already taken") from None

    def add(self, aggregate: A) -> A:
        """Insert a new aggregate; raise ``Conflict`` if its id or a unique value is taken."""
        spec = self._spec
        id = spec.id_of(aggregate)
        body = encode_body(spec, aggregate)
        values = spec.index_values(aggregate)
        columns = "".join(f", idx_{name}" for name in values)
        marks = ", ?" * len(values)

        def insert(conn: sqlite3.Connection) -> int:
            conn.execute(
                f"INSERT INTO {self._table} (id, version, schema, body{columns}) "
                f"VALUES (?, 1, ?, ?{marks})",
                [id, spec.schema_version, body, *values.values()],
            )
            return 1

        self._write(id, values, insert)
        return with_version(aggregate, 1)

    def save(self, aggregate: A) -> A:
        """Update an aggregate read at ``aggregate.version``; stale versions conflict."""
        spec = self._spec
        id = spec.id_of(aggregate)
        version = getattr(aggregate, "version", None)
        body = encode_body(spec, aggregate)
        values = spec.index_values(aggregate)
        assignments = "".join(f", idx_{name} = ?" for name in values)

        def update(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                f"UPDATE {self._table} SET version = version + 1, schema = ?, body = ?"
                f"{assignments} WHERE id = ? AND version = ?",
                [spec.schema_version, body, *values.values(), id, version],
            )
            return cursor.rowcount

        if self._write(id, values, update) != 1:
            row = (
                self._uow._connection()
                .execute(f"SELECT version FROM {self._table} WHERE id = ?", (id,))
                .fetchone()
            )
            if row is None:
                raise NotFound(spec.kind, id)
            raise Conflict(
                spec.kind,
                id,
                "changed by someone else since it was read",
                expected_version=version if isinstance(version, int) else None,
                actual_version=int(row[0]),
            )
        assert isinstance(version, int)
        return with_version(aggregate, version + 1)

    def _filter(self, wanted: dict[str, list[IndexValue]]) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for name, values in wanted.items():
            options: list[str] = []
            present = [v for v in values if v is not None]
            if present:
                options.append(f"idx_{name} IN ({', '.join('?' * len(present))})")
                params.extend(present)
            if None in values:
                options.append(f"idx_{name} IS NULL")
            clauses.append("(" + (" OR ".join(options) or "0") + ")")
        return (" AND ".join(clauses) or "1"), params

    def list(
        self,
        where: Where | None = None,
        *,
        order_by: str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
    ) -> Page[A]:
        """One page of matching aggregates in stable order (see ``Repository.list``)."""
        wanted, after = check_listing(self._spec, where, order_by, limit, cursor)
        condition, params = self._filter(wanted)
        if order_by is None:
            key_sql = "1, '', id"
        else:
            column = f"idx_{order_by}"
            key_sql = f"({column} IS NOT NULL), IFNULL({column}, 0), id"
        if after is not None:
            condition += f" AND ({key_sql}) > (?, ?, ?)"
            params += list(after)
        columns = "id, version, schema, body" + (f", idx_{order_by}" if order_by else "")
        rows = (
            self._uow._connection()
            .execute(
                f"SELECT {columns} FROM {self._table} WHERE {condition} ORDER BY {key_sql} LIMIT ?",
                [*params, limit + 1],
            )
            .fetchall()
        )
        items = tuple(decode_body(self._spec, r[3], r[1], r[2]) for r in rows[:limit])
        if len(rows) <= limit:
            return Page(items, None)
        last = rows[limit - 1]
        indexes = {order_by: last[4]} if order_by else {}
        return Page(items, encode_cursor(order_by, listing_key(order_by, last[0], indexes)))

    def count(self, where: Where | None = None) -> int:
        """How many aggregates match ``where``."""
        condition, params = self._filter(normalize_where(self._spec, where))
        (value,) = (
            self._uow._connection()
            .execute(f"SELECT COUNT(*) FROM {self._table} WHERE {condition}", params)
            .fetchone()
        )
        return int(value)
