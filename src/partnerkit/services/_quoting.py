"""Use cases for quotes, orders and subscriptions.

Each takes a unit of work, the acting :class:`~partnerkit.partners.Actor` and a
clock, and authorizes the actor against ``permissions`` (the program's
:class:`~partnerkit.partners.PermissionMap`): quotes, orders and renewal quotes
need ``register_deals`` on the partner, the renewals listing
``view_customers``. A quote, order or subscription of another partner is
reported as :class:`~partnerkit.core.errors.NotFound`, so ids cannot be probed.
Functions named ``..._for_registration`` are hooks for the deals services,
which have authorized the approval already: they check no permission, write
inside the caller's unit of work and do not commit, so the registration
change and the quote change commit together or not at all. Every other
function commits, except that :func:`start_order` and :func:`submit_order`
take ``commit=False`` for the deals services, which move the registration in
the same unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import attrs

from partnerkit import quoting
from partnerkit.core import Clock, DomainEvent
from partnerkit.core.errors import NotFound, PermissionDenied
from partnerkit.deals import DealRegistration, Stage
from partnerkit.partners import (
    APPROVE_DEALS,
    DEFAULT_PERMISSIONS,
    REGISTER_DEALS,
    VIEW_CUSTOMERS,
    Actor,
    PermissionMap,
    authorize,
)
from partnerkit.quoting import (
    LineRequest,
    MarginPolicy,
    Order,
    OrderStarted,
    OrderSubmitted,
    PriceBook,
    Quote,
    QuoteCreated,
    QuoteRepriced,
    QuoteStatusChanged,
    RegistrationLike,
    Subscription,
    SubscriptionStarted,
)
from partnerkit.services._paging import every
from partnerkit.storage import (
    DEAL_REGISTRATIONS,
    ORDERS,
    QUOTES,
    SUBSCRIPTIONS,
    AggregateSpec,
    UnitOfWork,
)
from partnerkit.tiers import Tier

__all__ = [
    "accept_quote",
    "create_quote",
    "create_quote_for_registration",
    "create_renewal_quote",
    "expire_quote",
    "reprice_quotes_for_registration",
    "revise_quote",
    "send_quote",
    "start_quote_order",
    "submit_quote_order",
    "upcoming_renewals",
]


@attrs.frozen
class _PartnerRef:
    """A partner named by its id alone, to authorize on before reading anything."""

    partner_id: str


def _load(
    uow: UnitOfWork,
    spec: AggregateSpec[Any],
    id: str,
    actor: Actor,
    permission: str,
    permissions: PermissionMap,
) -> Any:
    """Read a partner-owned record the actor may reach, or raise NotFound (no probing)."""
    if (actor.role, permission) not in permissions.pairs:
        authorize(actor, permission, _PartnerRef(actor.partner_id or ""), permissions)
    record = uow.repository(spec).find(id)
    if record is None:
        raise NotFound(spec.kind.rstrip("s"), id)
    try:
        authorize(actor, permission, record, permissions)
    except PermissionDenied:
        raise NotFound(spec.kind.rstrip("s"), id) from None
    return record


def _number(uow: UnitOfWork, prefix: str, year: int) -> str:
    return f"{prefix}-{year}-{uow.sequences.next(f'{prefix.lower()}-{year}'):06d}"


def _quote_id(number: str, revision: int) -> str:
    return f"{number}-R{revision}"


def _created(quote: Quote) -> QuoteCreated:
    first = quote.history[-1]
    return QuoteCreated(
        quote.id,
        quote.number,
        quote.revision,
        quote.partner_id,
        quote.prospect_id,
        quote.registration_id,
        quote.net_total,
        first.actor,
        first.at,
    )


def _add_new(uow: UnitOfWork, quote: Quote) -> Quote:
    """Stage a new quote and record its QuoteCreated; the caller commits."""
    stored = uow.repository(QUOTES).add(quote)
    uow.record(_created(stored))
    return stored


def _status_changed(quote: Quote) -> QuoteStatusChanged:
    change = quote.history[-1]
    assert change.from_status is not None
    return QuoteStatusChanged(
        quote.id, change.from_status.value, change.to_status.value, change.actor, change.at
    )


def create_quote(
    uow: UnitOfWork,
    lines: Sequence[LineRequest],
    price_book: PriceBook,
    policy: MarginPolicy,
    *,
    partner_id: str,
    prospect_id: str,
    actor: Actor,
    clock: Clock,
    tier: Tier | None = None,
    registration: RegistrationLike | None = None,
    permissions: PermissionMap = DEFAULT_PERMISSIONS,
) -> Quote:
    """Price and store a new draft quote (number ``Q-<year>-NNNNNN``, id ``<number>-R1``).

    Priced on the clock's date; records :class:`~partnerkit.quoting.QuoteCreated`
    and commits. Raises :class:`~partnerkit.core.errors.PermissionDenied`
    without ``register_deals`` on the partner, or as
    :func:`partnerkit.quoting.new_quote`; nothing is written then.
    """
    authorize(actor, REGISTER_DEALS, _PartnerRef(partner_id), permissions)
    now = clock.now()
    number = _number(uow, "Q", now.year)
    quote = quoting.new_quote(
        lines,
        price_book,
        policy,
        id=_quote_id(number, 1),
        number=number,
        partner_id=partner_id,
        prospect_id=prospect_id,
        as_of=now.date(),
        actor=actor.user_id,
        at=now,
        tier=tier,
        registration=registration,
    )
    stored = _add_new(uow, quote)
    uow.commit()
    return stored


def create_quote_for_registration(
    uow: UnitOfWork,
    registration: RegistrationLike,
    price_book: PriceBook,
    policy: MarginPolicy,
    *,
    actor: Actor,
    clock: Clock,
    sku: str | None = None,
    seats: int | None = None,
    term_months: int = 12,
    tier: Tier | None = None,
) -> Quote:
    """Store the quote an approved registration generates, inside the caller's unit of work.

    For the deals services' ``on_approved`` hook: ``sku`` and ``seats`` are
    the opportunity's product and seat count, read from the registration's
    ``product`` and ``users`` when not given (see
    :func:`partnerkit.quoting.quote_from_registration`). Adds the quote and records
    :class:`~partnerkit.quoting.QuoteCreated` but does NOT commit: the
    approval and its quote commit together, or neither does. Checks no
    permission: the deals service authorized the approval.
    """
    now = clock.now()
    number = _number(uow, "Q", now.year)
    quote = quoting.quote_from_registration(
        registration,
        price_book,
        policy,
        now.date(),
        sku=sku,
        seats=seats,
        id=_quote_id(number, 1),
        number=number,
        actor=actor.user_id,
        at=now,
        term_months=term_months,
        tier=tier,
    )
    return _add_new(uow, quote)


def revise_quote(
    uow: UnitOfWork,
    quote_id: str,
    lines: Sequence[LineRequest],
    price_book: PriceBook,
    policy: MarginPolicy,
    *,
    actor: Actor,
    clock: Clock,
    tier: Tier | None = None,
    registration: RegistrationLike | None = None,
    permissions: PermissionMap = DEFAULT_PERMISSIONS,
) -> Quote:
    """Store a new revision of an open quote and mark the old one SUPERSEDED; commits.

    Returns the new revision (id ``<number>-R<revision>``). Raises
    :class:`~partnerkit.core.errors.NotFound`,
    :class:`~partnerkit.core.errors.InvalidTransition` for a final quote, or
    :class:`~partnerkit.core.errors.ValidationError`; nothing is written then.
    """
    quote: Quote = _load(uow, QUOTES, quote_id, actor, REGISTER_DEALS, permissions)
    repository = uow.repository(QUOTES)
    now = clock.now()
    old, fresh = quoting.revise_quote(
        quote,
        lines,
        price_book,
        policy,
        id=_quote_id(quote.number, quote.revision + 1),
        as_of=now.date(),
        actor=actor.user_id,
        at=now,
        tier=tier,
        registration=registration,
    )
    old = repository.save(old)
    stored = repository.add(fresh)
    uow.record(_status_changed(old), _created(stored))
    uow.commit()
    return stored


def _transition(
    uow: UnitOfWork,
    quote_id: str,
    action: str,
    actor: Actor,
    clock: Clock,
    permissions: PermissionMap,
) -> Quote:
    permission = REGISTER_DEALS
    if action == "expire" and (actor.role, APPROVE_DEALS) in permissions.pairs:
        permission = APPROVE_DEALS  # the vendor side expires quotes too (a nightly job)
    quote: Quote = _load(uow, QUOTES, quote_id, actor, permission, permissions)
    move = {
        "send": quoting.send_quote,
        "accept": quoting.accept_quote,
        "expire": quoting.expire_quote,
    }[action]
    stored = uow.repository(QUOTES).save(move(quote, actor=actor.user_id, at=clock.now()))
    uow.record(_status_changed(stored))
    uow.commit()
    return stored


def send_quote(
    uow: UnitOfWork,
    quote_id: str,
    *,
    actor: Actor,
    clock: Clock,
    permissions: PermissionMap = DEFAULT_PERMISSIONS,
) -> Quote:
    """Mark a draft quote as sent; commits.

    Raises NotFound, PermissionDenied or InvalidTransition.
    """
    return _transition(uow, quote_id, "send", actor, clock, permissions)


def accept_quote(
    uow: UnitOfWork,
    quote_id: str,
    *,
    actor: Actor,
    clock: Clock,
    permissions: PermissionMap = DEFAULT_PERMISSIONS,
) -> Quote:
    """Accept an open quote that is still valid on the clock's date; commits.

    Raises :class:`~partnerkit.core.errors.NotFound`,
    :class:`~partnerkit.core.errors.PermissionDenied` or
    :class:`~partnerkit.core.errors.InvalidTransition` (final, or past its
    ``valid_until``).
    """
    return _transition(uow, quote_id, "accept", actor, clock, permissions)


def expire_quote(
    uow: UnitOfWork,
    quote_id: str,
    *,
    actor: Actor,
    clock: Clock,
    permissions: PermissionMap = DEFAULT_PERMISSIONS,
) -> Quote:
    """Mark an open quote as expired; commits.

    Needs ``register_deals`` (the partner) or ``approve_deals`` (the vendor,
    for a nightly job). Raises NotFound, PermissionDenied or InvalidTransition.
    """
    return _transition(uow, quote_id, "expire", actor, clock, permissions)


def expire_overdue_quotes(
    uow: UnitOfWork,
    *,
    actor: Actor,
    clock: Clock,
    permissions: PermissionMap = DEFAULT_PERMISSIONS,
) -> list[Quote]:
    """Expire every draft or sent quote whose ``valid_until`` is before the clock's date; commits.

    For the vendor's nightly job: needs ``approve_deals`` (a program
    administrator reaches every partner; a partner account manager only the
    partners they manage, whose quotes alone are expired). Records
    :class:`~partnerkit.quoting.QuoteStatusChanged` per quote and returns the
    expired quotes, oldest ``valid_until`` first.
    """
    if (actor.role, APPROVE_DEALS) not in permissions.pairs:
        authorize(actor, APPROVE_DEALS, _PartnerRef(actor.partner_id or ""), permissions)
    repository = uow.repository(QUOTES)
    now = clock.now()
    today = now.date()
    overdue: list[Quote] = []
    for quote in every(repository, {"status": ["draft", "sent"]}, limit=500):
        if quote.valid_until >= today:
            continue
        try:
            authorize(actor, APPROVE_DEALS, quote, permissions)
        except PermissionDenied:
            continue
        overdue.append(quote)
    overdue.sort(key=lambda q: (q.valid_until, q.id))
    expired = []
    for quote in overdue:
        stored = repository.save(quoting.expire_quote(quote, actor=actor.user_id, at=now))
        uow.record(_status_changed(stored))
        expired.append(stored)
    uow.commit()
    return expired


def reprice_quotes_for_registration(
    uow: UnitOfWork,
    registration: RegistrationLike,
    price_book: PriceBook,
    policy: MarginPolicy,
    *,
    actor: Actor,
    clock: Clock,
    tier: Tier | None = None,
) -> list[Quote]:
    """Reprice every open quote of ``registration`` in its current stage; does NOT commit.

    For the deals services' hooks when a registration is declined, expires
    or is withdrawn: the reward margin leaves the open quotes in the same
    unit of work. Accepted quotes keep their prices. Records
    :class:`~partnerkit.quoting.QuoteRepriced` per changed quote and returns
    the changed quotes. Checks no permission: the deals service authorized
    the registration's change.
    """
    repository = uow.repository(QUOTES)
    now = clock.now()
    changed: list[tuple[Quote, Quote]] = []
    open_quotes = {"registration_id": registration.id, "status": ["draft", "sent"]}
    for quote in every(repository, open_quotes, limit=200):
        new = quoting.reprice(
            quote,
            price_book,
            policy,
            as_of=now.date(),
            actor=actor.user_id,
            at=now,
            tier=tier,
            registration=registration,
        )
        if new is not quote:
            changed.append((quote, new))
    stored = []
    for old, new in changed:
        saved = repository.save(new)
        uow.record(QuoteRepriced(saved.id, old.net_total, saved.net_total, actor.user_id, now))
        stored.append(saved)
    return stored


def start_quote_order(
    uow: UnitOfWork,
    quote_id: str,
    *,
    actor: Actor,
    clock: Clock,
    commit: bool = True,
    permissions: PermissionMap = DEFAULT_PERMISSIONS,
) -> Order:
    """Start an order (number and id ``O-<year>-NNNNNN``) from an accepted quote; commits.

    The order keeps the quote's prices. One order per quote: a second one
    raises :class:`~partnerkit.core.errors.Conflict`. When the quote came
    from an APPROVED deal registration, the registration moves to
    ORDER_STARTED in the same commit. With ``commit=False`` the caller
    commits.
    """
    quote: Quote = _load(uow, QUOTES, quote_id, actor, REGISTER_DEALS, permissions)
    now = clock.now()
    number = _number(uow, "O", now.year)
    order = quoting.start_order(quote, id=number, number=number, actor=actor.user_id, at=now)
    stored = uow.repository(ORDERS).add(order)
    uow.record(OrderStarted(stored.id, quote.id, quote.registration_id, actor.user_id, now))
    deal = _registration_in(uow, quote.registration_id, Stage.APPROVED)
    if deal is not None:
        _save_step(uow, deal.start_order(actor.user_id, now))
    if commit:
        uow.commit()
    return stored


def submit_quote_order(
    uow: UnitOfWork,
    order_id: str,
    *,
    purchase_order: str,
    actor: Actor,
    clock: Clock,
    term_start: date | None = None,
    commit: bool = True,
    permissions: PermissionMap = DEFAULT_PERMISSIONS,
) -> tuple[Order, Subscription | None]:
    """Submit a started order with the customer's PO number and start its subscription; commits.

    The subscription (id ``S-<year>-NNNNNN``) covers the order's recurring
    lines from ``term_start`` (default: the clock's date); an order of flat
    lines only starts none. A deal registration in ORDER_STARTED that the
    order came from moves to ORDER_SUBMITTED in the same commit. With
    ``commit=False`` the caller commits. Raises NotFound, InvalidTransition
    or ValidationError (``purchase_order``); nothing is written then.
    """
    order: Order = _load(uow, ORDERS, order_id, actor, REGISTER_DEALS, permissions)
    now = clock.now()
    user = actor.user_id
    submitted = quoting.submit_order(order, purchase_order=purchase_order, actor=user, at=now)
    stored = uow.repository(ORDERS).save(submitted)
    quote = uow.repository(QUOTES).find(stored.quote_id)
    # The order's event comes first; whether it moves its registration is known before.
    moving = _registration_in(uow, stored.registration_id, Stage.ORDER_STARTED)
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
            moving is not None,
        )
    )
    if moving is not None:
        _save_step(uow, moving.submit_order(user, now, value=stored.net_total))
    start = term_start if term_start is not None else now.date()
    subscription = quoting.subscription_for_order(
        stored, id=_number(uow, "S", now.year), term_start=start
    )
    if subscription is not None:
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
    if commit:
        uow.commit()
    return stored, subscription


def _save_step(uow: UnitOfWork, step: tuple[DealRegistration, DomainEvent]) -> None:
    moved, event = step
    uow.repository(DEAL_REGISTRATIONS).save(moved)
    uow.record(event)


def _registration_in(
    uow: UnitOfWork, registration_id: str | None, stage: Stage
) -> DealRegistration | None:
    """The deal registration ``registration_id`` if it is at ``stage``, else None.

    The registration a quote came from follows its order: APPROVED -> ORDER_STARTED when
    the order starts, ORDER_STARTED -> ORDER_SUBMITTED when it is submitted (the
    registration's event then carries the order's net total as the deal's value).
    """
    if registration_id is None:
        return None
    deal = uow.repository(DEAL_REGISTRATIONS).find(registration_id)
    return deal if deal is not None and deal.stage == stage else None


def upcoming_renewals(
    uow: UnitOfWork,
    partner_id: str,
    within_days: int,
    *,
    actor: Actor,
    clock: Clock,
    permissions: PermissionMap = DEFAULT_PERMISSIONS,
) -> list[Subscription]:
    """The partner's subscriptions whose term ends in the next ``within_days`` days, soonest first.

    Counted from the clock's date (inclusive at both ends); for the partner
    dashboard. Needs ``view_customers`` on the partner. Reads only.
    """
    authorize(actor, VIEW_CUSTOMERS, _PartnerRef(partner_id), permissions)
    today = clock.now().date()
    quoting.renewals_due((), today, within_days)  # validates within_days
    last = (today + timedelta(days=within_days)).toordinal()
    repository = uow.repository(SUBSCRIPTIONS)
    found: list[Subscription] = []
    for subscription in every(
        repository, {"partner_id": partner_id}, order_by="term_end", limit=500
    ):
        if subscription.term_end.toordinal() > last:
            break  # ordered by term_end: no later page can be due
        found.append(subscription)
    return quoting.renewals_due(found, today, within_days)


def create_renewal_quote(
    uow: UnitOfWork,
    subscription_id: str,
    price_book: PriceBook,
    policy: MarginPolicy,
    *,
    actor: Actor,
    clock: Clock,
    tier: Tier | None = None,
    registration: RegistrationLike | None = None,
    permissions: PermissionMap = DEFAULT_PERMISSIONS,
) -> Quote:
    """Store a draft renewal quote for a subscription at today's prices and margins; commits.

    Needs ``register_deals`` on the subscription's partner.
    """
    subscription: Subscription = _load(
        uow, SUBSCRIPTIONS, subscription_id, actor, REGISTER_DEALS, permissions
    )
    now = clock.now()
    number = _number(uow, "Q", now.year)
    quote = quoting.renewal_quote(
        subscription,
        price_book,
        policy,
        now.date(),
        id=_quote_id(number, 1),
        number=number,
        actor=actor.user_id,
        at=now,
        tier=tier,
        registration=registration,
    )
    stored = _add_new(uow, quote)
    uow.commit()
    return stored
