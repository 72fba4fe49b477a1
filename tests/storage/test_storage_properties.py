"""A model test of the repositories: random units of work against a plain dict, on both backends.

A hypothesis state machine runs units of work of random writes and reads
(add, save, delete, find, list, count; fresh and stale versions, taken ids
and unique values) on the memory backend and on an SQLite file, applying each
step to a dict of what the unit of work should see. Every step must do what
the dict predicts: the same result or the same refusal (``Conflict`` or
``NotFound``), and a refused write changes nothing. A unit of work ends in a
commit, a rollback or an exception; after it, and after every rule, a fresh
unit of work must read exactly the committed dict:

- what is committed is what ``find`` and ``list`` return (bodies included);
- a rolled back or failed unit of work changes nothing;
- versions go 1, 2, 3 and a stale save or delete is a ``Conflict`` that
  changes nothing, also when another unit of work committed in between;
- listings are ordered as the ``Index`` docstring says (``None`` first, then
  integers by value and text by code point, then by id), and following the
  cursors visits every matching row exactly once;
- a unique index never holds two rows, also when two units of work race to
  commit (memory backend: SQLite serializes writers).
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from partnerkit.core.errors import Conflict, NotFound
from partnerkit.storage import (
    AggregateSpec,
    Index,
    IndexValue,
    MemoryStorage,
    Repository,
    SqliteStorage,
)


@attrs.frozen
class Item:
    """The aggregate of the model: a unique ``code``, a text ``tag``, an int ``rank``, a body."""

    id: str
    code: str | None
    tag: str | None
    rank: int | None
    note: str = ""
    version: int = 0


ITEMS: AggregateSpec[Item] = AggregateSpec(
    "prop_items",
    Item,
    indexes=(
        Index("code", lambda i: i.code, unique=True),
        Index("tag", lambda i: i.tag),
        Index("rank", lambda i: i.rank, type=int),
    ),
)

# Few values, so ids, unique values and equal sort keys collide often. The text holds
# upper and lower case, accents, a character beyond the BMP and an empty string: code point
# order differs from every collation that is not binary, and UTF-16 order from UTF-8 order.
IDS = ("a", "b", "B", "c2", "c10", "é", "\uff5a", "\U0001d538")
CODES: tuple[str | None, ...] = (None, "k1", "k2", "k3")
TAGS: tuple[str | None, ...] = (None, "", "a", "B", "Z", "ä", "é", "\ufb01", "\U0001d538")
RANKS: tuple[int | None, ...] = (None, 0, 1, -1, 7, 2**62, -(2**62), 2**63 - 1)
INDEX_VALUES: dict[str, tuple[IndexValue, ...]] = {"code": CODES, "tag": TAGS, "rank": RANKS}

Where = dict[str, IndexValue | list[IndexValue]]


@attrs.frozen
class Add:
    item: Item


@attrs.frozen
class Save:
    item: Item  # the new values; its version is set from the model's row, shifted
    shift: int  # 0: the version read; else stale by this much


@attrs.frozen
class Delete:
    id: str
    shift: int


@attrs.frozen
class Find:
    id: str


@attrs.frozen
class ListAll:
    where: Where
    order_by: str | None
    limit: int


Op = Add | Save | Delete | Find | ListAll

NOTES = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=4)
ITEM = st.builds(
    Item,
    st.sampled_from(IDS),
    st.sampled_from(CODES),
    st.sampled_from(TAGS),
    st.sampled_from(RANKS),
    NOTES,
)
SHIFT = st.sampled_from((0, 0, 0, 0, 1, -1, 2))


@st.composite
def _where(draw: st.DrawFn) -> Where:
    names = draw(st.lists(st.sampled_from(sorted(INDEX_VALUES)), unique=True, max_size=2))
    where: Where = {}
    for name in names:
        values = st.sampled_from(INDEX_VALUES[name])
        where[name] = draw(values | st.lists(values, max_size=3))
    return where


OP: st.SearchStrategy[Op] = st.one_of(
    st.builds(Add, ITEM),
    st.builds(Save, ITEM, SHIFT),
    st.builds(Delete, st.sampled_from(IDS), SHIFT),
    st.builds(Find, st.sampled_from(IDS)),
    st.builds(
        ListAll,
        _where(),
        st.sampled_from((None, "code", "tag", "rank")),
        st.integers(1, 4),
    ),
)
OPS = st.lists(OP, max_size=8)


class Planted(Exception):
    """What a unit of work that ends in an exception raises."""


# -- the model ------------------------------------------------------------------------------


def matches(item: Item, where: Mapping[str, IndexValue | list[IndexValue]]) -> bool:
    for name, wanted in where.items():
        allowed = wanted if isinstance(wanted, list) else [wanted]
        if getattr(item, name) not in allowed:
            return False
    return True


def listing_order(items: Sequence[Item], order_by: str | None) -> list[Item]:
    """The documented order: by ``order_by`` (``None`` first, then by value), then by id."""

    def key(item: Item) -> tuple[bool, object, str]:
        if order_by is None:
            return (True, "", item.id)
        value = getattr(item, order_by)
        return (value is not None, 0 if value is None else value, item.id)

    return sorted(items, key=key)


def clash(rows: Mapping[str, Item], item: Item) -> bool:
    """Whether another row holds ``item``'s unique code."""
    return item.code is not None and any(
        other.code == item.code for other in rows.values() if other.id != item.id
    )


class Working:
    """What one unit of work should see: the committed rows overlaid with its own writes.

    ``based_on`` keeps, for every id the unit of work wrote, the committed
    version its first write started from (0 for a new id): the version its
    commit checks.
    """

    def __init__(self, committed: Mapping[str, Item]) -> None:
        self.committed = dict(committed)
        self.rows = dict(committed)
        self.based_on: dict[str, int] = {}

    def _wrote(self, id: str) -> None:
        if id not in self.based_on:
            held = self.committed.get(id)
            self.based_on[id] = held.version if held is not None else 0

    def version_for(self, id: str, shift: int) -> int:
        held = self.rows.get(id)
        return max(0, (held.version if held is not None else 1) + shift)

    def expect(self, op: Add | Save | Delete) -> type[Exception] | None:
        """The refusal the write should meet, or None (then apply it with :meth:`apply`)."""
        if isinstance(op, Add):
            if op.item.id in self.rows or clash(self.rows, op.item):
                return Conflict
            return None
        id = op.item.id if isinstance(op, Save) else op.id
        held = self.rows.get(id)
        if held is None:
            return NotFound
        if op.shift != 0 and self.version_for(id, op.shift) != held.version:
            return Conflict
        if isinstance(op, Save) and clash(self.rows, op.item):
            return Conflict
        return None

    def apply(self, op: Add | Save | Delete) -> Item | None:
        """Apply an accepted write; return the row as stored (None for a delete)."""
        if isinstance(op, Delete):
            self._wrote(op.id)
            del self.rows[op.id]
            return None
        id = op.item.id
        self._wrote(id)
        held = self.rows.get(id)
        stored = attrs.evolve(op.item, version=1 if held is None else held.version + 1)
        self.rows[id] = stored
        return stored

    def commit_onto(self, now: Mapping[str, Item]) -> dict[str, Item] | None:
        """The rows after committing onto ``now``, or None if the commit must conflict.

        It conflicts when a row it wrote changed since it was read, or when a
        row it wrote would share a unique value with a row it did not write.
        """
        result = dict(now)
        for id, base in self.based_on.items():
            held = now.get(id)
            if (held.version if held is not None else 0) != base:
                return None
            if id in self.rows:
                result[id] = self.rows[id]
            else:
                result.pop(id, None)
        codes = [i.code for i in result.values() if i.code is not None]
        return result if len(codes) == len(set(codes)) else None


# -- the machine ----------------------------------------------------------------------------


def _with_version(item: Item, version: int) -> Item:
    return attrs.evolve(item, version=version)


class RepositoryModel(RuleBasedStateMachine):
    """Units of work of random steps; the backend must agree with :class:`Working` throughout."""

    backend = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="storage-props-"))
        self.storage: MemoryStorage | SqliteStorage = (
            MemoryStorage(specs=[ITEMS])
            if self.backend == "memory"
            else SqliteStorage(self.folder / "items.sqlite3", specs=[ITEMS])
        )
        self.committed: dict[str, Item] = {}

    def teardown(self) -> None:
        if isinstance(self.storage, SqliteStorage):
            self.storage.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- steps inside a unit of work --------------------------------------------------------

    def _run(self, repo: Repository[Item], model: Working, op: Op) -> None:
        if isinstance(op, Find):
            held = model.rows.get(op.id)
            assert repo.find(op.id) == held, op
            if held is None:
                with pytest.raises(NotFound):
                    repo.get(op.id)
            else:
                assert repo.get(op.id) == held
            return
        if isinstance(op, ListAll):
            self._check_listing(repo, model.rows, op)
            return
        expected = model.expect(op)
        refused: Conflict | NotFound | None = None
        result: Item | None = None
        try:
            if isinstance(op, Add):
                result = repo.add(op.item)
            elif isinstance(op, Save):
                result = repo.save(_with_version(op.item, model.version_for(op.item.id, op.shift)))
            else:
                gone = Item(op.id, None, None, None, version=model.version_for(op.id, op.shift))
                repo.delete(gone)
        except (Conflict, NotFound) as exc:
            refused = exc
        if refused is not None:
            assert expected is not None, f"{op} was refused: {refused!r}"
            assert isinstance(refused, expected), f"{op}: expected {expected.__name__}: {refused!r}"
        else:
            assert expected is None, f"{op} was accepted; expected {expected.__name__}"
            stored = model.apply(op)
            assert result == stored, (op, result, stored)
        # A refused write changes nothing, and the unit of work goes on with what it wrote.
        for id in IDS:
            assert repo.find(id) == model.rows.get(id), (op, id)

    def _check_listing(self, repo: Repository[Item], rows: Mapping[str, Item], op: ListAll) -> None:
        expected = listing_order([i for i in rows.values() if matches(i, op.where)], op.order_by)
        seen: list[Item] = []
        cursor: str | None = None
        pages = 0
        while True:
            page = repo.list(op.where, order_by=op.order_by, limit=op.limit, cursor=cursor)
            pages += 1
            assert len(page) <= op.limit
            assert len(page) > 0 or pages == 1, "an empty page after the first"
            seen.extend(page)
            cursor = page.next_cursor
            if cursor is None:
                break
            assert pages <= len(rows), "the cursors do not end"
        assert [i.id for i in seen] == [i.id for i in expected], op
        assert seen == expected, op
        assert repo.count(op.where) == len(expected)

    # -- rules ------------------------------------------------------------------------------

    @initialize(items=st.lists(ITEM, max_size=6))
    def some_rows_are_committed(self, items: list[Item]) -> None:
        # Most steps need rows to act on: start from a few (clashing adds are refused).
        self.unit_of_work([Add(item) for item in items], midway=False, end="commit")

    @rule(
        ops=OPS,
        midway=st.booleans(),
        end=st.sampled_from(("commit", "rollback", "raise", "leave")),
    )
    def unit_of_work(self, ops: list[Op], midway: bool, end: str) -> None:
        """Steps, then an end; ``midway``, a commit after half the steps (then the rest)."""
        model = Working(self.committed)
        half = len(ops) // 2 if midway else None
        try:
            with self.storage.unit_of_work() as uow:
                repo = uow.repository(ITEMS)
                for number, op in enumerate(ops):
                    if number == half:
                        uow.commit()  # the unit of work goes on after a commit
                        self.committed = model.rows
                        model = Working(self.committed)
                    self._run(repo, model, op)
                if end == "commit":
                    uow.commit()
                elif end == "rollback":
                    uow.rollback()
                    for id in IDS:
                        assert repo.find(id) == self.committed.get(id), id
                elif end == "raise":
                    raise Planted
        except Planted:
            pass
        if end == "commit":
            self.committed = model.rows

    @rule(id=st.sampled_from(IDS), change=ITEM, delete=st.booleans())
    def a_stale_write_after_another_commit(self, id: str, change: Item, delete: bool) -> None:
        """Read a row, let another unit of work save it, then write the copy read: Conflict."""
        held = self.committed.get(id)
        if held is None:
            return
        with self.storage.unit_of_work() as reader:
            repo = reader.repository(ITEMS)
            read = repo.get(id)
            assert read == held
            with self.storage.unit_of_work() as other:
                stored = other.repository(ITEMS).save(attrs.evolve(read, note=read.note + "+"))
                other.commit()
            assert stored.version == held.version + 1
            self.committed[id] = stored
            stale = attrs.evolve(change, id=id, version=read.version)
            write = (
                functools.partial(repo.delete, read)
                if delete
                else functools.partial(repo.save, stale)
            )
            with pytest.raises(Conflict) as refused:
                write()
            assert refused.value.expected_version == read.version
            assert refused.value.actual_version == stored.version
            reader.commit()  # nothing to write: the refused step staged nothing

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def a_fresh_unit_of_work_reads_what_was_committed(self) -> None:
        with self.storage.unit_of_work() as uow:
            repo = uow.repository(ITEMS)
            for id in IDS:
                assert repo.find(id) == self.committed.get(id), id
            stored = list(repo.list(limit=1000))
            by_index = {name: list(repo.list(order_by=name, limit=1000)) for name in INDEX_VALUES}
        assert stored == listing_order(list(self.committed.values()), None)
        for name, listed in by_index.items():
            assert listed == listing_order(stored, name), f"not in the order of {name}"
        codes = [i.code for i in stored if i.code is not None]
        assert len(codes) == len(set(codes)), f"a unique index holds two rows: {codes}"
        assert all(i.version >= 1 for i in stored)


class MemoryRepositoryModel(RepositoryModel):
    """The model on the memory backend, where units of work also race to commit."""

    @rule(first=OPS, second=st.sampled_from(("same", "other ids")) | OPS)
    def two_units_of_work_race_to_commit(self, first: list[Op], second: str | list[Op]) -> None:
        """Both read the same committed rows; the second commit must conflict or fit in.

        The second makes its own steps, or the first's ("same": the same ids clash), or
        the first's on other ids ("other ids": the same unique values clash).
        """
        if isinstance(second, str):
            second = first if second == "same" else [_on_other_ids(op) for op in first]
        one, two = Working(self.committed), Working(self.committed)
        with self.storage.unit_of_work() as a, self.storage.unit_of_work() as b:
            repo_a, repo_b = a.repository(ITEMS), b.repository(ITEMS)
            for op in first:
                self._run(repo_a, one, op)
            for op in second:
                self._run(repo_b, two, op)
            a.commit()
            after_first = one.commit_onto(self.committed)
            assert after_first == one.rows
            expected = two.commit_onto(after_first)
            try:
                b.commit()
            except Conflict:
                assert expected is None, "the second commit conflicted, but fits in"
            else:
                assert expected is not None, "the second commit was accepted, but clashes"
        self.committed = expected if expected is not None else after_first


def _on_other_ids(op: Op) -> Op:
    """``op`` on the next id of :data:`IDS` instead of its own."""

    def other(id: str) -> str:
        return IDS[(IDS.index(id) + 1) % len(IDS)]

    if isinstance(op, (Add, Save)):
        return attrs.evolve(op, item=attrs.evolve(op.item, id=other(op.item.id)))
    if isinstance(op, (Delete, Find)):
        return attrs.evolve(op, id=other(op.id))
    return op


class SqliteRepositoryModel(RepositoryModel):
    """The model on an SQLite file (its writers wait for each other: no race to commit)."""

    backend = "sqlite"


TestRepositoryModelInMemory = MemoryRepositoryModel.TestCase
TestRepositoryModelInMemory.settings = settings(stateful_step_count=10, deadline=None)
TestRepositoryModelInSqlite = SqliteRepositoryModel.TestCase
TestRepositoryModelInSqlite.settings = settings(
    max_examples=60, stateful_step_count=10, deadline=None
)
