"""A printable document as plain blocks: headings, paragraphs, fields and tables of text.

The plan document and the dashboard are laid out here once, every value
already formatted for the reader's locale; the renderers (the PDF in
:mod:`partnerkit.dashboard.pdf`, the HTML view in ``_plan_html``) only draw
the blocks. Nothing here interprets the text: a renderer draws it literally
(the PDF) or escapes it (the HTML).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone
from decimal import Decimal

import attrs
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from partnerkit.core import Money
from partnerkit.core._context import isolated
from partnerkit.core._money import MetricValue
from partnerkit.core._money import _locale as _checked_locale
from partnerkit.dashboard._model import DashboardArea, PartnerDashboard, QuarterArr
from partnerkit.deals import deal_stage_label
from partnerkit.locale import N_, gettext
from partnerkit.plans import (
    Plan,
    PlanProgress,
    Section,
    SectionProgress,
    objective_kind_label,
    plan_status_label,
)
from partnerkit.scoring import Rag

__all__ = [
    "Block",
    "Document",
    "Fields",
    "Heading",
    "Paragraph",
    "Table",
    "View",
    "dashboard_document",
    "dashboard_views",
    "plan_document",
]


@attrs.frozen
class Heading:
    """A heading: level 1 is the document's title, 2 a part, 3 a sub-part."""

    text: str
    level: int = 2


@attrs.frozen
class Paragraph:
    """Running text; ``small`` for notes and explanations."""

    text: str
    small: bool = False


@attrs.frozen
class Fields:
    """Label and value pairs, one per line."""

    pairs: tuple[tuple[str, str], ...]


@attrs.frozen
class Table:
    """A table of text: ``widths`` are relative column widths, ``rags`` one status per row.

    ``status_column`` is the column whose cell shows the row's status
    (drawn with its colour), or None.
    """

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]
    rags: tuple[Rag | None, ...] = ()
    status_column: int | None = None
    numeric: frozenset[int] = frozenset()


Block = Heading | Paragraph | Fields | Table


@attrs.frozen
class Document:
    """A document's title (for the file's metadata), language and blocks."""

    title: str
    language: str
    blocks: tuple[Block, ...]


#: The colours the renderers give the statuses (RGB).
RAG_COLOURS: dict[Rag, tuple[int, int, int]] = {
    Rag.RED: (200, 40, 40),
    Rag.AMBER: (230, 150, 0),
    Rag.GREEN: (30, 140, 60),
}

_DASH = "\u2013"


def checked_locale(locale: str | Locale) -> Locale:
    """The reader's locale; an unknown one is a ValidationError on ``locale``."""
    return _checked_locale(locale)


def _value(value: MetricValue | None, loc: Locale) -> str:
    if value is None:
        return _DASH
    if isinstance(value, Money):
        return value.format(str(loc))
    return format_decimal(value, locale=loc)


def _percent(value: Decimal | None, loc: Locale) -> str:
    """A percentage (37.5 for 37.5 %) in the locale's own way of writing one."""
    if value is None:
        return _DASH
    return format_percent(value / 100, format="#,##0.##%", locale=loc)


def _date(value: date, loc: Locale) -> str:
    return format_date(value, format="medium", locale=loc)


def _instant(value: datetime, loc: Locale) -> str:
    utc = value.astimezone(timezone.utc)
    return format_datetime(utc, format="medium", tzinfo=timezone.utc, locale=loc) + " UTC"


def _rag(rag: Rag | None, loc: Locale) -> str:
    return rag.label(loc) if rag is not None else _DASH


# -- the plan -----------------------------------------------------------------------------------

_PERIOD_LABELS: dict[str, str] = {
    "start": N_("Start of the year"),
    "year": N_("Year"),
    "q1": N_("Q1"),
    "q2": N_("Q2"),
    "q3": N_("Q3"),
    "q4": N_("Q4"),
}
_SIDE_LABELS: dict[str, str] = {"vendor": N_("Vendor"), "partner": N_("Partner")}


def _period(key: str | None, loc: Locale) -> str:
    if key is None:
        return _DASH
    return gettext(_PERIOD_LABELS.get(key, key), loc)


def _side(side: str, loc: Locale) -> str:
    return gettext(_SIDE_LABELS.get(str(getattr(side, "value", side)), str(side)), loc)


def _section_blocks(
    plan: Plan, section: Section, progress: SectionProgress | None, loc: Locale
) -> list[Block]:
    blocks: list[Block] = [Heading(section.title, 2)]
    if section.description:
        blocks.append(Paragraph(section.description))
    if progress is not None:
        blocks.append(
            Fields(
                (
                    (gettext("Completion", loc), _percent(progress.completion, loc)),
                    (
                        gettext("Tasks done", loc),
                        f"{format_decimal(progress.tasks_done, locale=loc)} / "
                        f"{format_decimal(progress.tasks_total, locale=loc)}",
                    ),
                    (
                        gettext("Milestones held", loc),
                        f"{format_decimal(progress.milestones_held, locale=loc)} / "
                        f"{format_decimal(progress.milestones_total, locale=loc)}",
                    ),
                )
            )
        )
    if section.objectives:
        by_key = {o.key: o for o in progress.objectives} if progress is not None else {}
        headers = [gettext("Objective", loc), gettext("Kind", loc)]
        headers += [_period(p, loc) for p in ("year", "q1", "q2", "q3", "q4")]
        rows: list[tuple[str, ...]] = []
        rags: list[Rag | None] = []
        with_progress = progress is not None
        if with_progress:
            headers += [gettext("Actual", loc), gettext("Status", loc)]
        for objective in section.objectives:
            row = [objective.title, objective_kind_label(objective.kind, loc)]
            row += [_value(objective.target(p), loc) for p in ("year", "q1", "q2", "q3", "q4")]
            found = by_key.get(objective.key)
            rag = found.rag if found is not None else None
            if with_progress:
                row += [_value(found.year.actual if found else None, loc), _rag(rag, loc)]
            rows.append(tuple(row))
            rags.append(rag)
        widths = (6, 6, 5, 5, 5, 5, 5) + ((5, 3) if with_progress else ())
        blocks += [
            Heading(gettext("Objectives", loc), 3),
            Table(
                tuple(headers),
                tuple(rows),
                widths,
                tuple(rags),
                8 if with_progress else None,
                frozenset(range(2, 8)),
            ),
        ]
    if section.tasks:
        done = {c.task: c for c in plan.checked}
        rows = []
        for task in section.tasks:
            check = done.get(task.key)
            state = (
                gettext("Done", loc) + f" ({check.actor}, {_instant(check.at, loc)})"
                if check is not None
                else gettext("Open", loc)
            )
            rows.append((task.title, _period(task.due, loc), _side(task.owner, loc), state))
        blocks += [
            Heading(gettext("Tasks", loc), 3),
            Table(
                (
                    gettext("Task", loc),
                    gettext("Due", loc),
                    gettext("Owner", loc),
                    gettext("Status", loc),
                ),
                tuple(rows),
                (6, 3, 2, 6),
            ),
        ]
    if section.milestones:
        held = {h.milestone: h for h in plan.held}
        rows = []
        for milestone in section.milestones:
            found_held = held.get(milestone.key)
            if found_held is None:
                state = gettext("Not held", loc)
            else:
                state = (
                    gettext("Held", loc) + f" ({found_held.actor}, {_instant(found_held.at, loc)})"
                )
                if found_held.notes:
                    state += f": {found_held.notes}"
            rows.append((milestone.title, _period(milestone.at, loc), state))
        blocks += [
            Heading(gettext("Milestones", loc), 3),
            Table(
                (gettext("Milestone", loc), gettext("When", loc), gettext("Status", loc)),
                tuple(rows),
                (6, 3, 8),
            ),
        ]
    return blocks


@isolated
def plan_document(
    plan: Plan,
    locale: str | Locale = "en",
    progress: PlanProgress | None = None,
    *,
    partner_name: str | None = None,
) -> Document:
    """The blocks of a plan document in ``locale``: its facts, sign-offs, sections and audit."""
    loc = checked_locale(locale)
    partner = partner_name if partner_name else plan.partner_id
    facts: list[tuple[str, str]] = [
        (gettext("Partner", loc), partner),
        (gettext("Kind", loc), plan.kind),
        (gettext("Fiscal year", loc), str(plan.fiscal_year)),
        (gettext("Status", loc), plan_status_label(plan.status, loc)),
        (gettext("Revision", loc), format_decimal(plan.revision, locale=loc)),
    ]
    if plan.purpose:
        facts.append((gettext("Purpose", loc), plan.purpose))
    if progress is not None:
        facts += [
            (gettext("As of", loc), _date(progress.as_of, loc)),
            (gettext("Completion", loc), _percent(progress.completion, loc)),
            (gettext("Status", loc) + " (RAG)", _rag(progress.rag, loc)),
        ]
    blocks: list[Block] = [Heading(plan.name, 1), Fields(tuple(facts))]
    if progress is not None:
        blocks += [Paragraph(line, small=True) for line in progress.explain(loc)]

    blocks.append(Heading(gettext("Sign-offs", loc), 2))
    if plan.signoffs:
        blocks.append(
            Table(
                (gettext("Side", loc), gettext("Signed by", loc), gettext("When", loc)),
                tuple((_side(s.side, loc), s.actor, _instant(s.at, loc)) for s in plan.signoffs),
                (2, 4, 4),
            )
        )
    else:
        blocks.append(Paragraph(gettext("Not signed off yet.", loc)))

    sections = {s.key: s for s in progress.sections} if progress is not None else {}
    for section in plan.sections:
        blocks += _section_blocks(plan, section, sections.get(section.key), loc)

    if plan.audit:
        titles = {o.key: o.title for o in plan.objectives}
        titles.update((t.key, t.title) for t in plan.tasks)
        titles.update((m.key, m.title) for m in plan.milestones)
        rows = []
        for entry in plan.audit:
            move = plan_status_label(entry.to_status, loc)
            if entry.from_status is not None and entry.from_status != entry.to_status:
                move = f"{plan_status_label(entry.from_status, loc)} \u2192 {move}"
            subject = titles.get(entry.subject, entry.subject)
            detail = ": ".join(part for part in (subject, entry.note) if part)
            rows.append(
                (
                    _instant(entry.at, loc),
                    entry.action,
                    f"{entry.actor} ({_side(entry.side, loc)})",
                    move,
                    detail,
                )
            )
        blocks += [
            Heading(gettext("Audit", loc), 2),
            Table(
                (
                    gettext("When", loc),
                    gettext("Step", loc),
                    gettext("Who", loc),
                    gettext("Status", loc),
                    gettext("Detail", loc),
                ),
                tuple(rows),
                (5, 3, 4, 4, 5),
            ),
        ]
    return Document(plan.name, str(loc), tuple(blocks))


# -- the dashboard ------------------------------------------------------------------------------


@attrs.frozen
class View:
    """A secondary view of the dashboard: a titled table, or a message when it has no rows.

    Described once here, drawn by every renderer: the PDF and the document
    as a heading and a table, the HTML page as a ``<details>`` block whose
    summary shows ``count``, the text as aligned columns.
    """

    key: str
    title: str
    caption: str
    empty: str
    table: Table
    count: str | None = None
    #: Columns a narrow renderer may leave out before it gives up the columns (the dates).
    optional: frozenset[int] = frozenset()


def rag_word(rag: Rag | None, loc: Locale) -> str:
    """A criterion's status word; a criterion without a status has no target."""
    return rag.label(loc) if rag is not None else gettext("No target", loc)


def count_text(value: int, loc: Locale) -> str:
    """A count in the locale's digits."""
    return format_decimal(value, locale=loc)


def _quarter_cells(q: QuarterArr, loc: Locale) -> tuple[str, ...]:
    dates = f"{_date(q.start, loc)} {_DASH} {_date(q.end, loc)}"
    if q.new_arr is None:
        not_begun = gettext("not begun", loc)
        return (
            _period(q.period, loc),
            dates,
            not_begun,
            not_begun,
            _value(q.target, loc),
            not_begun,
        )
    status = (
        q.status.rag.label(loc)
        if q.status.rag is not None
        else _DASH
        if q.target is not None
        else gettext("No target", loc)
    )
    return (
        _period(q.period, loc),
        dates,
        _value(q.new_arr, loc),
        _value(q.upsell_arr, loc),
        _value(q.target, loc),
        status,
    )


def _view(
    key: str,
    title: str,
    caption: str,
    empty: str,
    columns: Sequence[tuple[str, int, bool]],
    rows: Sequence[tuple[str, ...]],
    count: str | None = None,
    rags: Sequence[Rag | None] = (),
    status_column: int | None = None,
    optional: frozenset[int] = frozenset(),
) -> View:
    """A view from its columns: (header, relative width, numeric) each."""
    table = Table(
        tuple(header for header, _, _ in columns),
        tuple(rows),
        tuple(width for _, width, _ in columns),
        tuple(rags),
        status_column,
        frozenset(i for i, (_, _, numeric) in enumerate(columns) if numeric),
    )
    return View(key, title, caption, empty, table, count, optional)


def dashboard_views(board: PartnerDashboard, loc: Locale) -> dict[DashboardArea, tuple[View, ...]]:
    """The secondary views of ``board`` by the area they follow, each cell formatted for ``loc``."""
    money = str(loc)
    return {
        DashboardArea.ARR: (
            _view(
                "quarters",
                gettext("ARR by quarter", loc),
                gettext("New and upsell ARR per fiscal quarter", loc),
                gettext("None.", loc),
                [
                    (gettext("Quarter", loc), 2, False),
                    (gettext("Dates", loc), 6, False),
                    (gettext("New ARR", loc), 4, True),
                    (gettext("Upsell ARR", loc), 4, True),
                    (gettext("Target", loc), 4, True),
                    (gettext("Status", loc), 3, False),
                ],
                [_quarter_cells(q, loc) for q in board.quarters],
                rags=[q.status.rag for q in board.quarters],
                status_column=5,
                optional=frozenset({1}),
            ),
            _view(
                "renewals",
                gettext("Upcoming renewals", loc),
                gettext("Subscriptions whose term ends soon", loc),
                gettext("No renewals due", loc),
                [
                    (gettext("Subscription", loc), 4, False),
                    (gettext("Customer", loc), 4, False),
                    (gettext("Term ends", loc), 4, False),
                    (gettext("Days left", loc), 2, True),
                    (gettext("Annual value", loc), 4, True),
                ],
                [
                    (
                        r.subscription_id,
                        r.prospect_id,
                        _date(r.term_end, loc),
                        count_text(r.days_left, loc),
                        r.value.format(money),
                    )
                    for r in board.renewals
                ],
                count_text(len(board.renewals), loc),
            ),
        ),
        DashboardArea.DEALS: (
            _view(
                "stages",
                gettext("Registrations by stage", loc),
                gettext("The fiscal year's registrations", loc),
                gettext("No registrations", loc),
                [
                    (gettext("Stage", loc), 5, False),
                    (gettext("Registrations", loc), 3, True),
                    (gettext("Projected value", loc), 4, True),
                ],
                [
                    (
                        deal_stage_label(s.stage, loc),
                        count_text(s.count, loc),
                        s.value.format(money),
                    )
                    for s in board.stages
                ],
                count_text(board.registrations_total, loc),
            ),
            _view(
                "declines",
                gettext("Decline reasons", loc),
                gettext("Why registrations were declined", loc),
                gettext("No declined registrations", loc),
                [(gettext("Reason", loc), 8, False), (gettext("Registrations", loc), 3, True)],
                [(d.reason or _DASH, count_text(d.count, loc)) for d in board.declines],
            ),
        ),
        DashboardArea.TRAINING: (
            _view(
                "certified",
                gettext("Certified users", loc),
                gettext("Users holding a current certification", loc),
                gettext("No certified users", loc),
                [
                    (gettext("Name", loc), 4, False),
                    (gettext("Kind", loc), 3, False),
                    (gettext("Certifications", loc), 6, False),
                ],
                [
                    (u.name, ", ".join(u.kinds), ", ".join(u.certifications))
                    for u in board.certified
                ],
                count_text(len(board.certified), loc),
            ),
        ),
        DashboardArea.PLANS: (
            _view(
                "plans",
                gettext("Plans", loc),
                gettext("Plans", loc),
                gettext("No plans", loc),
                [
                    (gettext("Plan", loc), 5, False),
                    (gettext("Kind", loc), 3, False),
                    (gettext("Status", loc), 3, False),
                    (gettext("Completion", loc), 3, True),
                    (gettext("RAG", loc), 2, False),
                ],
                [
                    (
                        p.name,
                        p.kind,
                        plan_status_label(p.status, loc),
                        _percent(p.completion, loc),
                        rag_word(p.rag, loc),
                    )
                    for p in board.plans
                ],
                count_text(len(board.plans), loc),
                rags=[p.rag for p in board.plans],
                status_column=4,
            ),
            _view(
                "services",
                gettext("Services bought", loc),
                gettext("The vendor's services the partner ordered", loc),
                gettext("No services bought", loc),
                [
                    (gettext("Service", loc), 6, False),
                    (gettext("SKU", loc), 3, False),
                    (gettext("Orders", loc), 2, True),
                    (gettext("First order", loc), 3, False),
                ],
                [(s.name, s.sku, count_text(s.orders, loc), s.first_order) for s in board.services],
            ),
        ),
    }


@isolated
def dashboard_document(board: PartnerDashboard, locale: str | Locale = "en") -> Document:
    """The blocks of a partner's dashboard in ``locale``: the four areas, then the views."""
    loc = checked_locale(locale)
    title = gettext("Program Success Dashboard", loc)
    blocks: list[Block] = [
        Heading(f"{title}: {board.partner_name}", 1),
        Fields(
            (
                (gettext("Partner", loc), board.partner_name),
                (gettext("As of", loc), _date(board.as_of, loc)),
                (
                    gettext("Fiscal year", loc),
                    f"{board.fiscal_year} ({_date(board.year_start, loc)} {_DASH} "
                    f"{_date(board.year_end, loc)})",
                ),
                (gettext("Currency", loc), board.currency),
                (gettext("Overall status", loc), rag_word(board.rag, loc)),
            )
        ),
    ]
    views = dashboard_views(board, loc)
    for area in DashboardArea:
        criteria = board.area(area)
        blocks += [
            Heading(area.label(loc), 2),
            Table(
                (
                    gettext("Criterion", loc),
                    gettext("Actual", loc),
                    gettext("Target", loc),
                    gettext("Status", loc),
                ),
                tuple(
                    (
                        c.label(loc),
                        _value(c.actual, loc),
                        _value(c.target, loc),
                        rag_word(c.rag, loc),
                    )
                    for c in criteria
                ),
                (5, 4, 4, 3),
                tuple(c.rag for c in criteria),
                3,
                frozenset({1, 2}),
            ),
        ]
        blocks += [Paragraph(c.explain(loc), small=True) for c in criteria]
        if area is DashboardArea.ARR:
            blocks.append(Fields(((gettext("Base ARR", loc), board.base_arr.format(str(loc))),)))
        for view in views[area]:
            blocks.append(Heading(view.title, 3))
            blocks.append(view.table if view.table.rows else Paragraph(view.empty, small=True))
    return Document(f"{title}: {board.partner_name}", str(loc), tuple(blocks))
