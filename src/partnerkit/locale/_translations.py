"""Loading the shipped catalogs once per locale, with English as the fallback."""

from __future__ import annotations

import gettext as _gettext
from functools import cache
from pathlib import Path

from babel.core import Locale, UnknownLocaleError, get_global
from babel.support import NullTranslations, Translations

from partnerkit.core._validation import expect

__all__ = [
    "DOMAIN",
    "LOCALE_DIR",
    "N_",
    "available_locales",
    "gettext",
    "ngettext",
    "translator",
]

#: The gettext domain of partnerkit's catalogs (``partnerkit.po`` / ``partnerkit.mo``).
DOMAIN = "partnerkit"

#: The folder that holds ``<lang>/LC_MESSAGES/partnerkit.mo`` for every shipped language.
LOCALE_DIR = Path(__file__).resolve().parent


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark ``message`` for extraction and return it unchanged.

    Use it where a label is defined at import time (a table of field labels,
    a list of roles); translate it later, when the locale is known, with
    :func:`gettext`. ``pybabel extract`` is run with ``-k N_``.

    >>> N_("State")
    'State'
    """
    return message


@cache
def available_locales() -> tuple[str, ...]:
    """The languages partnerkit ships a compiled catalog for, sorted (``('de', 'en', ...)``)."""
    return tuple(
        sorted(
            path.parent.parent.name
            for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")
            if path.is_file()
        )
    )


def _candidates(locale: str | Locale | None) -> list[str]:
    if isinstance(locale, Locale):
        parsed: Locale | None = locale
    elif not locale or not isinstance(locale, str):
        parsed = None
    else:
        try:
            parsed = Locale.parse(locale.strip().replace("-", "_"))
        except (ValueError, TypeError, UnknownLocaleError):
            parsed = None
    if parsed is None:
        return []
    names = [str(parsed)]
    script = parsed.script or _likely_script(parsed.language)
    if script:
        names.append(f"{parsed.language}_{script}")
    if parsed.territory:
        names.append(f"{parsed.language}_{parsed.territory}")
    names.append(parsed.language)
    return list(dict.fromkeys(names))


def _likely_script(language: str) -> str | None:
    """The script CLDR expects for ``language`` alone (``zh``: ``Hans``), for script catalogs."""
    likely = get_global("likely_subtags").get(language)
    if not likely:
        return None
    try:
        return Locale.parse(likely).script
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def _load(name: str) -> Translations | None:
    path = LOCALE_DIR / name / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return Translations(handle, domain=DOMAIN)


@cache
def _translator(key: str) -> _gettext.NullTranslations:
    # Each cached translator owns its catalogs, so adding the English fallback never
    # links two cached objects into a loop.
    english: _gettext.NullTranslations = _load("en") or NullTranslations()
    for name in _candidates(key):
        if name == "en":
            return english
        found = _load(name)
        if found is not None:
            found.add_fallback(english)
            return found
    return english


def translator(locale: str | Locale | None = "en") -> _gettext.NullTranslations:
    """The translations for ``locale``, loaded once and cached.

    ``locale`` is a babel :class:`~babel.core.Locale` or an identifier such
    as ``"de"``, ``"pt_BR"`` or ``"fr-CA"``; the most specific shipped catalog
    wins (``pt_BR``, then ``pt``), and a script catalog serves its regions
    (``zh_CN`` and ``zh`` read ``zh_Hans``). Messages the catalog lacks, and locales
    partnerkit ships nothing for, fall back to English. Never raises.
    """
    key = str(locale) if isinstance(locale, Locale) else locale
    if not isinstance(key, str):
        key = ""
    return _translator(key)


def gettext(message: str, locale: str | Locale | None = "en") -> str:
    """Translate ``message`` (an English msgid) into ``locale``, falling back to English.

    A ``message`` that is no text is a :class:`~partnerkit.core.errors.ValidationError`.

    >>> gettext("County", "fr")
    'Comté'
    """
    return translator(locale).gettext(expect(message, str, "message", "text"))


def ngettext(singular: str, plural: str, n: int, locale: str | Locale | None = "en") -> str:
    """Translate the form of ``singular``/``plural`` (English msgids) that count ``n`` takes.

    The catalog's ``Plural-Forms`` rule picks the form (one form in Japanese,
    two in German and French, three in Polish); a locale without a catalog
    gets ``singular`` when ``n`` is 1 and ``plural`` otherwise. A message
    that is no text, or an ``n`` that is no integer, is a
    :class:`~partnerkit.core.errors.ValidationError`. ``pybabel extract``
    is run with ``-k ngettext:1,2``.

    >>> ngettext("customer", "customers", 2, "de"), ngettext("customer", "customers", 1, "sw")
    ('Kunden', 'customer')
    """
    expect(singular, str, "singular", "text")
    expect(plural, str, "plural", "text")
    expect(n, int, "n", "an integer")
    return translator(locale).ngettext(singular, plural, n)
