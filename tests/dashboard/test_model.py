"""The dashboard read model: criteria, targets from the plan or the program, secondary views."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pendulum
import pytest

from partnerkit.core import Money
from partnerkit.core.errors import ValidationError
from partnerkit.dashboard import (
    CRITERIA,
    DashboardArea,
    DashboardFigures,
    TargetSource,
    partner_dashboard,
)
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.partners import Certification, Partner, PartnerUser
from partnerkit.plans import (
    Objective,
    ObjectiveKind,
    PeriodTarget,
    Plan,
    PlanTemplate,
    Section,
    plan_progress,
)
from partnerkit.scoring import DEFAULT_ENGAGEMENT_MODEL, Activity, Rag, Target

CALENDAR = MonthlyFiscalCalendar(1)
AS_OF = date(2026, 7, 1)  # half the fiscal year gone (182 of 365 days)
ACME = Partner("p-1", "Acme", "acme.example", "reseller")
OTHER = Partner("p-2", "Globex", "globex.example", "reseller")


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=timezone.utc)


def won(partner: str, amount: str, month: int, motion: str = "new") -> Activity:
    return Activity(
        partner, "deal_won", at(month, 10), amount=Money(amount, "EUR"),
        attributes={"motion": motion},
    )  # fmt: skip


ACTIVITIES = [
    won("p-1", "10000", 2),
    won("p-1", "5000", 5),
    won("p-1", "2000", 5, "upsell"),
    Activity("p-1", "deal_approved", at(3, 1)),
    Activity("p-1", "deal_approved", at(4, 1)),
    Activity("p-1", "deal_declined", at(4, 2)),
    Activity("p-2", "login", at(6, 1), "u-9"),
]


def figures(model=DEFAULT_ENGAGEMENT_MODEL, as_of: date = AS_OF) -> DashboardFigures:  # type: ignore[no-untyped-def]
    return DashboardFigures.compute(
        ACTIVITIES, calendar=CALENDAR, as_of=as_of, currency="EUR", model=model
    )


def plan_with(objectives: list[Objective]) -> tuple[Plan, object]:
    moment = pendulum.datetime(2026, 1, 5, tz="UTC")
    template = PlanTemplate(
        "t-1", "Reseller plan", sections=[Section("s", "Sales", objectives=objectives)]
    )
    plan, _ = Plan.assign(
        template.published_by("vera", moment), id="PL-1", partner_id="p-1", fiscal_year=2026,
        actor="vera", at=moment,
    )  # fmt: skip
    return plan, plan_progress(plan, CALENDAR, AS_OF, {})


def test_the_criteria_come_in_the_documented_order_with_the_year_to_date_actuals() -> None:
    board = partner_dashboard(ACME, figures())
    assert [c.key for c in board.criteria] == [spec.key for spec in CRITERIA]
    assert board.criterion("new_arr").actual == Money("15000", "EUR")
    assert board.criterion("upsell_arr").actual == Money("2000", "EUR")
    assert board.criterion("registrations_approved").actual == 2
    assert [c.key for c in board.area(DashboardArea.ARR)] == ["new_arr", "upsell_arr"]
    # Without a plan or a program target nothing is judged.
    assert all(c.source is TargetSource.NONE and c.rag is None for c in board.criteria)
    with pytest.raises(ValidationError):
        board.criterion("nope")


def test_a_partner_without_activity_has_zero_figures_not_missing_ones() -> None:
    board = partner_dashboard(Partner("p-3", "Initech", "initech.example", "msp"), figures())
    assert board.criterion("new_arr").actual == Money("0", "EUR")
    assert board.criterion("registrations_approved").actual == 0
    assert board.quarters[0].new_arr == Money("0", "EUR")


def test_a_program_target_is_judged_with_pace() -> None:
    model = DEFAULT_ENGAGEMENT_MODEL.__class__(
        signals=DEFAULT_ENGAGEMENT_MODEL.signals,
        targets=(Target("new_arr_ytd", Money("60000", "EUR")),),
    )
    criterion = partner_dashboard(ACME, figures(model)).criterion("new_arr")
    assert criterion.source is TargetSource.PROGRAM
    assert criterion.target == Money("60000", "EUR")
    # 15,000 of 60,000 is 25 %; half the year gone: 50 % of pace, red.
    assert criterion.status.attainment == Decimal("25.00")
    assert criterion.rag is Rag.RED
    assert "red" in criterion.explain("en").lower()


def test_the_plan_target_wins_over_the_program_and_drives_the_quarters() -> None:
    plan = plan_with([
        Objective("arr", "New ARR", ObjectiveKind.NEW_ARR,
                  [PeriodTarget(q, Money("6000", "EUR")) for q in ("q1", "q2", "q3", "q4")]),
    ])  # fmt: skip
    model = DEFAULT_ENGAGEMENT_MODEL.__class__(
        signals=DEFAULT_ENGAGEMENT_MODEL.signals,
        targets=(Target("new_arr_ytd", Money("60000", "EUR")),),
    )
    board = partner_dashboard(ACME, figures(model), plans=[plan])  # type: ignore[list-item]
    criterion = board.criterion("new_arr")
    assert criterion.source is TargetSource.PLAN
    assert criterion.target == Money("24000", "EUR")
    assert criterion.rag is Rag.GREEN  # 15,000 of 24,000 with half the year gone: 125 % of pace
    q1, q2, q3, q4 = board.quarters
    assert (q1.new_arr, q2.new_arr) == (Money("10000", "EUR"), Money("5000", "EUR"))
    assert q2.upsell_arr == Money("2000", "EUR")
    assert q1.target == Money("6000", "EUR")
    assert q1.status.rag is Rag.GREEN
    assert q2.status.rag is Rag.AMBER  # 5,000 of 6,000 at the quarter's end: 83 %
    # The third quarter begins on the dashboard's day; the fourth has not begun.
    assert q3.new_arr == Money("0", "EUR")
    assert q4.new_arr is None
    assert q4.status.rag is None
    completion = board.criterion("plan_completion")
    assert completion.source is TargetSource.PLAN
    assert completion.target == 100


def test_certified_users_are_listed_by_name_with_only_current_certifications() -> None:
    users = [
        PartnerUser("u-2", "p-1", "Zoë Adams", "zoe@acme.example", certifications=(
            Certification("technical", "Engineer", date(2026, 1, 1)),
            Certification("sales", "Seller", date(2024, 1, 1), date(2025, 1, 1)),
        )),
        PartnerUser("u-1", "p-1", "adam Brown", "adam@acme.example", certifications=(
            Certification("sales", "Seller", date(2026, 2, 1)),
        )),
        PartnerUser("u-3", "p-1", "Carl", "carl@acme.example"),
        PartnerUser("u-9", "p-2", "Other", "o@globex.example", certifications=(
            Certification("sales", "Seller", date(2026, 2, 1)),
        )),
    ]  # fmt: skip
    board = partner_dashboard(ACME, figures(), users=users)
    assert [(u.name, u.kinds, u.certifications) for u in board.certified] == [
        ("adam Brown", ("sales",), ("Seller",)),
        ("Zoë Adams", ("technical",), ("Engineer",)),
    ]


def test_the_worst_status_and_the_criteria_behind_pace() -> None:
    model = DEFAULT_ENGAGEMENT_MODEL.__class__(
        signals=DEFAULT_ENGAGEMENT_MODEL.signals,
        targets=(
            Target("new_arr_ytd", Money("60000", "EUR")),
            Target("deals_approved_ytd", 4),
        ),
    )
    board = partner_dashboard(ACME, figures(model))
    assert board.rag is Rag.RED
    assert [c.key for c in board.behind()] == ["new_arr"]
    assert board.criterion("registrations_approved").rag is Rag.GREEN
