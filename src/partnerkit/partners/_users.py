"""Partner users: the people of a partner company, their role, registration and certifications."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from types import MappingProxyType

import attrs
import pendulum
from babel.core import Locale

from partnerkit.contacts import normalize_email
from partnerkit.core import DomainEvent, ErrorCollector, aware
from partnerkit.core.errors import InvalidTransition, ValidationError
from partnerkit.locale import N_
from partnerkit.partners._roles import ADMINISTRATOR, PARTNER_ROLES, key_label

__all__ = [
    "ANY_CERTIFICATION",
    "CERTIFICATION_KIND_LABELS",
    "DEREGISTERED",
    "REGISTERED",
    "REGISTRATION_STATUS_LABELS",
    "Certification",
    "PartnerUser",
    "PartnerUserChanged",
    "RegistrationChange",
    "certified_users",
    "status_label",
    "validate_user",
]

REGISTERED = "registered"
"""Registration status of a user who may use the partner portal."""

DEREGISTERED = "deregistered"
"""Registration status of a user whose access was withdrawn (the record is kept)."""

#: English labels (gettext msgids) of the registration statuses.
REGISTRATION_STATUS_LABELS: Mapping[str, str] = MappingProxyType(
    {REGISTERED: N_("Registered"), DEREGISTERED: N_("Deregistered")}
)

#: English labels of the certification kinds partnerkit knows; hosts may use other kinds.
CERTIFICATION_KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {"sales": N_("Sales"), "technical": N_("Technical")}
)

ANY_CERTIFICATION = "any"
"""Matches a certification of any kind (in :class:`~partnerkit.partners.PartnerFilter`)."""


@attrs.frozen
class Certification:
    """A certification a partner user earned: its kind, name, and the dates it holds between.

    ``kind`` is ``"sales"``, ``"technical"`` or a kind the host defines.
    A certification counts from ``earned`` (inclusive) until ``expires``
    (exclusive: on its expiry date it no longer counts); ``None`` never expires.

    >>> from datetime import date
    >>> cert = Certification("sales", "Sales Professional", date(2026, 1, 1), date(2027, 1, 1))
    >>> cert.valid_on(date(2026, 12, 31)), cert.valid_on(date(2027, 1, 1))
    (True, False)
    """

    kind: str
    name: str
    earned: date
    expires: date | None = None

    def valid_on(self, day: date) -> bool:
        """Whether the certification counts on ``day`` (earned, and not yet expired)."""
        return self.earned <= day and (self.expires is None or day < self.expires)


@attrs.frozen
class RegistrationChange:
    """One change of a user's registration status: who, when, from which status to which, why.

    The first entry of a user's history has ``from_status`` ``""`` (the user was created).
    """

    by: str
    at: pendulum.DateTime
    from_status: str
    to_status: str
    note: str = ""


@attrs.frozen
class PartnerUser:
    """A person who works for a partner and may use the partner portal (an aggregate).

    ``email`` is normalized (:func:`~partnerkit.contacts.normalize_email`) and
    unique across all partners, ignoring case: it is the login. ``role`` is a
    partner-side role (:data:`~partnerkit.partners.PARTNER_ROLES`). ``status``
    is :data:`REGISTERED` or :data:`DEREGISTERED`; ``history`` records every
    change of it (who, when, from, to). Check new or edited values with
    :func:`validate_user`.
    """

    id: str
    partner_id: str
    name: str
    email: str
    role: str = "user"
    status: str = REGISTERED
    history: tuple[RegistrationChange, ...] = ()
    certifications: tuple[Certification, ...] = ()
    version: int = 0

    @property
    def registered(self) -> bool:
        """Whether the user is registered."""
        return self.status == REGISTERED

    @property
    def is_registered_administrator(self) -> bool:
        """Whether the user is a registered partner administrator."""
        return self.status == REGISTERED and self.role == ADMINISTRATOR

    @property
    def status_changed(self) -> RegistrationChange | None:
        """The latest registration change (who and when), or None for a user with no history."""
        return self.history[-1] if self.history else None

    def _move(self, to_status: str, by: str, at: datetime, note: str) -> PartnerUser:
        instant = aware(at, "at")
        if self.status == to_status:
            raise InvalidTransition(
                "partner_user", self.id, self.status, to_status, f"the user is already {to_status}"
            )
        change = RegistrationChange(by, instant, self.status, to_status, note)
        return attrs.evolve(self, status=to_status, history=(*self.history, change))

    def deregister(self, *, by: str, at: datetime, note: str = "") -> PartnerUser:
        """Return the user deregistered; raises ``InvalidTransition`` if already deregistered."""
        return self._move(DEREGISTERED, by, at, note)

    def reregister(self, *, by: str, at: datetime, note: str = "") -> PartnerUser:
        """Return the user registered again; raises ``InvalidTransition`` if registered."""
        return self._move(REGISTERED, by, at, note)

    def is_certified(self, as_of: date, kind: str | None = None) -> bool:
        """Whether the user holds a certification (of ``kind``, any if None) valid on ``as_of``."""
        return any(
            c.valid_on(as_of)
            for c in self.certifications
            if kind is None or kind == ANY_CERTIFICATION or c.kind == kind
        )


@attrs.frozen
class PartnerUserChanged(DomainEvent):
    """Domain event: a partner user was registered, edited, deregistered or registered again.

    ``action`` is ``"registered"``, ``"edited"``, ``"deregistered"`` or
    ``"reregistered"``; ``changes`` names the edited fields with their old and
    new values (``{"role": ("user", "administrator")}``).
    """

    user_id: str
    partner_id: str
    action: str
    by: str
    at: pendulum.DateTime
    changes: Mapping[str, tuple[str, str]] = attrs.field(factory=dict, hash=False)


def certified_users(
    users: Iterable[PartnerUser], as_of: date, kind: str | None = None
) -> list[PartnerUser]:
    """The registered users holding a certification valid on ``as_of`` (of ``kind`` if given).

    Expired certifications, ones earned after ``as_of`` and deregistered users
    do not count. ``kind`` ``None`` (or :data:`ANY_CERTIFICATION`) accepts any kind.

    >>> from datetime import date
    >>> ann = PartnerUser("u1", "p1", "Ann", "ann@acme.example", certifications=(
    ...     Certification("technical", "Engineer", date(2025, 3, 1), date(2026, 3, 1)),))
    >>> [u.id for u in certified_users([ann], date(2026, 2, 28), "technical")]
    ['u1']
    >>> certified_users([ann], date(2026, 3, 1))
    []
    """
    if isinstance(as_of, datetime) or not isinstance(as_of, date):
        raise ValidationError.single("as_of", "invalid", "expected a date")
    return [u for u in users if u.status == REGISTERED and u.is_certified(as_of, kind)]


def _certification(cert: object, errors: ErrorCollector, path: str) -> Certification | None:
    if not isinstance(cert, Certification):
        errors.add(path, "invalid", f"expected a Certification, got {type(cert).__name__}")
        return None
    sub = ErrorCollector()
    kind = sub.text(cert.kind, "kind", required=True)
    name = sub.text(cert.name, "name", required=True)
    if isinstance(cert.earned, datetime) or not isinstance(cert.earned, date):
        sub.add("earned", "invalid", "expected a date")
    expires = cert.expires
    if expires is not None and (isinstance(expires, datetime) or not isinstance(expires, date)):
        sub.add("expires", "invalid", "expected a date or nothing")
    elif (
        expires is not None
        and isinstance(cert.earned, date)
        and not isinstance(cert.earned, datetime)
        and expires <= cert.earned
    ):
        sub.add("expires", "out_of_range", "a certification must expire after it was earned")
    if sub:
        errors.extend(ValidationError(sub.errors), path)
        return None
    return attrs.evolve(cert, kind=kind, name=name)


def validate_user(
    user: PartnerUser, *, roles: Iterable[str] = PARTNER_ROLES, path: str = ""
) -> PartnerUser:
    """Check every field of ``user`` and return it normalized (text trimmed, e-mail normalized).

    ``role`` must be one of ``roles``; ``status`` :data:`REGISTERED` or
    :data:`DEREGISTERED`; certifications need a kind, a name, and an expiry
    after the day they were earned. Raises one
    :class:`~partnerkit.core.errors.ValidationError` naming every bad field
    under ``path`` (``email``, ``certifications.1.expires``).

    >>> validate_user(PartnerUser("u1", "p1", " Ann  Lee ", "Ann@ACME.example")).email
    'Ann@acme.example'
    >>> validate_user(PartnerUser("u1", "p1", "", "ann@", role="boss"))
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 3 invalid fields: name: ...
    """
    if not isinstance(user, PartnerUser):
        raise ValidationError.single(
            path, "invalid", f"expected a PartnerUser, got {type(user).__name__}"
        )
    errors = ErrorCollector(path)
    id = errors.text(user.id, "id", required=True)
    partner_id = errors.text(user.partner_id, "partner_id", required=True)
    name = errors.text(user.name, "name", required=True)
    email = errors.check("email", lambda: normalize_email(user.email)) or ""
    allowed = tuple(roles)
    if user.role not in allowed:
        errors.add("role", "invalid_choice", f"{user.role!r} is not one of: {', '.join(allowed)}")
    if user.status not in (REGISTERED, DEREGISTERED):
        errors.add("status", "invalid_choice", f"{user.status!r} is not a registration status")
    certifications = []
    if not isinstance(user.certifications, tuple):
        errors.add("certifications", "invalid", "expected a tuple of certifications")
    else:
        for i, cert in enumerate(user.certifications):
            checked = _certification(cert, errors, f"certifications.{i}")
            if checked is not None:
                certifications.append(checked)
    errors.raise_if_any()
    return attrs.evolve(
        user,
        id=id,
        partner_id=partner_id,
        name=name,
        email=email,
        certifications=tuple(certifications),
    )


def status_label(status: str, locale: str | Locale = "en") -> str:
    """The label of a registration status in ``locale``; an unknown key is returned as it is."""
    return key_label(REGISTRATION_STATUS_LABELS, status, locale, "status")
