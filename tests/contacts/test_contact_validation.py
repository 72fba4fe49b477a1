from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from partnerkit.addresses import Address
from partnerkit.contacts import (
    DEFAULT_CONTACT_ROLES,
    Contact,
    ContactRole,
    contact_labels,
    format_phone,
    normalize_phone,
    role_choices,
    validate_contact,
)
from partnerkit.core import from_dict, to_dict
from partnerkit.core.errors import ValidationError

LONDON = Address("GB", "1 Main St", city="London", postal_code="ec1y8sy")


def test_contact_is_normalized_with_the_address_country_for_the_phone() -> None:
    contact = Contact(" Ada ", "Lovelace", "ADA@Example.COM", phone="020 7183 8750",
                      position="CTO", role="technical_contact", address=LONDON)  # fmt: skip
    clean = validate_contact(contact)
    assert clean == Contact(
        "Ada",
        "Lovelace",
        "ADA@example.com",
        "+442071838750",
        "CTO",
        "technical_contact",
        Address("GB", "1 Main St", city="London", postal_code="EC1Y 8SY"),
    )


def test_every_bad_field_is_reported_under_the_path_at_once() -> None:
    contact = Contact("", "Lovelace", "ada@", phone="12", role="boss",
                      address=Address("GB", "", city="London", postal_code="nope"))  # fmt: skip
    with pytest.raises(ValidationError) as info:
        validate_contact(contact, path="end_user")
    assert {e.path: e.code for e in info.value.errors} == {
        "end_user.first_name": "required",
        "end_user.address.address_line1": "required",
        "end_user.address.postal_code": "invalid",
        "end_user.email": "invalid",
        "end_user.phone": "invalid",
        "end_user.role": "invalid_choice",
    }


def test_phone_is_optional_unless_required() -> None:
    contact = Contact("Ada", "Lovelace", "ada@example.com")
    assert validate_contact(contact).phone == ""
    with pytest.raises(ValidationError) as info:
        validate_contact(contact, require_phone=True)
    assert info.value.paths == ("phone",)


def test_default_region_is_used_when_there_is_no_address() -> None:
    contact = Contact("Ada", "Lovelace", "ada@example.com", phone="030 123456")
    assert validate_contact(contact, default_region="DE").phone == "+4930123456"


def test_roles_come_from_a_configurable_list() -> None:
    roles = (ContactRole("sponsor", "Executive sponsor"), ContactRole("it", "IT"))
    contact = Contact("Ada", "Lovelace", "ada@example.com", role="sponsor")
    assert validate_contact(contact, roles=roles).role == "sponsor"
    with pytest.raises(ValidationError):
        validate_contact(
            Contact("Ada", "Lovelace", "ada@example.com", role="champion"), roles=roles
        )
    assert role_choices(roles, "de") == [("sponsor", "Executive sponsor"), ("it", "IT")]


def test_role_and_field_labels_are_translated() -> None:
    assert dict(role_choices(DEFAULT_CONTACT_ROLES, "ja"))["end_user"] == "エンドユーザー"
    assert contact_labels("es")["phone"] == "Teléfono"
    assert contact_labels("sw")["phone"] == "Phone"  # no catalog: English
    with pytest.raises(ValidationError) as caught:  # no such locale (issue #19)
        contact_labels("xx")
    assert caught.value.paths == ("locale",)


def test_contact_round_trips_through_the_converter() -> None:
    contact = validate_contact(
        Contact("Ada", "Lovelace", "ada@example.com", phone="020 7183 8750", address=LONDON)
    )
    assert from_dict(Contact, to_dict(contact)) == contact


def test_a_delete_character_in_a_name_is_refused_like_other_controls() -> None:
    contact = Contact("Ada\x7f", "Lovelace", "ada@example.com")
    with pytest.raises(ValidationError) as caught:
        validate_contact(contact, path="end_user")
    assert caught.value.paths == ("end_user.first_name",)


CONTACT = Contact("Ada", "Lovelace", "ada@example.com")


def untyped(value: object) -> Any:
    """A value as untyped host code passes it."""
    return value


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: validate_contact(CONTACT, roles=untyped(None)), "roles"),
        (lambda: validate_contact(CONTACT, roles=untyped(5)), "roles"),
        (lambda: validate_contact(CONTACT, roles=untyped("champion")), "roles"),
        (lambda: validate_contact(CONTACT, roles=untyped(["champion"])), "roles"),
        (lambda: validate_contact(CONTACT, default_region=untyped(44)), "default_region"),
        (lambda: validate_contact(CONTACT, require_phone=untyped("no")), "require_phone"),
        (lambda: validate_contact(CONTACT, path=untyped(None)), "path"),
        (lambda: role_choices(untyped(None)), "roles"),
        (lambda: normalize_phone("020 7183 8750", untyped(44)), "default_region"),
        (lambda: format_phone("+442071838750", untyped(Decimal("sNaN"))), "style"),
        (lambda: format_phone("+442071838750", untyped(None)), "style"),
        (lambda: format_phone("+442071838750", "auto", untyped(5)), "locale"),
    ],
)
def test_wrong_argument_types_from_untyped_code_are_refused_at_the_argument(
    call: Callable[[], object], argument: str
) -> None:
    # Host code without type checking passes None, numbers or a Decimal (#19): a
    # ValidationError naming the argument, not a TypeError from inside.
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.paths == (argument,)
