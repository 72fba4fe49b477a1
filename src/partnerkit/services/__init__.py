"""Use cases: thin functions that load through a unit of work, call the domain and commit.

Each later area adds its own (register a deal, approve it, quote it, ...).
Events reach the storage's dispatcher only after the commit.
"""

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
from partnerkit.services._quoting import (
    accept_quote,
    create_quote,
    create_quote_for_registration,
    create_renewal_quote,
    expire_overdue_quotes,
    expire_quote,
    reprice_quotes_for_registration,
    revise_quote,
    send_quote,
    start_order,
    submit_order,
    upcoming_renewals,
)

__all__ = [
    "ProgramSaved",
    "accept_quote",
    "add_partner",
    "change_partner_stage",
    "create_quote",
    "create_quote_for_registration",
    "create_renewal_quote",
    "deregister_user",
    "edit_partner",
    "edit_user",
    "expire_overdue_quotes",
    "expire_quote",
    "list_users",
    "register_user",
    "reprice_quotes_for_registration",
    "reregister_user",
    "revise_quote",
    "save_program",
    "send_quote",
    "start_order",
    "submit_order",
    "upcoming_renewals",
]
