"""Arbitrary text into every contacts entry point: only ValidationError ever escapes."""

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from partnerkit.addresses import Address
from partnerkit.contacts import (
    Contact,
    display_domain,
    format_phone,
    normalize_domain,
    normalize_email,
    normalize_phone,
    validate_contact,
)
from partnerkit.core.errors import ValidationError

regions = (
    st.none() | st.sampled_from(["GB", "US", "DE", "JP", "BR", "xx", ""]) | st.text(max_size=3)
)
phones = st.text(max_size=25) | st.from_regex(r"\+?[0-9 ()\-]{4,18}", fullmatch=True)
emails = st.text(max_size=40) | st.emails().map(str)
domains = (
    st.text(max_size=40)
    | st.from_regex(
        r"(https?://)?([a-zA-Z0-9\-]{1,10}\.){1,4}[a-zA-Z]{2,6}\.?(/[a-z]*)?", fullmatch=True
    )
    | st.sampled_from(["xn--", "xn--a.com", "[::1]", "a@b@c", "https://", "..", "mailto:"])
)


def _only_validation_error(fn: object, *args: object) -> None:
    with contextlib.suppress(ValidationError):
        fn(*args)  # type: ignore[operator]


@settings(max_examples=300)
@given(phones, regions)
def test_normalize_phone_refuses_only_with_validation_error(raw: str, region: str | None) -> None:
    try:
        e164 = normalize_phone(raw, region)
    except ValidationError:
        return
    assert e164.startswith("+")
    assert normalize_phone(e164) == e164
    assert format_phone(e164, "national")


@settings(max_examples=300)
@given(emails)
def test_normalize_email_refuses_only_with_validation_error(raw: str) -> None:
    try:
        email = normalize_email(raw)
    except ValidationError:
        return
    assert normalize_email(email) == email


@settings(max_examples=400)
@given(domains)
def test_normalize_domain_refuses_only_with_validation_error(raw: str) -> None:
    try:
        domain = normalize_domain(raw)
    except ValidationError:
        return
    assert domain.isascii()
    assert domain == domain.lower()
    assert normalize_domain(domain) == domain
    assert normalize_domain(display_domain(domain)) == domain


@settings(max_examples=200)
@given(st.text(max_size=30), st.text(max_size=12), st.text(max_size=8) | st.none())
def test_display_and_format_raise_only_validation_error(
    text: str, style: str, locale: str | None
) -> None:
    _only_validation_error(display_domain, text)
    _only_validation_error(format_phone, text, style, locale)


@settings(max_examples=150)
@given(
    st.builds(
        Contact,
        first_name=st.text(max_size=10),
        last_name=st.text(max_size=10),
        email=emails,
        phone=phones,
        position=st.text(max_size=10),
        role=st.sampled_from(["", "champion", "boss"]) | st.text(max_size=5),
        address=st.none()
        | st.builds(
            Address,
            country_code=st.sampled_from(["GB", "US", "JP", "XX", ""]),
            address_line1=st.text(max_size=10),
            city=st.text(max_size=10),
            postal_code=st.text(max_size=8),
        ),
    ),
    regions,
)
def test_validate_contact_refuses_only_with_validation_error(
    contact: Contact, region: str | None
) -> None:
    _only_validation_error(validate_contact, contact)
    paths: tuple[str, ...] = ()
    try:
        validate_contact(contact, default_region=region, path="end_user")
    except ValidationError as error:
        paths = error.paths
    assert all(p.startswith("end_user.") for p in paths)
