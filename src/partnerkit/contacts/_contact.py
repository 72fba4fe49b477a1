"""Contacts: the people on a deal registration, validated field by field."""

from __future__ import annotations

from collections.abc import Iterable

import attrs
from babel.core import Locale

from partnerkit.addresses import Address, validate_address
from partnerkit.contacts._email import normalize_email
from partnerkit.contacts._phone import normalize_phone
from partnerkit.core import ErrorCollector
from partnerkit.core._money import _locale  # the one locale check
from partnerkit.core.errors import ValidationError
from partnerkit.locale import N_, Choice, gettext

__all__ = [
    "CONTACT_FIELD_LABELS",
    "DEFAULT_CONTACT_ROLES",
    "Contact",
    "ContactRole",
    "contact_labels",
    "role_choices",
    "validate_contact",
]


@attrs.frozen
class ContactRole(Choice):
    """A role a contact can have on a deal: a stable ``key`` and an English ``label`` (msgid)."""


#: The roles offered when a program configures none. A program can pass its own list
#: (its labels are then translated only where the catalogs know them).
DEFAULT_CONTACT_ROLES: tuple[ContactRole, ...] = (
    ContactRole("decision_maker", N_("Decision maker")),
    ContactRole("economic_buyer", N_("Economic buyer")),
    ContactRole("technical_contact", N_("Technical contact")),
    ContactRole("champion", N_("Champion")),
    ContactRole("influencer", N_("Influencer")),
    ContactRole("procurement", N_("Procurement")),
    ContactRole("end_user", N_("End user")),
    ContactRole("other", N_("Other")),
)

#: English labels (msgids) of the contact fields, by attribute name.
CONTACT_FIELD_LABELS: dict[str, str] = {
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "position": N_("Position"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "role": N_("Role"),
    "domain": N_("Company domain"),
}


@attrs.frozen
class Contact:
    """A person at a prospect or a partner: name, job title, e-mail, phone, role and address.

    ``email`` and ``phone`` are stored normalized (see :func:`normalize_email`
    and :func:`normalize_phone`, E.164) once :func:`validate_contact` has
    run; ``role`` is the key of a :class:`ContactRole`.
    """

    first_name: str
    last_name: str
    email: str
    phone: str = ""
    position: str = ""
    role: str = ""
    address: Address | None = None


def contact_labels(locale: str | Locale = "en") -> dict[str, str]:
    """The contact field labels in ``locale``, by attribute name.

    >>> contact_labels("de")["last_name"]
    'Nachname'
    """
    _locale(locale)
    return {name: gettext(label, locale) for name, label in CONTACT_FIELD_LABELS.items()}


def role_choices(
    roles: Iterable[ContactRole] = DEFAULT_CONTACT_ROLES, locale: str | Locale = "en"
) -> list[tuple[str, str]]:
    """``(key, label)`` pairs for a role drop-down, labels in ``locale``, in the given order.

    >>> role_choices(locale="fr")[0]
    ('decision_maker', 'Décideur')

    Raises :class:`ValidationError` at ``roles`` when ``roles`` is not an
    iterable of :class:`ContactRole`.
    """
    _locale(locale)
    return [(role.key, role.label_in(locale)) for role in _checked_roles(roles)]


def _checked_roles(roles: object) -> tuple[ContactRole, ...]:
    """``roles`` as a tuple, or a ValidationError at ``roles`` (None, a string, other items)."""
    if not isinstance(roles, Iterable) or isinstance(roles, (str, bytes)):
        found = type(roles).__name__
        raise ValidationError.single("roles", "invalid", f"expected ContactRole items, got {found}")
    items: list[ContactRole] = []
    for item in roles:
        if not isinstance(item, ContactRole):
            raise ValidationError.single(
                "roles", "invalid", f"expected ContactRole items, got a {type(item).__name__}"
            )
        items.append(item)
    return tuple(items)


def validate_contact(
    contact: Contact,
    *,
    roles: Iterable[ContactRole] = DEFAULT_CONTACT_ROLES,
    default_region: str | None = None,
    require_phone: bool = False,
    path: str = "",
) -> Contact:
    """Check every field of ``contact`` and return it normalized.

    First and last name and e-mail are required; the phone too with
    ``require_phone``. The e-mail is normalized (:func:`normalize_email`), the
    phone stored in E.164 with the address's country as the default region
    (``default_region`` when there is no address), the address validated
    under ``address``, and the role, when given, must be a key of ``roles``.

    >>> from partnerkit.addresses import Address
    >>> contact = Contact("Ada", "Lovelace", "ADA@Example.COM", phone="020 7183 8750",
    ...                   role="champion", address=Address("GB", "1 Main St", city="London",
    ...                                                    postal_code="ec1y8sy"))
    >>> clean = validate_contact(contact, path="end_user")
    >>> clean.email, clean.phone, clean.address.postal_code
    ('ADA@example.com', '+442071838750', 'EC1Y 8SY')

    Raises one :class:`ValidationError` naming every bad field under ``path``
    (``end_user.email``, ``end_user.address.postal_code``). An argument of the
    wrong type from untyped code (``roles=None``, ``default_region=44``,
    ``require_phone="no"``) is a :class:`ValidationError` at that argument's
    name, before any field is read.
    """
    if not isinstance(path, str):
        raise ValidationError.single("path", "invalid", f"expected text, got {type(path).__name__}")
    checked_roles = _checked_roles(roles)
    if default_region is not None and not isinstance(default_region, str):
        raise ValidationError.single(
            "default_region", "invalid", f"expected text, got {type(default_region).__name__}"
        )
    if not isinstance(require_phone, bool):
        raise ValidationError.single(
            "require_phone", "invalid", f"expected a bool, got {type(require_phone).__name__}"
        )
    if not isinstance(contact, Contact):
        raise ValidationError.single(
            path, "invalid", f"expected a Contact, got {type(contact).__name__}"
        )
    errors = ErrorCollector(path)
    first = errors.text(
        contact.first_name, "first_name", required=True, label=CONTACT_FIELD_LABELS["first_name"]
    )
    last = errors.text(
        contact.last_name, "last_name", required=True, label=CONTACT_FIELD_LABELS["last_name"]
    )
    position = errors.text(contact.position, "position", required=False)

    raw_address = contact.address
    address: Address | None = None
    region = default_region
    if raw_address is not None:
        if isinstance(raw_address, Address):
            code = raw_address.country_code
            region = code.strip() if isinstance(code, str) and code.strip() else default_region
        address = errors.check("address", lambda: validate_address(raw_address))

    email = errors.check("email", lambda: normalize_email(contact.email)) or ""
    phone = ""
    raw_phone = contact.phone
    if isinstance(raw_phone, str) and not raw_phone.strip() and not require_phone:
        phone = ""
    else:
        phone = errors.check("phone", lambda: normalize_phone(raw_phone, region)) or ""

    role = errors.text(contact.role, "role", required=False)
    keys = [r.key for r in checked_roles]
    if role and role not in keys:
        errors.add("role", "invalid_choice", f"{role!r} is not one of: {', '.join(keys)}")
    errors.raise_if_any()
    return Contact(first, last, email, phone, position, role, address)
