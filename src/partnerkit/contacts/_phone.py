"""Telephone numbers: parsed with phonenumbers, stored as E.164, displayed per style."""

from __future__ import annotations

from typing import Literal

import phonenumbers
from babel.core import Locale, UnknownLocaleError
from phonenumbers import NumberParseException, PhoneNumberFormat

from partnerkit.core._money import _locale  # the one locale check
from partnerkit.core.errors import ValidationError

__all__ = ["PhoneStyle", "format_phone", "normalize_phone"]

PhoneStyle = Literal["international", "national", "e164", "rfc3966", "auto"]
"""How :func:`format_phone` writes a number."""

_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)
_E164 = PhoneNumberFormat.E164
_PARSE_PROBLEMS = {
    NumberParseException.INVALID_COUNTRY_CODE: "the country calling code is missing or unknown; "
    "start with + and the country code",
    NumberParseException.NOT_A_NUMBER: "not a telephone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "too short to be a telephone number",
    NumberParseException.TOO_LONG: "too long to be a telephone number",
}
_STYLES = {
    "international": PhoneNumberFormat.INTERNATIONAL,
    "national": PhoneNumberFormat.NATIONAL,
    "e164": PhoneNumberFormat.E164,
    "rfc3966": PhoneNumberFormat.RFC3966,
}


def _region(default_region: str | None) -> str | None:
    if not default_region or not isinstance(default_region, str):
        return None
    region = default_region.upper()
    return region if region in _REGIONS else None


def _is_valid(number: phonenumbers.PhoneNumber, region: str | None) -> bool:
    # Most numbers are typed in the contact's own country. A number valid in that
    # region's plan is valid (``is_valid_number`` first looks up which of the regions
    # sharing the calling code the number belongs to, testing each in turn); anything
    # else gets that full look-up. tests/contacts/test_phone_numbers.py checks both agree.
    if (
        region is not None
        and number.country_code == phonenumbers.country_code_for_region(region)
        and phonenumbers.is_valid_number_for_region(number, region)
    ):
        return True
    return bool(phonenumbers.is_valid_number(number))


def normalize_phone(raw: str, default_region: str | None = None, *, path: str = "") -> str:
    """Parse a telephone number as people type it and return it in E.164 (``+442071838750``).

    ``default_region`` is the ISO country code used for numbers written
    without ``+`` and a country code; pass the country of the contact's
    address. An unknown region is ignored (the number then needs its ``+``).
    An extension is kept after ``;ext=`` (``+12015550123;ext=42``), since
    E.164 itself has no room for one.

    >>> normalize_phone("020 7183 8750", "GB")
    '+442071838750'
    >>> normalize_phone("+1 (201) 555-0123 ext. 42")
    '+12015550123;ext=42'
    >>> normalize_phone("555-0123", "US", path="end_user.phone")
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 1 invalid field: end_user.phone: ...

    Raises :class:`ValidationError` at ``path`` with code ``required`` or
    ``invalid`` (unparseable, or not a number in use in its country's plan),
    and at ``default_region`` for a region that is not text or None.
    """
    if default_region is not None and not isinstance(default_region, str):
        raise ValidationError.single(
            "default_region", "invalid", f"expected text, got {type(default_region).__name__}"
        )
    if not isinstance(raw, str):
        raise ValidationError.single(path, "invalid", f"expected text, got {type(raw).__name__}")
    text = raw.strip()
    if not text:
        raise ValidationError.single(path, "required", "a telephone number is required")
    region = _region(default_region)
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        problem = _PARSE_PROBLEMS.get(exc.error_type, "not a telephone number")
        raise ValidationError.single(path, "invalid", f"{text!r}: {problem}") from None
    if not _is_valid(number, region):
        where = f" in {region}" if region and not text.startswith("+") else ""
        raise ValidationError.single(
            path, "invalid", f"{text!r} is not a valid telephone number{where}"
        )
    e164 = phonenumbers.format_number(number, _E164)
    return f"{e164};ext={number.extension}" if number.extension else e164


def format_phone(
    e164: str, style: PhoneStyle = "international", locale: str | Locale | None = None
) -> str:
    """Write a number stored by :func:`normalize_phone` for people to read.

    ``style`` is ``"international"`` (``+44 20 7183 8750``), ``"national"``
    (``020 7183 8750``), ``"e164"``, ``"rfc3966"`` (a ``tel:`` URI), or
    ``"auto"``: national when ``locale``'s territory is the number's country,
    international otherwise (the way a portal shows a number to a user in
    ``de_DE`` or ``en_GB``).

    >>> format_phone("+442071838750", "national")
    '020 7183 8750'
    >>> number = "+442071838750"
    >>> format_phone(number, "auto", "en_GB"), format_phone(number, "auto", "de_DE")
    ('020 7183 8750', '+44 20 7183 8750')

    Raises :class:`ValidationError` for text that is not a telephone number,
    an unknown style (at ``style``, whatever its type) or a ``locale`` that is
    neither text, a babel ``Locale`` nor None (at ``locale``).
    """
    if not isinstance(style, str) or (style not in _STYLES and style != "auto"):
        raise ValidationError.single("style", "invalid_choice", f"unknown phone style {style!r}")
    if locale is not None:
        _locale(locale)
    if not isinstance(e164, str) or not e164.strip():
        raise ValidationError.single("", "invalid", "expected a telephone number in E.164")
    try:
        number = phonenumbers.parse(e164.strip().replace(";ext=", " ext. "), None)
    except NumberParseException:
        raise ValidationError.single("", "invalid", f"{e164!r} is not in E.164") from None
    if style == "auto":
        territory = _territory(locale)
        region = phonenumbers.region_code_for_number(number)
        style = "national" if territory and territory == region else "international"
    return str(phonenumbers.format_number(number, _STYLES[style]))


def _territory(locale: str | Locale | None) -> str | None:
    if isinstance(locale, Locale):
        return locale.territory
    if not isinstance(locale, str) or not locale:
        return None
    try:
        return Locale.parse(locale.replace("-", "_")).territory
    except (ValueError, TypeError, UnknownLocaleError):
        return None
