from datetime import datetime
from zoneinfo import ZoneInfo

import attrs
import pendulum
import pytest

from partnerkit.core import DomainEvent, EventDispatcher, from_dict, to_dict
from partnerkit.core.errors import Conflict, PermissionDenied, ValidationError
from partnerkit.partners import PARTNER_ACCOUNT_MANAGER, PROGRAM_ADMINISTRATOR, Actor
from partnerkit.program import Program
from partnerkit.services import Context, ProgramSaved, save_program
from partnerkit.storage import PROGRAMS, MemoryStorage
from partnerkit.testing import FixedClock, make_program

NOW = pendulum.datetime(2026, 11, 23, 9, tz="Europe/Berlin")


def as_admin(user_id: str, clock: FixedClock, program: Program) -> Context:
    """The context of a program administrator ``user_id`` changing ``program``."""
    return Context(Actor(user_id, PROGRAM_ADMINISTRATOR), clock, program)


def storage_seeing(kind: type[DomainEvent]) -> tuple[MemoryStorage, list[DomainEvent]]:
    """A memory storage and the list its dispatcher appends every published ``kind`` to."""
    seen: list[DomainEvent] = []
    dispatcher = EventDispatcher()
    dispatcher.subscribe(kind, seen.append)
    return MemoryStorage(dispatcher), seen


def test_saving_a_new_then_changed_program_raises_events_after_each_commit() -> None:
    storage, seen = storage_seeing(ProgramSaved)
    clock = FixedClock(NOW)
    program = make_program()
    with storage.unit_of_work() as uow:
        first = save_program(uow, as_admin("ann", clock, program), program)
    clock.advance(hours=1)
    with storage.unit_of_work() as uow:
        second = save_program(
            uow, as_admin("bo", clock, first), attrs.evolve(first, name="Renamed")
        )
    assert (first.version, second.version) == (1, 2)
    assert seen == [
        ProgramSaved(first.key, 1, "ann", NOW, created=True),
        ProgramSaved(first.key, 2, "bo", NOW.add(hours=1), created=False),
    ]
    # The event's instant is the clock's, in the program's time zone.
    assert [e.at.timezone_name for e in seen if isinstance(e, ProgramSaved)] == [
        program.timezone,
        program.timezone,
    ]


def test_a_stale_program_edit_conflicts_writes_nothing_and_raises_no_event() -> None:
    storage, seen = storage_seeing(DomainEvent)
    clock = FixedClock(NOW)
    program = make_program()
    with storage.unit_of_work() as uow:
        stored = save_program(uow, as_admin("ann", clock, program), program)
    with storage.unit_of_work() as uow:
        save_program(uow, as_admin("ann", clock, stored), attrs.evolve(stored, locale="de_DE"))
    with storage.unit_of_work() as uow, pytest.raises(Conflict):
        save_program(uow, as_admin("bo", clock, stored), attrs.evolve(stored, locale="fr_FR"))
    with storage.unit_of_work() as uow:
        assert uow.repository(PROGRAMS).get(stored.key).locale == "de_DE"
    assert len(seen) == 2


def test_only_a_program_administrator_saves_a_program_and_a_refusal_writes_nothing() -> None:
    storage, seen = storage_seeing(DomainEvent)
    clock = FixedClock(NOW)
    program = make_program()
    pam = Actor("pam", PARTNER_ACCOUNT_MANAGER, managed_partner_ids={"p1"})
    partner_admin = Actor("a1", "administrator", partner_id="p1")
    for actor in (pam, partner_admin):
        with storage.unit_of_work() as uow:
            with pytest.raises(PermissionDenied):
                save_program(uow, Context(actor, clock, program), program)
            uow.commit()  # the host commits anyway: nothing was staged
    with storage.unit_of_work() as uow:
        assert uow.repository(PROGRAMS).find(program.key) is None
    assert seen == []


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
