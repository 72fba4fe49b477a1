import random
from datetime import date, datetime, timedelta, timezone

import pytest

from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import FiscalCalendar, MonthlyFiscalCalendar, WeekFiscalCalendar

CALENDARS: list[FiscalCalendar] = [
    MonthlyFiscalCalendar(7),
    MonthlyFiscalCalendar(4, start_day=6, naming="start"),
    WeekFiscalCalendar(1, 5, rule="nearest", pattern="4-5-4", naming="start"),
]


def scalar(cal: FiscalCalendar, day: date) -> tuple[int, int, int]:
    p = cal.period_of(day)
    return p.year, p.quarter, p.period


@pytest.mark.parametrize("cal", CALENDARS)
def test_map_dates_agrees_with_the_scalar_path(cal: FiscalCalendar) -> None:
    rng = random.Random(7)
    days = [date(1990, 1, 1) + timedelta(days=rng.randrange(365 * 60)) for _ in range(2000)]
    expected = [scalar(cal, d) for d in days]
    assert cal.map_dates(days) == expected
    assert cal.map_dates(days) == expected  # second call uses the cached day table
    assert cal.map_dates(iter(days)) == expected


def test_map_dates_accepts_aware_datetimes_mixed_with_dates() -> None:
    cal = MonthlyFiscalCalendar(7, tz="America/New_York")
    items = [date(2026, 6, 30), datetime(2026, 7, 1, 3, tzinfo=timezone.utc), date(2026, 7, 1)]
    assert cal.map_dates(items) == [(2026, 4, 12), (2026, 4, 12), (2027, 1, 1)]


def test_map_dates_names_every_bad_item() -> None:
    cal = MonthlyFiscalCalendar(7)
    cal.map_dates([date(2026, 1, 1)])
    with pytest.raises(ValidationError) as caught:
        cal.map_dates([date(2026, 1, 1), datetime(2026, 1, 1), "2026-01-02"])  # type: ignore[list-item]
    assert caught.value.paths == ("dates.1", "dates.2")


def test_map_dates_of_nothing_is_empty() -> None:
    assert MonthlyFiscalCalendar(7).map_dates([]) == []


def test_map_dates_far_apart_still_works() -> None:
    cal = WeekFiscalCalendar(9, 5)
    days = [date(1905, 3, 1), date(2190, 3, 1), date(2026, 3, 1)]
    assert cal.map_dates(days) == [scalar(cal, d) for d in days]


class ArrayLike:
    def __init__(self, days: list[date]) -> None:
        self._days = days

    def __iter__(self) -> object:
        raise AssertionError("tolist() should be used")

    def tolist(self) -> list[date]:
        return list(self._days)


def test_map_dates_uses_tolist_of_array_likes() -> None:
    cal = MonthlyFiscalCalendar(1)
    result = cal.map_dates(ArrayLike([date(2026, 5, 1)]))  # type: ignore[arg-type]
    assert result == [(2026, 2, 5)]


def test_map_dates_stays_right_as_the_remembered_days_move() -> None:
    cal = MonthlyFiscalCalendar(10)
    early = [date(2000, 1, 1) + timedelta(days=n) for n in range(0, 3650, 11)]
    late = [date(2150, 1, 1) + timedelta(days=n) for n in range(0, 3650, 13)]
    wide = [date(1850, 1, 1) + timedelta(days=n) for n in range(0, 365 * 300, 97)]
    for days in (early, late, early, wide, late, early + late):
        assert cal.map_dates(days) == [scalar(cal, d) for d in days]
