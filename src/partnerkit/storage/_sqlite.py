"""The SQLite reference backend (stdlib ``sqlite3``): the embedded real database."""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from partnerkit.core import EventDispatcher
from partnerkit.core.errors import (
    Conflict,
    NotFound,
    PartnerkitError,
    StorageError,
    ValidationError,
)
from partnerkit.storage._builtin import builtin_specs
from partnerkit.storage._common import (
    BaseRepository,
    BaseUnitOfWork,
    Where,
    check_listing,
    check_sequence_name,
    decode_body,
    encode_body,
    normalize_where,
    page_of,
    specs_by_kind,
    with_version,
)
from partnerkit.storage._ports import (
    DEFAULT_PAGE_SIZE,
    AggregateSpec,
    Index,
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
    ``schema``, ``body`` and one ``idx_<name>`` column per index, made
    when the storage opens (see ``specs``); indexes added later are created
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

    ``path`` must name a file: every unit of work uses its own
    connection, and each connection to ``":memory:"`` would be a new, empty
    database (use :class:`~partnerkit.storage.MemoryStorage` instead). Up
    to ``pool_size`` idle connections are kept for the next units of work,
    so they skip opening the file and reading its schema again, and the
    write-ahead log is not checkpointed away after every unit of work;
    :meth:`close` closes them (a forked child never reuses its parent's).
    ``specs`` are the aggregate kinds whose tables are made or migrated
    when the storage is opened, before any unit of work starts (by default
    partnerkit's own, :data:`~partnerkit.storage.BUILTIN_SPECS`; a host
    adds its kinds: ``specs=[*BUILTIN_SPECS, LEADS]``). A kind first used
    later gets its table then, in a transaction of its own, and a unit of
    work that was already reading sees it.

    No ``sqlite3`` error leaves a unit of work: a unique clash or stale
    version is a :class:`~partnerkit.core.errors.Conflict`, so is a wait
    for the write lock longer than ``timeout``; anything else (a damaged
    file, a full disk) is a :class:`~partnerkit.core.errors.StorageError`
    with the driver's error as its ``__cause__``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        dispatcher: EventDispatcher | None = None,
        timeout: float = 10.0,
        specs: Iterable[AggregateSpec[Any]] | None = None,
        pool_size: int = 4,
    ) -> None:
        self._idle: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._pool_pid = os.getpid()
        self.pool_size = pool_size
        self.path = os.fspath(path)
        if self.path == ":memory:" or self.path.startswith("file::memory:") or not self.path:
            raise ValidationError.single(
                "path",
                "invalid",
                "SqliteStorage needs a database file; use MemoryStorage for an in-memory store",
            )
        self.dispatcher = dispatcher
        self.timeout = timeout
        self.specs = specs_by_kind(builtin_specs() if specs is None else specs)
        # The tables this process made or checked, each with the number of the table change
        # it was (see SqliteUnitOfWork._prepare).
        self._ready: dict[_SpecKey, int] = {}
        self._ready_lock = threading.Lock()
        self._changes = 0
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
            for spec in self.specs.values():
                _ensure_table(conn, spec)
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise _translate(exc, "database", "") from exc
        except sqlite3.Error as exc:
            raise StorageError(f"cannot prepare the database {self.path!r}: {exc}") from exc
        finally:
            conn.close()
        self._ready = {_spec_key(spec): 0 for spec in self.specs.values()}

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

    def _acquire(self) -> sqlite3.Connection:
        """An idle connection of this process, or a new one."""
        with self._pool_lock:
            if self._pool_pid != os.getpid():
                # Inherited through fork: never touch the parent's connections.
                self._idle = []
                self._pool_pid = os.getpid()
            if self._idle:
                return self._idle.pop()
        return self.connect()

    def _release(self, conn: sqlite3.Connection) -> None:
        """Keep ``conn`` for a later unit of work, or close it when the pool is full."""
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        with self._pool_lock:
            if self._pool_pid == os.getpid() and len(self._idle) < self.pool_size:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        """Close the idle connections; units of work opened later open new ones."""
        with self._pool_lock:
            idle, self._idle = self._idle, []
            mine = self._pool_pid == os.getpid()
        if mine:
            for conn in idle:
                conn.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown
            self.close()

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
        except sqlite3.Error as exc:
            raise _translate(exc, spec.kind, "") from exc
        finally:
            conn.close()
        with self._ready_lock:
            if key not in self._ready:
                self._changes += 1
                self._ready[key] = self._changes

    def __repr__(self) -> str:
        return f"SqliteStorage({self.path!r})"


_SpecKey = tuple[str, tuple[tuple[str, bool, str], ...]]


def _spec_key(spec: AggregateSpec[Any]) -> _SpecKey:
    return (spec.kind, tuple((i.name, i.unique, i.type.__name__) for i in spec.indexes))


def _shape(index: Index[Any]) -> list[Any]:
    """How ``pk_tables`` records an index: unique or not, and its type (text or integer)."""
    return [index.unique, index.type.__name__]


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
    # Each index as [unique, type]; files of earlier releases hold only "unique" (a bool), so
    # their indexes count as changed once and are filled again, which is harmless.
    known: dict[str, Any] = json.loads(row[0]) if row else {}
    wanted = {index.name: _shape(index) for index in spec.indexes}
    if row is not None and all(known.get(name) == shape for name, shape in wanted.items()):
        return
    columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
    for index in spec.indexes:
        if f"idx_{index.name}" not in columns:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN idx_{index.name}")
    changed = [i for i in spec.indexes if known.get(i.name) != _shape(i)]
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


def _translate(exc: sqlite3.Error, kind: str, id: str, timeout: float | None = None) -> Exception:
    """The partnerkit error for a driver error: a lock wait that ran out is a ``Conflict``."""
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        waited = f" for {timeout} s" if timeout is not None else ""
        return Conflict(kind, id, f"another unit of work held the write lock{waited}")
    return StorageError(f"the SQLite database failed ({kind}): {exc.__class__.__name__}: {text}")


class _SqliteSequences:
    def __init__(self, uow: SqliteUnitOfWork) -> None:
        self._uow = uow

    def next(self, name: str) -> int:
        check_sequence_name(name)
        conn = self._uow._connection(write=True)
        with self._uow._errors("sequences", name):
            # Two statements, not RETURNING: that needs SQLite 3.35, newer than some hosts have.
            conn.execute(
                "INSERT INTO pk_sequences (name, value) VALUES (?, 1) "
                "ON CONFLICT (name) DO UPDATE SET value = value + 1",
                (name,),
            )
            (value,) = conn.execute(
                "SELECT value FROM pk_sequences WHERE name = ?", (name,)
            ).fetchone()
        return int(value)


class SqliteUnitOfWork(BaseUnitOfWork):
    """A unit of work over :class:`SqliteStorage`: deferred reads, immediate writes."""

    def __init__(self, storage: SqliteStorage) -> None:
        super().__init__(storage.dispatcher)
        self._storage = storage
        self._conn: sqlite3.Connection | None = None
        self._in_transaction = False
        self._writing = False
        # The storage's table-change count when the open read transaction began.
        self._seen_changes = 0
        self._sequences = _SqliteSequences(self)

    def __enter__(self) -> SqliteUnitOfWork:
        super().__enter__()
        return self

    @property
    def sequences(self) -> Sequences:
        """The storage's counters (a number taken in a rolled-back unit of work is reused)."""
        return self._sequences

    @contextlib.contextmanager
    def _errors(self, kind: str, id: str) -> Iterator[None]:
        """Driver errors as partnerkit's: a lock wait that ran out is a ``Conflict``."""
        try:
            yield
        except sqlite3.IntegrityError:
            raise  # the repositories name the clash
        except sqlite3.Error as exc:
            error = _translate(exc, kind, id, self._storage.timeout)
            conn = self._conn
            if isinstance(error, StorageError) or (
                self._in_transaction and conn is not None and not conn.in_transaction
            ):
                # SQLite may have rolled the whole transaction back (a full disk, say).
                self._broken(error)
                self._in_transaction = self._writing = False
            raise error from exc

    def _connection(self, *, write: bool = False) -> sqlite3.Connection:
        self._require_active()
        self._check_usable()
        if self._conn is None:
            with self._errors("database", ""):
                self._conn = self._storage._acquire()
        conn = self._conn
        if write and not self._writing:
            with self._errors("database", ""):
                if self._in_transaction:
                    # Only reads so far: end the read transaction and wait for the write lock.
                    conn.execute("COMMIT")
                    self._in_transaction = False
                conn.execute("BEGIN IMMEDIATE")
            self._in_transaction = self._writing = True
            self._seen_changes = self._storage._changes
        elif not self._in_transaction:
            with self._errors("database", ""):
                conn.execute("BEGIN")
            self._in_transaction = True
            self._seen_changes = self._storage._changes
        return conn

    def repository(self, spec: AggregateSpec[A]) -> SqliteRepository[A]:
        """Return the repository for ``spec`` (creating or migrating its table on first use)."""
        self._require_active()
        self._prepare(spec)
        return SqliteRepository(self, spec)

    def _prepare(self, spec: AggregateSpec[Any]) -> None:
        change = self._storage._ready.get(_spec_key(spec))
        if change is not None and (not self._in_transaction or change <= self._seen_changes):
            return
        if self._writing:
            # This unit of work holds the write lock: prepare the table inside it (idempotent,
            # and prepared again should this unit of work roll back).
            with self._errors(spec.kind, ""):
                _ensure_table(self._connection(write=True), spec)
            return
        self._storage._ensure(spec)
        if self._in_transaction and self._conn is not None:
            # An open read transaction keeps the schema it started with, which may lack a
            # table made since (by this unit of work or another thread): end it, so the next
            # read sees the table.
            with self._errors(spec.kind, ""):
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
            with self._errors("database", ""):
                self._end("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._end("ROLLBACK")
            raise

    def _rollback(self) -> None:
        with self._errors("database", ""):
            self._end("ROLLBACK")

    def _close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                self._storage._release(conn)
            except sqlite3.Error:
                conn.close()


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
        conn = self._read()
        with self._uow._errors(self._spec.kind, id):
            row = conn.execute(
                f"SELECT version, schema, body FROM {self._table} WHERE id = ?", (id,)
            ).fetchone()
        if row is None:
            return None
        version, schema, body = row
        return decode_body(self._spec, body, version, schema)

    def _execute(self, id: str, values: dict[str, IndexValue], sql: str, params: list[Any]) -> int:
        conn = self._write()
        with self._uow._errors(self._spec.kind, id):
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
        conn = self._uow._connection()
        with self._uow._errors(self._spec.kind, id):
            row = conn.execute(f"SELECT version FROM {self._table} WHERE id = ?", (id,)).fetchone()
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
        conn = self._read()
        with self._uow._errors(self._spec.kind, ""):
            rows = conn.execute(
                f"SELECT {columns} FROM {self._table} WHERE {condition} ORDER BY {key_sql} LIMIT ?",
                [*params, limit + 1],
            ).fetchall()
        return page_of(self._spec, wanted, order_by, limit, rows, decode_body)

    def count(self, where: Where | None = None) -> int:
        """How many aggregates match ``where``."""
        condition, params = self._filter(normalize_where(self._spec, where))
        conn = self._read()
        with self._uow._errors(self._spec.kind, ""):
            (value,) = conn.execute(
                f"SELECT COUNT(*) FROM {self._table} WHERE {condition}", params
            ).fetchone()
        return int(value)

    def ids(self, where: Where | None = None) -> builtins.list[str]:
        """The ids of the aggregates matching ``where``, in the order ``list`` gives them.

        One query for the ids alone, no body read: for a bulk operation that
        needs only which aggregates match. An optional capability of a
        repository, beside the ``Repository`` protocol.
        """
        condition, params = self._filter(normalize_where(self._spec, where))
        conn = self._read()
        with self._uow._errors(self._spec.kind, ""):
            rows = conn.execute(
                f"SELECT id FROM {self._table} WHERE {condition} ORDER BY id", params
            ).fetchall()
        return [str(row[0]) for row in rows]
