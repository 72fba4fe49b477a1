from pathlib import Path

from partnerkit.core import EventDispatcher
from partnerkit.storage import MemoryStorage, SqliteStorage, Storage
from partnerkit.testing.contract import StorageContract


class TestMemoryStorage(StorageContract):
    def make_storage(self, dispatcher: EventDispatcher, tmp_path: Path) -> Storage:
        return MemoryStorage(dispatcher=dispatcher)


class TestSqliteStorage(StorageContract):
    def make_storage(self, dispatcher: EventDispatcher, tmp_path: Path) -> Storage:
        return SqliteStorage(tmp_path / "partnerkit.sqlite3", dispatcher=dispatcher)
