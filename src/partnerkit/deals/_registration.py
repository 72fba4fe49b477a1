"""The deal registration aggregate: where a registered deal stands, and its transitions."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Literal, TypeVar

import attrs
import pendulum

from partnerkit.core import aware
from partnerkit.core.errors import InvalidTransition, ValidationError
from partnerkit.deals._events import (
    DealApproved,
    DealDeclined,
    DealExpired,
    DealLost,
    DealRegistered,
    DealWithdrawn,
    ExtensionDecided,
    ExtensionRequested,
)
from partnerkit.deals._form import _MAX_PROBLEMS, RegistrationForm
from partnerkit.deals._lifecycle import (
    ACTIVE_STAGES,
    ProgressStep,
    Stage,
    progress,
)
from partnerkit.deals._policy import RegistrationPolicy
from partnerkit.deals._prospect import Prospect

__all__ = [
    "KIND",
    "AuditEntry",
    "Deadlines",
    "DealRegistration",
    "ExtensionRequest",
    "new_registration",
]

#: The kind named in errors about registrations.
KIND = "deal registration"

# The events of the two order steps, and of the side exits (each carries the reason).
_ClosingEvent = TypeVar("_ClosingEvent", DealDeclined, DealExpired, DealLost, DealWithdrawn)

_DEFAULT_POLICY = RegistrationPolicy()


@attrs.frozen
class AuditEntry:
    """One recorded change: who (``actor``), when (``at``), the stage before and after, a note.

    ``action`` is the transition's name (``register``, ``approve``,
    ``request_extension``, ...); ``from_stage`` is ``None`` for the
    registration itself, and equals ``to_stage`` for changes that keep the
    stage (an extension).
    """

    action: str
    actor: str
    at: pendulum.DateTime
    from_stage: Stage | None
    to_stage: Stage
    note: str = ""


@attrs.frozen
class Deadlines:
    """The dates an approved registration must meet, and until when it is exclusive.

    The order must be started on or before ``order_start_due`` and submitted
    on or before ``order_submit_due``; the partner's protection lasts up to
    and including ``protection_ends``.
    """

    order_start_due: date
    order_submit_due: date
    protection_ends: date

    def extended(self, days: int) -> Deadlines:
        """The deadlines moved ``days`` later."""
        return Deadlines(
            _later(self.order_start_due, days),
            _later(self.order_submit_due, days),
            _later(self.protection_ends, days),
        )


ExtensionStatus = Literal["pending", "granted", "refused"]


@attrs.frozen
class ExtensionRequest:
    """A partner's request for more time: why, who asked, when, and the vendor's decision."""

    reason: str
    requested_by: str
    requested_at: pendulum.DateTime
    status: ExtensionStatus = "pending"
    decided_by: str = ""
    decided_at: pendulum.DateTime | None = None


def _day(at: pendulum.DateTime) -> date:
    # A plain date: pendulum's Date arithmetic is an order of magnitude slower.
    return date(at.year, at.month, at.day)


def _later(day: date, days: int) -> date:
    return date.fromordinal(day.toordinal() + days)


def _refuse(deal: DealRegistration, target: Stage, reason: str) -> InvalidTransition:
    return InvalidTransition(KIND, deal.id, deal.stage.value, target.value, reason)


def _reason(reason: object, path: str = "reason", *, required: bool) -> str:
    if not isinstance(reason, str):
        raise ValidationError.single(path, "invalid", "expected text")
    cleaned = reason.strip()
    if required and not cleaned:
        raise ValidationError.single(path, "required", "give a reason")
    if len(cleaned) > _MAX_PROBLEMS:
        raise ValidationError.single(path, "invalid", f"at most {_MAX_PROBLEMS} characters")
    return cleaned


@attrs.frozen
class DealRegistration:
    """A partner's registration of a deal with a prospect, and where it stands.

    The attributes other areas read are plain: :attr:`id` (the deal number,
    ``DR-2026-000123``), :attr:`partner_id`, :attr:`prospect_id`,
    :attr:`stage` (a :class:`Stage`) and :attr:`form` (the validated
    sections). Every change goes through a transition method that checks its
    guard and returns the new registration with an :class:`AuditEntry`
    appended, together with the domain event to record; the registration
    itself never changes. Business dates (deadlines) are the dates of the
    instants passed in, in their own time zone: services pass instants in
    the program's time zone.

    Guards raise :class:`~partnerkit.core.errors.InvalidTransition`; a
    missing reason or a naive ``at`` raises
    :class:`~partnerkit.core.errors.ValidationError`.
    """

    id: str
    partner_id: str
    prospect_id: str
    form: RegistrationForm
    stage: Stage
    registered_at: pendulum.DateTime
    review_due: date
    #: The furthest step of the main path reached (for the progress bar after a side exit).
    reached: Stage = Stage.OPPORTUNITY
    deadlines: Deadlines | None = None
    #: Other partners' active registrations for the same prospect when this one was made.
    conflicting: tuple[str, ...] = ()
    extensions: tuple[ExtensionRequest, ...] = ()
    closing_reason: str = ""
    audit: tuple[AuditEntry, ...] = ()
    version: int = 0

    # -- what other areas read -------------------------------------------------------------

    @property
    def number(self) -> str:
        """The human-readable deal number (the same as :attr:`id`)."""
        return self.id

    @property
    def prospect_name(self) -> str:
        """The prospect company's name as registered."""
        return self.form.company.name

    @property
    def domain(self) -> str:
        """The prospect's domain."""
        return self.form.company.domain

    @property
    def product(self) -> str:
        """The product registered (the quote is generated for it)."""
        return self.form.opportunity.product

    @property
    def users(self) -> int:
        """The number of users (licences) registered."""
        return self.form.opportunity.users

    @property
    def close_date(self) -> date:
        """The expected close date."""
        return self.form.opportunity.close_date

    @property
    def is_active(self) -> bool:
        """True while it holds or claims its prospect (opportunity, approved, order started)."""
        return self.stage in ACTIVE_STAGES

    @property
    def earns_reward_margin(self) -> bool:
        """True while quotes for the prospect earn the reward margin: approved or order started."""
        return self.stage is Stage.APPROVED or self.stage is Stage.ORDER_STARTED

    @property
    def flagged(self) -> bool:
        """True when another partner held an active registration for the prospect."""
        return bool(self.conflicting)

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        """The extension request awaiting the vendor's decision, if any."""
        if self.extensions and self.extensions[-1].status == "pending":
            return self.extensions[-1]
        return None

    def is_protected(self, day: date) -> bool:
        """Whether the registration is exclusive to its partner on ``day``."""
        return (
            self.deadlines is not None
            and self.stage in (Stage.APPROVED, Stage.ORDER_STARTED, Stage.ORDER_SUBMITTED)
            and day <= self.deadlines.protection_ends
        )

    def progress(self, locale: str | None = None) -> tuple[ProgressStep, ...]:
        """The four progress-bar steps with the current one marked (see :func:`progress`)."""
        return progress(self.stage, self.reached, locale)

    def due_expiry(self, day: date) -> str | None:
        """Why the registration expires on ``day``, or ``None`` if it does not (yet).

        An opportunity expires after its review date, an approved
        registration after its order-start date, a started order after its
        submission date.
        """
        stage = self.stage
        if stage is Stage.OPPORTUNITY:
            return "not reviewed in time" if day > self.review_due else None
        deadlines = self.deadlines
        if deadlines is None:
            return None
        if stage is Stage.APPROVED and day > deadlines.order_start_due:
            return "the order was not started in time"
        if stage is Stage.ORDER_STARTED and day > deadlines.order_submit_due:
            return "the order was not submitted in time"
        return None

    # -- transitions ------------------------------------------------------------------------

    def _move(
        self,
        action: str,
        target: Stage,
        actor: str,
        at: pendulum.DateTime,
        note: str = "",
        *,
        deadlines: Deadlines | None = None,
        reached: Stage | None = None,
        closing_reason: str | None = None,
        extensions: tuple[ExtensionRequest, ...] | None = None,
    ) -> DealRegistration:
        if self.audit and at < self.audit[-1].at:
            raise ValidationError.single("at", "out_of_range", "earlier than the last change")
        entry = AuditEntry(action, actor, at, self.stage, target, note)
        return DealRegistration(
            self.id,
            self.partner_id,
            self.prospect_id,
            self.form,
            target,
            self.registered_at,
            self.review_due,
            self.reached if reached is None else reached,
            self.deadlines if deadlines is None else deadlines,
            self.conflicting,
            self.extensions if extensions is None else extensions,
            self.closing_reason if closing_reason is None else closing_reason,
            (*self.audit, entry),
            self.version,
        )

    def approve(
        self, actor: str, at: pendulum.DateTime, policy: RegistrationPolicy | None = None
    ) -> tuple[DealRegistration, DealApproved]:
        """Approve an opportunity; set its deadlines from ``policy`` counted from ``at``'s date."""
        at = aware(at)
        if self.stage is not Stage.OPPORTUNITY:
            raise _refuse(self, Stage.APPROVED, "only an opportunity can be approved")
        policy = policy or _DEFAULT_POLICY
        day = _day(at)
        deadlines = Deadlines(
            _later(day, policy.order_start_days),
            _later(day, policy.order_submit_days),
            _later(day, policy.protection_days),
        )
        deal = self._move(
            "approve", Stage.APPROVED, actor, at, deadlines=deadlines, reached=Stage.APPROVED
        )
        return deal, DealApproved(
            self.id,
            self.partner_id,
            self.prospect_id,
            actor,
            at,
            self.stage,
            Stage.APPROVED,
            deadlines.order_start_due,
            deadlines.order_submit_due,
            deadlines.protection_ends,
            self.registered_at,
        )

    def decline(
        self, actor: str, at: pendulum.DateTime, reason: str
    ) -> tuple[DealRegistration, DealDeclined]:
        """Decline an opportunity, with a reason (required)."""
        return self._close(
            DealDeclined,
            "decline",
            (Stage.OPPORTUNITY,),
            Stage.DECLINED,
            actor,
            at,
            reason,
            "only an opportunity can be declined",
            required=True,
        )

    def start_order(self, actor: str, at: pendulum.DateTime) -> DealRegistration:
        """Follow the approved deal's order to ORDER_STARTED, on or before the order-start date.

        The order is the quoting area's: the deal-to-order process moves the
        registration in the order's commit, and the order's
        :class:`partnerkit.quoting.OrderStarted` (``moved_registration``) is
        the event of both. The audit trail records the step.
        """
        deadlines = self.deadlines
        return self._order_step(
            "start_order",
            Stage.APPROVED,
            Stage.ORDER_STARTED,
            actor,
            at,
            None if deadlines is None else deadlines.order_start_due,
            "only an approved deal can start an order",
            "the order was due to start by",
        )

    def submit_order(self, actor: str, at: pendulum.DateTime) -> DealRegistration:
        """Follow the submitted order to ORDER_SUBMITTED (won), on or before the submission date.

        As :meth:`start_order`: the order's
        :class:`partnerkit.quoting.OrderSubmitted` is the event of both.
        """
        deadlines = self.deadlines
        return self._order_step(
            "submit_order",
            Stage.ORDER_STARTED,
            Stage.ORDER_SUBMITTED,
            actor,
            at,
            None if deadlines is None else deadlines.order_submit_due,
            "only a started order can be submitted",
            "the order was due for submission by",
        )

    def _order_step(
        self,
        action: str,
        source: Stage,
        target: Stage,
        actor: str,
        at: pendulum.DateTime,
        due: date | None,
        refusal: str,
        late: str,
    ) -> DealRegistration:
        # A step of the main path after approval: only from ``source``, and on or before
        # ``due`` (when there are deadlines); ``late`` is the refusal after it.
        at = aware(at)
        if self.stage is not source:
            raise _refuse(self, target, refusal)
        if due is not None and _day(at) > due:
            raise _refuse(self, target, f"{late} {due}")
        return self._move(action, target, actor, at, reached=target)

    def expire(
        self, actor: str, at: pendulum.DateTime, reason: str
    ) -> tuple[DealRegistration, DealExpired]:
        """Close an active registration as expired (the sweep passes the reason it found)."""
        return self._close(
            DealExpired,
            "expire",
            ACTIVE_STAGES,
            Stage.EXPIRED,
            actor,
            at,
            reason,
            "only an active registration can expire",
            required=True,
        )

    def mark_lost(
        self, actor: str, at: pendulum.DateTime, reason: str = ""
    ) -> tuple[DealRegistration, DealLost]:
        """Close an approved deal or started order as lost (the event keeps its projected value)."""
        deal, event = self._close(
            DealLost,
            "mark_lost",
            (Stage.APPROVED, Stage.ORDER_STARTED),
            Stage.LOST,
            actor,
            at,
            reason,
            "only an approved deal or a started order can be lost",
            required=False,
        )
        return deal, attrs.evolve(event, projected_value=self.form.opportunity.projected_value)

    def withdraw(
        self, actor: str, at: pendulum.DateTime, reason: str = ""
    ) -> tuple[DealRegistration, DealWithdrawn]:
        """Withdraw an active registration."""
        return self._close(
            DealWithdrawn,
            "withdraw",
            ACTIVE_STAGES,
            Stage.WITHDRAWN,
            actor,
            at,
            reason,
            "only an active registration can be withdrawn",
            required=False,
        )

    def _close(
        self,
        event: type[_ClosingEvent],
        action: str,
        sources: Collection[Stage],
        target: Stage,
        actor: str,
        at: pendulum.DateTime,
        reason: str,
        refusal: str,
        *,
        required: bool,
    ) -> tuple[DealRegistration, _ClosingEvent]:
        # A side exit: the reason is checked before the stage, and it becomes the
        # closing reason, the audit note and the event's reason.
        at = aware(at)
        note = _reason(reason, required=required)
        if self.stage not in sources:
            raise _refuse(self, target, refusal)
        deal = self._move(action, target, actor, at, note, closing_reason=note)
        return deal, event(
            self.id, self.partner_id, self.prospect_id, actor, at, self.stage, target, note
        )

    def request_extension(
        self,
        actor: str,
        at: pendulum.DateTime,
        reason: str,
        policy: RegistrationPolicy | None = None,
    ) -> tuple[DealRegistration, ExtensionRequested]:
        """Ask for more time, with a reason (approved deals and started orders; once by default)."""
        at = aware(at)
        note = _reason(reason, required=True)
        policy = policy or _DEFAULT_POLICY
        if self.stage not in (Stage.APPROVED, Stage.ORDER_STARTED):
            raise _refuse(
                self, self.stage, "only approved deals and started orders can be extended"
            )
        if self.pending_extension is not None:
            raise _refuse(self, self.stage, "an extension request is already awaiting a decision")
        if len(self.extensions) >= policy.max_extensions:
            raise _refuse(self, self.stage, "no more extensions may be requested")
        request = ExtensionRequest(note, actor, at)
        deal = self._move(
            "request_extension",
            self.stage,
            actor,
            at,
            note,
            extensions=(*self.extensions, request),
        )
        return deal, ExtensionRequested(
            self.id, self.partner_id, self.prospect_id, actor, at, self.stage, self.stage, note
        )

    def decide_extension(
        self,
        actor: str,
        at: pendulum.DateTime,
        *,
        grant: bool,
        policy: RegistrationPolicy | None = None,
        note: str = "",
    ) -> tuple[DealRegistration, ExtensionDecided]:
        """Grant (deadlines move ``extension_days`` later) or refuse the pending extension."""
        at = aware(at)
        text = _reason(note, "note", required=False)
        policy = policy or _DEFAULT_POLICY
        pending = self.pending_extension
        if pending is None or self.stage not in (Stage.APPROVED, Stage.ORDER_STARTED):
            raise _refuse(self, self.stage, "no extension request is awaiting a decision")
        decided = attrs.evolve(
            pending, status="granted" if grant else "refused", decided_by=actor, decided_at=at
        )
        deadlines = self.deadlines
        if grant and deadlines is not None:
            deadlines = deadlines.extended(policy.extension_days)
        deal = self._move(
            "grant_extension" if grant else "refuse_extension",
            self.stage,
            actor,
            at,
            text,
            deadlines=deadlines,
            extensions=(*self.extensions[:-1], decided),
        )
        shown = deadlines if grant else None
        return deal, ExtensionDecided(
            self.id,
            self.partner_id,
            self.prospect_id,
            actor,
            at,
            self.stage,
            self.stage,
            grant,
            shown.order_start_due if shown else None,
            shown.order_submit_due if shown else None,
            shown.protection_ends if shown else None,
        )


def new_registration(
    number: str,
    partner_id: str,
    prospect: Prospect,
    form: RegistrationForm,
    actor: str,
    at: pendulum.DateTime,
    policy: RegistrationPolicy | None = None,
    *,
    prospect_created: bool = False,
    conflicting: tuple[str, ...] = (),
) -> tuple[DealRegistration, DealRegistered]:
    """A new registration in the opportunity stage, with its first audit entry and event.

    ``form`` must already be validated (:func:`validate_registration_form`);
    the review is due ``policy.review_days`` after ``at``'s date.
    ``conflicting`` names other partners' active registrations for the
    prospect (the registration is then flagged).
    """
    at = aware(at)
    policy = policy or _DEFAULT_POLICY
    entry = AuditEntry(
        "register",
        actor,
        at,
        None,
        Stage.OPPORTUNITY,
        "channel conflict with " + ", ".join(conflicting) if conflicting else "",
    )
    deal = DealRegistration(
        number,
        partner_id,
        prospect.id,
        form,
        Stage.OPPORTUNITY,
        at,
        _later(_day(at), policy.review_days),
        conflicting=conflicting,
        audit=(entry,),
    )
    return deal, DealRegistered(
        number,
        partner_id,
        prospect.id,
        actor,
        at,
        None,
        Stage.OPPORTUNITY,
        prospect.name,
        prospect_created,
        conflicting,
        form.opportunity.projected_value,
    )
