"""The :class:`Program`: one partner program's configuration, the registry of its file's tables.

Each table of the program file (``[fiscal]``, ``[tiers]``, ``[deals]``, ...)
is read, written, checked and shown through one :class:`ProgramArea`;
:attr:`Program.areas` lists them. Programs are stored under
:data:`partnerkit.storage.PROGRAMS`.
"""

from partnerkit.core._public import publish as _publish
from partnerkit.program._area import AreaContext, ProgramArea
from partnerkit.program._program import Program

__all__ = ["AreaContext", "Program", "ProgramArea"]

_publish(__name__, globals(), __all__)
