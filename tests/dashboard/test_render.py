"""Rendering the dashboard: chart geometry, escaping, contrast, self-containment, localization."""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from xml.etree import ElementTree

import attrs
import pytest
from babel.dates import format_date
from babel.numbers import format_currency
from dashboard_boards import AS_OF, HOSTILE, board, trend

from partnerkit.core import Money
from partnerkit.core.errors import ValidationError
from partnerkit.dashboard import (
    QuarterArr,
    StageCount,
    dashboard_html,
    dashboard_text,
    gauge_svg,
    quarter_bars_svg,
    rag_badge_svg,
    sparkline_svg,
    stages_bar_svg,
)
from partnerkit.dashboard._html import _clean
from partnerkit.dashboard._svg import (
    _GAUGE_CX,
    _GAUGE_CY,
    _GAUGE_R,
    ACCENT,
    ACCENT_LIGHT,
    BACKGROUND,
    BADGE_COLOURS,
    INK,
    MUTED,
    STAGE_COLOURS,
    _bar_heights,
    _gauge_path,
    _gauge_point,
    _num,
    _segment_widths,
    _spark_segments,
    contrast_ratio,
)
from partnerkit.deals import Stage
from partnerkit.locale import gettext
from partnerkit.scoring import KpiStatus, Rag

SVG = "{http://www.w3.org/2000/svg}"


def eur(amount: str) -> Money:
    """Euros."""
    return Money(amount, "EUR")


def parse_svg(svg: str) -> ElementTree.Element:
    """The chart as XML: it must be well-formed on its own."""
    return ElementTree.fromstring(svg)


def sweep_fraction(point: tuple[float, float]) -> float:
    """Which share of the half-circle sweep ends at ``point`` (measured back from its angle)."""
    x, y = point
    return 1 - math.atan2(_GAUGE_CY - y, x - _GAUGE_CX) / math.pi


# -- gauge -------------------------------------------------------------------------------------


@pytest.mark.parametrize("percent", [0, 1, 37, 50, 63, 99, 100])
def test_the_gauge_arc_ends_at_its_share_of_the_sweep(percent: int) -> None:
    point = _gauge_point(Decimal(percent) / 100)
    assert math.dist(point, (_GAUGE_CX, _GAUGE_CY)) == pytest.approx(_GAUGE_R)
    assert sweep_fraction(point) == pytest.approx(percent / 100)


def test_the_gauge_for_37_percent_draws_37_percent_of_the_half_circle() -> None:
    x, y = _gauge_point(Decimal("0.37"))
    angle = math.pi * 0.63  # 37 % of 180 degrees from the left end
    assert (x, y) == pytest.approx(
        (_GAUGE_CX + _GAUGE_R * math.cos(angle), _GAUGE_CY - _GAUGE_R * math.sin(angle))
    )
    assert x < _GAUGE_CX  # short of the top
    path = _gauge_path(Decimal("0.37"))
    assert path is not None
    assert path.endswith(f"{_num(x)} {_num(y)}")
    svg = parse_svg(gauge_svg(37, title="Plan", description="37 % complete"))
    value = svg.find(f"{SVG}path[@class='pk-gauge-value']")
    assert value is not None
    assert value.get("d") == path
    assert "37%" in "".join(svg.itertext())


def test_the_gauge_at_zero_draws_no_arc_and_at_100_the_whole_sweep() -> None:
    empty = parse_svg(gauge_svg(0, title="Plan", description="nothing done"))
    assert empty.find(f"{SVG}path[@class='pk-gauge-value']") is None
    assert "0%" in "".join(empty.itertext())
    full = parse_svg(gauge_svg(100, title="Plan", description="done"))
    value = full.find(f"{SVG}path[@class='pk-gauge-value']")
    assert value is not None
    assert value.get("d") == f"M 12 {62:g} A 48 48 0 0 1 108 62"
    # Out-of-range figures are clamped, not drawn past the ends.
    assert gauge_svg(150, title="t", description="d") == gauge_svg(100, title="t", description="d")
    assert gauge_svg(-5, title="t", description="d") == gauge_svg(0, title="t", description="d")


# -- bars --------------------------------------------------------------------------------------


def test_bar_heights_are_proportional_and_keep_missing_apart_from_zero() -> None:
    heights = _bar_heights([Decimal(10000), Decimal(5000), Decimal(0), None], 120)
    assert heights == [120.0, 60.0, 0.0, None]
    assert _bar_heights([Decimal(0), None], 120) == [0.0, None]
    assert _bar_heights([Decimal(3), Decimal(1)], 90) == [90.0, 30.0]


def quarters() -> tuple[QuarterArr, ...]:
    none = KpiStatus(None, None, None)
    return (
        QuarterArr("q1", date(2026, 1, 1), date(2026, 3, 31), eur("10000"), eur("0"), eur("6000"),
                   KpiStatus(Decimal(166), Decimal(166), Rag.GREEN)),
        QuarterArr("q2", date(2026, 4, 1), date(2026, 6, 30), eur("4000"), eur("1000"), None, none),
        QuarterArr("q3", date(2026, 7, 1), date(2026, 9, 30), eur("0"), eur("0"), None, none),
        QuarterArr("q4", date(2026, 10, 1), date(2026, 12, 31), None, None, None, none),
    )  # fmt: skip


def test_quarter_bars_are_proportional_with_zero_as_a_flat_bar_and_missing_as_a_placeholder() -> (
    None
):
    svg = parse_svg(quarter_bars_svg(quarters(), "en"))
    bars = {r.get("data-period"): r for r in svg.iter(f"{SVG}rect") if r.get("class") == "pk-bar"}
    upsell = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "pk-bar-upsell"]
    missing = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "pk-bar-missing"]
    height = {k: float(r.get("height", "nan")) for k, r in bars.items()}
    assert set(bars) == {"q1", "q2", "q3"}
    assert height["q1"] == 120
    assert height["q2"] == pytest.approx(48)  # 4,000 of 10,000
    assert [float(r.get("height", "nan")) for r in upsell] == [pytest.approx(12)]  # 1,000
    assert height["q3"] == 0  # zero ARR: a bar of no height, labelled
    assert [r.get("data-period") for r in missing] == ["q4"]
    assert missing[0].get("stroke-dasharray")
    text = list(svg.itertext())
    assert "Q3" in text
    assert "€0" in text
    assert "not begun" in text
    assert "\u2014" in text
    # The target is a line at its own height: 6,000 of 10,000.
    (target,) = (e for e in svg.iter(f"{SVG}line") if e.get("class") == "pk-target")
    base = float(height["q1"]) + float(bars["q1"].get("y", "nan"))
    assert base - float(target.get("y1", "nan")) == pytest.approx(72)
    desc = svg.find(f"{SVG}desc")
    assert desc is not None
    assert desc.text is not None
    assert "Q4: not begun" in desc.text
    assert "target €6,000.00" in desc.text


def test_stage_segments_are_proportional_to_counts_and_fill_the_bar() -> None:
    assert _segment_widths([3, 1], 320) == [240, 80]
    assert _segment_widths([0, 0], 320) == [0, 0]
    stages = (
        StageCount(Stage.APPROVED, 3, Money("300", "EUR")),
        StageCount(Stage.DECLINED, 1, Money("100", "EUR")),
    )
    svg = parse_svg(stages_bar_svg(stages, "en"))
    widths = [float(r.get("width", "nan")) for r in svg.iter(f"{SVG}rect") if r.get("data-stage")]
    assert widths == [240, 80]
    assert "Approved: 3 (€300.00)" in "".join(svg.itertext())
    empty = parse_svg(stages_bar_svg((), "en"))
    assert "No registrations" in "".join(empty.itertext())


def test_the_sparkline_breaks_at_missing_days() -> None:
    points = trend()
    segments = _spark_segments(points)
    assert [len(s) for s in segments] == [45, 40]
    xs = [x for segment in segments for x, _ in segment]
    assert xs == sorted(xs)
    # Rising values draw upwards (screen y falls).
    assert segments[0][0][1] > segments[-1][-1][1]
    svg = parse_svg(sparkline_svg(points, "en", title="New ARR"))
    assert len(list(svg.iter(f"{SVG}path"))) == 2
    desc = svg.find(f"{SVG}desc")
    assert desc is not None
    assert desc.text is not None
    assert "5 days without data" in desc.text
    assert _spark_segments([(AS_OF, None)]) == []
    single = parse_svg(sparkline_svg([(AS_OF, 3)], "en", title="t"))
    assert len(list(single.iter(f"{SVG}circle"))) == 1


# -- accessibility -----------------------------------------------------------------------------


def all_charts() -> list[str]:
    b = board()
    return [
        gauge_svg(37, title="Plan", description="37 % complete"),
        quarter_bars_svg(b.quarters, "en"),
        rag_badge_svg(Rag.GREEN, "en"),
        rag_badge_svg(None, "en"),
        sparkline_svg(trend(), "en", title="New ARR"),
        stages_bar_svg(b.stages, "en"),
    ]


@pytest.mark.parametrize("index", range(6))
def test_every_chart_is_an_image_with_a_title_and_a_description(index: int) -> None:
    svg = parse_svg(all_charts()[index])
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None
    assert title.text
    assert desc is not None
    assert desc.text
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "<script" not in all_charts()[index]


@pytest.mark.parametrize("rag", [Rag.RED, Rag.AMBER, Rag.GREEN, None])
def test_a_badge_carries_the_translated_word_not_only_the_colour(rag: Rag | None) -> None:
    svg = parse_svg(rag_badge_svg(rag, "de_DE"))
    word = rag.label("de_DE") if rag is not None else gettext("No target", "de_DE")
    assert word in list(svg.itertext())
    rect = svg.find(f"{SVG}rect")
    assert rect is not None
    assert rect.get("fill") == BADGE_COLOURS[rag][0]
    assert svg.get("data-rag") == (rag.value if rag is not None else "none")


def test_the_contrast_ratio_matches_the_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ffffff", "#767676") == pytest.approx(4.54, abs=0.01)
    with pytest.raises(ValueError, match="colour"):
        contrast_ratio("red", "#ffffff")


@pytest.mark.parametrize("rag", [Rag.RED, Rag.AMBER, Rag.GREEN, None])
def test_badge_text_meets_wcag_aa_on_its_background(rag: Rag | None) -> None:
    background, ink = BADGE_COLOURS[rag]
    assert contrast_ratio(ink, background) >= 4.5


@pytest.mark.parametrize("ink", [INK, MUTED])
def test_text_on_the_page_meets_wcag_aa(ink: str) -> None:
    assert contrast_ratio(ink, BACKGROUND) >= 4.5


@pytest.mark.parametrize("shape", [ACCENT, ACCENT_LIGHT, *STAGE_COLOURS])
def test_chart_shapes_meet_the_non_text_contrast_on_white(shape: str) -> None:
    assert contrast_ratio(shape, BACKGROUND) >= 3


def test_every_colour_in_the_page_is_one_the_contrast_tests_cover() -> None:
    page = dashboard_html(board(), trends={"new_arr": trend()})
    used = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", page)}
    tested = {c.lower() for pair in BADGE_COLOURS.values() for c in pair}
    tested |= {INK, MUTED, BACKGROUND, ACCENT, ACCENT_LIGHT, *STAGE_COLOURS}
    # Borders, rules and the gauge's empty track are decoration; they carry no information.
    decoration = {"#d0d0d0", "#c8c8c8", "#dddddd", "#dcdcdc"}
    assert used <= tested | decoration


# -- escaping ----------------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes |= {name for name, _ in attrs}

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_hostile_names_and_reasons_render_as_text_in_the_page() -> None:
    page = dashboard_html(board(text=HOSTILE), title=HOSTILE)
    assert "<script" not in page.lower()
    parser = _Collector()
    parser.feed(page)
    assert "script" not in parser.tags
    text = "".join(parser.text)
    # The partner, a user, a certification, a decline reason, a plan, a service, a customer.
    assert text.count(HOSTILE) >= 8
    assert "Adam Brown" + HOSTILE in text
    assert "Customer already in negotiation" + HOSTILE in text


def test_quotes_in_data_cannot_break_out_of_an_attribute() -> None:
    evil = '" onmouseover="alert(1)'
    page = dashboard_html(board(text=evil))
    assert '" onmouseover' not in page
    parser = _Collector()
    parser.feed(page)
    assert "onmouseover" not in parser.attributes
    assert "Adam Brown" + evil in "".join(parser.text)
    svg = rag_badge_svg(Rag.RED, "en", ident='x" onload="alert(1)')
    assert "onload" not in parse_svg(svg).attrib


def test_hostile_text_in_a_chart_is_escaped_and_the_svg_stays_well_formed() -> None:
    svg = gauge_svg(10, title=HOSTILE, description=HOSTILE + " & more")
    tree = parse_svg(svg)
    title = tree.find(f"{SVG}title")
    assert title is not None
    assert title.text == HOSTILE
    assert "<script" not in svg


def test_the_text_rendering_keeps_hostile_data_as_inert_text() -> None:
    text = dashboard_text(board(text=HOSTILE + "\x1b[2J\nFAKE LINE\u202e"), width=300)
    assert "\x1b" not in text
    assert "\u202e" not in text
    assert "\nFAKE LINE" not in text
    assert "Adam Brown" + HOSTILE in text
    assert _clean("a\tb\x00c") == "a b\ufffdc"


# -- the page ----------------------------------------------------------------------------------


def test_the_page_is_self_contained_without_scripts_or_remote_references() -> None:
    page = dashboard_html(board(), trends={"new_arr": trend()})
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    for forbidden in ("http://", "https://", "<script", "javascript:", "@import", "url(", "<link"):
        assert forbidden not in page.lower()
    assert '<html lang="en" dir="ltr">' in page


def test_the_sections_come_in_order_with_each_criterion_badge_and_explanation() -> None:
    b = board()
    page = dashboard_html(b)
    positions = [page.index(f'id="area-{a}"') for a in ("arr", "deals", "training", "plans")]
    assert positions == sorted(positions)
    for criterion in b.criteria:
        item = page[page.index(f'data-key="{criterion.key}"') :]
        item = item[: item.index("</li>")]
        assert f'data-rag="{criterion.rag.value if criterion.rag else "none"}"' in item
        assert criterion.explain("en").replace("'", "&#x27;") in item
    assert page.count("<details>") == 7


def test_the_secondary_views_show_their_records() -> None:
    page = dashboard_html(board())
    for text in (
        "Zoë Adams-Oberhauser-Wittgenstein",
        "Duplicate registration",
        "Onboarding workshop",
        "SUB-7",
        "Marketing plan",
        "Signed off",
        "Order submitted",
        "€48,000.00",
    ):
        assert text in page


@pytest.mark.parametrize("locale", ["de_DE", "fr_FR"])
def test_figures_are_formatted_for_the_locale(locale: str) -> None:
    b = board()
    page = dashboard_html(b, locale)
    text = dashboard_text(b, locale)
    lang = locale.replace("_", "-")
    assert f'<html lang="{lang}" dir="ltr">' in page
    for amount in ("15000", "48000", "9600"):
        expected = format_currency(Decimal(amount), "EUR", locale=locale)
        assert expected in page
        assert expected in text
    assert format_date(AS_OF, format="medium", locale=locale) in page
    assert Rag.RED.label(locale) in page
    assert "€15,000.00" not in page


def test_german_amounts_look_like_german_amounts() -> None:
    assert "15.000,00\xa0€" in dashboard_html(board(), "de_DE")
    assert "15\u202f000,00\xa0€" in dashboard_html(board(), "fr_FR")


@pytest.mark.parametrize("render", [dashboard_html, dashboard_text])
def test_an_unknown_locale_is_a_validation_error(render: object) -> None:
    with pytest.raises(ValidationError) as caught:
        render(board(), "xx_NOPE")  # type: ignore[operator]
    assert [e.path for e in caught.value.errors] == ["locale"]


@pytest.mark.parametrize(
    "chart",
    [
        lambda: quarter_bars_svg((), "xx_NOPE"),
        lambda: rag_badge_svg(Rag.RED, "xx_NOPE"),
        lambda: stages_bar_svg((), "xx_NOPE"),
        lambda: sparkline_svg([], "xx_NOPE", title="t"),
        lambda: gauge_svg(1, title="t", description="d", locale="xx_NOPE"),
    ],
)
def test_charts_refuse_an_unknown_locale(chart: object) -> None:
    with pytest.raises(ValidationError):
        chart()  # type: ignore[operator]


def test_the_text_rendering_aligns_columns_and_names_every_status() -> None:
    text = dashboard_text(board(), width=100)
    lines = text.splitlines()
    assert lines[0] == "Program Success Dashboard: Acme Cloud Services GmbH"
    assert "Overall status: RED" in text
    assert "[Red]" in text
    assert "[Amber]" in text
    assert "[Green]" in text
    assert "[No target]" in text
    header = next(line for line in lines if line.lstrip().startswith("Quarter"))
    rows = [line for line in lines if re.match(r"\s+Q[1-4]\s", line)]
    assert len(rows) == 4
    # Amounts are right-aligned under their heading.
    end = header.index("New ARR") + len("New ARR")
    assert {row[:end].rstrip()[-1] for row in rows} <= {"0", "n"}
    assert all(len(line) <= 100 for line in lines)


def test_the_text_rendering_stacks_tables_that_do_not_fit_the_width() -> None:
    narrow = dashboard_text(board(), width=40)
    assert all(len(line) <= 40 for line in narrow.splitlines())
    assert "Quarter: Q4" in narrow
    assert "New ARR: not begun" in narrow


def test_a_custom_title_replaces_the_default() -> None:
    page = dashboard_html(attrs.evolve(board(), renewals=()), title="Acme & Co")
    assert "<title>Acme &amp; Co</title>" in page
    assert "No renewals due" in page


@pytest.mark.parametrize("locale", ["en", "ja", "ar"])
def test_an_empty_dashboard_renders_with_every_view_saying_so(locale: str) -> None:
    empty = attrs.evolve(
        board(), stages=(), declines=(), certified=(), plans=(), services=(), renewals=()
    )
    page = dashboard_html(empty, locale)
    text = dashboard_text(empty, locale)
    for message in ("No registrations", "No certified users", "No plans", "No services bought"):
        assert gettext(message, locale) in page
        assert gettext(message, locale) in text
    parse_svg(stages_bar_svg((), locale))
    assert f'dir="{"rtl" if locale == "ar" else "ltr"}"' in page
