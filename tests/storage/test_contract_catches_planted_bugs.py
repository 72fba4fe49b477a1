"""Tests of the contract suite: a backend with a planted bug must fail the cases made to catch it.

Each broken backend is MemoryStorage with one bug planted. Every case below
runs twice: against the broken backend, where it must fail, and against
MemoryStorage itself, where it must pass (so the failure is the bug's, not
the harness's). The last tests run the suites through pytest the way a host
does, with the plugin and one ``partnerkit_storage`` fixture.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import attrs
import pytest

from partnerkit.core import DomainEvent, EventDispatcher
from partnerkit.core.errors import Conflict
from partnerkit.storage import (
    AggregateSpec,
    MemoryRepository,
    MemoryStorage,
    MemoryUnitOfWork,
    Sequences,
)
from partnerkit.testing._fixtures import new_dispatcher
from partnerkit.testing.contract import StorageContract

pytest_plugins = ["pytester"]

A = TypeVar("A")


# -- the planted bugs ---------------------------------------------------------------------------


class _PublishesAtRecord(MemoryUnitOfWork):
    def record(self, *events: DomainEvent) -> None:
        assert self._dispatcher is not None
        self._dispatcher.publish(events)


class _PublishesBeforeTheDatabaseCommit(MemoryUnitOfWork):
    def commit(self) -> None:
        events, self._events = self._events, []
        assert self._dispatcher is not None
        self._dispatcher.publish(events)
        self._commit()
        self._after_commit()


class _IgnoresUpgrades(MemoryUnitOfWork):
    def repository(self, spec: AggregateSpec[A]) -> MemoryRepository[A]:
        # Reads every body as if it were today's and stores no schema version beside it.
        return super().repository(attrs.evolve(spec, schema_version=1, upgrades={}))


class _CachesRepositoriesByKind(MemoryUnitOfWork):
    def repository(self, spec: AggregateSpec[A]) -> MemoryRepository[A]:
        # The first spec of each kind the storage saw, whatever spec the caller gives.
        first: dict[str, AggregateSpec[Any]] = self._storage.__dict__.setdefault("_first", {})
        return super().repository(first.setdefault(spec.kind, spec))


class _AbortsOnConflictRepository(MemoryRepository[A]):
    # What a PostgreSQL backend without savepoints does: a refused write aborts the whole
    # transaction, and the writes made before it are lost.
    def add(self, aggregate: A) -> A:
        try:
            return super().add(aggregate)
        except Conflict:
            self._uow._staged = {}
            raise

    def save(self, aggregate: A) -> A:
        try:
            return super().save(aggregate)
        except Conflict:
            self._uow._staged = {}
            raise


class _AbortsOnConflict(MemoryUnitOfWork):
    def repository(self, spec: AggregateSpec[A]) -> MemoryRepository[A]:
        super().repository(spec)
        return _AbortsOnConflictRepository(self, spec)


class _ChecksNothingAtCommit(MemoryUnitOfWork):
    # Unique values and versions are checked at add and save only, against what was committed
    # then: two units of work that both found nothing both commit.
    def _commit(self) -> None:
        storage = self._storage
        with storage._lock:
            for kind, rows in self._staged.items():
                table = storage._table(kind)
                for id, (row, _) in rows.items():
                    table.put(self._specs[kind], id, row)


class _RacyCounter:
    # Reads the counter, then writes it back later, with no lock in between.
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def next(self, name: str) -> int:
        storage = self._uow._storage
        value = storage._sequences.get(name, 0) + 1
        time.sleep(0.005)  # another unit of work reads the same value meanwhile
        storage._sequences[name] = value
        return value


class _RacyCounters(MemoryUnitOfWork):
    @property
    def sequences(self) -> Sequences:
        return _RacyCounter(self)


class _ShowsUncommittedWrites(MemoryUnitOfWork):
    # Every unit of work reads what the others have staged but not committed.
    _open: ClassVar[list[MemoryUnitOfWork]] = []

    def _begin(self) -> None:
        super()._begin()
        self._open.append(self)

    def _close(self) -> None:
        super()._close()
        if self in self._open:
            self._open.remove(self)

    def _row(self, kind: str, id: str) -> Any:
        for other in self._open:
            staged = other._staged.get(kind, {}).get(id)
            if staged is not None:
                return staged[0]
        return super()._row(kind, id)


def _storage_with(uow_class: type[MemoryUnitOfWork]) -> Callable[[EventDispatcher], MemoryStorage]:
    class Planted(MemoryStorage):
        def unit_of_work(self) -> MemoryUnitOfWork:
            return uow_class(self)

    return lambda dispatcher: Planted(dispatcher=dispatcher)


def _correct(dispatcher: EventDispatcher) -> MemoryStorage:
    return MemoryStorage(dispatcher=dispatcher)


# The racing cases and how many units of work race in each. A bug that shows only when the
# racers overlap (all have written, none has committed) would pass them by luck of the
# scheduler: for these cases the backend under test (broken or correct) holds every racer's
# commit until all have reached it. MemoryStorage's writes never wait, so they always get
# there; a backend whose writes wait for a lock must not be run this way.
RACERS = {
    "test_two_units_of_work_that_both_found_nothing_add_one_unique_value_once": 2,
    "test_two_units_of_work_that_found_no_prospect_create_it_once": 2,
    "test_units_of_work_that_lose_a_race_publish_nothing": 4,
}


def _overlapping(
    make: Callable[[EventDispatcher], MemoryStorage], racers: int
) -> Callable[[EventDispatcher], MemoryStorage]:
    def build(dispatcher: EventDispatcher) -> MemoryStorage:
        storage = make(dispatcher)
        barrier = threading.Barrier(racers, timeout=30)
        unit_of_work = storage.unit_of_work

        def held() -> MemoryUnitOfWork:
            uow = unit_of_work()
            commit = uow.commit

            def commit_with_the_others() -> None:
                if threading.current_thread() is not threading.main_thread():
                    barrier.wait()  # a racer: commit once every racer is about to
                commit()

            uow.commit = commit_with_the_others  # type: ignore[method-assign]
            return uow

        storage.unit_of_work = held  # type: ignore[method-assign]
        return storage

    return build


# Each planted bug and the contract cases that must catch it.
PLANTED: dict[str, tuple[type[MemoryUnitOfWork], list[str]]] = {
    "publishes at record()": (
        _PublishesAtRecord,
        [
            "test_a_handler_sees_the_committed_writes_from_another_unit_of_work",
            "test_events_are_published_only_after_commit_in_order",
            "test_events_recorded_before_a_rollback_are_never_published",
            "test_units_of_work_that_lose_a_race_publish_nothing",
        ],
    ),
    "publishes before the database commit": (
        _PublishesBeforeTheDatabaseCommit,
        [
            "test_a_handler_sees_the_committed_writes_from_another_unit_of_work",
            "test_units_of_work_that_lose_a_race_publish_nothing",
        ],
    ),
    "ignores AggregateSpec.upgrade and schema_version": (
        _IgnoresUpgrades,
        [
            "test_rows_of_an_older_schema_are_upgraded_on_every_read",
            "test_a_save_stores_the_current_schema",
            "test_one_kind_read_through_two_specs_in_one_unit_of_work",
        ],
    ),
    "caches repositories by kind, not by the spec given": (
        _CachesRepositoriesByKind,
        [
            "test_rows_of_an_older_schema_are_upgraded_on_every_read",
            "test_a_save_stores_the_current_schema",
            "test_one_kind_read_through_two_specs_in_one_unit_of_work",
        ],
    ),
    "a Conflict aborts the unit of work": (
        _AbortsOnConflict,
        ["test_a_conflict_on_add_or_save_leaves_the_unit_of_work_usable"],
    ),
    "hands out counters without a lock": (
        _RacyCounters,
        ["test_counters_taken_by_racing_units_of_work_are_all_distinct"],
    ),
    "shows uncommitted writes to other units of work": (
        _ShowsUncommittedWrites,
        ["test_uncommitted_writes_are_invisible_to_other_units_of_work"],
    ),
    "unique values and versions unchecked at commit": (
        _ChecksNothingAtCommit,
        [
            "test_two_units_of_work_that_both_found_nothing_add_one_unique_value_once",
            "test_two_units_of_work_that_found_no_prospect_create_it_once",
            "test_units_of_work_that_lose_a_race_publish_nothing",
        ],
    ),
}

CASES = [(bug, case) for bug, (_, cases) in PLANTED.items() for case in cases]


def _run(
    case: str, make: Callable[[EventDispatcher], MemoryStorage], tmp_path: Path
) -> BaseException | None:
    """Run one contract case on a fresh storage; return what it raised, or None if it passed."""
    if case in RACERS:
        make = _overlapping(make, RACERS[case])
    published: list[DomainEvent] = []
    dispatcher = new_dispatcher(published)
    fixtures = {
        "storage": make(dispatcher),
        "published": published,
        "dispatcher": dispatcher,
        "tmp_path": tmp_path,
    }
    method = getattr(StorageContract(), case)
    arguments = {name: fixtures[name] for name in inspect.signature(method).parameters}
    try:
        method(**arguments)
    except (Exception, pytest.fail.Exception) as exc:
        return exc
    return None


@pytest.mark.parametrize(("bug", "case"), CASES)
def test_the_case_fails_on_a_backend_with_the_bug(bug: str, case: str, tmp_path: Path) -> None:
    failure = _run(case, _storage_with(PLANTED[bug][0]), tmp_path)
    assert failure is not None, f"{case} passed on a backend that {bug}"


@pytest.mark.parametrize("case", sorted({case for _, case in CASES}))
def test_the_case_passes_on_the_correct_backend(case: str, tmp_path: Path) -> None:
    assert _run(case, _correct, tmp_path) is None


def test_every_planted_bug_is_caught_by_a_case_that_is_in_the_suite() -> None:
    suite = {name for name in dir(StorageContract) if name.startswith("test_")}
    assert {case for _, case in CASES} <= suite


# -- through pytest, the way a host runs it -------------------------------------------------------

_HOST_CONFTEST = """
import pytest

from test_contract_catches_planted_bugs import {factory}

pytest_plugins = ["partnerkit.testing.pytest_plugin"]


@pytest.fixture
def partnerkit_storage(partnerkit_dispatcher):
    return {factory}(partnerkit_dispatcher)
"""

_HOST_TESTS = """
from partnerkit.testing.contract import CoreStorageContract, ProgramsContract


class TestMyCore(CoreStorageContract):
    pass


class TestMyPrograms(ProgramsContract):
    pass
"""


def publishing_before_the_commit(dispatcher: EventDispatcher) -> MemoryStorage:
    return _storage_with(_PublishesBeforeTheDatabaseCommit)(dispatcher)


def correct(dispatcher: EventDispatcher) -> MemoryStorage:
    return _correct(dispatcher)


def _host_run(pytester: pytest.Pytester, factory: str, *args: str) -> pytest.RunResult:
    pytester.syspathinsert(Path(__file__).parent)
    pytester.makeconftest(_HOST_CONFTEST.format(factory=factory))
    pytester.makepyfile(test_host_storage=_HOST_TESTS)
    return pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", *args)


def test_a_host_runs_one_area_with_one_fixture(pytester: pytest.Pytester) -> None:
    result = _host_run(pytester, "correct", "-k", "TestMyPrograms")
    result.assert_outcomes(passed=2)


def test_a_host_backend_that_publishes_before_the_commit_fails_the_suite(
    pytester: pytest.Pytester,
) -> None:
    result = _host_run(
        pytester, "publishing_before_the_commit", "-k", "TestMyCore and (handler or events)"
    )
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["FAILED *test_a_handler_sees_the_committed_writes*"])


def test_a_forgotten_storage_fixture_says_what_to_write(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_host_storage="""
        from partnerkit.testing.contract import ProgramsContract

        class TestMine(ProgramsContract):
            pass
        """
    )
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*define a 'partnerkit_storage' fixture*"])
