"""What-if simulation of a proposed ladder: who moves, how benefits change, summary counts."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from tier_strategies import elite_ladder

from partnerkit.core import Percentage, from_dict, to_dict
from partnerkit.core.errors import ValidationError
from partnerkit.tiers import (
    Criteria,
    MetricValue,
    Rule,
    SimulationReport,
    SimulationRow,
    TierLadder,
    simulate,
)

METRICS: dict[str, dict[str, MetricValue]] = {
    "acme": {"new_arr": 160_000, "certified_sales_users": 2, "certified_technical_users": 2},
    "globex": {"new_arr": 60_000, "certified_sales_users": 2},
    "initech": {"new_arr": 45_000, "certified_sales_users": 3},
    "umbrella": {"new_arr": 10_000},
}
TODAY = {"acme": "elite", "globex": "premier", "initech": "premier", "umbrella": "registered"}


def _proposed() -> TierLadder:
    """Premier needs 40k instead of 50k and pays 22 % instead of 20 %; Elite needs 175k."""
    ladder = elite_ladder()
    registered, premier, elite = ladder.tiers
    premier = premier.__class__(
        premier.key,
        premier.name,
        premier.rank,
        premier.benefits.__class__(
            Percentage(22), Percentage(5), mdf_eligible=True, support_level="priority"
        ),
        Criteria("all", (Rule("new_arr", ">=", 40_000), Rule("certified_sales_users", ">=", 2))),
    )
    elite = elite.__class__(
        elite.key,
        elite.name,
        elite.rank,
        elite.benefits,
        Criteria(
            "all", (Rule("new_arr", ">=", 175_000), Rule("certified_technical_users", ">=", 2))
        ),
    )
    return TierLadder([registered, premier, elite])


def test_simulation_reports_who_moves_up_or_down_and_counts_them() -> None:
    report = simulate(_proposed(), METRICS, TODAY, current_ladder=elite_ladder())
    assert [(r.partner_id, r.current_tier, r.proposed_tier, r.movement) for r in report.rows] == [
        ("acme", "elite", "premier", "down"),
        ("globex", "premier", "premier", "same"),
        ("initech", "premier", "premier", "same"),
        ("umbrella", "registered", "registered", "same"),
    ]
    assert (report.up, report.down, report.same, report.new) == (0, 1, 3, 0)
    assert report.summary() == "0 up, 1 down, 3 same, 0 new"
    assert report.tier_counts == {"registered": 1, "premier": 3, "elite": 0}
    assert [r.partner_id for r in report.moved] == ["acme"]


def test_simulation_shows_how_margins_and_other_benefits_change() -> None:
    report = simulate(_proposed(), METRICS, TODAY, current_ladder=elite_ladder())
    rows = {r.partner_id: r for r in report.rows}
    assert rows["acme"].margin_change == Decimal(-8)
    assert rows["acme"].reward_margin_change == Decimal(-5)
    assert rows["acme"].changed_benefits == (
        "partner_margin",
        "reward_margin",
        "mdf_amount",
        "support_level",
        "extras",
    )
    assert rows["globex"].margin_change == Decimal(2)
    assert rows["globex"].changed_benefits == ("partner_margin",)
    assert rows["umbrella"].changed_benefits == ()
    assert report.benefit_changes == {
        "partner_margin": 3,
        "reward_margin": 1,
        "mdf_amount": 1,
        "support_level": 1,
        "extras": 1,
    }


def test_partners_without_a_tier_today_are_new() -> None:
    report = simulate(elite_ladder(), [("hooli", {"new_arr": 60_000})], {})
    (row,) = report.rows
    assert (row.movement, row.before, row.current_tier) == ("new", None, None)
    assert row.margin_change == Decimal(10)
    assert report.new == 1


def test_without_a_current_ladder_todays_tiers_come_from_the_proposed_one() -> None:
    report = simulate(_proposed(), METRICS, TODAY)
    rows = {r.partner_id: r for r in report.rows}
    assert rows["initech"].movement == "same"
    assert rows["initech"].margin_change == 0


def test_every_bad_partner_is_named_and_no_report_is_made() -> None:
    metrics: dict[str, dict[str, MetricValue]] = {
        **METRICS,
        "soylent": {"new_arr": 1.5},  # type: ignore[dict-item]
        "cyberdyne": {"new_arr": 1},
    }
    with pytest.raises(ValidationError) as info:
        simulate(_proposed(), metrics, {**TODAY, "cyberdyne": "diamond"})
    assert info.value.paths == ("soylent.metrics.new_arr", "current_tiers.cyberdyne")


def test_simulation_values_round_trip_through_core_to_dict_and_from_dict() -> None:
    report = simulate(_proposed(), METRICS, TODAY, current_ladder=elite_ladder())
    assert from_dict(SimulationReport, copy.deepcopy(to_dict(report))) == report
    row = report.rows[0]
    assert from_dict(SimulationRow, to_dict(row)) == row


@pytest.mark.parametrize(
    ("metrics", "today", "paths"),
    [
        (None, None, ("metrics_by_partner", "current_tiers")),
        (5, TODAY, ("metrics_by_partner",)),
        ("acme", TODAY, ("metrics_by_partner",)),
        ([1, ("acme", METRICS["acme"]), (["x"], {})], TODAY,
         ("metrics_by_partner.0", "metrics_by_partner.2")),
        (METRICS, [], ("current_tiers",)),
        ({"acme": METRICS["acme"]}, {"acme": ["elite"]}, ("current_tiers.acme",)),
    ],
)  # fmt: skip
def test_arguments_of_the_wrong_type_are_named(metrics: Any, today: Any, paths: Any) -> None:
    # Issue #19: simulate(..., None, ...) raised TypeError iterating None.
    with pytest.raises(ValidationError) as info:
        simulate(_proposed(), metrics, today)
    assert info.value.paths == paths
