"""What every use case shares: the context it runs in, the commit rule, the authorization rule.

The rules, written once here and in ``docs/services.md``:

- **One shape.** A public use case is ``name(uow, ctx, ...)``: the unit of work,
  the :class:`Context` (actor, clock, program), then its own arguments.
- **One commit rule.** Private steps never commit. A public use case that
  changes something ends in exactly one commit; on any failure it rolls the
  unit of work back before the error leaves it, so a host that catches the
  error and commits anyway writes nothing of it, and no event is published.
- **One time.** "Now" and "today" are the clock's instant in the program's
  time zone (:meth:`Context.now`, :meth:`Context.today`); no use case reads
  the clock itself.
- **One authorization rule.** A role without the permission is
  :class:`~partnerkit.core.errors.PermissionDenied`; a record (or a partner)
  the actor may not reach is :class:`~partnerkit.core.errors.NotFound`,
  exactly as if it did not exist, so ids cannot be probed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any, Concatenate, ParamSpec, TypeVar

import attrs
import pendulum

from partnerkit.core import Clock, aware
from partnerkit.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from partnerkit.deals import RegistrationPolicy
from partnerkit.partners import PROGRAM_ADMINISTRATOR, Actor, PermissionMap, authorize
from partnerkit.program import Program
from partnerkit.storage import AggregateSpec, UnitOfWork

__all__ = ["SYSTEM_USER", "Context"]

P = ParamSpec("P")
R = TypeVar("R")
A = TypeVar("A")

#: The user id recorded for what a scheduled job does (see :meth:`Context.system`).
SYSTEM_USER = "system"


def _actor(value: object) -> Actor:
    if not isinstance(value, Actor):
        raise ValidationError.single("actor", "invalid", "expected a partnerkit.partners.Actor")
    return value


def _check_clock(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # What the Clock protocol asks, without a runtime-protocol check on every use case.
    if not callable(getattr(value, "now", None)):
        raise ValidationError.single("clock", "invalid", "expected a Clock (an object with now())")


def _check_program(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Program):
        raise ValidationError.single("program", "invalid", "expected a partnerkit.program.Program")


@attrs.frozen
class Context:
    """Who acts, on which clock, in which program: the first argument after the unit of work.

    Every use case takes one, so "today" is always the program's date in its
    time zone, and the permissions and policies are always the program's:
    nothing falls back to a default a host forgot to override.

    >>> import pendulum
    >>> from partnerkit.partners import Actor
    >>> from partnerkit.program import Program
    >>> from partnerkit.testing import FixedClock
    >>> program = Program(key="acme", name="Acme", currency="USD", timezone="America/Los_Angeles")
    >>> clock = FixedClock(pendulum.datetime(2027, 1, 1, 7, 30, tz="UTC"))
    >>> ctx = Context(Actor("v1", "program_administrator"), clock, program)
    >>> ctx.today()  # 23:30 on New Year's Eve in Los Angeles
    datetime.date(2026, 12, 31)
    """

    actor: Actor = attrs.field(converter=_actor)
    clock: Clock = attrs.field(validator=_check_clock)
    program: Program = attrs.field(validator=_check_program)

    @classmethod
    def system(cls, clock: Clock, program: Program) -> Context:
        """The context of a scheduled job: a program administrator named :data:`SYSTEM_USER`."""
        return cls(Actor(SYSTEM_USER, PROGRAM_ADMINISTRATOR), clock, program)

    def now(self) -> pendulum.DateTime:
        """The clock's instant in the program's time zone."""
        clock = self.clock
        if type(clock) is _Pinned:
            return clock.at  # taken in the program's time zone already
        return aware(clock.now(), "clock").in_timezone(self.program.timezone)

    def today(self) -> date:
        """The program's date now (its time zone decides when the day turns)."""
        now = self.now()
        return date(now.year, now.month, now.day)

    @property
    def permissions(self) -> PermissionMap:
        """The program's role-permission map."""
        return self.program.permissions

    @property
    def registration_policy(self) -> RegistrationPolicy:
        """The program's deal-registration rules (its ``[deals]`` table)."""
        return self.program.registration_policy

    def with_actor(self, actor: Actor) -> Context:
        """The same clock and program with another actor."""
        return attrs.evolve(self, actor=actor)

    def pinned(self) -> Context:
        """This context with its clock stopped at the current instant (in the program's zone).

        Every use case runs on a pinned context, so all it does (the
        transition, its audit entry, the quote it prices, the number's
        year) happens at one instant, even across midnight.
        """
        if type(self.clock) is _Pinned:
            return self
        # Every field is checked already: build the copy without running the checks again.
        pinned: Context = object.__new__(Context)
        object.__setattr__(pinned, "actor", self.actor)
        object.__setattr__(pinned, "clock", _Pinned(self.now()))
        object.__setattr__(pinned, "program", self.program)
        return pinned


class _Pinned:
    """A clock stopped at one instant (in the program's zone): the one a use case runs at."""

    __slots__ = ("at",)

    def __init__(self, at: pendulum.DateTime) -> None:
        self.at = at

    def now(self) -> pendulum.DateTime:
        return self.at

    def __repr__(self) -> str:
        return f"pinned at {self.at.isoformat()}"


def retrying_use_case(
    retry_on: Callable[[Conflict], bool], attempts: int = 3
) -> Callable[
    [Callable[Concatenate[UnitOfWork, Context, P], R]],
    Callable[Concatenate[UnitOfWork, Context, P], R],
]:
    """The commit rule, and a fresh run when a :class:`Conflict` ``retry_on`` accepts.

    The wrapped function stages its writes; the commit happens here, and
    anything raised rolls the unit of work back before it propagates. For
    use cases whose checks read other records under a guard write (a
    registration writes its prospect), a unit of work that lost the race
    rolls back and reads again, up to ``attempts`` runs in all, now seeing
    the winner's records.
    """

    def decorate(
        fn: Callable[Concatenate[UnitOfWork, Context, P], R],
    ) -> Callable[Concatenate[UnitOfWork, Context, P], R]:
        @functools.wraps(fn)
        def run(uow: UnitOfWork, ctx: Context, /, *args: P.args, **kwargs: P.kwargs) -> R:
            ctx = _checked(ctx)
            for attempt in range(1, attempts + 1):
                try:
                    result = fn(uow, ctx, *args, **kwargs)
                    uow.commit()
                except Conflict as exc:
                    uow.rollback()
                    if attempt == attempts or not retry_on(exc):
                        raise
                    continue
                except BaseException:
                    uow.rollback()
                    raise
                return result
            raise AssertionError("unreachable")  # pragma: no cover

        return run

    return decorate


def _never(_: Conflict) -> bool:
    return False


def use_case(
    fn: Callable[Concatenate[UnitOfWork, Context, P], R],
) -> Callable[Concatenate[UnitOfWork, Context, P], R]:
    """Give a use case the commit rule: one commit at the end, a rollback on any failure.

    The wrapped function stages its writes and returns; the commit happens
    here. Anything raised (by the function or by the commit) rolls the unit
    of work back before it propagates. (:func:`retrying_use_case` that never
    retries.)
    """
    return retrying_use_case(_never, attempts=1)(fn)


def reading(
    fn: Callable[Concatenate[UnitOfWork, Context, P], R],
) -> Callable[Concatenate[UnitOfWork, Context, P], R]:
    """Mark a use case that only reads: it checks its context and never commits."""

    @functools.wraps(fn)
    def run(uow: UnitOfWork, ctx: Context, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return fn(uow, _checked(ctx), *args, **kwargs)

    return run


def _checked(ctx: object) -> Context:
    """``ctx`` pinned to one instant; anything but a Context is a ValidationError at ``ctx``."""
    if not isinstance(ctx, Context):
        raise ValidationError.single(
            "ctx", "invalid", "expected a partnerkit.services.Context (actor, clock, program)"
        )
    return ctx.pinned()


# -- the authorization rule ------------------------------------------------------------------


@attrs.frozen
class _PartnerScope:
    """Stands for "records of this partner" before any record is read."""

    partner_id: str


def _kind(spec: AggregateSpec[Any]) -> str:
    return spec.kind[:-1] if spec.kind.endswith("s") else spec.kind


def require_role(ctx: Context, permission: str) -> None:
    """Refuse an actor whose role lacks ``permission`` (PermissionDenied: it reveals no record).

    What the actor reaches (its own partner, the partners an account manager
    manages) is checked per record or partner afterwards.
    """
    actor = ctx.actor
    if (actor.role, permission) not in ctx.permissions.pairs:
        authorize(actor, permission, None, ctx.permissions)  # raises PermissionDenied


def require_program_wide(ctx: Context, permission: str) -> None:
    """Allow only an actor who may exercise ``permission`` on the program itself."""
    authorize(ctx.actor, permission, None, ctx.permissions)


def reaches(ctx: Context, permission: str, owner: object) -> bool:
    """Whether the actor may exercise ``permission`` on ``owner`` (a record or a partner)."""
    try:
        authorize(ctx.actor, permission, owner, ctx.permissions)  # type: ignore[arg-type]
    except PermissionDenied:
        return False
    return True


def require_partner(ctx: Context, permission: str, partner_id: str, kind: str = "partner") -> None:
    """Allow ``permission`` on records of ``partner_id``, before reading any of them.

    A role without the permission is :class:`PermissionDenied`; a partner the
    actor does not reach is :class:`NotFound` (of ``kind``, the record asked for).
    """
    require_role(ctx, permission)
    if not reaches(ctx, permission, _PartnerScope(partner_id)):
        raise NotFound(kind, partner_id)


def load(uow: UnitOfWork, ctx: Context, spec: AggregateSpec[A], id: str, permission: str) -> A:
    """Read the record ``id`` the actor may exercise ``permission`` on.

    A role without the permission is :class:`PermissionDenied`, checked
    before anything is read. A missing record and one the actor may not
    reach (another partner's, or a partner an account manager does not
    manage) are both :class:`NotFound`.
    """
    require_role(ctx, permission)
    record = uow.repository(spec).find(id)
    if record is None or not reaches(ctx, permission, record):
        raise NotFound(_kind(spec), id)
    return record


def narrowed(ctx: Context, permission: str, partner_id: str | None) -> list[str] | None:
    """The partners whose records a listing may show: None for every partner, else their ids.

    A partner's user sees its own partner; a partner account manager the
    partners they manage; a program administrator all. ``partner_id``
    narrows to one partner (an empty list when the actor does not reach it).
    """
    require_role(ctx, permission)
    actor = ctx.actor
    if actor.partner_id is not None:
        reach: list[str] | None = [actor.partner_id]
    elif actor.role != PROGRAM_ADMINISTRATOR:
        reach = sorted(actor.managed_partner_ids)
    else:
        reach = None
    if partner_id is not None:
        reach = [p for p in (reach if reach is not None else [partner_id]) if p == partner_id]
    if reach is not None:
        reach = [p for p in reach if reaches(ctx, permission, _PartnerScope(p))]
    return reach
