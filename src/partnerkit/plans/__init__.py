"""Partner plans: templates, a partner's plan for a fiscal year, its status, progress.

An administrator writes a :class:`PlanTemplate` (sections of objectives,
checklist tasks and milestones), publishes it, and assigns it to partners;
each gets a :class:`Plan` for one fiscal year, a vendor-only draft until it
is shared, then signed off by both sides (its content frozen), worked on,
and completed or closed. :func:`plan_progress` tells how far a plan has come.

>>> import pendulum
>>> from decimal import Decimal
>>> from partnerkit.fiscal import MonthlyFiscalCalendar
>>> at = pendulum.datetime(2026, 1, 5, 9, tz="UTC")
>>> template = PlanTemplate(
...     "t-1", "Reseller plan 2026",
...     sections=[Section("sales", "Sales", objectives=[
...         Objective("deals", "Deals won", ObjectiveKind.DEALS_WON,
...                   [PeriodTarget("year", 20)])])],
... ).published_by("vera", at)
>>> plan, event = Plan.assign(
...     template, id="PL-1", partner_id="p-1", fiscal_year=2026, actor="vera", at=at)
>>> plan.status.value, type(event).__name__
('draft', 'PlanAssigned')
>>> progress = plan_progress(
...     plan, MonthlyFiscalCalendar(1), pendulum.date(2026, 7, 2), {("deals", "year"): 11})
>>> progress.completion, progress.rag.value
(Decimal('55.00'), 'green')
"""

from partnerkit.core._public import publish as _publish
from partnerkit.plans._config import plan_templates_to_dict, read_plan_templates
from partnerkit.plans._events import (
    ActualRecorded,
    MilestoneHeld,
    PlanAssigned,
    PlanClosed,
    PlanCommented,
    PlanCompleted,
    PlanEdited,
    PlanEvent,
    PlanReopened,
    PlanShared,
    PlanSignedOff,
    PlanStarted,
    TaskCompleted,
    TaskReopened,
)
from partnerkit.plans._items import (
    ANCHORS,
    DEFAULT_CHECK_ROLES,
    OBJECTIVE_KIND_LABELS,
    OBJECTIVE_MEASURES,
    PERIODS,
    SPLIT_DIMENSIONS,
    Milestone,
    Objective,
    ObjectiveKind,
    PeriodTarget,
    Section,
    Side,
    Split,
    Task,
    objective_kind_label,
)
from partnerkit.plans._plan import (
    CheckedTask,
    Comment,
    CustomActual,
    HeldMilestone,
    Plan,
    PlanAuditEntry,
    SignedRevision,
    SignOff,
)
from partnerkit.plans._progress import (
    Actuals,
    ObjectiveProgress,
    PeriodProgress,
    PlanProgress,
    PlanRow,
    SectionProgress,
    anchor_date,
    plan_progress,
    plan_rows,
)
from partnerkit.plans._status import (
    CONTENT_STATUSES,
    PLAN_STATUS_LABELS,
    PLAN_TRANSITIONS,
    WORKING_STATUSES,
    PlanStatus,
    plan_status_label,
)
from partnerkit.plans._template import (
    BUSINESS,
    MARKETING,
    PlanTemplate,
    PublishedVersion,
    default_sections,
)

__all__ = [
    "ANCHORS",
    "BUSINESS",
    "CONTENT_STATUSES",
    "DEFAULT_CHECK_ROLES",
    "MARKETING",
    "OBJECTIVE_KIND_LABELS",
    "OBJECTIVE_MEASURES",
    "PERIODS",
    "PLAN_STATUS_LABELS",
    "PLAN_TRANSITIONS",
    "SPLIT_DIMENSIONS",
    "WORKING_STATUSES",
    "ActualRecorded",
    "Actuals",
    "CheckedTask",
    "Comment",
    "CustomActual",
    "HeldMilestone",
    "Milestone",
    "MilestoneHeld",
    "Objective",
    "ObjectiveKind",
    "ObjectiveProgress",
    "PeriodProgress",
    "PeriodTarget",
    "Plan",
    "PlanAssigned",
    "PlanAuditEntry",
    "PlanClosed",
    "PlanCommented",
    "PlanCompleted",
    "PlanEdited",
    "PlanEvent",
    "PlanProgress",
    "PlanReopened",
    "PlanRow",
    "PlanShared",
    "PlanSignedOff",
    "PlanStarted",
    "PlanStatus",
    "PlanTemplate",
    "PublishedVersion",
    "Section",
    "SectionProgress",
    "Side",
    "SignOff",
    "SignedRevision",
    "Split",
    "Task",
    "TaskCompleted",
    "TaskReopened",
    "anchor_date",
    "default_sections",
    "objective_kind_label",
    "plan_progress",
    "plan_rows",
    "plan_status_label",
    "plan_templates_to_dict",
    "read_plan_templates",
]

_publish(__name__, globals(), __all__)
