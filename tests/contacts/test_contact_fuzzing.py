"""Arbitrary text into every contacts entry point: only ValidationError escapes, and the output
keeps its promises.

Properties checked beyond "no crash": normalized e-mail addresses, phone numbers
and domains are fixed points (normalizing again changes nothing); a stored phone
number written in any style reads back as the same number; a validated contact
validates to itself; a refusal names only known codes under the given path.
"""

from collections.abc import Callable
from typing import TypeVar

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
from partnerkit.core.errors import PartnerkitError, ValidationError

T = TypeVar("T")
CODES = {"required", "invalid", "invalid_choice", "unsupported_country", "unused"}

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


def attempt(
    fn: Callable[..., T], *args: object, **kwargs: object
) -> tuple[T | None, ValidationError | None]:
    """``(fn(...), None)``, or ``(None, error)`` for a ValidationError; anything else escapes."""
    try:
        return fn(*args, **kwargs), None
    except PartnerkitError as error:
        refused = error
    assert isinstance(refused, ValidationError), refused
    assert {e.code for e in refused.errors} <= CODES
    return None, refused


def _only_validation_error(fn: Callable[..., T], *args: object) -> T | None:
    """``fn(*args)``, or None when it raises a ValidationError (any other error fails)."""
    return attempt(fn, *args)[0]


@settings(max_examples=300)
@given(phones, regions)
def test_normalize_phone_refuses_only_with_validation_error(raw: str, region: str | None) -> None:
    e164, error = attempt(normalize_phone, raw, region, path="phone")
    if e164 is None:
        assert error is not None
        assert error.paths == ("phone",)
        assert {e.code for e in error.errors} <= {"required", "invalid"}
        return
    number, _, extension = e164.partition(";ext=")
    assert number.startswith("+")
    assert number[1:].isdigit()
    assert extension == "" or extension.isdigit()
    assert normalize_phone(e164) == e164
    assert normalize_phone(e164, region) == e164
    # Written in any style, the number reads back as the same number.
    for style in ("international", "e164", "rfc3966"):
        assert normalize_phone(format_phone(e164, style)) == e164, style
    national = format_phone(e164, "national")
    assert national
    assert format_phone(e164, "auto", "en_US") in (national, format_phone(e164, "international"))


@settings(max_examples=300)
@given(emails)
def test_normalize_email_refuses_only_with_validation_error(raw: str) -> None:
    email, error = attempt(normalize_email, raw, path="email")
    if email is None:
        assert error is not None
        assert error.paths == ("email",)
        assert {e.code for e in error.errors} <= {"required", "invalid"}
        return
    assert email == email.strip()
    local, at, domain = email.rpartition("@")
    assert local
    assert at
    assert domain
    assert domain == domain.lower()
    assert normalize_email(email) == email
    assert (
        normalize_email(f"  {email.upper() if email.isascii() else email} ").lower()
        == email.lower()
    )


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
    shown = _only_validation_error(display_domain, text)
    key = _only_validation_error(normalize_domain, text)
    if shown is not None:
        assert isinstance(shown, str)
        if key is not None:  # the Unicode form names the same company
            assert normalize_domain(shown) == key
    written = _only_validation_error(format_phone, text, style, locale)
    if written is not None:
        assert isinstance(written, str)
        assert written
        assert style in ("international", "national", "e164", "rfc3966", "auto")


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
    clean, error = attempt(validate_contact, contact, default_region=region, path="end_user")
    if clean is None:
        assert error is not None
        assert all(p.startswith("end_user.") for p in error.paths)
        return
    # A validated contact is a fixed point, its e-mail and phone are normalized.
    assert validate_contact(clean, default_region=region) == clean
    assert normalize_email(clean.email) == clean.email
    assert clean.phone == "" or normalize_phone(clean.phone) == clean.phone
    assert clean.first_name == clean.first_name.strip()
    assert clean.role in {"", "champion"}
