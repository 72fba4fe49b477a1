"""Activities: the dated facts a partner is scored on (logins, deals, certifications, ...)."""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping
from datetime import date, datetime, tzinfo
from typing import Protocol, runtime_checkable

import attrs

from partnerkit.core import ErrorCollector, Money, aware, to_date
from partnerkit.core.errors import CurrencyMismatch

__all__ = [
    "ATTR_MOTION",
    "ATTR_REGISTERED_ON",
    "Activity",
    "ActivityKind",
    "ActivityRow",
    "ActivitySource",
    "activity_row",
]

#: Attribute of a ``deal_won`` activity saying whether its ARR is ``"new"`` or ``"upsell"``.
ATTR_MOTION = "motion"

#: Attribute of a ``deal_approved`` activity: the ISO date the deal was registered on.
ATTR_REGISTERED_ON = "registered_on"


class ActivityKind(str, enum.Enum):
    """The built-in kinds of activity; hosts may use any other lower-case string as a kind.

    Members compare equal to their string values (``ActivityKind.LOGIN == "login"``).
    """

    LOGIN = "login"
    CONTENT_VIEW = "content_view"
    COMMUNICATION = "communication"
    CAMPAIGN_ENGAGED = "campaign_engaged"
    TRAINING_COMPLETED = "training_completed"
    CERTIFICATION_EARNED = "certification_earned"
    DEAL_REGISTERED = "deal_registered"
    DEAL_APPROVED = "deal_approved"
    DEAL_DECLINED = "deal_declined"
    DEAL_WON = "deal_won"
    DEAL_LOST = "deal_lost"

    def __str__(self) -> str:
        return self.value


def _kind(value: object) -> str:
    if isinstance(value, ActivityKind):
        return value.value
    return value  # type: ignore[return-value]  # checked in __attrs_post_init__


def is_kind(value: object) -> bool:
    """Whether ``value`` can be an activity kind: a non-empty, lower-case, stripped string."""
    return isinstance(value, str) and bool(value) and value == value.strip().lower()


def _attributes(value: object) -> dict[str, str]:
    if isinstance(value, Mapping):
        return dict(value)
    return value  # type: ignore[return-value]  # checked in __attrs_post_init__


@attrs.frozen
class Activity:
    """One thing a partner (or one of its users) did, at an aware instant.

    ``kind`` is an :class:`ActivityKind` or a host's own lower-case kind
    (stored as its string value). ``amount`` is the deal value for deal
    activities (sourced revenue and ARR are sums of ``deal_won`` amounts).
    ``attributes`` are string pairs; the built-in KPIs read
    :data:`ATTR_MOTION` on ``deal_won`` and :data:`ATTR_REGISTERED_ON` on
    ``deal_approved``. Raises :class:`~partnerkit.core.errors.ValidationError`
    naming every bad field; naive datetimes are refused.

    >>> from datetime import datetime, timezone
    >>> a = Activity("p-1", ActivityKind.LOGIN, datetime(2026, 5, 4, 9, tzinfo=timezone.utc), "u-7")
    >>> a.kind, a.user_id
    ('login', 'u-7')
    """

    partner_id: str
    kind: str = attrs.field(converter=_kind)
    at: datetime
    user_id: str | None = None
    amount: Money | None = None
    attributes: Mapping[str, str] = attrs.field(factory=dict, converter=_attributes, hash=False)

    def __attrs_post_init__(self) -> None:
        errors = ErrorCollector()
        if not isinstance(self.partner_id, str) or not self.partner_id:
            errors.add("partner_id", "required", "the partner id must be a non-empty string")
        kind = self.kind
        if not is_kind(kind):
            errors.add("kind", "invalid", "a kind is a non-empty lower-case string")
        at = errors.check("", lambda: aware(self.at, "at"))
        if at is not None:
            object.__setattr__(self, "at", at)
        if self.user_id is not None and (not isinstance(self.user_id, str) or not self.user_id):
            errors.add("user_id", "invalid", "the user id must be a non-empty string or None")
        if self.amount is not None and not isinstance(self.amount, Money):
            errors.add("amount", "invalid", "the amount must be Money or None")
        if not isinstance(self.attributes, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.attributes.items()
        ):
            errors.add("attributes", "invalid", "attributes map strings to strings")
        elif kind == ActivityKind.DEAL_WON.value and self.attributes.get(ATTR_MOTION) not in (
            None,
            "new",
            "upsell",
        ):
            errors.add(f"attributes.{ATTR_MOTION}", "invalid_choice", "use 'new' or 'upsell'")
        elif kind == ActivityKind.DEAL_APPROVED.value and ATTR_REGISTERED_ON in self.attributes:
            try:
                date.fromisoformat(self.attributes[ATTR_REGISTERED_ON])
            except ValueError:
                errors.add(f"attributes.{ATTR_REGISTERED_ON}", "invalid", "expected an ISO date")
        errors.raise_if_any()


ActivityRow = (
    tuple[str, str, int | date, int | None, str | None]
    | tuple[str, str, int | date, int | None, str | None, str | int | None]
)
"""The plain-tuple form the batch engine reads fastest.

``(partner_id, kind, day, amount_minor_units, user_id[, detail])``: ``day``
is a ``date`` or its ``toordinal()``; the amount is an integer count of
minor units of the scoring currency or None; ``detail`` is the ARR motion
(``"new"``/``"upsell"``, None for new) of a ``deal_won`` or the whole days from
registration to approval (an int >= 0, or None) of a ``deal_approved``, and
None on other kinds.
"""


def activity_row(
    activity: Activity, tz: str = "UTC", currency: str | None = None
) -> tuple[str, str, int, int | None, str | None, str | int | None]:
    """Turn an :class:`Activity` into the batch engine's 6-tuple (see :data:`ActivityRow`).

    The day is the activity's date in ``tz``. With ``currency``, an amount in
    another currency raises :class:`~partnerkit.core.errors.CurrencyMismatch`.

    >>> from datetime import datetime, timezone
    >>> from partnerkit.core import Money
    >>> activity_row(Activity("p-1", "deal_won", datetime(2026, 1, 2, tzinfo=timezone.utc),
    ...     amount=Money("1200.50", "EUR"), attributes={"motion": "upsell"}), currency="EUR")
    ('p-1', 'deal_won', 739618, 120050, None, 'upsell')
    """
    at = activity.at
    day = _day(at, at.fold, tz)
    amount: int | None = None
    if activity.amount is not None:
        money = activity.amount
        if currency is not None and money.currency != currency:
            raise CurrencyMismatch(currency, money.currency, "score")
        amount = _minor_units(money)
    detail: str | int | None = None
    if activity.kind == "deal_won":
        detail = activity.attributes.get(ATTR_MOTION, "new")
    elif activity.kind == "deal_approved" and ATTR_REGISTERED_ON in activity.attributes:
        registered = date.fromisoformat(activity.attributes[ATTR_REGISTERED_ON])
        detail = max(0, day - registered.toordinal())
    return (activity.partner_id, activity.kind, day, amount, activity.user_id, detail)


@functools.lru_cache(maxsize=4096)
def _day(at: datetime, fold: int, tz: str | tzinfo) -> int:
    """The day (ordinal) of instant ``at`` in ``tz``, once per instant (activities share many).

    Equal datetimes with the same ``fold`` are the same instant: in one zone,
    the two instants of a repeated wall time compare equal and differ in
    ``fold``; across zones, equal means the same instant. (Asking for the
    offset instead cost a call into the zone per activity.)
    """
    return to_date(at, tz).toordinal()


@functools.lru_cache(maxsize=4096)
def _minor_units(amount: Money) -> int:
    """``amount`` rounded, in minor units, once per amount (equal amounts round alike)."""
    return amount.round().minor_units


@runtime_checkable
class ActivitySource(Protocol):
    """Anything that turns its own events into activities.

    :class:`partnerkit.services.DealActivities` implements it over the deal
    registration events (registrations, approvals, declines, losses) and
    :class:`partnerkit.services.QuoteActivities` over the quoting events
    (every submitted order of new business is a win, whether or not it moved
    a registration); a host implements
    it over its portal's login and content logs. The host calls
    :meth:`activities` with the events its dispatcher publishes (or that it
    stored) and feeds the result to an activity store or straight to the
    batch engine.
    """

    def activities(self, events: Iterable[object]) -> Iterable[Activity]:
        """Yield the activities that ``events`` stand for (none for events it does not know).

        Raises:
            ValidationError: an event it knows is malformed.

        """
        ...
