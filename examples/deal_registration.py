"""Register a deal, approve it (its quote comes with it), order it, sweep expiries, score it.

The partner and its sales rep live in the same storage (``PARTNERS`` and
``PARTNER_USERS``). Every use case runs in a ``Context``: who acts, on which
clock, in which program. The program carries the registration policy (its
``[deals]`` table) and the pricing approvals are quoted with.
"""

from __future__ import annotations

from datetime import date

import pendulum

from partnerkit.addresses import Address
from partnerkit.contacts import Contact
from partnerkit.core import DomainEvent, EventDispatcher, Money, Percentage
from partnerkit.deals import (
    CompanySection,
    DealQuery,
    DealRegistration,
    OpportunitySection,
    PartnerSection,
    RegistrationForm,
    deal_stage_label,
    registration_policy_from_dict,
)
from partnerkit.partners import Actor, Partner, PartnerUser
from partnerkit.program import Program
from partnerkit.quoting import MarginPolicy, PriceBook, Pricing, Product, ProductPrice, VolumeBand
from partnerkit.services import (
    Context,
    DealActivities,
    QuoteActivities,
    accept_quote,
    approve_deal,
    expire_due,
    get_deal,
    register_deal,
    search_deals,
    send_quote,
    start_order,
    submit_order,
)
from partnerkit.storage import (
    DEAL_REGISTRATIONS,
    PARTNER_USERS,
    PARTNERS,
    PROSPECTS,
    QUOTES,
    MemoryStorage,
)
from partnerkit.testing import FixedClock

EMAIL_SECURITY = Product("email-security", "Email security")
PROGRAM = Program(
    key="northwind-channel",
    name="Channel program",
    currency="GBP",
    locale="en_GB",
    timezone="Europe/London",
    registration_policy=registration_policy_from_dict({"review_days": 7, "order_start_days": 20}),
    pricing=Pricing(
        products=[EMAIL_SECURITY],
        price_books=[
            PriceBook(
                "gbp-2026",
                "GBP",
                date(2026, 1, 1),
                prices=[ProductPrice(EMAIL_SECURITY, [VolumeBand(1, Money("3.00", "GBP"))])],
            )
        ],
        margins=MarginPolicy(reward_margin=Percentage("5")),
    ),
)


def form_for(company: str, domain: str, users: int) -> RegistrationForm:
    """A filled-in registration form."""
    return RegistrationForm(
        CompanySection(company, domain),
        PartnerSection("Jo Bloggs", "020 7183 8750"),
        Contact(
            "Ada",
            "Lovelace",
            f"ada@{domain}",
            phone="020 7946 0958",
            position="CIO",
            role="decision_maker",
            address=Address("GB", "1 Main St", city="London", postal_code="EC1Y 8SY"),
        ),
        OpportunitySection(
            "email-security",
            users,
            Money("12000", "GBP"),
            date(2027, 3, 31),
            budget_approved=True,
            priority="high",
            problems="Too much spam; the archive is full.",
            migrating_to="microsoft_365",
        ),
    )


def main() -> None:
    """Run the walk-through and print what happened."""
    dispatcher = EventDispatcher()
    dispatcher.subscribe(DomainEvent, lambda event: print(f"  event: {type(event).__name__}"))
    published: list[DomainEvent] = []
    dispatcher.subscribe(DomainEvent, published.append)
    storage = MemoryStorage(
        dispatcher, specs=[PROSPECTS, DEAL_REGISTRATIONS, PARTNERS, PARTNER_USERS, QUOTES]
    )
    with storage.unit_of_work() as uow:
        uow.repository(PARTNERS).add(
            Partner("p1", "Northwind Resellers", "northwind.example", "reseller")
        )
        uow.repository(PARTNER_USERS).add(
            PartnerUser("alice", "p1", "Alice", "alice@northwind.example")
        )
        uow.commit()
    clock = FixedClock(pendulum.datetime(2026, 11, 23, 9, tz="Europe/London"))
    rep = Context(Actor("alice", "user", partner_id="p1"), clock, PROGRAM)
    manager = rep.with_actor(Actor("vera", "partner_account_manager", managed_partner_ids={"p1"}))

    def register(form: RegistrationForm) -> DealRegistration:
        with storage.unit_of_work() as uow:
            deal = register_deal(uow, rep, form)
        print(f"registered {deal.id} for {deal.prospect_name}")
        return deal

    won = register(form_for("Acme Ltd", "acme.co.uk", 250))
    register(form_for("Globex", "globex.example", 40))  # never progressed: the sweep expires it

    # Approving makes the approval quote in the same commit (the program has [pricing]).
    with storage.unit_of_work() as uow:
        won = approve_deal(uow, manager, won.id)
    assert won.deadlines is not None
    print(f"approved {won.id}: start the order by {won.deadlines.order_start_due}")
    with storage.unit_of_work() as uow:
        (quote,) = uow.repository(QUOTES).list({"registration_id": won.id})
    print(f"  quote {quote.id} for {won.users} users of {won.product}: {quote.net_total}")

    # The order is made from the accepted quote; the registration follows it.
    clock.advance(days=5)
    for step in (send_quote, accept_quote):
        with storage.unit_of_work() as uow:
            step(uow, rep, quote.id)
    with storage.unit_of_work() as uow:
        order = start_order(uow, rep, quote.id)
    with storage.unit_of_work() as uow:
        submit_order(uow, rep, order.id, purchase_order="PO-4711")
    with storage.unit_of_work() as uow:
        won = get_deal(uow, rep, won.id)
    steps = " > ".join(f"{s.label}{'*' if s.state == 'current' else ''}" for s in won.progress())
    print(f"{won.id}: {steps}")

    # The nightly sweep runs as the system, a program administrator.
    clock.advance(days=10)
    with storage.unit_of_work() as uow:
        report = expire_due(uow, Context.system(clock, PROGRAM))
    for id, reason in report.expired:
        print(f"expired {id}: {reason}")
    with storage.unit_of_work() as uow:
        for deal in search_deals(uow, rep, DealQuery()):
            print(f"{deal.id}  {deal.prospect_name:<10} {deal_stage_label(deal.stage, 'de')}")

    # What partner scoring counts: the registration's steps, and the order's win.
    # Give the deal source the scoring plan's time zone.
    activities = [
        *DealActivities(tz="Europe/London").activities(published),
        *QuoteActivities().activities(published),
    ]
    for activity in activities:
        worth = f" {activity.amount}" if activity.amount is not None else ""
        print(f"activity: {activity.partner_id} {activity.kind}{worth}")


if __name__ == "__main__":
    main()
