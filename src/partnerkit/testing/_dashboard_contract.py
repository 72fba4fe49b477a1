"""Storage contract cases for daily dashboard snapshots (the ``dashboard`` area)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import attrs

from partnerkit.core import DomainEvent, Money
from partnerkit.dashboard import DashboardSnapshot, SnapshotFigure, SnapshotsTaken, snapshot_id
from partnerkit.partners import PROGRAM_ADMINISTRATOR, Actor, Partner
from partnerkit.program import Program
from partnerkit.scoring import Activity, Rag
from partnerkit.services import Context, dashboard_trend, snapshot_dashboards
from partnerkit.storage import DASHBOARD_SNAPSHOTS, PARTNERS, Storage
from partnerkit.testing._clocks import FixedClock
from partnerkit.testing._fixtures import StorageFixtures

__all__ = ["DashboardContract"]

_PROGRAM = Program(
    key="contract", name="Contract program", currency="GBP", timezone="Europe/London"
)
_START = datetime(2026, 5, 4, 9, tzinfo=timezone.utc)


def _snapshot(partner_id: str, day: date, approved: int) -> DashboardSnapshot:
    return DashboardSnapshot(
        snapshot_id(partner_id, day),
        partner_id,
        day,
        (
            SnapshotFigure("new_arr", Money("1250.50", "GBP"), Money("9000", "GBP"), Rag.AMBER),
            SnapshotFigure("registrations_approved", approved, 4, Rag.GREEN),
            SnapshotFigure("plan_completion", Decimal("37.25"), Decimal(100), None),
            SnapshotFigure("certified_users", None, None, None),
        ),
    )


class DashboardContract(StorageFixtures):
    """Contract cases for :data:`~partnerkit.storage.DASHBOARD_SNAPSHOTS`.

    A backend keeps every kind of figure (money, counts, percentages,
    missing values, statuses), one snapshot per partner per day, and lists a
    partner's snapshots in date order.
    """

    def test_snapshots_round_trip_and_list_by_partner_in_day_order(self, storage: Storage) -> None:
        days = [date(2026, 5, 3), date(2026, 4, 30), date(2026, 5, 1)]
        with storage.unit_of_work() as uow:
            snapshots = uow.repository(DASHBOARD_SNAPSHOTS)
            for i, day in enumerate(days):
                snapshots.add(_snapshot("p1", day, i))
            snapshots.add(_snapshot("p2", days[0], 9))
            uow.commit()
        with storage.unit_of_work() as uow:
            snapshots = uow.repository(DASHBOARD_SNAPSHOTS)
            listed = list(snapshots.list({"partner_id": "p1"}, order_by="day"))
            stored = snapshots.get(snapshot_id("p1", days[0]))
        assert [s.day for s in listed] == sorted(days)
        assert attrs.evolve(stored, version=0) == _snapshot("p1", days[0], 0)
        figure = stored.figure("new_arr")
        assert figure is not None
        assert figure.actual == Money("1250.50", "GBP")
        assert figure.rag is Rag.AMBER
        assert isinstance(stored.figure("plan_completion").actual, Decimal)  # type: ignore[union-attr]

    def test_the_nightly_snapshot_replaces_the_days_and_feeds_the_trend(
        self, storage: Storage, published: list[DomainEvent]
    ) -> None:
        with storage.unit_of_work() as uow:
            for key in ("p1", "p2"):
                uow.repository(PARTNERS).add(Partner(key, key, f"{key}.example", "reseller"))
            uow.commit()
        clock = FixedClock(_START)
        ctx = Context(Actor("vendor-admin", PROGRAM_ADMINISTRATOR), clock, _PROGRAM)
        activities = [Activity("p1", "deal_approved", _START - timedelta(days=1))]
        for _ in range(2):  # twice on the first day: replaced, not duplicated
            with storage.unit_of_work() as uow:
                snapshot_dashboards(uow, ctx, activities)
        clock.advance(days=1)
        activities.append(Activity("p1", "deal_approved", _START + timedelta(hours=1)))
        with storage.unit_of_work() as uow:
            snapshot_dashboards(uow, ctx, activities)
        with storage.unit_of_work() as uow:
            assert uow.repository(DASHBOARD_SNAPSHOTS).count() == 4
            points = dashboard_trend(uow, ctx, "p1", "registrations_approved", days=3)
        assert [value for _, value in points] == [None, 1, 2]
        taken = [e for e in published if isinstance(e, SnapshotsTaken)]
        assert [e.partners for e in taken] == [("p1", "p2")] * 3
