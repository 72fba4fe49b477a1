"""Shared builders for the deals tests: actors, partners, forms and both storage backends."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pendulum

from partnerkit.addresses import Address
from partnerkit.contacts import Contact
from partnerkit.core import Clock, EventDispatcher, Money, Percentage
from partnerkit.deals import (
    CompanySection,
    OpportunitySection,
    PartnerSection,
    Prospect,
    RegistrationForm,
    RegistrationPolicy,
    validate_registration_form,
)
from partnerkit.partners import PROGRAM_ADMINISTRATOR, USER, Actor, Partner, PartnerUser
from partnerkit.program import Program
from partnerkit.quoting import (
    MarginPolicy,
    Order,
    PriceBook,
    Pricing,
    Product,
    ProductPrice,
    VolumeBand,
)
from partnerkit.services import (
    DEAL_REGISTRATIONS,
    PROSPECTS,
    accept_quote,
    send_quote,
    start_quote_order,
)
from partnerkit.storage import PARTNER_USERS, AggregateSpec, MemoryStorage, SqliteStorage, Storage
from partnerkit.storage import PARTNERS as PARTNERS_SPEC
from partnerkit.testing import make_program

NOW = pendulum.datetime(2026, 11, 23, 9, tz="Europe/London")


def partner_user(partner_id: str, name: str = "") -> Actor:
    """A partner's sales rep (role ``user``: may register deals)."""
    return Actor(name or REP_NAMES[partner_id], USER, partner_id=partner_id)


REP_NAMES = {"p1": "alice", "p2": "bob", "p3": "carol"}
ALICE = partner_user("p1")
BOB = partner_user("p2")
VENDOR = Actor("vera", PROGRAM_ADMINISTRATOR)
PARTNERS = {
    "p1": Partner("p1", "Northwind Resellers", "northwind.example", "reseller"),
    "p2": Partner("p2", "Contoso Channel", "contoso.example", "reseller"),
    "p3": Partner("p3", "Fabrikam IT", "fabrikam.example", "reseller"),
}
#: The registering reps' own records: their e-mail fills the partner section.
REPS = {
    key: PartnerUser(REP_NAMES[key], key, "Rep", f"rep@{partner.domain}")
    for key, partner in PARTNERS.items()
}


def make_form(
    domain: str = "acme.co.uk", name: str = "Acme Ltd", **opportunity: Any
) -> RegistrationForm:
    values: dict[str, Any] = {
        "product": "email-security",
        "users": 250,
        "projected_value": Money("12000", "GBP"),
        "close_date": date(2027, 3, 31),
        "budget_approved": True,
        "priority": "high",
        "problems": "Too much spam; the archive is full.",
        "meeting_date": date(2026, 12, 2),
        "migrating_to": "microsoft_365",
    }
    values.update(opportunity)
    return RegistrationForm(
        CompanySection(name, f"https://www.{domain}/"),
        PartnerSection(
            "Jo Bloggs",
            "020 7183 8750",
            sales_lead_name="Sam Lead",
            sales_lead_email="Sam@Northwind.example",
        ),
        Contact(
            "Ada",
            "Lovelace",
            "ADA@acme.co.uk",
            phone="020 7946 0958",
            position="CIO",
            role="decision_maker",
            address=Address("GB", "1 Main St", city="London", postal_code="ec1y8sy"),
        ),
        OpportunitySection(**values),
    )


#: The default policy, the default form validated under it, and its prospect: what the
#: aggregate-level tests start a registration from.
POLICY = RegistrationPolicy()
FORM = validate_registration_form(make_form(), POLICY)
PROSPECT = Prospect("PR-000001", "Acme Ltd", "acme.co.uk", NOW, "alice")


#: The euro price book and margins of a program that quotes its approved deals.
MARGINS = MarginPolicy(reward_margin=Percentage("5"))
PRICE_BOOK = PriceBook(
    "eur-2026",
    "EUR",
    date(2026, 1, 1),
    prices=[
        ProductPrice(
            Product("email-security", "Email security"), [VolumeBand(1, Money("3.50", "EUR"))]
        )
    ],
)


def priced_program() -> Program:
    """A euro program in London's time zone with ``[pricing]``: approvals generate quotes."""
    product = Product("email-security", "Email security")
    return make_program(
        currency="EUR",
        timezone="Europe/London",
        pricing=Pricing(products=(product,), price_books=(PRICE_BOOK,), margins=MARGINS),
    )


def start_quoted_order(storage: Storage, quote_id: str, actor: Actor, clock: Clock) -> Order:
    """Send and accept a quote as ``actor``, then start its order (a commit each); the order."""
    with storage.unit_of_work() as uow:
        send_quote(uow, quote_id, actor=actor, clock=clock)
    with storage.unit_of_work() as uow:
        accept_quote(uow, quote_id, actor=actor, clock=clock)
    with storage.unit_of_work() as uow:
        return start_quote_order(uow, quote_id, actor=actor, clock=clock)


def make_storage(kind: str, tmp_path: Path, dispatcher: EventDispatcher | None = None) -> Storage:
    """A fresh backend holding the partners and their reps."""
    specs: list[AggregateSpec[Any]] = [PROSPECTS, DEAL_REGISTRATIONS, PARTNERS_SPEC, PARTNER_USERS]
    storage: Storage
    if kind == "memory":
        storage = MemoryStorage(dispatcher, specs=specs)
    else:
        storage = SqliteStorage(tmp_path / "deals.sqlite3", dispatcher=dispatcher, specs=specs)
    with storage.unit_of_work() as uow:
        for partner in PARTNERS.values():
            uow.repository(PARTNERS_SPEC).add(partner)
        for rep in REPS.values():
            uow.repository(PARTNER_USERS).add(rep)
        for spec in specs:  # every table exists before threads race on the rows
            uow.repository(spec).count()
        uow.commit()
    return storage
