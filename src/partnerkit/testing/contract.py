"""The storage contract: a pytest suite that proves a backend behaves like the reference ones.

Subclass :class:`StorageContract` in your test suite and implement
:meth:`~StorageContract.make_storage`; pytest collects the inherited tests
(name your subclass ``Test...``)::

    from partnerkit.testing.contract import StorageContract

    class TestMyBackend(StorageContract):
        def make_storage(self, dispatcher, tmp_path):
            return MyOrmStorage(dsn=..., dispatcher=dispatcher)

partnerkit runs this suite against :class:`~partnerkit.storage.MemoryStorage`
and :class:`~partnerkit.storage.SqliteStorage`. Each later area adds cases
for its aggregates.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest

from partnerkit.core import DomainEvent, EventDispatcher, Money
from partnerkit.core.errors import Conflict, NotFound, ValidationError
from partnerkit.scoring import Activity
from partnerkit.storage import PROGRAMS, ActivityStore, AggregateSpec, Index, Storage
from partnerkit.testing._deals_contract import DealsContract
from partnerkit.testing._factories import make_program
from partnerkit.testing._partners_contract import PartnersContract
from partnerkit.testing._quoting_contract import QuotingContract

__all__ = [
    "CONTRACT_CODES",
    "CONTRACT_NOTES",
    "ActivityStoreContract",
    "ContractCode",
    "ContractNote",
    "NoteWritten",
    "QuotingContract",
    "StorageContract",
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


class _BoomError(Exception):
    pass


class StorageContract(QuotingContract, PartnersContract, DealsContract):
    """The behaviour every storage backend must show; subclass it and implement ``make_storage``."""

    def make_storage(self, dispatcher: EventDispatcher, tmp_path: Path) -> Storage:
        """Return a fresh, empty storage that publishes committed events to ``dispatcher``."""
        raise NotImplementedError

    @pytest.fixture
    def published(self) -> list[DomainEvent]:
        """Fixture: the events the storage's dispatcher delivered."""
        return []

    @pytest.fixture
    def storage(self, tmp_path: Path, published: list[DomainEvent]) -> Storage:
        """Fixture: a fresh storage wired to a dispatcher that appends to ``published``."""
        dispatcher = EventDispatcher()
        dispatcher.subscribe(DomainEvent, published.append)
        return self.make_storage(dispatcher, tmp_path)

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

    def test_programs_round_trip_through_storage(self, storage: Storage) -> None:
        program = make_program(key="acme", currency="JPY", locale="ja_JP", timezone="Asia/Tokyo")
        with storage.unit_of_work() as uow:
            uow.repository(PROGRAMS).add(program)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.repository(PROGRAMS).get("acme") == attrs.evolve(program, version=1)


_T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


class ActivityStoreContract:
    """The behaviour every activity store must show; subclass it and implement ``make_store``.

    The cases store :class:`partnerkit.scoring.Activity` rows.
    """

    def make_store(self, tmp_path: Path) -> ActivityStore[Activity]:
        """Return a fresh, empty store of :class:`~partnerkit.scoring.Activity` rows."""
        raise NotImplementedError

    @pytest.fixture
    def store(self, tmp_path: Path) -> ActivityStore[Activity]:
        """Fixture: a fresh, empty activity store."""
        return self.make_store(tmp_path)

    def _rows(self) -> list[Activity]:
        return [
            Activity("p1", "login", _T0 + timedelta(hours=5), "u1"),
            Activity("p2", "login", _T0 + timedelta(hours=1), "u9"),
            Activity("p1", "content_view", _T0 + timedelta(hours=1), "u2", attributes={"a": "b"}),
            Activity(
                "p1",
                "deal_won",
                _T0 + timedelta(hours=1),
                amount=Money("1200.50", "EUR"),
                attributes={"motion": "upsell"},
            ),
            Activity("p1", "login", _T0 - timedelta(days=40), "u1"),
        ]

    def test_rows_read_back_equal_per_partner_by_instant_then_append_order(
        self, store: ActivityStore[Activity]
    ) -> None:
        rows = self._rows()
        assert store.append(rows) == 5
        assert list(store.iterate("p1")) == [rows[4], rows[2], rows[3], rows[0]]
        assert list(store.iterate("p2")) == [rows[1]]
        assert list(store.iterate("nobody")) == []

    def test_every_partner_is_read_when_none_is_named(self, store: ActivityStore[Activity]) -> None:
        rows = self._rows()
        store.append(rows)
        assert list(store.iterate()) == [rows[4], rows[1], rows[2], rows[3], rows[0]]

    def test_a_window_includes_its_start_and_excludes_its_end(
        self, store: ActivityStore[Activity]
    ) -> None:
        rows = self._rows()
        store.append(rows)
        start, end = _T0 + timedelta(hours=1), _T0 + timedelta(hours=5)
        assert list(store.iterate("p1", start=start, end=end)) == [rows[2], rows[3]]
        assert list(store.iterate("p1", end=_T0)) == [rows[4]]
        assert list(store.iterate(start=end)) == [rows[0]]

    def test_instants_in_other_zones_order_by_the_moment_they_denote(
        self, store: ActivityStore[Activity]
    ) -> None:
        tokyo = timezone(timedelta(hours=9))
        early = Activity("p1", "login", datetime(2026, 3, 1, 17, 0, tzinfo=tokyo))  # 08:00 UTC
        store.append([Activity("p1", "login", _T0), early])
        assert [a.at for a in store.iterate("p1")] == [early.at, _T0]
        assert list(store.iterate("p1", start=_T0)) == [Activity("p1", "login", _T0)]

    def test_a_batch_with_a_bad_row_stores_nothing(self, store: ActivityStore[Activity]) -> None:
        rows: list[object] = [*self._rows(), "not an activity", 3]
        with pytest.raises(ValidationError) as caught:
            store.append(rows)  # type: ignore[arg-type]
        assert caught.value.paths == ("rows.5", "rows.6")  # every bad row is named
        assert store.count() == 0

    def test_naive_bounds_are_refused(self, store: ActivityStore[Activity]) -> None:
        with pytest.raises(ValidationError):
            list(store.iterate("p1", start=datetime(2026, 1, 1)))

    def test_counts_follow_appends(self, store: ActivityStore[Activity]) -> None:
        assert store.count() == 0
        store.append(self._rows())
        store.append([Activity("p2", "communication", _T0)])
        assert (store.count(), store.count("p1"), store.count("p2")) == (6, 4, 2)

    def test_appends_from_several_threads_all_land(self, store: ActivityStore[Activity]) -> None:
        def work(n: int) -> None:
            store.append(
                [Activity(f"p{n}", "login", _T0 + timedelta(seconds=i)) for i in range(25)]
            )

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert store.count() == 100
        assert [a.at for a in store.iterate("p3")] == [
            _T0 + timedelta(seconds=i) for i in range(25)
        ]
