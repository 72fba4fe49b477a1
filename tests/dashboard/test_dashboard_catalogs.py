"""The dashboard speaks every catalog's language: each of its messages is translated."""

from __future__ import annotations

import html
import string

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from dashboard_boards import board

from partnerkit.dashboard import (
    AREA_LABELS,
    CRITERIA,
    DashboardArea,
    dashboard_html,
    dashboard_text,
)
from partnerkit.locale import DOMAIN, LOCALE_DIR, gettext

SHIPPED = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _read(path: str) -> Catalog:
    with (LOCALE_DIR / path).open("rb") as handle:
        return read_po(handle)


def _dashboard_msgids() -> list[str]:
    """The template's messages with a source reference in the dashboard package."""
    return sorted(
        str(m.id)
        for m in _read(f"{DOMAIN}.pot")
        if m.id and any("partnerkit/dashboard/" in path for path, _ in m.locations)
    )


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


DASHBOARD_MSGIDS = _dashboard_msgids()


def test_the_template_holds_the_dashboards_labels() -> None:
    ids = set(DASHBOARD_MSGIDS)
    assert set(AREA_LABELS.values()) <= ids
    assert {spec.label for spec in CRITERIA} <= ids
    assert {"Program Success Dashboard", "Page {page} of {pages}", "No target"} <= ids


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_dashboard_message_is_translated_with_its_placeholders(lang: str) -> None:
    catalog = _read(f"{lang}/LC_MESSAGES/{DOMAIN}.po")
    problems = []
    for msgid in DASHBOARD_MSGIDS:
        message = catalog.get(msgid)
        if message is None or not message.string or message.fuzzy:
            problems.append(f"untranslated: {msgid!r}")
        elif _placeholders(str(message.string)) != _placeholders(msgid):
            problems.append(f"placeholders differ: {msgid!r} -> {message.string!r}")
        elif gettext(msgid, lang) != message.string:
            problems.append(f"not compiled: {msgid!r}")
    assert problems == []


@pytest.mark.parametrize("lang", [lang for lang in SHIPPED if not lang.startswith("en")])
def test_the_area_headings_are_translated(lang: str) -> None:
    for area in DashboardArea:
        assert gettext(AREA_LABELS[area], lang) != AREA_LABELS[area]


def _english_phrases() -> list[str]:
    """Dashboard messages of several words without placeholders whose German differs."""
    return [
        m for m in DASHBOARD_MSGIDS if " " in m and not _placeholders(m) and gettext(m, "de") != m
    ]


def test_a_german_dashboard_page_shows_german_words() -> None:
    page = dashboard_html(board(), "de")
    assert '<html lang="de"' in page
    for area in DashboardArea:
        assert html.escape(gettext(AREA_LABELS[area], "de"), quote=False) in page
    # A guard that does not trust the catalogs: the words themselves.
    assert "ARR-Ergebnisse" in page
    assert "Dashboard zum Programmerfolg" in page
    assert "Gesamtstatus" in page
    for phrase in _english_phrases():
        assert html.escape(phrase, quote=False) not in page, phrase


def test_a_german_dashboard_text_shows_german_words() -> None:
    text = dashboard_text(board(), "de", width=120)
    for area in DashboardArea:
        assert gettext(AREA_LABELS[area], "de") in text
    for spec in CRITERIA:
        assert gettext(spec.label, "de") in text
    assert "Beitrag zu Abschlüssen" in text
    assert "Anstehende Verlängerungen" in text
    assert "des zeitanteiligen Solls" in text  # an explanation with a paced status
    for phrase in _english_phrases():
        assert phrase not in text, phrase
    assert "of pace" not in text


def test_the_english_dashboard_keeps_its_english_words() -> None:
    text = dashboard_text(board(), "en", width=120)
    assert "ARR achievements" in text
    assert "of pace" in text
