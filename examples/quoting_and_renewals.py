"""Quote an approved deal with reward margin, lose it on a declined deal, order and renew.

A host's flow over the in-memory backend: load the ``[pricing]`` table, create
the quote an approved registration generates (inside the approval's unit of
work), add a further quote, reprice when a registration is declined, accept,
order, submit with a PO number, and list upcoming renewals.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import attrs

from partnerkit import services
from partnerkit.core import DomainEvent, EventDispatcher, Percentage
from partnerkit.partners import Actor
from partnerkit.quoting import LineRequest, format_quote, pricing_from_dict
from partnerkit.storage import MemoryStorage
from partnerkit.testing import FixedClock
from partnerkit.tiers import Benefits, Tier

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib

PRICING = """
[[products]]
sku = "MAIL"
name = "Mail security"

[[products]]
sku = "ARCHIVE"
name = "Archive"
billing_unit = "per_user_year"

[[price_books]]
key = "usd-2026"
currency = "USD"
effective_from = 2026-01-01

[[price_books.prices]]
sku = "MAIL"
bands = [{ min_quantity = 1, unit_price = "4.00" }, { min_quantity = 100, unit_price = "3.50" }]

[[price_books.prices]]
sku = "ARCHIVE"
unit_price = "19.99"

[margins]
stacking = "compounding"
cap = "30"
"""


#: The partner's administrator, and the vendor's program administrator approving deals.
USER = Actor("u-1", "administrator", partner_id="p-1")
SYSTEM = Actor("v-1", "program_administrator")


@attrs.frozen
class Registration:
    """The host's deal registration record (partnerkit.deals' class fits the same protocol)."""

    id: str
    partner_id: str
    prospect_id: str
    stage: str


def main() -> None:
    pricing = pricing_from_dict(tomllib.loads(PRICING))
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    book = pricing.price_book("USD", clock.now().date())
    gold = Tier("gold", "Gold", 2, Benefits(Percentage(20), Percentage(10)))
    events: list[DomainEvent] = []
    dispatcher = EventDispatcher()
    dispatcher.subscribe(DomainEvent, events.append)
    storage = MemoryStorage(dispatcher)

    approved = Registration("DR-2026-000001", "p-1", "acme.example", "approved")
    with storage.unit_of_work() as uow:
        # The deals service would approve the registration here, in the same unit of work.
        first = services.create_quote_for_registration(
            uow,
            approved,
            book,
            pricing.margins,
            sku="MAIL",
            seats=250,
            actor=SYSTEM,
            clock=clock,
            tier=gold,
        )
        uow.commit()
    print(format_quote(first, "en_US"))

    with storage.unit_of_work() as uow:
        second = services.create_quote(
            uow,
            [LineRequest("ARCHIVE", 250, 24)],
            book,
            pricing.margins,
            partner_id="p-1",
            prospect_id="acme.example",
            actor=USER,
            clock=clock,
            tier=gold,
            registration=approved,
        )
    print(f"\n{second.number}: reward margin {second.reward_margin.format('en_US')}")

    with storage.unit_of_work() as uow:
        services.accept_quote(uow, first.id, actor=USER, clock=clock)
    declined = attrs.evolve(approved, stage="declined")
    with storage.unit_of_work() as uow:
        changed = services.reprice_quotes_for_registration(
            uow, declined, book, pricing.margins, actor=SYSTEM, clock=clock, tier=gold
        )
        uow.commit()
    for quote in changed:
        print(f"{quote.number} repriced: partner pays {quote.net_total.format('en_US')} now")

    with storage.unit_of_work() as uow:
        order = services.start_quote_order(uow, first.id, actor=USER, clock=clock)
    with storage.unit_of_work() as uow:
        order, subscription = services.submit_quote_order(
            uow, order.id, purchase_order="PO-4711", actor=USER, clock=clock
        )
    assert subscription is not None
    print(
        f"{order.number} submitted with {order.purchase_order}: {order.net_total.format('en_US')}"
    )
    print(f"{subscription.id} runs {subscription.term_start} to {subscription.term_end}")

    clock.advance(days=340)
    with storage.unit_of_work() as uow:
        due = services.upcoming_renewals(uow, "p-1", 30, actor=USER, clock=clock)
    print(f"renewals due within 30 days: {[s.id for s in due]}")
    print(f"events published: {sorted({type(e).__name__ for e in events})}")


if __name__ == "__main__":
    main()
