"""Shared builders for the deals tests: actors, partners, forms and both storage backends."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pendulum

from partnerkit.addresses import Address
from partnerkit.contacts import Contact
from partnerkit.core import EventDispatcher, Money
from partnerkit.deals import CompanySection, OpportunitySection, PartnerSection, RegistrationForm
from partnerkit.services import APPROVE_DEALS, DEAL_REGISTRATIONS, PROSPECTS, REGISTER_DEALS
from partnerkit.storage import AggregateSpec, MemoryStorage, SqliteStorage, Storage

NOW = pendulum.datetime(2026, 11, 23, 9, tz="Europe/London")


@attrs.frozen
class User:
    """A test actor: satisfies the DealActor port."""

    id: str
    partner_id: str | None
    permissions: frozenset[str]

    def has_permission(self, permission: str) -> bool:
        return permission in self.permissions


@attrs.frozen
class PartnerRecord:
    """A test partner: satisfies the DealPartner port."""

    id: str
    name: str
    email: str


def partner_user(partner_id: str, name: str = "") -> User:
    return User(name or f"{partner_id}-rep", partner_id, frozenset({REGISTER_DEALS}))


VENDOR = User("vera", None, frozenset({APPROVE_DEALS}))
PARTNERS = {
    "p1": PartnerRecord("p1", "Northwind Resellers", "deals@northwind.example"),
    "p2": PartnerRecord("p2", "Contoso Channel", "deals@contoso.example"),
    "p3": PartnerRecord("p3", "Fabrikam IT", "deals@fabrikam.example"),
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


def make_storage(kind: str, tmp_path: Path, dispatcher: EventDispatcher | None = None) -> Storage:
    specs: list[AggregateSpec[Any]] = [PROSPECTS, DEAL_REGISTRATIONS]
    if kind == "memory":
        return MemoryStorage(dispatcher, specs=specs)
    return SqliteStorage(tmp_path / "deals.sqlite3", dispatcher=dispatcher, specs=specs)
