"""The fault-injection harness can fail: toy use cases that break the one-commit rule are caught."""

import attrs
import pytest

from partnerkit.core import DomainEvent
from partnerkit.core.errors import Conflict
from partnerkit.storage import AggregateSpec, Index, Storage, UnitOfWork
from services.faults import (
    Backend,
    EventRecorder,
    FaultyStorage,
    InjectedFault,
    StorageFactory,
    check_all_or_nothing,
    describe_changes,
    snapshot,
)


@attrs.frozen
class Toy:
    id: str
    name: str
    version: int = 0


@attrs.frozen
class ToyChanged(DomainEvent):
    toy_id: str


TOYS = AggregateSpec("toys", Toy, indexes=(Index[Toy]("name", lambda toy: toy.name, unique=True),))


def make_world(new_storage: StorageFactory) -> str:
    storage = new_storage(specs=[TOYS])
    with storage.unit_of_work() as uow:
        uow.repository(TOYS).add(Toy("t1", "one"))
        uow.repository(TOYS).add(Toy("t2", "two"))
        uow.record(ToyChanged("t1"))  # the driver forgets the seeding's events
        uow.commit()
    return "uno"


def work(uow: UnitOfWork, new_name: str) -> None:
    """Every kind of write step: sequence, add, save, delete (by kind), record."""
    toys = uow.repository(TOYS)
    number = uow.sequences.next("toys")
    toys.add(Toy(f"n{number}", "new"))
    assert toys.count() == 3
    toys.save(attrs.evolve(toys.get("t1"), name=new_name))
    uow.repository(TOYS).delete(uow.repository(TOYS).get("t2"))
    uow.record(ToyChanged("t1"), ToyChanged(f"n{number}"))


def careless(uow: UnitOfWork, new_name: str) -> None:
    """Commits at the end, but leaves its writes behind when a step fails."""
    work(uow, new_name)
    uow.commit()


def careful(uow: UnitOfWork, new_name: str) -> None:
    """Rolls back on any failure: the one-commit rule."""
    try:
        work(uow, new_name)
    except BaseException:
        uow.rollback()
        raise
    uow.commit()


def test_a_careful_use_case_passes(backend: Backend) -> None:
    assert check_all_or_nothing(make_world, careful, backend=backend) == 5


def test_a_use_case_that_does_not_roll_back_fails(backend: Backend) -> None:
    with pytest.raises(AssertionError, match=r"fail_at=3, host commits\] failing at toys.save"):
        check_all_or_nothing(make_world, careless, backend=backend)


def test_the_report_names_what_changed(backend: Backend) -> None:
    with pytest.raises(AssertionError) as caught:
        check_all_or_nothing(make_world, careless, backend=backend)
    message = str(caught.value)
    assert "toys 'n1' added (version 1)" in message
    assert "steps: sequences.next('toys'), toys.add, toys.save" in message
    assert isinstance(caught.value.__cause__, InjectedFault)


def test_rolling_back_hosts_alone_do_not_catch_a_careless_use_case(backend: Backend) -> None:
    # Why the driver also commits after the failure: a host that rolls back hides the bug.
    steps = check_all_or_nothing(make_world, careless, backend=backend, variants=["rollback"])
    assert steps == 5


def test_a_use_case_may_turn_the_fault_into_its_own_error(backend: Backend) -> None:
    def translating(uow: UnitOfWork, new_name: str) -> None:
        try:
            careful(uow, new_name)
        except InjectedFault as exc:
            raise Conflict("toys", "t1", "storage failed") from exc

    assert check_all_or_nothing(make_world, translating, backend=backend) == 5


def test_events_left_queued_by_a_failure_are_caught(backend: Backend) -> None:
    def announcing_first(uow: UnitOfWork, new_name: str) -> None:
        uow.record(ToyChanged("n1"))
        uow.repository(TOYS).add(Toy("n1", new_name))
        uow.commit()

    with pytest.raises(AssertionError, match=r"fail_at=2, host commits\] .* published ToyChanged"):
        check_all_or_nothing(make_world, announcing_first, backend=backend)


def test_a_use_case_that_swallows_the_failure_fails(backend: Backend) -> None:
    def swallowing(uow: UnitOfWork, new_name: str) -> None:
        try:
            careful(uow, new_name)
        except InjectedFault:
            return

    with pytest.raises(AssertionError, match=r"fail_at=1.*returned normally"):
        check_all_or_nothing(make_world, swallowing, backend=backend)


def test_a_use_case_that_commits_twice_fails(backend: Backend) -> None:
    def twice(uow: UnitOfWork, new_name: str) -> None:
        try:
            uow.sequences.next("toys")
            uow.commit()
            work(uow, new_name)
        except BaseException:
            uow.rollback()
            raise
        uow.commit()

    with pytest.raises(AssertionError, match=r"fail_at=2.*committed 1 time\(s\) before failing"):
        check_all_or_nothing(make_world, twice, backend=backend)


def test_a_use_case_that_never_commits_fails(backend: Backend) -> None:
    def uncommitted(uow: UnitOfWork, new_name: str) -> None:
        try:
            work(uow, new_name)
        except BaseException:
            uow.rollback()
            raise

    with pytest.raises(AssertionError, match="committed 0 times"):
        check_all_or_nothing(make_world, uncommitted, backend=backend)


def test_a_use_case_without_events_fails_unless_told(backend: Backend) -> None:
    def silent(uow: UnitOfWork, new_name: str) -> None:
        try:
            uow.repository(TOYS).add(Toy("n1", new_name))
        except BaseException:
            uow.rollback()
            raise
        uow.commit()

    with pytest.raises(AssertionError, match="published no event"):
        check_all_or_nothing(make_world, silent, backend=backend)
    assert check_all_or_nothing(make_world, silent, backend=backend, expect_events=False) == 1


def test_a_use_case_that_fails_without_a_fault_is_reported(backend: Backend) -> None:
    def clashing(uow: UnitOfWork, new_name: str) -> None:
        uow.repository(TOYS).add(Toy("t1", new_name))  # the id is taken
        uow.commit()

    with pytest.raises(AssertionError, match=r"raised Conflict.* though no fault was injected"):
        check_all_or_nothing(make_world, clashing, backend=backend)


def test_endless_use_cases_stop_at_max_steps(backend: Backend) -> None:
    def endless(uow: UnitOfWork, new_name: str) -> None:
        while True:
            uow.sequences.next("toys")

    with pytest.raises(AssertionError, match="takes 3 write steps or more"):
        check_all_or_nothing(make_world, endless, backend=backend, max_steps=3)


def test_make_world_must_build_one_storage(backend: Backend) -> None:
    def two_worlds(new_storage: StorageFactory) -> str:
        new_storage()
        return make_world(new_storage)

    with pytest.raises(AssertionError, match="exactly one storage"):
        check_all_or_nothing(two_worlds, careful, backend=backend)


# --- the pieces --------------------------------------------------------------------------


def test_faulty_storage_counts_write_steps_and_not_reads(backend: Backend) -> None:
    inner = backend.storage(specs=[TOYS])
    make_world(lambda specs=(): inner)
    faulty = FaultyStorage(inner, fail_at=None)
    storage: Storage = faulty  # a valid Storage for the use cases
    with storage.unit_of_work() as uow:
        toys = uow.repository(TOYS)
        toys.get("t1")
        toys.find("nope")
        toys.list(order_by="name")
        toys.count({"name": "one"})
        careful(uow, "uno")
    assert faulty.steps == 5
    assert not faulty.fired
    assert faulty.trace == (
        "sequences.next('toys')",
        "toys.add",
        "toys.save",
        "toys.delete",
        "record(ToyChanged, ToyChanged)",
    )
    assert faulty.last is not None
    assert (faulty.last.commits, faulty.last.rollbacks) == (1, 0)


def test_the_fault_fires_before_the_step_reaches_the_backend(backend: Backend) -> None:
    recorder = EventRecorder()
    inner = backend.storage(specs=[TOYS], dispatcher=recorder)
    make_world(lambda specs=(): inner)
    recorder.clear()
    faulty = FaultyStorage(inner, fail_at=2)
    with faulty.unit_of_work() as uow:
        uow.repository(TOYS).save(uow.repository(TOYS).get("t1"))
        with pytest.raises(InjectedFault, match=r"step 2: toys\.add"):
            uow.repository(TOYS).add(Toy("t3", "three"))
        assert uow.fired
        assert uow.fired_at == "toys.add"
        assert uow.repository(TOYS).find("t3") is None
        uow.repository(TOYS).add(Toy("t4", "four"))  # later steps pass through
        uow.record(ToyChanged("t4"))
        uow.commit()
    assert faulty.steps == 4
    after = snapshot(inner)
    assert sorted(after["toys"]) == ["t1", "t2", "t4"]
    assert after["toys"]["t1"][0] == 2
    assert recorder.published == [ToyChanged("t4")]


def test_fail_at_counts_from_one(backend: Backend) -> None:
    with pytest.raises(ValueError, match="from 1"):
        FaultyStorage(backend.storage(), fail_at=0)


def test_snapshot_sees_only_committed_rows(backend: Backend) -> None:
    storage = backend.storage(specs=[TOYS])
    assert snapshot(storage) == {}
    make_world(lambda specs=(): storage)
    before = snapshot(storage)
    assert before == {
        "toys": {"t1": (1, '{"id":"t1","name":"one"}'), "t2": (1, '{"id":"t2","name":"two"}')}
    }
    with storage.unit_of_work() as uow:
        uow.repository(TOYS).add(Toy("t3", "three"))
        assert snapshot(storage) == before
        uow.commit()
    after = snapshot(storage)
    assert describe_changes(before, after) == "  toys 't3' added (version 1)"


def test_snapshot_refuses_other_storages() -> None:
    with pytest.raises(TypeError, match="MemoryStorage or SqliteStorage"):
        snapshot(FaultyStorage(object()))  # type: ignore[arg-type]
