import pytest

from partnerkit.contacts import format_phone, normalize_phone
from partnerkit.core.errors import ValidationError


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("020 7183 8750", "GB", "+442071838750"),
        ("+44 (0)20 7183 8750", None, "+442071838750"),
        ("(201) 555-0123", "us", "+12015550123"),
        ("030 123456", "DE", "+4930123456"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("03-1234-5678", "JP", "+81312345678"),
        ("+1 201 555 0123 x42", "GB", "+12015550123;ext=42"),
    ],
)
def test_numbers_are_stored_in_e164_with_the_address_country_as_default(
    raw: str, region: str | None, expected: str
) -> None:
    assert normalize_phone(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region"),
    [("12345", "US"), ("020 7183 8750", None), ("not a number", "GB"), ("+999 123", None)],
)
def test_unusable_numbers_are_invalid_at_the_given_path(raw: str, region: str | None) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_phone(raw, region, path="end_user.phone")
    assert [(e.path, e.code) for e in info.value.errors] == [("end_user.phone", "invalid")]


def test_unknown_default_region_needs_the_plus() -> None:
    assert normalize_phone("+33 6 12 34 56 78", "XX") == "+33612345678"


def test_empty_number_is_required() -> None:
    with pytest.raises(ValidationError) as info:
        normalize_phone("", "GB")
    assert info.value.errors[0].code == "required"


@pytest.mark.parametrize(
    ("style", "locale", "expected"),
    [
        ("international", None, "+44 20 7183 8750"),
        ("national", None, "020 7183 8750"),
        ("e164", None, "+442071838750"),
        ("rfc3966", None, "tel:+44-20-7183-8750"),
        ("auto", "en_GB", "020 7183 8750"),
        ("auto", "fr_FR", "+44 20 7183 8750"),
        ("auto", "fr", "+44 20 7183 8750"),
    ],
)
def test_numbers_are_displayed_in_the_requested_style(
    style: str, locale: str | None, expected: str
) -> None:
    assert format_phone("+442071838750", style, locale) == expected  # type: ignore[arg-type]


def test_extension_is_displayed() -> None:
    assert format_phone("+12015550123;ext=42", "national") == "(201) 555-0123 ext. 42"


def test_unknown_style_and_garbage_are_validation_errors() -> None:
    with pytest.raises(ValidationError):
        format_phone("+442071838750", "fancy")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        format_phone("hello")
