from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from partnerkit.core import Money, from_dict, to_dict
from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.scoring import (
    DEFAULT_ENGAGEMENT_MODEL,
    Activity,
    EcosystemScores,
    EngagementModel,
    Rag,
    Scorecard,
    Target,
    Window,
    score_ecosystem,
)

CAL = MonthlyFiscalCalendar(start_month=1)
AS_OF = date(2026, 5, 15)
AT = datetime(2026, 5, 10, tzinfo=timezone.utc)

MODEL = EngagementModel(
    DEFAULT_ENGAGEMENT_MODEL.signals,
    targets=(
        Target("sourced_revenue_ytd", Money("10000", "EUR")),
        Target("logins_90d", 10),
        Target("win_rate_ytd", 50),
    ),
)


def rows() -> list[Activity]:
    return [
        *[Activity("busy", "login", AT, f"u{i}") for i in range(12)],
        Activity("busy", "deal_won", AT, amount=Money("4000", "EUR")),
        Activity("busy", "deal_lost", AT),
        Activity("tie-a", "login", AT, "x"),
        Activity("tie-b", "login", AT, "y"),
    ]


def scores(**kwargs: Any) -> EcosystemScores:
    return score_ecosystem(rows(), calendar=CAL, as_of=AS_OF, currency="EUR", model=MODEL, **kwargs)


def test_a_scorecard_shows_values_targets_attainment_pace_and_rag() -> None:
    card = scores().scorecard("busy")
    revenue = card.kpi("sourced_revenue_ytd")
    assert revenue.value == Money("4000.00", "EUR")
    assert revenue.target == Money("10000", "EUR")
    assert (revenue.attainment, revenue.pace, revenue.status) == (
        Decimal("40.00"),
        Decimal("108.15"),
        Rag.GREEN,
    )
    assert (revenue.start, revenue.end) == (date(2026, 1, 1), AS_OF)
    assert card.kpi("win_rate_ytd").status is Rag.GREEN
    assert card.kpi("logins_90d").pace == Decimal("120.00")
    assert card.kpi("deals_won_ytd").status is None
    with pytest.raises(ValidationError):
        card.kpi("nope")


def test_ranks_share_ties_and_percentiles_follow_scores() -> None:
    result = scores(partners=["silent"])
    cards = {c.partner_id: c for c in result.scorecards()}
    assert [c.partner_id for c in result.scorecards()] == ["busy", "tie-a", "tie-b", "silent"]
    assert [cards[p].rank for p in ("busy", "tie-a", "tie-b", "silent")] == [1, 2, 2, 4]
    assert cards["busy"].percentile == Decimal("100.00")
    assert cards["tie-a"].percentile == cards["tie-b"].percentile == Decimal("33.33")
    assert cards["silent"].percentile == Decimal("0.00")
    assert cards["busy"].partners == 4


def test_metrics_are_the_plain_mapping_tier_evaluation_reads() -> None:
    metrics = scores().scorecard("busy").metrics()
    assert metrics["deals_won_ytd"] == 1
    assert metrics["sourced_revenue_ytd"] == Money("4000.00", "EUR")
    assert metrics["win_rate_ytd"] == Decimal("50.00")
    assert metrics["engagement_rank"] == 1
    assert "median_days_to_approval_ytd" not in metrics  # no value: left out
    assert all(isinstance(v, (int, Decimal, Money)) for v in metrics.values())


def test_partner_targets_override_the_models() -> None:
    result = scores(partner_targets={"tie-a": [Target("logins_90d", 1)]})
    assert result.scorecard("tie-a").kpi("logins_90d").status is Rag.GREEN
    assert result.scorecard("tie-b").kpi("logins_90d").status is Rag.RED
    with pytest.raises(ValidationError) as caught:
        scores(partner_targets={"tie-a": [Target("ghost", 1)]})
    assert caught.value.paths == ("partner_targets.tie-a.0.kpi",)


def test_scorecards_round_trip_through_to_dict_and_from_dict() -> None:
    card = scores().scorecard("busy")
    assert from_dict(Scorecard, to_dict(card)) == card


def test_unknown_partners_are_validation_errors() -> None:
    with pytest.raises(ValidationError):
        scores().scorecard("ghost")


class DistinctDays:
    """A custom KPI: on how many distinct days the partner was active this quarter."""

    name = "active_days_qtd"
    window = Window.quarter_to_date()
    paced = True

    def start(self) -> frozenset[int]:
        return frozenset()

    def add(self, state: frozenset[int], row: tuple[Any, ...]) -> frozenset[int]:
        return state | {row[2]}

    def merge(self, left: frozenset[int], right: frozenset[int]) -> frozenset[int]:
        return left | right

    def value(self, state: frozenset[int], currency: str) -> int:
        return len(state)


def test_custom_kpis_are_scored_merged_and_targeted() -> None:
    model = EngagementModel(MODEL.signals, targets=(Target("active_days_qtd", 100),))
    plan = model.plan(calendar=CAL, as_of=AS_OF, currency="EUR", custom=[DistinctDays()])
    early = datetime(2026, 3, 31, tzinfo=timezone.utc)  # the previous quarter
    part = [Activity("p", "login", AT), Activity("p", "webinar", early)]
    other = [Activity("p", "login", datetime(2026, 4, 2, tzinfo=timezone.utc))]
    merged = EcosystemScores(plan.tally(part).merge(plan.tally(other)), model)
    card = merged.scorecard("p")
    assert card.metrics()["active_days_qtd"] == 2
    assert card.kpi("active_days_qtd").status is Rag.RED
    # Rows given with dates reach custom KPIs with ordinals all the same.
    dated = [("p", "login", date(2026, 5, 10), None, None, None)]
    assert plan.tally(dated).custom == [[frozenset({date(2026, 5, 10).toordinal()})]]


def test_a_target_of_the_wrong_kind_for_its_kpi_is_refused_by_the_model() -> None:
    with pytest.raises(ValidationError) as caught:
        EngagementModel(
            DEFAULT_ENGAGEMENT_MODEL.signals,
            targets=(
                Target("logins_90d", Money("10", "EUR")),
                Target("sourced_revenue_ytd", 100),
                Target("win_rate_ytd", 50),
            ),
        )
    assert caught.value.paths == ("targets.0.value", "targets.1.value")


def test_a_money_target_in_another_currency_is_refused_before_anything_is_scored() -> None:
    from partnerkit.program import Program

    dollars = EngagementModel(
        DEFAULT_ENGAGEMENT_MODEL.signals,
        targets=(Target("sourced_revenue_ytd", Money("100", "USD")),),
    )
    with pytest.raises(ValidationError) as caught:
        dollars.plan(calendar=CAL, as_of=AS_OF, currency="EUR")
    assert caught.value.paths == ("targets.0.value",)
    with pytest.raises(ValidationError) as caught:
        score_ecosystem(rows(), calendar=CAL, as_of=AS_OF, currency="EUR", model=dollars)
    assert caught.value.paths == ("targets.0.value",)
    with pytest.raises(ValidationError) as caught:
        Program(key="acme", name="Acme", currency="EUR", scoring=dollars)
    assert caught.value.paths == ("scoring.targets.0.value",)
    assert Program(key="acme", name="Acme", currency="USD", scoring=dollars).scoring == dollars


def test_partner_targets_must_fit_their_kpi_and_the_scoring_currency() -> None:
    with pytest.raises(ValidationError) as caught:
        scores(
            partner_targets={
                "busy": [
                    Target("logins_90d", Money("10", "EUR")),
                    Target("sourced_revenue_ytd", Money("100", "USD")),
                    Target("new_arr_ytd", 100),
                ]
            }
        )
    assert caught.value.paths == (
        "partner_targets.busy.0.value",
        "partner_targets.busy.1.value",
        "partner_targets.busy.2.value",
    )


def test_a_tally_in_another_currency_refuses_the_models_money_targets() -> None:
    from partnerkit.scoring import ScoringPlan

    plan = ScoringPlan(
        calendar=CAL, as_of=AS_OF, currency="USD", decayed=[("deals_registered_ytd", 30)]
    )
    with pytest.raises(ValidationError) as caught:
        EcosystemScores(plan.tally(rows()[-2:]), MODEL)
    assert caught.value.paths == ("model.targets.0.value",)


def test_a_models_kpis_and_signals_are_checked_together_under_their_own_paths() -> None:
    from partnerkit.scoring import BUILTIN_KPIS, Kpi, Signal

    with pytest.raises(ValidationError) as caught:
        EngagementModel(
            (Signal("wins", "win_rate_ytd", 1, "minmax", half_life_days=7),),
            kpis=(*BUILTIN_KPIS, Kpi("growth", "yoy_growth", of="nope")),
        )
    assert set(caught.value.paths) == {"signals.0.half_life_days", "kpis.20.of"}
    days = EngagementModel((Signal("days", "active_days_qtd", 1, "minmax", half_life_days=7),))
    with pytest.raises(ValidationError) as caught:
        days.plan(calendar=CAL, as_of=AS_OF, currency="EUR", custom=[DistinctDays()])
    assert caught.value.paths == ("signals.0.half_life_days",)
