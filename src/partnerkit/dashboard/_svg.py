"""SVG charts of the dashboard, drawn by partnerkit: no JavaScript, accessible, escaped.

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>``
(the text a screen reader speaks) tied to it by ``aria-labelledby``; every
value that comes from data is escaped; the colours meet WCAG AA contrast
(text 4.5:1 on its background, shapes 3:1 on white). The geometry lives in
small pure functions (:func:`_gauge_point`, :func:`_bar_heights`,
:func:`_spark_segments`) that the tests check directly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TypeAlias

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_compact_currency, format_decimal, format_percent

from partnerkit.core import Money
from partnerkit.core._context import isolated
from partnerkit.core._money import _locale
from partnerkit.dashboard._model import DashboardArea, PartnerDashboard, QuarterArr, StageCount
from partnerkit.deals import deal_stage_label
from partnerkit.locale import gettext
from partnerkit.scoring import Rag

__all__ = [
    "TrendPoint",
    "gauge_svg",
    "quarter_bars_svg",
    "rag_badge_svg",
    "sparkline_svg",
    "stages_bar_svg",
]

#: One day of a criterion's trend: the day and the value (None: no snapshot that day).
TrendPoint: TypeAlias = "tuple[date, Decimal | int | Money | None]"

# -- colours -----------------------------------------------------------------------------------

#: Badge colours per status: (background, text). Each pair is at least 4.5:1 (WCAG AA).
BADGE_COLOURS: dict[Rag | None, tuple[str, str]] = {
    Rag.GREEN: ("#1b6e35", "#ffffff"),
    Rag.AMBER: ("#f5c04a", "#2b1d00"),
    Rag.RED: ("#b3261e", "#ffffff"),
    None: ("#e8e8e8", "#333333"),
}
#: Text on the page and in charts, on white.
INK = "#1f1f1f"
MUTED = "#595959"
BACKGROUND = "#ffffff"
#: Chart shapes (bars, arcs, lines): each at least 3:1 on white (WCAG 1.4.11).
ACCENT = "#1a5fb4"
ACCENT_LIGHT = "#5e81ac"
#: The gauge's empty track: decoration under the value arc (not information).
TRACK = "#dcdcdc"
#: Stage colours of the stacked registrations bar, each at least 3:1 on white.
STAGE_COLOURS: tuple[str, ...] = (
    "#1a5fb4",
    "#1b6e35",
    "#8a4f00",
    "#6a1b9a",
    "#b3261e",
    "#5c5c5c",
    "#00695c",
    "#ad1457",
)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """The WCAG 2 relative luminance of a ``#rrggbb`` colour (0 black to 1 white)."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


# -- helpers -----------------------------------------------------------------------------------


def _esc(text: object) -> str:
    """Escape text for XML/HTML content and attribute values (quotes included)."""
    import html

    return html.escape(str(text), quote=True)


def _ident(ident: str) -> str:
    """An id safe in an attribute and unique-by-caller: letters, digits, ``-`` and ``_`` only."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", ident)
    return cleaned if cleaned[:1].isalpha() else f"c-{cleaned}"


def _num(value: float) -> str:
    """A coordinate with at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _amount(value: Decimal | int | Money) -> Decimal:
    return value.amount if isinstance(value, Money) else Decimal(value)


def _format(value: Decimal | int | Money, loc: Locale) -> str:
    if isinstance(value, Money):
        return value.format(str(loc))
    return format_decimal(value, locale=loc)


def _open(ident: str, width: float, height: float, title: str, desc: str, css: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" role="img" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" '
        f'height="{_num(height)}" aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{_esc(title)}</title>'
        f'<desc id="{ident}-desc">{_esc(desc)}</desc>'
    )


# -- gauge -------------------------------------------------------------------------------------

_GAUGE_W, _GAUGE_H = 120.0, 72.0
_GAUGE_CX, _GAUGE_CY, _GAUGE_R = 60.0, 62.0, 48.0


def _fraction(percent: Decimal | int) -> Decimal:
    """``percent`` as a share of the full sweep, clamped to 0..1."""
    return min(max(Decimal(percent), Decimal(0)), Decimal(100)) / Decimal(100)


def _gauge_point(
    fraction: Decimal, cx: float = _GAUGE_CX, cy: float = _GAUGE_CY, r: float = _GAUGE_R
) -> tuple[float, float]:
    """Where the gauge's arc ends for ``fraction`` (0..1) of its half-circle sweep.

    The sweep runs clockwise from the left end (fraction 0) over the top
    (0.5) to the right end (1); screen y grows downwards.
    """
    angle = math.pi * (1 - float(fraction))
    return cx + r * math.cos(angle), cy - r * math.sin(angle)


def _gauge_path(fraction: Decimal) -> str | None:
    """The SVG path of the value arc (None for 0: nothing is drawn)."""
    if fraction <= 0:
        return None
    x0, y0 = _gauge_point(Decimal(0))
    x1, y1 = _gauge_point(fraction)
    return (
        f"M {_num(x0)} {_num(y0)} A {_num(_GAUGE_R)} {_num(_GAUGE_R)} 0 0 1 {_num(x1)} {_num(y1)}"
    )


@isolated
def gauge_svg(
    percent: Decimal | int,
    *,
    title: str,
    description: str,
    ident: str = "gauge",
    locale: str | Locale = "en",
) -> str:
    """A completion gauge: a half-circle arc whose sweep is ``percent`` of the full sweep.

    ``percent`` is 0..100 (clamped); the percentage is written in the middle
    in ``locale``. ``title`` and ``description`` are what a screen reader
    speaks; ``ident`` prefixes the element ids (unique per page).
    """
    loc = _locale(locale)
    ident = _ident(ident)
    fraction = _fraction(percent)
    x0, y0 = _gauge_point(Decimal(0))
    x1, y1 = _gauge_point(Decimal(1))
    track = (
        f"M {_num(x0)} {_num(y0)} A {_num(_GAUGE_R)} {_num(_GAUGE_R)} 0 0 1 {_num(x1)} {_num(y1)}"
    )
    value = _gauge_path(fraction)
    label = format_percent(fraction, format="#,##0.#%", locale=loc)
    parts = [
        _open(ident, _GAUGE_W, _GAUGE_H, title, description, "pk-gauge"),
        f'<path class="pk-gauge-track" d="{track}" fill="none" stroke="{TRACK}" '
        'stroke-width="10"/>',
    ]
    if value is not None:
        parts.append(
            f'<path class="pk-gauge-value" d="{value}" fill="none" stroke="{ACCENT}" '
            'stroke-width="12" stroke-linecap="butt"/>'
        )
    parts.append(
        f'<text x="{_num(_GAUGE_CX)}" y="{_num(_GAUGE_CY - 4)}" text-anchor="middle" '
        f'font-size="16" font-weight="bold" fill="{INK}">{_esc(label)}</text></svg>'
    )
    return "".join(parts)


# -- RAG badge ---------------------------------------------------------------------------------


def _text_width(text: str, size: float) -> float:
    """A generous estimate of ``text``'s width at font ``size`` (wide characters count double)."""
    import unicodedata

    units = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return units * size * 0.62


@isolated
def rag_badge_svg(rag: Rag | None, locale: str | Locale = "en", *, ident: str = "badge") -> str:
    """A status badge carrying the translated word (not only the colour) of ``rag``.

    ``None`` (nothing to judge) gives a neutral "No target" badge.
    """
    loc = _locale(locale)
    ident = _ident(ident)
    word = rag.label(loc) if rag is not None else gettext("No target", loc)
    background, ink = BADGE_COLOURS[rag]
    width = _text_width(word, 13) + 20
    status = gettext("Status: {status}", loc).format(status=word)
    key = rag.value if rag is not None else "none"
    return (
        _open(ident, width, 24, word, status, f"pk-badge pk-rag-{key}").replace(
            "<svg ", f'<svg data-rag="{key}" ', 1
        )
        + f'<rect class="pk-badge-bg" x="0.5" y="0.5" width="{_num(width - 1)}" height="23" '
        f'rx="11.5" fill="{background}" stroke="{ink}" stroke-width="1"/>'
        f'<text class="pk-badge-word" x="{_num(width / 2)}" y="16.5" text-anchor="middle" '
        f'font-size="13" font-weight="bold" fill="{ink}">{_esc(word)}</text></svg>'
    )


# -- quarter bars ------------------------------------------------------------------------------

_BARS_H = 120.0  # the drawing height of the tallest bar
_BARS_TOP, _BARS_BOTTOM = 28.0, 36.0  # room for value labels above and period labels below
_BAR_W, _BAR_GAP = 44.0, 28.0


def _bar_heights(values: Sequence[Decimal | None], height: float) -> list[float | None]:
    """Bar heights proportional to ``values`` with the largest at ``height``.

    None (a quarter not begun) stays None; all zero draws zero-height bars;
    negative values draw as zero.
    """
    top = max((v for v in values if v is not None and v > 0), default=Decimal(0))
    if top <= 0:
        return [None if v is None else 0.0 for v in values]
    return [None if v is None else float(max(v, Decimal(0)) / top) * height for v in values]


def _quarter_label(period: str) -> str:
    return period.upper()


@isolated
def quarter_bars_svg(
    quarters: Sequence[QuarterArr],
    locale: str | Locale = "en",
    *,
    ident: str = "quarters",
    title: str | None = None,
) -> str:
    """ARR per fiscal quarter (new and upsell, stacked) against each quarter's target.

    Bars are proportional to the values; a quarter with zero ARR is a
    zero-height bar with its label; a quarter not begun is a dashed
    placeholder marked "not begun"; a target is a dashed line across its
    bar.
    """
    loc = _locale(locale)
    ident = _ident(ident)
    title = gettext("ARR per quarter", loc) if title is None else title
    totals: list[Decimal | None] = []
    for q in quarters:
        if q.new_arr is None:
            totals.append(None)
        else:
            upsell = q.upsell_arr.amount if q.upsell_arr is not None else Decimal(0)
            totals.append(q.new_arr.amount + upsell)
    scale_values = list(totals) + [
        q.target.amount if q.target is not None else None for q in quarters
    ]
    heights = _bar_heights(scale_values, _BARS_H)
    not_begun = gettext("not begun", loc)
    lines = []
    for q in quarters:
        name = _quarter_label(q.period)
        if q.new_arr is None:
            lines.append(f"{name}: {not_begun}")
            continue
        upsell_arr = q.upsell_arr if q.upsell_arr is not None else Money.zero(q.new_arr.currency)
        text = gettext("{quarter}: new ARR {new}, upsell ARR {upsell}", loc).format(
            quarter=name, new=q.new_arr.format(str(loc)), upsell=upsell_arr.format(str(loc))
        )
        if q.target is not None:
            text += ", " + gettext("target {target}", loc).format(target=q.target.format(str(loc)))
        if q.status.rag is not None:
            text += f" ({q.status.rag.label(loc)})"
        lines.append(text)
    width = len(quarters) * (_BAR_W + _BAR_GAP) + _BAR_GAP
    height = _BARS_TOP + _BARS_H + _BARS_BOTTOM
    base = _BARS_TOP + _BARS_H
    parts = [
        _open(ident, width, height, title, "; ".join(lines) or not_begun, "pk-bars"),
        f'<line x1="0" y1="{_num(base)}" x2="{_num(width)}" y2="{_num(base)}" '
        f'stroke="{MUTED}" stroke-width="1"/>',
    ]
    for i, q in enumerate(quarters):
        x = _BAR_GAP + i * (_BAR_W + _BAR_GAP)
        mid = x + _BAR_W / 2
        bar = heights[i]
        if bar is None or q.new_arr is None:
            parts.append(
                f'<rect class="pk-bar-missing" data-period="{_esc(q.period)}" x="{_num(x)}" '
                f'y="{_num(_BARS_TOP)}" width="{_num(_BAR_W)}" height="{_num(_BARS_H)}" '
                f'fill="none" stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="4 4"/>'
                f'<text x="{_num(mid)}" y="{_num(_BARS_TOP + _BARS_H / 2)}" text-anchor="middle" '
                f'font-size="18" fill="{MUTED}">\u2014</text>'
                f'<text x="{_num(mid)}" y="{_num(_BARS_TOP - 8)}" text-anchor="middle" '
                f'font-size="10" fill="{MUTED}">{_esc(not_begun)}</text>'
            )
        else:
            upsell_amount = q.upsell_arr.amount if q.upsell_arr is not None else Decimal(0)
            total = q.new_arr.amount + upsell_amount
            new_h = bar * float(q.new_arr.amount / total) if total > 0 else 0.0
            up_h = bar - new_h
            parts.append(
                f'<rect class="pk-bar" data-period="{_esc(q.period)}" x="{_num(x)}" '
                f'y="{_num(base - new_h)}" width="{_num(_BAR_W)}" height="{_num(new_h)}" '
                f'fill="{ACCENT}"/>'
            )
            if up_h > 0:
                parts.append(
                    f'<rect class="pk-bar-upsell" data-period="{_esc(q.period)}" x="{_num(x)}" '
                    f'y="{_num(base - bar)}" width="{_num(_BAR_W)}" height="{_num(up_h)}" '
                    f'fill="{ACCENT_LIGHT}"/>'
                )
            total_money = q.new_arr + (
                q.upsell_arr if q.upsell_arr is not None else Money.zero(q.new_arr.currency)
            )
            parts.append(
                f'<text x="{_num(mid)}" y="{_num(base - bar - 6)}" text-anchor="middle" '
                f'font-size="9" fill="{INK}">{_esc(_compact(total_money, loc))}</text>'
            )
        target_h = heights[len(quarters) + i]
        if target_h is not None:
            y = base - target_h
            parts.append(
                f'<line class="pk-target" x1="{_num(x - 4)}" y1="{_num(y)}" '
                f'x2="{_num(x + _BAR_W + 4)}" y2="{_num(y)}" stroke="{INK}" stroke-width="2" '
                'stroke-dasharray="5 3"/>'
            )
        parts.append(
            f'<text x="{_num(mid)}" y="{_num(base + 16)}" text-anchor="middle" font-size="12" '
            f'fill="{INK}">{_esc(_quarter_label(q.period))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _compact(value: Money, loc: Locale) -> str:
    """A short money label for a chart (``€15K``); the exact amounts are in the description."""
    return str(format_compact_currency(value.amount, value.currency, locale=loc, fraction_digits=1))


# -- sparkline ---------------------------------------------------------------------------------

_SPARK_W, _SPARK_H, _SPARK_PAD = 160.0, 40.0, 4.0


def _spark_segments(
    points: Sequence[TrendPoint], width: float = _SPARK_W, height: float = _SPARK_H
) -> list[list[tuple[float, float]]]:
    """The polylines of a trend: x by day, y by value, broken where a value is None."""
    known = [(d, _amount(v)) for d, v in points if v is not None]
    if not known:
        return []
    first = min(d for d, _ in points).toordinal()
    last = max(d for d, _ in points).toordinal()
    low = min(v for _, v in known)
    high = max(v for _, v in known)
    span_x = max(last - first, 1)
    inner_w, inner_h = width - 2 * _SPARK_PAD, height - 2 * _SPARK_PAD
    segments: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for day, value in sorted(points, key=lambda p: p[0]):
        if value is None:
            if current:
                segments.append(current)
            current = []
            continue
        x = _SPARK_PAD + inner_w * (day.toordinal() - first) / span_x
        share = float((_amount(value) - low) / (high - low)) if high > low else 0.5
        current.append((x, height - _SPARK_PAD - inner_h * share))
    if current:
        segments.append(current)
    return segments


@isolated
def sparkline_svg(
    points: Sequence[TrendPoint],
    locale: str | Locale = "en",
    *,
    title: str,
    ident: str = "trend",
) -> str:
    """A small trend line (e.g. the last 90 days of a criterion), with gaps where a day is None.

    The description names the first and last day and values, and the
    lowest and highest value, in ``locale``.
    """
    loc = _locale(locale)
    ident = _ident(ident)
    known = [(d, v) for d, v in sorted(points, key=lambda p: p[0]) if v is not None]
    if known:
        low = min(known, key=lambda p: _amount(p[1]))[1]
        high = max(known, key=lambda p: _amount(p[1]))[1]
        desc = gettext(
            "From {first} on {first_day} to {last} on {last_day}; lowest {low}, highest {high}",
            loc,
        ).format(
            first=_format(known[0][1], loc),
            first_day=format_date(known[0][0], format="medium", locale=loc),
            last=_format(known[-1][1], loc),
            last_day=format_date(known[-1][0], format="medium", locale=loc),
            low=_format(low, loc),
            high=_format(high, loc),
        )
        gaps = sum(1 for _, v in points if v is None)
        if gaps:
            desc += "; " + gettext("{n} days without data", loc).format(
                n=format_decimal(gaps, locale=loc)
            )
    else:
        desc = gettext("No data", loc)
    parts = [_open(ident, _SPARK_W, _SPARK_H, title, desc, "pk-spark")]
    for segment in _spark_segments(points):
        if len(segment) == 1:
            x, y = segment[0]
            parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="1.8" fill="{ACCENT}"/>')
        else:
            d = " ".join(
                f"{'M' if i == 0 else 'L'} {_num(x)} {_num(y)}" for i, (x, y) in enumerate(segment)
            )
            parts.append(
                f'<path class="pk-spark-line" d="{d}" fill="none" stroke="{ACCENT}" '
                'stroke-width="1.8" stroke-linejoin="round"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


# -- registrations by stage --------------------------------------------------------------------

_STAGES_W, _STAGE_BAR_H, _LEGEND_ROW = 320.0, 22.0, 20.0


def _segment_widths(counts: Sequence[int], width: float) -> list[float]:
    """Widths of the stacked bar's segments: proportional to ``counts``, summing to ``width``."""
    total = sum(max(c, 0) for c in counts)
    if total == 0:
        return [0.0 for _ in counts]
    return [width * max(c, 0) / total for c in counts]


@isolated
def stages_bar_svg(
    stages: Sequence[StageCount],
    locale: str | Locale = "en",
    *,
    ident: str = "stages",
    title: str | None = None,
) -> str:
    """The year's registrations by stage: one stacked bar and a legend with counts and values."""
    loc = _locale(locale)
    ident = _ident(ident)
    title = gettext("Registrations by stage", loc) if title is None else title
    entries = [
        (
            deal_stage_label(s.stage, loc),
            format_decimal(s.count, locale=loc),
            s.value.format(str(loc)),
        )
        for s in stages
    ]
    desc = (
        "; ".join(f"{label}: {count} ({value})" for label, count, value in entries)
        if entries
        else gettext("No registrations", loc)
    )
    height = _STAGE_BAR_H + 12 + _LEGEND_ROW * max(len(stages), 1)
    parts = [_open(ident, _STAGES_W, height, title, desc, "pk-stages")]
    widths = _segment_widths([s.count for s in stages], _STAGES_W)
    x = 0.0
    if not stages:
        parts.append(
            f'<rect x="0.5" y="0.5" width="{_num(_STAGES_W - 1)}" height="{_num(_STAGE_BAR_H)}" '
            f'fill="none" stroke="{MUTED}" stroke-dasharray="4 4"/>'
        )
    for i, (stage, w) in enumerate(zip(stages, widths, strict=True)):
        colour = STAGE_COLOURS[i % len(STAGE_COLOURS)]
        parts.append(
            f'<rect class="pk-stage" data-stage="{_esc(stage.stage.value)}" x="{_num(x)}" y="0" '
            f'width="{_num(w)}" height="{_num(_STAGE_BAR_H)}" fill="{colour}" '
            f'stroke="{BACKGROUND}" stroke-width="1"/>'
        )
        x += w
    for i, (label, count, value) in enumerate(entries):
        colour = STAGE_COLOURS[i % len(STAGE_COLOURS)]
        y = _STAGE_BAR_H + 12 + i * _LEGEND_ROW
        parts.append(
            f'<rect x="0" y="{_num(y)}" width="12" height="12" fill="{colour}"/>'
            f'<text x="18" y="{_num(y + 10.5)}" font-size="12" fill="{INK}">'
            f"{_esc(label)}: {_esc(count)} ({_esc(value)})</text>"
        )
    if not entries:
        parts.append(
            f'<text x="0" y="{_num(_STAGE_BAR_H + 24)}" font-size="12" fill="{MUTED}">'
            f"{_esc(desc)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


# -- the whole dashboard as one picture --------------------------------------------------------

_PAGE_W = 720.0


def _placed(svg: str, x: float, y: float) -> str:
    """``svg`` (a chart of this module) placed at ``x``, ``y`` inside another SVG."""
    return svg.replace("<svg ", f'<svg x="{_num(x)}" y="{_num(y)}" ', 1)


@isolated
def dashboard_svg(board: PartnerDashboard, locale: str | Locale = "en") -> str:
    """The dashboard's core criteria as one standalone SVG picture, in ``locale``.

    For a slide or an e-mail that takes no HTML: the partner and the day, then
    each area with its criteria (status badge with its word, and the
    one-line explanation), the ARR per quarter and the plans' completion. The
    secondary views are the HTML page's (:func:`dashboard_html`).
    """
    loc = _locale(locale)
    y = 16.0
    body: list[str] = []
    heading = gettext("Program Success Dashboard", loc)
    body.append(
        f'<text x="0" y="{_num(y + 12)}" font-size="18" font-weight="bold" fill="{INK}">'
        f"{_esc(heading)}: {_esc(board.partner_name)}</text>"
    )
    y += 22
    day = format_date(board.as_of, format="long", locale=loc)
    body.append(f'<text x="0" y="{_num(y + 12)}" font-size="13" fill="{MUTED}">{_esc(day)}</text>')
    y += 30
    for area in DashboardArea:
        body.append(
            f'<text x="0" y="{_num(y + 14)}" font-size="15" font-weight="bold" fill="{INK}">'
            f"{_esc(area.label(loc))}</text>"
        )
        y += 26
        for criterion in board.area(area):
            badge = rag_badge_svg(criterion.rag, loc, ident=f"dash-{criterion.key}")
            body.append(_placed(badge, 0, y))
            body.append(
                f'<text x="110" y="{_num(y + 16)}" font-size="13" fill="{INK}">'
                f"{_esc(criterion.explain(loc))}</text>"
            )
            y += 30
        y += 8
    body.append(_placed(quarter_bars_svg(board.quarters, loc, ident="dash-quarters"), 0, y))
    completion = board.criterion("plan_completion").actual
    if isinstance(completion, Decimal):
        label = gettext("Plan completion", loc)
        gauge = gauge_svg(
            completion, title=label, description=label, ident="dash-plans", locale=loc
        )
        body.append(_placed(gauge, _PAGE_W - _GAUGE_W, y))
    y += _BARS_TOP + _BARS_H + _BARS_BOTTOM + 16
    title = f"{heading}: {board.partner_name}"
    described = "; ".join(c.explain(loc) for c in board.criteria)
    return (
        _open("dashboard", _PAGE_W, y, title, described, "pk-dashboard")
        + "".join(body)
        + ("</svg>")
    )
