"""Laying an address out the way the destination country's post expects it."""

from __future__ import annotations

import unicodedata

from babel import Locale

from partnerkit.addresses._address import Address, resolve_country
from partnerkit.addresses._metadata import CountryRules, Token
from partnerkit.core._money import _locale
from partnerkit.core._validation import ErrorCollector

__all__ = ["format_address"]


def format_address(
    address: Address,
    *,
    latin: bool = False,
    include_country: bool = True,
    locale: str | None = None,
) -> list[str]:
    """The lines of ``address`` in its country's postal layout, for an envelope or a PDF.

    Fields the country writes in capitals (the US city and state, the UK
    post town) are upper-cased; empty fields and the punctuation around them
    are left out. With ``latin=True`` the Latin-script layout and the Latin
    names of the country area, city and district are used where the metadata
    has them (Japan, China, Korea, ...). The last line is the country's name
    in capitals, as international mail wants it; ``include_country=False``
    leaves it out for domestic mail. Pass an address that
    :func:`validate_address` returned: formatting does not check.

    The country line is written in the sender's language, as the Universal
    Postal Union asks (the post of the sending country reads it): give the
    sender's ``locale`` and the name comes from CLDR (through babel) in that
    language, in its capitals (Turkish İ, Greek without accents). Without
    ``locale``, or for an English-speaking sender, it is the English postal
    name of Google's address data. The lines above it stay in the destination's own script and
    layout (``latin`` aside): they are read by the destination's post.

    >>> format_address(Address("US", "1600 Amphitheatre Pkwy", city="Mountain View",
    ...                        country_area="CA", postal_code="94043", organization="Google"))
    ['Google', '1600 Amphitheatre Pkwy', 'MOUNTAIN VIEW, CA 94043', 'UNITED STATES']
    >>> format_address(Address("JP", "1-1 Chiyoda", country_area="東京都", postal_code="100-0001"),
    ...                latin=True, include_country=False)
    ['1-1 Chiyoda, TOKYO', '100-0001']
    >>> format_address(Address("US", "1600 Amphitheatre Pkwy", city="Mountain View",
    ...                        country_area="CA", postal_code="94043"), locale="de_DE")[-1]
    'VEREINIGTE STAATEN'

    Raises :class:`ValidationError` for a country the metadata does not have
    (``country_code``) and for an unknown ``locale``.
    """
    errors = ErrorCollector()
    language = None
    if locale is not None:
        with errors.catch():
            language = _locale(locale)
    code, rules = resolve_country(getattr(address, "country_code", None))
    if rules is None:
        errors.add(
            "country_code",
            "unsupported_country",
            f"{code!r} is not a country code partnerkit has address data for",
        )
    errors.raise_if_any()
    assert rules is not None
    layout = rules.latin_layout if latin and rules.latin_layout else rules.layout
    values = _values(rules, address, latin)
    lines: list[str] = []
    for line in layout:
        text = _render(line, values)
        if text:
            lines.extend(part for part in (p.strip() for p in text.split("\n")) if part)
    if include_country:
        lines.append(_country_line(code, rules, language))
    return lines


#: Where Google's postal data names another country than the territory's own: Åland's
#: mail goes to Finland. The Channel Islands have no name of their own in CLDR.
_POSTAL_COUNTRY = {"AX": "FI"}
_GOOGLE_ONLY = frozenset({"GG", "JE"})


def _country_line(code: str, rules: CountryRules, language: Locale | None) -> str:
    """The country line in capitals: CLDR's name in the sender's language, else Google's.

    An English-speaking sender gets Google's postal names (``CONGO (DEM.
    REP.)``, not CLDR's screen label ``Congo - Kinshasa``), as without a locale.
    """
    if language is None or language.language == "en" or code in _GOOGLE_ONLY:
        return rules.name.upper()
    name = language.territories.get(_POSTAL_COUNTRY.get(code, code))
    return _capitals(name, language.language) if name else rules.name.upper()


def _capitals(text: str, language: str) -> str:
    """``text`` in capitals by the language's rules: Turkish dotted İ, Greek without accents."""
    if language in ("tr", "az"):
        text = text.replace("i", "\u0130")
    upper = text.upper()
    if language == "el":  # Greek capitals drop the tonos (they keep the dialytika)
        upper = unicodedata.normalize(
            "NFC", unicodedata.normalize("NFD", upper).replace("\u0301", "")
        )
    return upper


def _values(rules: CountryRules, address: Address, latin: bool) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in (
        "recipient",
        "organization",
        "city_area",
        "city",
        "country_area",
        "postal_code",
        "sorting_code",
    ):
        value = getattr(address, name, "")
        values[name] = value.strip() if isinstance(value, str) else ""
    lines = [getattr(address, "address_line1", ""), getattr(address, "address_line2", "")]
    values["address_line1"] = "\n".join(
        line.strip() for line in lines if isinstance(line, str) and line.strip()
    )
    area = rules.area_by_code.get(values["country_area"])
    if area is not None and latin:
        values["country_area"] = area.latin_name
        # The city and district in Latin script too, where the metadata lists them
        # (临沧市 is "Lincang Shi", its district 凤庆县 "Fengqing Xian").
        city = area.find_city(values["city"]) if values["city"] else None
        if city is not None:
            values["city"] = city.latin_name
            district = city.find(values["city_area"]) if values["city_area"] else None
            if district is not None:
                values["city_area"] = district.latin_name
    for name in rules.upper:
        if name in values:
            values[name] = values[name].upper()
    return values


def _render(line: tuple[Token, ...], values: dict[str, str]) -> str:
    """One layout line, without the punctuation that belongs to missing fields.

    A literal before the line's first field is that field's prefix (``〒``, ``SE-``) and
    shows only with it; between present fields, the literal just before the later one
    is kept (``%C, %S %Z`` without a state gives ``CITY 94043``); a literal after the
    last field shows only when that field does.
    """
    if not any(is_field for is_field, _ in line):
        return "".join(value for _, value in line).strip()
    out: list[str] = []
    literal = ""
    first = True
    last_present = False
    for is_field, value in line:
        if not is_field:
            literal += value
            continue
        text = values.get(value, "")
        if text:
            if out or first:
                out.append(literal)
            out.append(text)
        literal = ""
        first = False
        last_present = bool(text)
    if out and last_present:
        out.append(literal)
    return "".join(out).strip()
