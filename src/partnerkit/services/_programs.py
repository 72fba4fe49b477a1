"""Use cases for the program's own configuration."""

from __future__ import annotations

import attrs
import pendulum

from partnerkit.core import DomainEvent, aware
from partnerkit.core.errors import PermissionDenied, ValidationError
from partnerkit.partners import PROGRAM_ADMINISTRATOR
from partnerkit.program import Program
from partnerkit.services._context import Context, use_case
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


@use_case
def save_program(uow: UnitOfWork, ctx: Context, program: Program) -> Program:
    """Store a new program (``version`` 0) or a changed one, and record :class:`ProgramSaved`.

    Only a program administrator changes a program's configuration
    (:class:`~partnerkit.core.errors.PermissionDenied` otherwise). To store
    the first program, pass a context built on that program. A program
    changed by someone else since it was read raises
    :class:`~partnerkit.core.errors.Conflict` and writes nothing. Returns
    the stored program with its new version.
    """
    actor = ctx.actor
    if actor.role != PROGRAM_ADMINISTRATOR:
        raise PermissionDenied(
            f"{actor.role} {actor.user_id!r}",
            "save_program",
            "the program",
            "only program administrators change the program's configuration",
        )
    if not isinstance(program, Program):
        raise ValidationError.single("program", "invalid", "expected a partnerkit.program.Program")
    repository = uow.repository(PROGRAMS)
    created = program.version == 0
    stored = repository.add(program) if created else repository.save(program)
    uow.record(ProgramSaved(stored.key, stored.version, actor.user_id, ctx.now(), created))
    return stored
