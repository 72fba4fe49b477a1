"""Roles, the permission map a Program holds, who is acting, and the authorization check."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import attrs
from babel.core import Locale

from partnerkit.core import ConfigReader, ErrorCollector, converter
from partnerkit.core._money import _locale  # the one locale check
from partnerkit.core._validation import expected, is_items, is_text_set, text_set
from partnerkit.core.errors import PermissionDenied, ValidationError
from partnerkit.locale import N_, gettext

__all__ = [
    "ADMINISTRATOR",
    "APPROVE_DEALS",
    "CHECK_PLAN_ITEMS",
    "CREATE_PLANS",
    "CREATE_PLAN_TEMPLATES",
    "DEFAULT_PERMISSIONS",
    "EDIT_PLAN",
    "EXECUTIVE",
    "MANAGER",
    "MANAGE_PARTNERS",
    "MANAGE_USERS",
    "PARTNER_ACCOUNT_MANAGER",
    "PARTNER_ROLES",
    "PERMISSIONS",
    "PROGRAM_ADMINISTRATOR",
    "REGISTER_DEALS",
    "ROLES",
    "ROLE_LABELS",
    "SIGN_OFF_PLANS",
    "USER",
    "VENDOR_ROLES",
    "VIEW_CUSTOMERS",
    "VIEW_DASHBOARD",
    "VIEW_INVOICES",
    "Actor",
    "Owned",
    "PermissionMap",
    "authorize",
    "permissions_from_dict",
    "permissions_to_dict",
    "read_permissions",
    "role_label",
]

# -- roles ---------------------------------------------------------------------------------------

ADMINISTRATOR = "administrator"
"""Partner-side role: runs the partner's portal account (users, customers, invoices)."""
EXECUTIVE = "executive"
"""Partner-side role: an executive of the partner company."""
MANAGER = "manager"
"""Partner-side role: a manager at the partner company."""
USER = "user"
"""Partner-side role: any other person of the partner (registers deals)."""
PROGRAM_ADMINISTRATOR = "program_administrator"
"""Vendor-side role: runs the partner program (plans, templates, every partner)."""
PARTNER_ACCOUNT_MANAGER = "partner_account_manager"
"""Vendor-side role: looks after the partners assigned to them, and only those."""

#: The roles of people who work for a partner.
PARTNER_ROLES: tuple[str, ...] = (ADMINISTRATOR, EXECUTIVE, MANAGER, USER)
#: The roles of people who work for the vendor that runs the program.
VENDOR_ROLES: tuple[str, ...] = (PROGRAM_ADMINISTRATOR, PARTNER_ACCOUNT_MANAGER)
#: Every role, partner-side first.
ROLES: tuple[str, ...] = PARTNER_ROLES + VENDOR_ROLES

#: English labels (gettext msgids) of the roles, by key.
ROLE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        ADMINISTRATOR: N_("Administrator"),
        EXECUTIVE: N_("Executive"),
        MANAGER: N_("Manager"),
        USER: N_("User"),
        PROGRAM_ADMINISTRATOR: N_("Program administrator"),
        PARTNER_ACCOUNT_MANAGER: N_("Partner account manager"),
    }
)


def key_label(labels: Mapping[str, str], key: object, locale: str | Locale, path: str) -> str:
    """The label of ``key`` (the parameter ``path``) from ``labels`` in ``locale``.

    An unknown key is returned as it is. A key that is no text, and an unknown
    locale, are one :class:`~partnerkit.core.errors.ValidationError` naming both.
    """
    if isinstance(key, str):
        _locale(locale)
        label = labels.get(key)
        return gettext(label, locale) if label is not None else key
    errors = ErrorCollector()
    errors.add(path, "invalid", expected("text", key))
    with errors.catch():
        _locale(locale)
    raise ValidationError(errors.errors)


def role_label(role: str, locale: str | Locale = "en") -> str:
    """The label of ``role`` in ``locale``; an unknown key is returned as it is.

    >>> role_label("partner_account_manager", "fr")
    'Responsable de compte partenaire'
    """
    return key_label(ROLE_LABELS, role, locale, "role")


# -- permissions ---------------------------------------------------------------------------------

REGISTER_DEALS = "register_deals"
"""Permission: register a deal for the partner."""
VIEW_CUSTOMERS = "view_customers"
"""Permission: see the partner's customers, orders, cases and renewals."""
VIEW_INVOICES = "view_invoices"
"""Permission: search the partner's invoices."""
MANAGE_USERS = "manage_users"
"""Permission: register, edit, deregister and list the partner's users."""
EDIT_PLAN = "edit_plan"
"""Permission: edit the partner's business plan."""
CHECK_PLAN_ITEMS = "check_plan_items"
"""Permission: check off the to-do items of the partner's plan."""
APPROVE_DEALS = "approve_deals"
"""Permission: approve or decline the partner's deal registrations."""
CREATE_PLANS = "create_plans"
"""Permission: create business plans for partners."""
CREATE_PLAN_TEMPLATES = "create_plan_templates"
"""Permission: create and edit plan templates."""
VIEW_DASHBOARD = "view_dashboard"
"""Permission: see the partner's program success dashboard."""
MANAGE_PARTNERS = "manage_partners"
"""Permission: add partners and edit them (tier, lifecycle stage, account manager)."""
SIGN_OFF_PLANS = "sign_off_plans"
"""Permission: sign off a shared plan for one's side (the partner's or the vendor's)."""

#: Every permission, in the order :func:`permissions_to_dict` lists them.
PERMISSIONS: tuple[str, ...] = (
    REGISTER_DEALS,
    VIEW_CUSTOMERS,
    VIEW_INVOICES,
    MANAGE_USERS,
    EDIT_PLAN,
    CHECK_PLAN_ITEMS,
    APPROVE_DEALS,
    CREATE_PLANS,
    CREATE_PLAN_TEMPLATES,
    VIEW_DASHBOARD,
    MANAGE_PARTNERS,
    SIGN_OFF_PLANS,
)
_PERMISSION_ORDER = {p: i for i, p in enumerate(PERMISSIONS)}


def _is_pair(value: object) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], str)
    )


def _pair_set(pairs: Iterable[tuple[str, str]]) -> Any:
    # Anything but (role, permission) pairs of texts is kept as it is, for the check to refuse.
    if not is_items(pairs):
        return pairs
    items = tuple(pairs)
    return frozenset(items) if all(_is_pair(p) for p in items) else items


@attrs.frozen
class PermissionMap:
    """Which role holds which permission: data a Program carries (its ``[permissions]`` table).

    Stored as a frozenset of ``(role, permission)`` pairs, so a check is one
    set lookup. Build it with :meth:`from_grants` (role -> permissions) or
    :func:`permissions_from_dict`; roles not named hold nothing. Unknown
    roles or permissions are a :class:`~partnerkit.core.errors.ValidationError`
    with the role as the path (``program_administrator.2``).

    >>> grants = PermissionMap.from_grants({"user": ["register_deals"]})
    >>> grants.allows("user", "register_deals"), grants.allows("manager", "register_deals")
    (True, False)
    """

    pairs: frozenset[tuple[str, str]] = attrs.field(converter=_pair_set)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.pairs, frozenset):
            raise ValidationError.single(
                "pairs", "invalid", expected("a set of (role, permission) pairs", self.pairs)
            )
        errors = ErrorCollector()
        for role, permission in sorted(self.pairs):
            if role not in ROLES:
                errors.add(role, "unknown", f"unknown role {role!r}")
            elif permission not in _PERMISSION_ORDER:
                errors.add(role, "invalid_choice", f"unknown permission {permission!r}")
        errors.raise_if_any()

    @classmethod
    def from_grants(cls, grants: Mapping[str, Iterable[str]], *, path: str = "") -> PermissionMap:
        """Build from role -> permissions; every unknown role or permission is reported at once."""
        errors = ErrorCollector(path)
        pairs: set[tuple[str, str]] = set()
        for role, permissions in grants.items():
            if role not in ROLES:
                errors.add(str(role), "unknown", f"unknown role {role!r}")
                continue
            if isinstance(permissions, str) or not isinstance(permissions, Iterable):
                errors.add(role, "invalid", "expected a list of permissions")
                continue
            seen: set[str] = set()
            for i, permission in enumerate(permissions):
                where = f"{role}.{i}"
                if not isinstance(permission, str) or permission not in _PERMISSION_ORDER:
                    errors.add(where, "invalid_choice", f"unknown permission {permission!r}")
                elif permission in seen:
                    errors.add(where, "duplicate", f"{permission!r} is listed twice")
                else:
                    seen.add(permission)
                    pairs.add((role, permission))
        errors.raise_if_any()
        return cls(pairs)

    def allows(self, role: str, permission: str) -> bool:
        """Whether ``role`` holds ``permission``."""
        return (role, permission) in self.pairs

    def permissions_of(self, role: str) -> tuple[str, ...]:
        """The permissions ``role`` holds, in :data:`PERMISSIONS` order."""
        return tuple(p for p in PERMISSIONS if (role, p) in self.pairs)

    def roles_with(self, permission: str) -> tuple[str, ...]:
        """The roles that hold ``permission``, in :data:`ROLES` order."""
        return tuple(r for r in ROLES if (r, permission) in self.pairs)

    def with_role(self, role: str, permissions: Iterable[str]) -> PermissionMap:
        """Return a map in which ``role`` holds exactly ``permissions``; other roles unchanged."""
        kept = {r: self.permissions_of(r) for r in ROLES if r != role}
        return PermissionMap.from_grants({**kept, role: tuple(permissions)})


_PARTNER_SIDE = PARTNER_ROLES
_VENDOR_SIDE = VENDOR_ROLES

#: The permission map a program uses unless its ``[permissions]`` table says otherwise.
#: Customers, invoices and users are the partner administrator's (the program administrator
#: may manage a partner's users too); executives, managers and program administrators
#: check off plan items (as :data:`partnerkit.plans.DEFAULT_CHECK_ROLES`); only
#: program administrators create plans and templates; vendor roles approve deals; every
#: partner-side role registers deals; partner administrators and vendor roles see the
#: dashboard and edit a plan; vendor roles manage partners; partner administrators and
#: executives sign plans off for the partner, vendor roles for the vendor.
DEFAULT_PERMISSIONS: PermissionMap = PermissionMap.from_grants(
    {
        ADMINISTRATOR: (
            REGISTER_DEALS,
            VIEW_CUSTOMERS,
            VIEW_INVOICES,
            MANAGE_USERS,
            EDIT_PLAN,
            VIEW_DASHBOARD,
            SIGN_OFF_PLANS,
        ),
        EXECUTIVE: (REGISTER_DEALS, CHECK_PLAN_ITEMS, SIGN_OFF_PLANS),
        MANAGER: (REGISTER_DEALS, CHECK_PLAN_ITEMS),
        USER: (REGISTER_DEALS,),
        PROGRAM_ADMINISTRATOR: (
            MANAGE_USERS,
            EDIT_PLAN,
            CHECK_PLAN_ITEMS,
            APPROVE_DEALS,
            CREATE_PLANS,
            CREATE_PLAN_TEMPLATES,
            VIEW_DASHBOARD,
            MANAGE_PARTNERS,
            SIGN_OFF_PLANS,
        ),
        PARTNER_ACCOUNT_MANAGER: (
            EDIT_PLAN,
            APPROVE_DEALS,
            VIEW_DASHBOARD,
            MANAGE_PARTNERS,
            SIGN_OFF_PLANS,
        ),
    }
)


def read_permissions(
    reader: ConfigReader, base: PermissionMap | None = None
) -> PermissionMap | None:
    """Read a ``[permissions]`` table (role -> list of permissions), recording problems.

    A role named in the table holds exactly the permissions listed (``[]``
    for none); a role left out keeps what ``base`` (by default
    :data:`DEFAULT_PERMISSIONS`) gives it. Unknown roles (code ``unknown``),
    unknown permissions (``invalid_choice``, path ``permissions.<role>.<i>``),
    duplicates (``duplicate``) and values that are not lists of strings
    (``invalid``) go into the reader's collector. Returns the map, or None
    when the table had errors.

    >>> from partnerkit.core import ConfigReader
    >>> root = ConfigReader({"permissions": {"user": ["register_deals", "fly"], "boss": []}})
    >>> read_permissions(root.table("permissions")), root.errors.paths
    (None, ('permissions.user.1', 'permissions.boss'))
    """
    base = DEFAULT_PERMISSIONS if base is None else base
    before = len(reader.errors.errors)
    grants: dict[str, tuple[str, ...]] = {r: base.permissions_of(r) for r in ROLES}
    for role in reader.keys():  # noqa: SIM118 - a ConfigReader, not a dict
        value = reader.raw(role)
        if role not in ROLES:
            reader.error(role, "unknown", f"unknown role {role!r}; roles: {', '.join(ROLES)}")
            continue
        if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
            reader.error(role, "invalid", "expected a list of permission names")
            continue
        seen: set[str] = set()
        for i, permission in enumerate(value):
            if permission not in _PERMISSION_ORDER:
                reader.error(
                    f"{role}.{i}",
                    "invalid_choice",
                    f"unknown permission {permission!r}; permissions: {', '.join(PERMISSIONS)}",
                )
            elif permission in seen:
                reader.error(f"{role}.{i}", "duplicate", f"{permission!r} is listed twice")
            seen.add(permission)
        grants[role] = tuple(seen & set(PERMISSIONS))
    reader.finish(raise_errors=False)
    if len(reader.errors.errors) != before:
        return None
    return PermissionMap.from_grants(grants)


def permissions_from_dict(
    data: Mapping[str, object], path: str = "permissions", base: PermissionMap | None = None
) -> PermissionMap:
    """Build a permission map from a ``[permissions]`` table; see :func:`read_permissions`.

    Raises one :class:`~partnerkit.core.errors.ValidationError` naming every bad
    role and permission by its dotted path under ``path``.

    >>> permissions_from_dict({"user": []}).allows("user", "register_deals")
    False
    >>> permissions_from_dict({"user": ["fly"], "boss": ["register_deals"]})
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 2 invalid fields: permissions.user.0: ...
    """
    reader = ConfigReader(data, path)
    permissions = read_permissions(reader, base)
    reader.errors.raise_if_any()
    assert permissions is not None
    return permissions


def permissions_to_dict(permissions: PermissionMap) -> dict[str, list[str]]:
    """The ``[permissions]`` table of ``permissions``: every role with its permissions, in order.

    ``permissions_from_dict(permissions_to_dict(m)) == m``.

    >>> permissions_to_dict(DEFAULT_PERMISSIONS)["executive"]
    ['register_deals', 'check_plan_items', 'sign_off_plans']
    """
    return {role: list(permissions.permissions_of(role)) for role in ROLES}


def _structure_permissions(data: Any, _: object) -> PermissionMap:
    if not isinstance(data, Mapping):
        raise ValidationError.single("", "invalid", "expected a table of role -> permissions")
    return permissions_from_dict(data, path="")


converter.register_unstructure_hook(PermissionMap, permissions_to_dict)
converter.register_structure_hook(PermissionMap, _structure_permissions)


# -- actors and authorization --------------------------------------------------------------------


@runtime_checkable
class Owned(Protocol):
    """Anything that belongs to one partner: it names that partner's id.

    Implemented by every partner-owned record (deals, plans, users,
    :class:`~partnerkit.partners.Partner` itself) and by a host's own
    records that :func:`authorize` should guard.
    """

    @property
    def partner_id(self) -> str:
        """The id of the partner the record belongs to."""
        ...


@attrs.frozen
class Actor:
    """Who is acting: a user id, a role, and where the role reaches.

    Partner-side actors (roles in :data:`PARTNER_ROLES`) name their
    ``partner_id``; vendor-side actors have ``partner_id`` None. A partner
    account manager lists the partners they manage in ``managed_partner_ids``.
    Raises :class:`~partnerkit.core.errors.ValidationError` when these do not fit.

    >>> Actor("u1", "administrator", partner_id="p1")
    Actor(user_id='u1', role='administrator', partner_id='p1', managed_partner_ids=frozenset())
    >>> Actor("v1", "partner_account_manager", partner_id="p1")
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 1 invalid field: partner_id: ...
    """

    user_id: str
    role: str
    partner_id: str | None = None
    managed_partner_ids: frozenset[str] = attrs.field(default=frozenset(), converter=text_set)

    def __attrs_post_init__(self) -> None:
        errors = ErrorCollector()
        if not isinstance(self.user_id, str) or not self.user_id:
            errors.add("user_id", "required", "the actor needs a user id")
        if self.role not in ROLES:
            errors.add("role", "invalid_choice", f"{self.role!r} is not one of: {', '.join(ROLES)}")
        elif self.role in _PARTNER_SIDE and not (
            isinstance(self.partner_id, str) and self.partner_id
        ):
            errors.add("partner_id", "required", "a partner-side actor belongs to a partner")
        elif self.role in _VENDOR_SIDE and self.partner_id is not None:
            errors.add("partner_id", "invalid", "a vendor-side actor belongs to no partner")
        if self.managed_partner_ids and self.role != PARTNER_ACCOUNT_MANAGER:
            errors.add(
                "managed_partner_ids", "invalid", "only partner account managers manage partners"
            )
        if not is_text_set(self.managed_partner_ids):
            errors.add("managed_partner_ids", "invalid", "partner ids are strings")
        errors.raise_if_any()

    @property
    def vendor_side(self) -> bool:
        """Whether the actor works for the vendor (not for a partner)."""
        return self.partner_id is None


def _unstructure_actor(actor: Actor) -> dict[str, Any]:
    return {
        "user_id": actor.user_id,
        "role": actor.role,
        "partner_id": actor.partner_id,
        "managed_partner_ids": sorted(actor.managed_partner_ids),
    }


converter.register_unstructure_hook(Actor, _unstructure_actor)


def _deny(actor: Actor, permission: str, owner: str | None, reason: str) -> PermissionDenied:
    resource = "the program" if owner is None else f"partner {owner!r}"
    return PermissionDenied(f"{actor.role} {actor.user_id!r}", permission, resource, reason)


def authorize(
    actor: Actor,
    permission: str,
    resource: Owned | None,
    permissions: PermissionMap = DEFAULT_PERMISSIONS,
) -> None:
    """Allow ``actor`` to exercise ``permission`` on ``resource``, or raise ``PermissionDenied``.

    The role must hold the permission in ``permissions``. Then, whatever the
    map says: a partner-side actor reaches only records of its own partner; a
    partner account manager only records of the partners they manage; a
    program administrator every partner's. ``resource`` is a
    :class:`~partnerkit.partners.Partner` or anything with a ``partner_id``
    (:class:`Owned`); ``None`` means the program itself (templates), which
    only program administrators reach. Costs one set lookup and an attribute read.
    The use cases in :mod:`partnerkit.services` answer a record the actor
    does not reach with :class:`~partnerkit.core.errors.NotFound` instead,
    so ids cannot be probed.

    >>> from partnerkit.partners import Partner
    >>> acme = Partner("p1", "Acme", "acme.example", "reseller")
    >>> authorize(Actor("u1", "administrator", partner_id="p1"), "manage_users", acme)
    >>> authorize(Actor("u2", "administrator", partner_id="p2"), "manage_users", acme)
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.PermissionDenied: administrator 'u2' may not manage_users on ...
    """
    if (actor.role, permission) not in permissions.pairs:
        owner = None if resource is None else resource.partner_id
        raise _deny(actor, permission, owner, "the role does not hold this permission")
    own = actor.partner_id
    if resource is None:
        if actor.role != PROGRAM_ADMINISTRATOR:
            raise _deny(actor, permission, None, "only program administrators act program-wide")
        return
    owner = resource.partner_id
    if own is not None:
        if owner != own:
            raise _deny(actor, permission, owner, "it belongs to another partner")
    elif actor.role == PARTNER_ACCOUNT_MANAGER and owner not in actor.managed_partner_ids:
        raise _deny(actor, permission, owner, "the partner is not one this account manager manages")
