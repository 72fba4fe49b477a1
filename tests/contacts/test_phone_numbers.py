import re
import subprocess
import sys
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerkit.contacts import format_phone, normalize_phone
from partnerkit.contacts._phone import _is_valid
from partnerkit.core.errors import ValidationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


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


# -- the own-region fast path agrees with phonenumbers' full look-up ----------------------


def _variants(region: str) -> list[str]:
    texts = []
    for kind in range(12):  # every PhoneNumberType with example data
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None:
            continue
        national = str(example.national_number)
        texts += [national, national[:-1], national + "1", national[:-1] + "9"]
    return texts


_SHARED = {
    code: regions
    for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()
    if len(regions) > 1
}


@pytest.mark.parametrize("region", sorted(phonenumbers.SUPPORTED_REGIONS))
def test_own_region_fast_path_agrees_with_the_full_lookup(region: str) -> None:
    code = phonenumbers.country_code_for_region(region)
    # The region's own numbers, and its neighbours' on the same calling code.
    regions = _SHARED.get(code, (region,))
    for other in regions:
        for text in _variants(other):
            try:
                number = phonenumbers.parse(text, region)
            except phonenumbers.NumberParseException:
                continue
            assert _is_valid(number, region) == phonenumbers.is_valid_number(number), (other, text)


@settings(max_examples=300)
@given(
    st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)),
    st.text("0123456789", min_size=4, max_size=14),
)
def test_random_digits_get_the_same_verdict_on_both_paths(region: str, digits: str) -> None:
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return
    assert _is_valid(number, region) == phonenumbers.is_valid_number(number)


PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_the_dependency_is_phonenumberslite_without_the_geocoding_and_carrier_data() -> None:
    # phonenumbers ships ~40 MB of geocoding, carrier and time-zone data partnerkit never
    # reads; phonenumberslite is the same library and metadata without it (#19).
    if not PYPROJECT.exists():  # pragma: no cover - an installed wheel has no pyproject
        pytest.skip("no pyproject.toml next to the tests")
    dependencies = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0].lower() for dep in dependencies}
    assert "phonenumberslite" in names
    assert "phonenumbers" not in names


def test_partnerkit_reads_no_geocoding_carrier_or_time_zone_module() -> None:
    code = (
        "import sys\n"
        "from partnerkit.contacts import format_phone, normalize_phone, validate_contact\n"
        "format_phone(normalize_phone('020 7183 8750', 'GB'), 'auto', 'en_GB')\n"
        "extra = {'phonenumbers.geocoder', 'phonenumbers.carrier', 'phonenumbers.timezone'}\n"
        "print(sorted(extra & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
