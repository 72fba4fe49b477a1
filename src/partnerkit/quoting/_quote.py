"""Quotes: the Quote aggregate, its statuses and history, creation, revisions and repricing."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from partnerkit.core import Money, aware, to_dict
from partnerkit.core._context import isolated
from partnerkit.core.errors import FieldError, InvalidTransition, ValidationError
from partnerkit.locale import N_
from partnerkit.quoting._catalog import PriceBook
from partnerkit.quoting._margin import AppliedRule, MarginPolicy
from partnerkit.quoting._pricing import LineRequest, QuoteLine, _price
from partnerkit.quoting._registration import RegistrationLike
from partnerkit.tiers import Tier

__all__ = [
    "QUOTE_STATUS_LABELS",
    "Quote",
    "QuoteChange",
    "QuoteStatus",
    "accept_quote",
    "expire_quote",
    "new_quote",
    "quote_from_registration",
    "reprice",
    "revise_quote",
    "send_quote",
]


class QuoteStatus(enum.Enum):
    """Where a quote is: draft, sent to the customer, accepted, expired or superseded."""

    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"

    @property
    def open(self) -> bool:
        """Whether the quote may still change (draft or sent)."""
        return self in (QuoteStatus.DRAFT, QuoteStatus.SENT)


#: English labels (gettext msgids) of the quote statuses.
QUOTE_STATUS_LABELS: dict[QuoteStatus, str] = {
    QuoteStatus.DRAFT: N_("Draft"),
    QuoteStatus.SENT: N_("Sent"),
    QuoteStatus.ACCEPTED: N_("Accepted"),
    QuoteStatus.EXPIRED: N_("Expired"),
    QuoteStatus.SUPERSEDED: N_("Superseded"),
}

_TRANSITIONS: dict[QuoteStatus, frozenset[QuoteStatus]] = {
    QuoteStatus.DRAFT: frozenset(
        {QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.EXPIRED, QuoteStatus.SUPERSEDED}
    ),
    QuoteStatus.SENT: frozenset(
        {QuoteStatus.ACCEPTED, QuoteStatus.EXPIRED, QuoteStatus.SUPERSEDED}
    ),
    QuoteStatus.ACCEPTED: frozenset(),
    QuoteStatus.EXPIRED: frozenset(),
    QuoteStatus.SUPERSEDED: frozenset(),
}


@attrs.frozen
class QuoteChange:
    """One recorded change of a quote: what, from which status to which, by whom and when.

    ``action`` is ``created``, ``sent``, ``accepted``, ``expired``,
    ``superseded`` or ``repriced``; ``note`` says what a repricing changed
    (the partner net price before and after).
    """

    action: str
    from_status: QuoteStatus | None
    to_status: QuoteStatus
    actor: str
    at: datetime
    note: str = ""


@attrs.frozen
class Quote:
    """A priced offer to a partner for one prospect, in one currency.

    Totals (all rounded to the minor unit, each the exact sum of the same
    field over ``lines``):

    - ``list_total``: the list price of everything quoted;
    - ``promotion``, ``partner_margin``, ``reward_margin``: the discounts;
    - ``net_total``: the partner net price, what the partner pays
      (``list_total - promotion - partner_margin - reward_margin``);
    - ``customer_price``: what the end customer pays at list price less the
      promotion (``list_total - promotion``); the partner keeps the margins.

    ``rules`` records which margin rules applied and why. ``revision``
    counts up from 1 through :func:`revise_quote`; ``supersedes`` and
    ``superseded_by`` link revisions; ``renews`` names the subscription a
    renewal quote is for. ``history`` records every state change.
    """

    id: str
    number: str
    partner_id: str
    prospect_id: str
    registration_id: str | None
    currency: str
    price_book: str
    priced_on: date
    valid_until: date
    status: QuoteStatus
    lines: tuple[QuoteLine, ...]
    list_total: Money
    promotion: Money
    partner_margin: Money
    reward_margin: Money
    net_total: Money
    customer_price: Money
    rules: tuple[AppliedRule, ...]
    revision: int = 1
    supersedes: str | None = None
    superseded_by: str | None = None
    renews: str | None = None
    history: tuple[QuoteChange, ...] = ()
    version: int = 0

    @property
    @isolated
    def discount(self) -> Money:
        """Everything taken off the list total."""
        return self.promotion + self.partner_margin + self.reward_margin

    @property
    def requests(self) -> tuple[LineRequest, ...]:
        """The line requests this quote was priced from (for repricing and revisions)."""
        return tuple(line.request for line in self.lines)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form (:func:`partnerkit.core.to_dict`): amounts and dates as strings."""
        data: dict[str, Any] = to_dict(self)
        return data


@isolated
def new_quote(
    lines: Sequence[LineRequest],
    price_book: PriceBook,
    policy: MarginPolicy,
    *,
    id: str,
    number: str,
    partner_id: str,
    prospect_id: str,
    as_of: date,
    actor: str,
    at: datetime,
    tier: Tier | None = None,
    registration: RegistrationLike | None = None,
    renews: str | None = None,
) -> Quote:
    """Price ``lines`` into a new draft quote, valid for ``policy.valid_days`` days from ``as_of``.

    ``tier`` is the partner's current tier (its benefits give the margins),
    ``registration`` the prospect's deal registration by this partner, if
    any: it earns the reward margin while approved or its order started
    (:func:`earns_reward_margin`), and the quote keeps its id either way.

    Rounding happens at two points, half-up to the currency's minor unit
    (CLDR: JPY 0 places, EUR 2, BHD 3): (1) each line's list total, and (2)
    the quote's total discount, computed from the exact rates and never
    above ``cap * list_total``. That discount is split over the lines, and
    each line's share over its rules (promotion, partner margin, reward
    margin), by largest remainder: every total is the exact sum of its
    lines, each line's discount is within one minor unit of its exact
    share, and no amount is negative.

    Raises :class:`ValidationError` naming every bad field (``lines.N.sku``
    ``unknown``, ``lines.N.quantity``, ``lines.N.term_months``, ``as_of``
    outside the book's dates, ``registration.partner_id``, ...).
    """
    at = aware(at, "at")
    priced = _price(
        lines,
        price_book,
        policy,
        partner_id=partner_id,
        prospect_id=prospect_id,
        tier=tier,
        registration=registration,
        as_of=as_of,
    )
    list_total, promotion, partner, reward, net, customer = priced.totals
    return Quote(
        id,
        number,
        partner_id,
        prospect_id,
        registration.id if registration is not None else None,
        price_book.currency,
        price_book.key,
        as_of,
        as_of + timedelta(days=policy.valid_days),
        QuoteStatus.DRAFT,
        priced.lines,
        list_total,
        promotion,
        partner,
        reward,
        net,
        customer,
        priced.rules,
        renews=renews,
        history=(QuoteChange("created", None, QuoteStatus.DRAFT, actor, at),),
    )


@isolated
def quote_from_registration(
    registration: RegistrationLike,
    price_book: PriceBook,
    policy: MarginPolicy,
    as_of: date,
    *,
    id: str,
    number: str,
    actor: str,
    at: datetime,
    sku: str | None = None,
    seats: int | None = None,
    term_months: int = 12,
    tier: Tier | None = None,
) -> Quote:
    """The quote generated when a registration is approved: its opportunity's product and seats.

    ``sku`` and ``seats`` are the opportunity's solution and seat count. When
    not passed they are read from the registration's ``product`` and
    ``users`` attributes (as :mod:`partnerkit.deals` registrations have them);
    a registration without them needs both arguments, else
    :class:`ValidationError` names ``sku`` / ``seats`` as ``required``. The
    quote is for the registration's partner and prospect and carries the
    reward margin while the registration earns it. Otherwise as
    :func:`new_quote`.
    """
    if sku is None:
        sku = getattr(registration, "product", None)
    if seats is None:
        seats = getattr(registration, "users", None)
    errors: list[FieldError] = []
    if not isinstance(sku, str):
        errors.append(FieldError("sku", "required", "name the opportunity's product"))
    if seats is None:
        errors.append(FieldError("seats", "required", "give the opportunity's seat count"))
    if errors:
        raise ValidationError(errors)
    assert isinstance(sku, str)
    assert seats is not None
    return new_quote(
        [LineRequest(sku, seats, term_months)],
        price_book,
        policy,
        id=id,
        number=number,
        partner_id=registration.partner_id,
        prospect_id=registration.prospect_id,
        as_of=as_of,
        actor=actor,
        at=at,
        tier=tier,
        registration=registration,
    )


def _move(quote: Quote, to: QuoteStatus, action: str, actor: str, at: datetime) -> Quote:
    if to not in _TRANSITIONS[quote.status]:
        raise InvalidTransition(
            "quote",
            quote.id,
            quote.status.value,
            to.value,
            f"a {quote.status.value} quote is final",
        )
    change = QuoteChange(action, quote.status, to, actor, aware(at, "at"))
    return attrs.evolve(quote, status=to, history=(*quote.history, change))


def send_quote(quote: Quote, *, actor: str, at: datetime) -> Quote:
    """Mark a draft quote as sent to the customer; raises :class:`InvalidTransition` otherwise."""
    return _move(quote, QuoteStatus.SENT, "sent", actor, at)


def accept_quote(quote: Quote, *, actor: str, at: datetime) -> Quote:
    """Accept a draft or sent quote; its prices are final from now on.

    Raises :class:`InvalidTransition` for a quote that is not open, or one
    whose ``valid_until`` date has passed on ``at``'s own calendar date.
    """
    at = aware(at, "at")
    if quote.status.open and at.date() > quote.valid_until:
        raise InvalidTransition(
            "quote", quote.id, quote.status.value, "accepted", "the quote is no longer valid"
        )
    return _move(quote, QuoteStatus.ACCEPTED, "accepted", actor, at)


def expire_quote(quote: Quote, *, actor: str, at: datetime) -> Quote:
    """Mark an open quote as expired; raises :class:`InvalidTransition` otherwise."""
    return _move(quote, QuoteStatus.EXPIRED, "expired", actor, at)


@isolated
def revise_quote(
    quote: Quote,
    lines: Sequence[LineRequest],
    price_book: PriceBook,
    policy: MarginPolicy,
    *,
    id: str,
    as_of: date,
    actor: str,
    at: datetime,
    tier: Tier | None = None,
    registration: RegistrationLike | None = None,
) -> tuple[Quote, Quote]:
    """Replace an open quote by a new revision; returns ``(superseded_old, new)``.

    The new quote keeps the number, prospect, partner and registration and
    counts the revision up; the old one becomes SUPERSEDED. Raises
    :class:`InvalidTransition` when ``quote`` is not open, and
    :class:`ValidationError` as :func:`new_quote`, or when ``registration``
    is not the quote's.
    """
    _check_registration(quote, registration)
    fresh = new_quote(
        lines,
        price_book,
        policy,
        id=id,
        number=quote.number,
        partner_id=quote.partner_id,
        prospect_id=quote.prospect_id,
        as_of=as_of,
        actor=actor,
        at=at,
        tier=tier,
        registration=registration,
        renews=quote.renews,
    )
    old = attrs.evolve(
        _move(quote, QuoteStatus.SUPERSEDED, "superseded", actor, at), superseded_by=id
    )
    fresh = attrs.evolve(
        fresh,
        registration_id=quote.registration_id,
        revision=quote.revision + 1,
        supersedes=quote.id,
    )
    return old, fresh


def _check_registration(quote: Quote, registration: RegistrationLike | None) -> None:
    if registration is not None and quote.registration_id not in (None, registration.id):
        raise ValidationError.single(
            "registration.id", "invalid", f"quote {quote.id} belongs to another registration"
        )


@isolated
def reprice(
    quote: Quote,
    price_book: PriceBook,
    policy: MarginPolicy,
    *,
    as_of: date,
    actor: str,
    at: datetime,
    tier: Tier | None = None,
    registration: RegistrationLike | None = None,
) -> Quote:
    """Price an open quote's lines again under today's terms; final quotes come back unchanged.

    Pass the registration in its current stage: once it no longer earns the
    reward margin (declined, expired, withdrawn, lost, or its order
    submitted), the reward margin is dropped. An
    accepted, expired or superseded quote keeps its prices. Repricing is
    idempotent: when nothing changes the same quote comes back, and a
    change is recorded in ``history`` as ``"repriced"``. Raises
    :class:`ValidationError` as :func:`new_quote`.
    """
    if not quote.status.open:
        return quote
    if price_book.currency != quote.currency:
        raise ValidationError.single(
            "price_book.currency",
            "invalid",
            f"quote {quote.id} is in {quote.currency}; repricing never converts currencies",
        )
    _check_registration(quote, registration)
    if registration is None and quote.registration_id is not None:
        raise ValidationError.single(
            "registration", "required", f"quote {quote.id} needs its registration to reprice"
        )
    priced = _price(
        quote.requests,
        price_book,
        policy,
        partner_id=quote.partner_id,
        prospect_id=quote.prospect_id,
        tier=tier,
        registration=registration,
        as_of=as_of,
    )
    list_total, promotion, partner, reward, net, customer = priced.totals
    if (
        priced.lines == quote.lines
        and priced.rules == quote.rules
        and price_book.key == quote.price_book
    ):
        return quote
    change = QuoteChange(
        "repriced",
        quote.status,
        quote.status,
        actor,
        aware(at, "at"),
        f"net {quote.net_total} -> {net}",
    )
    return attrs.evolve(
        quote,
        price_book=price_book.key,
        lines=priced.lines,
        list_total=list_total,
        promotion=promotion,
        partner_margin=partner,
        reward_margin=reward,
        net_total=net,
        customer_price=customer,
        rules=priced.rules,
        priced_on=as_of,
        history=(*quote.history, change),
    )
