"""Use cases: thin functions that load through a unit of work, call the domain and commit.

Each later area adds its own (register a deal, approve it, quote it, ...).
Events reach the storage's dispatcher only after the commit.
"""

from partnerkit.services._programs import ProgramSaved, save_program
from partnerkit.services._quoting import (
    accept_quote,
    create_quote,
    create_quote_for_registration,
    create_renewal_quote,
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
    "create_quote",
    "create_quote_for_registration",
    "create_renewal_quote",
    "expire_quote",
    "reprice_quotes_for_registration",
    "revise_quote",
    "save_program",
    "send_quote",
    "start_order",
    "submit_order",
    "upcoming_renewals",
]
