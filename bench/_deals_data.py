"""The registration forms the deal and storage benchmarks register: varied, valid, British."""

from __future__ import annotations

from datetime import date

from partnerkit.addresses import Address
from partnerkit.contacts import Contact
from partnerkit.core import Money
from partnerkit.deals import CompanySection, OpportunitySection, PartnerSection, RegistrationForm


def registration_form(i: int) -> RegistrationForm:
    """The ``i``-th form: its own prospect, contact, seats and value, so no cache serves two."""
    return RegistrationForm(
        CompanySection(f"Prospect {i} Ltd", f"https://www.prospect{i}.co.uk/"),
        PartnerSection("Jo Bloggs", "020 7183 8750"),
        Contact(
            "Ada",
            f"Lovelace{i}",
            f"ada.{i}@prospect{i}.co.uk",
            phone=f"020 7946 {i % 10_000:04d}",
            position="CIO",
            role="decision_maker",
            address=Address("GB", f"{i} Main St", city="London", postal_code="ec1y8sy"),
        ),
        OpportunitySection(
            "email-security",
            10 + i % 500,
            Money(f"{1000 + i}.00", "GBP"),
            date(2027, 3, 31),
            True,
            "high",
            "Too much spam",
            None,
            "microsoft_365",
        ),
    )
