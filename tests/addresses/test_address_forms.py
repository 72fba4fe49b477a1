import pytest

from partnerkit.addresses import AreaChoice, address_form, country_name
from partnerkit.core.errors import ValidationError


def labels(country: str, locale: str = "en") -> dict[str, str]:
    return {f.name: f.label for f in address_form(country, locale).fields}


def test_us_form_asks_for_state_and_zip_code_on_the_city_row() -> None:
    form = address_form("US")
    assert [f.name for f in form.rows[-1]] == ["city", "country_area", "postal_code"]
    assert [f.label_key for f in form.rows[-1]] == ["city", "state", "zip"]
    assert form.required == ("address_line1", "city", "country_area", "postal_code")


def test_uk_form_has_postcode_and_post_town_but_no_county() -> None:
    form = address_form("GB", "en_GB")
    assert form.field("country_area") is None
    assert form.field("postal_code") is not None
    assert form.field("postal_code").label == "Postcode"  # type: ignore[union-attr]
    assert form.field("city").label_key == "post_town"  # type: ignore[union-attr]
    assert labels("GB")["postal_code"] == "Postal code"


@pytest.mark.parametrize(
    ("country", "field", "key"),
    [
        ("IE", "postal_code", "eircode"),
        ("IE", "country_area", "county"),
        ("IN", "postal_code", "pin"),
        ("JP", "country_area", "prefecture"),
        ("AE", "country_area", "emirate"),
        ("KR", "country_area", "do_si"),
        ("JM", "country_area", "parish"),
        ("CA", "country_area", "province"),
        ("BR", "city_area", "neighborhood"),
    ],
)
def test_label_keys_follow_the_country(country: str, field: str, key: str) -> None:
    found = address_form(country).field(field)
    assert found is not None
    assert found.label_key == key


def test_labels_are_translated_into_the_form_locale() -> None:
    assert labels("US", "de")["postal_code"] == "ZIP-Code"
    assert labels("DE", "de")["postal_code"] == "Postleitzahl"
    assert labels("FR", "fr")["city"] == "Ville"
    assert labels("JP", "ja")["country_area"] == "都道府県"
    assert labels("IE", "es")["country_area"] == "Condado"


def test_a_locale_without_a_catalog_falls_back_to_english() -> None:
    assert labels("US", "sw")["country_area"] == "State"


def test_area_choices_are_one_per_area_in_drop_down_order() -> None:
    choices = address_form("US").field("country_area").choices  # type: ignore[union-attr]
    codes = [c.code for c in choices]
    assert len(codes) == len(set(codes))
    assert codes[:3] == ["AL", "AK", "AS"]
    assert AreaChoice("CA", "California", "California", "US-CA", "California", "90000") in choices


def test_japanese_prefectures_show_kanji_in_japanese_and_latin_in_english() -> None:
    ja = address_form("JP", "ja").field("country_area").choices  # type: ignore[union-attr]
    en = address_form("JP", "en").field("country_area").choices  # type: ignore[union-attr]
    tokyo = next(c for c in ja if c.iso_code == "JP-13")
    assert (tokyo.code, tokyo.name, tokyo.latin_name, tokyo.label) == (
        "東京都",
        "東京都",
        "Tokyo",
        "東京都",
    )
    assert next(c for c in en if c.iso_code == "JP-13").label == "Tokyo"


def test_canadian_provinces_are_labelled_in_french_for_a_french_form() -> None:
    choices = address_form("CA", "fr_CA").field("country_area").choices  # type: ignore[union-attr]
    quebec = next(c for c in choices if c.code == "QC")
    assert quebec.label == "Québec"
    assert quebec.name == "Quebec"


def test_form_gives_the_postal_code_pattern_and_an_example() -> None:
    form = address_form("NL")
    assert form.postal_code_example
    assert form.postal_code_pattern


def test_country_names_come_from_cldr_in_the_form_locale() -> None:
    assert address_form("DE", "ja").country_name == "ドイツ"
    assert country_name("CH", "it") == "Svizzera"
    assert country_name("gb") == "United Kingdom"


def test_unknown_country_is_refused_with_unsupported_country() -> None:
    with pytest.raises(ValidationError) as info:
        address_form("XX")
    assert info.value.errors[0].code == "unsupported_country"


def test_malformed_locale_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        address_form("US", "not a locale")
    assert info.value.paths == ("locale",)
