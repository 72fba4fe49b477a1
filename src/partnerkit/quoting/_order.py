"""Orders started from accepted quotes, subscriptions from submitted orders, and renewals."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import attrs

from partnerkit.core import Money, aware
from partnerkit.core._context import isolated
from partnerkit.core._time import add_months as _add_months
from partnerkit.core.errors import InvalidTransition, ValidationError
from partnerkit.locale import N_
from partnerkit.quoting._catalog import BillingUnit, PriceBook
from partnerkit.quoting._margin import MarginPolicy
from partnerkit.quoting._pricing import LineRequest, QuoteLine
from partnerkit.quoting._quote import Quote, QuoteStatus, new_quote
from partnerkit.quoting._registration import RegistrationLike
from partnerkit.tiers import Tier

__all__ = [
    "ORDER_STATUS_LABELS",
    "Order",
    "OrderChange",
    "OrderStatus",
    "Subscription",
    "add_months",
    "renewal_quote",
    "renewals_due",
    "start_order",
    "submit_order",
    "subscription_for_order",
]

_MAX_PO = 64


class OrderStatus(enum.Enum):
    """Where an order is: started from an accepted quote, or submitted (the customer confirmed)."""

    STARTED = "started"
    SUBMITTED = "submitted"


#: English labels (gettext msgids) of the order statuses.
ORDER_STATUS_LABELS: dict[OrderStatus, str] = {
    OrderStatus.STARTED: N_("Order started"),
    OrderStatus.SUBMITTED: N_("Order submitted"),
}


@attrs.frozen
class OrderChange:
    """One recorded change of an order: from which status to which, by whom and when."""

    from_status: OrderStatus | None
    to_status: OrderStatus
    actor: str
    at: datetime


@attrs.frozen
class Order:
    """An order placed from an accepted quote; it keeps the quote's lines and totals unchanged.

    ``purchase_order`` is the customer's purchase-order number, set on
    submission. ``moved_registration`` is true when starting this order
    moved its deal registration from APPROVED to ORDER_STARTED: only such an
    order moves the registration on to ORDER_SUBMITTED (another order of the
    same registration, or one started after it moved on, is an order of its
    own).
    """

    id: str
    number: str
    quote_id: str
    partner_id: str
    prospect_id: str
    registration_id: str | None
    currency: str
    lines: tuple[QuoteLine, ...]
    list_total: Money
    promotion: Money
    partner_margin: Money
    reward_margin: Money
    net_total: Money
    customer_price: Money
    status: OrderStatus
    purchase_order: str | None = None
    history: tuple[OrderChange, ...] = ()
    moved_registration: bool = False
    version: int = 0


def start_order(quote: Quote, *, id: str, number: str, actor: str, at: datetime) -> Order:
    """Start an order from an ACCEPTED quote, copying its lines and totals exactly.

    Raises :class:`InvalidTransition` when the quote is not accepted. Moving
    the registration to ORDER_STARTED is the deals services' job.
    """
    at = aware(at, "at")
    if quote.status is not QuoteStatus.ACCEPTED:
        raise InvalidTransition(
            "quote", quote.id, quote.status.value, "order_started", "only accepted quotes order"
        )
    return Order(
        id,
        number,
        quote.id,
        quote.partner_id,
        quote.prospect_id,
        quote.registration_id,
        quote.currency,
        quote.lines,
        quote.list_total,
        quote.promotion,
        quote.partner_margin,
        quote.reward_margin,
        quote.net_total,
        quote.customer_price,
        OrderStatus.STARTED,
        history=(OrderChange(None, OrderStatus.STARTED, actor, at),),
    )


def submit_order(order: Order, *, purchase_order: str, actor: str, at: datetime) -> Order:
    """Submit a started order with the customer's purchase-order number (1-64 characters).

    Surrounding spaces are stripped. Raises :class:`ValidationError`
    (``purchase_order``) for an empty or too long number and
    :class:`InvalidTransition` for an order already submitted.
    """
    at = aware(at, "at")
    if not isinstance(purchase_order, str) or not purchase_order.strip():
        raise ValidationError.single("purchase_order", "required", "give the PO number")
    purchase_order = purchase_order.strip()
    if len(purchase_order) > _MAX_PO:
        raise ValidationError.single(
            "purchase_order", "out_of_range", f"at most {_MAX_PO} characters"
        )
    if order.status is not OrderStatus.STARTED:
        raise InvalidTransition(
            "order", order.id, order.status.value, "submitted", "the order is already submitted"
        )
    change = OrderChange(order.status, OrderStatus.SUBMITTED, actor, at)
    return attrs.evolve(
        order,
        status=OrderStatus.SUBMITTED,
        purchase_order=purchase_order,
        history=(*order.history, change),
    )


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the month's last day.

    A result outside the years 1 to 9999 is a
    :class:`~partnerkit.core.errors.ValidationError` at ``day``
    (``out_of_range``), which is a ``ValueError`` too.

    >>> from datetime import date
    >>> add_months(date(2026, 1, 31), 1)
    datetime.date(2026, 2, 28)
    """
    return _add_months(day, months)


@attrs.frozen
class Subscription:
    """What a submitted order's recurring lines run as: a term from ``term_start`` to ``term_end``.

    ``term_end`` is the last day covered (inclusive): ``term_start`` plus the
    longest line term in months, minus one day. ``lines`` keep the order's
    prices; :func:`renewal_quote` prices the next term.
    """

    id: str
    order_id: str
    quote_id: str
    partner_id: str
    prospect_id: str
    currency: str
    lines: tuple[QuoteLine, ...]
    term_start: date
    term_end: date
    version: int = 0

    @property
    def term_months(self) -> int:
        """The longest line term, in months."""
        return max(line.term_months for line in self.lines)


def subscription_for_order(order: Order, *, id: str, term_start: date) -> Subscription | None:
    """The subscription a SUBMITTED order starts, or None when it has no recurring lines.

    Raises :class:`InvalidTransition` when the order is not submitted.
    """
    if order.status is not OrderStatus.SUBMITTED:
        raise InvalidTransition(
            "order", order.id, order.status.value, "subscribed", "submit the order first"
        )
    lines = tuple(line for line in order.lines if line.billing_unit is not BillingUnit.FLAT)
    if not lines:
        return None
    months = max(line.term_months for line in lines)
    return Subscription(
        id,
        order.id,
        order.quote_id,
        order.partner_id,
        order.prospect_id,
        order.currency,
        lines,
        term_start,
        add_months(term_start, months) - timedelta(days=1),
    )


def renewals_due(
    subscriptions: Iterable[Subscription], as_of: date, within_days: int
) -> list[Subscription]:
    """The subscriptions whose term ends from ``as_of`` to ``as_of + within_days``, soonest first.

    Ties are ordered by id. ``within_days`` must be 0-3660.
    """
    if isinstance(within_days, bool) or not isinstance(within_days, int):
        raise ValidationError.single("within_days", "invalid", "expected an integer")
    if not 0 <= within_days <= 3660:
        raise ValidationError.single("within_days", "out_of_range", "between 0 and 3660 days")
    last = as_of + timedelta(days=within_days)
    due = [s for s in subscriptions if as_of <= s.term_end <= last]
    due.sort(key=lambda s: (s.term_end, s.id))
    return due


@isolated
def renewal_quote(
    subscription: Subscription,
    price_book: PriceBook,
    policy: MarginPolicy,
    as_of: date,
    *,
    id: str,
    number: str,
    actor: str,
    at: datetime,
    tier: Tier | None = None,
    registration: RegistrationLike | None = None,
) -> Quote:
    """A draft quote for the next term of ``subscription`` at today's prices and margins.

    Same products, quantities and terms; prices come from ``price_book`` on
    ``as_of`` and margins from ``policy`` and the partner's current ``tier``.
    The quote's ``renews`` names the subscription. Raises as :func:`new_quote`.
    """
    return new_quote(
        [LineRequest(line.sku, line.quantity, line.term_months) for line in subscription.lines],
        price_book,
        policy,
        id=id,
        number=number,
        partner_id=subscription.partner_id,
        prospect_id=subscription.prospect_id,
        as_of=as_of,
        actor=actor,
        at=at,
        tier=tier,
        registration=registration,
        renews=subscription.id,
    )
