"""Private steps shared by the quoting use cases and the deal-to-order process.

None of them commits or authorizes: the public use case that calls them has.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import attrs

from partnerkit.core import DomainEvent
from partnerkit.core.errors import ValidationError
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


def pricing_for(uow: UnitOfWork, ctx: Context, partner_id: str) -> Priced | None:
    """The program's price book in its currency on its date, its margins, the partner's tier.

    None for a program without ``[pricing]``. The book is picked on the same
    day (the program's, in its time zone) the quote is priced on.
    """
    program = ctx.program
    pricing = program.pricing
    if pricing is None:
        return None
    today = ctx.today()
    book = pricing.price_book(program.currency, today)
    partner = uow.repository(PARTNERS).find(partner_id)
    ladder = program.tiers
    tier = None
    if partner is not None and ladder is not None and partner.tier in ladder.keys:
        tier = ladder[partner.tier]
    return Priced(book, pricing.margins, tier, today)


def require_pricing(uow: UnitOfWork, ctx: Context, partner_id: str) -> Priced:
    """:func:`pricing_for`, refusing a program without ``[pricing]`` at ``program.pricing``."""
    priced = pricing_for(uow, ctx, partner_id)
    if priced is None:
        raise ValidationError.single(
            "program.pricing", "required", "the program has no [pricing] table to quote from"
        )
    return priced


def number(uow: UnitOfWork, prefix: str, year: int) -> str:
    """The next ``<prefix>-<year>-NNNNNN`` number (year of the program's date)."""
    return f"{prefix}-{year}-{uow.sequences.next(f'{prefix.lower()}-{year}'):06d}"


def quote_id(number: str, revision: int) -> str:
    """A quote revision's id: ``<number>-R<revision>``."""
    return f"{number}-R{revision}"


def numbered(uow: UnitOfWork, quote: Quote, year: int) -> Quote:
    """``quote`` (priced under a placeholder number) with the next ``Q-<year>`` number.

    Pricing first and numbering after keeps a refused quote from taking a number.
    """
    value = number(uow, "Q", year)
    return attrs.evolve(quote, id=quote_id(value, quote.revision), number=value)


PENDING_NUMBER = "Q-pending"


def stage_new(uow: UnitOfWork, ctx: Context, make: Callable[..., Quote]) -> Quote:
    """Price a new quote with ``make`` first, then number, stage and record it.

    ``make`` takes the keywords ``id``, ``number``, ``actor`` and ``at`` (a
    :func:`functools.partial` of :func:`partnerkit.quoting.new_quote` and its
    kin); a quote it refuses takes no number.
    """
    now = ctx.now()
    quote = make(
        id=quote_id(PENDING_NUMBER, 1), number=PENDING_NUMBER, actor=ctx.actor.user_id, at=now
    )
    return add_quote(uow, numbered(uow, quote, now.year))


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


def add_quote(uow: UnitOfWork, quote: Quote) -> Quote:
    """Stage a new quote and record its :class:`QuoteCreated`."""
    stored = uow.repository(QUOTES).add(quote)
    uow.record(created(stored))
    return stored


def status_changed(quote: Quote) -> DomainEvent:
    """The event of a quote's last status change."""
    change = quote.history[-1]
    assert change.from_status is not None
    return QuoteStatusChanged(
        quote.id, change.from_status.value, change.to_status.value, change.actor, change.at
    )
