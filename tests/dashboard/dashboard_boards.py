"""Dashboards for the rendering tests: a full one with every view filled, and a hostile one."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import attrs

from partnerkit.core import Money
from partnerkit.dashboard import (
    CertifiedUser,
    DashboardFigures,
    DeclineCount,
    PartnerDashboard,
    PlanSummary,
    RenewalDue,
    ServiceBought,
    StageCount,
    partner_dashboard,
)
from partnerkit.deals import Stage
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.partners import Partner
from partnerkit.plans import PlanStatus
from partnerkit.scoring import DEFAULT_ENGAGEMENT_MODEL, Activity, KpiStatus, Rag, Target

AS_OF = date(2026, 7, 1)
HOSTILE = "<script>alert(1)</script>"
#: The quarters' statuses: Q1 ahead, Q2 behind, Q3 just begun, Q4 not begun.
STATUSES = (
    KpiStatus(Decimal("166.67"), Decimal("166.67"), Rag.GREEN),
    KpiStatus(Decimal("83.33"), Decimal("83.33"), Rag.AMBER),
    KpiStatus(Decimal("0"), Decimal("0"), Rag.RED),
    KpiStatus(None, None, None),
)


def eur(amount: str) -> Money:
    """Euros."""
    return Money(amount, "EUR")


def _won(amount: str, month: int, motion: str = "new") -> Activity:
    at = datetime(2026, month, 10, 12, tzinfo=timezone.utc)
    return Activity(
        "p-1", "deal_won", at, amount=Money(amount, "EUR"), attributes={"motion": motion}
    )


def board(name: str = "Acme Cloud Services GmbH", text: str = "") -> PartnerDashboard:
    """A dashboard on 2026-07-01 with red, amber, green and unjudged criteria and every view.

    ``text`` is appended to every name, reason and label that comes from data.
    """
    model = DEFAULT_ENGAGEMENT_MODEL.__class__(
        signals=DEFAULT_ENGAGEMENT_MODEL.signals,
        targets=(
            Target("new_arr_ytd", Money("60000", "EUR")),
            Target("upsell_arr_ytd", Money("4500", "EUR")),
            Target("deals_approved_ytd", 4),
        ),
    )
    activities = [
        _won("10000", 2),
        _won("5000", 5),
        _won("2000", 5, "upsell"),
        Activity("p-1", "deal_approved", datetime(2026, 3, 1, tzinfo=timezone.utc)),
        Activity("p-1", "deal_approved", datetime(2026, 4, 1, tzinfo=timezone.utc)),
    ]
    figures = DashboardFigures.compute(
        activities,
        calendar=MonthlyFiscalCalendar(1),
        as_of=AS_OF,
        currency="EUR",
        model=model,
    )
    base = partner_dashboard(Partner("p-1", name + text, "acme.example", "reseller"), figures)
    quarters = tuple(
        attrs.evolve(q, target=eur("6000") if i < 3 else eur("9000"), status=status)
        for i, (q, status) in enumerate(zip(base.quarters, STATUSES, strict=True))
    )
    return attrs.evolve(
        base,
        quarters=quarters,
        base_arr=eur("48000"),
        stages=(
            StageCount(Stage.OPPORTUNITY, 3, eur("36000")),
            StageCount(Stage.APPROVED, 2, eur("15000")),
            StageCount(Stage.ORDER_SUBMITTED, 1, eur("12000")),
            StageCount(Stage.DECLINED, 2, eur("8000")),
        ),
        declines=(
            DeclineCount("Customer already in negotiation" + text, 1),
            DeclineCount("Duplicate registration", 1),
        ),
        certified=(
            CertifiedUser("u-1", "Adam Brown" + text, ("sales",), ("Seller",)),
            CertifiedUser(
                "u-2", "Zoë Adams-Oberhauser-Wittgenstein", ("technical",), ("Engineer" + text,)
            ),
        ),
        plans=(
            PlanSummary(
                "PL-1",
                "Reseller plan 2026" + text,
                "business",
                PlanStatus.IN_PROGRESS,
                Decimal("37"),
                Rag.AMBER,
            ),
            PlanSummary(
                "PL-2", "Marketing plan", "marketing", PlanStatus.SIGNED_OFF, Decimal("0"), None
            ),
        ),
        services=(ServiceBought("SVC-ONB", "Onboarding workshop" + text, 1, "SO-1001"),),
        renewals=(RenewalDue("SUB-7", "acme-customer" + text, date(2026, 8, 15), 45, eur("9600")),),
    )


def trend(days: int = 90) -> list[tuple[date, Decimal | int | Money | None]]:
    """A rising daily trend of ``days`` days to AS_OF with a gap of five days in the middle."""
    start = AS_OF - timedelta(days=days - 1)
    points: list[tuple[date, Decimal | int | Money | None]] = []
    for i in range(days):
        value = None if days // 2 <= i < days // 2 + 5 else Money(Decimal(100) * i, "EUR")
        points.append((start + timedelta(days=i), value))
    return points
