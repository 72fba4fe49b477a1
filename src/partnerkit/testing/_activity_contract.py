"""The activity store contract: what every ``ActivityStore`` of Activity rows must do."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from partnerkit.core import Money
from partnerkit.core.errors import ValidationError
from partnerkit.scoring import Activity
from partnerkit.storage import ActivityStore

__all__ = ["ActivityStoreContract"]

_NO_STORE = (
    "{cls} needs an activity store: define a 'partnerkit_activity_store' fixture (in your "
    "conftest.py) that returns a fresh, empty store of partnerkit.scoring.Activity rows, or "
    "implement make_store(tmp_path) on {cls}."
)

_T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


class ActivityStoreContract:
    """The behaviour every activity store must show (the ``activities`` area).

    The cases store :class:`partnerkit.scoring.Activity` rows, in a store
    from :meth:`make_store` or from the host's ``partnerkit_activity_store``
    fixture. Not part of :class:`StorageContract`: an activity store is a
    port of its own, apart from the units of work.
    """

    def make_store(self, tmp_path: Path) -> ActivityStore[Activity]:
        """Return a fresh, empty store of :class:`~partnerkit.scoring.Activity` rows.

        Implement it, or define a ``partnerkit_activity_store`` fixture instead.
        """
        raise NotImplementedError

    @pytest.fixture
    def store(self, request: pytest.FixtureRequest, tmp_path: Path) -> ActivityStore[Activity]:
        """Fixture: a fresh store from :meth:`make_store` or ``partnerkit_activity_store``."""
        if type(self).make_store is not ActivityStoreContract.make_store:
            return self.make_store(tmp_path)
        try:
            store: ActivityStore[Activity] = request.getfixturevalue("partnerkit_activity_store")
        except pytest.FixtureLookupError:
            pytest.fail(_NO_STORE.format(cls=type(self).__name__), pytrace=False)
        return store

    def _rows(self) -> list[Activity]:
        return [
            Activity("p1", "login", _T0 + timedelta(hours=5), "u1"),
            Activity("p2", "login", _T0 + timedelta(hours=1), "u9"),
            Activity("p1", "content_view", _T0 + timedelta(hours=1), "u2", attributes={"a": "b"}),
            Activity(
                "p1",
                "deal_won",
                _T0 + timedelta(hours=1),
                amount=Money("1200.50", "EUR"),
                attributes={"motion": "upsell"},
            ),
            Activity("p1", "login", _T0 - timedelta(days=40), "u1"),
        ]

    def test_rows_read_back_equal_per_partner_by_instant_then_append_order(
        self, store: ActivityStore[Activity]
    ) -> None:
        rows = self._rows()
        assert store.append(rows) == 5
        assert list(store.iterate("p1")) == [rows[4], rows[2], rows[3], rows[0]]
        assert list(store.iterate("p2")) == [rows[1]]
        assert list(store.iterate("nobody")) == []

    def test_every_partner_is_read_when_none_is_named(self, store: ActivityStore[Activity]) -> None:
        rows = self._rows()
        store.append(rows)
        assert list(store.iterate()) == [rows[4], rows[1], rows[2], rows[3], rows[0]]

    def test_a_window_includes_its_start_and_excludes_its_end(
        self, store: ActivityStore[Activity]
    ) -> None:
        rows = self._rows()
        store.append(rows)
        start, end = _T0 + timedelta(hours=1), _T0 + timedelta(hours=5)
        assert list(store.iterate("p1", start=start, end=end)) == [rows[2], rows[3]]
        assert list(store.iterate("p1", end=_T0)) == [rows[4]]
        assert list(store.iterate(start=end)) == [rows[0]]

    def test_instants_in_other_zones_order_by_the_moment_they_denote(
        self, store: ActivityStore[Activity]
    ) -> None:
        tokyo = timezone(timedelta(hours=9))
        early = Activity("p1", "login", datetime(2026, 3, 1, 17, 0, tzinfo=tokyo))  # 08:00 UTC
        store.append([Activity("p1", "login", _T0), early])
        assert [a.at for a in store.iterate("p1")] == [early.at, _T0]
        assert list(store.iterate("p1", start=_T0)) == [Activity("p1", "login", _T0)]

    def test_a_batch_with_a_bad_row_stores_nothing(self, store: ActivityStore[Activity]) -> None:
        rows: list[object] = [*self._rows(), "not an activity", 3]
        with pytest.raises(ValidationError) as caught:
            store.append(rows)  # type: ignore[arg-type]
        assert caught.value.paths == ("rows.5", "rows.6")  # every bad row is named
        assert store.count() == 0

    def test_naive_bounds_are_refused(self, store: ActivityStore[Activity]) -> None:
        with pytest.raises(ValidationError):
            list(store.iterate("p1", start=datetime(2026, 1, 1)))

    def test_counts_follow_appends(self, store: ActivityStore[Activity]) -> None:
        assert store.count() == 0
        store.append(self._rows())
        store.append([Activity("p2", "communication", _T0)])
        assert (store.count(), store.count("p1"), store.count("p2")) == (6, 4, 2)

    def test_appends_from_several_threads_all_land(self, store: ActivityStore[Activity]) -> None:
        def work(n: int) -> None:
            store.append(
                [Activity(f"p{n}", "login", _T0 + timedelta(seconds=i)) for i in range(25)]
            )

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert store.count() == 100
        assert [a.at for a in store.iterate("p3")] == [
            _T0 + timedelta(seconds=i) for i in range(25)
        ]
