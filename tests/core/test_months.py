"""One month arithmetic for partnerkit, built on dateutil (issue #19, dependencies).

Term ends (:func:`partnerkit.quoting.add_months`) and calendar review periods
(:class:`partnerkit.tiers.CalendarReviews`) were written by hand, each its own
way; they now share :func:`partnerkit.core._time.add_months`. The properties
check it against a plain reference over the whole supported range, and the
former call sites against copies of the code they replaced.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnerkit.core._time import add_months
from partnerkit.core.errors import ValidationError
from partnerkit.quoting import add_months as quoting_add_months
from partnerkit.tiers import PERIODS, CalendarReviews

_MONTHS_IN_RANGE = 9999 * 12  # a shift larger than this leaves the years 1 to 9999 from anywhere

days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
shifts = st.integers(min_value=-_MONTHS_IN_RANGE, max_value=_MONTHS_IN_RANGE)


def _reference(day: date, months: int) -> date | None:
    """Month index year * 12 + month, the day clamped to the month's last; None out of range."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        return None
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


@given(days, shifts)
def test_add_months_agrees_with_the_month_index_reference(day: date, months: int) -> None:
    expected = _reference(day, months)
    if expected is None:
        with pytest.raises(ValidationError) as caught:
            add_months(day, months)
        assert [(e.path, e.code) for e in caught.value.errors] == [("day", "out_of_range")]
    else:
        assert add_months(day, months) == expected
        assert type(add_months(day, months)) is date


@given(days, st.integers(min_value=-1200, max_value=1200))
def test_add_months_clamps_to_the_last_day_and_never_skips_a_month(day: date, months: int) -> None:
    expected = _reference(day, months)
    if expected is None:
        return
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == min(day.day, calendar.monthrange(moved.year, moved.month)[1])


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2026, 11, 15), 14, date(2028, 1, 15)),
        (date(9999, 11, 30), 1, date(9999, 12, 30)),
        (date(1, 2, 28), -1, date(1, 1, 28)),
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
    ],
)
def test_add_months_examples(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "months"),
    [
        (date(9999, 12, 1), 1),
        (date(1, 1, 31), -1),
        (date(2026, 1, 1), 10**20),
        (date(2026, 1, 1), -(10**20)),
    ],
)
def test_add_months_outside_the_years_1_to_9999_is_refused_at_day(day: date, months: int) -> None:
    with pytest.raises(ValidationError) as caught:
        add_months(day, months, "term_start")
    assert [(e.path, e.code) for e in caught.value.errors] == [("term_start", "out_of_range")]


def test_the_public_quoting_add_months_refuses_past_year_9999_as_a_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        quoting_add_months(date(9999, 6, 1), 12)
    assert [(e.path, e.code) for e in caught.value.errors] == [("day", "out_of_range")]
    assert isinstance(caught.value, ValueError)  # callers that caught ValueError still do


# -- the former call sites, against copies of the code they replaced -------------------------


def _old_quoting_add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _old_month_start(total: int) -> date | None:
    if not 1 <= total // 12 <= 9999:
        return None
    return date(total // 12, total % 12 + 1, 1)


def _old_period_start(day: date, months: int, first_month: int) -> date | None:
    offset = (day.year * 12 + day.month - 1 - (first_month - 1)) // months * months
    return _old_month_start(offset + first_month - 1)


def _old_reviews(reviews: CalendarReviews, day: date) -> tuple[date | None, date | None]:
    sizes = {"month": 1, "quarter": 3, "half": 6, "year": 12}
    months = sizes[reviews.period]
    start = _old_period_start(day, months, reviews.first_month)
    after = None if start is None else _old_month_start(start.year * 12 + start.month - 1 + months)
    months = sizes[reviews.review or reviews.period]
    start = _old_period_start(day, months, reviews.first_month)
    end = None if start is None else _old_month_start(start.year * 12 + start.month - 1 + months)
    return after, None if end is None else end - timedelta(days=1)


@given(days, st.integers(min_value=0, max_value=120))
def test_term_ends_are_as_before(day: date, months: int) -> None:
    if _reference(day, months) is None:
        with pytest.raises(ValueError, match="year"):
            _old_quoting_add_months(day, months)
        with pytest.raises(ValidationError):
            quoting_add_months(day, months)
    else:
        assert quoting_add_months(day, months) == _old_quoting_add_months(day, months)


def _refused(call: object) -> bool:
    try:
        call()  # type: ignore[operator]
    except ValidationError as exc:
        return exc.paths == ("day",)
    return False


@given(
    days,
    st.sampled_from(PERIODS),
    st.none() | st.sampled_from(PERIODS),
    st.integers(min_value=1, max_value=12),
)
def test_calendar_review_dates_are_as_before(
    day: date, period: str, review: str | None, first_month: int
) -> None:
    reviews = CalendarReviews(period, review, first_month)  # type: ignore[arg-type]
    after, end = _old_reviews(reviews, day)
    if after is None:
        assert _refused(lambda: reviews.period_start_after(day))
    else:
        assert reviews.period_start_after(day) == after
    if end is None:
        assert _refused(lambda: reviews.next_review_date(day))
    else:
        assert reviews.next_review_date(day) == end
        assert reviews.is_review_date(day) is (day == end)


@pytest.mark.parametrize(
    "day", [date(1, 1, 1), date(1, 6, 15), date(9999, 6, 15), date(9999, 12, 31)]
)
@pytest.mark.parametrize("first_month", [1, 4, 7, 12])
@pytest.mark.parametrize("period", PERIODS)
def test_calendar_review_dates_at_the_ends_of_the_range_are_as_before(
    day: date, first_month: int, period: str
) -> None:
    test_calendar_review_dates_are_as_before.hypothesis.inner_test(  # type: ignore[attr-defined]
        day, period, None, first_month
    )


@pytest.mark.parametrize(
    ("day", "months", "paths"),
    [
        (None, None, ("day", "months")),
        (date(2026, 1, 31), "1", ("months",)),
        (date(2026, 1, 31), True, ("months",)),
        ("2026-01-31", 1, ("day",)),
    ],
)
def test_arguments_of_the_wrong_type_are_named(day: object, months: object, paths: object) -> None:
    # Issue #19: add_months(None, None) raised dateutil's TypeError.
    from partnerkit.quoting import add_months as public_add_months

    for function in (add_months, public_add_months):
        with pytest.raises(ValidationError) as caught:
            function(day, months)  # type: ignore[arg-type]
        assert caught.value.paths == paths
