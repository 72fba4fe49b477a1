"""Translations of partnerkit's user-facing words, from the gettext catalogs it ships.

Every label partnerkit shows to people (address field names, contact roles,
and later deal stages and RAG names) is an English ``msgid`` marked with
:func:`N_` where it is defined, and translated at the last moment with
:func:`gettext` (or the :func:`translator` of a locale); a message with a count
(``"2 more certified sales users"``) is translated with :func:`ngettext`,
whose form follows the catalog's plural rule. The catalogs live in
``partnerkit/locale/<lang>/LC_MESSAGES/partnerkit.po`` and are compiled to
``.mo`` files by the ``translations`` nox session (babel's extract, update and
compile). A locale partnerkit has no catalog for, or a message a catalog does
not translate, falls back to the English text, never to a key.

>>> gettext("Postal code", "de_DE")
'Postleitzahl'
>>> gettext("Postal code", "sw")
'Postal code'
>>> translator("fr-CA").gettext("State")
'État'
"""

from partnerkit.core._public import publish as _publish
from partnerkit.locale._choice import Choice
from partnerkit.locale._translations import (
    DOMAIN,
    LOCALE_DIR,
    N_,
    available_locales,
    gettext,
    ngettext,
    translator,
)

__all__ = [
    "DOMAIN",
    "LOCALE_DIR",
    "N_",
    "Choice",
    "available_locales",
    "gettext",
    "ngettext",
    "translator",
]

_publish(__name__, globals(), __all__)
