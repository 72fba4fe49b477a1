"""Tier-change policy: upgrade timing, downgrades on review dates after a grace, overrides."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tier_strategies import days, elite_ladder

from partnerkit.core import from_dict, to_dict
from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import WeekFiscalCalendar
from partnerkit.tiers import (
    CalendarReviews,
    FiscalReviews,
    MetricValue,
    ReviewCalendar,
    TierChange,
    TierEvaluation,
    TierHistory,
    TierOverride,
    TierPolicy,
    TierSpan,
    evaluate,
    policy_from_dict,
    policy_to_dict,
)

REGISTERED: dict[str, MetricValue] = {}
PREMIER: dict[str, MetricValue] = {"new_arr": 60_000, "certified_sales_users": 2}
ELITE: dict[str, MetricValue] = {"new_arr": 200_000, "certified_technical_users": 2}


def _evaluation(metrics: dict[str, MetricValue], day: date) -> TierEvaluation:
    return evaluate(metrics, elite_ladder(), day)


def _holding(tier: str, since: date) -> TierHistory:
    return TierHistory.starting(tier, since, "joined", "admin")


# -- the calendar -------------------------------------------------------------------------------


def test_quarter_reviews_fall_on_quarter_ends_of_a_year_starting_in_april() -> None:
    reviews = CalendarReviews("quarter", first_month=4)
    assert reviews.period_start_after(date(2026, 4, 1)) == date(2026, 7, 1)
    assert reviews.period_start_after(date(2027, 3, 31)) == date(2027, 4, 1)
    assert reviews.next_review_date(date(2026, 2, 10)) == date(2026, 3, 31)
    assert reviews.is_review_date(date(2026, 6, 30))
    assert not reviews.is_review_date(date(2026, 7, 1))


def test_monthly_periods_with_yearly_reviews() -> None:
    reviews = CalendarReviews("month", review="year", first_month=2)
    assert reviews.period_start_after(date(2026, 12, 15)) == date(2027, 1, 1)
    assert reviews.next_review_date(date(2026, 12, 15)) == date(2027, 1, 31)
    assert reviews.is_review_date(date(2027, 1, 31))
    assert not reviews.is_review_date(date(2026, 12, 31))


def test_half_year_periods_end_on_june_and_december() -> None:
    reviews = CalendarReviews("half")
    assert reviews.next_review_date(date(2026, 1, 1)) == date(2026, 6, 30)
    assert reviews.next_review_date(date(2026, 7, 1)) == date(2026, 12, 31)


def test_calendar_reviews_conform_to_the_protocol() -> None:
    calendar: ReviewCalendar = CalendarReviews()
    assert isinstance(calendar, ReviewCalendar)


def test_bad_calendar_and_policy_settings_are_all_named() -> None:
    with pytest.raises(ValidationError) as info:
        CalendarReviews("week", review="decade", first_month=13)  # type: ignore[arg-type]
    assert set(info.value.paths) == {"period", "review", "first_month"}
    with pytest.raises(ValidationError) as info:
        TierPolicy(object(), "later", -1, 0)  # type: ignore[arg-type]
    assert set(info.value.paths) == {
        "calendar",
        "upgrades",
        "downgrade_grace_days",
        "max_steps_down",
    }


# -- decisions ----------------------------------------------------------------------------------


def test_a_partner_without_history_gets_the_evaluated_tier_at_once() -> None:
    day = date(2026, 5, 5)
    change = TierPolicy().review(TierHistory(), _evaluation(PREMIER, day), day)
    assert change == TierChange("upgrade", None, "premier", day, "first tier: Premier")


def test_upgrades_take_effect_at_once_by_default() -> None:
    day = date(2026, 5, 5)
    change = TierPolicy().review(
        _holding("registered", date(2025, 1, 1)), _evaluation(ELITE, day), day
    )
    assert (change.kind, change.from_tier, change.to_tier, change.effective) == (
        "upgrade",
        "registered",
        "elite",
        day,
    )


def test_upgrades_can_wait_for_the_next_period() -> None:
    day = date(2026, 5, 5)
    policy = TierPolicy(CalendarReviews("quarter"), upgrades="next_period")
    change = policy.review(_holding("registered", date(2025, 1, 1)), _evaluation(ELITE, day), day)
    assert change.kind == "upgrade"
    assert change.effective == date(2026, 7, 1)


def test_a_scheduled_upgrade_is_held_until_it_starts() -> None:
    day = date(2026, 5, 5)
    policy = TierPolicy(upgrades="next_period")
    history = _holding("registered", date(2025, 1, 1))
    history = history.apply(policy.review(history, _evaluation(ELITE, day), day))
    later = date(2026, 5, 20)
    change = policy.review(history, _evaluation(ELITE, later), later)
    assert change.kind == "hold"
    assert "scheduled for 2026-07-01" in change.reason


def test_meeting_the_held_tier_is_a_hold() -> None:
    day = date(2026, 5, 5)
    change = TierPolicy().review(
        _holding("premier", date(2025, 1, 1)), _evaluation(PREMIER, day), day
    )
    assert change == TierChange("hold", "premier", "premier", day, "meets the criteria of Premier")


def test_downgrades_wait_for_a_review_date() -> None:
    day = date(2026, 5, 5)
    change = TierPolicy().review(
        _holding("elite", date(2025, 1, 1)), _evaluation(PREMIER, day), day
    )
    assert change.kind == "hold"
    assert change.reason == (
        "below the criteria of Elite; tiers are lowered on review dates (next: 2026-06-30)"
    )


def test_downgrades_wait_for_the_grace_period() -> None:
    review = date(2026, 6, 30)
    policy = TierPolicy(downgrade_grace_days=90)
    change = policy.review(
        _holding("elite", date(2026, 5, 1)), _evaluation(PREMIER, review), review
    )
    assert change.kind == "hold"
    assert change.reason == "below the criteria of Elite; in the grace period until 2026-07-30"


def test_downgrades_happen_on_a_review_date_after_the_grace_period() -> None:
    review = date(2026, 6, 30)
    change = TierPolicy().review(
        _holding("elite", date(2025, 1, 1)), _evaluation(REGISTERED, review), review
    )
    assert (change.kind, change.to_tier, change.effective) == ("downgrade", "registered", review)


def test_downgrades_can_be_limited_to_one_step() -> None:
    review = date(2026, 6, 30)
    policy = TierPolicy(max_steps_down=1)
    change = policy.review(
        _holding("elite", date(2025, 1, 1)), _evaluation(REGISTERED, review), review
    )
    assert change.to_tier == "premier"


def test_an_active_override_beats_the_evaluation_and_the_timing() -> None:
    day = date(2026, 5, 5)
    override = TierOverride("elite", "strategic launch partner", "alice", date(2026, 12, 31))
    change = TierPolicy().review(
        _holding("registered", date(2026, 1, 1)),
        _evaluation(REGISTERED, day),
        day,
        override=override,
    )
    assert change == TierChange(
        "upgrade",
        "registered",
        "elite",
        day,
        "manual override until 2026-12-31: strategic launch partner",
        "alice",
    )
    held = TierPolicy().review(
        _holding("elite", day), _evaluation(REGISTERED, day), day, override=override
    )
    assert held.kind == "hold"
    assert held.changed_by == "alice"


def test_an_override_can_force_a_downgrade_off_a_review_date() -> None:
    day = date(2026, 5, 5)
    override = TierOverride("registered", "contract breach", "bob")
    change = TierPolicy().review(
        _holding("elite", date(2026, 1, 1)), _evaluation(ELITE, day), day, override=override
    )
    assert (change.kind, change.to_tier, change.effective) == ("downgrade", "registered", day)


def test_an_expired_override_no_longer_applies() -> None:
    day = date(2026, 5, 5)
    override = TierOverride("elite", "launch", "alice", expires=day)
    assert not override.active_on(day)
    change = TierPolicy().review(
        _holding("premier", date(2025, 1, 1)), _evaluation(PREMIER, day), day, override=override
    )
    assert change.kind == "hold"
    assert change.changed_by == "policy"


def test_unknown_held_or_override_tiers_are_refused() -> None:
    day = date(2026, 5, 5)
    with pytest.raises(ValidationError) as info:
        TierPolicy().review(
            _holding("diamond", date(2025, 1, 1)),
            _evaluation(PREMIER, day),
            day,
            override=TierOverride("platinum", "why", "me"),
        )
    assert info.value.paths == ("history", "override.tier_key")


def test_override_and_change_name_every_bad_field() -> None:
    with pytest.raises(ValidationError) as info:
        TierOverride("", " ", "", "2026-01-01")  # type: ignore[arg-type]
    assert set(info.value.paths) == {"tier_key", "reason", "set_by", "expires"}
    with pytest.raises(ValidationError) as info:
        TierChange("hold", "a", "b", date(2026, 1, 1), "")
    assert set(info.value.paths) == {"to_tier", "reason"}
    with pytest.raises(ValidationError) as info:
        TierChange("promote", "a", "b", "soon", "x")  # type: ignore[arg-type]
    assert set(info.value.paths) == {"kind", "effective"}


@pytest.mark.parametrize(
    "value",
    [
        TierPolicy(CalendarReviews("month", "year", 4), "next_period", 30, 1),
        TierOverride("elite", "launch", "alice", date(2026, 12, 31)),
        TierChange("downgrade", "elite", "premier", date(2026, 6, 30), "review"),
    ],
    ids=["policy", "override", "change"],
)
def test_policy_values_round_trip_through_core_to_dict_and_from_dict(value: object) -> None:
    assert from_dict(type(value), copy.deepcopy(to_dict(value))) == value


# -- properties ---------------------------------------------------------------------------------


@given(
    days,
    days,
    st.sampled_from(["month", "quarter", "half", "year"]),
    st.integers(1, 12),
    st.integers(0, 400),
)
def test_a_downgrade_never_takes_effect_off_a_review_date_or_inside_the_grace_period(
    since: date, day: date, period: str, first_month: int, grace: int
) -> None:
    if day < since:
        since, day = day, since
    calendar = CalendarReviews(period, first_month=first_month)  # type: ignore[arg-type]
    policy = TierPolicy(calendar, downgrade_grace_days=grace)
    change = policy.review(_holding("elite", since), _evaluation(REGISTERED, day), day)
    if change.kind == "downgrade":
        assert calendar.is_review_date(change.effective)
        assert change.effective >= since + timedelta(days=grace)
    else:
        assert change.kind == "hold"
        assert not calendar.is_review_date(day) or day < since + timedelta(days=grace)


@given(days, st.sampled_from(["month", "quarter", "half", "year"]), st.integers(1, 12))
def test_the_next_period_starts_the_day_after_a_review_of_the_same_length(
    day: date, period: str, first_month: int
) -> None:
    calendar = CalendarReviews(period, first_month=first_month)  # type: ignore[arg-type]
    review = calendar.next_review_date(day)
    assert review >= day
    assert calendar.is_review_date(review)
    assert calendar.period_start_after(day) == review + timedelta(days=1)
    assert calendar.period_start_after(day).day == 1


# -- the [tiers.policy] table -------------------------------------------------------------------


def test_policy_loads_from_the_tiers_policy_table_and_round_trips() -> None:
    data = {
        "upgrades": "next_period",
        "downgrade_grace_days": 30,
        "max_steps_down": 1,
        "calendar": {"period": "month", "review": "quarter", "first_month": 4},
    }
    policy = policy_from_dict(data)
    assert policy == TierPolicy(CalendarReviews("month", "quarter", 4), "next_period", 30, 1)
    assert policy_from_dict(policy_to_dict(policy)) == policy
    assert policy_from_dict({}) == TierPolicy()


def test_policy_table_reports_every_bad_key() -> None:
    data = {
        "upgrades": "someday",
        "downgrade_grace_days": -3,
        "calendar": {"period": "fortnight", "first_month": 0},
        "grace": 5,
    }
    with pytest.raises(ValidationError) as info:
        policy_from_dict(data)
    assert {e.path: e.code for e in info.value.errors} == {
        "tiers.policy.upgrades": "invalid_choice",
        "tiers.policy.downgrade_grace_days": "out_of_range",
        "tiers.policy.calendar.period": "invalid_choice",
        "tiers.policy.calendar.first_month": "out_of_range",
        "tiers.policy.grace": "unknown",
    }


def test_a_host_calendar_cannot_be_written_as_toml() -> None:
    class EveryDay:
        def period_start_after(self, day: date) -> date:
            return day + timedelta(days=1)

        def is_review_date(self, day: date) -> bool:
            return True

        def next_review_date(self, day: date) -> date:
            return day

    policy = TierPolicy(EveryDay())
    review = date(2026, 5, 5)
    change = policy.review(
        _holding("elite", date(2025, 1, 1)), _evaluation(PREMIER, review), review
    )
    assert change.kind == "downgrade"
    with pytest.raises(ValidationError):
        policy_to_dict(policy)


def test_a_partner_whose_history_closed_cannot_be_reviewed() -> None:
    day = date(2026, 5, 5)
    closed = TierHistory([TierSpan("premier", date(2025, 1, 1), date(2026, 1, 1), "left", "admin")])
    with pytest.raises(ValidationError) as info:
        TierPolicy().review(closed, _evaluation(PREMIER, day), day)
    assert info.value.paths == ("history",)


# -- fiscal review calendars --------------------------------------------------------------------

RETAIL = WeekFiscalCalendar(end_month=1, end_weekday=5, rule="nearest", pattern="4-5-4")


def test_fiscal_reviews_upgrade_at_the_next_fiscal_quarter_start_of_a_4_5_4_year() -> None:
    day = date(2026, 3, 10)
    quarter = RETAIL.quarter_of(day)
    policy = TierPolicy(FiscalReviews(RETAIL, "quarter"), upgrades="next_period")
    change = policy.review(_holding("registered", date(2025, 1, 1)), _evaluation(ELITE, day), day)
    assert change.kind == "upgrade"
    assert change.effective == quarter.next().start
    assert change.effective.weekday() == RETAIL.year_of(day).start.weekday()


def test_fiscal_reviews_lower_tiers_only_on_fiscal_year_ends() -> None:
    policy = TierPolicy(FiscalReviews(RETAIL, "quarter", review="year"), downgrade_grace_days=0)
    history = _holding("elite", date(2024, 1, 1))
    quarter_end = RETAIL.quarter_of(date(2026, 3, 10)).end
    held = policy.review(history, _evaluation(REGISTERED, quarter_end), quarter_end)
    assert held.kind == "hold"
    year_end = RETAIL.year_of(date(2026, 3, 10)).end
    lowered = policy.review(history, _evaluation(REGISTERED, year_end), year_end)
    assert (lowered.kind, lowered.effective) == ("downgrade", year_end)


@given(days)
def test_fiscal_review_dates_are_the_ends_of_fiscal_units(day: date) -> None:
    reviews = FiscalReviews(RETAIL, "period", review="quarter")
    assert reviews.next_review_date(day) == RETAIL.quarter_of(day).end
    assert reviews.is_review_date(day) == (day == RETAIL.quarter_of(day).end)
    assert reviews.period_start_after(day) == RETAIL.period_of(day).next().start
    assert isinstance(reviews, ReviewCalendar)


def test_a_fiscal_review_calendar_reads_from_the_policy_table_and_round_trips() -> None:
    table = {"calendar": {"kind": "fiscal", "period": "quarter", "review": "year"}}
    policy = policy_from_dict(table, fiscal=RETAIL)
    assert policy.calendar == FiscalReviews(RETAIL, "quarter", "year")
    assert policy_from_dict(policy_to_dict(policy)) == policy
    assert from_dict(TierPolicy, to_dict(policy)) == policy


def test_a_fiscal_review_calendar_without_a_fiscal_calendar_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        policy_from_dict({"calendar": {"kind": "fiscal", "period": "week"}})
    assert set(caught.value.paths) == {"tiers.policy.calendar.period", "tiers.policy.calendar.kind"}


# -- the end of the calendar (issue #19, item 8) ------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: CalendarReviews().next_review_date(date(9999, 12, 1)),
        lambda: CalendarReviews().period_start_after(date(9999, 12, 1)),
        lambda: CalendarReviews("year", first_month=7).next_review_date(date(9999, 8, 1)),
        lambda: CalendarReviews("year", first_month=7).period_start_after(date(1, 3, 1)),
        lambda: CalendarReviews().next_review_date(None),  # type: ignore[arg-type]
    ],
)
def test_review_dates_beyond_year_9999_are_refused_at_day(call: object) -> None:
    with pytest.raises(ValidationError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.paths == ("day",)


def test_a_review_whose_next_period_is_beyond_year_9999_is_refused_at_as_of() -> None:
    day = date(9999, 12, 1)
    policy = TierPolicy(CalendarReviews("quarter"), upgrades="next_period")
    history = _holding("registered", date(2025, 1, 1))
    with pytest.raises(ValidationError) as caught:
        policy.review(history, _evaluation(ELITE, day), day)
    assert [(e.path, e.code) for e in caught.value.errors] == [("as_of", "out_of_range")]
    # The last period that ends in year 9999 still works.
    assert policy.review(history, _evaluation(ELITE, date(9999, 9, 1)), date(9999, 9, 1)) == (
        TierChange(
            "upgrade",
            "registered",
            "elite",
            date(9999, 10, 1),
            "meets the criteria of Elite from 9999-10-01",
        )
    )


def test_review_arguments_of_the_wrong_type_are_refused_by_name() -> None:
    day = date(2026, 5, 5)
    with pytest.raises(ValidationError) as caught:
        TierPolicy().review(TierHistory(), _evaluation(ELITE, day), None)  # type: ignore[arg-type]
    assert caught.value.paths == ("as_of",)
    with pytest.raises(ValidationError) as caught:
        TierPolicy().review(None, None, day, override="x")  # type: ignore[arg-type]
    assert caught.value.paths == ("history", "evaluation", "override")


def test_evaluate_refuses_a_datetime_as_of() -> None:
    from datetime import datetime, timezone

    for at in (datetime(2026, 1, 1, 12), datetime(2026, 1, 1, 12, tzinfo=timezone.utc)):
        with pytest.raises(ValidationError) as caught:
            evaluate(ELITE, elite_ladder(), at)
        assert caught.value.paths == ("as_of",)
