"""The Address value and its validation against the country's rules."""

from __future__ import annotations

import re
import unicodedata

import attrs
from babel.core import Locale

from partnerkit.addresses._labels import LABELS, label_key
from partnerkit.addresses._metadata import (
    CountryRules,
    Place,
    _Area,
    country_rules,
    required_everywhere,
)
from partnerkit.core import ErrorCollector
from partnerkit.core.errors import ValidationError

__all__ = ["FIELDS", "MAX_FIELD_LENGTH", "Address", "field_label", "validate_address"]

#: The longest text accepted in one address field, in characters.
MAX_FIELD_LENGTH = 200

#: The address fields in the order errors are reported.
FIELDS = (
    "country_code",
    "recipient",
    "organization",
    "address_line1",
    "address_line2",
    "city_area",
    "city",
    "country_area",
    "postal_code",
    "sorting_code",
)

# Codes people write that are not ISO 3166-1 but mean one country beyond doubt.
_COUNTRY_ALIASES = {"UK": "GB"}


@attrs.frozen
class Address:
    """A postal address anywhere in the world; a plain value, checked by :func:`validate_address`.

    Field names follow Google's address metadata: ``city_area`` is the
    dependent locality (a neighbourhood or district inside the city),
    ``country_area`` the state, county, province or prefecture, stored as its
    code (``"CA"``, ``"Co. Dublin"``, ``"東京都"``); ``sorting_code`` is the
    CEDEX-style code a few countries use. Every field is text; an unused or
    unknown field is the empty string.

    >>> Address("US", "1600 Amphitheatre Pkwy", city="Mountain View", country_area="CA")
    Address(country_code='US', address_line1='1600 Amphitheatre Pkwy', address_line2='', ...)
    """

    country_code: str
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    city_area: str = ""
    country_area: str = ""
    postal_code: str = ""
    sorting_code: str = ""
    organization: str = ""
    recipient: str = ""


def field_label(rules: CountryRules, field: str) -> str:
    """The English label of ``field`` in ``rules``' country (``"ZIP code"``, ``"County"``)."""
    key = label_key(
        field, rules.area_type, rules.city_type, rules.city_area_type, rules.postal_type
    )
    return LABELS.get(key, LABELS.get(field, field))


def resolve_country(code: object) -> tuple[str, CountryRules | None]:
    """Upper-case ``code`` and the rules of its country (None when unknown)."""
    if not isinstance(code, str):
        return "", None
    upper = code.strip().upper()
    upper = _COUNTRY_ALIASES.get(upper, upper)
    return upper, country_rules(upper) if len(upper) == 2 else None


def _generic_label(field: str) -> str:
    """The English label of ``field`` that does not depend on the country (``Address line 1``)."""
    return LABELS.get(field, field)


_ENGLISH_NAMES: dict[str, str] = dict(Locale("en").territories)
_SEPARATORS = re.compile(r"[\s\-]+")
_LETTER_PREFIX = re.compile(r"[A-Z]{1,3}\s*-\s*")


def _spaced(compact: str, shape: tuple[tuple[int, str], ...]) -> str:
    if not shape:
        return compact
    size = len(compact)
    before = {size - from_end: sep for from_end, sep in shape if 0 < from_end < size}
    return "".join(before.get(i, "") + char for i, char in enumerate(compact))


def normalize_postal_code(rules: CountryRules, raw: str) -> str | None:
    """``raw`` upper-cased and spaced like the country's examples, or None if it is not valid."""
    regex = rules.postal_regex
    if regex is None:
        return raw
    text = raw.upper()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)  # full-width digits and dashes
    candidates = [text]
    for prefix in (rules.postal_prefix.strip().upper(), rules.code):
        if prefix and text.startswith(prefix):
            candidates.append(text[len(prefix) :].lstrip(" -"))
    lettered = _LETTER_PREFIX.match(text)  # "D-10115", as Germans wrote before 1993
    if lettered:
        candidates.append(text[lettered.end() :])
    spacing = rules.postal_spacing
    for candidate in candidates:
        compact = _SEPARATORS.sub("", candidate)
        shape = spacing.get(len(compact)) or spacing.get(-1) or ()
        for option in (_spaced(compact, shape), candidate, compact):
            if regex.fullmatch(option):
                return option
    return None


def _in_sentence(label: str) -> str:
    """``Postal code`` becomes ``postal code``; ``ZIP code`` and ``Eircode`` stay as they are."""
    if label[1:2].islower() and label != "Eircode":
        return label[0].lower() + label[1:]
    return label


def _example(rules: CountryRules) -> str:
    return ", ".join(rules.postal_examples[:2])


def validate_address(address: Address, *, path: str = "") -> Address:
    """Check ``address`` against its country's rules and return it normalized.

    Whitespace is trimmed and collapsed in every field; the country code is
    upper-cased; the postal code upper-cased and spaced the way the country
    writes it (``sw1a1aa`` becomes ``SW1A 1AA``); the country area found from
    its code, its local or Latin name, its ISO 3166-2 code or a common variant
    (``"california"``, ``"County Dublin"``) and stored as its code. Where the
    metadata lists the cities of the area, or the districts of the city (China,
    Korea, Taiwan, Brazil, Chile, Hong Kong), the city or district must be one
    of them (:meth:`AddressForm.city_choices`), typed in any of its spellings,
    and is stored under its key. An address without a known country reports
    the country and the fields every country requires (the first line).

    Raises :class:`~partnerkit.core.errors.ValidationError` naming every bad
    field under ``path`` with one of the codes ``required``, ``invalid``,
    ``invalid_choice``, ``unsupported_country`` or ``unused`` (a value in a
    field the country's addresses do not have).

    >>> validate_address(Address("gb", "10 Downing St", city="London", postal_code="sw1a2aa"))
    Address(country_code='GB', ..., postal_code='SW1A 2AA', ...)
    >>> validate_address(Address("US", "1 Main St", city="Springfield", country_area="Illinois",
    ...                          postal_code="6270"), path="end_user.address")
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 1 invalid field: end_user.address.postal_code: ...
    """
    if not isinstance(address, Address):
        raise ValidationError.single(
            path, "invalid", f"expected an Address, got {type(address).__name__}"
        )
    errors = ErrorCollector(path)
    values = {
        name: errors.text(getattr(address, name), name, required=False, limit=MAX_FIELD_LENGTH)
        for name in FIELDS
    }
    # The fields already refused (the last part of each path), so "required" is not added
    # on top.
    reported = {p.rpartition(".")[2] for p in errors.paths}

    code, rules = resolve_country(values["country_code"])
    if rules is None:
        if not code:
            if "country_code" not in errors.paths:
                errors.add("country_code", "required", "the country is required")
        else:
            errors.add(
                "country_code",
                "unsupported_country",
                f"{code!r} is not a country code partnerkit has address data for",
            )
        # Whatever the country turns out to be, these are required (the first line).
        for name in FIELDS[1:]:
            if name in required_everywhere() and not values[name] and name not in reported:
                errors.add(name, "required", f"{_generic_label(name)} is required")
        errors.raise_if_any()
        raise AssertionError("unreachable")  # pragma: no cover
    values["country_code"] = code
    _check_fields(rules, values, errors, reported)
    errors.raise_if_any()
    return Address(**values)


def _check_place(
    rules: CountryRules,
    parent: _Area | Place | None,
    name: str,
    values: dict[str, str],
    errors: ErrorCollector,
) -> Place | None:
    """The city (or district) ``values[name]`` names among those ``parent`` lists.

    None when the parent lists none, the field is empty or not in the country's
    layout; a value not on the list is refused as ``invalid_choice``.
    """
    text = values[name]
    if parent is None or not text or name not in rules.allowed:
        return None
    choices = parent.cities if isinstance(parent, _Area) else parent.places
    if not choices:
        return None
    found = parent.find_city(text) if isinstance(parent, _Area) else parent.find(text)
    if found is None:
        label = _in_sentence(field_label(rules, name))
        sample = ", ".join(p.code for p in choices[:3])
        errors.add(
            name,
            "invalid_choice",
            f"{text!r} is not a {label} of {parent.latin_name} (choose one of {sample}, ...)",
        )
        return None
    values[name] = found.code
    return found


def _check_fields(
    rules: CountryRules, values: dict[str, str], errors: ErrorCollector, reported: set[str]
) -> None:
    country = _ENGLISH_NAMES.get(rules.code) or rules.name.title()
    for name in FIELDS[1:]:
        value = values[name]
        if value and name not in rules.allowed:
            errors.add(
                name,
                "unused",
                f"addresses in {country} have no {_in_sentence(field_label(rules, name))}",
            )
            values[name] = ""
        elif not value and name in rules.required and name not in reported:
            errors.add(name, "required", f"{field_label(rules, name)} is required in {country}")

    area = None
    area_text = values["country_area"]
    if area_text and rules.areas and "country_area" in rules.allowed:
        area = rules.find_area(area_text)
        if area is None:
            label = _in_sentence(field_label(rules, "country_area"))
            sample = ", ".join(a.code for a in rules.areas[:3])
            errors.add(
                "country_area",
                "invalid_choice",
                f"{area_text!r} is not a {label} of {country} (choose one of {sample}, ...)",
            )
        else:
            values["country_area"] = area.code
    # Where the metadata lists the cities of the area (and the districts of the city),
    # a city or district must be one of them (China, Korea, Taiwan, Brazil, Chile, Hong
    # Kong), stored under its key; address_form(...).city_choices(...) lists them.
    places = _check_place(rules, area, "city", values, errors)
    place = _check_place(rules, places, "city_area", values, errors)

    postal = values["postal_code"]
    if postal and "postal_code" in rules.allowed:
        label = _in_sentence(field_label(rules, "postal_code"))
        normalized = normalize_postal_code(rules, postal)
        if normalized is None:
            errors.add(
                "postal_code",
                "invalid",
                f"{postal!r} is not a valid {label} in {country}; "
                f"a valid one looks like {_example(rules)}",
            )
        else:
            values["postal_code"] = normalized
            # The code must belong to the area, then to the city and district where the
            # metadata says which codes they have.
            for where in (area, places, place):
                if where is None or where.postal_prefix is None:
                    continue
                if not where.postal_prefix.match(normalized):
                    hint = (
                        f"; those look like {where.postal_examples[0]}"
                        if where.postal_examples
                        else ""
                    )
                    errors.add(
                        "postal_code",
                        "invalid",
                        f"{normalized!r} is not a {label} of {where.latin_name}{hint}",
                    )
                    break
