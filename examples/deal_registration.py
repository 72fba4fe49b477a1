"""Register a deal, approve it with a quote hook, progress it, sweep expiries, list its activities.

The partner and its sales rep live in the same storage (``PARTNERS`` and
``PARTNER_USERS``); the services check every actor with
``partnerkit.partners.authorize``.
"""

from __future__ import annotations

from datetime import date

import pendulum

from partnerkit.addresses import Address
from partnerkit.contacts import Contact
from partnerkit.core import DomainEvent, EventDispatcher, Money
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
from partnerkit.services import (
    DEAL_REGISTRATIONS,
    PROSPECTS,
    DealActivities,
    approve_deal,
    expire_due,
    register_deal,
    search_deals,
    start_order,
    submit_order,
)
from partnerkit.storage import PARTNER_USERS, PARTNERS, MemoryStorage, UnitOfWork
from partnerkit.testing import FixedClock


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
    policy = registration_policy_from_dict({"review_days": 7, "order_start_days": 20})
    dispatcher = EventDispatcher()
    dispatcher.subscribe(DomainEvent, lambda event: print(f"  event: {type(event).__name__}"))
    published: list[DomainEvent] = []
    dispatcher.subscribe(DomainEvent, published.append)
    storage = MemoryStorage(
        dispatcher, specs=[PROSPECTS, DEAL_REGISTRATIONS, PARTNERS, PARTNER_USERS]
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
    rep = Actor("alice", "user", partner_id="p1")
    manager = Actor("vera", "partner_account_manager", managed_partner_ids={"p1"})

    def quote(uow: UnitOfWork, deal: DealRegistration) -> None:
        # The quoting area creates the approval quote here, in the same commit.
        print(f"  quote for {deal.users} users of {deal.product}")

    def register(form: RegistrationForm) -> DealRegistration:
        with storage.unit_of_work() as uow:
            deal = register_deal(uow, rep, form, clock=clock, policy=policy)
        print(f"registered {deal.id} for {deal.prospect_name}")
        return deal

    won = register(form_for("Acme Ltd", "acme.co.uk", 250))
    register(form_for("Globex", "globex.example", 40))  # never progressed: the sweep expires it

    with storage.unit_of_work() as uow:
        won = approve_deal(uow, manager, won.id, clock=clock, policy=policy, on_approved=quote)
    assert won.deadlines is not None
    print(f"approved {won.id}: start the order by {won.deadlines.order_start_due}")
    clock.advance(days=5)
    with storage.unit_of_work() as uow:
        start_order(uow, rep, won.id, clock=clock)
    with storage.unit_of_work() as uow:
        won = submit_order(uow, rep, won.id, clock=clock)
    steps = " > ".join(f"{s.label}{'*' if s.state == 'current' else ''}" for s in won.progress())
    print(f"{won.id}: {steps}")

    with storage.unit_of_work() as uow:
        report = expire_due(uow, clock.now().add(days=10))
    for id, reason in report.expired:
        print(f"expired {id}: {reason}")
    with storage.unit_of_work() as uow:
        for deal in search_deals(uow, rep, DealQuery()):
            print(f"{deal.id}  {deal.prospect_name:<10} {deal_stage_label(deal.stage, 'de')}")

    # What partner scoring counts: give the source the scoring plan's time zone.
    for activity in DealActivities(tz="Europe/London").activities(published):
        worth = f" {activity.amount}" if activity.amount is not None else ""
        print(f"activity: {activity.partner_id} {activity.kind}{worth}")


if __name__ == "__main__":
    main()
