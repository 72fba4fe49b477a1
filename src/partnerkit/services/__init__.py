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

__all__ = [
    "ProgramSaved",
    "add_partner",
    "change_partner_stage",
    "deregister_user",
    "edit_partner",
    "edit_user",
    "list_users",
    "register_user",
    "reregister_user",
    "save_program",
]
