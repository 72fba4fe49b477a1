"""How programs are stored: their spec."""

from __future__ import annotations

from partnerkit.program import Program
from partnerkit.storage._ports import AggregateSpec

__all__ = ["PROGRAMS"]

#: How programs are stored: one row per program, keyed by :attr:`Program.key`.
PROGRAMS: AggregateSpec[Program] = AggregateSpec("programs", Program, id_attr="key")
