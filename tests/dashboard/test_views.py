"""The dashboard's secondary views are described once and drawn alike by every renderer."""

from __future__ import annotations

from html import unescape

import attrs
import pytest
from babel import Locale
from dashboard_boards import board

from partnerkit.dashboard import DashboardArea, dashboard_html, dashboard_text
from partnerkit.dashboard._document import (
    Heading,
    Paragraph,
    Table,
    dashboard_document,
    dashboard_views,
)


@pytest.mark.parametrize("locale", ["en", "de", "ja"])
def test_every_view_and_every_row_is_in_every_renderer(locale: str) -> None:
    shown = board()
    views = [v for area in dashboard_views(shown, Locale.parse(locale)).values() for v in area]
    assert [v.key for v in views] == [
        "quarters", "renewals", "stages", "declines", "certified", "plans", "services"
    ]  # fmt: skip
    html = unescape(dashboard_html(shown, locale))
    text = dashboard_text(shown, locale, width=200)
    document = dashboard_document(shown, locale)
    headings = [b.text for b in document.blocks if isinstance(b, Heading)]
    tables = [b for b in document.blocks if isinstance(b, Table)]
    for view in views:
        assert view.title in html
        assert view.title in text
        assert view.title in headings
        assert view.table.rows, view.key  # the sample board fills every view
        assert view.table in tables  # the PDF draws the very table
        for row in view.table.rows:
            assert row[0] in html
            assert row[0] in text
            if view.key != "plans":  # the page draws plans as cards with gauges
                assert all(cell in html for cell in row), (view.key, row)


def test_an_empty_view_says_so_everywhere() -> None:
    empty = attrs.evolve(
        board(), stages=(), declines=(), certified=(), plans=(), services=(), renewals=()
    )
    views = {v.key: v for area in dashboard_views(empty, Locale.parse("en")).values() for v in area}
    html = dashboard_html(empty, "en")
    text = dashboard_text(empty, "en")
    notes = [b.text for b in dashboard_document(empty, "en").blocks if isinstance(b, Paragraph)]
    for key in ("renewals", "stages", "declines", "certified", "plans", "services"):
        assert not views[key].table.rows
        assert views[key].empty in html
        assert views[key].empty in text
        assert views[key].empty in notes


def test_narrow_text_leaves_the_quarters_dates_out_before_giving_up_the_columns() -> None:
    shown = board()
    quarters, _ = dashboard_views(shown, Locale.parse("en"))[DashboardArea.ARR]
    dates = quarters.table.rows[0][1]
    wide = dashboard_text(shown, "en", width=200)
    narrow = dashboard_text(shown, "en", width=80)
    assert dates in wide
    assert dates not in narrow
    assert "  Quarter " in narrow  # still columns, with a header line
    assert "  - Quarter:" not in narrow
