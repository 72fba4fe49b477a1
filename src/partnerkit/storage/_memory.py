"""The in-memory reference backend: for tests, demos and small hosts."""

from __future__ import annotations

import threading
from typing import Any, TypeVar

import attrs

from partnerkit.core import EventDispatcher
from partnerkit.core.errors import Conflict, NotFound
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

__all__ = ["MemoryStorage", "MemoryUnitOfWork"]

A = TypeVar("A")


@attrs.frozen
class _Row:
    version: int
    schema: int
    body: str
    indexes: dict[str, IndexValue]


class MemoryStorage:
    """Keeps every aggregate in process memory, serialized as JSON like the SQLite backend.

    Thread-safe: commits are serialized by a lock and checked against what
    other units of work committed meanwhile. Nothing survives the process.

    >>> storage = MemoryStorage()
    >>> with storage.unit_of_work() as uow:
    ...     uow.sequences.next("deals")
    1
    """

    def __init__(self, dispatcher: EventDispatcher | None = None) -> None:
        self.dispatcher = dispatcher
        self._lock = threading.Lock()
        self._tables: dict[str, dict[str, _Row]] = {}
        self._sequences: dict[str, int] = {}

    def unit_of_work(self) -> MemoryUnitOfWork:
        """Return a new unit of work over this storage."""
        return MemoryUnitOfWork(self)

    def __repr__(self) -> str:
        return f"MemoryStorage(tables={sorted(self._tables)})"


class _MemorySequences:
    def __init__(self, storage: MemoryStorage) -> None:
        self._storage = storage

    def next(self, name: str) -> int:
        with self._storage._lock:
            value = self._storage._sequences.get(name, 0) + 1
            self._storage._sequences[name] = value
            return value


class MemoryUnitOfWork(BaseUnitOfWork):
    """A unit of work over :class:`MemoryStorage`: writes are staged and applied at commit."""

    def __init__(self, storage: MemoryStorage) -> None:
        super().__init__(storage.dispatcher)
        self._storage = storage
        self.sequences: Sequences = _MemorySequences(storage)
        # kind -> id -> (row written, version it was based on; 0 for a new aggregate)
        self._staged: dict[str, dict[str, tuple[_Row, int]]] = {}
        self._specs: dict[str, AggregateSpec[Any]] = {}

    def __enter__(self) -> MemoryUnitOfWork:
        super().__enter__()
        return self

    def repository(self, spec: AggregateSpec[A]) -> MemoryRepository[A]:
        """Return the repository for ``spec`` in this unit of work."""
        self._require_active()
        self._specs[spec.kind] = spec
        return MemoryRepository(self, spec)

    def _begin(self) -> None:
        self._staged = {}

    def _rollback(self) -> None:
        self._staged = {}

    def _after_commit(self) -> None:
        self._staged = {}

    def _commit(self) -> None:
        storage = self._storage
        with storage._lock:
            for kind, rows in self._staged.items():
                table = storage._tables.get(kind, {})
                for id, (row, based_on) in rows.items():
                    stored = table.get(id)
                    stored_version = stored.version if stored else 0
                    if stored_version != based_on:
                        raise Conflict(
                            kind,
                            id,
                            "changed by someone else since it was read"
                            if based_on
                            else "the id is already taken",
                            expected_version=based_on or None,
                            actual_version=stored_version if based_on else None,
                        )
                    self._check_unique(kind, id, row, table, rows)
            for kind, rows in self._staged.items():
                table = storage._tables.setdefault(kind, {})
                for id, (row, _) in rows.items():
                    table[id] = row

    def _check_unique(
        self,
        kind: str,
        id: str,
        row: _Row,
        table: dict[str, _Row],
        staged: dict[str, tuple[_Row, int]],
    ) -> None:
        spec = self._specs[kind]
        for index in spec.indexes:
            value = row.indexes.get(index.name)
            if not index.unique or value is None:
                continue
            for other_id, other in table.items():
                if other_id == id or other_id in staged:
                    continue
                if other.indexes.get(index.name) == value:
                    raise Conflict(
                        kind, id, f"{index.name} {value!r} is already taken", field=index.name
                    )

    # Reads see this unit of work's own writes over what is committed.
    def _visible(self, kind: str) -> dict[str, _Row]:
        rows = dict(self._storage._tables.get(kind, {}))
        for id, (row, _) in self._staged.get(kind, {}).items():
            rows[id] = row
        return rows

    def _row(self, kind: str, id: str) -> _Row | None:
        staged = self._staged.get(kind, {}).get(id)
        if staged is not None:
            return staged[0]
        return self._storage._tables.get(kind, {}).get(id)


class MemoryRepository(BaseRepository[A]):
    """The :class:`~partnerkit.storage.Repository` of :class:`MemoryUnitOfWork`."""

    def __init__(self, uow: MemoryUnitOfWork, spec: AggregateSpec[A]) -> None:
        self._uow = uow
        self._spec = spec

    def find(self, id: str) -> A | None:
        """Return the aggregate with identifier ``id``, or ``None``."""
        self._uow._require_active()
        row = self._uow._row(self._spec.kind, id)
        if row is None:
            return None
        return decode_body(self._spec, row.body, row.version, row.schema)

    def _stage(self, aggregate: A, version: int, based_on: int) -> A:
        spec = self._spec
        id = spec.id_of(aggregate)
        row = _Row(
            version, spec.schema_version, encode_body(spec, aggregate), spec.index_values(aggregate)
        )
        visible = self._uow._visible(spec.kind)
        for index in spec.indexes:
            value = row.indexes[index.name]
            if index.unique and value is not None:
                for other_id, other in visible.items():
                    if other_id != id and other.indexes.get(index.name) == value:
                        raise Conflict(
                            spec.kind,
                            id,
                            f"{index.name} {value!r} is already taken",
                            field=index.name,
                        )
        staged = self._uow._staged.setdefault(spec.kind, {})
        previous = staged.get(id)
        staged[id] = (row, previous[1] if previous else based_on)
        return with_version(aggregate, version)

    def add(self, aggregate: A) -> A:
        """Stage a new aggregate; raise ``Conflict`` if its id or a unique value is taken."""
        self._uow._require_active()
        id = self._spec.id_of(aggregate)
        if self._uow._row(self._spec.kind, id) is not None:
            raise Conflict(self._spec.kind, id, "the id is already taken")
        return self._stage(aggregate, 1, 0)

    def save(self, aggregate: A) -> A:
        """Stage a changed aggregate read at ``aggregate.version``; stale versions conflict."""
        self._uow._require_active()
        spec = self._spec
        id = spec.id_of(aggregate)
        row = self._uow._row(spec.kind, id)
        if row is None:
            raise NotFound(spec.kind, id)
        version = getattr(aggregate, "version", None)
        if version != row.version:
            raise Conflict(
                spec.kind,
                id,
                "changed by someone else since it was read",
                expected_version=version if isinstance(version, int) else None,
                actual_version=row.version,
            )
        return self._stage(aggregate, row.version + 1, row.version)

    def _matching(self, wanted: dict[str, list[IndexValue]]) -> list[tuple[str, _Row]]:
        self._uow._require_active()
        return [
            (id, row)
            for id, row in self._uow._visible(self._spec.kind).items()
            if all(row.indexes.get(name) in values for name, values in wanted.items())
        ]

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
        keyed = sorted(
            (listing_key(order_by, id, row.indexes), row) for id, row in self._matching(wanted)
        )
        if after is not None:
            keyed = [(key, row) for key, row in keyed if key > after]
        chunk = keyed[: limit + 1]
        items = tuple(
            decode_body(self._spec, row.body, row.version, row.schema) for _, row in chunk[:limit]
        )
        more = len(chunk) > limit
        return Page(items, encode_cursor(order_by, chunk[limit - 1][0]) if more else None)

    def count(self, where: Where | None = None) -> int:
        """How many aggregates match ``where``."""
        return len(self._matching(normalize_where(self._spec, where)))
