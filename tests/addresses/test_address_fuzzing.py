"""Arbitrary text in every field: the only exception that ever escapes is ValidationError."""

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from partnerkit.addresses import (
    Address,
    address_form,
    country_name,
    format_address,
    supported_countries,
    validate_address,
)
from partnerkit.core.errors import ValidationError

CODES = {"required", "invalid", "invalid_choice", "unsupported_country", "unused"}
countries = st.sampled_from(supported_countries()) | st.text(max_size=4)
field_text = st.text(max_size=30) | st.sampled_from(
    ["", " ", "CA", "california", "Co. Dublin", "東京都", "SW1A 2AA", "94043", "\x00", "São Paulo"]
)
addresses = st.builds(
    Address,
    country_code=countries,
    address_line1=field_text,
    address_line2=field_text,
    city=field_text,
    city_area=field_text,
    country_area=field_text,
    postal_code=field_text | st.from_regex(r"[0-9A-Z]{3,5}[ -]?[0-9A-Z]{0,4}", fullmatch=True),
    sorting_code=field_text,
    organization=field_text,
    recipient=field_text,
)


@settings(max_examples=300)
@given(addresses, st.sampled_from(["", "end_user.address"]))
def test_validation_refuses_only_with_validation_error_and_is_idempotent(
    address: Address, path: str
) -> None:
    refused: ValidationError | None = None
    try:
        clean = validate_address(address, path=path)
    except ValidationError as error:
        refused = error
    if refused is not None:
        assert all(e.path.startswith(path) for e in refused.errors)
        assert {e.code for e in refused.errors} <= CODES
        return
    assert validate_address(clean) == clean
    assert format_address(clean)
    assert format_address(clean, latin=True, include_country=False) is not None


@settings(max_examples=150)
@given(addresses, st.booleans())
def test_formatting_any_address_raises_only_validation_error(address: Address, latin: bool) -> None:
    with contextlib.suppress(ValidationError):
        format_address(address, latin=latin)


@settings(max_examples=150)
@given(countries, st.text(max_size=12) | st.sampled_from(["de", "ja", "pt_BR", "zh_Hant_HK"]))
def test_forms_and_country_names_raise_only_validation_error(country: str, locale: str) -> None:
    try:
        form = address_form(country, locale)
    except ValidationError:
        pass
    else:
        assert form.fields
    with contextlib.suppress(ValidationError):
        country_name(country, locale)
