import pytest

from partnerkit.addresses import Address, validate_address
from partnerkit.core import from_dict, to_dict
from partnerkit.core.errors import ValidationError


def problems(address: Address, path: str = "") -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        validate_address(address, path=path)
    return {e.path: e.code for e in info.value.errors}


@pytest.mark.parametrize(
    ("country", "raw", "expected"),
    [
        ("GB", "sw1a2aa", "SW1A 2AA"),
        ("GB", "  ec1y   8sy ", "EC1Y 8SY"),
        ("NL", "1234ab", "1234 AB"),
        ("CA", "h3z2y7", "H3Z 2Y7"),
        ("BR", "01310100", "01310-100"),
        ("JP", "\uff11\uff15\uff14\uff10\uff10\uff12\uff13", "154-0023"),  # full width
        ("PL", "00950", "00-950"),
        ("US", "94043 1351", "94043-1351"),
        ("SE", "SE-114 55", "11455"),
        ("IE", "d02x285", "D02 X285"),
        ("DE", "D-10115", "10115"),
    ],
)
def test_postal_codes_are_upper_cased_and_spaced_per_country(
    country: str, raw: str, expected: str
) -> None:
    address = Address(country, "1 Main St", city="Town", postal_code=raw)
    if country in ("US", "CA", "BR"):
        area = {"US": "CA", "CA": "QC", "BR": "SP"}[country]
        city = "São Paulo" if country == "BR" else "Town"  # Brazil's cities come from a list
        address = Address(country, "1 Main St", city=city, country_area=area, postal_code=raw)
    if country == "JP":
        address = Address(country, "1-1 Chiyoda", country_area="Tokyo", postal_code=raw)
    if country == "IE":
        address = Address(
            country, "1 Main St", city="Dublin", country_area="Dublin", postal_code=raw
        )
    assert validate_address(address).postal_code == expected


@pytest.mark.parametrize(
    ("country", "typed", "code"),
    [
        ("US", "california", "CA"),
        ("US", "CA", "CA"),
        ("US", "US-CA", "CA"),
        ("IE", "Co. Dublin", "Co. Dublin"),
        ("IE", "County Dublin", "Co. Dublin"),
        ("IE", "co dublin", "Co. Dublin"),
        ("IE", "Dublin", "Co. Dublin"),
        ("JP", "Tokyo", "東京都"),
        ("JP", "東京都", "東京都"),
        ("JP", "JP-13", "東京都"),
        ("CA", "Québec", "QC"),
        ("CA", "quebec", "QC"),
        ("BR", "São Paulo", "SP"),
        ("BR", "sao paulo", "SP"),
        ("ES", "Araba", "VI"),
    ],
)
def test_country_area_is_canonicalized_from_code_local_or_latin_name(
    country: str, typed: str, code: str
) -> None:
    postal = {"US": "94043", "IE": "", "JP": "100-0001", "CA": "H3Z 2Y7", "BR": "01310-100"}
    address = Address(
        country,
        "1 Main St",
        city={"JP": "", "BR": "São Paulo"}.get(country, "Town"),
        country_area=typed,
        postal_code=postal.get(country, "01001"),
    )
    assert validate_address(address).country_area == code


def test_whitespace_is_trimmed_and_collapsed() -> None:
    address = Address(" us ", "  1600   Amphitheatre\tPkwy ", city=" Mountain  View",
                      country_area=" ca", postal_code=" 94043 ")  # fmt: skip
    clean = validate_address(address)
    assert clean == Address("US", "1600 Amphitheatre Pkwy", city="Mountain View",
                            country_area="CA", postal_code="94043")  # fmt: skip


def test_known_cities_get_their_canonical_spelling() -> None:
    address = Address("BR", "Av. Paulista 1", city="sao paulo", country_area="SP",
                      postal_code="01310-100")  # fmt: skip
    assert validate_address(address).city == "São Paulo"


def test_every_bad_field_is_reported_at_once_under_the_path() -> None:
    address = Address("US", "", city="", country_area="Narnia", postal_code="1234",
                      sorting_code="X")  # fmt: skip
    assert problems(address, "end_user.address") == {
        "end_user.address.address_line1": "required",
        "end_user.address.city": "required",
        "end_user.address.country_area": "invalid_choice",
        "end_user.address.postal_code": "invalid",
        "end_user.address.sorting_code": "unused",
    }


def test_bad_postal_code_message_shows_a_valid_example() -> None:
    with pytest.raises(ValidationError) as info:
        validate_address(Address("GB", "1 Main St", city="London", postal_code="12345"))
    assert "EC1Y 8SY" in info.value.errors[0].message


def test_postal_code_must_belong_to_the_state() -> None:
    address = Address("US", "1 Main St", city="New York", country_area="NY", postal_code="90210")
    assert problems(address) == {"postal_code": "invalid"}


def test_a_county_for_a_uk_address_is_unused() -> None:
    address = Address("GB", "1 Main St", city="London", country_area="Kent",
                      postal_code="EC1Y 8SY")  # fmt: skip
    assert problems(address) == {"country_area": "unused"}


def test_missing_country_is_required_and_unknown_country_unsupported() -> None:
    # Without a known country, the fields every country requires are reported too (#19):
    # the first address line, the only one required everywhere in the metadata.
    everywhere = {"address_line1": "required"}
    assert problems(Address("")) == {"country_code": "required", **everywhere}
    assert problems(Address("XX")) == {"country_code": "unsupported_country", **everywhere}
    assert problems(Address("ZZ")) == {"country_code": "unsupported_country", **everywhere}
    assert problems(Address("", "1 Main St")) == {"country_code": "required"}
    assert problems(Address("XX", "\x00")) == {
        "country_code": "unsupported_country",
        "address_line1": "invalid",
    }


def test_uk_is_accepted_for_the_united_kingdom() -> None:
    address = Address("uk", "1 Main St", city="London", postal_code="EC1Y8SY")
    assert validate_address(address).country_code == "GB"


def test_control_characters_and_overlong_text_are_invalid() -> None:
    address = Address("GB", "1 Main\x00St", city="L" * 500, postal_code="EC1Y 8SY")
    assert problems(address) == {"address_line1": "invalid", "city": "invalid"}


def test_non_text_values_are_invalid_not_a_crash() -> None:
    address = Address("GB", 12, city="London", postal_code="EC1Y 8SY")  # type: ignore[arg-type]
    assert problems(address) == {"address_line1": "invalid"}


def test_validation_is_idempotent() -> None:
    address = Address("ie", "1 Main St", city="dublin", country_area="county dublin",
                      postal_code="d02x285")  # fmt: skip
    once = validate_address(address)
    assert validate_address(once) == once


def test_address_round_trips_through_the_converter() -> None:
    address = Address("JP", "1-1 Chiyoda", country_area="東京都", postal_code="100-0001",
                      organization="ACME", recipient="山田太郎")  # fmt: skip
    assert from_dict(Address, to_dict(address)) == address
