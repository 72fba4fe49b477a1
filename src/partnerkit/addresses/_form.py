"""Address forms: which fields a country uses, in which order, how they are called."""

from __future__ import annotations

from functools import lru_cache

import attrs
from babel.core import Locale, UnknownLocaleError

from partnerkit.addresses._address import field_label, resolve_country
from partnerkit.addresses._labels import label_key
from partnerkit.addresses._metadata import (
    AreaChoice,
    CountryRules,
    Place,
    country_rules,
    supported_countries,
)
from partnerkit.core.errors import ValidationError
from partnerkit.locale import gettext

__all__ = ["AddressForm", "FormField", "address_form", "country_name", "supported_countries"]


@attrs.frozen
class FormField:
    """One input of an address form.

    ``name`` is the :class:`Address` attribute it fills; ``label_key`` the
    stable key of its label (``zip``, ``postal``, ``eircode``, ``state``,
    ``county``, ``prefecture``, ``city``, ``post_town``, ``address_line1``,
    ...) that hosts can map to their own texts; ``label`` that label in the
    form's language. ``choices`` is non-empty only for a country area that
    must be picked from a list. ``depends_on`` names the field whose value
    decides this one's list, where the metadata lists the cities of each area
    (``"country_area"`` for the city in China, Korea, Taiwan, Brazil, Chile
    and Hong Kong) or the districts of each city (``"city"``): ask
    :meth:`AddressForm.city_choices` or :meth:`AddressForm.city_area_choices`
    once that field is picked. It is empty for a free-text field.
    """

    name: str
    label_key: str
    label: str
    required: bool
    choices: tuple[AreaChoice, ...] = ()
    depends_on: str = ""


@attrs.frozen
class AddressForm:
    """The address form of one country in one language, ready to render.

    ``rows`` are the fields grouped as the country lays them out (city,
    state and ZIP code share a row in the US); ``postal_code_pattern`` is the
    regular expression a postal code must match in full after
    :func:`validate_address` has normalized it, and ``postal_code_example``
    a valid example (both empty where the country has no postal codes).
    """

    country_code: str
    country_name: str
    locale: str
    rows: tuple[tuple[FormField, ...], ...]
    postal_code_pattern: str
    postal_code_example: str

    @property
    def fields(self) -> tuple[FormField, ...]:
        """Every field in display order."""
        return tuple(f for row in self.rows for f in row)

    def field(self, name: str) -> FormField | None:
        """The field that fills ``name``, or None when the country does not use it."""
        return next((f for f in self.fields if f.name == name), None)

    @property
    def required(self) -> tuple[str, ...]:
        """The names of the required fields, in display order."""
        return tuple(f.name for f in self.fields if f.required)

    def city_choices(self, country_area: str) -> tuple[AreaChoice, ...]:
        """The cities the metadata lists for ``country_area``, in its order, labelled for the form.

        ``country_area`` is the area's code or any spelling :func:`validate_address`
        accepts. Empty where the city is free text (most countries) or the area is
        unknown; otherwise the city must be one of these.

        >>> [c.label for c in address_form("CN", "en").city_choices("云南省")][:2]
        ['Baoshan Shi', 'Chuxiong Zhou']
        """
        rules = country_rules(self.country_code)
        area = rules.find_area(country_area) if rules and isinstance(country_area, str) else None
        if rules is None or area is None:
            return ()
        return _place_choices(rules, area.cities, self.locale)

    def city_area_choices(self, country_area: str, city: str) -> tuple[AreaChoice, ...]:
        """The districts the metadata lists for ``city`` in ``country_area``, labelled for the form.

        Empty where the district is free text or the area or city is unknown;
        otherwise the district must be one of these.

        >>> [c.code for c in address_form("CN").city_area_choices("云南省", "Lincang Shi")][:2]
        ['沧源佤族自治县', '凤庆县']
        """
        rules = country_rules(self.country_code)
        area = rules.find_area(country_area) if rules and isinstance(country_area, str) else None
        found = area.find_city(city) if area is not None and isinstance(city, str) else None
        if rules is None or found is None:
            return ()
        return _place_choices(rules, found.places, self.locale)


def _parse_locale(locale: str | Locale) -> Locale:
    if isinstance(locale, Locale):
        return locale
    try:
        return Locale.parse(str(locale).strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        raise ValidationError.single(
            "locale", "invalid", f"{locale!r} is not a locale identifier"
        ) from None


def country_name(country_code: str, locale: str | Locale = "en") -> str:
    """The name of a country in ``locale``'s language, from babel (CLDR).

    >>> country_name("DE", "fr")
    'Allemagne'
    >>> country_name("jp", "ja")
    '日本'

    Raises :class:`ValidationError` for a code neither CLDR nor the address
    metadata know, or a malformed locale.
    """
    code, rules = resolve_country(country_code)
    parsed = _parse_locale(locale)
    name = parsed.territories.get(code) if code.isalpha() and len(code) == 2 else None
    if name:
        return str(name)
    if rules is not None:
        return rules.name.title()
    raise ValidationError.single(
        "country_code", "unsupported_country", f"{country_code!r} is not a known country code"
    )


def address_form(country_code: str, locale: str | Locale = "en") -> AddressForm:
    """The fields ``country_code``'s addresses use, with labels and choices in ``locale``.

    Rows follow the country's postal layout; recipient and organization are
    included (drop them if your form asks for them elsewhere). The country
    area's choices come one per area, in the order the metadata lists them,
    labelled in the form's language where the metadata has it (Canada in
    French) and in Latin script for a locale that does not share the
    country's script (Japanese prefectures for an English form).

    >>> form = address_form("US")
    >>> [[f.label for f in row] for row in form.rows]
    [['Name'], ['Organization'], ['Address line 1'], ['Address line 2'],
     ['City', 'State', 'ZIP code']]
    >>> form.field("country_area").choices[8]
    AreaChoice(code='CA', name='California', latin_name='California', iso_code='US-CA',
               label='California', postal_code_example='90000')
    >>> address_form("IE", "de").field("postal_code").label
    'Eircode'

    Raises :class:`ValidationError` (``country_code``: ``unsupported_country``)
    for a country the metadata does not have.
    """
    _, rules = resolve_country(country_code)
    if rules is None:
        raise ValidationError.single(
            "country_code",
            "unsupported_country",
            f"{country_code!r} is not a country code partnerkit has address data for",
        )
    parsed = _parse_locale(locale)
    return _form(rules, str(parsed))


@lru_cache(maxsize=1024)
def _form(rules: CountryRules, locale: str) -> AddressForm:
    parsed = Locale.parse(locale)
    rows: list[tuple[FormField, ...]] = []
    for line in rules.layout:
        names = [value for is_field, value in line if is_field]
        if "address_line1" in names:
            rows.append((_field(rules, "address_line1", locale),))
            rows.append((_field(rules, "address_line2", locale),))
            names.remove("address_line1")
        row = tuple(_field(rules, name, locale, parsed) for name in names)
        if row:
            rows.append(row)
    return AddressForm(
        country_code=rules.code,
        country_name=country_name(rules.code, parsed),
        locale=locale,
        rows=tuple(rows),
        postal_code_pattern=rules.postal_pattern,
        postal_code_example=rules.postal_examples[0] if rules.postal_examples else "",
    )


def _field(rules: CountryRules, name: str, locale: str, parsed: Locale | None = None) -> FormField:
    key = label_key(name, rules.area_type, rules.city_type, rules.city_area_type, rules.postal_type)
    choices: tuple[AreaChoice, ...] = ()
    if name == "country_area" and rules.areas:
        choices = _choices(rules, parsed or Locale.parse(locale))
    depends_on = ""
    if name == "city" and any(a.cities for a in rules.areas):
        depends_on = "country_area"
    elif name == "city_area" and any(c.places for a in rules.areas for c in a.cities):
        depends_on = "city"
    return FormField(
        name=name,
        label_key=key,
        label=gettext(field_label(rules, name), locale),
        required=name in rules.required,
        choices=choices,
        depends_on=depends_on,
    )


def _label(rules: CountryRules, names: dict[str, str], name: str, latin: str, language: str) -> str:
    """A choice's label: its name in ``language``, else local or Latin by the form's script."""
    label = next((n for lang, n in names.items() if lang.split("-")[0] == language), None)
    if label is not None:
        return label
    same_script = language in {lang.split("-")[0] for lang in rules.languages}
    return name if same_script or not rules.languages else latin


@lru_cache(maxsize=256)
def _place_choices(
    rules: CountryRules, places: tuple[Place, ...], locale: str
) -> tuple[AreaChoice, ...]:
    language = Locale.parse(locale).language
    return tuple(
        AreaChoice(
            place.code,
            place.name,
            place.latin_name,
            "",
            _label(rules, place.names, place.name, place.latin_name, language),
            place.postal_examples[0] if place.postal_examples else "",
        )
        for place in places
    )


def _choices(rules: CountryRules, locale: Locale) -> tuple[AreaChoice, ...]:
    language = locale.language
    result = []
    for area in rules.areas:
        label = _label(rules, area.names, area.name, area.latin_name, language)
        example = area.postal_examples[0] if area.postal_examples else ""
        result.append(
            AreaChoice(area.code, area.name, area.latin_name, area.iso_code, label, example)
        )
    return tuple(result)
