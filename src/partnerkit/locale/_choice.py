"""A labelled choice: a stable key and an English label translated when shown."""

from __future__ import annotations

import attrs
from babel.core import Locale

from partnerkit.core._money import _locale  # the one locale check
from partnerkit.locale._translations import gettext

__all__ = ["Choice"]


@attrs.frozen
class Choice:
    """One entry of a list people pick from: a stable ``key`` and an English ``label`` (msgid).

    The key is what code and storage keep; the label is what people see,
    translated with :meth:`label_in`. Areas subclass it for their own lists
    (contact roles, partner types) and use it as is for drop-downs.

    >>> Choice("high", "High").label_in("de_DE")
    'Hoch'
    """

    key: str
    label: str

    def label_in(self, locale: str | Locale = "en") -> str:
        """The label translated into ``locale`` (English when partnerkit has no translation)."""
        _locale(locale)
        return gettext(self.label, locale)
