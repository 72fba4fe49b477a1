"""Contacts on deal registrations: e-mail, telephone numbers, company domains and roles.

E-mail syntax comes from ``email-validator`` (never a network call),
telephone numbers from ``phonenumbers`` (stored in E.164), company domains
from the public-suffix list shipped by ``publicsuffixlist``. Every function
raises :class:`~partnerkit.core.errors.ValidationError` naming the bad field
under the ``path`` it is given, so a form can collect them all.

>>> from partnerkit.contacts import normalize_domain, normalize_email, normalize_phone
>>> normalize_domain("https://www.shop.example.co.uk/"), normalize_phone("06 12 34 56 78", "FR")
('example.co.uk', '+33612345678')
"""

from partnerkit.contacts._contact import (
    CONTACT_FIELD_LABELS,
    DEFAULT_CONTACT_ROLES,
    Contact,
    ContactRole,
    contact_labels,
    role_choices,
    validate_contact,
)
from partnerkit.contacts._domain import display_domain, normalize_domain
from partnerkit.contacts._email import normalize_email
from partnerkit.contacts._phone import PhoneStyle, format_phone, normalize_phone
from partnerkit.core._public import publish as _publish

__all__ = [
    "CONTACT_FIELD_LABELS",
    "DEFAULT_CONTACT_ROLES",
    "Contact",
    "ContactRole",
    "PhoneStyle",
    "contact_labels",
    "display_domain",
    "format_phone",
    "normalize_domain",
    "normalize_email",
    "normalize_phone",
    "role_choices",
    "validate_contact",
]

_publish(__name__, globals(), __all__)
