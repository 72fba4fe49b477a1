"""A statement that broke the transaction: commit says so, writes nothing, publishes nothing.

PostgreSQL aborts the whole transaction on any error and answers a later
COMMIT with ROLLBACK without an error; SQLite rolls the transaction back by
itself after some errors (a full disk). The backends must notice, or a
commit would "succeed", publish its events and keep only what came after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

from partnerkit.core import DomainEvent, EventDispatcher
from partnerkit.core.errors import StorageError
from partnerkit.storage import AggregateSpec, Index, Repository, SqliteStorage, Storage
from partnerkit.storage.sqlalchemy import SqlAlchemyStorage


@attrs.frozen
class Note:
    id: str
    text: str
    version: int = 0


@attrs.frozen
class Noted(DomainEvent):
    id: str


NOTES = AggregateSpec("notes", Note, indexes=(Index("text", lambda n: n.text),))
GONE = AggregateSpec("gone", Note)

Factory = Callable[[EventDispatcher], Storage]


def _drop(storage: Storage, table: str) -> None:
    """Drop ``table`` behind the storage's back, as an operator's mistake would."""
    if isinstance(storage, SqliteStorage):
        import sqlite3

        with sqlite3.connect(storage.path) as conn:
            conn.execute(f"DROP TABLE {table}")
        return
    assert isinstance(storage, SqlAlchemyStorage)
    with storage.engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE {table}"))


def _backends(tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, tuple[Factory, str]]:
    return {
        "sqlite": (
            lambda d: SqliteStorage(tmp_path / "db.sqlite3", dispatcher=d, specs=[NOTES, GONE]),
            "agg_gone",
        ),
        "sqlalchemy-sqlite": (
            lambda d: SqlAlchemyStorage(
                f"sqlite:///{tmp_path / 'sa.sqlite3'}", dispatcher=d, specs=[NOTES, GONE]
            ),
            "partnerkit_gone",
        ),
    }


@pytest.fixture(
    params=["sqlite", "sqlalchemy-sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def broken(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Storage, list[DomainEvent], str]]:
    published: list[DomainEvent] = []
    dispatcher = EventDispatcher()
    dispatcher.subscribe(DomainEvent, published.append)
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        storage: Storage = SqlAlchemyStorage(url, dispatcher=dispatcher, specs=[NOTES, GONE])
        table = "partnerkit_gone"
    else:
        make, table = _backends(tmp_path, request)[request.param]
        storage = make(dispatcher)
    yield storage, published, table
    assert isinstance(storage, (SqliteStorage, SqlAlchemyStorage))
    storage.close()


def test_a_statement_that_broke_the_transaction_makes_commit_fail_and_write_nothing(
    broken: tuple[Storage, list[DomainEvent], str],
) -> None:
    storage, published, table = broken
    _drop(storage, table)
    with storage.unit_of_work() as uow:
        uow.repository(NOTES).add(Note("a", "first"))
        uow.record(Noted("a"))
        with pytest.raises(StorageError):
            uow.repository(GONE).count()  # the table is gone: the statement fails
        with pytest.raises(StorageError):
            uow.repository(NOTES).add(Note("b", "after"))  # nothing more until a rollback
        with pytest.raises(StorageError) as caught:
            uow.commit()
        assert "nothing was written" in str(caught.value)
        # Rolled back: the unit of work is usable again.
        uow.repository(NOTES).add(Note("c", "again"))
        uow.commit()
    with storage.unit_of_work() as uow:
        assert [n.id for n in uow.repository(NOTES).list()] == ["c"]
    assert published == []


def _fill(notes: Repository[Note]) -> None:
    for i in range(200):
        notes.add(Note(f"n{i}", "x" * 4000))


def test_a_full_sqlite_file_drops_the_transaction_and_the_commit_says_so(tmp_path: Path) -> None:
    import sqlite3

    storage = SqliteStorage(tmp_path / "full.sqlite3", specs=[NOTES])
    with sqlite3.connect(storage.path) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    with storage.unit_of_work() as uow:
        conn = uow._connection(write=True)
        conn.execute(f"PRAGMA max_page_count = {pages + 1}")
        notes = uow.repository(NOTES)
        notes.add(Note("a", "small"))
        with pytest.raises(StorageError):
            _fill(notes)
        with pytest.raises(StorageError):
            notes.add(Note("z", "after the failure"))  # would run outside any transaction
        with pytest.raises(StorageError):
            uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.repository(NOTES).count() == 0
