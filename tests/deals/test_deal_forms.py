"""Validating the registration form: normalized values, and every bad field named with its path."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Any

import attrs
import pytest
from deal_factories import make_form
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerkit.addresses import Address
from partnerkit.core import Money, from_dict, to_dict
from partnerkit.core.errors import ValidationError
from partnerkit.deals import (
    RegistrationForm,
    RegistrationPolicy,
    fold,
    prospect_domain,
    validate_registration_form,
)
from partnerkit.locale import Choice


def test_a_good_form_comes_back_normalized() -> None:
    clean = validate_registration_form(make_form(), partner_name="N", partner_email="a@N.example")
    assert clean.company.domain == "acme.co.uk"
    assert clean.end_user.email == "ADA@acme.co.uk"
    assert clean.end_user.phone == "+442079460958"
    assert clean.partner.sales_lead_email == "Sam@northwind.example"
    assert clean.partner.contact_email == "a@n.example"
    assert from_dict(RegistrationForm, to_dict(clean)) == clean


def test_a_us_address_needs_its_state_and_zip_code() -> None:
    form = make_form()
    us = Address("US", "1600 Amphitheatre Pkwy", city="Mountain View", postal_code="9404")
    form = attrs.evolve(form, end_user=attrs.evolve(form.end_user, address=us))
    with pytest.raises(ValidationError) as caught:
        validate_registration_form(form)
    assert set(caught.value.paths) >= {
        "end_user.address.country_area",
        "end_user.address.postal_code",
    }


def test_every_bad_opportunity_field_is_named() -> None:
    policy = RegistrationPolicy(products=(Choice("archiving", "Archiving"),))
    form = make_form(
        users=True,
        projected_value=Money("-1", "EUR"),
        close_date=date(2026, 1, 1),
        budget_approved="yes",
        priority="",
        problems="",
        migrating_to="lotus",
    )
    with pytest.raises(ValidationError) as caught:
        validate_registration_form(form, policy, today=date(2026, 11, 23))
    assert caught.value.paths == (
        "opportunity.product",
        "opportunity.users",
        "opportunity.projected_value",
        "opportunity.close_date",
        "opportunity.budget_approved",
        "opportunity.priority",
        "opportunity.problems",
        "opportunity.migrating_to",
    )


def test_a_missing_end_user_address_role_and_position_are_required() -> None:
    form = make_form()
    bare = attrs.evolve(form.end_user, address=None, role="", position="")
    with pytest.raises(ValidationError) as caught:
        validate_registration_form(attrs.evolve(form, end_user=bare), default_region="GB")
    assert {e.path: e.code for e in caught.value.errors} == {
        "end_user.address": "required",
        "end_user.position": "required",
        "end_user.role": "required",
    }


@pytest.mark.parametrize("raw", ["someone@gmail.com", "https://outlook.com", "YAHOO.co.uk"])
def test_free_mail_domains_are_never_a_prospect_key(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        prospect_domain(raw)
    assert caught.value.errors[0].code == "free_mail"


@settings(max_examples=300)
@given(st.text(max_size=30))
def test_folding_ignores_case_and_accents(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert fold(text.casefold()) == folded
    assert not any(unicodedata.combining(c) for c in folded)
    assert fold("ÉCOLE Ünïcode") == "ecole unicode"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("close_date", datetime(2027, 3, 31, 12)),
        ("meeting_date", datetime(2026, 12, 2, 9)),
    ],
)
def test_a_datetime_where_a_date_belongs_is_refused_at_its_field(
    field: str, value: datetime
) -> None:
    # Issue #19: with ``today`` a datetime close date crashed the comparison (TypeError);
    # without, it was accepted as it was. Dates are dates.
    dates: dict[str, Any] = {field: value}
    form = make_form(**dates)
    for today in (date(2026, 11, 23), None):
        with pytest.raises(ValidationError) as caught:
            validate_registration_form(form, RegistrationPolicy(), today=today)
        assert caught.value.paths == (f"opportunity.{field}",)
