"""Quote an approved deal with reward margin, lose it on a lost deal, order and renew.

A host's flow over the in-memory backend: load the ``[pricing]`` table into the
program, approve a deal registration (its approval quote is made in the same
commit), add a further quote, watch a lost deal's open quote lose its reward
margin, accept, order, submit with a PO number (the registration follows the
order), and list upcoming renewals. Every use case runs in a ``Context``: who
acts, on which clock, in which program.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timezone

from partnerkit import services
from partnerkit.addresses import Address
from partnerkit.contacts import Contact
from partnerkit.core import DomainEvent, EventDispatcher, Money, Percentage
from partnerkit.deals import CompanySection, OpportunitySection, PartnerSection, RegistrationForm
from partnerkit.partners import Actor, Partner
from partnerkit.program import Program
from partnerkit.quoting import LineRequest, format_quote, pricing_from_dict
from partnerkit.services import Context
from partnerkit.storage import DEAL_REGISTRATIONS, PARTNERS, QUOTES, MemoryStorage, Storage
from partnerkit.testing import FixedClock
from partnerkit.tiers import Benefits, Tier, TierLadder

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


def registration_form(company: str, domain: str, seats: int) -> RegistrationForm:
    """The partner's registration of ``seats`` seats of mail security for ``company``."""
    buyer = Contact(
        "Lee",
        "Chen",
        f"lee.chen@{domain}",
        phone="+1 212 555 0142",
        position="IT director",
        role="decision_maker",
        address=Address(
            "US", "5 Hudson Yards", city="New York", country_area="NY", postal_code="10001"
        ),
    )
    opportunity = OpportunitySection(
        "MAIL",
        seats,
        Money("12600", "USD"),
        date(2026, 6, 30),
        budget_approved=True,
        priority="medium",
        problems="Ransomware by e-mail.",
    )
    return RegistrationForm(
        CompanySection(company, domain),
        PartnerSection("Sam Seller", "+1 212 555 0100"),
        buyer,
        opportunity,
    )


def register_and_approve(
    storage: Storage, rep: Context, vendor: Context, form: RegistrationForm
) -> str:
    """Register ``form`` as the partner's rep, approve it as the vendor; the registration id."""
    with storage.unit_of_work() as uow:
        registration = services.register_deal(uow, rep, form)
    with storage.unit_of_work() as uow:
        return services.approve_deal(uow, vendor, registration.id).id


def main() -> None:
    gold = Tier("gold", "Gold", 2, Benefits(Percentage(20), Percentage(10)))
    program = Program(
        key="contoso-partners",
        name="Contoso Partner Program",
        currency="USD",
        timezone="America/New_York",
        tiers=TierLadder([gold]),
        pricing=pricing_from_dict(tomllib.loads(PRICING)),
    )
    clock = FixedClock(datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc))
    # The partner's administrator, and the vendor's program administrator approving deals.
    rep = Context(Actor("u-1", "administrator", partner_id="p-1"), clock, program)
    vendor = Context(Actor("v-1", "program_administrator"), clock, program)
    events: list[DomainEvent] = []
    dispatcher = EventDispatcher()
    dispatcher.subscribe(DomainEvent, events.append)
    storage = MemoryStorage(dispatcher)
    with storage.unit_of_work() as uow:
        uow.repository(PARTNERS).add(
            Partner("p-1", "Fabrikam Resellers", "fabrikam.example", "reseller", tier="gold")
        )
        uow.commit()

    # Approving the registration makes its quote in the same commit.
    deal_id = register_and_approve(
        storage, rep, vendor, registration_form("Acme Corp", "acme.example", 250)
    )
    with storage.unit_of_work() as uow:
        (first,) = uow.repository(QUOTES).list({"registration_id": deal_id})
        deal = uow.repository(DEAL_REGISTRATIONS).get(deal_id)
    print(format_quote(first, "en_US"))

    with storage.unit_of_work() as uow:
        second = services.create_quote(
            uow,
            rep,
            [LineRequest("ARCHIVE", 250, 24)],
            partner_id="p-1",
            prospect_id=deal.prospect_id,
            registration_id=deal.id,
        )
    print(f"\n{second.number}: reward margin {second.reward_margin.format('en_US')}")

    # Another deal is lost: its open quote loses the reward margin in the same commit.
    lost_id = register_and_approve(
        storage, rep, vendor, registration_form("Globex Inc", "globex.example", 120)
    )
    with storage.unit_of_work() as uow:
        services.mark_deal_lost(uow, rep, lost_id, "the customer chose a competitor")
    with storage.unit_of_work() as uow:
        (repriced,) = uow.repository(QUOTES).list({"registration_id": lost_id})
    print(f"{repriced.number} repriced: partner pays {repriced.net_total.format('en_US')} now")

    with storage.unit_of_work() as uow:
        services.accept_quote(uow, rep, first.id)
    with storage.unit_of_work() as uow:
        order = services.start_order(uow, rep, first.id)
    with storage.unit_of_work() as uow:
        order, subscription = services.submit_order(uow, rep, order.id, purchase_order="PO-4711")
    assert subscription is not None
    with storage.unit_of_work() as uow:
        stage = uow.repository(DEAL_REGISTRATIONS).get(deal_id).stage
    print(
        f"{order.number} submitted with {order.purchase_order}: {order.net_total.format('en_US')}"
        f" (registration {deal_id}: {stage.value})"
    )
    print(f"{subscription.id} runs {subscription.term_start} to {subscription.term_end}")

    clock.advance(days=340)
    with storage.unit_of_work() as uow:
        due = services.upcoming_renewals(uow, rep, "p-1", 30)
    print(f"renewals due within 30 days: {[s.id for s in due]}")
    print(f"events published: {sorted({type(e).__name__ for e in events})}")


if __name__ == "__main__":
    main()
