"""Daily snapshots of a partner's dashboard figures, and the trend of a criterion over days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import attrs

from partnerkit.core import DomainEvent
from partnerkit.core._validation import expected, is_day
from partnerkit.core.errors import ValidationError
from partnerkit.dashboard._model import PartnerDashboard
from partnerkit.scoring import MetricValue, Rag

__all__ = ["DashboardSnapshot", "SnapshotFigure", "SnapshotsTaken", "snapshot_id", "trend"]

#: The longest trend a dashboard draws, in days.
MAX_TREND_DAYS = 3660


def snapshot_id(partner_id: str, day: date) -> str:
    """The id of ``partner_id``'s snapshot of ``day``: one snapshot per partner per day."""
    return f"{partner_id}@{day.isoformat()}"


@attrs.frozen
class SnapshotFigure:
    """One criterion on a snapshot's day: its actual, target and status."""

    key: str
    actual: MetricValue | None
    target: MetricValue | None
    rag: Rag | None


@attrs.frozen
class DashboardSnapshot:
    """A partner's dashboard figures as they stood on ``day`` (stored once a day).

    Build it with :meth:`of`; its ``id`` is :func:`snapshot_id` of the
    partner and day, so a second snapshot of a day replaces the first.
    """

    id: str
    partner_id: str
    day: date
    figures: tuple[SnapshotFigure, ...]
    version: int = 0

    @classmethod
    def of(cls, board: PartnerDashboard) -> DashboardSnapshot:
        """The snapshot of ``board``: every core criterion's actual, target and status."""
        return cls(
            snapshot_id(board.partner_id, board.as_of),
            board.partner_id,
            board.as_of,
            tuple(SnapshotFigure(c.key, c.actual, c.target, c.rag) for c in board.criteria),
        )

    def figure(self, key: str) -> SnapshotFigure | None:
        """The figure of criterion ``key`` (None when the snapshot has none)."""
        for figure in self.figures:
            if figure.key == key:
                return figure
        return None


def trend(
    snapshots: Iterable[DashboardSnapshot], key: str, *, end: date, days: int = 90
) -> tuple[tuple[date, MetricValue | None], ...]:
    """Criterion ``key``'s actual on each of the ``days`` days ending on ``end``, oldest first.

    A day without a snapshot (or whose snapshot lacks the criterion) is
    None, so a chart draws a gap rather than a made-up value. ``days`` is
    1-3660; the snapshots are one partner's, in any order (two of one day
    are a ValidationError).
    """
    if not is_day(end):
        raise ValidationError.single("end", "invalid", expected("a date (not a datetime)", end))
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_TREND_DAYS:
        raise ValidationError.single("days", "out_of_range", "a trend spans 1-3660 days")
    if not isinstance(key, str):
        raise ValidationError.single("key", "invalid", expected("text", key))
    first = end - timedelta(days=days - 1)
    found: dict[date, MetricValue | None] = {}
    for snapshot in snapshots:
        if not first <= snapshot.day <= end:
            continue
        if snapshot.day in found:
            raise ValidationError.single(
                "snapshots", "duplicate", f"two snapshots of {snapshot.day.isoformat()}"
            )
        figure = snapshot.figure(key)
        found[snapshot.day] = figure.actual if figure is not None else None
    return tuple(
        (first + timedelta(days=i), found.get(first + timedelta(days=i))) for i in range(days)
    )


@attrs.frozen
class SnapshotsTaken(DomainEvent):
    """The day's dashboard snapshots were stored (a host may send its daily digest now).

    ``partners`` are the partners snapshotted, by id; ``actor`` ran the job.
    """

    day: date
    partners: tuple[str, ...]
    actor: str
