import pytest

from partnerkit.addresses import Address, format_address
from partnerkit.core.errors import ValidationError


def test_us_address_puts_city_state_and_zip_on_one_line_in_capitals() -> None:
    address = Address("US", "1600 Amphitheatre Pkwy", "Building 40", city="Mountain View",
                      country_area="CA", postal_code="94043", recipient="Jane Doe")  # fmt: skip
    assert format_address(address) == [
        "Jane Doe",
        "1600 Amphitheatre Pkwy",
        "Building 40",
        "MOUNTAIN VIEW, CA 94043",
        "UNITED STATES",
    ]


def test_japanese_address_starts_with_the_postal_mark_and_has_a_latin_layout() -> None:
    address = Address("JP", "千代田1-1", country_area="東京都", postal_code="100-0001",
                      recipient="山田太郎")  # fmt: skip
    assert format_address(address, include_country=False) == [
        "〒100-0001",
        "東京都",
        "千代田1-1",
        "山田太郎",
    ]
    assert format_address(address, latin=True)[-3:] == ["千代田1-1, TOKYO", "100-0001", "JAPAN"]


def test_postal_prefix_of_the_country_is_printed() -> None:
    address = Address("SE", "Drottninggatan 1", city="Stockholm", postal_code="11455")
    assert format_address(address, include_country=False) == [
        "Drottninggatan 1",
        "SE-11455 STOCKHOLM",
    ]


def test_missing_fields_take_their_punctuation_with_them() -> None:
    address = Address("US", "1 Main St", city="Springfield", postal_code="62701")
    assert format_address(address, include_country=False) == ["1 Main St", "SPRINGFIELD 62701"]
    no_postal = Address("JP", "千代田1-1", country_area="東京都")
    assert format_address(no_postal, include_country=False) == ["東京都", "千代田1-1"]


US = Address(
    "US", "1600 Amphitheatre Pkwy", city="Mountain View", country_area="CA", postal_code="94043"
)


@pytest.mark.parametrize(
    ("locale", "line"),
    [
        ("de_DE", "VEREINIGTE STAATEN"),
        ("fr", "ÉTATS-UNIS"),
        ("es-ES", "ESTADOS UNIDOS"),
        ("ja", "アメリカ合衆国"),
        (None, "UNITED STATES"),
    ],
)
def test_the_country_line_is_in_the_senders_language(locale: str | None, line: str) -> None:
    lines = format_address(US, locale=locale)
    assert lines[-1] == line
    assert lines[:-1] == format_address(US, include_country=False)  # the rest is the destination's


def test_every_country_line_is_in_capitals() -> None:
    # Google's data writes three names in mixed case (FM, HU, MD): the envelope wants capitals.
    for code in ("FM", "HU", "MD", "DE"):
        for locale in (None, "en", "de"):
            line = format_address(Address(code, "Street 1"), locale=locale)[-1]
            assert line == line.upper()
            assert line.strip()
    assert format_address(Address("FM", "Street 1"))[-1] == "MICRONESIA (FEDERATED STATE OF)"


def test_an_unknown_locale_and_country_are_both_named() -> None:
    with pytest.raises(ValidationError) as raised:
        format_address(Address("ZZ", "Street 1"), locale="xx_YY")
    assert {e.path for e in raised.value.errors} == {"locale", "country_code"}
    with pytest.raises(ValidationError) as raised:
        format_address(US, locale="0")
    assert [e.path for e in raised.value.errors] == ["locale"]


@pytest.mark.parametrize(
    ("locale", "code", "line"),
    [
        ("tr", "US", "AMERİKA BİRLEŞİK DEVLETLERİ"),  # Turkish i is İ in capitals
        ("az", "GB", "BİRLƏŞMİŞ KRALLIQ"),
        ("el", "DE", "ΓΕΡΜΑΝΙΑ"),  # Greek capitals drop the tonos of Γερμανία
        ("de", "AX", "FINNLAND"),  # Google's postal data routes Åland's mail to Finland
        ("fr", "JE", "CHANNEL ISLANDS"),  # no CLDR name for the postal region
    ],
)
def test_capitals_and_postal_countries(locale: str, code: str, line: str) -> None:
    assert format_address(Address(code, "Street 1"), locale=locale)[-1] == line


def test_an_english_sender_gets_the_postal_names_as_without_a_locale() -> None:
    from partnerkit.addresses._metadata import supported_countries

    for code in supported_countries():
        address = Address(code, "Street 1")
        assert format_address(address, locale="en_GB")[-1] == format_address(address)[-1]
