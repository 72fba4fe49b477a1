"""The dashboard for people: one self-contained HTML page, and plain text for terminals and e-mail.

The page is a single HTML5 file: inline CSS and inline SVG, no JavaScript
and no external request; it stacks to one column on narrow screens. Every
figure is formatted with babel for the reader's locale, every word goes
through partnerkit's gettext, every value from data is escaped.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Mapping, Sequence

from babel import Locale

from partnerkit.core._context import isolated
from partnerkit.core._money import _locale
from partnerkit.dashboard._document import (
    Table,
    View,
    _percent,
    _value,
    dashboard_views,
    rag_word,
)
from partnerkit.dashboard._document import _date as _day
from partnerkit.dashboard._model import (
    Criterion,
    DashboardArea,
    PartnerDashboard,
    TargetSource,
)
from partnerkit.dashboard._svg import (
    INK,
    MUTED,
    TrendPoint,
    _esc,
    gauge_svg,
    quarter_bars_svg,
    rag_badge_svg,
    sparkline_svg,
    stages_bar_svg,
)
from partnerkit.locale import N_, gettext
from partnerkit.plans import plan_status_label

__all__ = ["dashboard_html", "dashboard_text"]

_SOURCE_LABELS: dict[TargetSource, str] = {
    TargetSource.PLAN: N_("plan target"),
    TargetSource.PROGRAM: N_("program target"),
    TargetSource.NONE: N_("no target"),
}


# -- shared formatting (values are the document's: every renderer writes them alike) ----------


def _title(board: PartnerDashboard, loc: Locale, title: str | None) -> str:
    if title is not None:
        return title
    return gettext("Program Success Dashboard: {partner}", loc).format(partner=board.partner_name)


def _subtitle(board: PartnerDashboard, loc: Locale) -> str:
    return gettext("As of {day}, fiscal year {year} ({start} to {end})", loc).format(
        day=_day(board.as_of, loc),
        year=board.fiscal_year,
        start=_day(board.year_start, loc),
        end=_day(board.year_end, loc),
    )


# -- HTML --------------------------------------------------------------------------------------


def _e(text: object) -> str:
    return _esc(text)


def _inline(svg: str) -> str:
    """An SVG element for inline use in HTML5 (the namespace is implied there)."""
    return svg.replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)


_CSS = f"""
*,*::before,*::after{{box-sizing:border-box}}
html{{-webkit-text-size-adjust:100%;text-size-adjust:100%}}
body{{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
color:{INK};background:#ffffff;line-height:1.45;overflow-wrap:anywhere}}
.pk-page{{max-width:72rem;margin:0 auto;padding:1rem}}
h1{{font-size:1.5rem;margin:0 0 .25rem}}
h2{{font-size:1.2rem;margin:0 0 .75rem;border-bottom:2px solid #d0d0d0;padding-bottom:.25rem}}
h3{{font-size:1rem;margin:0}}
.pk-meta{{color:{MUTED};margin:0 0 .5rem}}
.pk-overall{{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;margin:0 0 1rem}}
.pk-area{{margin:0 0 1.5rem}}
.pk-criteria{{list-style:none;margin:0 0 .75rem;padding:0;display:flex;flex-wrap:wrap;gap:.75rem}}
.pk-criterion{{flex:1 1 18rem;min-width:0;max-width:100%;border:1px solid #c8c8c8;
border-radius:.5rem;padding:.75rem}}
.pk-crit-head{{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;
gap:.5rem;margin-bottom:.25rem}}
.pk-explain{{margin:.25rem 0}}
.pk-figures{{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:.25rem 0;color:{MUTED}}}
.pk-figures div{{display:flex;flex-wrap:wrap;gap:.35rem}}
.pk-figures dt{{font-weight:600}}
.pk-figures dd{{margin:0}}
svg{{max-width:100%;height:auto;vertical-align:middle}}
svg.pk-badge{{flex:none}}
details{{border:1px solid #c8c8c8;border-radius:.5rem;padding:.5rem .75rem;margin:0 0 .5rem}}
summary{{cursor:pointer;font-weight:600}}
.pk-chart{{margin:.5rem 0}}
table{{border-collapse:collapse;width:100%;margin:.5rem 0}}
th,td{{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #dddddd;vertical-align:top}}
td.pk-num,th.pk-num{{text-align:right;font-variant-numeric:tabular-nums}}
.pk-plans{{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.75rem}}
.pk-plan{{flex:1 1 14rem;min-width:0;border:1px solid #dddddd;border-radius:.5rem;padding:.5rem}}
.pk-empty{{color:{MUTED};margin:.25rem 0}}
@media (max-width:40rem){{
 .pk-page{{padding:.75rem}}
 table,caption,thead,tbody,tr,th,td{{display:block;width:100%}}
 caption{{text-align:left}}
 thead tr{{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}}
 tr{{border-bottom:1px solid #c8c8c8;padding:.25rem 0}}
 td{{border:0;padding:.15rem 0}}
 td.pk-num{{text-align:left}}
 td::before{{content:attr(data-label) ": ";font-weight:600}}
}}
@media print{{details{{break-inside:avoid}}}}
""".strip()


def _table(view: View) -> str:
    """A view's table of escaped cells, numeric columns marked; or its message when empty."""
    table = view.table
    if not table.rows:
        return f'<p class="pk-empty">{_e(view.empty)}</p>'
    num = ' class="pk-num"'
    columns = [(label, i in table.numeric) for i, label in enumerate(table.headers)]
    head = "".join(
        f'<th scope="col"{num if numeric else ""}>{_e(label)}</th>' for label, numeric in columns
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td data-label="{_e(label)}"{num if numeric else ""}>{_e(cell)}</td>'
            for (label, numeric), cell in zip(columns, row, strict=True)
        )
        + "</tr>"
        for row in table.rows
    )
    return (
        f'<table><caption class="pk-meta">{_e(view.caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _details(view: View, body: str) -> str:
    """A secondary view: a ``<details>`` block whose summary shows the view's count if any."""
    shown = _e(view.title) + (f" ({_e(view.count)})" if view.count is not None else "")
    return f"<details><summary>{shown}</summary>{body}</details>"


def _chart(svg: str) -> str:
    return f'<div class="pk-chart">{_inline(svg)}</div>'


def _criterion_html(criterion: Criterion, loc: Locale, trend: Sequence[TrendPoint] | None) -> str:
    label = criterion.label(loc)
    source = gettext(_SOURCE_LABELS[criterion.source], loc)
    # Outside the f-strings, so that pybabel extract (Python 3.11) sees the messages.
    actual = gettext("Actual", loc)
    target = gettext("Target", loc)
    attainment = gettext("Attainment", loc)
    parts = [
        f'<li class="pk-criterion" data-key="{_e(criterion.key)}">',
        f'<div class="pk-crit-head"><h3>{_e(label)}</h3>',
        _inline(rag_badge_svg(criterion.rag, loc, ident=f"badge-{criterion.key}")),
        "</div>",
        f'<p class="pk-explain">{_e(criterion.explain(loc))}</p>',
        '<dl class="pk-figures">',
        f"<div><dt>{_e(actual)}</dt><dd>{_e(_value(criterion.actual, loc))}</dd></div>",
        f"<div><dt>{_e(target)}</dt>"
        f"<dd>{_e(_value(criterion.target, loc))} ({_e(source)})</dd></div>",
        f"<div><dt>{_e(attainment)}</dt>"
        f"<dd>{_e(_percent(criterion.status.attainment, loc))}</dd></div>",
        "</dl>",
    ]
    if trend:
        title = gettext("{criterion}: trend", loc).format(criterion=label)
        parts.append(
            '<div class="pk-chart">'
            + _inline(sparkline_svg(trend, loc, title=title, ident=f"trend-{criterion.key}"))
            + "</div>"
        )
    parts.append("</li>")
    return "".join(parts)


def _area_views(board: PartnerDashboard, area: DashboardArea, loc: Locale) -> str:
    """The area's secondary views, each a ``<details>`` block, with their charts."""
    parts = []
    for view in dashboard_views(board, loc)[area]:
        if view.key == "quarters":
            base = gettext("Base ARR at the start of the year", loc)
            body = (
                f"<p>{_e(base)}: <strong>{_e(board.base_arr.format(str(loc)))}</strong></p>"
                + _chart(quarter_bars_svg(board.quarters, loc, ident="quarters"))
                + _table(view)
            )
        elif view.key == "stages":
            body = _chart(stages_bar_svg(board.stages, loc, ident="stages")) + _table(view)
        elif view.key == "plans":
            body = _plan_cards(board, view, loc)
        else:
            body = _table(view)
        parts.append(_details(view, body))
    return "".join(parts)


def _plan_cards(board: PartnerDashboard, view: View, loc: Locale) -> str:
    """The plans as cards with a completion gauge each (the plans view's rows, drawn)."""
    if not board.plans:
        return f'<p class="pk-empty">{_e(view.empty)}</p>'
    plans = []
    for i, plan in enumerate(board.plans):
        status = plan_status_label(plan.status, loc)
        completion = _percent(plan.completion, loc)
        gauge = gauge_svg(
            plan.completion,
            title=gettext("{plan}: completion", loc).format(plan=plan.name),
            description=gettext("{plan} is {completion} complete", loc).format(
                plan=plan.name, completion=completion
            ),
            ident=f"gauge-{i}",
            locale=loc,
        )
        plans.append(
            f'<li class="pk-plan"><div class="pk-crit-head"><h3>{_e(plan.name)}</h3>'
            + _inline(rag_badge_svg(plan.rag, loc, ident=f"badge-plan-{i}"))
            + "</div>"
            + f'<p class="pk-meta">{_e(plan.kind)} \u00b7 {_e(status)} \u00b7 '
            + _e(gettext("{completion} complete", loc).format(completion=completion))
            + "</p>"
            + _inline(gauge)
            + "</li>"
        )
    return f'<ul class="pk-plans">{"".join(plans)}</ul>'


@isolated
def dashboard_html(
    board: PartnerDashboard,
    locale: str | Locale = "en",
    *,
    trends: Mapping[str, Sequence[TrendPoint]] | None = None,
    title: str | None = None,
) -> str:
    """The dashboard as one self-contained, responsive HTML5 page in ``locale``.

    Inline CSS and SVG only: no JavaScript, no external request. The four
    areas come in order, each criterion with its status badge (word and
    colour) and one-line explanation; the secondary views are ``<details>``
    blocks. ``trends`` maps a criterion key to its daily values (e.g. the
    last 90 days) drawn as a sparkline. An unknown locale is a
    :class:`~partnerkit.core.errors.ValidationError` at ``locale``.
    """
    loc = _locale(locale)
    trends = {} if trends is None else trends
    heading = _title(board, loc, title)
    lang = str(loc).replace("_", "-")
    direction = "rtl" if loc.character_order == "right-to-left" else "ltr"
    sections = []
    for area in DashboardArea:
        items = "".join(_criterion_html(c, loc, trends.get(c.key)) for c in board.area(area))
        sections.append(
            f'<section class="pk-area" id="area-{area.value}" '
            f'aria-labelledby="area-{area.value}-h">'
            f'<h2 id="area-{area.value}-h">{_e(area.label(loc))}</h2>'
            f'<ul class="pk-criteria">{items}</ul>{_area_views(board, area, loc)}</section>'
        )
    overall = gettext("Overall status", loc)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_e(lang)}" dir="{direction}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(heading)}</title><style>{_CSS}</style></head>"
        f'<body><div class="pk-page"><header><h1>{_e(heading)}</h1>'
        f'<p class="pk-meta">{_e(board.partner_name)} \u00b7 {_e(_subtitle(board, loc))}</p>'
        f'<p class="pk-overall"><span>{_e(overall)}:</span>'
        + _inline(rag_badge_svg(board.rag, loc, ident="badge-overall"))
        + "</p></header><main>"
        + "".join(sections)
        + "</main></div></body></html>\n"
    )


# -- plain text --------------------------------------------------------------------------------


def _clean(text: object) -> str:
    """Text from data made safe for a terminal: control and format characters become U+FFFD.

    Line breaks and tabs become spaces, so a value cannot forge lines; escape
    sequences and bidirectional overrides cannot reach the terminal.
    """
    out = []
    for ch in str(text):
        if ch in "\n\r\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def _width(text: str) -> int:
    """Terminal columns of ``text`` (East Asian wide characters take two)."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(width - _width(text), 0)
    return fill + text if right else text + fill


def _text_table(view: View, width: int) -> list[str]:
    """Aligned columns (numbers to the right); rows as ``label: value`` lines if too wide.

    Too wide, the view's optional columns are left out first.
    """
    headers, cells, widths = _columns(view.table, frozenset())
    if _span(widths) > width and view.optional:
        headers, cells, widths = _columns(view.table, view.optional)
    if _span(widths) <= width:
        lines = [
            "  "
            + "  ".join(
                _pad(label, w, num) for (label, num), w in zip(headers, widths, strict=True)
            ),
            "  " + "  ".join("-" * w for w in widths),
        ]
        lines += [
            "  "
            + "  ".join(
                _pad(c, w, num) for c, w, (_, num) in zip(row, widths, headers, strict=True)
            )
            for row in cells
        ]
        return [line.rstrip() for line in lines]
    lines = []
    for row in cells:
        for i, ((label, _), cell) in enumerate(zip(headers, row, strict=True)):
            lines += textwrap.wrap(
                f"{label}: {cell}",
                width,
                initial_indent="  - " if i == 0 else "    ",
                subsequent_indent="      ",
            ) or [""]
    return lines


def _columns(
    table: Table, dropped: frozenset[int]
) -> tuple[list[tuple[str, bool]], list[list[str]], list[int]]:
    """The table's columns but ``dropped``: (header, numeric) each, the cleaned cells, widths."""
    kept = [i for i in range(len(table.headers)) if i not in dropped]
    headers = [(_clean(table.headers[i]), i in table.numeric) for i in kept]
    cells = [[_clean(row[i]) for i in kept] for row in table.rows]
    widths = [
        max([_width(label)] + [_width(row[i]) for row in cells])
        for i, (label, _) in enumerate(headers)
    ]
    return headers, cells, widths


def _span(widths: Sequence[int]) -> int:
    """Terminal columns of a table with these column widths (indent and gaps included)."""
    return 2 + sum(widths) + 2 * (len(widths) - 1)


def _heading(text: str, underline: str) -> list[str]:
    return ["", text, underline * max(_width(text), 1)]


@isolated
def dashboard_text(board: PartnerDashboard, locale: str | Locale = "en", width: int = 80) -> str:
    """The dashboard as plain text for terminals and e-mail, in ``locale``, ``width`` columns wide.

    The same content as :func:`dashboard_html`: each criterion with its
    status word (never only a colour) and explanation, then the secondary
    views as aligned columns. Control characters from data are replaced, so a
    value cannot move the cursor or forge lines.
    """
    loc = _locale(locale)
    width = max(int(width), 30)
    wrap = textwrap.TextWrapper(width=width, subsequent_indent="    ")
    explain = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="    ")
    title = _clean(_title(board, loc, None))
    lines = [*textwrap.wrap(title, width), "=" * min(_width(title), width)]
    lines += wrap.wrap(_clean(_subtitle(board, loc)))
    lines.append(gettext("Overall status", loc) + f": {rag_word(board.rag, loc).upper()}")
    views = dashboard_views(board, loc)
    for area in DashboardArea:
        lines += _heading(area.label(loc), "-")
        criteria = board.area(area)
        label_w = max(_width(c.label(loc)) for c in criteria) if criteria else 0
        rag_w = max(_width(rag_word(c.rag, loc)) for c in criteria) + 2 if criteria else 0
        for c in criteria:
            word = f"[{rag_word(c.rag, loc)}]"
            head = f"  {_pad(c.label(loc), label_w, False)}  {_pad(word, rag_w, False)}"
            actual = _value(c.actual, loc)
            if _width(head) + 2 + _width(actual) <= width:
                lines.append(f"{head}  {actual}")
            else:
                lines += [head.rstrip(), f"    {actual}"]
            lines += explain.wrap(_clean(c.explain(loc)))
        for view in views[area]:
            lines += _heading(view.title, "~")
            if view.key == "quarters":
                lines += textwrap.wrap(
                    gettext("Base ARR at the start of the year", loc)
                    + f": {board.base_arr.format(str(loc))}",
                    width,
                    initial_indent="  ",
                    subsequent_indent="    ",
                )
            lines += _text_table(view, width) if view.table.rows else ["  " + view.empty]
    return "\n".join(_clean_line(line) for line in lines).strip("\n") + "\n"


def _clean_line(line: str) -> str:
    return line.rstrip()
