import attrs
import pendulum
import pytest

from partnerkit.core import DomainEvent, EventDispatcher
from partnerkit.core.errors import Conflict
from partnerkit.program import PROGRAMS
from partnerkit.services import ProgramSaved, save_program
from partnerkit.storage import MemoryStorage
from partnerkit.testing import FixedClock, make_program

NOW = pendulum.datetime(2026, 11, 23, 9, tz="Europe/Berlin")


def test_saving_a_new_then_changed_program_raises_events_after_each_commit() -> None:
    seen: list[DomainEvent] = []
    dispatcher = EventDispatcher()
    dispatcher.subscribe(ProgramSaved, seen.append)
    storage = MemoryStorage(dispatcher)
    clock = FixedClock(NOW)
    with storage.unit_of_work() as uow:
        first = save_program(uow, make_program(), actor="ann", clock=clock)
    clock.advance(hours=1)
    with storage.unit_of_work() as uow:
        second = save_program(uow, attrs.evolve(first, name="Renamed"), actor="bo", clock=clock)
    assert (first.version, second.version) == (1, 2)
    assert seen == [
        ProgramSaved(first.key, 1, "ann", NOW, created=True),
        ProgramSaved(first.key, 2, "bo", NOW.add(hours=1), created=False),
    ]


def test_a_stale_program_edit_conflicts_writes_nothing_and_raises_no_event() -> None:
    seen: list[DomainEvent] = []
    dispatcher = EventDispatcher()
    dispatcher.subscribe(DomainEvent, seen.append)
    storage = MemoryStorage(dispatcher)
    clock = FixedClock(NOW)
    with storage.unit_of_work() as uow:
        stored = save_program(uow, make_program(), actor="ann", clock=clock)
    with storage.unit_of_work() as uow:
        save_program(uow, attrs.evolve(stored, locale="de_DE"), actor="ann", clock=clock)
    with storage.unit_of_work() as uow, pytest.raises(Conflict):
        save_program(uow, attrs.evolve(stored, locale="fr_FR"), actor="bo", clock=clock)
    with storage.unit_of_work() as uow:
        assert uow.repository(PROGRAMS).get(stored.key).locale == "de_DE"
    assert len(seen) == 2
