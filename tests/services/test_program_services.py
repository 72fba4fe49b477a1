from datetime import datetime
from zoneinfo import ZoneInfo

import attrs
import pendulum
import pytest

from partnerkit.core import DomainEvent, EventDispatcher, from_dict, to_dict
from partnerkit.core.errors import Conflict, ValidationError
from partnerkit.services import ProgramSaved, save_program
from partnerkit.storage import PROGRAMS, MemoryStorage
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


def test_a_program_saved_event_refuses_a_naive_instant_when_it_is_built() -> None:
    with pytest.raises(ValidationError) as info:
        ProgramSaved("northwind", 1, "ann", datetime(2026, 1, 1), created=True)
    assert [(e.path, e.code) for e in info.value.errors] == [("at", "naive_datetime")]
    with pytest.raises(ValidationError) as info:
        ProgramSaved("northwind", 1, "ann", "2026-01-01T00:00:00+00:00", created=True)
    assert info.value.paths == ("at",)


def test_a_program_saved_event_keeps_an_aware_instant_as_a_pendulum_datetime() -> None:
    at = datetime(2026, 1, 1, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    event = ProgramSaved("northwind", 1, "ann", at, created=True)
    assert isinstance(event.at, pendulum.DateTime)
    assert event.at == at
    assert from_dict(ProgramSaved, to_dict(event)) == event
    assert from_dict(ProgramSaved, to_dict(event)).at.tzinfo == pendulum.timezone("Europe/Berlin")
