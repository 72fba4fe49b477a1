"""The SQLAlchemy backend on SQLite (always) and PostgreSQL (marker ``postgres``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")

from partnerkit.core import EventDispatcher
from partnerkit.storage import Storage
from partnerkit.storage.sqlalchemy import SqlAlchemyStorage
from partnerkit.testing.contract import StorageContract


class _Closing:
    """Closes every storage a test opened (their pools hold connections)."""

    opened: list[SqlAlchemyStorage]

    @pytest.fixture(autouse=True)
    def _close_storages(self) -> Iterator[None]:
        self.opened = []
        yield
        for storage in self.opened:
            storage.close()

    def open(self, url: str, dispatcher: EventDispatcher | None = None) -> SqlAlchemyStorage:
        storage = SqlAlchemyStorage(url, dispatcher=dispatcher)
        self.opened.append(storage)
        return storage


class TestSqlAlchemyOnSqlite(_Closing, StorageContract):
    def make_storage(self, dispatcher: EventDispatcher, tmp_path: Path) -> Storage:
        return self.open(f"sqlite:///{tmp_path / 'partnerkit.sqlite3'}", dispatcher)


@pytest.mark.postgres
class TestSqlAlchemyOnPostgres(_Closing, StorageContract):
    @pytest.fixture(autouse=True)
    def _database(self, postgres_url: str) -> None:
        self.url = postgres_url

    def make_storage(self, dispatcher: EventDispatcher, tmp_path: Path) -> Storage:
        return self.open(self.url, dispatcher)
