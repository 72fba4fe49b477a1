"""The dashboard page as a person sees it: rendered by a real headless Chromium.

Chromium is driven over the DevTools protocol on a pipe (tests/dashboard/cdp_browser.py,
standard library only). Without a Chromium these tests skip, except in CI
(``PARTNERKIT_REQUIRE_BROWSER=1``), where a missing browser fails them.
Screenshots go to ``$PARTNERKIT_ARTIFACTS/screenshots`` (default
``artifacts/screenshots`` at the repository root, git-ignored).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cdp_browser import Browser, find_chromium
from dashboard_boards import HOSTILE, board, trend

from partnerkit.dashboard import dashboard_html
from partnerkit.dashboard._svg import BADGE_COLOURS
from partnerkit.locale import gettext
from partnerkit.scoring import Rag

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get("PARTNERKIT_REQUIRE_BROWSER", "") == "1"
WIDTHS = (375, 1280)


def screenshots() -> Path:
    """Where the screenshots go: ``$PARTNERKIT_ARTIFACTS/screenshots`` or artifacts/ in the repo."""
    base = os.environ.get("PARTNERKIT_ARTIFACTS")
    return (Path(base) if base else ROOT / "artifacts") / "screenshots"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium for the module; skip without one (fail in CI)."""
    executable = find_chromium()
    if executable is None:
        reason = "no Chromium found (install the chromium package or set PARTNERKIT_CHROMIUM)"
        if REQUIRED:
            pytest.fail(f"PARTNERKIT_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    instance = Browser(executable, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The dashboard written to files: English, German and one with hostile data."""
    folder = tmp_path_factory.mktemp("pages")
    trends = {"new_arr": trend(), "upsell_arr": trend(30)}
    written = {}
    for name, html in {
        "en": dashboard_html(board(), "en", trends=trends),
        "de_DE": dashboard_html(board(), "de_DE", trends=trends),
        "hostile": dashboard_html(board(text=HOSTILE), "en", title=HOSTILE),
    }.items():
        path = folder / f"dashboard-{name}.html"
        path.write_text(html, encoding="utf-8")
        written[name] = path
    return written


def open_all(browser: Browser, page: Path, width: int) -> None:
    """Load ``page`` at ``width`` and open every secondary view, as a reader would."""
    browser.open(page, width)
    browser.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["en", "de_DE", "hostile"])
def test_the_page_does_not_overflow_horizontally(
    browser: Browser, pages: dict[str, Path], name: str, width: int
) -> None:
    measure = "[document.documentElement.scrollWidth, window.innerWidth]"
    browser.open(pages[name], width)
    closed: list[int] = browser.evaluate(measure)
    open_all(browser, pages[name], width)
    opened: list[int] = browser.evaluate(measure)
    # On a phone a too-wide element widens the layout viewport itself (innerWidth grows
    # past the screen), so both the page and the viewport are held to the screen's width.
    assert closed == [width, width]
    assert opened == [width, width]
    # No element sticks out to the right (overflow could be clipped by a container).
    wider: list[str] = browser.evaluate(
        "Array.from(document.querySelectorAll('body *'))"
        f".filter(e => e.getBoundingClientRect().right > {width} + 0.5)"
        ".map(e => e.tagName + '.' + e.getAttribute('class'))"
    )
    assert wider == []
    browser.screenshot(screenshots() / f"dashboard-{name}-{width}.png")


def _badges(browser: Browser) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = browser.evaluate(
        """Array.from(document.querySelectorAll('svg.pk-badge')).map(svg => {
            const rect = svg.querySelector('rect'), word = svg.querySelector('text');
            const box = svg.getBoundingClientRect(), text = word.getBoundingClientRect();
            return {rag: svg.dataset.rag, fill: getComputedStyle(rect).fill,
                    colour: getComputedStyle(word).fill, word: word.textContent,
                    visible: box.width > 0 && box.height > 0,
                    fits: text.left >= box.left && text.right <= box.right,
                    label: svg.getAttribute('aria-labelledby')};
        })"""
    )
    return found


def _rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("name", "locale"), [("en", "en"), ("de_DE", "de_DE")])
def test_each_badge_shows_its_colour_and_its_word(
    browser: Browser, pages: dict[str, Path], name: str, locale: str, width: int
) -> None:
    open_all(browser, pages[name], width)
    badges = _badges(browser)
    b = board()
    # The overall badge, one per criterion, one per plan.
    assert len(badges) == 1 + len(b.criteria) + len(b.plans)
    assert {badge["rag"] for badge in badges} == {"red", "amber", "green", "none"}
    for badge in badges:
        rag = None if badge["rag"] == "none" else Rag(badge["rag"])
        background, ink = BADGE_COLOURS[rag]
        assert badge["fill"] == _rgb(background)
        assert badge["colour"] == _rgb(ink)
        assert badge["word"] == (
            rag.label(locale) if rag is not None else gettext("No target", locale)
        )
        assert badge["visible"]
        assert badge["fits"]
    criteria: list[str] = browser.evaluate(
        "Array.from(document.querySelectorAll('.pk-criterion'))"
        ".map(li => li.dataset.key + '=' + li.querySelector('svg.pk-badge').dataset.rag)"
    )
    assert criteria == [f"{c.key}={c.rag.value if c.rag else 'none'}" for c in b.criteria]


@pytest.mark.parametrize("name", ["en", "hostile"])
def test_the_page_makes_no_network_request_and_runs_no_script(
    browser: Browser, pages: dict[str, Path], name: str
) -> None:
    open_all(browser, pages[name], 1280)
    assert browser.evaluate("performance.getEntriesByType('resource').length") == 0
    assert browser.requests() == [pages[name].resolve().as_uri()]  # only the page itself
    assert browser.evaluate("document.scripts.length") == 0


def test_hostile_names_are_shown_as_text(browser: Browser, pages: dict[str, Path]) -> None:
    open_all(browser, pages["hostile"], 375)
    heading: str = browser.evaluate("document.querySelector('h1').textContent")
    assert heading == HOSTILE
    body: str = browser.evaluate("document.body.innerText")
    assert "Adam Brown" + HOSTILE in body
    assert "Customer already in negotiation" + HOSTILE in body


def test_charts_are_drawn_and_described(browser: Browser, pages: dict[str, Path]) -> None:
    open_all(browser, pages["en"], 375)
    charts: list[dict[str, Any]] = browser.evaluate(
        """Array.from(document.querySelectorAll('svg[role=img]')).map(svg => ({
            cls: svg.getAttribute('class'),
            width: svg.getBoundingClientRect().width,
            named: svg.getAttribute('aria-labelledby').split(' ')
                .every(id => (document.getElementById(id) || {}).textContent)}))"""
    )
    kinds = {c["cls"].split()[0] for c in charts}
    assert kinds == {"pk-badge", "pk-gauge", "pk-bars", "pk-spark", "pk-stages"}
    assert all(c["named"] and c["width"] > 0 for c in charts)
    ids: list[str] = browser.evaluate(
        "Array.from(document.querySelectorAll('[id]')).map(e => e.id)"
    )
    assert len(ids) == len(set(ids))  # aria-labelledby points at exactly one element each
