from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from partnerkit.core import Money
from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.scoring import (
    BUILTIN_KPIS,
    Activity,
    ActivityKind,
    Kpi,
    KpiValues,
    ScoringPlan,
    Window,
)

CAL = MonthlyFiscalCalendar(start_month=4)  # FY runs April..March
AS_OF = date(2026, 8, 15)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


def score(rows: list[Any], kpis: tuple[Kpi, ...] = BUILTIN_KPIS) -> KpiValues:
    plan = ScoringPlan(calendar=CAL, as_of=AS_OF, currency="EUR", kpis=kpis)
    return plan.evaluate(plan.tally(rows))


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def deals() -> list[Activity]:
    d = date(2026, 6, 1)
    return [
        Activity("p1", "deal_registered", at(d), amount=eur("100")),
        Activity("p1", "deal_registered", at(d), amount=eur("100")),
        Activity("p1", "deal_registered", at(d), amount=eur("100")),
        Activity("p1", "deal_registered", at(d), amount=eur("100")),
        Activity("p1", "deal_won", at(d), amount=eur("1000"), attributes={"motion": "new"}),
        Activity("p1", "deal_won", at(d), amount=eur("500.01"), attributes={"motion": "upsell"}),
        Activity("p1", "deal_won", at(d), amount=eur("2000")),
        Activity("p1", "deal_lost", at(d), amount=eur("300")),
        # Before the fiscal year: counted in the prior year's comparable window only.
        Activity("p1", "deal_won", at(date(2025, 5, 2)), amount=eur("1750")),
        Activity("p1", "deal_won", at(date(2025, 9, 2)), amount=eur("9999")),
    ]


def test_deal_kpis_follow_their_formulas_for_the_fiscal_year_to_date() -> None:
    values = score(deals())
    row = values.row("p1")
    assert row["deals_won_ytd"] == 3
    assert row["deals_lost_ytd"] == 1
    assert row["sourced_revenue_ytd"] == eur("3500.01")
    assert row["new_arr_ytd"] == eur("3000.00")
    assert row["upsell_arr_ytd"] == eur("500.01")
    assert row["win_rate_ytd"] == Decimal("75.00")
    assert row["registration_conversion_ytd"] == Decimal("75.00")
    assert row["average_deal_size_ytd"] == eur("1166.67")
    # The prior fiscal year to date (2025-04-01..2025-08-15) had 1750 of sourced revenue.
    assert row["sourced_revenue_yoy"] == Decimal("100.00")


def test_rates_are_none_when_nothing_was_decided() -> None:
    row = score([Activity("p1", "login", at(AS_OF), "u1")]).row("p1")
    assert row["win_rate_ytd"] is None
    assert row["registration_conversion_ytd"] is None
    assert row["average_deal_size_ytd"] is None
    assert row["median_days_to_approval_ytd"] is None
    assert row["sourced_revenue_yoy"] is None


def test_the_median_time_to_approval_is_exact_for_odd_and_even_counts() -> None:
    d = date(2026, 7, 10)

    def approval(days: int) -> Activity:
        registered = (d - timedelta(days=days)).isoformat()
        return Activity("p1", "deal_approved", at(d), attributes={"registered_on": registered})

    assert score([approval(n) for n in (1, 9, 3)]).value("p1", "median_days_to_approval_ytd") == 3
    four = score([approval(n) for n in (1, 9, 3, 4)])
    assert four.value("p1", "median_days_to_approval_ytd") == Decimal("3.5")


def test_engagement_counts_use_their_trailing_window_and_distinct_users() -> None:
    rows = [
        Activity("p1", "login", at(AS_OF), "u1"),
        Activity("p1", "login", at(AS_OF - timedelta(days=89)), "u2"),
        Activity("p1", "login", at(AS_OF - timedelta(days=90)), "u3"),  # outside 90 days
        Activity("p1", "content_view", at(AS_OF), "u1"),
        Activity("p1", "communication", at(AS_OF)),
        Activity("p1", "campaign_engaged", at(AS_OF)),
        Activity("p1", "certification_earned", at(AS_OF), "u2"),
        Activity("p1", "certification_earned", at(AS_OF - timedelta(days=400)), "u4"),
        Activity("p1", "certification_earned", at(AS_OF - timedelta(days=800)), "u5"),
    ]
    row = score(rows).row("p1")
    assert row["logins_90d"] == 2
    assert row["content_views_90d"] == 1
    assert row["communications_90d"] == 2
    assert row["active_users_90d"] == 2
    assert row["certified_users"] == 2
    assert row["certifications_ytd"] == 1


def test_tuples_dates_five_tuples_and_activities_score_the_same() -> None:
    activities = [*deals(), Activity("p2", "login", at(AS_OF), "u9")]
    plan = ScoringPlan(calendar=CAL, as_of=AS_OF, currency="EUR")
    from partnerkit.scoring import activity_row

    six = [activity_row(a, currency="EUR") for a in activities]
    with_dates = [(p, k, date.fromordinal(d), a, u, x) for p, k, d, a, u, x in six]
    five = [(p, k, d, a, u) for p, k, d, a, u, x in six if k != "deal_won"]
    expected = plan.evaluate(plan.tally(activities)).as_dict()
    assert plan.evaluate(plan.tally(six)).as_dict() == expected
    assert plan.evaluate(plan.tally(with_dates)).as_dict() == expected
    five_expected = plan.evaluate(plan.tally([a for a in activities if a.kind != "deal_won"]))
    assert plan.evaluate(plan.tally(five)).as_dict() == five_expected.as_dict()


def test_a_bad_row_is_named_and_its_chunk_is_not_counted() -> None:
    plan = ScoringPlan(calendar=CAL, as_of=AS_OF, currency="EUR")
    tally = plan.tally([("p1", "login", AS_OF, None, "u1", None)])
    with pytest.raises(ValidationError) as caught:
        tally.consume([("p1", "login", AS_OF, None, "u1", None), ("p1", "login", AS_OF, 1.5, None)])
    assert caught.value.paths == ("rows.2.amount",)
    assert plan.evaluate(tally).value("p1", "logins_90d") == 1


def test_amounts_in_another_currency_are_refused_as_bad_rows() -> None:
    plan = ScoringPlan(calendar=CAL, as_of=AS_OF, currency="EUR")
    won = Activity("p1", "deal_won", at(AS_OF), amount=Money("5", "EUR"))
    with pytest.raises(ValidationError) as caught:
        plan.tally([won, Activity("p1", "deal_won", at(AS_OF), amount=Money("5", "USD"))])
    assert caught.value.paths == ("rows.1.amount",)


def test_every_bad_row_of_a_chunk_is_named_at_once() -> None:
    plan = ScoringPlan(calendar=CAL, as_of=AS_OF, currency="EUR")
    rows: list[Any] = [
        ("p1", "login", AS_OF, 1.5, None, None),
        ("p1", "login", AS_OF, None, "u1", None),
        ("", "Bad", AS_OF, None, None, None),
        ("p1",),
        Activity("p1", "deal_won", at(AS_OF), amount=Money("5", "USD")),
    ]
    with pytest.raises(ValidationError) as caught:
        plan.tally(rows)
    assert caught.value.paths == (
        "rows.0.amount",
        "rows.2.partner_id",
        "rows.2.kind",
        "rows.3",
        "rows.4.amount",
    )


def test_host_kinds_are_counted_by_kpis_that_name_them_and_ignored_otherwise() -> None:
    kpis = (Kpi("webinars_qtd", "count", Window.quarter_to_date(), kinds=("webinar",)),)
    rows = [Activity("p1", "webinar", at(AS_OF)), Activity("p1", "podcast", at(AS_OF))]
    values = score(rows, kpis)
    assert values.row("p1") == {"webinars_qtd": 1}
    everything = score(rows, (Kpi("all_90d", "count", Window.trailing(90)),))
    assert everything.value("p1", "all_90d") == 2


def test_known_partners_without_activity_are_scored_as_zero() -> None:
    plan = ScoringPlan(calendar=CAL, as_of=AS_OF, currency="EUR")
    values = plan.evaluate(plan.tally([], partners=["quiet"]))
    assert values.value("quiet", "logins_90d") == 0
    assert values.value("quiet", "sourced_revenue_ytd") == eur("0.00")


def test_progress_is_reported_per_chunk_with_the_rows_read() -> None:
    plan = ScoringPlan(calendar=CAL, as_of=AS_OF, currency="EUR")
    seen: list[int] = []
    rows = [("p1", "login", AS_OF.toordinal(), None, None, None)] * 120_000
    plan.tally(rows, progress=seen.append)
    assert seen == [50_000, 100_000, 120_000]


def test_plans_report_every_bad_definition_at_once() -> None:
    kpis = (
        Kpi("a", "count", kinds=("login",)),
        Kpi("a", "count"),
        Kpi("g", "yoy_growth", of="nope"),
    )
    with pytest.raises(ValidationError) as caught:
        ScoringPlan(calendar=CAL, as_of=AS_OF, currency="XXY", kpis=kpis, decayed=[("win_rate", 0)])
    assert set(caught.value.paths) == {"currency", "kpis.1.name", "kpis.2.of", "decayed.0"}


@pytest.mark.parametrize(
    ("kwargs", "paths"),
    [
        ({"kpis": 5, "custom": None, "decayed": None}, ("kpis", "custom", "decayed")),
        ({"decayed": (None, None)}, ("decayed.0", "decayed.1")),
        ({"decayed": [("deals_ytd",), ([], 7)]}, ("decayed.0", "decayed.1")),
    ],
)
def test_plans_name_every_argument_of_the_wrong_type(kwargs: dict[str, Any], paths: Any) -> None:
    # Issue #19: ScoringPlan(..., decayed=(None, None)) raised TypeError unpacking None.
    with pytest.raises(ValidationError) as caught:
        ScoringPlan(calendar=CAL, as_of=AS_OF, currency="USD", **kwargs)
    assert caught.value.paths == paths


def test_kpi_definitions_report_every_bad_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Kpi("bad name", "average", kinds=("",), of="x")
    assert set(caught.value.paths) == {"name", "measure", "kinds", "of"}
    with pytest.raises(ValidationError) as caught:
        Kpi("revenue", "sum")
    assert caught.value.paths == ("kinds",)
    assert Kpi("k", "count", kinds=(ActivityKind.LOGIN,)).kinds == ("login",)


@pytest.mark.parametrize(
    ("settings", "paths"),
    [
        ({"as_of": datetime(2026, 5, 15, 23, tzinfo=timezone.utc)}, ("as_of",)),
        ({"as_of": datetime(2026, 5, 15)}, ("as_of",)),
        ({"as_of": AS_OF, "tz": "Nowhere/Bad"}, ("tz",)),
        ({"as_of": "2026-05-15", "tz": 5, "currency": "XXQ"}, ("currency", "as_of", "tz")),
    ],
)
def test_a_plan_refuses_an_instant_as_its_day_and_an_unknown_time_zone(
    settings: dict[str, Any], paths: tuple[str, ...]
) -> None:
    arguments: dict[str, Any] = {"calendar": CAL, "currency": "EUR", **settings}
    with pytest.raises(ValidationError) as caught:
        ScoringPlan(**arguments)
    assert caught.value.paths == paths


def test_a_mapping_of_six_keys_is_a_bad_row_not_a_key_error() -> None:
    plan = ScoringPlan(calendar=CAL, as_of=AS_OF, currency="EUR")
    rows: list[Any] = [("p1", "login", AS_OF, None, None, None), dict.fromkeys("abcdef", 1)]
    with pytest.raises(ValidationError) as caught:
        plan.tally(rows)
    assert caught.value.paths == ("rows.1",)
