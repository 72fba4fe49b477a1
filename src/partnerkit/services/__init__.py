"""Use cases: thin functions that load through a unit of work, call the domain and commit.

Each later area adds its own (register a deal, approve it, quote it, ...).
Events reach the storage's dispatcher only after the commit.
"""

from partnerkit.services._deals import (
    DEAL_REGISTRATIONS,
    PROSPECTS,
    ApprovalHook,
    AutoApprovalRule,
    ExpiryReport,
    approve_deal,
    decide_extension,
    decline_deal,
    expire_due,
    get_deal,
    mark_deal_lost,
    register_deal,
    request_extension,
    search_deals,
    start_order,
    submit_order,
    verify_domain,
    withdraw_deal,
)
from partnerkit.services._partners import (
    add_partner,
    change_partner_stage,
    deregister_user,
    edit_partner,
    edit_user,
    list_users,
    register_user,
    reregister_user,
)
from partnerkit.services._programs import ProgramSaved, save_program

__all__ = [
    "DEAL_REGISTRATIONS",
    "PROSPECTS",
    "ApprovalHook",
    "AutoApprovalRule",
    "ExpiryReport",
    "ProgramSaved",
    "add_partner",
    "approve_deal",
    "change_partner_stage",
    "decide_extension",
    "decline_deal",
    "deregister_user",
    "edit_partner",
    "edit_user",
    "expire_due",
    "get_deal",
    "list_users",
    "mark_deal_lost",
    "register_deal",
    "register_user",
    "request_extension",
    "reregister_user",
    "save_program",
    "search_deals",
    "start_order",
    "submit_order",
    "verify_domain",
    "withdraw_deal",
]
