"""Clocks for tests: one that stands still until told, one that moves on by itself."""

from __future__ import annotations

from datetime import datetime, timedelta

import pendulum

from partnerkit.core import aware
from partnerkit.core.errors import ValidationError

__all__ = ["AdvancingClock", "FixedClock"]


class FixedClock:
    """A clock that always says the same instant until :meth:`set` or :meth:`advance` moves it.

    >>> import pendulum
    >>> clock = FixedClock(pendulum.datetime(2026, 11, 23, 9, 30, tz="Europe/London"))
    >>> clock.now().isoformat()
    '2026-11-23T09:30:00+00:00'
    >>> clock.advance(days=1).isoformat()
    '2026-11-24T09:30:00+00:00'
    """

    __slots__ = ("_now",)

    def __init__(self, instant: datetime) -> None:
        self._now = aware(instant, "instant")

    def now(self) -> pendulum.DateTime:
        """Return the clock's instant."""
        return self._now

    def set(self, instant: datetime) -> None:
        """Move the clock to ``instant`` (aware)."""
        self._now = aware(instant, "instant")

    def advance(
        self, *, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0
    ) -> pendulum.DateTime:
        """Move the clock forward by the given amounts and return the new instant."""
        step = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        if step < timedelta(0):
            raise ValidationError.single("step", "out_of_range", "a clock only moves forward")
        self._now = self._now + step
        return self._now

    def __repr__(self) -> str:
        return f"FixedClock({self._now.isoformat()!r})"


class AdvancingClock:
    """A clock that moves forward by ``step`` each time it is read, starting at ``start``.

    >>> from datetime import timedelta
    >>> import pendulum
    >>> clock = AdvancingClock(pendulum.datetime(2026, 1, 1), step=timedelta(minutes=5))
    >>> [clock.now().strftime("%H:%M") for _ in range(3)]
    ['00:00', '00:05', '00:10']
    """

    __slots__ = ("_next", "_step")

    def __init__(self, start: datetime, step: timedelta = timedelta(seconds=1)) -> None:
        if step <= timedelta(0):
            raise ValidationError.single("step", "out_of_range", "the step must be positive")
        self._next = aware(start, "start")
        self._step = step

    def now(self) -> pendulum.DateTime:
        """Return the next instant and move on by one step."""
        current = self._next
        self._next = current + self._step
        return current

    def __repr__(self) -> str:
        return f"AdvancingClock({self._next.isoformat()!r}, step={self._step!r})"
