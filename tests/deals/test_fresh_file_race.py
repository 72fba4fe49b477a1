"""A fresh SQLite file used by many threads at once: every table exists before any unit of work.

Issue #15: with tables made on first use, a unit of work whose read transaction
began before another thread made a table kept the old schema and failed with a
raw ``sqlite3.OperationalError: no such table``.
"""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path

import attrs
import pytest
from deal_factories import NOW, PARTNERS, REPS, ctx, make_form, partner_user, race

from partnerkit.deals import DealRegistration, Stage
from partnerkit.services import register_deal
from partnerkit.storage import (
    DEAL_REGISTRATIONS,
    PARTNER_USERS,
    PROSPECTS,
    AggregateSpec,
    Index,
    SqliteStorage,
)
from partnerkit.storage import PARTNERS as PARTNERS_SPEC
from partnerkit.testing import FixedClock

ROUNDS = 20
THREADS = 50


def _fresh(path: Path) -> SqliteStorage:
    """A new file holding the partners and reps only: no prospect or registration was ever read."""
    storage = SqliteStorage(path)
    with storage.unit_of_work() as uow:
        for partner in PARTNERS.values():
            uow.repository(PARTNERS_SPEC).add(partner)
        for rep in REPS.values():
            uow.repository(PARTNER_USERS).add(rep)
        uow.commit()
    return storage


@pytest.mark.parametrize("round", range(ROUNDS))
def test_fifty_threads_registering_on_a_fresh_file_all_succeed(round: int, tmp_path: Path) -> None:
    storage = _fresh(tmp_path / f"round-{round}.sqlite3")
    partners = sorted(PARTNERS)

    def register(n: int) -> DealRegistration:
        actor = partner_user(partners[n % len(partners)])
        with storage.unit_of_work() as uow:
            return register_deal(
                uow, ctx(actor, FixedClock(NOW)), make_form(f"prospect-{n}.example", f"P {n}")
            )

    results, failures = race([partial(register, n) for n in range(THREADS)])
    assert failures == []
    assert len(results) == THREADS
    with storage.unit_of_work() as uow:
        assert uow.repository(PROSPECTS).count() == THREADS
        assert uow.repository(DEAL_REGISTRATIONS).count({"stage": Stage.OPPORTUNITY.value}) == (
            THREADS
        )


@attrs.frozen
class Note:
    id: str
    text: str
    version: int = 0


NOTES = AggregateSpec("notes", Note, indexes=(Index("text", lambda n: n.text),))


def test_a_reader_sees_a_table_another_thread_made_after_its_read_began(tmp_path: Path) -> None:
    # NOTES is not among the storage's specs: its table is made on first use, mid-flight.
    storage = SqliteStorage(tmp_path / "late.sqlite3")
    made = threading.Event()

    def make_notes() -> None:
        with storage.unit_of_work() as uow:
            uow.repository(NOTES).add(Note("n1", "hello"))
            uow.commit()
        made.set()

    with storage.unit_of_work() as reader:
        assert reader.repository(PARTNERS_SPEC).count() == 0  # the read transaction is open
        thread = threading.Thread(target=make_notes)
        thread.start()
        assert made.wait(10)
        thread.join()
        notes = reader.repository(NOTES)
        assert [n.text for n in notes.list()] == ["hello"]
        assert notes.count({"text": "hello"}) == 1
