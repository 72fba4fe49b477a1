"""Arbitrary text in every field: only ValidationError escapes, and the output keeps its promises.

Properties checked beyond "no crash": a validated address validates to itself
(idempotence), formatting a valid address loses no non-empty field, formatting
any address gives clean lines with the country's name last, and messy spellings
of a valid address normalize to the same address.
"""

import contextlib

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from partnerkit.addresses import (
    Address,
    address_form,
    country_name,
    format_address,
    supported_countries,
    validate_address,
)
from partnerkit.addresses._address import FIELDS
from partnerkit.core.errors import PartnerkitError, ValidationError

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
def test_formatting_any_address_gives_clean_lines_with_the_country_last(
    address: Address, latin: bool
) -> None:
    refused: PartnerkitError | None = None
    try:
        lines = format_address(address, latin=latin)
    except PartnerkitError as error:
        refused = error
    if refused is not None:
        # Only an unknown country stops formatting, and only as a ValidationError.
        assert isinstance(refused, ValidationError)
        assert refused.paths == ("country_code",)
        assert refused.errors[0].code == "unsupported_country"
        return
    assert lines
    assert all(isinstance(line, str) and line and line == line.strip() for line in lines)
    assert not any("\n" in line for line in lines)
    domestic = format_address(address, latin=latin, include_country=False)
    assert lines[:-1] == domestic
    assert lines[-1] == format_address(Address(address.country_code))[-1]


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


MESSY_COUNTRIES = ["US", "GB", "DE", "JP", "BR", "CA", "IE", "NL", "IN", "AU", "CN", "KR", "MX"]
MESSY_COUNTRIES += ["ES", "IT", "FR", "CH", "SE", "PL", "AR", "AE", "RU", "TW", "PT"]


def _pick(draw: st.DrawFn, choices: tuple[str, ...]) -> str:
    return draw(st.sampled_from(choices)) if choices else ""


def _messy(text: str, draw: st.DrawFn) -> str:
    spaced = draw(st.sampled_from([text, f"  {text} ", text.replace(" ", "  ")]))
    return draw(st.sampled_from([spaced, spaced.lower(), spaced.upper()]))


@st.composite
def canonical_and_messy(draw: st.DrawFn) -> tuple[Address, Address]:
    country = draw(st.sampled_from(MESSY_COUNTRIES))
    form = address_form(country)
    values = {f.name: f"Sample {f.name} {draw(st.integers(1, 99))}" for f in form.fields}
    values["postal_code"] = form.postal_code_example if "postal_code" in values else ""
    area = form.field("country_area")
    typed_area = values.get("country_area", "")
    if area and area.choices:
        choice = draw(st.sampled_from(area.choices))
        values["country_area"] = choice.code
        typed_area = draw(st.sampled_from([choice.code, choice.name, choice.latin_name]))
        if choice.postal_code_example and draw(st.booleans()):
            values["postal_code"] = choice.postal_code_example
        # Where the metadata lists the area's cities (and their districts), pick from them.
        cities = form.city_choices(choice.code)
        if cities:
            city = draw(st.sampled_from(cities))
            values["city"] = city.code
            districts = form.city_area_choices(choice.code, city.code)
            if "city_area" in values:
                values["city_area"] = _pick(draw, tuple(d.code for d in districts))
            examples = [
                d.postal_code_example for d in districts if d.code == values.get("city_area")
            ]
            examples += [city.postal_code_example]
            example = next((e for e in examples if e), "")
            if example and "postal_code" in values:
                values["postal_code"] = example
    values.pop("country_code", None)
    try:
        canonical = validate_address(Address(country, **values))
    except ValidationError:
        assume(False)
        raise
    messy = {name: _messy(value, draw) for name, value in values.items()}
    messy["country_area"] = _messy(typed_area, draw) if typed_area else ""
    postal = values["postal_code"]
    if postal:
        compact = postal.replace(" ", "").replace("-", "")
        messy["postal_code"] = draw(st.sampled_from([postal.lower(), compact, f" {postal} "]))
    return canonical, Address(_messy(country, draw), **messy)


@settings(max_examples=200)
@given(canonical_and_messy())
def test_messy_spellings_of_a_valid_address_normalize_to_the_same_address(
    pair: tuple[Address, Address],
) -> None:
    canonical, messy = pair
    cleaned = validate_address(messy)
    assert cleaned.country_code == canonical.country_code
    assert cleaned.country_area == canonical.country_area
    assert cleaned.postal_code == canonical.postal_code
    assert cleaned.city.casefold() == canonical.city.casefold()
    assert cleaned.city_area.casefold() == canonical.city_area.casefold()
    assert validate_address(cleaned) == cleaned


@settings(max_examples=200)
@given(canonical_and_messy())
def test_formatting_a_valid_address_loses_no_field(pair: tuple[Address, Address]) -> None:
    address = pair[0]
    text = "\n".join(format_address(address)).upper()
    for name in FIELDS[1:]:
        value = getattr(address, name)
        if value:
            assert value.upper() in text, (name, value)
    latin = "\n".join(format_address(address, latin=True)).upper()
    for name in ("address_line1", "address_line2", "postal_code", "recipient", "organization"):
        value = getattr(address, name)
        if value:
            assert value.upper() in latin, (name, value)
