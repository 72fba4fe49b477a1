"""Partner companies, their users and certifications, roles and permissions, and segments.

A :class:`Partner` is a company in the program (type, region, industry, tier,
lifecycle stage with its history, agreement dates, address); a
:class:`PartnerUser` one of its people (role, registration, certifications).
:func:`authorize` checks an :class:`Actor` against the program's
:class:`PermissionMap` and keeps every partner-side actor inside its own
partner. :class:`PartnerFilter` picks a segment, :func:`export_csv` writes it
out with headers in the reader's language.

>>> from partnerkit.partners import Partner, PartnerFilter, validate_partner
>>> acme = validate_partner(Partner("p1", "Acme", "www.acme.example", "reseller", region="EMEA"))
>>> acme.domain, PartnerFilter(regions="EMEA").matches(acme)
('acme.example', True)
"""

from partnerkit.core._public import publish as _publish
from partnerkit.partners._partner import (
    DEFAULT_PARTNER_TYPES,
    EDITABLE_PARTNER_FIELDS,
    LIFECYCLE_STAGE_LABELS,
    LIFECYCLE_STAGES,
    LIFECYCLE_TRANSITIONS,
    Partner,
    PartnerEdited,
    PartnerStageChanged,
    PartnerType,
    StageChange,
    partner_stage_label,
    validate_partner,
)
from partnerkit.partners._roles import (
    ADMINISTRATOR,
    APPROVE_DEALS,
    CHECK_PLAN_ITEMS,
    CREATE_PLAN_TEMPLATES,
    CREATE_PLANS,
    DEFAULT_PERMISSIONS,
    EDIT_PLAN,
    EXECUTIVE,
    MANAGE_PARTNERS,
    MANAGE_USERS,
    MANAGER,
    PARTNER_ACCOUNT_MANAGER,
    PARTNER_ROLES,
    PERMISSIONS,
    PROGRAM_ADMINISTRATOR,
    REGISTER_DEALS,
    ROLE_LABELS,
    ROLES,
    USER,
    VENDOR_ROLES,
    VIEW_CUSTOMERS,
    VIEW_DASHBOARD,
    VIEW_INVOICES,
    Actor,
    Owned,
    PermissionMap,
    authorize,
    permissions_from_dict,
    permissions_to_dict,
    read_permissions,
    role_label,
)
from partnerkit.partners._segments import PARTNER_COLUMNS, PartnerFilter, export_csv
from partnerkit.partners._users import (
    ANY_CERTIFICATION,
    CERTIFICATION_KIND_LABELS,
    DEREGISTERED,
    REGISTERED,
    REGISTRATION_STATUS_LABELS,
    Certification,
    PartnerUser,
    PartnerUserChanged,
    RegistrationChange,
    certified_users,
    status_label,
    validate_user,
)

__all__ = [
    "ADMINISTRATOR",
    "ANY_CERTIFICATION",
    "APPROVE_DEALS",
    "CERTIFICATION_KIND_LABELS",
    "CHECK_PLAN_ITEMS",
    "CREATE_PLANS",
    "CREATE_PLAN_TEMPLATES",
    "DEFAULT_PARTNER_TYPES",
    "DEFAULT_PERMISSIONS",
    "DEREGISTERED",
    "EDITABLE_PARTNER_FIELDS",
    "EDIT_PLAN",
    "EXECUTIVE",
    "LIFECYCLE_STAGES",
    "LIFECYCLE_STAGE_LABELS",
    "LIFECYCLE_TRANSITIONS",
    "MANAGER",
    "MANAGE_PARTNERS",
    "MANAGE_USERS",
    "PARTNER_ACCOUNT_MANAGER",
    "PARTNER_COLUMNS",
    "PARTNER_ROLES",
    "PERMISSIONS",
    "PROGRAM_ADMINISTRATOR",
    "REGISTERED",
    "REGISTER_DEALS",
    "REGISTRATION_STATUS_LABELS",
    "ROLES",
    "ROLE_LABELS",
    "USER",
    "VENDOR_ROLES",
    "VIEW_CUSTOMERS",
    "VIEW_DASHBOARD",
    "VIEW_INVOICES",
    "Actor",
    "Certification",
    "Owned",
    "Partner",
    "PartnerEdited",
    "PartnerFilter",
    "PartnerStageChanged",
    "PartnerType",
    "PartnerUser",
    "PartnerUserChanged",
    "PermissionMap",
    "RegistrationChange",
    "StageChange",
    "authorize",
    "certified_users",
    "export_csv",
    "partner_stage_label",
    "permissions_from_dict",
    "permissions_to_dict",
    "read_permissions",
    "role_label",
    "status_label",
    "validate_partner",
    "validate_user",
]

_publish(__name__, globals(), __all__)
