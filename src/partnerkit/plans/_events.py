"""The domain events of plans: what a host needs for its e-mails and feeds, without a reload."""

from __future__ import annotations

import attrs
import pendulum

from partnerkit.core import DomainEvent
from partnerkit.core._money import MetricValue
from partnerkit.plans._items import Side
from partnerkit.plans._status import PlanStatus

__all__ = [
    "ActualRecorded",
    "MilestoneHeld",
    "PlanAssigned",
    "PlanClosed",
    "PlanCommented",
    "PlanCompleted",
    "PlanEdited",
    "PlanEvent",
    "PlanReopened",
    "PlanShared",
    "PlanSignedOff",
    "PlanStarted",
    "TaskCompleted",
    "TaskReopened",
]


@attrs.frozen
class PlanEvent(DomainEvent):
    """Base of the plan events: which plan, whose, who acted (on which side), when, the status."""

    plan_id: str
    partner_id: str
    plan_name: str
    fiscal_year: int
    actor: str
    side: Side
    at: pendulum.DateTime
    from_status: PlanStatus | None
    to_status: PlanStatus


@attrs.frozen
class PlanAssigned(PlanEvent):
    """A template was assigned to a partner: a vendor-only draft plan exists."""

    template_id: str
    template_version: int


@attrs.frozen
class PlanEdited(PlanEvent):
    """The vendor changed a draft's content; ``what`` says how (``sections``, ``targets``...).

    ``signoffs_cleared`` when a side had signed off the content before: its
    signature no longer counts, and it signs again.
    """

    what: str
    signoffs_cleared: bool = False


@attrs.frozen
class PlanShared(PlanEvent):
    """The vendor shared the draft with the partner for review (the partner can see it now)."""


@attrs.frozen
class PlanCommented(PlanEvent):
    """Someone commented on the plan; a partner's ``proposal`` asks the vendor for a change."""

    text: str
    proposal: bool = False


@attrs.frozen
class PlanSignedOff(PlanEvent):
    """One side signed off the plan's revision; ``complete`` when both sides now have."""

    revision: int
    complete: bool


@attrs.frozen
class PlanStarted(PlanEvent):
    """A signed-off plan is in progress for its fiscal year."""


@attrs.frozen
class PlanCompleted(PlanEvent):
    """The plan was completed."""


@attrs.frozen
class PlanClosed(PlanEvent):
    """The plan was closed without being completed (the year ended), with a reason."""

    reason: str


@attrs.frozen
class PlanReopened(PlanEvent):
    """A signed-off plan was reopened as a new revision that needs a new sign-off."""

    revision: int
    reason: str


@attrs.frozen
class TaskCompleted(PlanEvent):
    """A checklist task was checked off."""

    task: str
    title: str


@attrs.frozen
class TaskReopened(PlanEvent):
    """A checked-off task was unchecked (audited like the check)."""

    task: str
    title: str


@attrs.frozen
class MilestoneHeld(PlanEvent):
    """A milestone (a kick-off, a quarterly review) was held, with notes."""

    milestone: str
    title: str
    notes: str


@attrs.frozen
class ActualRecorded(PlanEvent):
    """Someone entered the actual of a custom objective for a period."""

    objective: str
    period: str
    value: MetricValue
