"""The reference activity stores and the example hooks conform to their protocols (mypy checks)."""

from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from partnerkit.scoring import Activity, ActivitySource, CustomKpi, MetricValue, Window
from partnerkit.storage import ActivityStore, MemoryActivityStore, SqliteActivityStore


class Logins:
    name = "logins_ever"
    window = Window.trailing(3660)
    paced = False

    def start(self) -> int:
        return 0

    def add(self, state: int, row: tuple[Any, ...]) -> int:
        return state + int(row[1] == "login")

    def merge(self, left: int, right: int) -> int:
        return left + right

    def value(self, state: int, currency: str) -> MetricValue | None:
        return state


class Portal:
    def activities(self, events: Iterable[object]) -> Iterable[Activity]:
        at = datetime(2026, 1, 1, tzinfo=timezone.utc)
        return (Activity(str(e), "login", at) for e in events)


def test_reference_stores_and_hooks_conform_to_the_protocols(tmp_path: Path) -> None:
    stores: list[ActivityStore[Activity]] = [
        MemoryActivityStore(Activity),
        SqliteActivityStore(tmp_path / "a.sqlite3", Activity),
    ]
    custom: CustomKpi = Logins()
    source: ActivitySource = Portal()
    for store in stores:
        assert store.append(source.activities(["p1", "p2"])) == 2
        assert store.count("p1") == 1
    assert isinstance(custom, CustomKpi)
    assert custom.value(custom.add(custom.start(), ("p", "login", 1, None, None, None)), "EUR") == 1
