"""Use cases for quotes and renewals: create, revise, send, accept, expire, list renewals.

Every one has the shape ``name(uow, ctx, ...)`` and follows the rules of
:mod:`partnerkit.services`. Quotes are priced with the program's
``[pricing]``: its price book in the program's currency on the program's
date, its margin policy, and the tier the partner holds. Quotes, orders and
renewal quotes need ``register_deals`` on the partner, the renewals listing
``view_customers``; another partner's quote or subscription is
:class:`~partnerkit.core.errors.NotFound`. Orders, and what a quote's deal
registration does to it, are the deal-to-order process's
(:func:`partnerkit.services.start_order`, :func:`partnerkit.services.submit_order`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import timedelta

from partnerkit import quoting
from partnerkit.core.errors import PermissionDenied, ValidationError
from partnerkit.deals import DealRegistration
from partnerkit.partners import APPROVE_DEALS, REGISTER_DEALS, VIEW_CUSTOMERS
from partnerkit.quoting import LineRequest, Quote, Subscription
from partnerkit.services._context import (
    Context,
    load,
    reaches,
    reading,
    require_partner,
    require_role,
    use_case,
)
from partnerkit.services._paging import every
from partnerkit.services._quote_steps import (
    created,
    require_pricing,
    revision_id,
    stage_new,
    status_changed,
)
from partnerkit.storage import DEAL_REGISTRATIONS, QUOTES, SUBSCRIPTIONS, UnitOfWork

__all__ = [
    "accept_quote",
    "create_quote",
    "create_renewal_quote",
    "expire_overdue_quotes",
    "expire_quote",
    "revise_quote",
    "send_quote",
    "upcoming_renewals",
]


def _registration(
    uow: UnitOfWork, ctx: Context, registration_id: str | None, partner_id: str
) -> DealRegistration | None:
    """The quote's deal registration as it is now (its stage decides the reward margin)."""
    if registration_id is None:
        return None
    deal = load(uow, ctx, DEAL_REGISTRATIONS, registration_id, REGISTER_DEALS)
    if deal.partner_id != partner_id:
        raise ValidationError.single(
            "registration_id", "invalid", "the registration is another partner's"
        )
    return deal


@use_case
def create_quote(
    uow: UnitOfWork,
    ctx: Context,
    lines: Sequence[LineRequest],
    *,
    partner_id: str,
    prospect_id: str,
    registration_id: str | None = None,
) -> Quote:
    """Price and store a new draft quote (number ``Q-<year>-NNNNNN``, id ``<number>-R1``).

    Needs ``register_deals`` on the partner. Priced on the program's date
    with its ``[pricing]`` and the partner's tier; a quote for a deal
    registration (``registration_id``, the partner's own) earns the reward
    margin while the registration does. Records
    :class:`~partnerkit.quoting.QuoteCreated`. Raises
    :class:`~partnerkit.core.errors.PermissionDenied`,
    :class:`~partnerkit.core.errors.NotFound`, or
    :class:`~partnerkit.core.errors.ValidationError` as
    :func:`partnerkit.quoting.new_quote` (and at ``program.pricing`` for a
    program without one); nothing is written then.
    """
    require_partner(ctx, REGISTER_DEALS, partner_id)
    registration = _registration(uow, ctx, registration_id, partner_id)
    priced = require_pricing(uow, ctx, partner_id)
    make = functools.partial(
        quoting.new_quote,
        lines,
        priced.book,
        priced.margins,
        partner_id=partner_id,
        prospect_id=prospect_id,
        as_of=priced.as_of,
        tier=priced.tier,
        registration=registration,
    )
    return stage_new(uow, ctx, make)


@use_case
def revise_quote(
    uow: UnitOfWork, ctx: Context, quote_id: str, lines: Sequence[LineRequest]
) -> Quote:
    """Store a new revision of an open quote and mark the old one SUPERSEDED, in one commit.

    Priced like :func:`create_quote`, with the quote's registration as it
    is now. Returns the new revision (id ``<number>-R<revision>``). Raises
    :class:`~partnerkit.core.errors.NotFound`,
    :class:`~partnerkit.core.errors.InvalidTransition` for a final quote, or
    :class:`~partnerkit.core.errors.ValidationError`; nothing is written then.
    """
    quote = load(uow, ctx, QUOTES, quote_id, REGISTER_DEALS)
    registration = _registration(uow, ctx, quote.registration_id, quote.partner_id)
    priced = require_pricing(uow, ctx, quote.partner_id)
    now = ctx.now()
    old, fresh = quoting.revise_quote(
        quote,
        lines,
        priced.book,
        priced.margins,
        id=revision_id(quote.number, quote.revision + 1),
        as_of=priced.as_of,
        actor=ctx.actor.user_id,
        at=now,
        tier=priced.tier,
        registration=registration,
    )
    repository = uow.repository(QUOTES)
    old = repository.save(old)
    stored = repository.add(fresh)
    uow.record(status_changed(old), created(stored))
    return stored


def _move(uow: UnitOfWork, ctx: Context, quote: Quote, move: Callable[..., Quote]) -> Quote:
    # One status step of the quote (quoting.send_quote and its kin), staged with its event.
    stored = uow.repository(QUOTES).save(move(quote, actor=ctx.actor.user_id, at=ctx.now()))
    uow.record(status_changed(stored))
    return stored


@use_case
def send_quote(uow: UnitOfWork, ctx: Context, quote_id: str) -> Quote:
    """Mark a draft quote as sent. Raises NotFound, PermissionDenied or InvalidTransition."""
    return _move(uow, ctx, load(uow, ctx, QUOTES, quote_id, REGISTER_DEALS), quoting.send_quote)


@use_case
def accept_quote(uow: UnitOfWork, ctx: Context, quote_id: str) -> Quote:
    """Accept an open quote that is still valid on the program's date.

    Raises :class:`~partnerkit.core.errors.NotFound`,
    :class:`~partnerkit.core.errors.PermissionDenied` or
    :class:`~partnerkit.core.errors.InvalidTransition` (final, or past its
    ``valid_until``).
    """
    return _move(uow, ctx, load(uow, ctx, QUOTES, quote_id, REGISTER_DEALS), quoting.accept_quote)


@use_case
def expire_quote(uow: UnitOfWork, ctx: Context, quote_id: str) -> Quote:
    """Mark an open quote as expired.

    Needs ``register_deals`` (the partner) or ``approve_deals`` (the vendor
    side, for a nightly job). Raises NotFound, PermissionDenied or
    InvalidTransition.
    """
    permission = REGISTER_DEALS
    if (ctx.actor.role, APPROVE_DEALS) in ctx.permissions.pairs:
        permission = APPROVE_DEALS
    return _move(uow, ctx, load(uow, ctx, QUOTES, quote_id, permission), quoting.expire_quote)


@use_case
def expire_overdue_quotes(uow: UnitOfWork, ctx: Context) -> list[Quote]:
    """Expire every draft or sent quote whose ``valid_until`` is before the program's date.

    For the vendor's nightly job: needs ``approve_deals`` (a program
    administrator reaches every partner; a partner account manager only
    the partners they manage, whose quotes alone are expired). Records
    :class:`~partnerkit.quoting.QuoteStatusChanged` per quote and returns
    the expired quotes, oldest ``valid_until`` first.
    """
    require_role(ctx, APPROVE_DEALS)
    if ctx.actor.partner_id is not None:
        raise PermissionDenied(
            f"{ctx.actor.role} {ctx.actor.user_id!r}",
            APPROVE_DEALS,
            "quotes",
            "only the vendor side expires every overdue quote",
        )
    repository = uow.repository(QUOTES)
    today = ctx.today()
    overdue = [
        quote
        for quote in every(repository, {"status": ["draft", "sent"]}, limit=500)
        if quote.valid_until < today and reaches(ctx, APPROVE_DEALS, quote)
    ]
    overdue.sort(key=lambda q: (q.valid_until, q.id))
    return [_move(uow, ctx, quote, quoting.expire_quote) for quote in overdue]


@reading
def upcoming_renewals(
    uow: UnitOfWork, ctx: Context, partner_id: str, within_days: int
) -> list[Subscription]:
    """The partner's subscriptions whose term ends in the next ``within_days`` days, soonest first.

    Counted from the program's date (inclusive at both ends); for the
    partner dashboard. Needs ``view_customers`` on the partner. Reads only.
    """
    require_partner(ctx, VIEW_CUSTOMERS, partner_id)
    today = ctx.today()
    quoting.renewals_due((), today, within_days)  # validates within_days
    last = (today + timedelta(days=within_days)).toordinal()
    found: list[Subscription] = []
    for subscription in every(
        uow.repository(SUBSCRIPTIONS), {"partner_id": partner_id}, order_by="term_end", limit=500
    ):
        if subscription.term_end.toordinal() > last:
            break  # ordered by term_end: no later page can be due
        found.append(subscription)
    return quoting.renewals_due(found, today, within_days)


@use_case
def create_renewal_quote(uow: UnitOfWork, ctx: Context, subscription_id: str) -> Quote:
    """Store a draft renewal quote for a subscription at the program's prices and margins today.

    Needs ``register_deals`` on the subscription's partner.
    """
    subscription = load(uow, ctx, SUBSCRIPTIONS, subscription_id, REGISTER_DEALS)
    priced = require_pricing(uow, ctx, subscription.partner_id)
    make = functools.partial(
        quoting.renewal_quote,
        subscription,
        priced.book,
        priced.margins,
        priced.as_of,
        tier=priced.tier,
    )
    return stage_new(uow, ctx, make)
