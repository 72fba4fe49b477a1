"""How quotes, orders and subscriptions are stored: their specs and indexes."""

from __future__ import annotations

from partnerkit.quoting import Order, Quote, Subscription
from partnerkit.storage._ports import AggregateSpec, Index

__all__ = ["ORDERS", "QUOTES", "SUBSCRIPTIONS"]

#: Quotes by id; indexed by ``number`` (shared by a quote's revisions), ``partner_id``,
#: ``prospect_id``, ``registration_id``, ``status`` and ``renews``.
QUOTES: AggregateSpec[Quote] = AggregateSpec(
    "quotes",
    Quote,
    indexes=(
        Index("number", lambda q: q.number),
        Index("partner_id", lambda q: q.partner_id),
        Index("prospect_id", lambda q: q.prospect_id),
        Index("registration_id", lambda q: q.registration_id),
        Index("status", lambda q: q.status.value),
        Index("renews", lambda q: q.renews),
    ),
)

#: Orders by id; ``number`` and ``quote_id`` unique (one order per quote), ``partner_id``,
#: ``registration_id`` and ``status`` indexed.
ORDERS: AggregateSpec[Order] = AggregateSpec(
    "orders",
    Order,
    indexes=(
        Index("number", lambda o: o.number, unique=True),
        Index("quote_id", lambda o: o.quote_id, unique=True),
        Index("partner_id", lambda o: o.partner_id),
        Index("registration_id", lambda o: o.registration_id),
        Index("status", lambda o: o.status.value),
    ),
)

#: Subscriptions by id; ``order_id`` unique, ``partner_id`` indexed, ``term_end`` indexed as
#: its proleptic ordinal (``date.toordinal()``) for renewal listings.
SUBSCRIPTIONS: AggregateSpec[Subscription] = AggregateSpec(
    "subscriptions",
    Subscription,
    indexes=(
        Index("order_id", lambda s: s.order_id, unique=True),
        Index("partner_id", lambda s: s.partner_id),
        Index("term_end", lambda s: s.term_end.toordinal(), type=int),
    ),
)
