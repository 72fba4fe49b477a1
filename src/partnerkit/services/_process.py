"""The deal-to-order process: the one owner of what ties a deal registration to quotes and orders.

- :func:`quote_on_approval`: an approved registration gets its approval
  quote in the approving commit (a program with ``[pricing]``).
- :func:`reprice_on_leaving`: a registration that stops earning the reward
  margin (declined, expired, withdrawn, lost, or won by an order) takes it
  off its open quotes in the same commit, always.
- :func:`start_order` and :func:`submit_order`: an order is made from an
  accepted quote, and the registration the quote came from follows it
  (APPROVED to ORDER_STARTED, ORDER_STARTED to ORDER_SUBMITTED) in the same
  commit. Their events, :class:`partnerkit.quoting.OrderStarted` and
  :class:`partnerkit.quoting.OrderSubmitted`, are the one pair of order
  events; ``moved_registration`` says whether the registration moved.

The deals use cases call the first two; nothing here calls a deals or a
quoting use case.
"""

from __future__ import annotations

import functools
from datetime import date, datetime

import attrs

from partnerkit import quoting
from partnerkit.core import DomainEvent
from partnerkit.core.errors import ValidationError
from partnerkit.deals import DealRegistration, Stage
from partnerkit.partners import REGISTER_DEALS
from partnerkit.quoting import (
    Order,
    OrderStarted,
    OrderSubmitted,
    Quote,
    QuoteRepriced,
    Subscription,
    SubscriptionStarted,
)
from partnerkit.services._context import Context, load, use_case
from partnerkit.services._paging import every
from partnerkit.services._quote_steps import number, pricing_for, repricing_for, stage_new
from partnerkit.storage import DEAL_REGISTRATIONS, ORDERS, QUOTES, SUBSCRIPTIONS, UnitOfWork

__all__ = ["start_order", "submit_order"]

_PENDING = "S-pending"


def quote_on_approval(uow: UnitOfWork, ctx: Context, deal: DealRegistration) -> Quote | None:
    """Stage the approval quote of ``deal`` (just approved).

    None without ``[pricing]``, when no price book is in effect on the day,
    or when the day's book does not price the registered product (a product
    the vendor registers deals for but does not sell through quotes): the
    approval itself never fails for want of a price.
    """
    priced = pricing_for(uow, ctx, deal.partner_id)
    if priced is None or deal.product not in priced.book.skus:
        return None
    make = functools.partial(
        quoting.quote_from_registration,
        deal,
        priced.book,
        priced.margins,
        priced.as_of,
        tier=priced.tier,
    )
    return stage_new(uow, ctx, make)


def reprice_on_leaving(uow: UnitOfWork, ctx: Context, deal: DealRegistration) -> list[Quote]:
    """Take the reward margin off the open quotes of ``deal`` once it no longer earns it.

    Draft and sent quotes are repriced on their own price book and pricing
    date, so only the reward margin changes (no book needs to be in effect
    today); accepted ones keep their prices. Records
    :class:`~partnerkit.quoting.QuoteRepriced` per changed quote. Nothing
    happens while the registration still earns the margin, or in a program
    without ``[pricing]``.
    """
    if deal.earns_reward_margin or ctx.program.pricing is None:
        return []
    repository = uow.repository(QUOTES)
    open_quotes = {"registration_id": deal.id, "status": ["draft", "sent"]}
    now = ctx.now()
    changed: list[tuple[Quote, Quote]] = []
    for quote in list(every(repository, open_quotes, limit=200)):
        priced = repricing_for(uow, ctx, quote)
        new = quoting.reprice(
            quote,
            priced.book,
            priced.margins,
            as_of=priced.as_of,
            actor=ctx.actor.user_id,
            at=now,
            tier=priced.tier,
            registration=deal,
        )
        if new is not quote:
            changed.append((quote, new))
    stored = []
    for old, new in changed:
        saved = repository.save(new)
        uow.record(QuoteRepriced(saved.id, old.net_total, saved.net_total, ctx.actor.user_id, now))
        stored.append(saved)
    return stored


def save_leaving(
    uow: UnitOfWork, ctx: Context, step: tuple[DealRegistration, DomainEvent]
) -> DealRegistration:
    """Stage a registration step that may end its reward margin, its event, and the repricing.

    For the steps that close a registration (declined, withdrawn, lost,
    expired): the registration and its open quotes change in one commit.
    """
    deal, event = step
    stored = uow.repository(DEAL_REGISTRATIONS).save(deal)
    uow.record(event)
    reprice_on_leaving(uow, ctx, stored)
    return stored


def _follower(
    uow: UnitOfWork, ctx: Context, registration_id: str | None, stage: Stage
) -> DealRegistration | None:
    """The deal registration an order moves: ``registration_id`` if it is at ``stage``, else None.

    A registration past its deadline for the step is expired here, in the
    order's commit (its open quotes lose the reward margin), and does not
    move: whether an order moves its registration never depends on whether
    the nightly :func:`~partnerkit.services.expire_due` has run yet.
    """
    if registration_id is None:
        return None
    deal = uow.repository(DEAL_REGISTRATIONS).find(registration_id)
    if deal is None or deal.stage != stage:
        return None
    reason = deal.due_expiry(ctx.today())
    if reason is None:
        return deal
    save_leaving(uow, ctx, deal.expire(ctx.actor.user_id, ctx.now(), reason))
    return None


@use_case
def start_order(uow: UnitOfWork, ctx: Context, quote_id: str) -> Order:
    """Start an order (number and id ``O-<year>-NNNNNN``) from an accepted quote.

    Needs ``register_deals`` on the quote's partner. The order keeps the
    quote's prices. When the quote came from an APPROVED deal registration,
    the registration moves to ORDER_STARTED in the same commit; one past its
    order-start date is expired instead (what the nightly sweep would do) and
    the order starts without it. One order per quote: a second one raises
    :class:`~partnerkit.core.errors.Conflict`. Records
    :class:`~partnerkit.quoting.OrderStarted`. Raises
    :class:`~partnerkit.core.errors.NotFound`,
    :class:`~partnerkit.core.errors.PermissionDenied` or
    :class:`~partnerkit.core.errors.InvalidTransition`; nothing is written then.
    """
    quote = load(uow, ctx, QUOTES, quote_id, REGISTER_DEALS)
    now = ctx.now()
    user = ctx.actor.user_id
    order = quoting.start_order(quote, id="O-pending", number="O-pending", actor=user, at=now)
    deal = _follower(uow, ctx, quote.registration_id, Stage.APPROVED)
    moved = deal.start_order(user, now) if deal is not None else None
    numbered = number(uow, "O", now.year)
    order = attrs.evolve(order, id=numbered, number=numbered, moved_registration=moved is not None)
    stored = uow.repository(ORDERS).add(order)
    if moved is not None:
        uow.repository(DEAL_REGISTRATIONS).save(moved)
    uow.record(
        OrderStarted(
            stored.id,
            quote.id,
            quote.registration_id,
            user,
            now,
            stored.partner_id,
            moved is not None,
        )
    )
    return stored


def _term_start(value: object, default: date) -> date:
    if value is None:
        return default
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError.single("term_start", "invalid", "expected a date")
    return date(value.year, value.month, value.day)  # a plain date, also from pendulum


@use_case
def submit_order(
    uow: UnitOfWork,
    ctx: Context,
    order_id: str,
    *,
    purchase_order: str,
    term_start: date | None = None,
) -> tuple[Order, Subscription | None]:
    """Submit a started order with the customer's PO number and start its subscription.

    Needs ``register_deals`` on the order's partner. The subscription (id
    ``S-<year>-NNNNNN``) covers the order's recurring lines from
    ``term_start`` (default: the program's date); an order of flat lines
    only starts none. A deal registration in ORDER_STARTED that the order
    came from moves to ORDER_SUBMITTED in the same commit, worth the
    order's net total, and its other open quotes lose the reward margin; one
    past its order-submission date is expired instead. Only the order that
    moved the registration at its start moves it on (``Order.moved_registration``). Records
    :class:`~partnerkit.quoting.OrderSubmitted` (its ``moved_registration``
    says whether the registration moved: the win of a registered deal) and
    :class:`~partnerkit.quoting.SubscriptionStarted`.
    Every argument is checked before anything is written. Raises
    :class:`~partnerkit.core.errors.NotFound`,
    :class:`~partnerkit.core.errors.InvalidTransition` or
    :class:`ValidationError` (``purchase_order``, ``term_start``).
    """
    order = load(uow, ctx, ORDERS, order_id, REGISTER_DEALS)
    now = ctx.now()
    user = ctx.actor.user_id
    submitted = quoting.submit_order(order, purchase_order=purchase_order, actor=user, at=now)
    start = _term_start(term_start, ctx.today())
    try:
        subscription = quoting.subscription_for_order(submitted, id=_PENDING, term_start=start)
    except (ValueError, OverflowError):
        raise ValidationError.single(
            "term_start", "out_of_range", "the subscription's term would run past year 9999"
        ) from None
    # Only the order that moved its registration to ORDER_STARTED moves it on.
    follows = submitted.registration_id if submitted.moved_registration else None
    deal = _follower(uow, ctx, follows, Stage.ORDER_STARTED)
    moved = deal.submit_order(user, now) if deal is not None else None
    quote = uow.repository(QUOTES).find(submitted.quote_id)
    stored = uow.repository(ORDERS).save(submitted)
    if moved is not None:
        won = uow.repository(DEAL_REGISTRATIONS).save(moved)
        reprice_on_leaving(uow, ctx, won)  # a won registration's other open quotes
    uow.record(
        OrderSubmitted(
            stored.id,
            stored.purchase_order or "",
            stored.registration_id,
            user,
            now,
            stored.partner_id,
            stored.net_total,
            quote.renews if quote is not None else None,
            moved is not None,
        )
    )
    if subscription is not None:
        subscription = attrs.evolve(subscription, id=number(uow, "S", now.year))
        subscription = uow.repository(SUBSCRIPTIONS).add(subscription)
        uow.record(
            SubscriptionStarted(
                subscription.id,
                stored.id,
                subscription.term_start,
                subscription.term_end,
                user,
                now,
            )
        )
    return stored, subscription
