"""The generic storage contract: repositories, units of work, events, listing, sequences.

Every case stores partnerkit's own small contract aggregates (kinds starting
``contract_``), so it holds for any backend whatever aggregates a host keeps.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from partnerkit.core import DomainEvent, EventDispatcher
from partnerkit.core.errors import Conflict, NotFound, ValidationError
from partnerkit.storage import AggregateSpec, Index, Storage
from partnerkit.testing._factories import make_program
from partnerkit.testing._fixtures import StorageFixtures, race_to_create

__all__ = [
    "CONTRACT_CODES",
    "CONTRACT_MEMOS",
    "CONTRACT_MEMOS_V1",
    "CONTRACT_NOTES",
    "CONTRACT_NOTES_BY_LENGTH",
    "ContractCode",
    "ContractMemo",
    "ContractMemoV1",
    "ContractNote",
    "CoreStorageContract",
    "NoteWritten",
]


@attrs.frozen
class ContractNote:
    """A small aggregate the contract stores: an id, a unique slug, an optional tag, a rank."""

    id: str
    slug: str
    tag: str | None = None
    rank: int = 0
    version: int = 0


@attrs.frozen
class NoteWritten(DomainEvent):
    """The event the contract records when it writes a note."""

    id: str


#: How :class:`ContractNote` values are stored: ``slug`` unique, ``tag`` and ``rank`` indexed.
CONTRACT_NOTES: AggregateSpec[ContractNote] = AggregateSpec(
    "contract_notes",
    ContractNote,
    indexes=(
        Index("slug", lambda n: n.slug, unique=True),
        Index("tag", lambda n: n.tag),
        Index("rank", lambda n: n.rank, type=int),
    ),
)


@attrs.frozen
class ContractCode:
    """A second contract aggregate, with two unique indexes whose names share a prefix."""

    id: str
    code: str
    code2: str
    version: int = 0


#: How :class:`ContractCode` values are stored: ``code`` and ``code2`` both unique.
CONTRACT_CODES: AggregateSpec[ContractCode] = AggregateSpec(
    "contract_codes",
    ContractCode,
    indexes=(
        Index("code", lambda c: c.code, unique=True),
        Index("code2", lambda c: c.code2, unique=True),
    ),
)


def _length(note: ContractNote) -> int:
    return len(note.slug)


#: :data:`CONTRACT_NOTES` with one more index, ``length`` (of the slug): the spec of a
#: later release. Rows stored through ``CONTRACT_NOTES`` must be found by it (back-filled).
CONTRACT_NOTES_BY_LENGTH: AggregateSpec[ContractNote] = AggregateSpec(
    "contract_notes",
    ContractNote,
    indexes=(*CONTRACT_NOTES.indexes, Index("length", _length, type=int)),
)


@attrs.frozen
class ContractMemoV1:
    """A contract aggregate as an older release stored it: one ``title``."""

    id: str
    title: str
    version: int = 0


@attrs.frozen
class ContractMemo:
    """The same aggregate today (schema version 2): ``title`` became ``name``, and ``words``."""

    id: str
    name: str
    words: int
    version: int = 0


def _memo_from_v1(body: dict[str, Any]) -> dict[str, Any]:
    title = body.pop("title")
    return {**body, "name": title, "words": len(title.split())}


#: How an older release stored memos: schema version 1.
CONTRACT_MEMOS_V1: AggregateSpec[ContractMemoV1] = AggregateSpec("contract_memos", ContractMemoV1)

#: Memos today: schema version 2, with the upgrade of version 1 bodies.
CONTRACT_MEMOS: AggregateSpec[ContractMemo] = AggregateSpec(
    "contract_memos", ContractMemo, schema_version=2, upgrades={1: _memo_from_v1}
)


class _BoomError(Exception):
    pass


class CoreStorageContract(StorageFixtures):
    """The generic behaviour every storage backend must show (the ``core`` area).

    Reads and writes, optimistic concurrency, unique indexes (also as the
    lock of racing units of work), atomicity, events published only after
    the database commit, a unit of work that stays usable after a refused
    write, schema upgrades on read, repositories that follow the spec they
    are given, keyset paging in per-type order, and sequences.
    """

    def _seed(self, storage: Storage, *notes: ContractNote) -> None:
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            for note in notes:
                repo.add(note)
            uow.commit()

    def _read(self, storage: Storage, id: str) -> ContractNote | None:
        with storage.unit_of_work() as uow:
            return uow.repository(CONTRACT_NOTES).find(id)

    # -- get, find, add ----------------------------------------------------------------------

    def test_added_aggregate_is_read_back_equal_with_version_one(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            added = uow.repository(CONTRACT_NOTES).add(ContractNote("n1", "first", "a", 3))
            uow.commit()
        assert added == ContractNote("n1", "first", "a", 3, version=1)
        with storage.unit_of_work() as uow:
            assert uow.repository(CONTRACT_NOTES).get("n1") == added

    def test_get_of_a_missing_id_raises_not_found_and_find_gives_none(
        self, storage: Storage
    ) -> None:
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            with pytest.raises(NotFound) as caught:
                repo.get("nope")
            assert (caught.value.kind, caught.value.id) == ("contract_notes", "nope")
            assert repo.find("nope") is None

    def test_a_unit_of_work_reads_its_own_writes(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            repo.add(ContractNote("n1", "first"))
            assert repo.get("n1").slug == "first"
            assert repo.count() == 1

    def test_adding_a_taken_id_conflicts_and_keeps_the_first(self, storage: Storage) -> None:
        self._seed(storage, ContractNote("n1", "first"))
        with storage.unit_of_work() as uow, pytest.raises(Conflict):
            uow.repository(CONTRACT_NOTES).add(ContractNote("n1", "second"))
        assert self._read(storage, "n1") == ContractNote("n1", "first", version=1)

    def test_a_taken_unique_value_conflicts_naming_the_field_and_writes_nothing(
        self, storage: Storage
    ) -> None:
        self._seed(storage, ContractNote("n1", "same"))
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            with pytest.raises(Conflict) as caught:
                repo.add(ContractNote("n2", "same"))
            assert caught.value.field == "slug"
            assert repo.find("n2") is None
            uow.commit()
        assert self._read(storage, "n2") is None

    def test_a_unique_value_given_up_in_a_unit_of_work_can_be_taken_in_it(
        self, storage: Storage
    ) -> None:
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            first = repo.add(ContractNote("n1", "wanted"))
            repo.save(attrs.evolve(first, slug="moved"))  # gives "wanted" up, staged
            repo.add(ContractNote("n2", "wanted"))
            with pytest.raises(Conflict) as caught:
                repo.add(ContractNote("n3", "moved"))  # still held, by n1's staged save
            assert caught.value.field == "slug"
            uow.commit()
        moved, taken = self._read(storage, "n1"), self._read(storage, "n2")
        assert (moved and moved.slug, taken and taken.slug) == ("moved", "wanted")
        assert self._read(storage, "n3") is None

    def test_adding_a_taken_id_is_reported_as_the_id_even_when_a_unique_value_clashes_too(
        self, storage: Storage
    ) -> None:
        self._seed(storage, ContractNote("n1", "first"))
        with storage.unit_of_work() as uow, pytest.raises(Conflict) as caught:
            uow.repository(CONTRACT_NOTES).add(ContractNote("n1", "first"))
        assert caught.value.field is None

    def test_a_clash_names_the_exact_unique_index_when_names_share_a_prefix(
        self, storage: Storage
    ) -> None:
        with storage.unit_of_work() as uow:
            uow.repository(CONTRACT_CODES).add(ContractCode("c1", "x", "y"))
            uow.commit()
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_CODES)
            with pytest.raises(Conflict) as caught:
                repo.add(ContractCode("c2", "other", "y"))
            assert caught.value.field == "code2"
            with pytest.raises(Conflict) as caught:
                repo.add(ContractCode("c3", "x", "other"))
            assert caught.value.field == "code"

    @pytest.mark.parametrize("bad_id", [5, None, ""])
    def test_get_and_find_refuse_ids_that_are_not_non_empty_strings(
        self, storage: Storage, bad_id: object
    ) -> None:
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            with pytest.raises(ValidationError):
                repo.find(bad_id)  # type: ignore[arg-type]
            with pytest.raises(ValidationError):
                repo.get(bad_id)  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad_version", ["1", None, True, -1, 1.0])
    def test_saving_with_a_version_that_is_not_an_int_is_refused_and_writes_nothing(
        self, storage: Storage, bad_version: object
    ) -> None:
        self._seed(storage, ContractNote("n1", "first"))
        with storage.unit_of_work() as uow:
            changed = attrs.evolve(ContractNote("n1", "changed"), version=bad_version)  # type: ignore[arg-type]
            with pytest.raises(ValidationError):
                uow.repository(CONTRACT_NOTES).save(changed)
            uow.commit()
        assert self._read(storage, "n1") == ContractNote("n1", "first", version=1)

    def test_text_that_is_not_valid_unicode_is_refused(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            with pytest.raises(ValidationError):
                repo.add(ContractNote("n1", "first", tag="\ud800"))
            with pytest.raises(ValidationError):
                repo.add(ContractNote("n2", "second", rank=2**63))
            assert repo.count() == 0

    def test_wrong_aggregate_type_is_a_validation_error(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow, pytest.raises(ValidationError):
            uow.repository(CONTRACT_NOTES).add(make_program())  # type: ignore[arg-type]

    # -- save and optimistic concurrency -----------------------------------------------------

    def test_save_raises_the_version_by_one(self, storage: Storage) -> None:
        self._seed(storage, ContractNote("n1", "first"))
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            saved = repo.save(attrs.evolve(repo.get("n1"), tag="x"))
            uow.commit()
        assert saved.version == 2
        assert self._read(storage, "n1") == ContractNote("n1", "first", "x", version=2)

    def test_a_stale_write_is_refused_and_the_stored_row_stays_intact(
        self, storage: Storage
    ) -> None:
        self._seed(storage, ContractNote("n1", "first"))
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            stale = repo.get("n1")
            repo.save(attrs.evolve(stale, tag="winner"))
            uow.commit()
        with storage.unit_of_work() as uow:
            with pytest.raises(Conflict) as caught:
                uow.repository(CONTRACT_NOTES).save(attrs.evolve(stale, tag="loser"))
            assert (caught.value.expected_version, caught.value.actual_version) == (1, 2)
            uow.commit()
        assert self._read(storage, "n1") == ContractNote("n1", "first", "winner", version=2)

    def test_two_units_of_work_racing_on_one_aggregate_let_exactly_one_win(
        self, storage: Storage
    ) -> None:
        self._seed(storage, ContractNote("n1", "first", rank=0))
        barrier = threading.Barrier(4)
        outcomes: list[str] = []

        def bump(n: int) -> None:
            barrier.wait()
            try:
                with storage.unit_of_work() as uow:
                    repo = uow.repository(CONTRACT_NOTES)
                    note = repo.get("n1")
                    repo.save(attrs.evolve(note, rank=note.rank + 1, tag=f"t{n}"))
                    uow.commit()
                outcomes.append("won")
            except Conflict:
                outcomes.append("conflict")

        threads = [threading.Thread(target=bump, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stored = self._read(storage, "n1")
        assert stored is not None
        # Every winner raised the rank by exactly one, from the version it read.
        assert stored.rank == outcomes.count("won") == stored.version - 1
        assert len(outcomes) == 4

    def test_racing_adds_of_one_unique_value_store_exactly_one(self, storage: Storage) -> None:
        barrier = threading.Barrier(4)
        winners: list[str] = []

        def add(n: int) -> None:
            barrier.wait()
            try:
                with storage.unit_of_work() as uow:
                    uow.repository(CONTRACT_NOTES).add(ContractNote(f"n{n}", "contested"))
                    uow.commit()
                winners.append(f"n{n}")
            except Conflict:
                pass

        threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(winners) == 1
        with storage.unit_of_work() as uow:
            stored = uow.repository(CONTRACT_NOTES).list({"slug": "contested"})
            assert [n.id for n in stored] == winners

    def test_saving_a_never_added_aggregate_raises_not_found(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow, pytest.raises(NotFound):
            uow.repository(CONTRACT_NOTES).save(ContractNote("ghost", "ghost", version=1))

    # -- delete -------------------------------------------------------------------------------

    def test_a_deleted_aggregate_is_gone_after_commit_and_its_unique_values_are_free(
        self, storage: Storage
    ) -> None:
        self._seed(storage, ContractNote("n1", "first"), ContractNote("n2", "second"))
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            repo.delete(repo.get("n1"))
            assert repo.find("n1") is None
            assert repo.count() == 1
            repo.add(ContractNote("n3", "first"))
            uow.commit()
        assert self._read(storage, "n1") is None
        assert self._read(storage, "n3") == ContractNote("n3", "first", version=1)

    def test_a_stale_delete_conflicts_and_leaves_the_row(self, storage: Storage) -> None:
        self._seed(storage, ContractNote("n1", "first"))
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            stale = repo.get("n1")
            repo.save(attrs.evolve(stale, tag="new"))
            uow.commit()
        with storage.unit_of_work() as uow:
            with pytest.raises(Conflict):
                uow.repository(CONTRACT_NOTES).delete(stale)
            with pytest.raises(NotFound):
                uow.repository(CONTRACT_NOTES).delete(ContractNote("ghost", "g", version=1))
            uow.commit()
        assert self._read(storage, "n1") == ContractNote("n1", "first", "new", version=2)

    def test_a_delete_in_a_unit_of_work_that_rolls_back_keeps_the_row(
        self, storage: Storage
    ) -> None:
        self._seed(storage, ContractNote("n1", "first"))
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            repo.delete(repo.get("n1"))
        assert self._read(storage, "n1") == ContractNote("n1", "first", version=1)

    # -- nesting ------------------------------------------------------------------------------

    def test_a_unit_of_work_may_read_and_write_inside_another_that_only_reads(
        self, storage: Storage
    ) -> None:
        self._seed(storage, ContractNote("n1", "first"))
        with storage.unit_of_work() as outer:
            assert outer.repository(CONTRACT_NOTES).get("n1").tag is None
            with storage.unit_of_work() as inner:
                repo = inner.repository(CONTRACT_NOTES)
                repo.save(attrs.evolve(repo.get("n1"), tag="inner"))
                inner.commit()
            outer.repository(CONTRACT_NOTES).count()
        assert self._read(storage, "n1") == ContractNote("n1", "first", "inner", version=2)

    def test_a_kind_first_used_after_reading_another_kind_is_readable_and_writable(
        self, storage: Storage
    ) -> None:
        self._seed(storage, ContractNote("n1", "first"))
        with storage.unit_of_work() as uow:
            assert uow.repository(CONTRACT_NOTES).count() == 1
            codes = uow.repository(CONTRACT_CODES)
            assert codes.count() == 0
            codes.add(ContractCode("c1", "x", "y"))
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.repository(CONTRACT_CODES).get("c1").code == "x"

    def test_a_repository_works_after_a_rollback_on_a_fresh_store(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            uow.rollback()
            repo.add(ContractNote("n1", "first"))
            uow.commit()
        assert self._read(storage, "n1") == ContractNote("n1", "first", version=1)

    # -- atomicity and events -----------------------------------------------------------------

    def test_a_unit_of_work_that_raises_midway_leaves_nothing_written(
        self, storage: Storage, published: list[DomainEvent]
    ) -> None:
        self._seed(storage, ContractNote("n1", "first"))
        before = list(published)

        def work() -> None:
            with storage.unit_of_work() as uow:
                repo = uow.repository(CONTRACT_NOTES)
                repo.add(ContractNote("n2", "second"))
                repo.save(attrs.evolve(repo.get("n1"), tag="changed"))
                uow.record(NoteWritten("n2"))
                raise _BoomError

        with pytest.raises(_BoomError):
            work()
        assert self._read(storage, "n2") is None
        assert self._read(storage, "n1") == ContractNote("n1", "first", version=1)
        assert published == before

    def test_leaving_without_commit_rolls_back(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            uow.repository(CONTRACT_NOTES).add(ContractNote("n1", "first"))
        assert self._read(storage, "n1") is None

    def test_explicit_rollback_drops_writes_and_events(
        self, storage: Storage, published: list[DomainEvent]
    ) -> None:
        with storage.unit_of_work() as uow:
            uow.repository(CONTRACT_NOTES).add(ContractNote("n1", "first"))
            uow.record(NoteWritten("n1"))
            uow.rollback()
            uow.commit()
        assert self._read(storage, "n1") is None
        assert published == []

    def test_events_are_published_only_after_commit_in_order(
        self, storage: Storage, published: list[DomainEvent]
    ) -> None:
        with storage.unit_of_work() as uow:
            uow.repository(CONTRACT_NOTES).add(ContractNote("n1", "first"))
            uow.record(NoteWritten("n1"), NoteWritten("n1-again"))
            assert published == []
            uow.commit()
            assert published == [NoteWritten("n1"), NoteWritten("n1-again")]

    def test_a_unit_of_work_goes_on_after_a_commit(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            repo.add(ContractNote("n1", "first"))
            uow.commit()
            repo.add(ContractNote("n2", "second"))
        assert self._read(storage, "n1") is not None
        assert self._read(storage, "n2") is None

    # -- listing ------------------------------------------------------------------------------

    def _listing_seed(self, storage: Storage) -> list[ContractNote]:
        notes = [
            ContractNote(f"n{i:02d}", f"s{i}", tag=None if i % 4 == 0 else f"t{i % 3}", rank=i % 5)
            for i in range(23)
        ]
        self._seed(storage, *reversed(notes))
        return [attrs.evolve(n, version=1) for n in notes]

    def test_listing_filters_by_index_values(self, storage: Storage) -> None:
        notes = self._listing_seed(storage)
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            got = repo.list({"tag": ["t1", None]}, limit=100)
            assert list(got) == [n for n in notes if n.tag in ("t1", None)]
            assert got.next_cursor is None
            assert repo.count({"tag": "t2", "rank": 2}) == sum(
                1 for n in notes if n.tag == "t2" and n.rank == 2
            )

    def test_ids_alone_are_the_ids_the_listing_gives(self, storage: Storage) -> None:
        # ``ids(where)`` is optional: a backend without it is read through its listings.
        self._listing_seed(storage)
        self._seed(storage, *(ContractNote(i, f"x{i}", tag="t1") for i in ("é1", "B1", "a1")))
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            ids: Callable[..., list[str]] | None = getattr(repo, "ids", None)
            if ids is None:
                pytest.skip("this backend does not list ids alone (an optional capability)")
            wheres: list[dict[str, Any]] = [{}, {"tag": ["t1", None]}, {"tag": "t2", "rank": 2}]
            for where in [*wheres, {"rank": 99}]:
                assert ids(where) == [n.id for n in repo.list(where, limit=100)]
            assert ids() == ids({})
            # The unit of work's own writes count, and a bad index is named.
            repo.add(ContractNote("n99", "s99", tag="t1"))
            repo.delete(repo.get("n01"))
            repo.save(attrs.evolve(repo.get("n02"), tag="t1"))  # was t2
            assert ids({"tag": "t1"}) == [n.id for n in repo.list({"tag": "t1"}, limit=100)]
            assert {"n99", "n02"} <= set(ids({"tag": "t1"}))
            assert "n02" not in ids({"tag": "t2"})
            assert "n01" not in ids()
            with pytest.raises(ValidationError) as caught:
                ids({"colour": "red"})
            assert [e.path for e in caught.value.errors] == ["where.colour"]

    @pytest.mark.parametrize("order_by", [None, "tag", "rank"])
    @pytest.mark.parametrize("limit", [1, 4, 23, 50])
    def test_paging_visits_every_match_once_in_stable_order(
        self, storage: Storage, order_by: str | None, limit: int
    ) -> None:
        notes = self._listing_seed(storage)
        seen: list[ContractNote] = []
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            cursor: str | None = None
            while True:
                page = repo.list(order_by=order_by, limit=limit, cursor=cursor)
                assert len(page) <= limit
                seen.extend(page)
                cursor = page.next_cursor
                if cursor is None:
                    break

        def key(note: ContractNote) -> tuple[object, ...]:
            value = None if order_by is None else getattr(note, order_by)
            return (value is not None, value or 0, note.id) if order_by else (note.id,)

        assert seen == sorted(notes, key=key)

    def test_listing_refuses_unknown_indexes_bad_limits_and_foreign_cursors(
        self, storage: Storage
    ) -> None:
        self._listing_seed(storage)
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            with pytest.raises(ValidationError) as caught:
                repo.list({"colour": "red"}, order_by="size", limit=0)
            assert set(caught.value.paths) == {"where.colour", "order_by", "limit"}
            page = repo.list(order_by="rank", limit=2)
            assert page.next_cursor is not None
            with pytest.raises(ValidationError):
                repo.list(order_by="tag", cursor=page.next_cursor)
            with pytest.raises(ValidationError):
                repo.list(cursor="not-a-cursor")

    def test_a_cursor_serves_only_its_own_listing(self, storage: Storage) -> None:
        self._listing_seed(storage)
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            page = repo.list({"tag": ["a", "b", None]}, order_by="rank", limit=1)
            assert page.next_cursor is not None
            # Another filter, another kind: refused, not silently reused.
            with pytest.raises(ValidationError):
                repo.list({"tag": "a"}, order_by="rank", cursor=page.next_cursor)
            with pytest.raises(ValidationError):
                uow.repository(CONTRACT_CODES).list(order_by=None, cursor=page.next_cursor)
            # The same listing goes on.
            assert repo.list({"tag": ["a", "b", None]}, order_by="rank", cursor=page.next_cursor)

    def test_bad_arguments_are_validation_errors_and_leave_the_unit_of_work_usable(
        self, storage: Storage
    ) -> None:
        self._seed(storage, ContractNote("n1", "one", "a", 1))
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            calls: list[Callable[[], object]] = [
                lambda: repo.count({"rank": 2**70}),
                lambda: repo.list({"rank": [1, 2**64]}),
                lambda: repo.count({"tag": "\ud800"}),
                lambda: repo.count({"tag": "a\x00"}),
                lambda: repo.find("\ud800"),
                lambda: repo.find("a\x00"),
                lambda: repo.add(ContractNote("a\x00", "nul-id")),
                lambda: repo.add(ContractNote("n2", "nul\x00slug")),
                lambda: repo.add(ContractNote("n3", "body", "tag\x00")),
                lambda: uow.sequences.next(None),  # type: ignore[arg-type]
                lambda: uow.sequences.next(""),
                lambda: uow.sequences.next("\ud800"),
            ]
            for call in calls:
                with pytest.raises(ValidationError):
                    call()
            # Nothing of it reached the database: the unit of work goes on and commits.
            repo.add(ContractNote("n4", "four"))
            assert uow.sequences.next("ok") == 1
            uow.commit()
        assert self._read(storage, "n4") is not None

    def test_uncommitted_writes_are_invisible_to_other_units_of_work(
        self, storage: Storage
    ) -> None:
        self._seed(storage, ContractNote("n1", "one", "a", 1), ContractNote("n2", "two", "a", 2))
        with storage.unit_of_work() as writer:
            repo = writer.repository(CONTRACT_NOTES)
            repo.add(ContractNote("n3", "three"))
            repo.save(attrs.evolve(repo.get("n1"), tag="changed"))
            repo.delete(repo.get("n2"))
            seen: list[object] = []

            def look() -> None:
                with storage.unit_of_work() as reader:
                    other = reader.repository(CONTRACT_NOTES)
                    seen.extend([other.find("n3"), other.get("n1").tag, other.find("n2")])

            thread = threading.Thread(target=look)
            thread.start()
            thread.join(timeout=30)
            writer.rollback()
        assert seen[0] is None
        assert seen[1] == "a"
        assert seen[2] is not None

    def test_counters_taken_by_racing_units_of_work_are_all_distinct(
        self, storage: Storage
    ) -> None:
        taken: list[int] = []
        failures: list[Exception] = []
        barrier = threading.Barrier(6, timeout=30)

        def take() -> None:
            barrier.wait()
            for _ in range(5):
                try:
                    with storage.unit_of_work() as uow:
                        value = uow.sequences.next("race")
                        uow.commit()
                    taken.append(value)
                except Exception as exc:
                    failures.append(exc)

        threads = [threading.Thread(target=take) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert all(isinstance(f, Conflict) for f in failures), failures
        assert len(taken) == len(set(taken)), sorted(taken)
        assert len(taken) + len(failures) == 30

    # -- sequences and real aggregates -------------------------------------------------------

    def test_sequences_count_up_per_name_across_units_of_work(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            first = [uow.sequences.next("deals"), uow.sequences.next("deals")]
            other = uow.sequences.next("quotes")
            uow.commit()
        with storage.unit_of_work() as uow:
            later = uow.sequences.next("deals")
            uow.commit()
        assert first == [1, 2]
        assert other == 1
        assert later == 3

    # -- events after the database commit --------------------------------------------------

    def test_a_handler_sees_the_committed_writes_from_another_unit_of_work(
        self, storage: Storage, dispatcher: EventDispatcher
    ) -> None:
        # Publishing before the database commit (or at record()) shows the handler nothing.
        seen: list[ContractNote | None] = []

        def look(event: NoteWritten) -> None:
            with storage.unit_of_work() as other:
                seen.append(other.repository(CONTRACT_NOTES).find(event.id))

        dispatcher.subscribe(NoteWritten, look)
        with storage.unit_of_work() as uow:
            uow.repository(CONTRACT_NOTES).add(ContractNote("n1", "first"))
            uow.record(NoteWritten("n1"))
            uow.commit()
            repo = uow.repository(CONTRACT_NOTES)
            repo.save(attrs.evolve(repo.get("n1"), tag="second"))
            uow.record(NoteWritten("n1"))
            uow.commit()
        assert seen == [
            ContractNote("n1", "first", version=1),
            ContractNote("n1", "first", "second", version=2),
        ]

    def test_units_of_work_that_lose_a_race_publish_nothing(
        self, storage: Storage, published: list[DomainEvent]
    ) -> None:
        # Each racer records its event before it writes; the write or the commit of all but
        # one fails with a Conflict, and a failed commit must publish nothing.
        self._seed(storage, ContractNote("n1", "first"))
        del published[:]
        barrier = threading.Barrier(4, timeout=30)
        winners: list[str] = []

        def bump(n: int) -> None:
            try:
                with storage.unit_of_work() as uow:
                    repo = uow.repository(CONTRACT_NOTES)
                    note = repo.get("n1")
                    uow.record(NoteWritten(f"racer-{n}"))
                    barrier.wait()  # every racer has read version 1 and recorded its event
                    repo.save(attrs.evolve(note, tag=f"racer-{n}"))
                    uow.commit()
                winners.append(f"racer-{n}")
            except Conflict:
                pass

        threads = [threading.Thread(target=bump, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(winners) == 1
        assert published == [NoteWritten(winners[0])]
        stored = self._read(storage, "n1")
        assert stored is not None
        assert stored.tag == winners[0]

    def test_events_recorded_before_a_rollback_are_never_published(
        self, storage: Storage, published: list[DomainEvent]
    ) -> None:
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            repo.add(ContractNote("n1", "first"))
            uow.record(NoteWritten("dropped"))
            uow.rollback()
            repo.add(ContractNote("n2", "second"))
            uow.record(NoteWritten("n2"))
            uow.commit()
        assert published == [NoteWritten("n2")]
        assert self._read(storage, "n1") is None

    # -- a refused write leaves the unit of work usable ---------------------------------------

    def test_a_conflict_on_add_or_save_leaves_the_unit_of_work_usable(
        self, storage: Storage, published: list[DomainEvent]
    ) -> None:
        # On PostgreSQL a failed INSERT aborts the transaction: wrap each write in a savepoint.
        self._seed(storage, ContractNote("n1", "taken"), ContractNote("n5", "fifth"))
        del published[:]
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            repo.add(ContractNote("n2", "second"))
            uow.record(NoteWritten("n2"))
            with pytest.raises(Conflict):
                repo.add(ContractNote("n3", "taken"))  # a taken unique value
            with pytest.raises(Conflict):
                repo.add(ContractNote("n1", "other"))  # a taken id
            fifth = repo.get("n5")
            with pytest.raises(Conflict):
                repo.save(attrs.evolve(fifth, slug="taken"))  # a taken unique value
            with pytest.raises(Conflict):
                repo.save(attrs.evolve(fifth, tag="x", version=7))  # a stale version
            # Reads see the writes made before the conflicts and nothing of the refused ones.
            assert repo.get("n2") == ContractNote("n2", "second", version=1)
            assert repo.find("n3") is None
            assert repo.get("n5") == fifth
            assert repo.count() == 3
            # Writes go on, and everything commits.
            repo.save(attrs.evolve(fifth, tag="after"))
            repo.add(ContractNote("n4", "fourth"))
            uow.record(NoteWritten("n4"))
            uow.commit()
        assert self._read(storage, "n2") == ContractNote("n2", "second", version=1)
        assert self._read(storage, "n4") == ContractNote("n4", "fourth", version=1)
        assert self._read(storage, "n5") == ContractNote("n5", "fifth", "after", version=2)
        assert self._read(storage, "n1") == ContractNote("n1", "taken", version=1)
        assert self._read(storage, "n3") is None
        assert published == [NoteWritten("n2"), NoteWritten("n4")]

    # -- the unique index is the lock of racing creations -------------------------------------

    def test_two_units_of_work_that_both_found_nothing_add_one_unique_value_once(
        self, storage: Storage
    ) -> None:
        # Both look for the slug, find nothing, then both add it: the unique index must
        # refuse the second at its add or at its commit, whichever comes first.
        race_to_create(
            storage,
            CONTRACT_NOTES,
            {"slug": "contested"},
            lambda n: ContractNote(f"n{n}", "contested"),
        )

    # -- schema upgrades on read --------------------------------------------------------------

    def _old_memos(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            old = uow.repository(CONTRACT_MEMOS_V1)
            old.add(ContractMemoV1("m1", "quarterly business review"))
            old.add(ContractMemoV1("m2", "kick-off"))
            uow.commit()

    def test_rows_of_an_older_schema_are_upgraded_on_every_read(self, storage: Storage) -> None:
        self._old_memos(storage)
        upgraded = [
            ContractMemo("m1", "quarterly business review", 3, version=1),
            ContractMemo("m2", "kick-off", 1, version=1),
        ]
        with storage.unit_of_work() as uow:
            memos = uow.repository(CONTRACT_MEMOS)
            assert memos.get("m1") == upgraded[0]
            assert memos.find("m2") == upgraded[1]
            assert list(memos.list()) == upgraded
            assert list(memos.list(limit=1)) == upgraded[:1]

    def test_a_save_stores_the_current_schema(self, storage: Storage) -> None:
        self._old_memos(storage)
        with storage.unit_of_work() as uow:
            memos = uow.repository(CONTRACT_MEMOS)
            saved = memos.save(attrs.evolve(memos.get("m1"), name="QBR: title only"))
            uow.commit()
        assert saved == ContractMemo("m1", "QBR: title only", 3, version=2)
        # Read as written: a body stored under the old schema number would be upgraded again.
        with storage.unit_of_work() as uow:
            memos = uow.repository(CONTRACT_MEMOS)
            assert memos.get("m1") == saved
            assert list(memos.list()) == [saved, ContractMemo("m2", "kick-off", 1, version=1)]

    # -- repositories follow the spec they are given -----------------------------------------

    def test_one_kind_read_through_two_specs_in_one_unit_of_work(self, storage: Storage) -> None:
        self._old_memos(storage)
        with storage.unit_of_work() as uow:
            assert uow.repository(CONTRACT_MEMOS_V1).get("m2") == ContractMemoV1(
                "m2", "kick-off", version=1
            )
            assert uow.repository(CONTRACT_MEMOS).get("m2") == ContractMemo(
                "m2", "kick-off", 1, version=1
            )

    def test_an_index_added_by_a_later_spec_finds_the_rows_stored_before_it(
        self, storage: Storage
    ) -> None:
        # A backend may instead refuse the new spec with a ValidationError; it must never
        # answer from the index it did not fill, nor from another spec of the kind.
        self._seed(
            storage,
            ContractNote("n1", "abc"),
            ContractNote("n2", "abcde"),
            ContractNote("n3", "xyz"),
        )
        try:
            with storage.unit_of_work() as uow:
                assert uow.repository(CONTRACT_NOTES).count() == 3
                by_length = uow.repository(CONTRACT_NOTES_BY_LENGTH)
                found = [n.id for n in by_length.list({"length": 3})]
                ordered = [n.id for n in by_length.list(order_by="length")]
                counted = by_length.count({"length": 5})
        except ValidationError:
            return  # refused clearly
        assert found == ["n1", "n3"]
        assert ordered == ["n1", "n3", "n2"]
        assert counted == 1

    # -- ordering by type ---------------------------------------------------------------------

    def test_listings_order_integers_numerically_and_text_by_code_point(
        self, storage: Storage
    ) -> None:
        ranks = [10, -3, 9, 2**62, 0, -(2**62), 9]
        tags = ["b", "B", None, "é", "ä", "a", "Z"]
        self._seed(
            storage,
            *(ContractNote(f"n{i}", f"s{i}", tags[i], ranks[i]) for i in range(len(ranks))),
        )
        with storage.unit_of_work() as uow:
            repo = uow.repository(CONTRACT_NOTES)
            by_rank = [n.rank for n in repo.list(order_by="rank")]
            by_tag = [n.tag for n in repo.list(order_by="tag")]
            ties = [n.id for n in repo.list({"rank": 9}, order_by="rank")]
        assert by_rank == sorted(ranks)
        assert by_tag == [None, "B", "Z", "a", "b", "ä", "é"]
        assert ties == ["n2", "n6"]  # equal values: by id
