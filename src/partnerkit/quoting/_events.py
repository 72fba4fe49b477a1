"""Domain events of quoting: quotes created, changed and repriced; orders; subscriptions."""

from __future__ import annotations

from datetime import date, datetime

import attrs

from partnerkit.core import DomainEvent, Money

__all__ = [
    "OrderStarted",
    "OrderSubmitted",
    "QuoteCreated",
    "QuoteRepriced",
    "QuoteStatusChanged",
    "SubscriptionStarted",
]


@attrs.frozen
class QuoteCreated(DomainEvent):
    """A quote (or a new revision of one) was created."""

    quote_id: str
    number: str
    revision: int
    partner_id: str
    prospect_id: str
    registration_id: str | None
    net_total: Money
    actor: str
    at: datetime


@attrs.frozen
class QuoteStatusChanged(DomainEvent):
    """A quote moved from one status to another (sent, accepted, expired, superseded)."""

    quote_id: str
    from_status: str
    to_status: str
    actor: str
    at: datetime


@attrs.frozen
class QuoteRepriced(DomainEvent):
    """An open quote's prices changed (for example the reward margin was dropped)."""

    quote_id: str
    from_net_total: Money
    to_net_total: Money
    actor: str
    at: datetime


@attrs.frozen
class OrderStarted(DomainEvent):
    """An order was started from an accepted quote.

    ``partner_id`` is the order's; ``moved_registration`` is true when the
    order moved its deal registration from APPROVED to ORDER_STARTED in the
    same commit. Both are None on events recorded before they were carried.
    """

    order_id: str
    quote_id: str
    registration_id: str | None
    actor: str
    at: datetime
    partner_id: str | None = None
    moved_registration: bool | None = None


@attrs.frozen
class OrderSubmitted(DomainEvent):
    """An order was submitted with the customer's purchase-order number.

    ``partner_id`` and ``net_total`` are the order's, and ``renews`` names
    the subscription its quote renews (None for new business); the three
    are None on events recorded before they were carried.
    ``moved_registration`` is true when the order moved its deal
    registration to ORDER_SUBMITTED in the same commit (the registration
    records no event of its own for that step: this event is the win of the
    registered deal), false when it has none or the registration was not in
    ORDER_STARTED (declined, lost, expired, or not yet approved), and None
    on events recorded before it was carried.
    """

    order_id: str
    purchase_order: str
    registration_id: str | None
    actor: str
    at: datetime
    partner_id: str | None = None
    net_total: Money | None = None
    renews: str | None = None
    moved_registration: bool | None = None


@attrs.frozen
class SubscriptionStarted(DomainEvent):
    """A submitted order started a subscription term."""

    subscription_id: str
    order_id: str
    term_start: date
    term_end: date
    actor: str
    at: datetime
