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
from babel.numbers import format_decimal

from partnerkit.core import Money
from partnerkit.core._context import isolated
from partnerkit.core._money import MetricValue
from partnerkit.core._money import _locale as _checked_locale
from partnerkit.dashboard._model import PartnerDashboard
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
    "dashboard_document",
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
    if value is None:
        return _DASH
    return format_decimal(value, format="#,##0.##", locale=loc) + "\u00a0%"


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


def _table(
    headers: Sequence[str],
    rows: Sequence[tuple[str, ...]],
    widths: tuple[int, ...],
    loc: Locale,
    numeric: frozenset[int] = frozenset(),
    rags: Sequence[Rag | None] = (),
    status_column: int | None = None,
) -> Block:
    if not rows:
        return Paragraph(gettext("None.", loc), small=True)
    return Table(tuple(headers), tuple(rows), widths, tuple(rags), status_column, numeric)


@isolated
def dashboard_document(board: PartnerDashboard, locale: str | Locale = "en") -> Document:
    """The blocks of a partner's dashboard in ``locale``: the four areas, then the views."""
    from partnerkit.dashboard._model import DashboardArea

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
                (gettext("Overall status", loc), _rag(board.rag, loc)),
            )
        ),
    ]
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
                    (c.label(loc), _value(c.actual, loc), _value(c.target, loc), _rag(c.rag, loc))
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
            blocks += [
                Fields(((gettext("Base ARR", loc), board.base_arr.format(str(loc))),)),
                Heading(gettext("ARR by quarter", loc), 3),
                Table(
                    (
                        gettext("Quarter", loc),
                        gettext("Dates", loc),
                        gettext("New ARR", loc),
                        gettext("Upsell ARR", loc),
                        gettext("Target", loc),
                        gettext("Status", loc),
                    ),
                    tuple(
                        (
                            _period(q.period, loc),
                            f"{_date(q.start, loc)} {_DASH} {_date(q.end, loc)}",
                            _value(q.new_arr, loc),
                            _value(q.upsell_arr, loc),
                            _value(q.target, loc),
                            _rag(q.status.rag, loc),
                        )
                        for q in board.quarters
                    ),
                    (2, 6, 4, 4, 4, 3),
                    tuple(q.status.rag for q in board.quarters),
                    5,
                    frozenset({2, 3, 4}),
                ),
            ]
        elif area is DashboardArea.DEALS:
            blocks += [
                Heading(gettext("Registrations by stage", loc), 3),
                _table(
                    (
                        gettext("Stage", loc),
                        gettext("Registrations", loc),
                        gettext("Projected value", loc),
                    ),
                    [
                        (
                            deal_stage_label(s.stage, loc),
                            format_decimal(s.count, locale=loc),
                            s.value.format(str(loc)),
                        )
                        for s in board.stages
                    ],
                    (5, 3, 4),
                    loc,
                    frozenset({1, 2}),
                ),
                Heading(gettext("Decline reasons", loc), 3),
                _table(
                    (gettext("Reason", loc), gettext("Registrations", loc)),
                    [
                        (d.reason or _DASH, format_decimal(d.count, locale=loc))
                        for d in board.declines
                    ],
                    (8, 3),
                    loc,
                    frozenset({1}),
                ),
            ]
        elif area is DashboardArea.TRAINING:
            blocks += [
                Heading(gettext("Certified users", loc), 3),
                _table(
                    (gettext("Name", loc), gettext("Kinds", loc), gettext("Certifications", loc)),
                    [
                        (u.name, ", ".join(u.kinds), ", ".join(u.certifications))
                        for u in board.certified
                    ],
                    (4, 3, 6),
                    loc,
                ),
            ]
        else:
            blocks += [
                Heading(gettext("Plans", loc), 3),
                _table(
                    (
                        gettext("Plan", loc),
                        gettext("Kind", loc),
                        gettext("Status", loc),
                        gettext("Completion", loc),
                        gettext("RAG", loc),
                    ),
                    [
                        (
                            p.name,
                            p.kind,
                            plan_status_label(p.status, loc),
                            _percent(p.completion, loc),
                            _rag(p.rag, loc),
                        )
                        for p in board.plans
                    ],
                    (5, 3, 3, 3, 2),
                    loc,
                    frozenset({3}),
                    [p.rag for p in board.plans],
                    4,
                ),
                Heading(gettext("Services", loc), 3),
                _table(
                    (
                        gettext("SKU", loc),
                        gettext("Service", loc),
                        gettext("Orders", loc),
                        gettext("First order", loc),
                    ),
                    [
                        (s.sku, s.name, format_decimal(s.orders, locale=loc), s.first_order)
                        for s in board.services
                    ],
                    (3, 6, 2, 3),
                    loc,
                    frozenset({2}),
                ),
            ]
    blocks += [
        Heading(gettext("Renewals due", loc), 2),
        _table(
            (
                gettext("Subscription", loc),
                gettext("Customer", loc),
                gettext("Term ends", loc),
                gettext("Days left", loc),
                gettext("Annual value", loc),
            ),
            [
                (
                    r.subscription_id,
                    r.prospect_id,
                    _date(r.term_end, loc),
                    format_decimal(r.days_left, locale=loc),
                    r.value.format(str(loc)),
                )
                for r in board.renewals
            ],
            (4, 4, 4, 2, 4),
            loc,
            frozenset({3, 4}),
        ),
    ]
    return Document(f"{title}: {board.partner_name}", str(loc), tuple(blocks))
