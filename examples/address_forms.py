"""Render the end-user section of a deal registration form for a few countries and languages.

A portal developer's starting point: build the address form of the user's
country with labels in the user's language, validate what was typed (messy,
as people type it), print every problem at once with its field path, and lay
the clean address out for the confirmation e-mail.

Run: python examples/address_forms.py
"""

from __future__ import annotations

from partnerkit.addresses import (
    Address,
    AddressForm,
    address_form,
    format_address,
)
from partnerkit.contacts import Contact, contact_labels, normalize_domain, validate_contact
from partnerkit.core.errors import ValidationError


def render(form: AddressForm) -> str:
    """A plain-text mock-up of the form: one line per row, * for required fields."""
    lines = [f"{form.country_name} ({form.locale})"]
    for row in form.rows:
        cells = []
        for field in row:
            cell = f"[{field.label}{' *' if field.required else ''}]"
            if field.choices:
                first = ", ".join(choice.label for choice in field.choices[:3])
                cell += f" <{len(field.choices)} choices: {first}, ...>"
            cells.append(cell)
        lines.append("  " + " ".join(cells))
    if form.postal_code_example:
        lines.append(f"  (postal code example: {form.postal_code_example})")
    return "\n".join(lines)


def main() -> None:
    for country, locale in [("US", "en"), ("GB", "en_GB"), ("DE", "de"), ("JP", "ja"),
                            ("BR", "pt"), ("IE", "fr")]:  # fmt: skip
        print(render(address_form(country, locale)))
        print()

    labels = contact_labels("es")
    print("Contact labels in Spanish:", ", ".join(labels.values()))
    print()

    # What a partner typed, as typed.
    messy = Contact(
        first_name="  Seán ",
        last_name="Ó Briain",
        email="Sean.OBriain@Example.IE ",
        phone="01 234 5678",
        role="decision_maker",
        address=Address(
            "ie",
            "  Unit 4,  Docklands  Innovation Park",
            city="dublin",
            country_area="county dublin",
            postal_code="d03 ab12",
            organization="Example Software Ltd",
        ),
    )
    clean = validate_contact(messy, path="end_user")
    print("Validated contact:", clean.first_name, clean.last_name, clean.email, clean.phone)
    assert clean.address is not None
    print("Envelope:")
    for line in format_address(clean.address):
        print("  " + line)
    print("Prospect key:", normalize_domain("https://www.example.ie/contact"))
    print()

    # A form submitted with several mistakes: every one is reported, with its path.
    wrong = Contact(
        first_name="Jane",
        last_name="",
        email="jane@@example.com",
        phone="555-01",
        role="ceo",
        address=Address("US", "", city="Austin", country_area="Texass", postal_code="7870"),
    )
    try:
        validate_contact(wrong, path="end_user")
    except ValidationError as error:
        print(f"{len(error.errors)} problems:")
        for problem in error.errors:
            print(f"  {problem.path:<32} {problem.code:<15} {problem.message}")


if __name__ == "__main__":
    main()
