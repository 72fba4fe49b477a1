"""plan_rows computes every row in one pass: each row equals what plan_progress says of its plan.

The batch judges only the year (completion and RAG do not depend on the
quarters) and reads each section's targets once for the plans sharing it;
these cases compare it with :func:`plan_progress` plan by plan, over plans
sharing sections, plans with targets of their own, work done, custom
actuals entered and measured actuals of every shape (unknown, zero, in
another currency).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_factories import AT, assigned, template

from partnerkit.core import MetricValue, Money
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.partners import EXECUTIVE
from partnerkit.plans import PeriodTarget, Plan, Side, plan_progress, plan_rows

CALENDAR = MonthlyFiscalCalendar(1)

_MONEY = st.builds(
    Money,
    st.integers(0, 200_000).map(str),
    st.sampled_from(["EUR", "EUR", "EUR", "USD"]),
)
_ARR = st.none() | _MONEY
_WON = st.none() | st.integers(0, 40)


@st.composite
def _plan(draw: st.DrawFn, number: int) -> tuple[Plan, dict[tuple[str, str], MetricValue]]:
    plan, _ = assigned().share("vera", AT)
    plan = attrs.evolve(plan, id=f"PL-{number:03d}", partner_id=f"p-{number:03d}")
    if draw(st.booleans()):  # targets of its own: sections no other plan shares
        target = draw(st.integers(0, 50))
        plan, _ = plan.set_targets("won", [PeriodTarget("year", target)], "vera", AT)
    plan, _ = plan.sign_off("alice", Side.PARTNER, AT)
    plan, _ = plan.sign_off("victor", Side.VENDOR, AT)
    if draw(st.booleans()):
        plan, _ = plan.check_task("forecast", "sam", EXECUTIVE, Side.PARTNER, AT)
    for milestone in draw(st.lists(st.sampled_from(["kickoff", "qbr1"]), max_size=2)):
        plan, _ = plan.hold_milestone(milestone, "vera", Side.VENDOR, AT)
    for period in draw(st.lists(st.sampled_from(["year", "q1", "q2", "q3"]), max_size=3)):
        value = Decimal(draw(st.integers(0, 120)))
        plan, _ = plan.record_actual("csat", period, value, "vera", Side.VENDOR, AT)
    measured: dict[tuple[str, str], MetricValue] = {}
    arr, won = draw(_ARR), draw(_WON)
    if arr is not None:
        measured[("arr", "year")] = arr
    if won is not None:
        measured[("won", "year")] = won
    return plan, measured


@settings(max_examples=80, deadline=None)
@given(
    data=st.data(),
    count=st.integers(1, 6),
    day=st.integers(-30, 400),
)
def test_every_row_is_what_plan_progress_says(data: st.DataObject, count: int, day: int) -> None:
    as_of = date(2026, 1, 1) + timedelta(days=day)
    made = [data.draw(_plan(n)) for n in range(count)]
    measured = {plan.id: actuals for plan, actuals in made}
    rows = plan_rows([plan for plan, _ in made], CALENDAR, as_of, measured)
    if CALENDAR.year_of(as_of).year != 2026:
        assert rows == []
        return
    assert [row.plan_id for row in rows] == sorted(plan.id for plan, _ in made)
    for row in rows:
        plan = next(p for p, _ in made if p.id == row.plan_id)
        progress = plan_progress(plan, CALENDAR, as_of, measured[plan.id])
        assert (row.completion, row.rag) == (progress.completion, progress.rag)
        assert (row.partner_id, row.name, row.status) == (plan.partner_id, plan.name, plan.status)


def test_plans_measured_together_get_what_each_gets_alone() -> None:
    # Plans of templates with other objectives, or with targets of their own, measured in one
    # call: each plan's actuals are those it gets measured alone (its own objectives only).
    from plan_services_factories import PROGRAM, VENDOR, on

    from partnerkit.plans import Objective, ObjectiveKind, PlanTemplate, Section
    from partnerkit.scoring import Activity
    from partnerkit.services._plans import _measured

    won_only = PlanTemplate(
        "t-2",
        "Referral plan",
        sections=(
            Section(
                "deals",
                "Deals",
                objectives=[
                    Objective(
                        "won", "Deals won", ObjectiveKind.DEALS_WON, [PeriodTarget("year", 5)]
                    )
                ],
            ),
        ),
    ).published_by("vera", AT)
    plans = [
        attrs.evolve(assigned(), id="PL-1", partner_id="p1"),
        attrs.evolve(assigned(), id="PL-2", partner_id="p2"),
        Plan.assign(won_only, id="PL-3", partner_id="p3", fiscal_year=2026, actor="v", at=AT)[0],
        Plan.assign(
            template(),
            id="PL-4",
            partner_id="p4",
            fiscal_year=2026,
            actor="v",
            at=AT,
            targets={"arr": [PeriodTarget("year", Money("1000", "EUR"))]},
        )[0],
    ]
    at = AT.add(days=3)
    activities = [
        Activity(f"p{i % 4 + 1}", "deal_won", at, amount=Money(str(1000 * (i + 1)), "EUR"))
        for i in range(10)
    ]
    ctx = on(VENDOR, program=PROGRAM)
    together = _measured(ctx, plans, activities)
    alone = {plan.id: _measured(ctx, [plan], activities)[plan.id] for plan in plans}
    assert together == alone
    assert {key for key, _ in together["PL-3"]} == {"won"}
    assert {key for key, _ in together["PL-1"]} == {"arr", "won"}
