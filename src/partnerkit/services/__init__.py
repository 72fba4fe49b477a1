"""Use cases: thin functions that load through a unit of work, call the domain and commit.

Each later area adds its own (register a deal, approve it, quote it, ...).
Events reach the storage's dispatcher only after the commit.
"""

from partnerkit.services._programs import ProgramSaved, save_program

__all__ = ["ProgramSaved", "save_program"]
