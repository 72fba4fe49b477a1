"""Use cases for plan templates and partners' plans: write, publish, assign, sign off, track.

Every one has the shape ``name(uow, ctx, ...)`` and follows the rules of
:mod:`partnerkit.services`: one commit, all or nothing, "now" from the
context, a record the actor may not reach is ``NotFound``. A partner's user
never sees a vendor draft: a draft is ``NotFound`` to the partner side.

Which permission each step needs (see ``docs/plans.md``):

- ``create_plan_templates``: create, edit, rename a section of, publish,
  duplicate and import templates (program administrators: templates belong
  to the program, not to a partner);
- ``create_plans``: assign (one partner or a segment), push a template
  version, share, edit content and targets, start, complete, close, reopen;
  taken by vendor-side actors only;
- ``edit_plan``: comment and propose, record custom actuals;
- ``check_plan_items``: check and uncheck tasks (the task's own check roles
  apply too), hold milestones;
- ``sign_off_plans``: sign off for one's side (the side is the actor's);
- reading a plan: any of ``view_dashboard``, ``create_plans``,
  ``edit_plan``, ``sign_off_plans``, ``check_plan_items``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

import attrs
import pendulum

from partnerkit.core import DomainEvent, Money
from partnerkit.core._money import MetricValue
from partnerkit.core._validation import ErrorCollector, as_tuple, is_items
from partnerkit.core.errors import (
    Conflict,
    CurrencyMismatch,
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationError,
    join_path,
)
from partnerkit.partners import (
    CHECK_PLAN_ITEMS,
    CREATE_PLAN_TEMPLATES,
    CREATE_PLANS,
    EDIT_PLAN,
    SIGN_OFF_PLANS,
    VIEW_DASHBOARD,
    PartnerFilter,
)
from partnerkit.plans import (
    BUSINESS,
    OBJECTIVE_MEASURES,
    PERIODS,
    Objective,
    ObjectiveKind,
    PeriodTarget,
    Plan,
    PlanEvent,
    PlanProgress,
    PlanRow,
    PlanStatus,
    PlanTemplate,
    Section,
    Side,
    plan_progress,
    plan_rows,
)
from partnerkit.scoring import (
    BUILTIN_KPIS,
    Activity,
    EngagementModel,
    Kpi,
    Signal,
    Window,
    activity_row,
    score_ecosystem,
)
from partnerkit.services._context import (
    Context,
    load,
    narrowed,
    reading,
    require_program_wide,
    require_role,
    retrying_use_case,
    use_case,
)
from partnerkit.services._paging import every
from partnerkit.services._segments import partner_ids_in
from partnerkit.storage import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PARTNERS,
    PLAN_TEMPLATES,
    PLANS,
    AggregateSpec,
    IndexValue,
    Page,
    UnitOfWork,
)
from partnerkit.storage._plans import assignment_key

T = TypeVar("T")

__all__ = [
    "ALREADY_HAD",
    "ASSIGNED",
    "REFUSED",
    "YEAR_ENDED",
    "AssignmentEntry",
    "AssignmentReport",
    "ClosingReport",
    "PlanTemplateSaved",
    "PushReport",
    "TemplateImport",
    "assign_plan",
    "assign_plans",
    "check_plan_task",
    "close_ended_plans",
    "close_plan",
    "comment_on_plan",
    "company_plan_rows",
    "complete_plan",
    "create_template",
    "duplicate_template",
    "edit_plan",
    "edit_template",
    "get_plan",
    "get_template",
    "hold_plan_milestone",
    "import_program_templates",
    "list_plans",
    "list_templates",
    "plan_progress_of",
    "publish_template",
    "push_template_version",
    "record_plan_actual",
    "rename_template_section",
    "reopen_plan",
    "set_plan_targets",
    "share_plan",
    "sign_off_plan",
    "start_plan",
    "uncheck_plan_task",
]

#: An :class:`AssignmentEntry` outcome: the partner got a new draft plan.
ASSIGNED = "assigned"
#: An :class:`AssignmentEntry` outcome: the partner had a plan from the template for the year.
ALREADY_HAD = "already_had"
#: An :class:`AssignmentEntry` outcome: the partner's plan could not be made (``reason`` says why).
REFUSED = "refused"

#: Any of these lets a role read the plans it reaches.
_READ_PERMISSIONS = (VIEW_DASHBOARD, CREATE_PLANS, EDIT_PLAN, SIGN_OFF_PLANS, CHECK_PLAN_ITEMS)
_PENDING = "pending"
#: The key and title of an objective standing in for one a template would hold.
_STAND_IN = "objective"


# -- reports and events -------------------------------------------------------------------------


@attrs.frozen
class PlanTemplateSaved(DomainEvent):
    """A template was created, changed, published, duplicated or imported (``action`` says)."""

    template_id: str
    name: str
    template_version: int
    published: bool
    action: str
    actor: str
    at: pendulum.DateTime


@attrs.frozen
class AssignmentEntry:
    """What a bulk assignment did for one partner: ``outcome`` and the plan, or why not."""

    partner_id: str
    outcome: str
    plan_id: str | None = None
    reason: str = ""


@attrs.frozen
class AssignmentReport:
    """What :func:`assign_plans` did: one entry per partner of the segment, in id order."""

    template_id: str
    template_version: int
    fiscal_year: int
    entries: tuple[AssignmentEntry, ...]

    def of(self, outcome: str) -> tuple[str, ...]:
        """The partner ids with ``outcome`` (:data:`ASSIGNED`, :data:`ALREADY_HAD`, ...)."""
        return tuple(e.partner_id for e in self.entries if e.outcome == outcome)


@attrs.frozen
class ClosingReport:
    """What :func:`close_ended_plans` did: the plans closed, and how many it looked at.

    ``skipped`` are the plans someone else changed meanwhile; the next run
    closes them.
    """

    closed: tuple[str, ...]
    checked: int
    skipped: tuple[str, ...]


@attrs.frozen
class PushReport:
    """What :func:`push_template_version` did to the template's plans.

    ``updated`` now follow ``template_version``; ``current`` were at it
    already; ``untouched`` are signed off or later (a template edit never
    changes them).
    """

    template_id: str
    template_version: int
    updated: tuple[str, ...]
    current: tuple[str, ...]
    untouched: tuple[str, ...]


@attrs.frozen
class TemplateImport:
    """What :func:`import_program_templates` did: template ids added, republished, unchanged."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]


# -- helpers -----------------------------------------------------------------------------------


def _side(ctx: Context) -> Side:
    return Side.VENDOR if ctx.actor.vendor_side else Side.PARTNER


def _reader(ctx: Context) -> str:
    # The first plan permission the role holds; none at all is PermissionDenied (view_dashboard).
    pairs = ctx.permissions.pairs
    role = ctx.actor.role
    return next((p for p in _READ_PERMISSIONS if (role, p) in pairs), VIEW_DASHBOARD)


def _vendor(ctx: Context, permission: str) -> None:
    # Steps the domain records as the vendor's are taken by vendor-side actors only.
    require_role(ctx, permission)
    actor = ctx.actor
    if not actor.vendor_side:
        raise PermissionDenied(
            f"{actor.role} {actor.user_id!r}", permission, "plans", "the vendor takes this step"
        )


def _plan(uow: UnitOfWork, ctx: Context, plan_id: str, permission: str) -> Plan:
    plan = load(uow, ctx, PLANS, plan_id, permission)
    if not ctx.actor.vendor_side and not plan.visible_to_partner:
        raise NotFound("plan", plan_id)  # a vendor draft does not exist for the partner
    return plan


def _vendor_plan(uow: UnitOfWork, ctx: Context, plan_id: str) -> Plan:
    # A step the vendor takes on a plan: create_plans, vendor side, the plan reached.
    _vendor(ctx, CREATE_PLANS)
    return _plan(uow, ctx, plan_id, CREATE_PLANS)


def _save(uow: UnitOfWork, step: tuple[Plan, PlanEvent]) -> Plan:
    plan, event = step
    stored = uow.repository(PLANS).save(plan)
    uow.record(event)
    return stored


def _template(uow: UnitOfWork, ctx: Context, template_id: str, permission: str) -> PlanTemplate:
    require_program_wide(ctx, permission)
    found = uow.repository(PLAN_TEMPLATES).find(template_id)
    if found is None:
        raise NotFound("plan_template", template_id)
    return found


def _template_reader(ctx: Context) -> str:
    role = ctx.actor.role
    return (
        CREATE_PLAN_TEMPLATES
        if ctx.permissions.allows(role, CREATE_PLAN_TEMPLATES)
        else (CREATE_PLANS)
    )


def _saved(
    uow: UnitOfWork, ctx: Context, template: PlanTemplate, action: str, *, new: bool = False
) -> PlanTemplate:
    repository = uow.repository(PLAN_TEMPLATES)
    stored = repository.add(template) if new else repository.save(template)
    uow.record(
        PlanTemplateSaved(
            stored.id,
            stored.name,
            stored.template_version,
            stored.published,
            action,
            ctx.actor.user_id,
            ctx.now(),
        )
    )
    return stored


def _fiscal_year(ctx: Context, fiscal_year: int | None) -> int:
    if fiscal_year is None:
        return _current_year(ctx)
    if isinstance(fiscal_year, bool) or not isinstance(fiscal_year, int):
        raise ValidationError.single("fiscal_year", "invalid", "expected a fiscal year number")
    if not 1 <= fiscal_year <= 9998:
        raise ValidationError.single("fiscal_year", "out_of_range", "a fiscal year is 1 to 9998")
    return fiscal_year


def _current_year(ctx: Context) -> int:
    return ctx.program.fiscal.year_of(ctx.today()).year


def _year_arg(ctx: Context, fiscal_year: int | None, errors: ErrorCollector) -> int | None:
    """The fiscal year asked for (the current one by default), or None after recording why not."""
    with errors.catch():
        return _fiscal_year(ctx, fiscal_year)
    return None


def _items(value: object) -> object:
    """A list argument's items as a tuple (read once: it may be a generator); else ``value``."""
    return as_tuple(value) if is_items(value) else value


def _checked(errors: ErrorCollector, make: Callable[[], T]) -> T:
    """``make()``; its ValidationError and the problems already in ``errors`` raised as one."""
    try:
        made = make()
    except ValidationError as error:
        raise ValidationError((*errors.errors, *error.errors)) from None
    errors.raise_if_any()
    return made


def _in_currency(ctx: Context, targets: object, path: str, errors: ErrorCollector) -> None:
    """Record every Money target in another currency than the program's (progress compares).

    Only the PeriodTarget entries of a tuple are looked at: what is no list,
    or no PeriodTarget, is the domain's to name.
    """
    if not isinstance(targets, tuple):
        return
    for i, target in enumerate(targets):
        if (
            isinstance(target, PeriodTarget)
            and isinstance(target.value, Money)
            and target.value.currency != ctx.program.currency
        ):
            errors.add(
                f"{path}.{i}.value",
                "invalid",
                f"targets are in the program's currency, {ctx.program.currency}",
            )


def _sections_arg(
    ctx: Context, sections: object, errors: ErrorCollector, path: str = "sections"
) -> Any:
    """``sections`` read once, its Money targets in another currency than the program's recorded.

    The rest (a list of Section values with distinct keys) is checked where
    the sections are used, with the other arguments, so every problem is
    named at once.
    """
    found = _items(sections)
    if isinstance(found, tuple):
        for i, section in enumerate(found):
            if isinstance(section, Section):
                for k, objective in enumerate(section.objectives):
                    where = f"{path}.{i}.objectives.{k}.targets"
                    _in_currency(ctx, objective.targets, where, errors)
    return found


def _targets_arg(ctx: Context, targets: object, path: str, errors: ErrorCollector) -> Any:
    """One objective's targets read once, those in another currency than the program's recorded."""
    found = _items(targets)
    _in_currency(ctx, found, path, errors)
    return found


def _overrides_arg(
    ctx: Context, targets: object, errors: ErrorCollector, path: str = "targets"
) -> dict[str, Any] | None:
    """Objective key -> targets (read once, their currency checked), or None.

    Not a mapping: recorded at ``path``, and None.
    """
    if targets is None:
        return None
    if not isinstance(targets, Mapping):
        errors.add(path, "invalid", "expected objective key -> targets")
        return None
    return {
        str(key): _targets_arg(ctx, value, f"{path}.{key}", errors)
        for key, value in targets.items()
    }


def _plan_id(uow: UnitOfWork, fiscal_year: int) -> str:
    return f"PL-{fiscal_year}-{uow.sequences.next(f'plans_{fiscal_year}'):06d}"


def _existing(uow: UnitOfWork, partner_id: str, template_id: str, fiscal_year: int) -> Plan | None:
    key = assignment_key(partner_id, template_id, fiscal_year)
    found = uow.repository(PLANS).list({"assignment": key}, limit=1).items
    return found[0] if found else None


# -- templates ---------------------------------------------------------------------------------


@use_case
def create_template(
    uow: UnitOfWork,
    ctx: Context,
    name: str,
    *,
    kind: str = BUSINESS,
    purpose: str = "",
    sections: Iterable[Section] | None = None,
) -> PlanTemplate:
    """Store a new draft template (``TPL-000001``); without ``sections`` it has the defaults.

    Needs ``create_plan_templates`` on the program (program administrators).
    A bad name, kind, purpose or section is one ``ValidationError`` naming
    every field, before a number is taken.
    """
    require_program_wide(ctx, CREATE_PLAN_TEMPLATES)
    at = ctx.now()
    errors = ErrorCollector()
    extra: dict[str, Any] = (
        {} if sections is None else {"sections": _sections_arg(ctx, sections, errors)}
    )
    draft = _checked(
        errors,
        lambda: PlanTemplate(
            _PENDING,
            name,
            kind=kind,
            purpose=purpose,
            updated_by=ctx.actor.user_id,
            updated_at=at,
            **extra,
        ),
    )
    template = attrs.evolve(draft, id=f"TPL-{uow.sequences.next('plan_templates'):06d}")
    return _saved(uow, ctx, template, "create", new=True)


@use_case
def edit_template(
    uow: UnitOfWork,
    ctx: Context,
    template_id: str,
    *,
    name: str | None = None,
    purpose: str | None = None,
    kind: str | None = None,
    sections: Iterable[Section] | None = None,
) -> PlanTemplate:
    """Change a template; a published one becomes the next version, a draft until published.

    While that draft is written, the published version is kept beside it
    (:attr:`PlanTemplate.last_published <partnerkit.plans.PlanTemplate.last_published>`):
    :func:`assign_plan`, :func:`assign_plans` and :func:`push_template_version`
    go on using it until the draft is published. Plans keep the version they
    were made from; :func:`push_template_version` brings drafts and shared
    plans to a newer published version.
    """
    template = _template(uow, ctx, template_id, CREATE_PLAN_TEMPLATES)
    errors = ErrorCollector()
    given = None if sections is None else _sections_arg(ctx, sections, errors)
    changed = _checked(
        errors,
        lambda: template.edited(
            ctx.actor.user_id, ctx.now(), name=name, purpose=purpose, kind=kind, sections=given
        ),
    )
    return _saved(uow, ctx, changed, "edit")


@use_case
def rename_template_section(
    uow: UnitOfWork,
    ctx: Context,
    template_id: str,
    key: str,
    title: str,
    *,
    description: str | None = None,
) -> PlanTemplate:
    """Rename section ``key`` of a template (a new draft version if it was published)."""
    template = _template(uow, ctx, template_id, CREATE_PLAN_TEMPLATES)
    changed = template.rename_section(
        key, title, ctx.actor.user_id, ctx.now(), description=description
    )
    return _saved(uow, ctx, changed, "rename_section")


@use_case
def publish_template(uow: UnitOfWork, ctx: Context, template_id: str) -> PlanTemplate:
    """Publish a template's draft version: plans are made from it from now on."""
    template = _template(uow, ctx, template_id, CREATE_PLAN_TEMPLATES)
    return _saved(uow, ctx, template.published_by(ctx.actor.user_id, ctx.now()), "publish")


@use_case
def duplicate_template(uow: UnitOfWork, ctx: Context, template_id: str, name: str) -> PlanTemplate:
    """A new draft template named ``name`` with another one's content (no history)."""
    template = _template(uow, ctx, template_id, CREATE_PLAN_TEMPLATES)
    at = ctx.now()
    copy = template.duplicate(_PENDING, name, ctx.actor.user_id, at)
    copy = attrs.evolve(copy, id=f"TPL-{uow.sequences.next('plan_templates'):06d}")
    return _saved(uow, ctx, copy, "duplicate", new=True)


@reading
def get_template(uow: UnitOfWork, ctx: Context, template_id: str) -> PlanTemplate:
    """Read one template (``create_plan_templates`` or ``create_plans``, program-wide)."""
    return _template(uow, ctx, template_id, _template_reader(ctx))


@reading
def list_templates(
    uow: UnitOfWork,
    ctx: Context,
    *,
    kind: str | None = None,
    published: bool | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    cursor: str | None = None,
) -> Page[PlanTemplate]:
    """One page of templates, by id, filtered by ``kind`` and whether the latest is published.

    ``published`` looks at each template's latest version only: a published
    template being edited (its next version a draft) is listed with
    ``published=False``, although plans are still assigned from the version
    published before (its ``last_published``; :meth:`PlanTemplate.latest_published
    <partnerkit.plans.PlanTemplate.latest_published>` is not None). To offer
    every template that can be assigned, list them all and keep those.
    """
    require_program_wide(ctx, _template_reader(ctx))
    errors = ErrorCollector()
    if kind is not None and not isinstance(kind, str):
        errors.add("kind", "invalid", "expected a template kind")
    if published is not None and not isinstance(published, bool):
        errors.add("published", "invalid", "expected true, false or nothing")
    errors.raise_if_any()
    where: dict[str, IndexValue] = {}
    if kind is not None:
        where["kind"] = kind
    if published is not None:
        where["published"] = int(published)
    return uow.repository(PLAN_TEMPLATES).list(where, limit=limit, cursor=cursor)


def _same_content(left: PlanTemplate, right: PlanTemplate) -> bool:
    return (left.name, left.kind, left.purpose, left.sections) == (
        right.name,
        right.kind,
        right.purpose,
        right.sections,
    )


@use_case
def import_program_templates(uow: UnitOfWork, ctx: Context) -> TemplateImport:
    """Store the program file's templates (:attr:`Program.plan_templates`), published.

    Idempotent: a template stored with the same content is left alone; a
    changed one becomes the next published version (plans keep theirs).
    """
    require_program_wide(ctx, CREATE_PLAN_TEMPLATES)
    actor, at = ctx.actor.user_id, ctx.now()
    repository = uow.repository(PLAN_TEMPLATES)
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    for template in ctx.program.plan_templates:
        stored = repository.find(template.id)
        if stored is None:
            fresh = attrs.evolve(template, version=0, updated_by=actor, updated_at=at)
            if not fresh.published:
                fresh = fresh.published_by(actor, at)
            _saved(uow, ctx, fresh, "import", new=True)
            added.append(template.id)
        elif stored.published and _same_content(stored, template):
            unchanged.append(template.id)
        else:
            changed = stored.edited(
                actor,
                at,
                name=template.name,
                purpose=template.purpose,
                kind=template.kind,
                sections=template.sections,
            )
            _saved(uow, ctx, changed.published_by(actor, at), "import")
            updated.append(template.id)
    return TemplateImport(tuple(added), tuple(updated), tuple(unchanged))


# -- assignment --------------------------------------------------------------------------------


def _id_arg(
    spec: AggregateSpec[Any], value: object, path: str, errors: ErrorCollector
) -> str | None:
    """``value`` when it can be a record's id, or None after recording why not at ``path``.

    The argument's own name, not the storage's ``id``: ``partner_id``, ``template_id``.
    """
    try:
        return spec.check_id(value)
    except ValidationError as error:
        for problem in error.errors:
            errors.add(path, problem.code, problem.message)
        return None


def _published(
    uow: UnitOfWork, ctx: Context, template_id: object, errors: ErrorCollector
) -> PlanTemplate | None:
    """The template's latest published version (the one kept while an edit is a draft).

    A bad id, or a template never published, is recorded in ``errors`` at
    ``template_id`` (None returned), to be named with the other arguments; a
    template that does not exist is ``NotFound``.
    """
    require_role(ctx, CREATE_PLANS)
    checked = _id_arg(PLAN_TEMPLATES, template_id, "template_id", errors)
    if checked is None:
        return None
    found = uow.repository(PLAN_TEMPLATES).find(checked)
    if found is None:
        raise NotFound("plan_template", checked)
    latest = found.latest_published()
    if latest is None:
        errors.add(
            "template_id",
            "invalid",
            f"{checked!r} has no published version yet (version"
            f" {found.template_version} is a draft): publish it first",
        )
    return latest


def _shape_of_targets(targets: object, path: str, errors: ErrorCollector) -> None:
    """Record at ``path`` what is wrong with ``targets`` whatever objective they are for.

    Checked on a custom objective standing in (it takes counts and money
    alike): a list of PeriodTarget values with distinct periods.
    """
    try:
        Objective(_STAND_IN, _STAND_IN, ObjectiveKind.CUSTOM, targets)  # type: ignore[arg-type]
    except ValidationError as error:
        for problem in error.errors:
            if problem.path.split(".")[0] == "targets":
                rest = problem.path.removeprefix("targets").lstrip(".")
                errors.add(join_path(path, rest), problem.code, problem.message)


def _overrides_for(
    ctx: Context,
    template: PlanTemplate | None,
    partner_id: str,
    fiscal_year: int | None,
    targets: object,
    errors: ErrorCollector,
) -> dict[str, Any] | None:
    """One partner's target overrides, every problem with them recorded in ``errors``.

    Checked against the template before a plan number is taken (a bad fiscal
    year, recorded already, stands aside for the current one); without a
    template (a bad ``template_id``, recorded already), only their shape and
    currency are.
    """
    overrides = _overrides_arg(ctx, targets, errors)
    if overrides and template is None:
        for key, given in overrides.items():
            _shape_of_targets(given, f"targets.{key}", errors)
    elif overrides and template is not None:
        with errors.catch():
            Plan.assign(
                template,
                id=_PENDING,
                partner_id=partner_id,
                fiscal_year=_current_year(ctx) if fiscal_year is None else fiscal_year,
                actor=ctx.actor.user_id,
                at=ctx.now(),
                targets=overrides,
            )
    return overrides


def _assign(
    uow: UnitOfWork,
    ctx: Context,
    template: PlanTemplate,
    partner_id: str,
    fiscal_year: int,
    overrides: Mapping[str, Iterable[PeriodTarget]] | None,
) -> Plan:
    """Store the partner's new plan; ``overrides`` were checked (:func:`_overrides_for`)."""
    plan, event = Plan.assign(
        template,
        id=_plan_id(uow, fiscal_year),
        partner_id=partner_id,
        fiscal_year=fiscal_year,
        actor=ctx.actor.user_id,
        at=ctx.now(),
        targets=overrides,
    )
    stored = uow.repository(PLANS).add(plan)
    uow.record(event)
    return stored


def _lost_assignment(exc: Conflict) -> bool:
    # Another unit of work stored a plan first (the assignment index, or a plan number): look again.
    return exc.kind == PLANS.kind


@use_case
def assign_plan(
    uow: UnitOfWork,
    ctx: Context,
    template_id: str,
    partner_id: str,
    *,
    fiscal_year: int | None = None,
    targets: Mapping[str, Iterable[PeriodTarget]] | None = None,
) -> Plan:
    """Assign a template's latest published version to one partner: a vendor-only draft plan.

    While an edit of the template is a draft, that is the version published
    before it; a template never published is a ``ValidationError`` at
    ``template_id``.

    ``fiscal_year`` defaults to the program's current one; ``targets``
    replaces objectives' targets for this partner (by objective key). Every
    bad argument is named at once, at its own name (``partner_id``,
    ``template_id``, ``fiscal_year``, ``targets...``); a partner or template
    that does not exist (or that the actor does not reach) is ``NotFound``.
    Needs ``create_plans`` on the partner (a vendor-side actor). A partner that
    already has a plan from the template for the year is a ``Conflict``
    (field ``assignment``). The plan's number is ``PL-<year>-000001``.
    """
    _vendor(ctx, CREATE_PLANS)
    errors = ErrorCollector()
    year = _year_arg(ctx, fiscal_year, errors)
    checked = _id_arg(PARTNERS, partner_id, "partner_id", errors)
    partner = None if checked is None else load(uow, ctx, PARTNERS, checked, CREATE_PLANS)
    template = _published(uow, ctx, template_id, errors)
    overrides = _overrides_for(
        ctx, template, _PENDING if partner is None else partner.id, year, targets, errors
    )
    errors.raise_if_any()
    assert year is not None
    assert partner is not None
    assert template is not None
    held = _existing(uow, partner.id, template.id, year)
    if held is not None:
        raise Conflict(
            PLANS.kind,
            held.id,
            f"partner {partner.id!r} has a plan from {template.id!r} for {year}",
            field="assignment",
        )
    return _assign(uow, ctx, template, partner.id, year, overrides)


@retrying_use_case(_lost_assignment)
def assign_plans(
    uow: UnitOfWork,
    ctx: Context,
    template_id: str,
    segment: PartnerFilter,
    *,
    fiscal_year: int | None = None,
    targets: Mapping[str, Mapping[str, Iterable[PeriodTarget]]] | None = None,
) -> AssignmentReport:
    """Assign a template to every partner in ``segment`` for one fiscal year; report each.

    The template's latest published version is assigned (as by
    :func:`assign_plan`), and the report names its number. Idempotent: a
    partner that already has a plan from the template for the year is
    reported :data:`ALREADY_HAD`, not given a second one. ``targets`` holds
    per-partner overrides (partner id -> objective key -> targets); a
    partner whose overrides do not fit is :data:`REFUSED` with the reason
    (every bad override named), the others are assigned; overrides for a
    partner outside the segment are a ``ValidationError`` at
    ``targets.<partner id>``. Two bulk assignments that race leave one plan
    per partner: the unique ``assignment`` index refuses the second, which
    then reads again and reports the first one's plans. A bad
    ``template_id`` (or one never published), ``segment``, ``fiscal_year``
    and ``targets`` are named together. Needs ``create_plans``; an account
    manager assigns to the partners they manage.
    """
    _vendor(ctx, CREATE_PLANS)
    errors = ErrorCollector()
    if not isinstance(segment, PartnerFilter):
        errors.add("segment", "invalid", "expected a PartnerFilter")
    if targets is not None and not isinstance(targets, Mapping):
        errors.add("targets", "invalid", "expected partner id -> objective key -> targets")
    year = _year_arg(ctx, fiscal_year, errors)
    template = _published(uow, ctx, template_id, errors)
    errors.raise_if_any()
    assert year is not None
    assert template is not None
    overrides = dict(targets or {})
    # Only the ids are needed: a segment of indexed filters is read without its partners.
    partner_ids = partner_ids_in(uow, ctx, segment, CREATE_PLANS)
    outside = sorted(set(overrides) - set(partner_ids))
    if outside:
        raise ValidationError(
            FieldError(f"targets.{key}", "unknown", "no partner of the segment has this id")
            for key in outside
        )
    held = {
        p.partner_id: p.id
        for p in every(
            uow.repository(PLANS),
            {"template_id": template.id, "fiscal_year": year},
            limit=MAX_PAGE_SIZE,
        )
    }
    entries = []
    for partner_id in partner_ids:
        if partner_id in held:
            entries.append(AssignmentEntry(partner_id, ALREADY_HAD, held[partner_id]))
            continue
        checked = None
        if partner_id in overrides:
            problems = ErrorCollector()
            checked = _overrides_for(
                ctx, template, partner_id, year, overrides[partner_id], problems
            )
            if problems:
                reason = str(ValidationError(problems.errors))
                entries.append(AssignmentEntry(partner_id, REFUSED, None, reason))
                continue
        plan = _assign(uow, ctx, template, partner_id, year, checked)
        entries.append(AssignmentEntry(partner_id, ASSIGNED, plan.id))
    return AssignmentReport(template.id, template.template_version, year, tuple(entries))


@use_case
def push_template_version(uow: UnitOfWork, ctx: Context, template_id: str) -> PushReport:
    """Bring the template's draft and shared plans to its latest published version.

    A version still a draft is not pushed: the one published before it is.

    Targets set for a partner are kept for the objectives the version still
    has. Plans signed off (or further) are never changed. Needs
    ``create_plans``; an account manager reaches the plans of their partners.
    """
    _vendor(ctx, CREATE_PLANS)
    errors = ErrorCollector()
    template = _published(uow, ctx, template_id, errors)
    errors.raise_if_any()
    assert template is not None
    reach = narrowed(ctx, CREATE_PLANS, None)
    where: dict[str, IndexValue | Sequence[IndexValue]] = {"template_id": template.id}
    if reach is not None:
        where["partner_id"] = reach
    plans = list(every(uow.repository(PLANS), where, limit=MAX_PAGE_SIZE))
    actor, at = ctx.actor.user_id, ctx.now()
    updated: list[str] = []
    current: list[str] = []
    untouched: list[str] = []
    for plan in plans:
        if plan.status not in (PlanStatus.DRAFT, PlanStatus.SHARED):
            untouched.append(plan.id)
        elif plan.template_version >= template.template_version:
            current.append(plan.id)
        else:
            _save(uow, plan.apply_template(template, actor, at))
            updated.append(plan.id)
    return PushReport(
        template.id, template.template_version, tuple(updated), tuple(current), tuple(untouched)
    )


# -- a plan's steps ----------------------------------------------------------------------------


@use_case
def share_plan(uow: UnitOfWork, ctx: Context, plan_id: str) -> Plan:
    """Share a draft with its partner for review (``create_plans``; the partner sees it now)."""
    plan = _vendor_plan(uow, ctx, plan_id)
    return _save(uow, plan.share(ctx.actor.user_id, ctx.now()))


@use_case
def edit_plan(
    uow: UnitOfWork,
    ctx: Context,
    plan_id: str,
    *,
    sections: Iterable[Section] | None = None,
    name: str | None = None,
    purpose: str | None = None,
) -> Plan:
    """Change a draft or shared plan's content (``create_plans``; signed-off content is frozen)."""
    plan = _vendor_plan(uow, ctx, plan_id)
    errors = ErrorCollector()
    given = None if sections is None else _sections_arg(ctx, sections, errors)
    step = _checked(
        errors,
        lambda: plan.edit(ctx.actor.user_id, ctx.now(), sections=given, name=name, purpose=purpose),
    )
    return _save(uow, step)


@use_case
def set_plan_targets(
    uow: UnitOfWork,
    ctx: Context,
    plan_id: str,
    objective: str,
    targets: Iterable[PeriodTarget],
) -> Plan:
    """Set this partner's targets of one objective of a draft or shared plan (``create_plans``)."""
    plan = _vendor_plan(uow, ctx, plan_id)
    errors = ErrorCollector()
    given = _targets_arg(ctx, targets, "targets", errors)
    step = _checked(
        errors, lambda: plan.set_targets(objective, given, ctx.actor.user_id, ctx.now())
    )
    return _save(uow, step)


@use_case
def comment_on_plan(
    uow: UnitOfWork, ctx: Context, plan_id: str, text: str, *, proposal: bool = False
) -> Plan:
    """Comment on a plan (``edit_plan``); a partner's ``proposal`` asks the vendor for a change."""
    plan = _plan(uow, ctx, plan_id, EDIT_PLAN)
    return _save(
        uow, plan.comment(ctx.actor.user_id, _side(ctx), text, ctx.now(), proposal=proposal)
    )


@use_case
def sign_off_plan(uow: UnitOfWork, ctx: Context, plan_id: str) -> Plan:
    """Sign a shared plan off for the actor's side (``sign_off_plans``).

    Partner-side roles sign as the partner, vendor roles as the vendor; the
    second side's signature freezes the revision's content.
    """
    plan = _plan(uow, ctx, plan_id, SIGN_OFF_PLANS)
    return _save(uow, plan.sign_off(ctx.actor.user_id, _side(ctx), ctx.now()))


@use_case
def start_plan(uow: UnitOfWork, ctx: Context, plan_id: str) -> Plan:
    """Put a signed-off plan in progress (``create_plans``)."""
    plan = _vendor_plan(uow, ctx, plan_id)
    return _save(uow, plan.start(ctx.actor.user_id, ctx.now()))


@use_case
def complete_plan(uow: UnitOfWork, ctx: Context, plan_id: str) -> Plan:
    """Mark a plan in progress completed (``create_plans``)."""
    plan = _vendor_plan(uow, ctx, plan_id)
    return _save(uow, plan.complete(ctx.actor.user_id, ctx.now()))


@use_case
def close_plan(uow: UnitOfWork, ctx: Context, plan_id: str, reason: str) -> Plan:
    """End a signed-off or running plan without completing it, with a reason (``create_plans``)."""
    plan = _vendor_plan(uow, ctx, plan_id)
    return _save(uow, plan.close(ctx.actor.user_id, ctx.now(), reason))


#: The reason :func:`close_ended_plans` gives the plans it closes.
YEAR_ENDED = "its fiscal year ended"


@use_case
def close_ended_plans(uow: UnitOfWork, ctx: Context) -> ClosingReport:
    """Close every plan whose fiscal year has ended and that is neither completed nor closed.

    A plan is completed by the vendor's decision (:func:`complete_plan`);
    what is still open when its year is over is closed, with the reason
    :data:`YEAR_ENDED`, in one commit. Run by a scheduler with
    :meth:`Context.system <partnerkit.services.Context.system>` or by a
    program administrator (``create_plans`` program-wide). The fiscal year is
    the program's, in its time zone.
    """
    require_program_wide(ctx, CREATE_PLANS)
    at = ctx.now()
    current = ctx.program.fiscal.year_of(ctx.today()).year
    still_open = [s.value for s in PlanStatus if s not in _FINISHED]
    candidates = [
        plan
        for plan in every(uow.repository(PLANS), {"status": still_open}, limit=MAX_PAGE_SIZE)
        if plan.fiscal_year < current
    ]
    closed: list[str] = []
    skipped: list[str] = []
    for plan in sorted(candidates, key=lambda p: p.id):
        try:
            _save(uow, plan.close(ctx.actor.user_id, at, YEAR_ENDED))
        except Conflict as exc:
            if exc.kind != PLANS.kind or exc.expected_version is None:
                raise  # not a stale plan: a lock timeout, say
            skipped.append(plan.id)  # changed meanwhile; a failed save writes nothing
            continue
        closed.append(plan.id)
    return ClosingReport(tuple(closed), len(candidates), tuple(skipped))


_FINISHED = frozenset({PlanStatus.COMPLETED, PlanStatus.CLOSED})


@use_case
def reopen_plan(uow: UnitOfWork, ctx: Context, plan_id: str, reason: str) -> Plan:
    """Reopen a signed-off plan as a new revision needing both sign-offs (``create_plans``)."""
    plan = _vendor_plan(uow, ctx, plan_id)
    return _save(uow, plan.reopen(ctx.actor.user_id, ctx.now(), reason))


@use_case
def check_plan_task(uow: UnitOfWork, ctx: Context, plan_id: str, task: str) -> Plan:
    """Check a task off (``check_plan_items``, and the actor's role among the task's roles)."""
    plan = _plan(uow, ctx, plan_id, CHECK_PLAN_ITEMS)
    actor = ctx.actor
    return _save(uow, plan.check_task(task, actor.user_id, actor.role, _side(ctx), ctx.now()))


@use_case
def uncheck_plan_task(
    uow: UnitOfWork, ctx: Context, plan_id: str, task: str, *, reason: str = ""
) -> Plan:
    """Uncheck a checked-off task, audited with an optional reason (as :func:`check_plan_task`)."""
    plan = _plan(uow, ctx, plan_id, CHECK_PLAN_ITEMS)
    actor = ctx.actor
    step = plan.uncheck_task(task, actor.user_id, actor.role, _side(ctx), ctx.now(), reason)
    return _save(uow, step)


@use_case
def hold_plan_milestone(
    uow: UnitOfWork, ctx: Context, plan_id: str, milestone: str, *, notes: str = ""
) -> Plan:
    """Record that a milestone was held, with notes (``check_plan_items``)."""
    plan = _plan(uow, ctx, plan_id, CHECK_PLAN_ITEMS)
    step = plan.hold_milestone(milestone, ctx.actor.user_id, _side(ctx), ctx.now(), notes)
    return _save(uow, step)


@use_case
def record_plan_actual(
    uow: UnitOfWork,
    ctx: Context,
    plan_id: str,
    objective: str,
    period: str,
    value: MetricValue,
) -> Plan:
    """Enter the actual of a custom objective for a period (``edit_plan``)."""
    plan = _plan(uow, ctx, plan_id, EDIT_PLAN)
    step = plan.record_actual(objective, period, value, ctx.actor.user_id, _side(ctx), ctx.now())
    return _save(uow, step)


# -- reading -----------------------------------------------------------------------------------


@reading
def get_plan(uow: UnitOfWork, ctx: Context, plan_id: str) -> Plan:
    """Read one plan: the partner side its own (never a draft), the vendor what it reaches."""
    return _plan(uow, ctx, plan_id, _reader(ctx))


_PARTNER_STATUSES = tuple(s.value for s in PlanStatus if s is not PlanStatus.DRAFT)


def _statuses(
    status: PlanStatus | str | Iterable[PlanStatus | str] | None, errors: ErrorCollector
) -> list[str] | None:
    """The statuses asked for, as values; every unknown one recorded in ``errors``."""
    if status is None:
        return None
    if not isinstance(status, (str, PlanStatus, Iterable)):
        errors.add("status", "invalid", "expected a plan status or several")
        return None
    values = [status] if isinstance(status, (str, PlanStatus)) else list(status)
    chosen = []
    for i, value in enumerate(values):
        try:
            chosen.append(PlanStatus(value).value)
        except ValueError:
            path = "status" if isinstance(status, (str, PlanStatus)) else f"status.{i}"
            errors.add(path, "invalid_choice", f"{value!r} is no plan status")
    return chosen


@reading
def list_plans(
    uow: UnitOfWork,
    ctx: Context,
    *,
    partner_id: str | None = None,
    status: PlanStatus | str | Iterable[PlanStatus | str] | None = None,
    fiscal_year: int | None = None,
    template_id: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    cursor: str | None = None,
) -> Page[Plan]:
    """One page of the plans the actor may see, by id, filtered in storage.

    A partner's user sees its own partner's plans and never a draft; an
    account manager the plans of the partners they manage; a program
    administrator all. ``status`` is one status or several; ``fiscal_year``
    and ``template_id`` narrow further. Pass ``next_cursor`` back for the
    next page.
    """
    reach = narrowed(ctx, _reader(ctx), partner_id)
    errors = ErrorCollector()
    statuses = _statuses(status, errors)
    year = None if fiscal_year is None else _year_arg(ctx, fiscal_year, errors)
    errors.raise_if_any()
    where: dict[str, IndexValue | Sequence[IndexValue]] = {}
    if reach is not None:
        if not reach:
            return Page((), None)
        where["partner_id"] = reach
    if not ctx.actor.vendor_side:
        wanted = _PARTNER_STATUSES if statuses is None else statuses
        statuses = [s for s in wanted if s in _PARTNER_STATUSES]
        if not statuses:
            return Page((), None)
    if statuses is not None:
        where["status"] = statuses
    if year is not None:
        where["fiscal_year"] = year
    if template_id is not None:
        where["template_id"] = template_id
    return uow.repository(PLANS).list(where, limit=limit, cursor=cursor)


def _periods(year: Any, today: date) -> list[tuple[str, str, date]]:
    """(period, window kind, as of) for every period of ``year`` begun by ``today``."""
    found = []
    if today >= year.start:
        found.append(("year", "ytd", min(today, year.end)))
    for period, quarter in zip(PERIODS[1:], year.quarters, strict=True):
        if today >= quarter.start:
            found.append((period, "qtd", min(today, quarter.end)))
    return found


def _activities(value: object) -> list[Activity]:
    """The activities given, as a list; every entry that is no Activity named at once."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValidationError.single("activities", "invalid", "expected activities")
    rows = list(value)
    errors = ErrorCollector()
    for i, row in enumerate(rows):
        if not isinstance(row, Activity):
            errors.add(f"activities.{i}", "invalid", "expected an Activity")
    errors.raise_if_any()
    return rows


#: The scoring area's ``certified_users`` KPI, as partnerkit defines it.
_CERTIFIED_USERS_KPI = next(k for k in BUILTIN_KPIS if k.name == "certified_users")


def _certification_window(model: EngagementModel) -> Window:
    """How long a certification stays current: the window of the ``certified_users`` KPI.

    The KPI of that name in ``model`` (a program's scoring model) when it
    measures ``certified_users``, else partnerkit's own (the trailing 730
    days), so a plan's certified-users objective counts the users the
    dashboard and the scores count: those who earned a certification in
    that window before the measuring day.

    >>> from partnerkit.scoring import DEFAULT_ENGAGEMENT_MODEL
    >>> _certification_window(DEFAULT_ENGAGEMENT_MODEL).label
    'trailing_730d'
    """
    for kpi in model.kpis:
        if kpi.name == _CERTIFIED_USERS_KPI.name and kpi.measure == _CERTIFIED_USERS_KPI.measure:
            return kpi.window
    return _CERTIFIED_USERS_KPI.window


def _measured(
    ctx: Context,
    plans: Sequence[Plan],
    activities: Sequence[Activity],
    periods: Collection[str] = PERIODS,
) -> dict[str, dict[tuple[str, str], MetricValue]]:
    """Each plan's measured actuals, by plan id: (objective key, period) -> value.

    One scoring pass (:func:`~partnerkit.scoring.score_ecosystem`) per fiscal
    year, period and split over the plans' partners' activities: the year to
    date and each quarter to date (to the quarter's end once it is over),
    with the KPI :data:`~partnerkit.plans.OBJECTIVE_MEASURES` gives each kind.
    Certified users are a level, not a sum: the users holding a current
    certification on the period's last day (or today), as the scoring
    area's ``certified_users`` KPI counts them (:func:`_certification_window`).
    ``periods`` names the periods wanted (a caller reading only the year's
    figures skips the quarters' passes).
    """
    calendar = ctx.program.fiscal
    today = ctx.today()
    certified = _certification_window(ctx.program.scoring)
    result: dict[str, dict[tuple[str, str], MetricValue]] = {p.id: {} for p in plans}
    partners = sorted({p.partner_id for p in plans})
    wanted = set(partners)
    tz, currency = ctx.program.timezone, ctx.program.currency
    # Each activity is turned into the scoring engine's row once, for every pass; the
    # activities kept beside (not paired with) their rows, for the splits.
    rows: list[Any] = []
    kept: list[Activity] = []
    errors = ErrorCollector()
    for i, activity in enumerate(activities):
        if activity.partner_id not in wanted:
            continue
        try:
            rows.append(activity_row(activity, tz, currency))
            kept.append(activity)
        except CurrencyMismatch:
            errors.add(f"activities.{i}.amount", "invalid", f"amounts are in {currency}")
    errors.raise_if_any()
    by_year: dict[int, list[Plan]] = {}
    for plan in plans:
        by_year.setdefault(plan.fiscal_year, []).append(plan)
    for number, year_plans in sorted(by_year.items()):
        # Objectives grouped by split: a split counts only the activities carrying its value.
        groups: dict[tuple[str, str] | None, list[tuple[Plan, Any]]] = {}
        # The plans of one template version share their sections: their objectives, once.
        objectives_of: dict[int, tuple[tuple[Section, ...], tuple[Objective, ...]]] = {}
        for plan in year_plans:
            held = objectives_of.get(id(plan.sections))
            if held is None or held[0] is not plan.sections:
                held = objectives_of[id(plan.sections)] = (plan.sections, plan.objectives)
            for objective in held[1]:
                if not objective.measured:
                    continue
                split = objective.split
                key = (
                    None
                    if split is None or split.dimension == "time"
                    else (split.dimension, split.value)
                )
                groups.setdefault(key, []).append((plan, objective))
        for period, window, as_of in _periods(calendar.year(number), today):
            if period not in periods:
                continue
            for split_key, pairs in groups.items():
                kinds = sorted({o.kind for _, o in pairs}, key=lambda k: k.value)
                kpis = [
                    Kpi(
                        f"{k.value}_{period}",
                        OBJECTIVE_MEASURES[k][0],
                        certified if k is ObjectiveKind.CERTIFIED_USERS else Window(window),
                        kinds=OBJECTIVE_MEASURES[k][1],
                    )
                    for k in kinds
                ]
                kpis.append(Kpi("plan_activities", "count", Window(window)))
                model = EngagementModel(
                    signals=(Signal("plan", "plan_activities", 1, "log"),), kpis=tuple(kpis)
                )
                selected = (
                    rows
                    if split_key is None
                    else [
                        row
                        for activity, row in zip(kept, rows, strict=True)
                        if activity.attributes.get(split_key[0]) == split_key[1]
                    ]
                )
                values = score_ecosystem(
                    selected,
                    calendar=calendar,
                    as_of=as_of,
                    currency=currency,
                    model=model,
                    partners=partners,
                    tz=tz,
                ).values
                # One column per kind, read once (not one isolated read per plan).
                columns = {k: values.column(f"{k.value}_{period}") for k in kinds}
                position = values.index
                for plan, objective in pairs:
                    value = columns[objective.kind][position[plan.partner_id]]
                    if value is not None:
                        result[plan.id][(objective.key, period)] = value
    return result


@reading
def plan_progress_of(
    uow: UnitOfWork, ctx: Context, plan_id: str, activities: Iterable[Activity] = ()
) -> PlanProgress:
    """Where a plan stands today, its measured objectives computed from ``activities``.

    ``activities`` are the scoring activities of the program (any partner's:
    only the plan's partner's count), e.g. from an
    :class:`~partnerkit.storage.ActivityStore`. Each measured objective is
    counted with the KPI :data:`~partnerkit.plans.OBJECTIVE_MEASURES` names,
    for the fiscal year to date and for each quarter begun (to its end once
    over); an objective split by product, region or account counts only the
    activities whose attribute of that name holds the split's value. Custom
    objectives take the values entered on the plan. Read as :func:`get_plan`.
    """
    plan = _plan(uow, ctx, plan_id, _reader(ctx))
    rows = _activities(activities)
    measured = _measured(ctx, [plan], rows)
    return plan_progress(plan, ctx.program.fiscal, ctx.today(), measured[plan.id])


@reading
def company_plan_rows(
    uow: UnitOfWork, ctx: Context, activities: Iterable[Activity] = ()
) -> list[PlanRow]:
    """The companies table's plan columns: every reached partner's current plan, today.

    Vendor side only (``view_dashboard``, or another plan permission); an
    account manager gets the partners they manage. Measured objectives are
    computed from ``activities`` as in :func:`plan_progress_of`, in one
    scoring pass per period for every partner.
    """
    permission = _reader(ctx)
    _vendor(ctx, permission)
    rows = _activities(activities)
    reach = narrowed(ctx, permission, None)
    year = ctx.program.fiscal.year_of(ctx.today()).year
    where: dict[str, IndexValue | Sequence[IndexValue]] = {"fiscal_year": year}
    if reach is not None:
        if not reach:
            return []
        where["partner_id"] = reach
    plans = list(every(uow.repository(PLANS), where, limit=MAX_PAGE_SIZE))
    # A row's completion and RAG are the year's: the quarters are not measured.
    measured = _measured(ctx, plans, rows, ("year",)) if rows else None
    return plan_rows(plans, ctx.program.fiscal, ctx.today(), measured)
