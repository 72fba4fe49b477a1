"""The SQLite reference backend (stdlib ``sqlite3``): the embedded real database."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from partnerkit.core import EventDispatcher
from partnerkit.core.errors import Conflict, NotFound, PartnerkitError, ValidationError
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
    specs_by_kind,
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
    first use in a transaction of its own; indexes added later are created
    and back-filled, and indexes a spec no longer names are left in place
    (an older release may still rely on them).

    Safe to use from several threads and processes: every unit of work has
    its own connection. It reads in a deferred transaction (WAL readers never
    wait for writers) and writes in ``BEGIN IMMEDIATE``: at its first write
    a unit of work that has only read ends its read transaction and starts a
    write transaction, so it waits for other writers (up to ``timeout``
    seconds) instead of failing, and its version checks still catch anything
    that changed since it read. A writer that cannot get the lock in time
    gets :class:`~partnerkit.core.errors.Conflict`: do not nest a writing
    unit of work inside another one that has written.

    ``path`` must name a file: every unit of work opens its own
    connection, and each connection to ``":memory:"`` would be a new, empty
    database (use :class:`~partnerkit.storage.MemoryStorage` instead).
    ``specs`` registers aggregate kinds so units of work reach their
    repositories as attributes (``uow.programs``).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        dispatcher: EventDispatcher | None = None,
        timeout: float = 10.0,
        specs: Iterable[AggregateSpec[Any]] = (),
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
        self.specs = specs_by_kind(specs)
        self._ready: set[_SpecKey] = set()
        self._ready_lock = threading.Lock()
        try:
            conn = self.connect()
        except sqlite3.Error as exc:
            raise ValidationError.single(
                "path", "invalid", f"cannot open the database {self.path!r}: {exc}"
            ) from None
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

    def _ensure(self, spec: AggregateSpec[Any]) -> None:
        """Create or migrate the table of ``spec`` in a transaction of its own, once per process."""
        key = _spec_key(spec)
        if key in self._ready:
            return
        conn = self.connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                _ensure_table(conn, spec)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise Conflict(spec.kind, "", f"could not prepare the table: {exc}") from None
        finally:
            conn.close()
        with self._ready_lock:
            self._ready.add(key)

    def __repr__(self) -> str:
        return f"SqliteStorage({self.path!r})"


_SpecKey = tuple[str, tuple[tuple[str, bool], ...]]


def _spec_key(spec: AggregateSpec[Any]) -> _SpecKey:
    return (spec.kind, tuple((i.name, i.unique) for i in spec.indexes))


def _table(kind: str) -> str:
    return f"agg_{kind}"


def _ensure_table(conn: sqlite3.Connection, spec: AggregateSpec[Any]) -> None:
    """Create the table of ``spec``, add and back-fill its missing indexes (caller's transaction).

    Never drops an index: a process running an older spec may still rely on it.
    """
    table = _table(spec.kind)
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {table} ("
        "id TEXT PRIMARY KEY, version INTEGER NOT NULL, schema INTEGER NOT NULL, "
        "body TEXT NOT NULL)"
    )
    row = conn.execute("SELECT indexes FROM pk_tables WHERE kind = ?", (spec.kind,)).fetchone()
    known: dict[str, bool] = json.loads(row[0]) if row else {}
    wanted = {index.name: index.unique for index in spec.indexes}
    if row is not None and all(known.get(name) == unique for name, unique in wanted.items()):
        return
    columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
    for index in spec.indexes:
        if f"idx_{index.name}" not in columns:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN idx_{index.name}")
    changed = [i for i in spec.indexes if known.get(i.name) != i.unique]
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
        name = f"{table}_{index.name}"
        conn.execute(f"DROP INDEX IF EXISTS {name}")
        try:
            if index.unique:
                conn.execute(f"CREATE UNIQUE INDEX {name} ON {table} (idx_{index.name})")
            else:
                conn.execute(f"CREATE INDEX {name} ON {table} (idx_{index.name}, id)")
        except sqlite3.IntegrityError:
            raise ValidationError.single(
                f"indexes.{index.name}",
                "duplicate",
                f"stored {spec.kind} share values of {index.name}: it cannot become unique",
            ) from None
    conn.execute(
        "INSERT INTO pk_tables (kind, indexes) VALUES (?, ?) "
        "ON CONFLICT (kind) DO UPDATE SET indexes = excluded.indexes",
        (spec.kind, json.dumps({**known, **wanted}, sort_keys=True)),
    )


class _SqliteSequences:
    def __init__(self, uow: SqliteUnitOfWork) -> None:
        self._uow = uow

    def next(self, name: str) -> int:
        conn = self._uow._connection(write=True)
        statement = (
            "INSERT INTO pk_sequences (name, value) VALUES (?, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1"
        )
        self._uow._run(name, lambda: conn.execute(statement, (name,)))
        (value,) = conn.execute("SELECT value FROM pk_sequences WHERE name = ?", (name,)).fetchone()
        return int(value)


class SqliteUnitOfWork(BaseUnitOfWork):
    """A unit of work over :class:`SqliteStorage`: deferred reads, immediate writes."""

    def __init__(self, storage: SqliteStorage) -> None:
        super().__init__(storage.dispatcher, storage.specs)
        self._storage = storage
        self._conn: sqlite3.Connection | None = None
        self._in_transaction = False
        self._writing = False
        self.sequences: Sequences = _SqliteSequences(self)

    def __enter__(self) -> SqliteUnitOfWork:
        super().__enter__()
        return self

    def _connection(self, *, write: bool = False) -> sqlite3.Connection:
        self._require_active()
        if self._conn is None:
            self._conn = self._storage.connect()
        conn = self._conn
        if write and not self._writing:
            if self._in_transaction:
                # Only reads so far: end the read transaction and wait for the write lock.
                conn.execute("COMMIT")
                self._in_transaction = False
            self._run("", lambda: conn.execute("BEGIN IMMEDIATE"))
            self._in_transaction = self._writing = True
        elif not self._in_transaction:
            conn.execute("BEGIN")
            self._in_transaction = True
        return conn

    def _run(self, id: str, statement: Callable[[], object]) -> None:
        try:
            statement()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise Conflict(
                    "database",
                    id,
                    f"another unit of work held the write lock for {self._storage.timeout} s",
                ) from None
            raise

    def repository(self, spec: AggregateSpec[A]) -> SqliteRepository[A]:
        """Return the repository for ``spec`` (creating or migrating its table on first use)."""
        self._require_active()
        self._prepare(spec)
        return SqliteRepository(self, spec)

    def _prepare(self, spec: AggregateSpec[Any]) -> None:
        if _spec_key(spec) in self._storage._ready:
            return
        if self._writing:
            # This unit of work holds the write lock: prepare the table inside it (idempotent,
            # and prepared again should this unit of work roll back).
            _ensure_table(self._connection(write=True), spec)
        else:
            self._storage._ensure(spec)
            if self._in_transaction and self._conn is not None:
                # An open read transaction keeps the schema it started with, which lacks the
                # table just created: end it, so the next read sees the table.
                self._conn.execute("COMMIT")
                self._in_transaction = False

    def _begin(self) -> None:
        self._in_transaction = self._writing = False

    def _end(self, statement: str) -> None:
        conn = self._conn
        try:
            if conn is not None and conn.in_transaction:
                conn.execute(statement)
        finally:
            self._in_transaction = self._writing = False

    def _commit(self) -> None:
        try:
            self._end("COMMIT")
        except sqlite3.Error:
            self._end("ROLLBACK")
            raise

    def _rollback(self) -> None:
        self._end("ROLLBACK")

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

    def _read(self) -> sqlite3.Connection:
        self._uow._prepare(self._spec)
        return self._uow._connection()

    def _write(self) -> sqlite3.Connection:
        conn = self._uow._connection(write=True)
        self._uow._prepare(self._spec)
        return conn

    def find(self, id: str) -> A | None:
        """Return the aggregate with identifier ``id``, or ``None``."""
        self._spec.check_id(id)
        row = (
            self._read()
            .execute(f"SELECT version, schema, body FROM {self._table} WHERE id = ?", (id,))
            .fetchone()
        )
        if row is None:
            return None
        version, schema, body = row
        return decode_body(self._spec, body, version, schema)

    def _execute(self, id: str, values: dict[str, IndexValue], sql: str, params: list[Any]) -> int:
        conn = self._write()
        try:
            return conn.execute(sql, params).rowcount
        except sqlite3.IntegrityError as exc:
            raise self._clash(id, values, str(exc)) from None

    def _clash(self, id: str, values: dict[str, IndexValue], message: str) -> Conflict:
        # "UNIQUE constraint failed: agg_x.idx_slug" names the columns exactly.
        failed = {c.strip() for c in message.partition("failed:")[2].split(",")}
        if f"{self._table}.id" in failed:
            return Conflict(self._spec.kind, id, "the id is already taken")
        for index in self._spec.indexes:
            if f"{self._table}.idx_{index.name}" in failed:
                return Conflict(
                    self._spec.kind,
                    id,
                    f"{index.name} {values[index.name]!r} is already taken",
                    field=index.name,
                )
        return Conflict(self._spec.kind, id, message)

    def add(self, aggregate: A) -> A:
        """Insert a new aggregate; raise ``Conflict`` if its id or a unique value is taken."""
        spec = self._spec
        id = spec.id_of(aggregate)
        body = encode_body(spec, aggregate)
        values = spec.index_values(aggregate)
        if self.find(id) is not None:
            raise Conflict(spec.kind, id, "the id is already taken")
        columns = "".join(f", idx_{name}" for name in values)
        marks = ", ?" * len(values)
        self._execute(
            id,
            values,
            f"INSERT INTO {self._table} (id, version, schema, body{columns}) "
            f"VALUES (?, 1, ?, ?{marks})",
            [id, spec.schema_version, body, *values.values()],
        )
        return with_version(aggregate, 1)

    def _stale(self, id: str, version: int) -> PartnerkitError:
        row = (
            self._uow._connection()
            .execute(f"SELECT version FROM {self._table} WHERE id = ?", (id,))
            .fetchone()
        )
        if row is None:
            return NotFound(self._spec.kind, id)
        return Conflict(
            self._spec.kind,
            id,
            "changed by someone else since it was read",
            expected_version=version,
            actual_version=int(row[0]),
        )

    def save(self, aggregate: A) -> A:
        """Update an aggregate read at ``aggregate.version``; stale versions conflict."""
        spec = self._spec
        id = spec.id_of(aggregate)
        version = spec.check_version(getattr(aggregate, "version", None))
        body = encode_body(spec, aggregate)
        values = spec.index_values(aggregate)
        assignments = "".join(f", idx_{name} = ?" for name in values)
        changed = self._execute(
            id,
            values,
            f"UPDATE {self._table} SET version = version + 1, schema = ?, body = ?"
            f"{assignments} WHERE id = ? AND version = ?",
            [spec.schema_version, body, *values.values(), id, version],
        )
        if changed != 1:
            raise self._stale(id, version)
        return with_version(aggregate, version + 1)

    def delete(self, aggregate: A) -> None:
        """Delete an aggregate read at ``aggregate.version``; stale versions conflict."""
        spec = self._spec
        id = spec.id_of(aggregate)
        version = spec.check_version(getattr(aggregate, "version", None))
        changed = self._execute(
            id, {}, f"DELETE FROM {self._table} WHERE id = ? AND version = ?", [id, version]
        )
        if changed != 1:
            raise self._stale(id, version)

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
            self._read()
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
            self._read()
            .execute(f"SELECT COUNT(*) FROM {self._table} WHERE {condition}", params)
            .fetchone()
        )
        return int(value)
