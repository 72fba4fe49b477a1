"""Clocks and the rule that instants are timezone-aware."""

from __future__ import annotations

from datetime import date, datetime, timezone, tzinfo
from typing import Protocol, runtime_checkable

import pendulum

from partnerkit.core.errors import ValidationError

__all__ = ["Clock", "SystemClock", "aware", "to_date"]


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


def aware(value: object, path: str = "at") -> pendulum.DateTime:
    """Return ``value`` as an aware pendulum ``DateTime``; refuse naive datetimes and non-datetimes.

    Raises :class:`ValidationError` naming ``path``.

    >>> aware(datetime(2026, 1, 1, 12, tzinfo=pendulum.UTC)).isoformat()
    '2026-01-01T12:00:00+00:00'
    >>> aware(datetime(2026, 1, 1, 12))
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 1 invalid field: at: naive datetime ...
    """
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
    local = pendulum.instance(value)
    zone = local.timezone
    same_wall_time = local.replace(tzinfo=None) == value.replace(tzinfo=None)
    if zone is None or (same_wall_time and local.utcoffset() == value.utcoffset()):
        return local
    # A wall time skipped by a DST change: pendulum.instance() read it as another
    # instant, an hour off. Keep the instant the datetime denotes.
    return pendulum.instance(value.astimezone(timezone.utc)).in_timezone(zone)


def to_date(value: object, tz: tzinfo | str = "UTC", path: str = "date") -> date:
    """Return the business date of ``value``: a ``date`` as is, an aware datetime in ``tz``.

    Naive datetimes are refused with a :class:`ValidationError` naming ``path``.
    """
    if isinstance(value, datetime):
        instant = aware(value, path)
        zone = pendulum.timezone(tz) if isinstance(tz, str) else tz
        local = instant.astimezone(zone)
        return date(local.year, local.month, local.day)
    if isinstance(value, date):
        return value
    raise ValidationError.single(
        path, "invalid", f"expected a date or an aware datetime, got {type(value).__name__}"
    )
