"""Prospects and deal registrations: the form, its validation, the stage table and its policy.

A partner registers a deal it found (:class:`RegistrationForm`, checked by
:func:`validate_registration_form`) for a :class:`Prospect`, unique by its
company domain. The :class:`DealRegistration` moves along the stage table
(:data:`TRANSITIONS`): opportunity, approved, order started, order
submitted, with the side exits declined, expired, lost and withdrawn; each
move appends an :class:`AuditEntry` and yields a domain event. A program's
:class:`RegistrationPolicy` (the ``[deals]`` section) holds the drop-down
lists, deadlines and channel-conflict rule. The use cases that store all this
are in :mod:`partnerkit.services`.

This package is pure: no storage, no clock. Instants come in as arguments.
"""

from partnerkit.core._public import publish as _publish
from partnerkit.deals._conflict import ChannelCheck, active_key, check_channel
from partnerkit.deals._events import (
    DealApproved,
    DealDeclined,
    DealEvent,
    DealExpired,
    DealLost,
    DealRegistered,
    DealWithdrawn,
    ExtensionDecided,
    ExtensionRequested,
)
from partnerkit.deals._form import (
    FIELD_LABELS,
    CompanySection,
    OpportunitySection,
    PartnerSection,
    RegistrationForm,
    validate_registration_form,
)
from partnerkit.deals._form_json import read_registration_form, registration_form_schema
from partnerkit.deals._lifecycle import (
    ACTIVE_STAGES,
    CLOSED_STAGES,
    PROGRESS_STEPS,
    STAGE_LABELS,
    TRANSITIONS,
    ProgressStep,
    Stage,
    StepState,
    Transition,
    deal_stage_label,
    progress,
    transition_for,
)
from partnerkit.deals._policy import (
    APPROVAL_MODES,
    CHANNEL_CONFLICT_ACTIONS,
    DEFAULT_FREE_MAIL_DOMAINS,
    DEFAULT_MAIL_PLATFORMS,
    DEFAULT_PROJECT_PRIORITIES,
    ApprovalMode,
    ChannelConflictAction,
    RegistrationPolicy,
    read_registration_policy,
    registration_policy_from_dict,
    registration_policy_to_dict,
)
from partnerkit.deals._prospect import DomainCheck, Prospect, prospect_domain
from partnerkit.deals._registration import (
    AuditEntry,
    Deadlines,
    DealRegistration,
    ExtensionRequest,
    new_registration,
)
from partnerkit.deals._search import ORDERINGS, DealQuery, Ordering, fold

__all__ = [
    "ACTIVE_STAGES",
    "APPROVAL_MODES",
    "CHANNEL_CONFLICT_ACTIONS",
    "CLOSED_STAGES",
    "DEFAULT_FREE_MAIL_DOMAINS",
    "DEFAULT_MAIL_PLATFORMS",
    "DEFAULT_PROJECT_PRIORITIES",
    "FIELD_LABELS",
    "ORDERINGS",
    "PROGRESS_STEPS",
    "STAGE_LABELS",
    "TRANSITIONS",
    "ApprovalMode",
    "AuditEntry",
    "ChannelCheck",
    "ChannelConflictAction",
    "CompanySection",
    "Deadlines",
    "DealApproved",
    "DealDeclined",
    "DealEvent",
    "DealExpired",
    "DealLost",
    "DealQuery",
    "DealRegistered",
    "DealRegistration",
    "DealWithdrawn",
    "DomainCheck",
    "ExtensionDecided",
    "ExtensionRequest",
    "ExtensionRequested",
    "OpportunitySection",
    "Ordering",
    "PartnerSection",
    "ProgressStep",
    "Prospect",
    "RegistrationForm",
    "RegistrationPolicy",
    "Stage",
    "StepState",
    "Transition",
    "active_key",
    "check_channel",
    "deal_stage_label",
    "fold",
    "new_registration",
    "progress",
    "prospect_domain",
    "read_registration_form",
    "read_registration_policy",
    "registration_form_schema",
    "registration_policy_from_dict",
    "registration_policy_to_dict",
    "transition_for",
    "validate_registration_form",
]

_publish(__name__, globals(), __all__)
