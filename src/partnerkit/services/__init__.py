"""Use cases: thin functions that load through a unit of work, call the domain and commit.

Each later area adds its own (register a deal, approve it, quote it, ...).
Events reach the storage's dispatcher only after the commit.
"""

from partnerkit.services._deals import (
    APPROVE_DEALS,
    DEAL_REGISTRATIONS,
    PROSPECTS,
    REGISTER_DEALS,
    ApprovalHook,
    AutoApprovalRule,
    DealActor,
    DealPartner,
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
from partnerkit.services._programs import ProgramSaved, save_program

__all__ = [
    "APPROVE_DEALS",
    "DEAL_REGISTRATIONS",
    "PROSPECTS",
    "REGISTER_DEALS",
    "ApprovalHook",
    "AutoApprovalRule",
    "DealActor",
    "DealPartner",
    "ExpiryReport",
    "ProgramSaved",
    "approve_deal",
    "decide_extension",
    "decline_deal",
    "expire_due",
    "get_deal",
    "mark_deal_lost",
    "register_deal",
    "request_extension",
    "save_program",
    "search_deals",
    "start_order",
    "submit_order",
    "verify_domain",
    "withdraw_deal",
]
