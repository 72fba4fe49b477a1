"""Prospects: the companies partners register deals for, unique by their company domain."""

from __future__ import annotations

import attrs
import pendulum

from partnerkit.contacts import normalize_domain
from partnerkit.core.errors import ValidationError
from partnerkit.deals._policy import RegistrationPolicy

__all__ = ["DomainCheck", "Prospect", "prospect_domain"]


@attrs.frozen
class Prospect:
    """A company a partner found: its name and its registrable domain, the unique key.

    ``domain`` is normalized by :func:`prospect_domain` (lower-case IDNA
    registrable domain, never a free-mail provider's). Stored under
    ``PROSPECTS`` with a unique index on the domain, so no two prospects
    ever share one, also when two registrations race.
    """

    id: str
    name: str
    domain: str
    created_at: pendulum.DateTime
    created_by: str
    version: int = 0


@attrs.frozen
class DomainCheck:
    """What verifying a company domain found: the normalized domain, and the prospect if any.

    Only what a partner's portal may show about a shared prospect: its id
    and name to select it (``prospect_id`` is ``None`` when registering will
    create one, :attr:`will_create`), and whether any partner holds an
    active registration for it (``registered``), never who registered it,
    who created the prospect or when.
    """

    domain: str
    company_name: str
    prospect_id: str | None = None
    prospect_name: str | None = None
    registered: bool = False

    @property
    def will_create(self) -> bool:
        """True when no prospect has this domain yet and registering will create it."""
        return self.prospect_id is None


def prospect_domain(
    raw: str, policy: RegistrationPolicy | None = None, *, path: str = "company.domain"
) -> str:
    """Normalize a company domain into a prospect key; refuse free-mail and webmail domains.

    Accepts what :func:`partnerkit.contacts.normalize_domain` accepts (a URL,
    an e-mail address, ``www.`` names). Raises :class:`ValidationError` at
    ``path`` with code ``required``, ``invalid`` or ``free_mail``.

    >>> prospect_domain("https://www.Example.co.uk/about")
    'example.co.uk'
    >>> prospect_domain("jane@gmail.com")
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 1 invalid field: company.domain: gmail.com is a ...
    """
    domain = normalize_domain(raw, path=path)
    free = (policy or _DEFAULT_POLICY).free_mail_domains
    if domain in free:
        raise ValidationError.single(
            path,
            "free_mail",
            f"{domain} is a free-mail provider's domain, not a company's; "
            "give the prospect's own domain",
        )
    return domain


_DEFAULT_POLICY = RegistrationPolicy()
