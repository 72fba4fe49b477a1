"""Use cases for the program's own configuration."""

from __future__ import annotations

import attrs
import pendulum

from partnerkit.core import Clock, DomainEvent, aware
from partnerkit.program import Program
from partnerkit.storage import PROGRAMS, UnitOfWork

__all__ = ["ProgramSaved", "save_program"]


def _instant(value: object) -> pendulum.DateTime:
    return aware(value, "at")


@attrs.frozen
class ProgramSaved(DomainEvent):
    """A program's configuration was created or changed: by whom, when, and its new version.

    ``at`` must be timezone-aware: a naive datetime is a
    :class:`~partnerkit.core.errors.ValidationError` at ``at``.
    """

    key: str
    version: int
    actor: str
    at: pendulum.DateTime = attrs.field(converter=_instant)
    created: bool


def save_program(uow: UnitOfWork, program: Program, *, actor: str, clock: Clock) -> Program:
    """Store a new program (``version`` 0) or a changed one, and record :class:`ProgramSaved`.

    Commits the unit of work. A program changed by someone else since it was
    read raises :class:`~partnerkit.core.errors.Conflict` and writes nothing.
    Returns the stored program with its new version.
    """
    repository = uow.repository(PROGRAMS)
    created = program.version == 0
    stored = repository.add(program) if created else repository.save(program)
    uow.record(ProgramSaved(stored.key, stored.version, actor, clock.now(), created))
    uow.commit()
    return stored
