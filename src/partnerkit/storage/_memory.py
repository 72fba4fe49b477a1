"""The in-memory reference backend: for tests, demos and small hosts."""

from __future__ import annotations

import bisect
import builtins
import heapq
import threading
from collections.abc import Iterable
from operator import itemgetter
from typing import Any, TypeVar

from partnerkit.core import EventDispatcher
from partnerkit.core._serialization import shareable, structure_changes
from partnerkit.core.errors import Conflict, NotFound, ValidationError
from partnerkit.storage._builtin import builtin_specs
from partnerkit.storage._common import (
    BaseRepository,
    BaseUnitOfWork,
    SortKey,
    Where,
    check_listing,
    check_sequence_name,
    decode_body,
    encode_body,
    encode_cursor,
    listing_key,
    listing_scope,
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

__all__ = ["MemoryRepository", "MemoryStorage", "MemoryUnitOfWork"]

A = TypeVar("A")

_first = itemgetter(0)

#: The ids posted under one index value: the one id itself, or a set of two or more. Told
#: apart by the set (made here, always a plain set): an id may be a host's str subclass.
_Holders = str | set[str]


def _post(postings: dict[IndexValue, _Holders], value: IndexValue, id: str) -> None:
    """Add ``id`` to the holders of ``value``: a lone holder is kept as its id, not a set.

    Most values of a unique or near-unique index (a plan's partner, its
    assignment) have one holder; a set per value would be an object more per
    row for the garbage collector to walk.
    """
    holders = postings.get(value)
    if holders is None:
        postings[value] = id
    elif isinstance(holders, set):
        holders.add(id)
    elif holders != id:
        postings[value] = {holders, id}


def _unpost(postings: dict[IndexValue, _Holders], value: IndexValue, id: str) -> None:
    """Remove ``id`` from the holders of ``value`` (a value left with one holder keeps its id)."""
    holders = postings.get(value)
    if holders is None:
        return
    if not isinstance(holders, set):
        if holders == id:
            del postings[value]
        return
    holders.discard(id)
    if len(holders) == 1:
        postings[value] = next(iter(holders))
    elif not holders:
        del postings[value]


def _held(holders: _Holders | None) -> Iterable[str]:
    """The ids of a postings entry (none for a missing one)."""
    if holders is None:
        return ()
    return holders if isinstance(holders, set) else (holders,)


#: How many sorted listings a table keeps (each as long as its matches) before it starts over.
_KEPT_LISTINGS = 8


class _Row:
    """One stored version of an aggregate: its JSON body and index values, never changed.

    ``decoded`` keeps the aggregate read back from the body once it has been read
    twice and holds nothing mutable (see ``deeply_frozen``): every reader may then
    get that same value instead of decoding the body again.
    """

    __slots__ = ("body", "decoded", "indexes", "reads", "schema", "version")

    def __init__(self, version: int, schema: int, body: str, indexes: dict[str, IndexValue]):
        self.version = version
        self.schema = schema
        self.body = body
        self.indexes = indexes
        #: (the spec that decoded it, the converter's count of structure hook changes then,
        #: the value): another spec of the kind (a newer schema with its upgrades, another
        #: class), or a hook registered since, decodes the body again. One attribute, so a
        #: reader on another thread never sees one spec with another spec's value.
        self.decoded: tuple[object, object, object] | None = None
        self.reads = 0


def _decode(spec: AggregateSpec[A], row: _Row) -> A:
    decoded = row.decoded
    changes = structure_changes()
    if decoded is not None and decoded[0] is spec and decoded[1] == changes:
        return decoded[2]  # type: ignore[return-value]  # decoded from this row by this spec
    value = decode_body(spec, row.body, row.version, row.schema)
    # Rows read once (a registration loaded to be changed) are not worth the check; a row
    # read again (a partner, a user, a program) keeps its value when nothing in it can change.
    row.reads += 1
    if row.reads > 1 and shareable(spec.type, value, changes):
        row.decoded = (spec, changes, value)
    return value


class _Table:
    """One kind's committed rows, with an owner map per unique index for O(1) clash checks.

    ``postings`` holds the ids of the rows with each value of every index, so a
    filtered listing reads only the rows that can match.
    """

    __slots__ = ("indexed", "listings", "owners", "postings", "prepared", "rows", "writes")

    def __init__(self) -> None:
        self.rows: dict[str, _Row] = {}
        #: Counts the changes of ``rows``: a sorted listing kept in ``listings`` is good while
        #: the count it was made at is the count now.
        self.writes = 0
        #: Listings read page by page: (order, filter scope) -> (writes, sort keys, rows).
        self.listings: dict[tuple[str | None, str], tuple[int, list[SortKey], list[_Row]]] = {}
        self.owners: dict[str, dict[IndexValue, str]] = {}
        self.postings: dict[str, dict[IndexValue, _Holders]] = {}
        #: The indexes whose values every stored row holds: name -> (unique, type name).
        self.indexed: dict[str, tuple[bool, str]] = {}
        #: The specs already prepared, by identity (a spec holds functions: no hash).
        self.prepared: dict[int, AggregateSpec[Any]] = {}

    def prepare(self, spec: AggregateSpec[Any]) -> None:
        """Back-fill the indexes ``spec`` names that the stored rows lack (caller holds the lock).

        The rows written before a spec gained an index get its values from their
        bodies, read through ``spec`` (its upgrades included), as the SQLite backend
        fills a new column; an index that becomes unique is checked first.
        """
        if self.prepared.get(id(spec)) is spec:
            return
        changed = [
            i for i in spec.indexes if self.indexed.get(i.name) != (i.unique, i.type.__name__)
        ]
        if changed and self.rows:
            values = {
                key: spec.index_values(decode_body(spec, row.body, row.version, row.schema))
                for key, row in self.rows.items()
            }
            for index in changed:
                if index.unique:
                    taken: set[IndexValue] = set()
                    for found in values.values():
                        value = found[index.name]
                        if value is not None and value in taken:
                            raise ValidationError.single(
                                f"indexes.{index.name}",
                                "duplicate",
                                f"stored {spec.kind} share values of {index.name}:"
                                " it cannot become unique",
                            )
                        taken.add(value)
            self.writes += 1
            for key, row in list(self.rows.items()):
                filled = _Row(
                    row.version,
                    row.schema,
                    row.body,
                    {**row.indexes, **{i.name: values[key][i.name] for i in changed}},
                )
                self.rows[key] = filled
        for index in changed:
            postings: dict[IndexValue, _Holders] = {}
            owners: dict[IndexValue, str] = {}
            for key, row in self.rows.items():
                value = row.indexes.get(index.name)
                _post(postings, value, key)
                if index.unique and value is not None:
                    owners[value] = key
            self.postings[index.name] = postings
            if index.unique:
                self.owners[index.name] = owners
            else:
                self.owners.pop(index.name, None)
            self.indexed[index.name] = (index.unique, index.type.__name__)
        self.prepared[id(spec)] = spec

    def put(self, spec: AggregateSpec[Any], id: str, row: _Row | None) -> None:
        self.writes += 1
        old = self.rows.pop(id, None)
        for index in spec.indexes:
            if index.name not in self.postings:
                # First write under this index: post the rows stored before it (a row
                # written without the index holds None, as _matching reads it).
                postings: dict[IndexValue, _Holders] = {}
                for other_id, other in self.rows.items():
                    _post(postings, other.indexes.get(index.name), other_id)
                self.postings[index.name] = postings
        # Every posted index follows every write, also one the writing spec does not name.
        for name, postings in self.postings.items():
            if old is not None:
                _unpost(postings, old.indexes.get(name), id)
            if row is not None:
                _post(postings, row.indexes.get(name), id)
        for index in spec.indexes:
            if not index.unique:
                continue
            owners = self.owners.setdefault(index.name, {})
            if old is not None and owners.get(old.indexes.get(index.name)) == id:
                del owners[old.indexes[index.name]]
            if row is not None and row.indexes.get(index.name) is not None:
                owners[row.indexes[index.name]] = id
        if row is not None:
            self.rows[id] = row


class MemoryStorage:
    """Keeps every aggregate in process memory, serialized as JSON like the SQLite backend.

    Thread-safe: commits are serialized by a lock and checked against what
    other units of work committed meanwhile. Nothing survives the process.
    A stored version read more than once is decoded once and shared when it
    holds nothing mutable (frozen attrs values, tuples, atoms); any other
    value is decoded afresh for each reader.
    ``specs`` names the aggregate kinds the host means to store (by default
    partnerkit's own, :data:`~partnerkit.storage.BUILTIN_SPECS`): it is
    checked like the other backends' (two different specs of one kind are
    refused), and memory needs no tables made in advance.

    >>> storage = MemoryStorage()
    >>> with storage.unit_of_work() as uow:
    ...     uow.sequences.next("deals")
    1
    """

    def __init__(
        self,
        dispatcher: EventDispatcher | None = None,
        *,
        specs: Iterable[AggregateSpec[Any]] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.specs = specs_by_kind(builtin_specs() if specs is None else specs)
        self._lock = threading.Lock()
        self._tables: dict[str, _Table] = {}
        self._sequences: dict[str, int] = {}

    def unit_of_work(self) -> MemoryUnitOfWork:
        """Return a new unit of work over this storage."""
        return MemoryUnitOfWork(self)

    def _table(self, kind: str) -> _Table:
        table = self._tables.get(kind)
        if table is None:
            table = self._tables.setdefault(kind, _Table())
        return table

    def __repr__(self) -> str:
        return f"MemoryStorage(tables={sorted(self._tables)})"


class _MemorySequences:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def next(self, name: str) -> int:
        check_sequence_name(name)
        self._uow._require_active()
        storage = self._uow._storage
        with storage._lock:
            value = storage._sequences.get(name, 0) + 1
            storage._sequences[name] = value
            return value


# A staged write: the row written (None for a deletion) and the version it was based on
# (0 for a new aggregate).
_Staged = tuple[_Row | None, int]


class MemoryUnitOfWork(BaseUnitOfWork):
    """A unit of work over :class:`MemoryStorage`: writes are staged and applied at commit."""

    def __init__(self, storage: MemoryStorage) -> None:
        super().__init__(storage.dispatcher)
        self._storage = storage
        self._sequences = _MemorySequences(self)
        self._staged: dict[str, dict[str, _Staged]] = {}
        # The unique index values of the staged rows: (kind, index) -> value -> the id that
        # holds it (one: a write claiming a held value is refused before it is staged), so a
        # write checks them in constant time however many rows the unit of work staged.
        self._taken: dict[tuple[str, str], dict[IndexValue, str]] = {}
        self._specs: dict[str, AggregateSpec[Any]] = {}

    def __enter__(self) -> MemoryUnitOfWork:
        super().__enter__()
        return self

    @property
    def sequences(self) -> Sequences:
        """The counters of this storage (taken numbers are not given back on rollback)."""
        return self._sequences

    def repository(self, spec: AggregateSpec[A]) -> MemoryRepository[A]:
        """Return the repository for ``spec`` in this unit of work (back-filling new indexes)."""
        self._require_active()
        storage = self._storage
        table = storage._tables.get(spec.kind)
        if table is None or table.prepared.get(id(spec)) is not spec:
            with storage._lock:
                storage._table(spec.kind).prepare(spec)
        self._specs[spec.kind] = spec
        return MemoryRepository(self, spec)

    def _begin(self) -> None:
        self._staged = {}
        self._taken = {}

    def _rollback(self) -> None:
        self._staged = {}
        self._taken = {}

    def _after_commit(self) -> None:
        self._staged = {}
        self._taken = {}

    def _commit(self) -> None:
        storage = self._storage
        with storage._lock:
            # Check everything first, so a conflict applies nothing.
            for kind, rows in self._staged.items():
                table = storage._table(kind)
                for id, (row, based_on) in rows.items():
                    stored = table.rows.get(id)
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
                    if row is not None:
                        self._check_unique(kind, id, row, table, rows)
            for kind, rows in self._staged.items():
                table = storage._table(kind)
                spec = self._specs[kind]
                for id, (row, _) in rows.items():
                    table.put(spec, id, row)

    def _check_unique(
        self, kind: str, id: str, row: _Row, table: _Table, staged: dict[str, _Staged]
    ) -> None:
        for index in self._specs[kind].indexes:
            value = row.indexes.get(index.name)
            if not index.unique or value is None:
                continue
            owner = table.owners.get(index.name, {}).get(value)
            if owner is None or owner == id:
                continue
            if owner in staged:
                # The owner is rewritten or deleted by this unit of work: is the value freed?
                rewritten = staged[owner][0]
                if rewritten is None or rewritten.indexes.get(index.name) != value:
                    continue
            raise Conflict(kind, id, f"{index.name} {value!r} is already taken", field=index.name)

    def _row(self, kind: str, id: str) -> _Row | None:
        staged = self._staged.get(kind, {}).get(id)
        if staged is not None:
            return staged[0]
        table = self._storage._tables.get(kind)
        return table.rows.get(id) if table is not None else None

    def _visible(self, kind: str) -> dict[str, _Row]:
        table = self._storage._tables.get(kind)
        rows = dict(table.rows) if table is not None else {}
        for id, (row, _) in self._staged.get(kind, {}).items():
            if row is None:
                rows.pop(id, None)
            else:
                rows[id] = row
        return rows


class MemoryRepository(BaseRepository[A]):
    """The :class:`~partnerkit.storage.Repository` of :class:`MemoryUnitOfWork`."""

    def __init__(self, uow: MemoryUnitOfWork, spec: AggregateSpec[A]) -> None:
        self._uow = uow
        self._spec = spec

    def find(self, id: str) -> A | None:
        """Return the aggregate with identifier ``id``, or ``None``."""
        self._spec.check_id(id)
        self._uow._require_active()
        row = self._uow._row(self._spec.kind, id)
        if row is None:
            return None
        return _decode(self._spec, row)

    def _check_unique_now(self, id: str, row: _Row) -> None:
        # The same check commit makes, against committed rows and this unit of work's writes.
        kind = self._spec.kind
        staged = self._uow._staged.get(kind, {})
        table = self._uow._storage._tables.get(kind) or _Table()
        self._uow._check_unique(kind, id, row, table, staged)
        taken = self._uow._taken
        for index in self._spec.indexes:
            value = row.indexes.get(index.name)
            if not index.unique or value is None:
                continue
            holder = taken.get((kind, index.name), {}).get(value)
            if holder is not None and holder != id:
                raise Conflict(
                    kind, id, f"{index.name} {value!r} is already taken", field=index.name
                )

    def _stage(self, id: str, row: _Row | None, based_on: int) -> None:
        kind = self._spec.kind
        staged = self._uow._staged.setdefault(kind, {})
        previous = staged.get(id)
        taken = self._uow._taken
        for index in self._spec.indexes:
            if not index.unique:
                continue
            values = taken.setdefault((kind, index.name), {})
            old = previous[0].indexes.get(index.name) if previous and previous[0] else None
            if old is not None and values.get(old) == id:
                del values[old]
            new = row.indexes.get(index.name) if row is not None else None
            if new is not None:
                values[new] = id  # _check_unique_now refused it if another id held it
        staged[id] = (row, previous[1] if previous else based_on)

    def _row_for(self, aggregate: A, version: int) -> tuple[str, _Row]:
        spec = self._spec
        id = spec.id_of(aggregate)
        row = _Row(
            version, spec.schema_version, encode_body(spec, aggregate), spec.index_values(aggregate)
        )
        return id, row

    def add(self, aggregate: A) -> A:
        """Stage a new aggregate; raise ``Conflict`` if its id or a unique value is taken."""
        self._uow._require_active()
        id, row = self._row_for(aggregate, 1)
        if self._uow._row(self._spec.kind, id) is not None:
            raise Conflict(self._spec.kind, id, "the id is already taken")
        self._check_unique_now(id, row)
        self._stage(id, row, 0)
        return with_version(aggregate, 1)

    def _current(self, aggregate: A) -> tuple[str, int, _Row]:
        spec = self._spec
        id = spec.id_of(aggregate)
        version = spec.check_version(getattr(aggregate, "version", None))
        stored = self._uow._row(spec.kind, id)
        if stored is None:
            raise NotFound(spec.kind, id)
        if version != stored.version:
            raise Conflict(
                spec.kind,
                id,
                "changed by someone else since it was read",
                expected_version=version,
                actual_version=stored.version,
            )
        return id, version, stored

    def save(self, aggregate: A) -> A:
        """Stage a changed aggregate read at ``aggregate.version``; stale versions conflict."""
        self._uow._require_active()
        _, version, _ = self._current(aggregate)
        id, row = self._row_for(aggregate, version + 1)
        self._check_unique_now(id, row)
        self._stage(id, row, version)
        return with_version(aggregate, version + 1)

    def delete(self, aggregate: A) -> None:
        """Stage the removal of an aggregate read at ``aggregate.version``."""
        self._uow._require_active()
        id, version, _ = self._current(aggregate)
        self._stage(id, None, version)

    def _matching(self, wanted: dict[str, list[IndexValue]]) -> list[tuple[str, _Row]]:
        """The visible rows matching ``wanted``, in no particular order.

        Committed rows are found through the postings of the filtered index
        holding the fewest of them (when the table has postings), and only
        the other filters are checked on them; the rows this unit of work
        staged are checked against every filter.
        """
        self._uow._require_active()
        kind = self._spec.kind
        table = self._uow._storage._tables.get(kind)
        posted = [name for name in wanted if name in table.postings] if table is not None else []
        if table is None or not posted:
            return [
                (id, row)
                for id, row in self._uow._visible(kind).items()
                if all(row.indexes.get(name) in values for name, values in wanted.items())
            ]
        postings = table.postings

        def holding(name: str) -> int:
            held = postings[name]
            return sum(
                len(h) if isinstance(h, set) else 0 if h is None else 1
                for h in (held.get(value) for value in wanted[name])
            )

        by = min(posted, key=holding)
        ids: set[str] = set()
        for value in wanted[by]:
            ids.update(_held(postings[by].get(value)))
        staged = self._uow._staged.get(kind, {})
        ids.difference_update(staged)
        others = [(name, values) for name, values in wanted.items() if name != by]
        rows = table.rows
        found: list[tuple[str, _Row]] = []
        if others:
            for id in ids:
                row = rows.get(id)
                if row is not None and all(row.indexes.get(n) in v for n, v in others):
                    found.append((id, row))
        else:
            found.extend((id, row) for id in ids if (row := rows.get(id)) is not None)
        for id, (staged_row, _) in staged.items():
            if staged_row is not None and all(
                staged_row.indexes.get(name) in values for name, values in wanted.items()
            ):
                found.append((id, staged_row))
        return found

    def _page(
        self,
        wanted: dict[str, list[IndexValue]],
        order_by: str | None,
        limit: int,
        after: SortKey | None,
    ) -> list[tuple[SortKey, _Row]]:
        """The page's rows and the one after it, picked from the matches without a sort."""
        matching = self._matching(wanted)
        if order_by is None:
            # Listed by id alone (see listing_key): compare the ids themselves.
            if after is not None:
                start = after[2]
                matching = [item for item in matching if item[0] > start]
            return [
                (listing_key(None, id, row.indexes), row)
                for id, row in heapq.nsmallest(limit + 1, matching, key=_first)
            ]
        candidates: Iterable[tuple[SortKey, _Row]] = (
            (listing_key(order_by, id, row.indexes), row) for id, row in matching
        )
        if after is not None:
            candidates = (item for item in candidates if item[0] > after)
        return heapq.nsmallest(limit + 1, candidates, key=_first)

    def _sorted(
        self, wanted: dict[str, list[IndexValue]], order_by: str | None, *, continued: bool
    ) -> tuple[list[SortKey], list[_Row]] | None:
        """The whole listing sorted, kept on the table while it is unchanged; None to pick a page.

        A listing read on (a page after the first) is sorted once and kept, so
        every later page is found by bisection instead of a pass over every
        match. Not while this unit of work has staged rows of the kind (they
        are its own), and not for a first page, which may be the only one.
        """
        kind = self._spec.kind
        table = self._uow._storage._tables.get(kind)
        if table is None or self._uow._staged.get(kind):
            return None
        scope = (order_by, listing_scope(self._spec, wanted))
        writes = table.writes
        held = table.listings.get(scope)
        if held is not None and held[0] == writes:
            return held[1], held[2]
        if not continued:
            return None
        pairs = sorted(
            ((listing_key(order_by, id, row.indexes), row) for id, row in self._matching(wanted)),
            key=_first,
        )
        keys = [key for key, _ in pairs]
        rows = [row for _, row in pairs]
        if table.writes == writes:  # nothing committed meanwhile: the sort is of one state
            if len(table.listings) >= _KEPT_LISTINGS:
                table.listings.clear()
            table.listings[scope] = (writes, keys, rows)
        return keys, rows

    def list(
        self,
        where: Where | None = None,
        *,
        order_by: str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
    ) -> Page[A]:
        """One page of matching aggregates in stable order (see ``Repository.list``).

        A first page is picked from the matches without a sort; a listing read
        on is sorted once and kept while the table is unchanged, so each later
        page is a bisection (see ``_sorted``).
        """
        wanted, after = check_listing(self._spec, where, order_by, limit, cursor)
        keyed: list[tuple[SortKey, _Row]]
        sorted_rows = self._sorted(wanted, order_by, continued=after is not None)
        if sorted_rows is not None:
            keys, rows = sorted_rows
            start = bisect.bisect_right(keys, after) if after is not None else 0
            end = start + limit + 1
            keyed = list(zip(keys[start:end], rows[start:end], strict=True))
        else:
            keyed = self._page(wanted, order_by, limit, after)
        items = tuple(_decode(self._spec, row) for _, row in keyed[:limit])
        more = len(keyed) > limit
        return Page(
            items,
            encode_cursor(order_by, keyed[limit - 1][0], listing_scope(self._spec, wanted))
            if more
            else None,
        )

    def count(self, where: Where | None = None) -> int:
        """How many aggregates match ``where``."""
        return len(self._matching(normalize_where(self._spec, where)))

    def ids(self, where: Where | None = None) -> builtins.list[str]:
        """The ids of the aggregates matching ``where``, in the order ``list`` gives them.

        Nothing is decoded: for a bulk operation that needs only which
        aggregates match (the partners of a segment). An optional
        capability of a repository, beside the ``Repository`` protocol.
        """
        wanted = normalize_where(self._spec, where)
        self._uow._require_active()
        return sorted(id for id, _ in self._matching(wanted))
