"""How daily dashboard snapshots are stored: their spec and indexes."""

from __future__ import annotations

from partnerkit.dashboard import DashboardSnapshot
from partnerkit.storage._ports import AggregateSpec, Index

__all__ = ["DASHBOARD_SNAPSHOTS"]

#: One snapshot per partner per day (id ``<partner>@<YYYY-MM-DD>``): by partner, and by
#: ``day`` (ISO text, so a listing ordered by day is in date order).
DASHBOARD_SNAPSHOTS: AggregateSpec[DashboardSnapshot] = AggregateSpec(
    "dashboard_snapshots",
    DashboardSnapshot,
    indexes=(
        Index("partner_id", lambda s: s.partner_id),
        Index("day", lambda s: s.day.isoformat()),
    ),
)
