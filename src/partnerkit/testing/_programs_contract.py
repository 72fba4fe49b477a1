"""Storage contract cases for programs (the ``programs`` area)."""

from __future__ import annotations

import attrs
import pytest

from partnerkit.core.errors import Conflict
from partnerkit.storage import PROGRAMS, Storage
from partnerkit.testing._factories import make_program
from partnerkit.testing._fixtures import StorageFixtures

__all__ = ["ProgramsContract"]


class ProgramsContract(StorageFixtures):
    """Contract cases for :data:`~partnerkit.storage.PROGRAMS`."""

    def test_programs_round_trip_through_storage(self, storage: Storage) -> None:
        program = make_program(key="acme", currency="JPY", locale="ja_JP", timezone="Asia/Tokyo")
        with storage.unit_of_work() as uow:
            uow.repository(PROGRAMS).add(program)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.repository(PROGRAMS).get("acme") == attrs.evolve(program, version=1)

    def test_a_program_key_is_stored_once_and_a_saved_program_reads_back_changed(
        self, storage: Storage
    ) -> None:
        with storage.unit_of_work() as uow:
            uow.repository(PROGRAMS).add(make_program(key="acme"))
            uow.commit()
        with storage.unit_of_work() as uow:
            programs = uow.repository(PROGRAMS)
            with pytest.raises(Conflict):
                programs.add(make_program(key="acme", name="Another"))
            saved = programs.save(attrs.evolve(programs.get("acme"), name="Renamed"))
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.repository(PROGRAMS).get("acme") == saved
            assert saved.version == 2
