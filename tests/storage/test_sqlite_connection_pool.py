"""SQLite keeps a few idle connections for the next units of work, and hands them out clean."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from partnerkit.storage import SqliteStorage
from partnerkit.testing.contract import CONTRACT_NOTES, ContractNote


def test_idle_connections_are_reused_and_at_most_pool_size_are_kept(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path / "pool.sqlite3", pool_size=2)
    with storage.unit_of_work() as uow:
        uow.repository(CONTRACT_NOTES).add(ContractNote("n1", "first"))
        uow.commit()
    with ExitStack() as stack:
        for _ in range(5):
            uow = stack.enter_context(storage.unit_of_work())
            assert uow.repository(CONTRACT_NOTES).count() == 1
    assert len(storage._idle) == 2
    storage.close()
    assert storage._idle == []
    with storage.unit_of_work() as uow:
        assert uow.repository(CONTRACT_NOTES).get("n1").slug == "first"


def test_a_reused_connection_carries_nothing_of_a_unit_of_work_that_did_not_commit(
    tmp_path: Path,
) -> None:
    storage = SqliteStorage(tmp_path / "pool.sqlite3", pool_size=1)
    with storage.unit_of_work() as uow:
        uow.repository(CONTRACT_NOTES).add(ContractNote("n1", "first"))
        # Left without a commit: rolled back, and the connection goes back to the pool.
    with storage.unit_of_work() as uow:
        repository = uow.repository(CONTRACT_NOTES)
        assert repository.find("n1") is None
        repository.add(ContractNote("n1", "second"))
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.repository(CONTRACT_NOTES).get("n1").slug == "second"


def test_a_pool_of_zero_closes_every_connection(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path / "pool.sqlite3", pool_size=0)
    with storage.unit_of_work() as uow:
        assert uow.repository(CONTRACT_NOTES).count() == 0
    assert storage._idle == []
