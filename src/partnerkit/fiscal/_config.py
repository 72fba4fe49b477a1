"""Reading a fiscal calendar from a Program's settings (a TOML table or a dict), and back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from partnerkit.core import ConfigReader
from partnerkit.fiscal._calendar import FiscalCalendar
from partnerkit.fiscal._monthly import MonthlyFiscalCalendar
from partnerkit.fiscal._weeks import WeekFiscalCalendar

__all__ = ["calendar_from_dict", "calendar_to_dict", "read_calendar"]

# Settings per kind: (key, default); a default of _REQUIRED means the key must be given,
# and the placeholder lets the other settings still be checked when it is missing.
_REQUIRED: Any = object()
_KINDS: dict[str, tuple[type[FiscalCalendar], tuple[tuple[str, object, object], ...]]] = {
    "monthly": (
        MonthlyFiscalCalendar,
        (
            ("start_month", _REQUIRED, 1),
            ("start_day", 1, None),
            ("naming", "end", None),
            ("tz", "UTC", None),
            ("week_start", None, None),
        ),
    ),
    "week": (
        WeekFiscalCalendar,
        (
            ("end_month", _REQUIRED, 12),
            ("end_weekday", _REQUIRED, 6),
            ("rule", "last", None),
            ("pattern", "4-4-5", None),
            ("extra_week_quarter", 4, None),
            ("naming", "end", None),
            ("tz", "UTC", None),
        ),
    ),
}


def calendar_from_dict(data: Mapping[str, object], path: str = "fiscal") -> FiscalCalendar:
    """Build a calendar from a Program's ``[fiscal]`` settings.

    ``kind`` is ``"monthly"`` (keys ``start_month``, ``start_day``, ``naming``,
    ``tz``, ``week_start``) or ``"week"`` (keys ``end_month``,
    ``end_weekday``, ``rule``, ``pattern``, ``extra_week_quarter``,
    ``naming``, ``tz``); the keys mean what the calendar constructors'
    arguments mean, and ``pattern`` may be ``"4-4-5"`` or ``[4, 4, 5]``.
    Raises one :class:`~partnerkit.core.errors.ValidationError` naming every
    bad, missing or unknown key by its dotted path under ``path``
    (``fiscal.start_month``), with codes ``required``, ``invalid``,
    ``invalid_choice``, ``out_of_range`` and ``unknown``.

    >>> calendar_from_dict({"kind": "monthly", "start_month": 7})
    MonthlyFiscalCalendar(start_month=7, start_day=1, naming='end', tz='UTC')
    >>> calendar_from_dict({"kind": "week", "end_month": 13, "end_weekday": 9, "color": 1})
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 3 invalid fields: fiscal.end_month: ...
    """
    reader = ConfigReader(data, path)
    calendar = read_calendar(reader)
    reader.errors.raise_if_any()
    assert calendar is not None
    return calendar


def read_calendar(reader: ConfigReader) -> FiscalCalendar | None:
    """Read a calendar from the table ``reader`` holds, recording problems instead of raising.

    For a loader that reads a whole Program with one :class:`ConfigReader`
    tree and raises once at the end: pass ``root.table("fiscal")``. Every bad,
    missing or unknown key goes into the reader's error collector (the same
    paths and codes as :func:`calendar_from_dict`); returns the calendar, or
    None when this table had errors.

    >>> from partnerkit.core import ConfigReader
    >>> root = ConfigReader({"fiscal": {"kind": "monthly", "start_month": 0}, "tiers": []})
    >>> read_calendar(root.table("fiscal")) is None, root.errors.paths
    (True, ('fiscal.start_month',))
    """
    before = len(reader.errors.errors)
    kind = reader.str("kind", choices=tuple(_KINDS))
    if kind not in _KINDS:
        reader.finish(allow_unknown=True, raise_errors=False)
        return None
    factory: Any
    factory, keys = _KINDS[kind]
    arguments: dict[str, object] = {}
    for key, default, placeholder in keys:
        if default is _REQUIRED and not reader.has(key):
            reader.raw(key)
            arguments[key] = placeholder
        else:
            arguments[key] = reader.raw(key, default)
    calendar: FiscalCalendar | None = None
    with reader.errors.catch(reader.path):
        calendar = factory(**arguments)
    reader.finish(raise_errors=False)
    return calendar if len(reader.errors.errors) == before else None


def calendar_to_dict(calendar: FiscalCalendar) -> dict[str, object]:
    """Return the settings of ``calendar`` as a dict that :func:`calendar_from_dict` reads.

    >>> calendar_to_dict(WeekFiscalCalendar(end_month=1, end_weekday=5, rule="nearest"))["rule"]
    'nearest'
    """
    return calendar.to_dict()
