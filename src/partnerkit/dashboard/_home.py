"""The partner's commercial home page: its customers, renewals coming up, open registrations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import attrs

from partnerkit.core import Money
from partnerkit.core._context import isolated
from partnerkit.core._validation import expected, is_day
from partnerkit.core.errors import ValidationError
from partnerkit.dashboard._model import RenewalDue, _annual
from partnerkit.dashboard._settings import DashboardSettings
from partnerkit.deals import DealRegistration, Prospect, Stage
from partnerkit.quoting import Order, OrderStatus, Quote, Subscription

__all__ = ["Customer", "OpenRegistration", "PartnerHome", "RenewalWindow", "partner_home"]

_OPEN = (Stage.OPPORTUNITY, Stage.APPROVED, Stage.ORDER_STARTED)


@attrs.frozen
class Customer:
    """A prospect that ordered through the partner: its orders, subscriptions, next renewal."""

    prospect_id: str
    name: str
    orders: tuple[tuple[str, OrderStatus], ...]
    subscriptions: tuple[tuple[str, date], ...]
    next_renewal: date | None


@attrs.frozen
class RenewalWindow:
    """The subscriptions ending within ``days`` days, with their open renewal quotes (by number)."""

    days: int
    renewals: tuple[RenewalDue, ...]
    quotes: tuple[tuple[str, str], ...]


@attrs.frozen
class OpenRegistration:
    """A registration still open: its stage and its next deadline (None without one)."""

    registration_id: str
    prospect_name: str
    stage: Stage
    deadline: date | None
    days_left: int | None


@attrs.frozen
class PartnerHome:
    """A partner's home page on ``as_of``; a part the reader may not see is None."""

    partner_id: str
    as_of: date
    customers: tuple[Customer, ...] | None
    renewals: tuple[RenewalWindow, ...] | None
    open_registrations: tuple[OpenRegistration, ...] | None


def _deadline(registration: DealRegistration) -> date | None:
    if registration.stage is Stage.OPPORTUNITY:
        return registration.review_due
    deadlines = registration.deadlines
    if deadlines is None:
        return None
    if registration.stage is Stage.APPROVED:
        return deadlines.order_start_due
    return deadlines.order_submit_due


@isolated
def partner_home(
    partner_id: str,
    as_of: date,
    *,
    currency: str,
    prospects: Iterable[Prospect] | None = (),
    orders: Iterable[Order] = (),
    subscriptions: Iterable[Subscription] = (),
    quotes: Iterable[Quote] = (),
    registrations: Iterable[DealRegistration] | None = (),
    settings: DashboardSettings | None = None,
) -> PartnerHome:
    """Build the home page of ``partner_id`` from its records (another partner's are ignored).

    ``prospects`` None leaves out the customers and renewals (a reader
    without ``view_customers``), ``registrations`` None the open
    registrations. Customers are the prospects with an order, by name;
    renewals fall into the settings' horizons (30/60/90 days by default,
    each window holding the renewals of the windows before it), with the
    draft or sent renewal quotes of their subscriptions; open registrations
    are soonest deadline first.
    """
    if not is_day(as_of):
        raise ValidationError.single("as_of", "invalid", expected("a date (not a datetime)", as_of))
    settings = DashboardSettings() if settings is None else settings
    customers: tuple[Customer, ...] | None = None
    windows: tuple[RenewalWindow, ...] | None = None
    if prospects is not None:
        names = {p.id: p.name for p in prospects}
        mine_orders = [o for o in orders if o.partner_id == partner_id]
        mine_subs = [s for s in subscriptions if s.partner_id == partner_id]
        by_prospect: dict[str, list[Order]] = {}
        for order in mine_orders:
            by_prospect.setdefault(order.prospect_id, []).append(order)
        subs_of: dict[str, list[Subscription]] = {}
        for subscription in mine_subs:
            subs_of.setdefault(subscription.prospect_id, []).append(subscription)
        found = []
        for prospect_id, placed in by_prospect.items():
            subs = sorted(subs_of.get(prospect_id, ()), key=lambda s: s.term_end)
            upcoming = [s.term_end for s in subs if s.term_end >= as_of]
            found.append(
                Customer(
                    prospect_id,
                    names.get(prospect_id, prospect_id),
                    tuple((o.number, o.status) for o in sorted(placed, key=lambda o: o.number)),
                    tuple((s.id, s.term_end) for s in subs),
                    min(upcoming) if upcoming else None,
                )
            )
        customers = tuple(sorted(found, key=lambda c: (c.name.casefold(), c.prospect_id)))
        open_quotes: dict[str, list[tuple[str, str]]] = {}
        for quote in quotes:
            if quote.partner_id == partner_id and quote.renews is not None and quote.status.open:
                open_quotes.setdefault(quote.renews, []).append((quote.renews, quote.number))
        horizon = max(settings.renewal_horizons)
        due = sorted(
            (
                RenewalDue(
                    s.id,
                    s.prospect_id,
                    s.term_end,
                    (s.term_end - as_of).days,
                    _annual(s, currency) if s.currency == currency else Money.zero(currency),
                )
                for s in mine_subs
                if 0 <= (s.term_end - as_of).days <= horizon
            ),
            key=lambda r: (r.term_end, r.subscription_id),
        )
        windows = tuple(
            RenewalWindow(
                days,
                tuple(r for r in due if r.days_left <= days),
                tuple(
                    q
                    for r in due
                    if r.days_left <= days
                    for q in open_quotes.get(r.subscription_id, [])
                ),
            )
            for days in settings.renewal_horizons
        )
    open_registrations: tuple[OpenRegistration, ...] | None = None
    if registrations is not None:
        rows = []
        for registration in registrations:
            if registration.partner_id != partner_id or registration.stage not in _OPEN:
                continue
            deadline = _deadline(registration)
            rows.append(
                OpenRegistration(
                    registration.id,
                    registration.prospect_name,
                    registration.stage,
                    deadline,
                    (deadline - as_of).days if deadline is not None else None,
                )
            )
        rows.sort(key=lambda r: (r.deadline or date.max, r.registration_id))
        open_registrations = tuple(rows)
    return PartnerHome(partner_id, as_of, customers, windows, open_registrations)
