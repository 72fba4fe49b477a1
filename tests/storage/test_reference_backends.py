from pathlib import Path

import pytest

from partnerkit.core import EventDispatcher
from partnerkit.storage import MemoryStorage, SqliteStorage, Storage
from partnerkit.testing.contract import StorageContract


class TestMemoryStorage(StorageContract):
    def make_storage(self, dispatcher: EventDispatcher, tmp_path: Path) -> Storage:
        return MemoryStorage(dispatcher=dispatcher)

    # MemoryStorage does not back-fill an index that a later spec of a kind adds: a filter
    # on it misses the rows stored before, and ordering by it raises KeyError. The fix
    # belongs in storage/_memory.py; this marker goes when it lands (strict: it will say so).
    @pytest.mark.xfail(strict=True, reason="MemoryStorage does not back-fill a new index yet")
    def test_an_index_added_by_a_later_spec_finds_the_rows_stored_before_it(
        self, storage: Storage
    ) -> None:
        super().test_an_index_added_by_a_later_spec_finds_the_rows_stored_before_it(storage)


class TestSqliteStorage(StorageContract):
    def make_storage(self, dispatcher: EventDispatcher, tmp_path: Path) -> Storage:
        return SqliteStorage(tmp_path / "partnerkit.sqlite3", dispatcher=dispatcher)
