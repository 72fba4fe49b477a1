"""The vendor's view: every partner's criteria counted by status, and who is furthest behind."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import attrs

from partnerkit.core._context import isolated
from partnerkit.core.errors import ValidationError
from partnerkit.dashboard._model import CRITERIA, PartnerDashboard
from partnerkit.scoring import Rag

__all__ = ["Behind", "CriterionCounts", "VendorOverview", "vendor_overview"]


@attrs.frozen
class CriterionCounts:
    """How many partners stand red, amber or green on one criterion (``unjudged``: no target)."""

    key: str
    red: int
    amber: int
    green: int
    unjudged: int


@attrs.frozen
class Behind:
    """A partner behind plan: its furthest-behind criterion and that criterion's pace (%)."""

    partner_id: str
    partner_name: str
    criterion: str
    pace: Decimal
    rag: Rag


@attrs.frozen
class VendorOverview:
    """The criteria over many partners on one day: counts per status, who is furthest behind."""

    as_of: date | None
    partners: int
    counts: tuple[CriterionCounts, ...]
    furthest_behind: tuple[Behind, ...]

    def of(self, key: str) -> CriterionCounts:
        """The counts of criterion ``key``; an unknown key is a ValidationError."""
        for counts in self.counts:
            if counts.key == key:
                return counts
        raise ValidationError.single("key", "unknown", f"no criterion {key!r}")


@isolated
def vendor_overview(boards: Iterable[PartnerDashboard], *, behind: int = 10) -> VendorOverview:
    """Count each criterion's statuses over ``boards``; list the ``behind`` partners furthest back.

    A partner is behind when a criterion is amber or red; partners are
    ranked by the lowest pace of those criteria (ties by partner id), and
    each is listed once, with that criterion. Filter the partners (region,
    type, tier) before building their boards: the use case
    :func:`~partnerkit.services.vendor_dashboard` does.
    """
    if isinstance(behind, bool) or not isinstance(behind, int) or not 0 <= behind <= 1000:
        raise ValidationError.single("behind", "out_of_range", "list 0-1000 partners")
    tallies = {spec.key: {Rag.RED: 0, Rag.AMBER: 0, Rag.GREEN: 0, None: 0} for spec in CRITERIA}
    lagging: list[Behind] = []
    days: set[date] = set()
    total = 0
    for board in boards:
        total += 1
        days.add(board.as_of)
        worst: Behind | None = None
        for criterion in board.criteria:
            tallies.setdefault(criterion.key, {Rag.RED: 0, Rag.AMBER: 0, Rag.GREEN: 0, None: 0})
            tallies[criterion.key][criterion.rag] += 1
            pace = criterion.status.pace
            rag = criterion.rag
            if (
                (rag is Rag.RED or rag is Rag.AMBER)
                and pace is not None
                and (worst is None or (pace, criterion.key) < (worst.pace, worst.criterion))
            ):
                worst = Behind(board.partner_id, board.partner_name, criterion.key, pace, rag)
        if worst is not None:
            lagging.append(worst)
    if len(days) > 1:
        raise ValidationError.single("boards", "invalid", "the dashboards are of different days")
    lagging.sort(key=lambda b: (b.pace, b.partner_id))
    counts = tuple(
        CriterionCounts(key, t[Rag.RED], t[Rag.AMBER], t[Rag.GREEN], t[None])
        for key, t in tallies.items()
    )
    return VendorOverview(
        next(iter(days)) if days else None, total, counts, tuple(lagging[:behind])
    )
