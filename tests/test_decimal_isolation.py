"""partnerkit computes in its own decimal context, never in the host's (issue #19, item 11).

A host may lower the precision or trap ``Inexact`` for its own calculations; the
scoring, quoting, tier and fiscal results must not change, nor may a trap fire.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from decimal import (
    ROUND_FLOOR,
    Context,
    Decimal,
    DivisionByZero,
    FloatOperation,
    Inexact,
    InvalidOperation,
    Overflow,
    Rounded,
    Subnormal,
    getcontext,
    localcontext,
)

import pytest

from partnerkit._demo import run_demo
from partnerkit.scoring import Target, percentile_ranks, rag_status

HOSTILE: dict[str, Callable[[], AbstractContextManager[object]]] = {
    "three digits, rounding down": lambda: localcontext(Context(prec=3, rounding=ROUND_FLOOR)),
    "every condition trapped": lambda: localcontext(
        Context(
            traps=[
                InvalidOperation,
                DivisionByZero,
                Overflow,
                Inexact,
                Rounded,
                Subnormal,
                FloatOperation,
            ]
        )
    ),
}

# What differs between two runs of the demo: its temporary folder and the clock.
_VOLATILE = re.compile(r"/\S*partnerkit-demo-\S*|\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d")


def demo_lines() -> Iterator[str]:
    lines: list[str] = []
    run_demo(None, out=lines.append)
    return (_VOLATILE.sub("<volatile>", line) for line in lines)


def samples() -> list[object]:
    return [
        rag_status(Decimal(7), Target("x", 9), elapsed=Decimal("0.7")),
        rag_status(Decimal(1), Target("x", 3), elapsed=Decimal("0.3333333")),
        percentile_ranks([Decimal(1), Decimal(2), Decimal(2), Decimal(7)]),
    ]


@pytest.mark.parametrize("hostile", sorted(HOSTILE))
def test_the_demo_tells_the_same_story_under_a_hostile_context(hostile: str) -> None:
    # The demo registers a deal, quotes, orders, evaluates tiers and scores an ecosystem.
    expected = list(demo_lines())
    with HOSTILE[hostile]():
        context = getcontext()
        assert list(demo_lines()) == expected
        assert getcontext() is context  # the host's context is back in place


@pytest.mark.parametrize("hostile", sorted(HOSTILE))
def test_scoring_functions_give_the_same_results_under_a_hostile_context(hostile: str) -> None:
    expected = samples()
    with HOSTILE[hostile]():
        assert samples() == expected


@pytest.mark.parametrize("hostile", list(HOSTILE), ids=list(HOSTILE))
def test_the_dashboard_renders_the_same_under_a_hostile_context(hostile: str) -> None:
    from datetime import date, datetime, timezone

    from partnerkit.core import Money
    from partnerkit.dashboard import (
        DashboardFigures,
        dashboard_html,
        dashboard_svg,
        dashboard_text,
        partner_dashboard,
    )
    from partnerkit.fiscal import MonthlyFiscalCalendar
    from partnerkit.partners import Partner
    from partnerkit.scoring import Activity

    won = Activity(
        "p-1", "deal_won", datetime(2026, 2, 3, tzinfo=timezone.utc),
        amount=Money("12345.67", "EUR"), attributes={"motion": "new"},
    )  # fmt: skip
    figures = DashboardFigures.compute(
        [won], calendar=MonthlyFiscalCalendar(4), as_of=date(2026, 5, 20), currency="EUR"
    )
    board = partner_dashboard(Partner("p-1", "Acme", "acme.example", "reseller"), figures)
    expected = [
        render(board, "de_DE") for render in (dashboard_html, dashboard_text, dashboard_svg)
    ]
    with HOSTILE[hostile]():
        figures = DashboardFigures.compute(
            [won], calendar=MonthlyFiscalCalendar(4), as_of=date(2026, 5, 20), currency="EUR"
        )
        board = partner_dashboard(Partner("p-1", "Acme", "acme.example", "reseller"), figures)
        found = [
            render(board, "de_DE") for render in (dashboard_html, dashboard_text, dashboard_svg)
        ]
    assert found == expected


def test_a_hosts_context_set_inside_a_callback_does_not_leak_into_partnerkit() -> None:
    # score_ecosystem calls the host's progress callback from inside its own context; the
    # host computes in a context of its own there, and calls partnerkit again.
    from datetime import date, datetime, timezone

    from partnerkit.fiscal import MonthlyFiscalCalendar
    from partnerkit.scoring import Activity, score_ecosystem

    seen: list[object] = []
    elapsed = Decimal(135) / 365  # the argument, made before the host's context

    def progress(_: int) -> None:
        with localcontext(Context(prec=3, rounding=ROUND_FLOOR)):
            seen.append(rag_status(Decimal("40"), Target("x", 100), elapsed=elapsed))

    at = datetime(2026, 3, 1, tzinfo=timezone.utc)
    score_ecosystem(
        [Activity("p-1", "login", at, "u")], calendar=MonthlyFiscalCalendar(1),
        as_of=date(2026, 5, 15), currency="EUR", progress=progress,
    )  # fmt: skip
    expected = rag_status(Decimal("40"), Target("x", 100), elapsed=elapsed)
    assert seen
    assert all(status == expected for status in seen)
