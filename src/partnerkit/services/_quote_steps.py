"""Private steps shared by the quoting use cases and the deal-to-order process.

None of them commits or authorizes: the public use case that calls them has.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import attrs

from partnerkit.core import DomainEvent
from partnerkit.core.errors import NotFound, ValidationError
from partnerkit.quoting import MarginPolicy, PriceBook, Quote, QuoteCreated, QuoteStatusChanged
from partnerkit.services._context import Context
from partnerkit.storage import PARTNERS, QUOTES, UnitOfWork
from partnerkit.tiers import Tier


@attrs.frozen
class Priced:
    """What a quote is priced with: the program's book for the day, its margins, the tier."""

    book: PriceBook
    margins: MarginPolicy
    tier: Tier | None
    as_of: date


def _tier(uow: UnitOfWork, ctx: Context, partner_id: str) -> Tier | None:
    # The tier the partner holds now, for its margins.
    partner = uow.repository(PARTNERS).find(partner_id)
    ladder = ctx.program.tiers
    if partner is not None and ladder is not None and partner.tier in ladder.keys:
        return ladder[partner.tier]
    return None


def pricing_for(uow: UnitOfWork, ctx: Context, partner_id: str) -> Priced | None:
    """The program's price book in its currency on its date, its margins, the partner's tier.

    None for a program without ``[pricing]``, or when none of its books is in
    effect on the day. The book is picked on the same day (the program's, in
    its time zone) the quote is priced on.
    """
    program = ctx.program
    pricing = program.pricing
    if pricing is None:
        return None
    today = ctx.today()
    try:
        book = pricing.price_book(program.currency, today)
    except NotFound:
        return None
    return Priced(book, pricing.margins, _tier(uow, ctx, partner_id), today)


def require_pricing(uow: UnitOfWork, ctx: Context, partner_id: str) -> Priced:
    """:func:`pricing_for`, refusing a program without a price book for the day.

    Raises :class:`ValidationError` at ``program.pricing``: the program has no
    ``[pricing]`` table, or no book in its currency is in effect on its date.
    """
    priced = pricing_for(uow, ctx, partner_id)
    if priced is None:
        program = ctx.program
        why = (
            "the program has no [pricing] table to quote from"
            if program.pricing is None
            else f"no {program.currency} price book is in effect on {ctx.today()}"
        )
        raise ValidationError.single("program.pricing", "required", why)
    return priced


def repricing_for(uow: UnitOfWork, ctx: Context, quote: Quote) -> Priced:
    """What an open quote is repriced with when only its reward margin changes.

    Its own price book and pricing date (so list prices, promotions and
    partner margins stay as quoted), the program's margins and the
    partner's tier now. A book the program no longer has gives way to the
    day's book (:func:`require_pricing`).
    """
    pricing = ctx.program.pricing
    book = None
    if pricing is not None:
        book = next((b for b in pricing.price_books if b.key == quote.price_book), None)
    if pricing is None or book is None:
        return require_pricing(uow, ctx, quote.partner_id)
    return Priced(book, pricing.margins, _tier(uow, ctx, quote.partner_id), quote.priced_on)


def number(uow: UnitOfWork, prefix: str, year: int) -> str:
    """The next ``<prefix>-<year>-NNNNNN`` number (year of the program's date)."""
    return f"{prefix}-{year}-{uow.sequences.next(f'{prefix.lower()}-{year}'):06d}"


def revision_id(number: str, revision: int) -> str:
    """A quote revision's id: ``<number>-R<revision>``."""
    return f"{number}-R{revision}"


_PENDING = "Q-pending"


def stage_new(uow: UnitOfWork, ctx: Context, make: Callable[..., Quote]) -> Quote:
    """Price a new quote with ``make`` first, then number, stage and record it.

    ``make`` takes the keywords ``id``, ``number``, ``actor`` and ``at`` (a
    :func:`functools.partial` of :func:`partnerkit.quoting.new_quote` and its
    kin). It prices under a placeholder number, so a quote it refuses takes
    no number from the ``q-<year>`` sequence.
    """
    now = ctx.now()
    quote = make(id=revision_id(_PENDING, 1), number=_PENDING, actor=ctx.actor.user_id, at=now)
    value = number(uow, "Q", now.year)
    stored = uow.repository(QUOTES).add(
        attrs.evolve(quote, id=revision_id(value, quote.revision), number=value)
    )
    uow.record(created(stored))
    return stored


def created(quote: Quote) -> QuoteCreated:
    """The event of a new quote (or revision)."""
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


def status_changed(quote: Quote) -> DomainEvent:
    """The event of a quote's last status change."""
    change = quote.history[-1]
    assert change.from_status is not None
    return QuoteStatusChanged(
        quote.id, change.from_status.value, change.to_status.value, change.actor, change.at
    )
