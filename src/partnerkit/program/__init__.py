"""The :class:`Program`: one partner program's configuration, and how it is stored."""

from partnerkit.program._program import Program

__all__ = ["Program"]
