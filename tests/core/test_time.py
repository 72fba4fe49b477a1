"""Instants are always timezone-aware; clocks are passed in, never read from the wall."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pendulum
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from partnerkit.core import Clock, SystemClock, aware, time_zone, to_date
from partnerkit.core.errors import ValidationError
from partnerkit.testing import AdvancingClock, FixedClock

ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kathmandu", "Pacific/Chatham"]

naive_datetimes = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31))
fixed_offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
fixed_offset_datetimes = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31), timezones=fixed_offsets
)
zoned_datetimes = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2099, 12, 31),
    timezones=st.sampled_from(ZONES).map(ZoneInfo),
)

NEW_YORK = ZoneInfo("America/New_York")


def utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


# -- aware -----------------------------------------------------------------------------------


@given(naive_datetimes)
def test_aware_refuses_naive_datetimes(value: datetime) -> None:
    with pytest.raises(ValidationError) as info:
        aware(value, "placed_at")
    assert info.value.paths == ("placed_at",)
    assert info.value.errors[0].code == "naive_datetime"


@pytest.mark.parametrize("value", [date(2026, 1, 1), "2026-01-01T00:00:00+00:00", 0, None])
def test_aware_refuses_things_that_are_not_datetimes(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        aware(value)
    assert info.value.paths == ("at",)
    assert info.value.errors[0].code == "invalid"


@given(fixed_offset_datetimes)
def test_aware_keeps_the_instant_and_the_offset(value: datetime) -> None:
    result = aware(value)
    assert isinstance(result, pendulum.DateTime)
    assert result == value
    assert result.utcoffset() == value.utcoffset()
    assert result.replace(tzinfo=None) == value.replace(tzinfo=None)


@given(zoned_datetimes)
@example(datetime(2026, 3, 8, 2, 30, tzinfo=NEW_YORK))  # skipped by the spring DST change
@example(datetime(2026, 3, 8, 2, 30, fold=1, tzinfo=NEW_YORK))
@example(datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK))  # repeated in the autumn
@example(datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK))
def test_aware_keeps_the_instant_in_named_zones_even_around_dst_changes(value: datetime) -> None:
    result = aware(value)
    assert isinstance(result, pendulum.DateTime)
    # Compare in UTC: Python never calls times in a DST gap or fold equal across zones.
    assert utc(result) == utc(value)
    # The offset is the one actually in force at that instant.
    assert result.utcoffset() == utc(value).astimezone(value.tzinfo).utcoffset()


def test_aware_returns_pendulum_datetimes_unchanged() -> None:
    value = pendulum.datetime(2026, 11, 23, 9, 30, tz="Europe/London")
    assert aware(value) is value


# -- to_date ---------------------------------------------------------------------------------


def test_to_date_uses_the_business_zone_the_issue_example() -> None:
    instant = datetime(2026, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert to_date(instant) == date(2027, 1, 1)
    assert to_date(instant, "UTC") == date(2027, 1, 1)
    assert to_date(instant, "America/New_York") == date(2026, 12, 31)
    assert to_date(instant, NEW_YORK) == date(2026, 12, 31)
    assert to_date(instant, "Asia/Tokyo") == date(2027, 1, 1)


@given(fixed_offset_datetimes, st.sampled_from(ZONES))
def test_to_date_is_the_calendar_date_in_the_zone(value: datetime, zone: str) -> None:
    expected = value.astimezone(ZoneInfo(zone)).date()
    result = to_date(value, zone)
    assert result == expected
    assert type(result) is date
    assert to_date(value, ZoneInfo(zone)) == expected


@given(st.dates())
def test_to_date_passes_dates_through(value: date) -> None:
    assert to_date(value, "Asia/Tokyo") == value


@given(naive_datetimes)
def test_to_date_refuses_naive_datetimes(value: datetime) -> None:
    with pytest.raises(ValidationError) as info:
        to_date(value, "UTC", path="closed_on")
    assert info.value.paths == ("closed_on",)
    assert info.value.errors[0].code == "naive_datetime"


@pytest.mark.parametrize("value", ["2026-01-01", 20260101, None])
def test_to_date_refuses_things_that_are_not_dates(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        to_date(value)
    assert info.value.paths == ("date",)


@pytest.mark.parametrize("tz", ["Bad/Zone", "", "+01:00", "Europe", "../etc/passwd", 5, None])
@pytest.mark.parametrize(
    "value", [datetime(2026, 1, 1, tzinfo=timezone.utc), date(2026, 1, 1)], ids=["datetime", "date"]
)
def test_to_date_refuses_an_unknown_time_zone_at_tz(value: date, tz: object) -> None:
    with pytest.raises(ValidationError) as info:
        to_date(value, tz)  # type: ignore[arg-type]
    assert [(e.path, e.code) for e in info.value.errors] == [("tz", "invalid")]


def test_to_date_reports_a_naive_datetime_and_a_bad_zone_together() -> None:
    with pytest.raises(ValidationError) as info:
        to_date(datetime(2026, 1, 1), "Bad/Zone", path="closed_on")
    assert [(e.path, e.code) for e in info.value.errors] == [
        ("closed_on", "naive_datetime"),
        ("tz", "invalid"),
    ]


def test_to_date_takes_zone_names_and_tzinfos_alike() -> None:
    instant = datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)
    assert to_date(instant, "Asia/Tokyo") == to_date(instant, pendulum.timezone("Asia/Tokyo"))
    assert to_date(instant, "Asia/Tokyo") == to_date(instant, ZoneInfo("Asia/Tokyo"))
    assert to_date(instant, timezone(timedelta(hours=9))) == date(2027, 1, 1)


# -- clocks ----------------------------------------------------------------------------------


def test_system_clock_gives_an_aware_utc_instant() -> None:
    clock = SystemClock()
    now = clock.now()
    assert isinstance(now, pendulum.DateTime)
    assert now.utcoffset() == timedelta(0)
    assert isinstance(clock, Clock)
    assert repr(clock) == "SystemClock()"


def test_test_clocks_satisfy_the_clock_protocol() -> None:
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert isinstance(FixedClock(start), Clock)
    assert isinstance(AdvancingClock(start), Clock)


def test_fixed_clock_stands_still_until_told() -> None:
    start = datetime(2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Europe/London"))
    clock = FixedClock(start)
    assert clock.now() == start
    assert clock.now() == clock.now()
    later = datetime(2027, 2, 1, tzinfo=timezone.utc)
    clock.set(later)
    assert clock.now() == later
    earlier = datetime(2020, 2, 1, tzinfo=timezone.utc)
    clock.set(earlier)
    assert clock.now() == earlier


@given(
    start=fixed_offset_datetimes,
    days=st.integers(min_value=0, max_value=400),
    hours=st.integers(min_value=0, max_value=48),
    minutes=st.integers(min_value=0, max_value=120),
    seconds=st.integers(min_value=0, max_value=120),
)
def test_fixed_clock_advances_by_exactly_the_step(
    start: datetime, days: int, hours: int, minutes: int, seconds: int
) -> None:
    clock = FixedClock(start)
    step = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    moved = clock.advance(days=days, hours=hours, minutes=minutes, seconds=seconds)
    assert moved == clock.now()
    assert moved == start + step
    assert moved.utcoffset() is not None


def test_fixed_clock_advance_by_nothing_is_allowed() -> None:
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    clock = FixedClock(start)
    assert clock.advance() == start


@pytest.mark.parametrize(
    "step", [{"days": -1}, {"seconds": -1}, {"hours": 1, "minutes": -61}, {"seconds": -0.5}]
)
def test_fixed_clock_refuses_to_go_backwards(step: dict[str, float]) -> None:
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    clock = FixedClock(start)
    with pytest.raises(ValidationError) as info:
        clock.advance(**step)
    assert info.value.paths == ("step",)
    assert info.value.errors[0].code == "out_of_range"
    assert clock.now() == start


def test_fixed_clock_refuses_naive_datetimes() -> None:
    with pytest.raises(ValidationError) as info:
        FixedClock(datetime(2026, 1, 1))
    assert info.value.paths == ("instant",)
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(ValidationError) as info:
        clock.set(datetime(2026, 6, 1))
    assert info.value.paths == ("instant",)
    assert clock.now() == datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_fixed_clock_repr_shows_the_instant() -> None:
    clock = FixedClock(datetime(2026, 1, 1, 12, tzinfo=timezone.utc))
    assert repr(clock) == "FixedClock('2026-01-01T12:00:00+00:00')"


@given(
    start=fixed_offset_datetimes,
    step=st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=30)),
    reads=st.integers(min_value=1, max_value=10),
)
def test_advancing_clock_moves_one_step_per_reading(
    start: datetime, step: timedelta, reads: int
) -> None:
    clock = AdvancingClock(start, step=step)
    seen = [clock.now() for _ in range(reads)]
    assert seen[0] == start
    assert [b - a for a, b in pairwise(seen)] == [step] * (reads - 1)
    assert all(isinstance(t, pendulum.DateTime) for t in seen)


def test_advancing_clock_steps_one_second_by_default() -> None:
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    clock = AdvancingClock(start)
    assert clock.now() == start
    assert clock.now() == start + timedelta(seconds=1)


@pytest.mark.parametrize("step", [timedelta(0), timedelta(seconds=-1), timedelta(days=-1)])
def test_advancing_clock_refuses_steps_that_are_not_positive(step: timedelta) -> None:
    with pytest.raises(ValidationError) as info:
        AdvancingClock(datetime(2026, 1, 1, tzinfo=timezone.utc), step=step)
    assert info.value.paths == ("step",)


def test_advancing_clock_refuses_a_naive_start() -> None:
    with pytest.raises(ValidationError) as info:
        AdvancingClock(datetime(2026, 1, 1))
    assert info.value.paths == ("start",)
    assert info.value.errors[0].code == "naive_datetime"


def test_time_zone_reads_names_keeps_tzinfos_and_names_the_bad_path() -> None:
    assert time_zone("Europe/Paris").utcoffset(datetime(2026, 1, 15)) == timedelta(hours=1)
    assert time_zone(timezone.utc) is timezone.utc
    for bad in ("Nowhere/Bad", "", 5):
        with pytest.raises(ValidationError) as caught:
            time_zone(bad, "program.tz")
        assert caught.value.paths == ("program.tz",)
