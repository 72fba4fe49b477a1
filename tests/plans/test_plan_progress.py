"""Progress: attainment and paced RAG per objective and quarter, completion, what holds back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest
from plan_factories import AT, assigned, signed_off

from partnerkit.core import MetricValue, Money
from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.partners import EXECUTIVE
from partnerkit.plans import (
    OBJECTIVE_MEASURES,
    Objective,
    ObjectiveKind,
    PeriodTarget,
    Plan,
    PlanStatus,
    PlanTemplate,
    Section,
    Side,
    anchor_date,
    plan_progress,
    plan_rows,
)
from partnerkit.scoring import BUILTIN_KPIS, Kpi, KpiStatus, Rag, Target, rag_status

CALENDAR = MonthlyFiscalCalendar(1)
MID_YEAR = date(2026, 7, 2)  # 183 of 365 days gone


def test_anchors_are_the_fiscal_years_days() -> None:
    year = MonthlyFiscalCalendar(4).year(2026)
    assert [anchor_date(year, a) for a in ("start", "q1", "q4", "year")] == [
        year.start,
        year.quarters[0].end,
        year.end,
        year.end,
    ]


def test_an_objective_is_judged_on_the_year_with_pace_and_on_each_quarter() -> None:
    measured: dict[tuple[str, str], MetricValue] = {
        ("arr", "year"): Money("45000", "EUR"),
        ("arr", "q1"): Money("30000", "EUR"),
        ("arr", "q2"): Money("15000", "EUR"),
        ("won", "year"): 12,
    }
    progress = plan_progress(assigned(), CALENDAR, MID_YEAR, measured)
    arr = next(o for o in progress.objectives if o.key == "arr")
    assert arr.year.target == Money("100000", "EUR")
    assert arr.year.status.attainment == Decimal("45.00")
    assert arr.rag is Rag.AMBER  # 45 % with 50.1 % of the year gone
    assert [q.status.rag for q in arr.quarters] == [Rag.GREEN, Rag.RED, None, None]
    assert arr.completion == Decimal("45.00")
    won = next(o for o in progress.objectives if o.key == "won")
    assert (won.completion, won.rag) == (Decimal("60.00"), Rag.GREEN)
    assert progress.rag is Rag.RED or progress.rag is Rag.AMBER
    assert progress.holding_back[0] == "arr"


def test_completion_counts_objectives_by_weight_tasks_and_milestones_alike() -> None:
    plan = signed_off()
    plan, _ = plan.check_task("forecast", "sam", EXECUTIVE, Side.PARTNER, AT)
    plan, _ = plan.hold_milestone("kickoff", "vera", Side.VENDOR, AT)
    plan, _ = plan.record_actual("csat", "year", Decimal(45), "vera", Side.VENDOR, AT)
    measured: dict[tuple[str, str], MetricValue] = {
        ("arr", "year"): Money("50000", "EUR"),
        ("won", "year"): 20,
    }
    progress = plan_progress(plan, CALENDAR, MID_YEAR, measured)
    sales, enablement = progress.sections
    # Sales, five items: the two objectives at 60 % x 50 + 40 % x 100 = 70 each, the task
    # at 100, the two milestones at 50 each: 340 / 5.
    assert sales.completion == Decimal("68.00")
    assert (sales.tasks_done, sales.tasks_total, sales.milestones_held) == (1, 1, 1)
    # Enablement, three items: the custom objective at 50 (45 of 90), two tasks unchecked.
    assert enablement.completion == Decimal("16.67")
    # Overall, eight items: 340 + 50 + 0 + 0 = 390 / 8.
    assert progress.completion == Decimal("48.75")


def test_unknown_actuals_are_not_judged_and_count_as_nothing_done() -> None:
    progress = plan_progress(assigned(), CALENDAR, MID_YEAR)
    assert progress.rag is None
    assert progress.holding_back == ()
    assert progress.completion == Decimal("0.00")
    before = plan_progress(assigned(), CALENDAR, date(2025, 12, 1), {("won", "year"): 3})
    assert before.objectives[1].rag is None  # the fiscal year has not started


def test_objectives_without_any_data_are_named_not_silently_counted_as_nothing() -> None:
    plan = signed_off()
    measured: dict[tuple[str, str], MetricValue] = {("won", "year"): 12}
    progress = plan_progress(plan, CALENDAR, MID_YEAR, measured)
    # New ARR was not measured and nobody entered the custom satisfaction score: both count 0
    # in the completion, and are named (not behind pace: not judged at all).
    assert progress.unmeasured == ("arr", "csat")
    assert "arr" not in progress.holding_back
    plan, _ = plan.start("vera", AT)
    plan, _ = plan.record_actual("csat", "q1", Decimal(80), "vera", Side.VENDOR, AT)
    measured[("arr", "q2")] = Money("0", "EUR")  # a quarter's figure is data too
    assert plan_progress(plan, CALENDAR, MID_YEAR, measured).unmeasured == ()
    # Before the fiscal year starts, nothing is due: nothing is named.
    assert plan_progress(plan, CALENDAR, date(2025, 12, 1)).unmeasured == ()


def test_a_period_starting_on_the_day_asked_about_has_begun() -> None:
    # On the fiscal year's first day the year and its first quarter have begun: their
    # targets are due, and with no figure at all every objective is named.
    first_day = plan_progress(assigned(), CALENDAR, date(2026, 1, 1))
    assert first_day.unmeasured == ("arr", "won", "csat")
    assert plan_progress(assigned(), CALENDAR, date(2025, 12, 31)).unmeasured == ()
    # An objective with a target for the second quarter alone, on that quarter's first day.
    later = Objective("later", "Later", ObjectiveKind.CUSTOM, [PeriodTarget("q2", 5)])
    template = PlanTemplate("t", "Plan", sections=[Section("s", "S", objectives=[later])])
    plan, _ = Plan.assign(
        template.published_by("vera", AT),
        id="PL-1",
        partner_id="p-1",
        fiscal_year=2026,
        actor="v",
        at=AT,
    )
    assert plan_progress(plan, CALENDAR, date(2026, 4, 1)).unmeasured == ("later",)
    assert plan_progress(plan, CALENDAR, date(2026, 3, 31)).unmeasured == ()


def test_certified_users_are_a_level_judged_against_the_whole_target_as_scoring_does() -> None:
    certified = Objective(
        "cert",
        "Certified users",
        ObjectiveKind.CERTIFIED_USERS,
        [PeriodTarget("year", 10), PeriodTarget("q1", 4)],
    )
    won = Objective("won", "Deals won", ObjectiveKind.DEALS_WON, [PeriodTarget("year", 10)])
    section = Section("en", "Enablement", objectives=[certified, won])
    template = PlanTemplate("t", "Plan", sections=[section]).published_by("vera", AT)
    plan, _ = Plan.assign(template, id="PL-1", partner_id="p-1", fiscal_year=2026, actor="v", at=AT)
    as_of = date(2026, 2, 10)  # 41 of the year's 365 days gone, 41 of the first quarter's 90
    measured: dict[tuple[str, str], MetricValue] = {
        ("cert", "year"): 2,
        ("cert", "q1"): 2,
        ("won", "year"): 2,
    }
    progress = plan_progress(plan, CALENDAR, as_of, measured)
    cert, deals = progress.objectives
    # 2 users hold a certification: 20 % of the 10 wanted, however much of the year is gone,
    # as the scoring area judges its certified_users KPI (not paced: a level, not a sum).
    kpi = next(k for k in BUILTIN_KPIS if k.name == "certified_users")
    scoring = rag_status(2, Target("certified_users", 10), elapsed=Decimal(41) / 365, paced=False)
    assert kpi.paced is False
    assert cert.year.status == scoring == KpiStatus(Decimal("20.00"), Decimal("20.00"), Rag.RED)
    assert cert.quarters[0].status == KpiStatus(Decimal("50.00"), Decimal("50.00"), Rag.RED)
    # Deals won add up over the year: 2 of 10 with 41 days gone is ahead of pace.
    assert deals.year.status == KpiStatus(Decimal("20.00"), Decimal("178.05"), Rag.GREEN)
    assert (progress.rag, progress.holding_back) == (Rag.RED, ("cert",))
    (row,) = plan_rows([plan], CALENDAR, as_of, {"PL-1": measured})
    assert (row.rag, row.completion) == (Rag.RED, progress.completion)


def test_a_kind_is_paced_as_the_scoring_area_paces_the_measure_it_is_counted_by() -> None:
    for kind, (measure, kinds) in OBJECTIVE_MEASURES.items():
        assert kind.paced is Kpi("objective", measure, kinds=kinds).paced, kind
    assert ObjectiveKind.CUSTOM.paced  # a value entered for the period so far
    assert [k for k in ObjectiveKind if not k.paced] == [ObjectiveKind.CERTIFIED_USERS]


def test_explanations_name_the_objectives_behind_pace() -> None:
    progress = plan_progress(
        assigned(), CALENDAR, MID_YEAR, {("arr", "year"): Money("10000", "EUR"), ("won", "year"): 2}
    )
    lines = progress.explain("en")
    assert len(lines) == 2
    assert lines[0].startswith("New ARR: ")
    assert "Red" in lines[0]
    with pytest.raises(ValidationError) as raised:
        progress.explain("xx_YY")
    assert raised.value.errors[0].path == "locale"


def test_the_pace_in_an_explanation_is_a_percentage_in_the_locales_format() -> None:
    measured: dict[tuple[str, str], MetricValue] = {
        ("arr", "year"): Money("37708", "EUR"),
        ("won", "year"): 20,
    }
    progress = plan_progress(assigned(), CALENDAR, MID_YEAR, measured)
    assert progress.objectives[0].year.status.pace == Decimal("75.21")
    assert progress.explain("en") == ["New ARR: 75.21% of pace (Red)"]
    # Not Python's "75.21%": the German decimal comma and the space before the sign.
    assert progress.explain("de") == ["New ARR: 75,21\xa0% des zeitanteiligen Solls (Rot)"]
    assert "75,21" in progress.explain("fr")[0]


def test_the_companies_table_shows_each_partners_current_plan() -> None:
    running, _ = signed_off().start("vera", AT)
    draft = assigned()
    plans = [
        draft,
        _renamed(running, id="PL-2"),
        _renamed(assigned(), id="PL-3", partner_id="p-2"),
        _renamed(assigned(), id="PL-4", partner_id="p-3", fiscal_year=2025),
    ]
    rows = plan_rows(plans, CALENDAR, MID_YEAR, {"PL-2": {("won", "year"): 20}})
    assert [(r.partner_id, r.plan_id, r.status) for r in rows] == [
        ("p-1", "PL-2", PlanStatus.IN_PROGRESS),
        ("p-2", "PL-3", PlanStatus.DRAFT),
    ]
    assert rows[0].completion > rows[1].completion


def _renamed(plan: Plan, **changes: Any) -> Plan:
    return attrs.evolve(plan, **changes)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValidationError) as raised:
        plan_progress(assigned(), CALENDAR, AT)
    assert raised.value.errors[0].path == "as_of"


def test_a_custom_objective_entered_quarter_by_quarter_counts_the_quarters_so_far() -> None:
    from partnerkit.plans import Objective, ObjectiveKind, PeriodTarget, PlanTemplate, Section

    quarterly = Section(
        "extra",
        "Extra",
        objectives=[
            Objective(
                "nps",
                "NPS",
                ObjectiveKind.CUSTOM,
                [PeriodTarget(q, 25) for q in ("q1", "q2", "q3", "q4")],
            )
        ],
    )
    template = PlanTemplate("t-q", "Quarterly", sections=[quarterly]).published_by("vera", AT)
    plan, _ = Plan.assign(template, id="PL-Q", partner_id="p-1", fiscal_year=2026, actor="v", at=AT)
    plan, _ = plan.share("vera", AT)
    for quarter in ("q1", "q2"):
        plan, _ = plan.record_actual("nps", quarter, 30, "vera", Side.VENDOR, AT)
    progress = plan_progress(plan, CALENDAR, date(2026, 8, 15))
    (nps,) = progress.objectives
    assert nps.year.actual == 60  # the two quarters entered so far
    assert nps.year.status.attainment == Decimal("60.00")
    assert nps.rag is Rag.AMBER  # 60 % of the year's target with 62 % of the year gone
    assert progress.completion == Decimal("60.00")


def test_a_level_without_a_year_target_is_judged_by_its_last_quarter_not_the_sum() -> None:
    # Ten users holding a certification all year meet quarterly targets of 10: the year's
    # target of a level is where the year ends (Q4's), not 40; a sum keeps the sum.
    quarters = [PeriodTarget(q, 10) for q in ("q1", "q2", "q3", "q4")]
    level = Objective("cert", "Certified users", ObjectiveKind.CERTIFIED_USERS, quarters)
    summed = Objective("won", "Deals won", ObjectiveKind.DEALS_WON, quarters)
    assert (level.target("year"), summed.target("year")) == (10, 40)
    partial = Objective("cert", "Certified", ObjectiveKind.CERTIFIED_USERS, quarters[:3])
    assert partial.target("year") is None  # no Q4 target: no year target
    assert partial.target("q2") == 10
