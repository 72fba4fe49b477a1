"""Templates and plans the plan tests share."""

from __future__ import annotations

from decimal import Decimal

import pendulum

from partnerkit.core import Money
from partnerkit.partners import ADMINISTRATOR, EXECUTIVE, PROGRAM_ADMINISTRATOR
from partnerkit.plans import (
    Milestone,
    Objective,
    ObjectiveKind,
    PeriodTarget,
    Plan,
    PlanTemplate,
    Section,
    Side,
    Task,
)

AT = pendulum.datetime(2026, 1, 5, 9, tz="Europe/London")

SALES = Section(
    "sales",
    "Sales",
    "Revenue and deals",
    objectives=[
        Objective(
            "arr",
            "New ARR",
            ObjectiveKind.NEW_ARR,
            [PeriodTarget(q, Money("25000", "EUR")) for q in ("q1", "q2", "q3", "q4")],
            weight=60,
        ),
        Objective(
            "won", "Deals won", ObjectiveKind.DEALS_WON, [PeriodTarget("year", 20)], weight=40
        ),
    ],
    tasks=[Task("forecast", "Share a pipeline forecast", due="q1")],
    milestones=[Milestone("kickoff", "Kick-off", "start"), Milestone("qbr1", "QBR 1", "q1")],
)
ENABLEMENT = Section(
    "enablement",
    "Enablement",
    objectives=[
        Objective(
            "csat",
            "Customer satisfaction",
            ObjectiveKind.CUSTOM,
            [PeriodTarget("year", Decimal(90))],
        )
    ],
    tasks=[
        Task("certify", "Certify two sales engineers", due="q2"),
        Task(
            "portal", "Set up portal users", owner=Side.VENDOR, check_roles=(PROGRAM_ADMINISTRATOR,)
        ),
    ],
)


def template(**changes: object) -> PlanTemplate:
    """A published template with a sales and an enablement section."""
    values: dict[str, object] = {"sections": (SALES, ENABLEMENT), "purpose": "Grow together"}
    values.update(changes)
    return PlanTemplate("t-1", "Reseller plan", **values).published_by("vera", AT)  # type: ignore[arg-type]


def assigned(**changes: object) -> Plan:
    """A draft plan for partner p-1 and fiscal year 2026."""
    plan, _ = Plan.assign(
        template(**changes), id="PL-1", partner_id="p-1", fiscal_year=2026, actor="vera", at=AT
    )
    return plan


def signed_off() -> Plan:
    """The draft shared and signed off by both sides."""
    plan, _ = assigned().share("vera", AT)
    plan, _ = plan.sign_off("alice", Side.PARTNER, AT)
    plan, _ = plan.sign_off("victor", Side.VENDOR, AT)
    return plan


PARTNER_ROLES = (ADMINISTRATOR, EXECUTIVE)
