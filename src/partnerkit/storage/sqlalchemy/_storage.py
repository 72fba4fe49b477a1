"""The SQLAlchemy backend: units of work and repositories over a SQLAlchemy ``Engine``."""

from __future__ import annotations

import builtins
import contextlib
import json
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.compiler import SQLCompiler

from partnerkit.core import EventDispatcher, from_dict
from partnerkit.core.errors import (
    Conflict,
    NotFound,
    PartnerkitError,
    StorageError,
    ValidationError,
)
from partnerkit.storage._builtin import BUILTIN_SPECS
from partnerkit.storage._common import (
    BaseRepository,
    BaseUnitOfWork,
    Where,
    check_listing,
    check_sequence_name,
    encode_body,
    normalize_where,
    page_of,
    specs_by_kind,
    with_version,
)
from partnerkit.storage._ports import DEFAULT_PAGE_SIZE, AggregateSpec, IndexValue, Page, Sequences
from partnerkit.storage.sqlalchemy._schema import (
    column_name,
    constraint_name,
    sequences_table,
    table_for,
    unique_name,
)

__all__ = ["SqlAlchemyRepository", "SqlAlchemyStorage", "SqlAlchemyUnitOfWork"]

A = TypeVar("A")

# SQLSTATEs of PostgreSQL that mean "another transaction was in the way": retry the use case.
_CONFLICT_STATES = {
    "40001": "a concurrent transaction made this one fail (serialization failure)",
    "40P01": "a concurrent transaction deadlocked with this one",
    "55P03": "a row or table stayed locked by another transaction past the lock timeout",
}
_UNIQUE_VIOLATION = "23505"
_DIALECTS = ("postgresql", "sqlite")


def _aborted(conn: sa.Connection) -> bool:
    """Whether the driver says the transaction failed (psycopg's INERROR; others never)."""
    try:
        info = getattr(conn.connection.driver_connection, "info", None)
        status = getattr(info, "transaction_status", None)
    except sa_exc.SQLAlchemyError:
        return False
    return getattr(status, "name", None) == "INERROR"


def _cause(exc: BaseException) -> BaseException:
    """The driver's own exception inside a SQLAlchemy one (what ``__cause__`` should be)."""
    orig = exc.orig if isinstance(exc, sa_exc.DBAPIError) else None
    return orig if isinstance(orig, BaseException) else exc


def _translate(exc: BaseException, kind: str, id: str) -> PartnerkitError:
    """Map a SQLAlchemy or driver error to Conflict (someone was in the way) or StorageError."""
    orig = exc.orig if isinstance(exc, sa_exc.DBAPIError) else exc
    state = getattr(orig, "sqlstate", None)
    if isinstance(state, str) and state in _CONFLICT_STATES:
        return Conflict(kind or "database", id, _CONFLICT_STATES[state])
    if type(orig).__module__.startswith("sqlite3") and type(orig).__name__ == "OperationalError":
        text = str(orig)
        if "locked" in text or "busy" in text:
            return Conflict(
                kind or "database", id, "another unit of work held the write lock too long"
            )
    return StorageError(f"{type(orig).__name__}: {str(orig).strip()}")


class _Raw:
    """A statement compiled once by SQLAlchemy for one dialect, run on the driver's cursor.

    The repositories' fixed statements (by id, insert, update, delete, the
    sequences' upsert) skip SQLAlchemy's per-execution work, which costs as
    much as SQLite's own; listings and counts go through SQLAlchemy.
    """

    __slots__ = ("defaults", "names", "sql")

    def __init__(self, statement: sa.ClauseElement, dialect: sa.Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = compiled.string
        self.defaults: dict[str, Any] = dict(compiled.params)
        self.names = tuple(compiled.positiontup or ()) if compiled.positional else None

    def bind(self, params: Mapping[str, Any]) -> Any:
        """The driver's parameters: a tuple in order (qmark) or a mapping (named styles)."""
        merged = {**self.defaults, **params}
        return merged if self.names is None else tuple(merged[n] for n in self.names)


class _Table:
    """One kind's table and the statements its repository runs (built once, cached compiled)."""

    def __init__(self, spec: AggregateSpec[Any], table: sa.Table, engine: sa.Dialect) -> None:
        dialect = engine.name
        self.spec = spec
        self.table = table
        self.name = table.name
        c = table.c
        self.columns = {i.name: c[column_name(i.name)] for i in spec.indexes}
        # Constraint (PostgreSQL) and column (SQLite's message) of every unique index.
        self.unique_by_constraint = {
            unique_name(spec.kind, i.name): i.name for i in spec.indexes if i.unique
        }
        self.unique_by_column = {
            f"{self.name}.{column_name(i.name)}": i.name for i in spec.indexes if i.unique
        }
        self.primary_key = constraint_name(self.name, "pkey")
        body_text = sa.bindparam("p_body", type_=sa.Text())
        # The body is bound as the JSON text encode_body made (which refused bad Unicode):
        # cast to JSONB on PostgreSQL; SQLite keeps JSON as text.
        body: Any = sa.cast(body_text, JSONB()) if dialect == "postgresql" else body_text
        indexed: dict[str, Any] = {column_name(n): sa.bindparam(f"p_{n}") for n in self.columns}
        self.select_one = sa.select(c.version, c.schema, c.body).where(c.id == sa.bindparam("p_id"))
        self.select_version = sa.select(c.version).where(c.id == sa.bindparam("p_id"))
        # ON CONFLICT DO NOTHING: a taken id or unique value inserts nothing and raises
        # nothing, so the transaction goes on without a savepoint (PostgreSQL waits for a
        # racing insert to commit or roll back first); _taken says which value clashed.
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.insert = (
            insert(table)
            .values(
                id=sa.bindparam("p_id"),
                version=1,
                schema=sa.bindparam("p_schema"),
                body=body,
                **indexed,
            )
            .on_conflict_do_nothing()
            # SQLAlchemy keeps an INSERT's row count only when asked.
            .execution_options(preserve_rowcount=True)
        )
        self.holders = {
            i.name: sa.select(c.id).where(self.columns[i.name] == sa.bindparam("p_value")).limit(1)
            for i in spec.indexes
            if i.unique
        }
        self.update = (
            table.update()
            .where(c.id == sa.bindparam("p_id"), c.version == sa.bindparam("p_version"))
            .values(version=c.version + 1, schema=sa.bindparam("p_schema"), body=body, **indexed)
        )
        self.delete = table.delete().where(
            c.id == sa.bindparam("p_id"), c.version == sa.bindparam("p_version")
        )
        self.raw_one = _Raw(self.select_one, engine)
        self.raw_version = _Raw(self.select_version, engine)
        self.raw_insert = _Raw(self.insert, engine)
        self.raw_update = _Raw(self.update, engine)
        self.raw_delete = _Raw(self.delete, engine)
        self.raw_holders = {name: _Raw(h, engine) for name, h in self.holders.items()}
        # Listing and count statements by the shape of their arguments; the values are bound.
        self.listings: dict[object, sa.Select[Any]] = {}
        self.counts: dict[object, sa.Select[Any]] = {}
        self.id_lists: dict[object, sa.Select[Any]] = {}

    def conditions(self, shape: tuple[tuple[str, bool, bool], ...]) -> list[sa.ColumnElement[bool]]:
        """The filter of a where-shape: per index, whether it lists values and whether None."""
        clauses: list[sa.ColumnElement[bool]] = []
        for name, present, none in shape:
            column = self.columns[name]
            options: list[sa.ColumnElement[bool]] = []
            if present:
                options.append(column.in_(sa.bindparam(f"w_{name}", expanding=True)))
            if none:
                options.append(column.is_(None))
            clauses.append(sa.or_(*options) if options else sa.false())
        return clauses


class SqlAlchemyStorage:
    """Stores aggregates through SQLAlchemy Core, on PostgreSQL (psycopg 3) or SQLite.

    ``engine_or_url`` is an :class:`sqlalchemy.Engine` or a URL such as
    ``postgresql+psycopg://user@host/db`` or ``sqlite:///path/to/file.db``
    (an in-memory SQLite URL is refused: every unit of work has its own
    connection). An engine made here from a URL is disposed by :meth:`close`.

    Every aggregate kind has a table ``partnerkit_<kind>`` with ``id`` (text,
    primary key), ``version`` (bigint), ``schema`` (int), ``body`` (JSONB on
    PostgreSQL, JSON text on SQLite) and one ``idx_<name>`` column per index
    (text, ordered by code point, or bigint); a unique index is a unique
    constraint, any other a composite index on the column and ``id``.
    Counters live in ``partnerkit_sequences``. :attr:`metadata` holds the
    tables; :func:`metadata_for` adds them to a host's ``MetaData``.

    ``specs`` (partnerkit's own kinds when not given) are the kinds whose
    tables are created when the storage opens (``create_tables=True``, only
    the missing ones). A kind used
    later gets its table the first time a unit of work asks for it, in a
    transaction of its own. With ``create_tables=False`` the tables must
    exist already, for instance made by Alembic from partnerkit's
    migrations; partnerkit never alters an existing table.

    Writes are checked by version (``UPDATE ... WHERE id = ? AND version =
    ?``), so READ COMMITTED is enough on PostgreSQL. A failed statement
    aborts a PostgreSQL transaction, so a taken id or unique value, or a
    stale version, never fails one: inserts are ``INSERT ... ON CONFLICT DO
    NOTHING`` (then the clash is looked up), and updates and deletes run in
    a SAVEPOINT. After such a :class:`~partnerkit.core.errors.Conflict` the
    unit of work goes on. A lock timeout, deadlock or serialization failure
    is a ``Conflict`` too, after which the transaction may be unusable: roll
    back and retry (the use cases do). Any other database failure is a
    :class:`~partnerkit.core.errors.StorageError` with the driver's error as
    its ``__cause__``. The engine must not be in ``AUTOCOMMIT`` mode.

    The fixed statements of the repositories (by id, insert, update,
    delete, the counters' upsert) are compiled once and run on the driver's
    cursor inside the transaction SQLAlchemy manages, so SQLAlchemy's
    statement events and echo do not see them; listings and counts go
    through SQLAlchemy.

    Raises:
        ValidationError: a URL that cannot be used, a database other than
            PostgreSQL or SQLite, an engine in AUTOCOMMIT mode, or two
            different specs of one kind.
        StorageError: the tables could not be created.

    """

    def __init__(
        self,
        engine_or_url: sa.Engine | str,
        *,
        specs: Iterable[AggregateSpec[Any]] = BUILTIN_SPECS,
        dispatcher: EventDispatcher | None = None,
        create_tables: bool = True,
    ) -> None:
        self._owns_engine = not isinstance(engine_or_url, sa.Engine)
        self.engine: sa.Engine = (
            engine_or_url if isinstance(engine_or_url, sa.Engine) else _engine(engine_or_url)
        )
        self.dialect = self.engine.dialect.name
        levels = (
            self.engine.get_execution_options().get("isolation_level"),
            # create_engine(isolation_level=...) keeps it on the dialect.
            getattr(self.engine.dialect, "_on_connect_isolation_level", None),
        )
        if "AUTOCOMMIT" in levels:
            raise ValidationError.single(
                "engine_or_url",
                "invalid",
                "units of work need transactions: the engine must not be in AUTOCOMMIT mode",
            )
        if self.dialect not in _DIALECTS:
            raise ValidationError.single(
                "engine_or_url",
                "unsupported",
                f"the SQLAlchemy backend runs on PostgreSQL and SQLite, not {self.dialect}",
            )
        self.dispatcher = dispatcher
        self.create_tables = create_tables
        self.specs = specs_by_kind(specs)
        self.metadata = sa.MetaData()
        counters = sequences_table(self.metadata)
        self._savepoints = self.dialect == "postgresql"
        self._lock = threading.Lock()
        self._create_lock = threading.Lock()
        self._tables: dict[str, _Table] = {}
        self._created: set[str] = set()
        for spec in self.specs.values():
            self._tables[spec.kind] = _Table(
                spec, table_for(spec, self.metadata), self.engine.dialect
            )
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        upsert = insert(counters).values(name=sa.bindparam("p_name"), value=1)
        self._next_value = _Raw(
            upsert.on_conflict_do_update(
                index_elements=[counters.c.name],
                set_={"value": counters.c.value + 1},
            ).returning(counters.c.value),
            self.engine.dialect,
        )
        self._dbapi_error: type[Exception] = self.engine.dialect.loaded_dbapi.Error
        self._dbapi_integrity: type[Exception] = self.engine.dialect.loaded_dbapi.IntegrityError
        if create_tables:
            self._create(list(self.metadata.tables.values()))

    def unit_of_work(self) -> SqlAlchemyUnitOfWork:
        """Return a new unit of work (enter it with ``with``)."""
        return SqlAlchemyUnitOfWork(self)

    def close(self) -> None:
        """Close the pooled connections of an engine this storage made from a URL."""
        if self._owns_engine:
            self.engine.dispose()

    def __repr__(self) -> str:
        return f"SqlAlchemyStorage({self.engine.url.render_as_string(hide_password=True)!r})"

    def _create(self, tables: list[sa.Table]) -> None:
        """Create the missing ``tables`` in a transaction of their own."""
        with self._create_lock:
            tables = [t for t in tables if t.name not in self._created]
            if tables:
                self._create_now(tables)

    def _create_now(self, tables: list[sa.Table]) -> None:
        try:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":
                    # Two processes creating one table at once would clash in the catalog.
                    conn.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:key)"),
                        {"key": zlib.crc32(b"partnerkit tables")},
                    )
                else:
                    # The check and the creation under SQLite's write lock, for the same reason.
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                self.metadata.create_all(conn, tables=tables, checkfirst=True)
        except sa_exc.SQLAlchemyError as exc:
            cause = _cause(exc)
            raise StorageError(
                f"could not create partnerkit's tables: {type(cause).__name__}: {cause}"
            ) from cause
        self._created.update(t.name for t in tables)

    def _table(self, spec: AggregateSpec[Any]) -> _Table:
        """The table of ``spec``, described (:meth:`_create` creates it)."""
        known = self._tables.get(spec.kind)
        if known is not None and (known.spec is spec or known.spec == spec):
            return known
        with self._lock:
            known = self._tables.get(spec.kind)
            if known is None or not (known.spec is spec or known.spec == spec):
                known = _Table(spec, table_for(spec, self.metadata), self.engine.dialect)
                self._tables[spec.kind] = known
            return known

    def _missing(self, table: _Table) -> bool:
        """Whether ``table`` is still to be created by this storage."""
        return self.create_tables and table.name not in self._created


def _engine(url: str) -> sa.Engine:
    try:
        parsed = sa.make_url(url)
    except sa_exc.ArgumentError as exc:
        raise ValidationError.single("engine_or_url", "invalid", str(exc)) from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or database.startswith("file::memory:"):
            raise ValidationError.single(
                "engine_or_url",
                "invalid",
                "SqlAlchemyStorage needs a database file: every unit of work has its own "
                "connection (use MemoryStorage for an in-memory store)",
            )
        engine = sa.create_engine(parsed, connect_args={"timeout": 10.0})
        sa.event.listen(engine, "connect", _sqlite_settings)
        return engine
    try:
        return sa.create_engine(parsed, pool_size=10, max_overflow=40)
    except (sa_exc.ArgumentError, ImportError) as exc:
        raise ValidationError.single("engine_or_url", "invalid", str(exc)) from None


def _sqlite_settings(dbapi_connection: Any, record: object) -> None:
    # WAL: readers never wait for the writer.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


class _Sequences:
    def __init__(self, uow: SqlAlchemyUnitOfWork) -> None:
        self._uow = uow

    def next(self, name: str) -> int:
        """Return the next value of the counter ``name`` (the first is 1)."""
        check_sequence_name(name)
        uow = self._uow
        _, rows = uow._run(uow._storage._next_value, {"p_name": name}, "sequences", name)
        return int(rows[0][0])


def _writing(conn: sa.Connection) -> bool:
    """Whether a SQLite connection is inside a transaction that has written."""
    try:
        dbapi = conn.connection.dbapi_connection
    except sa_exc.SQLAlchemyError:
        return False
    return bool(getattr(dbapi, "in_transaction", False))


class SqlAlchemyUnitOfWork(BaseUnitOfWork):
    """A unit of work over :class:`SqlAlchemyStorage`: one connection, one transaction.

    The connection is taken from the engine's pool at the first read or
    write and given back when the ``with`` block ends; a commit or rollback
    ends the transaction and the next statement begins another.
    """

    def __init__(self, storage: SqlAlchemyStorage) -> None:
        super().__init__(storage.dispatcher)
        self._storage = storage
        self._conn: sa.Connection | None = None
        self._created_here: set[str] = set()
        self._sequences = _Sequences(self)

    @property
    def sequences(self) -> Sequences:
        """The storage's counters, taken inside this unit of work."""
        return self._sequences

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        super().__enter__()
        return self

    def repository(self, spec: AggregateSpec[A]) -> SqlAlchemyRepository[A]:
        """Return the repository for ``spec`` (creating its table first if it is new)."""
        self._require_active()
        storage = self._storage
        table = storage._table(spec)
        if storage._missing(table) and table.name not in self._created_here:
            conn = self._conn
            if conn is not None and storage.dialect == "sqlite" and _writing(conn):
                # This unit of work holds SQLite's write lock, which a transaction of its own
                # would wait for: create the table inside this one (kept if it commits).
                try:
                    table.table.create(conn, checkfirst=True)
                except sa_exc.SQLAlchemyError as exc:
                    raise _translate(exc, spec.kind, "") from _cause(exc)
                self._created_here.add(table.name)
            else:
                storage._create([table.table])
        return SqlAlchemyRepository(self, spec, table)

    def _connection(self) -> sa.Connection:
        self._require_active()
        self._check_usable()
        if self._conn is None:
            try:
                self._conn = self._storage.engine.connect()
            except sa_exc.SQLAlchemyError as exc:
                raise _translate(exc, "", "") from _cause(exc)
        return self._conn

    def _read(self, statement: sa.Executable, params: Mapping[str, Any], kind: str, id: str) -> Any:
        """Run a read; return its result (typed Any: its rows' shape depends on the statement)."""
        conn = self._connection()
        try:
            return conn.execute(statement, params)
        except sa_exc.SQLAlchemyError as exc:
            raise self._broken(_translate(exc, kind, id)) from _cause(exc)

    def _run(
        self,
        raw: _Raw,
        params: Mapping[str, Any],
        kind: str,
        id: str,
        on_unique: Callable[[Exception], PartnerkitError] | None = None,
        *,
        savepoint: bool = False,
    ) -> tuple[int, list[Any]]:
        """Run a fixed statement on the driver; return its row count and rows.

        It runs inside the transaction SQLAlchemy manages for this unit of
        work (begun here if need be), so commit and rollback cover it.
        """
        conn = self._connection()
        storage = self._storage
        try:
            if not conn.in_transaction():
                conn.begin()
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        except sa_exc.SQLAlchemyError as exc:
            raise self._broken(_translate(exc, kind, id)) from _cause(exc)
        # A failed statement aborts a PostgreSQL transaction: a savepoint around an update or
        # a delete keeps the unit of work usable after a Conflict.
        savepoint = savepoint and storage._savepoints
        recovered = False
        try:
            if savepoint:
                cursor.execute("SAVEPOINT partnerkit_write")
            try:
                cursor.execute(raw.sql, raw.bind(params))
                rows = cursor.fetchall() if cursor.description else []
                count = int(cursor.rowcount)
            except storage._dbapi_error:
                if savepoint:
                    cursor.execute("ROLLBACK TO SAVEPOINT partnerkit_write")
                    recovered = True
                raise
            if savepoint:
                cursor.execute("RELEASE SAVEPOINT partnerkit_write")
            return count, rows
        except storage._dbapi_integrity as exc:
            error = _translate(exc, kind, id) if on_unique is None else on_unique(exc)
            if not recovered and self._lost(conn, error if on_unique is None else None):
                self._broken(error)
            raise error from exc
        except storage._dbapi_error as exc:
            error = _translate(exc, kind, id)
            if not recovered and self._lost(conn, error):
                self._broken(error)
            raise error from exc
        finally:
            with contextlib.suppress(Exception):
                cursor.close()

    def _lost(self, conn: sa.Connection, error: Exception | None) -> bool:
        """Whether a failed statement took the transaction with it.

        On PostgreSQL every error outside a savepoint aborts it. SQLite keeps
        the transaction after most errors (a clash, a lock wait), but drops
        it after some (a full disk): ask the driver.
        """
        if self._storage._savepoints:
            return True
        if isinstance(error, StorageError):
            return True
        driver = getattr(conn.connection, "driver_connection", None)
        return not bool(getattr(driver, "in_transaction", True))

    def _begin(self) -> None:
        pass

    def _commit(self) -> None:
        conn = self._conn
        if conn is None or not conn.in_transaction():
            return
        if _aborted(conn):
            # PostgreSQL would answer COMMIT with ROLLBACK without an error: say so.
            self._rollback()
            raise StorageError("nothing was written: the transaction had failed")
        try:
            conn.commit()
        except sa_exc.SQLAlchemyError as exc:
            self._rollback()
            raise _translate(exc, "database", "") from _cause(exc)
        self._storage._created.update(self._created_here)
        self._created_here.clear()

    def _rollback(self) -> None:
        self._created_here.clear()
        conn = self._conn
        if conn is None:
            return
        try:
            conn.rollback()
        except sa_exc.SQLAlchemyError:
            # A broken connection: nothing was committed; drop it rather than mask the error.
            self._conn = None
            with contextlib.suppress(sa_exc.SQLAlchemyError):
                conn.invalidate()
                conn.close()

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(sa_exc.SQLAlchemyError):
                conn.close()


def _decode(spec: AggregateSpec[A], body: Any, version: int, schema: int) -> A:
    """Rebuild an aggregate from a stored body, upgrading it from an older schema first."""
    data: dict[str, Any] = json.loads(body) if isinstance(body, (str, bytes)) else dict(body)
    if schema < spec.schema_version:
        data = spec.upgrade(data, schema)
    data["version"] = version
    return from_dict(spec.type, data)


class SqlAlchemyRepository(BaseRepository[A]):
    """The :class:`~partnerkit.storage.Repository` of :class:`SqlAlchemyUnitOfWork`."""

    def __init__(self, uow: SqlAlchemyUnitOfWork, spec: AggregateSpec[A], table: _Table) -> None:
        self._uow = uow
        self._spec = spec
        self._t = table

    def find(self, id: str) -> A | None:
        """Return the aggregate with identifier ``id``, or ``None``."""
        self._spec.check_id(id)
        _, rows = self._uow._run(self._t.raw_one, {"p_id": id}, self._spec.kind, id)
        if not rows:
            return None
        row = rows[0]
        return _decode(self._spec, row[2], row[0], row[1])

    def _params(self, id: str, aggregate: A, values: dict[str, IndexValue]) -> dict[str, Any]:
        params = {f"p_{name}": value for name, value in values.items()}
        params["p_id"] = id
        params["p_schema"] = self._spec.schema_version
        params["p_body"] = encode_body(self._spec, aggregate)
        return params

    def _clash(
        self, id: str, values: dict[str, IndexValue], orig: Exception, *, adding: bool
    ) -> PartnerkitError:
        kind = self._spec.kind
        state = getattr(orig, "sqlstate", None)
        constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)
        if adding and (
            constraint == self._t.primary_key
            or self._uow._run(self._t.raw_version, {"p_id": id}, kind, id)[1]
        ):
            return Conflict(kind, id, "the id is already taken")
        field = self._t.unique_by_constraint.get(constraint or "")
        if field is None and type(orig).__module__.startswith("sqlite3"):
            # SQLite names the columns: "UNIQUE constraint failed: partnerkit_x.idx_slug".
            failed = {c.strip() for c in str(orig).partition("failed:")[2].split(",")}
            field = next(
                (self._t.unique_by_column[c] for c in failed if c in self._t.unique_by_column), None
            )
            if field is None and "UNIQUE" not in str(orig):
                return _translate(orig, kind, id)
        elif field is None and state != _UNIQUE_VIOLATION:
            return _translate(orig, kind, id)
        if field is None:
            return Conflict(kind, id, f"a unique value is already taken ({constraint})")
        return Conflict(kind, id, f"{field} {values[field]!r} is already taken", field=field)

    def add(self, aggregate: A) -> A:
        """Insert a new aggregate; raise ``Conflict`` if its id or a unique value is taken."""
        spec = self._spec
        id = spec.id_of(aggregate)
        values = spec.index_values(aggregate)
        params = self._params(id, aggregate, values)
        inserted, _ = self._uow._run(
            self._t.raw_insert,
            params,
            spec.kind,
            id,
            lambda exc: self._clash(id, values, exc, adding=True),
        )
        if inserted != 1:
            raise self._taken(id, values)
        return with_version(aggregate, 1)

    def _taken(self, id: str, values: dict[str, IndexValue]) -> Conflict:
        """Which value an insert that inserted nothing clashed on: the id, or a unique index."""
        kind = self._spec.kind
        if self._uow._run(self._t.raw_version, {"p_id": id}, kind, id)[1]:
            return Conflict(kind, id, "the id is already taken")
        for name, holder in self._t.raw_holders.items():
            value = values[name]
            if value is not None and self._uow._run(holder, {"p_value": value}, kind, id)[1]:
                return Conflict(kind, id, f"{name} {value!r} is already taken", field=name)
        # The holder was deleted since: nothing is written, as for any conflict.
        return Conflict(kind, id, "the id or a unique value was taken")

    def _stale(self, id: str, version: int) -> PartnerkitError:
        _, rows = self._uow._run(self._t.raw_version, {"p_id": id}, self._spec.kind, id)
        if not rows:
            return NotFound(self._spec.kind, id)
        row = rows[0]
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
        values = spec.index_values(aggregate)
        params = self._params(id, aggregate, values)
        params["p_version"] = version
        changed, _ = self._uow._run(
            self._t.raw_update,
            params,
            spec.kind,
            id,
            lambda exc: self._clash(id, values, exc, adding=False),
            savepoint=True,
        )
        if changed != 1:
            raise self._stale(id, version)
        return with_version(aggregate, version + 1)

    def delete(self, aggregate: A) -> None:
        """Delete an aggregate read at ``aggregate.version``; stale versions conflict."""
        spec = self._spec
        id = spec.id_of(aggregate)
        version = spec.check_version(getattr(aggregate, "version", None))
        changed, _ = self._uow._run(
            self._t.raw_delete, {"p_id": id, "p_version": version}, spec.kind, id, savepoint=True
        )
        if changed != 1:
            raise self._stale(id, version)

    def _where(
        self, wanted: dict[str, list[IndexValue]]
    ) -> tuple[tuple[tuple[str, bool, bool], ...], dict[str, Any]]:
        """The shape of a filter (cached statements) and its bound values."""
        shape = []
        params: dict[str, Any] = {}
        for name, values in wanted.items():
            present = [v for v in values if v is not None]
            if present:
                params[f"w_{name}"] = present
            shape.append((name, bool(present), None in values))
        return tuple(shape), params

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
        shape, params = self._where(wanted)
        key = (shape, order_by, None if after is None else after[0])
        statement = self._t.listings.get(key)
        if statement is None:
            statement = self._listing(shape, order_by, None if after is None else after[0])
            self._t.listings[key] = statement
        if after is not None:
            params["k_id"] = after[2]
            if order_by is not None and after[0] == 1:
                params["k_value"] = after[1]
        params["k_limit"] = limit + 1
        rows = self._uow._read(statement, params, self._spec.kind, "").all()
        return page_of(self._spec, wanted, order_by, limit, rows, _decode)

    def _listing(
        self, shape: tuple[tuple[str, bool, bool], ...], order_by: str | None, flag: int | None
    ) -> sa.Select[Any]:
        c = self._t.table.c
        clauses = self._t.conditions(shape)
        columns: list[Any] = [c.id, c.version, c.schema, c.body]
        after_id = sa.bindparam("k_id", type_=c.id.type)
        if order_by is None:
            ordering: list[Any] = [c.id]
            if flag is not None:
                clauses.append(c.id > after_id)
        else:
            column = self._t.columns[order_by]
            columns.append(column)
            ordering = [column.asc().nulls_first(), c.id]
            if flag == 0:
                clauses.append(
                    sa.or_(sa.and_(column.is_(None), c.id > after_id), column.is_not(None))
                )
            elif flag == 1:
                value = sa.bindparam("k_value", type_=column.type)
                clauses.append(
                    sa.and_(
                        column.is_not(None), sa.tuple_(column, c.id) > sa.tuple_(value, after_id)
                    )
                )
        limit = sa.bindparam("k_limit", type_=sa.Integer())
        return sa.select(*columns).where(*clauses).order_by(*ordering).limit(limit)

    def count(self, where: Where | None = None) -> int:
        """How many aggregates match ``where``."""
        shape, params = self._where(normalize_where(self._spec, where))
        statement = self._t.counts.get(shape)
        if statement is None:
            statement = (
                sa.select(sa.func.count())
                .select_from(self._t.table)
                .where(*self._t.conditions(shape))
            )
            self._t.counts[shape] = statement
        return int(self._uow._read(statement, params, self._spec.kind, "").scalar_one())

    def ids(self, where: Where | None = None) -> builtins.list[str]:
        """The ids of the aggregates matching ``where``, in the order ``list`` gives them.

        One query for the ids alone, no body read: for a bulk operation that
        needs only which aggregates match. An optional capability of a
        repository, beside the ``Repository`` protocol.
        """
        shape, params = self._where(normalize_where(self._spec, where))
        statement = self._t.id_lists.get(shape)
        if statement is None:
            c = self._t.table.c
            statement = sa.select(c.id).where(*self._t.conditions(shape)).order_by(c.id)
            self._t.id_lists[shape] = statement
        rows = self._uow._read(statement, params, self._spec.kind, "").all()
        return [str(row[0]) for row in rows]
