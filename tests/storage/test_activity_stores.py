import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import attrs
import pytest

from partnerkit.core.errors import ValidationError
from partnerkit.scoring import Activity
from partnerkit.storage import (
    ActivityStore,
    MemoryActivityStore,
    SqliteActivityStore,
    SqliteStorage,
)
from partnerkit.testing.contract import ActivityStoreContract


class TestMemoryActivityStore(ActivityStoreContract):
    def make_store(self, tmp_path: Path) -> ActivityStore[Activity]:
        return MemoryActivityStore(Activity)


class TestSqliteActivityStore(ActivityStoreContract):
    def make_store(self, tmp_path: Path) -> ActivityStore[Activity]:
        return SqliteActivityStore(tmp_path / "partnerkit.sqlite3", Activity)


def test_sqlite_activities_share_the_storage_file_in_their_own_table(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    SqliteStorage(path)
    store = SqliteActivityStore(path, Activity)
    store.append([Activity("p1", "login", datetime(2026, 1, 1, tzinfo=timezone.utc))])
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
    assert {"pk_activities", "pk_sequences"} <= tables
    assert mode == "wal"
    assert SqliteActivityStore(path, Activity).count() == 1


def test_stores_refuse_row_classes_without_a_partner_or_instant(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        MemoryActivityStore(dict)
    with pytest.raises(ValidationError):
        MemoryActivityStore(Activity, at_attr="when")
    with pytest.raises(ValidationError):
        SqliteActivityStore(":memory:", Activity)
    with pytest.raises(ValidationError):
        SqliteActivityStore(tmp_path / "x.sqlite3", Activity, table="Bad Table")


@attrs.frozen
class _LooseRow:
    """A host row class without validators, so bad partner ids and instants reach the store."""

    partner_id: str
    at: datetime


@pytest.mark.parametrize("sqlite", [False, True])
def test_every_bad_field_of_every_row_is_named_and_nothing_is_stored(
    tmp_path: Path, sqlite: bool
) -> None:
    store: ActivityStore[_LooseRow] = (
        SqliteActivityStore(tmp_path / "loose.sqlite3", _LooseRow)
        if sqlite
        else MemoryActivityStore(_LooseRow)
    )
    good = _LooseRow("p1", datetime(2026, 1, 1, tzinfo=timezone.utc))
    rows = [good, _LooseRow("", datetime(2026, 1, 1)), good, _LooseRow("p2", 5)]  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        store.append(rows)
    assert caught.value.paths == ("rows.1.partner_id", "rows.1.at", "rows.3.at")
    assert store.count() == 0
