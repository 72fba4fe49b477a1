"""Clocks and the rule that instants are timezone-aware."""

from __future__ import annotations

from datetime import date, datetime, timezone, tzinfo
from typing import Protocol, cast, runtime_checkable

import pendulum
from dateutil.relativedelta import relativedelta

from partnerkit.core._validation import ErrorCollector, expected
from partnerkit.core.errors import FieldError, ValidationError

__all__ = ["Clock", "SystemClock", "aware", "time_zone", "to_date"]


@runtime_checkable
class Clock(Protocol):
    """Where the current instant comes from.

    Domain code never calls ``now()`` itself; services take a clock. Hosts
    pass :class:`SystemClock` in production and
    :class:`partnerkit.testing.FixedClock` in tests.
    """

    def now(self) -> pendulum.DateTime:
        """Return the current instant, timezone-aware."""
        ...


class SystemClock:
    """The real clock: the current instant in UTC, as an aware pendulum ``DateTime``."""

    __slots__ = ()

    def now(self) -> pendulum.DateTime:
        """Return the current instant in UTC."""
        return pendulum.now("UTC")

    def __repr__(self) -> str:
        return "SystemClock()"


_PENDULUM_ZONES = (pendulum.Timezone, pendulum.FixedTimezone)


def aware(value: object, path: str = "at") -> pendulum.DateTime:
    """Return ``value`` as an aware pendulum ``DateTime``; refuse naive datetimes and non-datetimes.

    Raises :class:`ValidationError` naming ``path``.

    >>> from datetime import datetime
    >>> import pendulum
    >>> aware(datetime(2026, 1, 1, 12, tzinfo=pendulum.UTC)).isoformat()
    '2026-01-01T12:00:00+00:00'
    >>> aware(datetime(2026, 1, 1, 12))
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 1 invalid field: at: naive datetime ...
    """
    if type(value) is pendulum.DateTime and type(value.tzinfo) in _PENDULUM_ZONES:
        return value  # the common case: a pendulum zone always has an offset
    if not isinstance(value, datetime):
        raise ValidationError.single(
            path, "invalid", f"expected an aware datetime, got {type(value).__name__}"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError.single(
            path, "naive_datetime", "naive datetime refused: give it a time zone"
        )
    if isinstance(value, pendulum.DateTime):
        return value
    try:
        utc = value.astimezone(timezone.utc)
    except OverflowError:
        # Supported: instants that are in the years 1 to 9999 in UTC too.
        raise ValidationError.single(
            path, "out_of_range", "the instant falls outside the years 1 to 9999 in UTC"
        ) from None
    local = pendulum.instance(value)
    zone = local.timezone
    same_wall_time = local.replace(tzinfo=None) == value.replace(tzinfo=None)
    if zone is None or (same_wall_time and local.utcoffset() == value.utcoffset()):
        return local
    # A wall time skipped by a DST change: pendulum.instance() read it as another
    # instant, an hour off. Keep the instant the datetime denotes.
    return pendulum.instance(utc).in_timezone(zone)


_ZONES: dict[str, tzinfo] = {}


def time_zone(tz: object, path: str = "tz") -> tzinfo:
    """Return the tzinfo ``tz`` names: an IANA time zone name, or a tzinfo as it is.

    Raises one :class:`ValidationError` naming ``path`` for a name that is no
    IANA time zone or for anything else. Names are looked up once.

    >>> from datetime import datetime
    >>> time_zone("Europe/Paris").utcoffset(datetime(2026, 7, 1))
    datetime.timedelta(seconds=7200)
    >>> time_zone("Nowhere/Bad", "program.tz")
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 1 invalid field: program.tz: ...
    """
    if isinstance(tz, tzinfo):
        return tz
    if isinstance(tz, str):
        zone = _ZONES.get(tz)
        if zone is None:
            try:
                zone = pendulum.timezone(tz)
            except (ValueError, LookupError, OSError):
                raise ValidationError.single(
                    path, "invalid", f"{tz!r} is not an IANA time zone (such as Europe/Paris)"
                ) from None
            _ZONES[tz] = zone
        return zone
    raise ValidationError.single(
        path, "invalid", f"expected an IANA time zone name or a tzinfo, got {type(tz).__name__}"
    )


def to_date(value: object, tz: tzinfo | str = "UTC", path: str = "date") -> date:
    """Return the business date of ``value``: a ``date`` as is, an aware datetime in ``tz``.

    Raises one :class:`ValidationError` naming ``path`` for a naive datetime,
    an instant whose date in ``tz`` (or in UTC) falls outside the years 1 to
    9999 (``out_of_range``) or anything else that is not a date, and ``tz``
    for a ``tz`` that is neither an IANA time zone name (``Europe/Paris``)
    nor a tzinfo.
    """
    problems: list[FieldError] = []
    result: date | None = None
    instant: pendulum.DateTime | None = None
    if isinstance(value, datetime):
        try:
            instant = aware(value, path)
        except ValidationError as exc:
            problems.extend(exc.errors)
    elif isinstance(value, date):
        result = value
    else:
        problems.append(
            FieldError(
                path,
                "invalid",
                f"expected a date or an aware datetime, got {type(value).__name__}",
            )
        )
    try:
        zone = time_zone(tz)
    except ValidationError as exc:
        problems.extend(exc.errors)
    if problems:
        raise ValidationError(problems)
    if instant is not None:
        try:
            local = instant.astimezone(zone)
        except OverflowError:
            raise ValidationError.single(
                path, "out_of_range", "the instant falls outside the years 1 to 9999 in that zone"
            ) from None
        return date(local.year, local.month, local.day)
    return cast(date, result)


def add_months(day: date, months: int, path: str = "day") -> date:
    """``day`` moved by ``months`` calendar months, clamped to the month's last day.

    partnerkit's one month arithmetic (term ends, review periods), done by
    dateutil's ``relativedelta``: 31 January plus one month is 28 (or 29)
    February. The result is a plain ``date`` (a datetime's time is dropped). A
    result outside the years 1 to 9999 is a :class:`ValidationError` at
    ``path`` (``out_of_range``); it is a ``ValueError`` too, as is a ``day``
    that is no date or ``months`` that are no whole number (``invalid``).

    >>> add_months(date(2026, 1, 31), 1), add_months(date(2024, 3, 31), -1)
    (datetime.date(2026, 2, 28), datetime.date(2024, 2, 29))
    """
    errors = ErrorCollector()
    if not isinstance(day, date):
        errors.add(path, "invalid", expected("a date", day))
    if isinstance(months, bool) or not isinstance(months, int):
        errors.add("months", "invalid", expected("a whole number", months))
    errors.raise_if_any()
    try:
        moved: date = day + relativedelta(months=months)
    except (ValueError, OverflowError):
        raise ValidationError.single(
            path,
            "out_of_range",
            f"{day} moved by {months} months falls outside the years 1 to 9999",
        ) from None
    return date(moved.year, moved.month, moved.day)
