"""The reference backends conform to the storage ports: mypy checks these assignments."""

from pathlib import Path

import pendulum

from partnerkit.core import Clock, SystemClock
from partnerkit.program import Program
from partnerkit.storage import (
    PROGRAMS,
    MemoryStorage,
    Repository,
    Sequences,
    SqliteStorage,
    Storage,
    UnitOfWork,
)
from partnerkit.testing import AdvancingClock, FixedClock, make_program


def test_reference_backends_conform_to_the_ports(tmp_path: Path) -> None:
    backends: list[Storage] = [MemoryStorage(), SqliteStorage(tmp_path / "db.sqlite3")]
    for storage in backends:
        with storage.unit_of_work() as uow:
            typed_uow: UnitOfWork = uow
            repository: Repository[Program] = typed_uow.repository(PROGRAMS)
            sequences: Sequences = typed_uow.sequences
            assert repository.find("missing") is None
            assert sequences.next("n") == 1


def test_clocks_conform_to_the_clock_protocol() -> None:
    start = pendulum.datetime(2026, 1, 1)
    clocks: list[Clock] = [SystemClock(), FixedClock(start), AdvancingClock(start)]
    assert all(c.now().tzinfo is not None for c in clocks)
    assert all(isinstance(c, Clock) for c in clocks)


def test_factories_build_valid_values() -> None:
    assert make_program(key="k").key == "k"
