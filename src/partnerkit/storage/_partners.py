"""How partners and partner users are stored: their specs and indexes."""

from __future__ import annotations

from partnerkit.partners import Partner, PartnerUser
from partnerkit.storage._ports import AggregateSpec, Index

__all__ = ["PARTNERS", "PARTNER_USERS"]


def _email_key(user: PartnerUser) -> str:
    # The login: one e-mail address is one person, whatever the case of its local part.
    return user.email.casefold()


#: Partners: ``domain`` unique; ``tier``, ``partner_type``, ``region``, ``stage`` and
#: ``account_manager`` indexed for segment listings.
PARTNERS: AggregateSpec[Partner] = AggregateSpec(
    "partners",
    Partner,
    indexes=(
        Index("domain", lambda p: p.domain, unique=True),
        Index("tier", lambda p: p.tier),
        Index("partner_type", lambda p: p.partner_type),
        Index("region", lambda p: p.region),
        Index("stage", lambda p: p.stage),
        Index("account_manager", lambda p: p.account_manager),
    ),
)

#: Partner users: ``partner_id``, ``status`` and ``role`` indexed; ``email`` unique across
#: every partner, compared case-insensitively (it is the portal login, and a deregistered
#: user keeps it: register them again rather than creating a second record).
PARTNER_USERS: AggregateSpec[PartnerUser] = AggregateSpec(
    "partner_users",
    PartnerUser,
    indexes=(
        Index("partner_id", lambda u: u.partner_id),
        Index("status", lambda u: u.status),
        Index("role", lambda u: u.role),
        Index("email", _email_key, unique=True),
    ),
)
