"""Activity sources: the deal and quote events the scoring engine counts, turned into activities.

:class:`DealActivities` and :class:`QuoteActivities` implement
:class:`~partnerkit.scoring.ActivitySource` over the events the deals and
quoting use cases record. A host subscribes them to its event dispatcher (or
runs them over stored events) and appends what they return to an activity
store.

A win is counted once: it is the order's
:class:`partnerkit.quoting.OrderSubmitted` (the one order event of the
deal-to-order process, :func:`partnerkit.services.submit_order`), which
:class:`QuoteActivities` reports, whether or not the order moved a deal
registration. :class:`DealActivities` reports the registration's own steps
(registered, approved, declined, lost), so a host wires both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import attrs

from partnerkit import deals, quoting
from partnerkit.core import ErrorCollector, Money, aware, time_zone, to_date
from partnerkit.core.errors import ValidationError
from partnerkit.scoring import ATTR_REGISTERED_ON, Activity, ActivityKind

__all__ = ["ATTR_ORDER_ID", "ATTR_REGISTRATION_ID", "DealActivities", "QuoteActivities"]

#: Attribute of every activity :class:`DealActivities` reports: the deal number.
ATTR_REGISTRATION_ID = "registration_id"

#: Attribute of a ``deal_won`` that :class:`QuoteActivities` reports: the order's id.
ATTR_ORDER_ID = "order_id"


def _required_text(errors: ErrorCollector, value: object, path: str) -> str:
    if not isinstance(value, str) or not value:
        errors.add(path, "required", f"the event needs {path} (a non-empty string)")
        return ""
    return value


def _instant(errors: ErrorCollector, value: object, path: str) -> datetime | None:
    return errors.check("", lambda: aware(value, path))


def _money(errors: ErrorCollector, value: object, path: str, *, required: bool) -> Money | None:
    if isinstance(value, Money):
        return value
    if value is None and not required:
        return None
    code = "required" if value is None else "invalid"
    errors.add(path, code, "expected Money" if required else "expected Money or None")
    return None


def _convert(
    events: Iterable[object], one: Callable[[object, ErrorCollector], Activity | None]
) -> list[Activity]:
    # Every event is checked before anything is returned, so one error names every bad
    # field of every bad event (``events.<index>.<field>``, counting from 0).
    out: list[Activity] = []
    errors = ErrorCollector()
    for i, event in enumerate(events):
        checks = ErrorCollector(f"events.{i}")
        activity = one(event, checks)
        if checks:
            errors.extend(ValidationError(checks.errors))
        elif activity is not None:
            out.append(activity)
    errors.raise_if_any()
    return out


# The deal events that are activities: their kind, the field holding their amount (if any),
# and whether their actor is the partner's user (only the registering one surely is).
_DEAL_KINDS: dict[type[deals.DealEvent], tuple[ActivityKind, str | None, bool]] = {
    deals.DealRegistered: (ActivityKind.DEAL_REGISTERED, "projected_value", True),
    deals.DealApproved: (ActivityKind.DEAL_APPROVED, None, False),
    deals.DealDeclined: (ActivityKind.DEAL_DECLINED, None, False),
    deals.DealLost: (ActivityKind.DEAL_LOST, "projected_value", False),
}


@attrs.frozen
class DealActivities:
    """The deals area's :class:`~partnerkit.scoring.ActivitySource`: a registration's steps.

    Each :mod:`partnerkit.deals` event below is one activity of the event's
    partner at its instant, with the deal number in
    :data:`ATTR_REGISTRATION_ID`:

    - ``DealRegistered``: ``deal_registered``, the projected value as its
      amount, the registering user as its user;
    - ``DealApproved``: ``deal_approved``, with ``registered_on`` (see below);
    - ``DealDeclined``: ``deal_declined``;
    - ``DealLost``: ``deal_lost``, the projected value as its amount.

    The win is the order's event, reported by :class:`QuoteActivities`.

    Only a registration names a user: the other steps may be taken by the
    vendor's staff or the policy, who are not the partner's users.
    ``registered_on`` is the registration instant's date in ``tz``, which
    must be the scoring plan's time zone: the engine then counts the whole
    calendar days from that date to the approval's date in the same zone
    (approved the day after registering: 1 day). It is left out for events
    recorded before ``DealApproved`` carried ``registered_at``: such an
    approval counts, but not in the median days to approval. Amounts keep
    the event's currency (the scoring plan refuses another currency). Other
    deal events (expired, withdrawn, extensions) and anything that is no
    deal event give nothing.

    Raises :class:`~partnerkit.core.errors.ValidationError` at ``tz`` for a
    name that is no IANA time zone.
    """

    #: The scoring plan's time zone (:attr:`ScoringPlan.tz <partnerkit.scoring.ScoringPlan>`).
    tz: str = "UTC"

    def __attrs_post_init__(self) -> None:
        time_zone(self.tz)

    def activities(self, events: Iterable[object]) -> list[Activity]:
        """The activities ``events`` stand for, in their order (none for the events it skips).

        Raises :class:`~partnerkit.core.errors.ValidationError` naming every
        bad field of every malformed deal event it reports
        (``events.3.partner_id``, counting from 0); nothing is returned then.
        """
        return _convert(events, self._one)

    def _one(self, event: object, errors: ErrorCollector) -> Activity | None:
        if not isinstance(event, deals.DealEvent):
            return None
        spec = next((_DEAL_KINDS[c] for c in type(event).__mro__ if c in _DEAL_KINDS), None)
        if spec is None:
            return None
        kind, amount_field, names_user = spec
        partner = _required_text(errors, event.partner_id, "partner_id")
        number = _required_text(errors, event.registration_id, "registration_id")
        at = _instant(errors, event.at, "at")
        amount = None
        if amount_field is not None:
            amount = _money(errors, getattr(event, amount_field), amount_field, required=False)
        user = _required_text(errors, event.actor, "actor") if names_user else None
        attributes = {ATTR_REGISTRATION_ID: number}
        if isinstance(event, deals.DealApproved) and event.registered_at is not None:
            registered = _instant(errors, event.registered_at, "registered_at")
            if registered is not None:
                attributes[ATTR_REGISTERED_ON] = to_date(registered, self.tz).isoformat()
        if errors or at is None:
            return None
        return Activity(partner, kind, at, user, amount, attributes)


@attrs.frozen
class QuoteActivities:
    """The quoting area's :class:`~partnerkit.scoring.ActivitySource`: orders of new business won.

    A :class:`partnerkit.quoting.OrderSubmitted` of new business is a
    ``deal_won`` of the order's partner at the event's instant, its amount
    the order's net total (what the partner pays the vendor), with the
    order's id in :data:`ATTR_ORDER_ID` and, when the order moved its deal
    registration to ORDER_SUBMITTED (``moved_registration``), the deal
    number in :data:`ATTR_REGISTRATION_ID`; no user and no ``motion`` (the
    engine reads it as new business). Each order is one win, whether or not
    a registration followed it. An order that ``renews`` a subscription
    gives nothing: a renewal keeps base revenue, it wins no new deal. Every
    other event gives nothing; an order of new business without its
    ``partner_id`` or ``net_total`` is malformed.
    """

    def activities(self, events: Iterable[object]) -> list[Activity]:
        """The activities ``events`` stand for, in their order (none for the events it skips).

        Raises :class:`~partnerkit.core.errors.ValidationError` naming every
        bad field of every malformed order it reports
        (``events.3.net_total``, counting from 0); nothing is returned then.
        """
        return _convert(events, self._one)

    def _one(self, event: object, errors: ErrorCollector) -> Activity | None:
        if not isinstance(event, quoting.OrderSubmitted):
            return None
        if event.renews is not None:
            return None
        partner = _required_text(errors, event.partner_id, "partner_id")
        order = _required_text(errors, event.order_id, "order_id")
        at = _instant(errors, event.at, "at")
        money = _money(errors, event.net_total, "net_total", required=True)
        if errors or at is None:
            return None
        attributes = {ATTR_ORDER_ID: order}
        if event.moved_registration and event.registration_id:
            attributes[ATTR_REGISTRATION_ID] = event.registration_id
        return Activity(partner, ActivityKind.DEAL_WON, at, None, money, attributes)
