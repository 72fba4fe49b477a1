"""A partner's plan for one fiscal year: made from a template, shared, signed off, worked on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import pendulum

from partnerkit.core import Money, aware
from partnerkit.core._money import MetricValue
from partnerkit.core._validation import ErrorCollector, as_tuple, check_tuple
from partnerkit.core.errors import (
    InvalidTransition,
    PermissionDenied,
    ValidationError,
    join_path,
)
from partnerkit.plans._events import (
    ActualRecorded,
    MilestoneHeld,
    PlanAssigned,
    PlanClosed,
    PlanCommented,
    PlanCompleted,
    PlanEdited,
    PlanReopened,
    PlanShared,
    PlanSignedOff,
    PlanStarted,
    TaskCompleted,
    TaskReopened,
)
from partnerkit.plans._items import (
    PERIODS,
    Milestone,
    Objective,
    ObjectiveKind,
    PeriodTarget,
    Section,
    Side,
    Task,
    check_sections,
)
from partnerkit.plans._status import (
    CONTENT_STATUSES,
    PLAN_TRANSITIONS,
    WORKING_STATUSES,
    PlanStatus,
)
from partnerkit.plans._template import PlanTemplate

__all__ = [
    "KIND",
    "CheckedTask",
    "Comment",
    "CustomActual",
    "HeldMilestone",
    "Plan",
    "PlanAuditEntry",
    "SignOff",
    "SignedRevision",
]

#: The kind of aggregate plans are, in errors and events.
KIND = "plan"

_NOTE_LIMIT = 2000


@attrs.frozen
class PlanAuditEntry:
    """One recorded step: what (``action``), who on which side, when, the status before and after.

    ``subject`` names the task, milestone or objective a step was about.
    """

    action: str
    actor: str
    side: Side
    at: pendulum.DateTime
    from_status: PlanStatus | None
    to_status: PlanStatus
    subject: str = ""
    note: str = ""


@attrs.frozen
class SignOff:
    """One side's sign-off of a revision: who and when."""

    side: Side
    actor: str
    at: pendulum.DateTime


@attrs.frozen
class SignedRevision:
    """The content of a revision as both sides signed it off: it never changes."""

    revision: int
    name: str
    purpose: str
    sections: tuple[Section, ...]
    signoffs: tuple[SignOff, ...]


@attrs.frozen
class CheckedTask:
    """A task checked off: by whom and when (unchecking removes it; the audit keeps both)."""

    task: str
    actor: str
    at: pendulum.DateTime


@attrs.frozen
class HeldMilestone:
    """A milestone held: by whom, when, with notes."""

    milestone: str
    actor: str
    at: pendulum.DateTime
    notes: str = ""


@attrs.frozen
class CustomActual:
    """A value entered for a custom objective and period; the latest entry counts."""

    objective: str
    period: str
    value: MetricValue
    actor: str
    at: pendulum.DateTime


@attrs.frozen
class Comment:
    """A comment on the plan; a partner's ``proposal`` asks the vendor to change something."""

    actor: str
    side: Side
    at: pendulum.DateTime
    text: str
    proposal: bool = False


def _note(value: object, path: str, *, required: bool, errors: ErrorCollector | None = None) -> str:
    """``value`` as a note's text; a problem is raised, or recorded in ``errors`` when given."""
    collector = ErrorCollector() if errors is None else errors
    cleaned = collector.text(value, path, required=required, limit=_NOTE_LIMIT, multiline=True)
    if errors is None:
        collector.raise_if_any()
    return cleaned


def _side(side: object) -> Side:
    try:
        return Side(side)
    except ValueError:
        raise ValidationError.single("side", "invalid_choice", "vendor or partner") from None


@attrs.frozen
class Plan:
    """A partner's plan for one fiscal year, made from a published template version.

    The content (:attr:`sections`) is the template version's, with the
    targets the vendor set for this partner (:attr:`overridden` names those
    objectives). Every step is a method that checks its guard and returns
    the new plan, with a :class:`PlanAuditEntry` appended, and the event to
    record; the plan itself never changes. Guards raise
    :class:`~partnerkit.core.errors.InvalidTransition`; bad arguments
    :class:`~partnerkit.core.errors.ValidationError`. Who may take a step
    (which side, which role) is the use cases' business, with one exception
    kept here because it belongs to the task: :meth:`check_task` refuses a
    role the task does not name (``PermissionDenied``).

    The content changes only while the plan is a draft or shared. When both
    sides have signed off, the revision's content is kept as a
    :class:`SignedRevision`; reopening makes the next revision (shared
    again, needing both sign-offs), and the signed one stays readable.
    """

    id: str
    partner_id: str
    template_id: str
    template_version: int
    name: str
    kind: str
    fiscal_year: int
    sections: tuple[Section, ...] = attrs.field(converter=as_tuple, validator=check_tuple)
    status: PlanStatus
    created_at: pendulum.DateTime
    purpose: str = ""
    revision: int = 1
    overridden: tuple[str, ...] = ()
    signoffs: tuple[SignOff, ...] = ()
    signed: tuple[SignedRevision, ...] = ()
    checked: tuple[CheckedTask, ...] = ()
    held: tuple[HeldMilestone, ...] = ()
    actuals: tuple[CustomActual, ...] = ()
    comments: tuple[Comment, ...] = ()
    audit: tuple[PlanAuditEntry, ...] = ()
    version: int = 0

    # -- making one ---------------------------------------------------------------------------

    @classmethod
    def assign(
        cls,
        template: PlanTemplate,
        *,
        id: str,
        partner_id: str,
        fiscal_year: int,
        actor: str,
        at: pendulum.DateTime,
        targets: Mapping[str, Iterable[PeriodTarget]] | None = None,
    ) -> tuple[Plan, PlanAssigned]:
        """A vendor-only draft for ``partner_id`` and ``fiscal_year`` from a published template.

        ``targets`` replaces the targets of objectives by key for this
        partner (recorded in :attr:`overridden`).
        """
        at = aware(at)
        errors = ErrorCollector()
        if not isinstance(template, PlanTemplate):
            raise ValidationError.single("template", "invalid", "expected a PlanTemplate")
        if not template.published:
            errors.add("template", "invalid", "only a published template version is assigned")
        for path, value in (("id", id), ("partner_id", partner_id)):
            if not isinstance(value, str) or not value:
                errors.add(path, "required", f"{path} is required")
        if isinstance(fiscal_year, bool) or not isinstance(fiscal_year, int):
            errors.add("fiscal_year", "invalid", "expected a fiscal year number")
        elif not 1 <= fiscal_year <= 9998:
            errors.add("fiscal_year", "out_of_range", "a fiscal year is 1 to 9998")
        sections = template.sections
        overridden: tuple[str, ...] = ()
        if targets:
            with errors.catch():
                sections, overridden = _with_targets(sections, targets, ())
        errors.raise_if_any()
        plan = cls(
            id=id,
            partner_id=partner_id,
            template_id=template.id,
            template_version=template.template_version,
            name=template.name,
            kind=template.kind,
            fiscal_year=fiscal_year,
            sections=sections,
            status=PlanStatus.DRAFT,
            created_at=at,
            purpose=template.purpose,
            overridden=overridden,
            # The first audit entry, as _logged writes it (made here: one plan built, not two).
            audit=(PlanAuditEntry("assign", actor, Side.VENDOR, at, None, PlanStatus.DRAFT),),
        )
        return plan, PlanAssigned(
            **plan._event_head(actor, Side.VENDOR, at, None),
            template_id=template.id,
            template_version=template.template_version,
        )

    # -- what other areas read ----------------------------------------------------------------

    @property
    def objectives(self) -> tuple[Objective, ...]:
        """Every objective, section by section."""
        return tuple(o for s in self.sections for o in s.objectives)

    @property
    def tasks(self) -> tuple[Task, ...]:
        """Every checklist task, section by section."""
        return tuple(t for s in self.sections for t in s.tasks)

    @property
    def milestones(self) -> tuple[Milestone, ...]:
        """Every milestone, section by section."""
        return tuple(m for s in self.sections for m in s.milestones)

    @property
    def visible_to_partner(self) -> bool:
        """Whether the partner may see the plan: every status but a vendor draft."""
        return self.status is not PlanStatus.DRAFT

    @property
    def signed_revision(self) -> SignedRevision | None:
        """The latest revision both sides signed off, or None."""
        return self.signed[-1] if self.signed else None

    def is_checked(self, task: str) -> bool:
        """Whether the task with key ``task`` is checked off."""
        return any(c.task == task for c in self.checked)

    def actual(self, objective: str, period: str) -> MetricValue | None:
        """The latest value entered for a custom objective and period, or None."""
        for entry in reversed(self.actuals):
            if entry.objective == objective and entry.period == period:
                return entry.value
        return None

    # -- content (draft or shared; vendor) ----------------------------------------------------

    def edit(
        self,
        actor: str,
        at: pendulum.DateTime,
        *,
        sections: Iterable[Section] | None = None,
        name: str | None = None,
        purpose: str | None = None,
    ) -> tuple[Plan, PlanEdited]:
        """Change the content of a draft or shared plan: sections, name, purpose."""
        at = aware(at)
        self._require_content("edit")
        errors = ErrorCollector()
        new_sections = self.sections
        if sections is not None:
            with errors.catch():
                new_sections = check_sections(as_tuple(sections))
        new_name = self.name if name is None else errors.text(name, "name", required=True)
        new_purpose = (
            self.purpose
            if purpose is None
            else errors.text(purpose, "purpose", required=False, limit=4000, multiline=True)
        )
        errors.raise_if_any()
        keys = {o.key for o in _objectives(new_sections)}
        changed = attrs.evolve(
            self,
            sections=new_sections,
            name=new_name,
            purpose=new_purpose,
            overridden=tuple(k for k in self.overridden if k in keys),
        )
        what = ",".join(
            n for n, v in (("sections", sections), ("name", name), ("purpose", purpose)) if v
        )
        return self._edited(changed, "edit", actor, at, what=what)

    def set_targets(
        self, objective: str, targets: Iterable[PeriodTarget], actor: str, at: pendulum.DateTime
    ) -> tuple[Plan, PlanEdited]:
        """Set this partner's targets of one objective (recorded as an override).

        An unknown ``objective`` is named at ``objective``, a bad target at
        ``targets.<i>`` (both at once).
        """
        at = aware(at)
        self._require_content("set_targets")
        sections, overridden = _with_targets(
            self.sections, {objective: targets}, self.overridden, single=True
        )
        changed = attrs.evolve(self, sections=sections, overridden=overridden)
        return self._edited(changed, "set_targets", actor, at, subject=objective, what="targets")

    def apply_template(
        self, template: PlanTemplate, actor: str, at: pendulum.DateTime
    ) -> tuple[Plan, PlanEdited]:
        """Bring a draft or shared plan to a newer published version of its template.

        Targets set for this partner are kept for the objectives the new
        version still has. A signed-off plan never changes this way.
        """
        at = aware(at)
        self._require_content("apply_template")
        errors = ErrorCollector()
        if not isinstance(template, PlanTemplate) or template.id != self.template_id:
            raise ValidationError.single("template", "invalid", "not this plan's template")
        if not template.published:
            errors.add("template", "invalid", "only a published template version is applied")
        if template.template_version <= self.template_version:
            errors.add(
                "template",
                "invalid",
                f"version {template.template_version} is not newer than {self.template_version}",
            )
        errors.raise_if_any()
        kept = {o.key: o.targets for o in self.objectives if o.key in self.overridden}
        dropped: list[str] = []
        sections = template.sections
        for key, targets in kept.items():
            # An override that no longer fits the new version's objective (gone, or another
            # kind or unit) is dropped and said so, rather than refusing the whole update.
            try:
                sections, _ = _with_targets(sections, {key: targets}, ())
            except ValidationError:
                dropped.append(key)
        overridden = tuple(k for k in kept if k not in dropped)
        changed = attrs.evolve(
            self,
            sections=sections,
            overridden=overridden,
            template_version=template.template_version,
            name=template.name,
            purpose=template.purpose,
            kind=template.kind,
        )
        note = f"version {template.template_version}"
        if dropped:
            note += f"; targets set for this partner dropped: {', '.join(dropped)}"
        return self._edited(changed, "apply_template", actor, at, note=note, what="template")

    def _edited(
        self,
        changed: Plan,
        action: str,
        actor: str,
        at: pendulum.DateTime,
        *,
        what: str,
        subject: str = "",
        note: str = "",
    ) -> tuple[Plan, PlanEdited]:
        """A content change: a signature given to the content before it no longer counts."""
        cleared = bool(changed.signoffs)
        if cleared:
            changed = attrs.evolve(changed, signoffs=())
            note = f"{note}; sign-offs cleared" if note else "sign-offs cleared"
        return self._step(
            changed,
            action,
            actor,
            Side.VENDOR,
            at,
            PlanEdited,
            subject=subject,
            note=note,
            what=what,
            signoffs_cleared=cleared,
        )

    # -- status -------------------------------------------------------------------------------

    def share(self, actor: str, at: pendulum.DateTime) -> tuple[Plan, PlanShared]:
        """Share a vendor draft with the partner for review."""
        return self._move("share", actor, Side.VENDOR, aware(at), PlanShared)

    def comment(
        self, actor: str, side: Side, text: str, at: pendulum.DateTime, *, proposal: bool = False
    ) -> tuple[Plan, PlanCommented]:
        """Add a comment; the partner comments once the plan is shared (proposals ask changes)."""
        at = aware(at)
        side = _side(side)
        cleaned = _note(text, "text", required=True)
        if self.status in (PlanStatus.COMPLETED, PlanStatus.CLOSED):
            raise self._refuse("comment", self.status, "the plan is finished")
        if side is Side.PARTNER and self.status is PlanStatus.DRAFT:
            raise self._refuse("comment", self.status, "the partner cannot see a draft")
        changed = attrs.evolve(
            self,
            comments=(*self.comments, Comment(actor, side, at, cleaned, bool(proposal))),
        )
        return self._step(
            changed,
            "comment",
            actor,
            side,
            at,
            PlanCommented,
            text=cleaned,
            proposal=bool(proposal),
        )

    def sign_off(self, actor: str, side: Side, at: pendulum.DateTime) -> tuple[Plan, PlanSignedOff]:
        """One side signs off the shared revision; the second signature freezes its content."""
        at = aware(at)
        side = _side(side)
        if self.status is not PlanStatus.SHARED:
            raise self._refuse(
                "sign_off", PlanStatus.SIGNED_OFF, "only a shared plan is signed off"
            )
        if any(s.side is side for s in self.signoffs):
            raise self._refuse(
                "sign_off", PlanStatus.SIGNED_OFF, f"the {side.value} signed off already"
            )
        signoffs = (*self.signoffs, SignOff(side, actor, at))
        complete = len({s.side for s in signoffs}) == 2
        changed = attrs.evolve(self, signoffs=signoffs)
        if complete:
            frozen = SignedRevision(self.revision, self.name, self.purpose, self.sections, signoffs)
            changed = attrs.evolve(
                changed, status=PlanStatus.SIGNED_OFF, signed=(*self.signed, frozen)
            )
        return self._step(
            changed,
            "sign_off",
            actor,
            side,
            at,
            PlanSignedOff,
            revision=self.revision,
            complete=complete,
        )

    def start(self, actor: str, at: pendulum.DateTime) -> tuple[Plan, PlanStarted]:
        """Put a signed-off plan in progress."""
        return self._move("start", actor, Side.VENDOR, aware(at), PlanStarted)

    def complete(self, actor: str, at: pendulum.DateTime) -> tuple[Plan, PlanCompleted]:
        """Mark a plan in progress completed."""
        return self._move("complete", actor, Side.VENDOR, aware(at), PlanCompleted)

    def close(self, actor: str, at: pendulum.DateTime, reason: str) -> tuple[Plan, PlanClosed]:
        """End a signed-off or running plan without completing it, with a reason."""
        cleaned = _note(reason, "reason", required=True)
        return self._move(
            "close", actor, Side.VENDOR, aware(at), PlanClosed, cleaned, reason=cleaned
        )

    def reopen(self, actor: str, at: pendulum.DateTime, reason: str) -> tuple[Plan, PlanReopened]:
        """Reopen a signed-off plan as the next revision: shared again, needing both sign-offs."""
        cleaned = _note(reason, "reason", required=True)
        at = aware(at)
        self._guard("reopen")
        changed = attrs.evolve(
            self, status=PlanStatus.SHARED, revision=self.revision + 1, signoffs=()
        )
        return self._step(
            changed,
            "reopen",
            actor,
            Side.VENDOR,
            at,
            PlanReopened,
            note=cleaned,
            revision=self.revision + 1,
            reason=cleaned,
        )

    # -- work ---------------------------------------------------------------------------------

    def check_task(
        self, task: str, actor: str, role: str, side: Side, at: pendulum.DateTime
    ) -> tuple[Plan, TaskCompleted]:
        """Check a task off as ``actor`` in ``role``; the task names the roles that may."""
        at = aware(at)
        found = self._task(task, role, actor, "check_task")
        if self.is_checked(task):
            raise self._refuse("check_task", self.status, f"task {task!r} is checked already")
        changed = attrs.evolve(self, checked=(*self.checked, CheckedTask(task, actor, at)))
        return self._step(
            changed,
            "check_task",
            actor,
            _side(side),
            at,
            TaskCompleted,
            subject=task,
            task=task,
            title=found.title,
        )

    def uncheck_task(
        self, task: str, actor: str, role: str, side: Side, at: pendulum.DateTime, reason: str = ""
    ) -> tuple[Plan, TaskReopened]:
        """Uncheck a checked-off task (audited, with an optional reason)."""
        at = aware(at)
        errors = ErrorCollector()
        cleaned = _note(reason, "reason", required=False, errors=errors)
        if not any(t.key == task for t in self.tasks):
            errors.add("task", "unknown", f"no task {task!r}")
        errors.raise_if_any()
        found = self._task(task, role, actor, "uncheck_task")
        if not self.is_checked(task):
            raise self._refuse("uncheck_task", self.status, f"task {task!r} is not checked")
        changed = attrs.evolve(self, checked=tuple(c for c in self.checked if c.task != task))
        return self._step(
            changed,
            "uncheck_task",
            actor,
            _side(side),
            at,
            TaskReopened,
            subject=task,
            note=cleaned,
            task=task,
            title=found.title,
        )

    def hold_milestone(
        self, milestone: str, actor: str, side: Side, at: pendulum.DateTime, notes: str = ""
    ) -> tuple[Plan, MilestoneHeld]:
        """Record that a milestone was held, with notes (again: the notes of a later meeting)."""
        at = aware(at)
        errors = ErrorCollector()
        cleaned = _note(notes, "notes", required=False, errors=errors)
        found = next((m for m in self.milestones if m.key == milestone), None)
        if found is None:
            errors.add("milestone", "unknown", f"no milestone {milestone!r}")
        errors.raise_if_any()
        assert found is not None
        if self.status not in WORKING_STATUSES:
            raise self._refuse("hold_milestone", self.status, "the plan is not being worked on")
        changed = attrs.evolve(
            self, held=(*self.held, HeldMilestone(milestone, actor, at, cleaned))
        )
        return self._step(
            changed,
            "hold_milestone",
            actor,
            _side(side),
            at,
            MilestoneHeld,
            subject=milestone,
            milestone=milestone,
            title=found.title,
            notes=cleaned,
        )

    def record_actual(
        self,
        objective: str,
        period: str,
        value: MetricValue,
        actor: str,
        side: Side,
        at: pendulum.DateTime,
    ) -> tuple[Plan, ActualRecorded]:
        """Enter the actual of a custom objective for a period (measured kinds refuse it)."""
        at = aware(at)
        found = next((o for o in self.objectives if o.key == objective), None)
        errors = ErrorCollector()
        if found is None:
            errors.add("objective", "unknown", f"no objective {objective!r}")
        elif found.kind is not ObjectiveKind.CUSTOM:
            errors.add("objective", "invalid", "a measured objective takes the program's data")
        if period not in PERIODS:
            errors.add("period", "invalid_choice", f"{period!r} is not one of {', '.join(PERIODS)}")
        with errors.catch():
            PeriodTarget(period if period in PERIODS else "year", value)
        if found is not None and isinstance(value, Money) != found.in_money:
            errors.add(
                "value",
                "invalid",
                "the targets are Money" if found.in_money else "the targets are counts",
            )
        elif found is not None and isinstance(value, Money):
            currencies = {t.value.currency for t in found.targets if isinstance(t.value, Money)}
            if currencies and value.currency not in currencies:
                errors.add("value", "invalid", f"the targets are in {', '.join(currencies)}")
        errors.raise_if_any()
        if self.status not in WORKING_STATUSES:
            raise self._refuse("record_actual", self.status, "the plan is not being worked on")
        changed = attrs.evolve(
            self,
            actuals=(*self.actuals, CustomActual(objective, period, value, actor, at)),
        )
        return self._step(
            changed,
            "record_actual",
            actor,
            _side(side),
            at,
            ActualRecorded,
            subject=objective,
            objective=objective,
            period=period,
            value=value,
        )

    # -- machinery ----------------------------------------------------------------------------

    def _task(self, task: str, role: str, actor: str, action: str) -> Task:
        found = next((t for t in self.tasks if t.key == task), None)
        if found is None:
            raise ValidationError.single("task", "unknown", f"no task {task!r}")
        if self.status not in WORKING_STATUSES:
            raise self._refuse(action, self.status, "the plan is not being worked on")
        if role not in found.check_roles:
            raise PermissionDenied(actor, "check_plan_items", f"task {task!r}", "role not named")
        return found

    def _require_content(self, action: str) -> None:
        if self.status not in CONTENT_STATUSES:
            raise self._refuse(action, self.status, "a signed-off plan's content is frozen")

    def _guard(self, action: str) -> PlanStatus:
        sources, target = PLAN_TRANSITIONS[action]
        if self.status not in sources:
            raise self._refuse(action, target, f"not from {self.status.value}")
        return target

    def _refuse(self, action: str, target: PlanStatus, reason: str) -> InvalidTransition:
        return InvalidTransition(
            KIND, self.id, self.status.value, target.value, f"{action}: {reason}"
        )

    def _event_head(
        self, actor: str, side: Side, at: pendulum.DateTime, from_status: PlanStatus | None
    ) -> dict[str, Any]:
        return {
            "plan_id": self.id,
            "partner_id": self.partner_id,
            "plan_name": self.name,
            "fiscal_year": self.fiscal_year,
            "actor": actor,
            "side": side,
            "at": at,
            "from_status": from_status,
            "to_status": self.status,
        }

    def _logged(
        self,
        action: str,
        actor: str,
        side: Side,
        at: pendulum.DateTime,
        from_status: PlanStatus | None,
        to_status: PlanStatus,
        subject: str = "",
        note: str = "",
    ) -> Plan:
        entry = PlanAuditEntry(action, actor, side, at, from_status, to_status, subject, note)
        return attrs.evolve(self, audit=(*self.audit, entry))

    def _step(
        self,
        changed: Plan,
        action: str,
        actor: str,
        side: Side,
        at: pendulum.DateTime,
        event: type[Any],
        *,
        subject: str = "",
        note: str = "",
        **fields: Any,
    ) -> tuple[Plan, Any]:
        if not isinstance(actor, str) or not actor:
            raise ValidationError.single("actor", "required", "who acts is required")
        logged = changed._logged(
            action, actor, side, at, self.status, changed.status, subject, note
        )
        return logged, event(**logged._event_head(actor, side, at, self.status), **fields)

    def _move(
        self,
        action: str,
        actor: str,
        side: Side,
        at: pendulum.DateTime,
        event: type[Any],
        note: str = "",
        **fields: Any,
    ) -> tuple[Plan, Any]:
        target = self._guard(action)
        return self._step(
            attrs.evolve(self, status=target), action, actor, side, at, event, note=note, **fields
        )


def _objectives(sections: Iterable[Section]) -> list[Objective]:
    return [o for s in sections for o in s.objectives]


def _with_targets(
    sections: tuple[Section, ...],
    targets: Mapping[str, Iterable[PeriodTarget]],
    overridden: tuple[str, ...],
    *,
    single: bool = False,
) -> tuple[tuple[Section, ...], tuple[str, ...]]:
    """``sections`` with the objectives named in ``targets`` given those targets.

    Every problem is named at once: an unknown objective at ``targets.<key>``
    and a bad target at ``targets.<key>.<i>`` (with ``single``, for one
    objective's targets: ``objective`` and ``targets.<i>``).
    """
    errors = ErrorCollector()
    keys = {o.key for o in _objectives(sections)}
    for key in targets:
        if key not in keys:
            where = "objective" if single else f"targets.{key}"
            errors.add(where, "unknown", f"no objective {key!r}")
    new_sections = []
    for section in sections:
        objectives = []
        for objective in section.objectives:
            if objective.key in targets:
                try:
                    objective = attrs.evolve(objective, targets=as_tuple(targets[objective.key]))
                except ValidationError as error:
                    # The objective's own paths (targets, targets.0.value) as the argument's.
                    under = "targets" if single else f"targets.{objective.key}"
                    for problem in error.errors:
                        rest = problem.path.removeprefix("targets").lstrip(".")
                        errors.add(join_path(under, rest), problem.code, problem.message)
            objectives.append(objective)
        new_sections.append(attrs.evolve(section, objectives=tuple(objectives)))
    errors.raise_if_any()
    marked = tuple(dict.fromkeys((*overridden, *targets)))
    return tuple(new_sections), marked
