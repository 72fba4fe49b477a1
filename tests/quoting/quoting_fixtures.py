"""Shared values for the quoting tests: a registration record, products, books, tiers."""

from __future__ import annotations

from datetime import date, datetime, timezone

import attrs

from partnerkit.core import Money, Percentage
from partnerkit.quoting import (
    BillingUnit,
    LineRequest,
    MarginPolicy,
    PriceBook,
    Product,
    ProductPrice,
    Quote,
    RegistrationLike,
    VolumeBand,
    new_quote,
)
from partnerkit.tiers import Benefits, Tier

AT = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
TODAY = date(2026, 3, 2)

MAIL = Product("MAIL", "Mail security")
ARCHIVE = Product("ARCH", "Archive", BillingUnit.PER_USER_YEAR)
SETUP = Product("SETUP", "Onboarding", BillingUnit.FLAT)

GOLD = Tier("gold", "Gold", 2, Benefits(Percentage(20), Percentage(10)))
SILVER = Tier("silver", "Silver", 1, Benefits(Percentage(10)))


@attrs.frozen
class Registration:
    """A stand-in deal registration: what a host's record or partnerkit.deals would give."""

    id: str
    partner_id: str
    prospect_id: str
    stage: str = "approved"


APPROVED = Registration("DR-1", "p-1", "acme")
DECLINED = attrs.evolve(APPROVED, stage="declined")


def book(currency: str = "USD", *, key: str = "usd-2026") -> PriceBook:
    """A three-product book with volume bands on mail security."""
    return PriceBook(
        key,
        currency,
        date(2026, 1, 1),
        date(2026, 12, 31),
        [
            ProductPrice(
                MAIL,
                [VolumeBand(1, Money("4.00", currency)), VolumeBand(100, Money("3.50", currency))],
            ),
            ProductPrice(ARCHIVE, [VolumeBand(1, Money("19.99", currency))]),
            ProductPrice(SETUP, [VolumeBand(1, Money("1500", currency))]),
        ],
    )


THREE_LINES = (
    LineRequest("MAIL", 250, 12),
    LineRequest("ARCH", 33, 18),
    LineRequest("SETUP", 1, 12),
)


def quote(
    lines: tuple[LineRequest, ...] = THREE_LINES,
    *,
    policy: MarginPolicy | None = None,
    price_book: PriceBook | None = None,
    tier: Tier | None = GOLD,
    registration: RegistrationLike | None = APPROVED,
    id: str = "Q-2026-000001-R1",
) -> Quote:
    """A draft quote for p-1 and acme."""
    return new_quote(
        lines,
        price_book or book(),
        policy or MarginPolicy(),
        id=id,
        number="Q-2026-000001",
        partner_id="p-1",
        prospect_id="acme",
        as_of=TODAY,
        actor="u-1",
        at=AT,
        tier=tier,
        registration=registration,
    )
