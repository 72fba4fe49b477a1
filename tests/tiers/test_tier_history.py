"""Tier history: contiguous spans, applying changes, and the tier that applied on a day."""

from __future__ import annotations

import copy
import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tier_strategies import days

from partnerkit.core import from_dict, to_dict
from partnerkit.core.errors import InvalidTransition, ValidationError
from partnerkit.tiers import TierChange, TierHistory, TierSpan, tier_as_of

JAN = date(2026, 1, 1)
APR = date(2026, 4, 1)
JUL = date(2026, 7, 1)


def _span(tier: str, start: date, end: date | None) -> TierSpan:
    return TierSpan(tier, start, end, "review", "policy")


def test_spans_must_end_where_the_next_starts() -> None:
    with pytest.raises(ValidationError) as info:
        TierHistory(
            [
                _span("registered", JAN, APR),
                _span("premier", date(2026, 3, 1), JUL),  # overlaps
                _span("elite", date(2026, 8, 1), None),  # leaves a gap
            ]
        )
    assert info.value.paths == ("spans.1.start", "spans.2.start")


def test_only_the_last_span_may_be_open() -> None:
    with pytest.raises(ValidationError) as info:
        TierHistory([_span("registered", JAN, None), _span("premier", APR, None)])
    assert info.value.paths == ("spans.0.end",)


def test_a_span_must_end_after_it_starts_and_name_its_reason() -> None:
    with pytest.raises(ValidationError) as info:
        TierSpan("premier", APR, APR, "", "policy")
    assert set(info.value.paths) == {"end", "reason"}


def test_applying_an_upgrade_closes_the_open_span() -> None:
    history = TierHistory.starting("registered", JAN, "joined", "admin")
    after = history.apply(TierChange("upgrade", "registered", "premier", APR, "criteria met"))
    assert after.spans == (
        TierSpan("registered", JAN, APR, "joined", "admin"),
        TierSpan("premier", APR, None, "criteria met", "policy"),
    )
    assert history.spans == (TierSpan("registered", JAN, None, "joined", "admin"),)


def test_a_hold_returns_the_same_history() -> None:
    history = TierHistory.starting("registered", JAN, "joined", "admin")
    assert (
        history.apply(TierChange("hold", "registered", "registered", APR, "still met")) is history
    )


def test_the_first_change_starts_an_empty_history() -> None:
    history = TierHistory().apply(TierChange("upgrade", None, "premier", JAN, "first tier"))
    assert history.latest == TierSpan("premier", JAN, None, "first tier", "policy")


def test_a_change_from_the_wrong_tier_is_refused_and_changes_nothing() -> None:
    history = TierHistory.starting("registered", JAN, "joined", "admin")
    with pytest.raises(InvalidTransition):
        history.apply(TierChange("downgrade", "elite", "premier", APR, "review"))
    assert tier_as_of(history, APR) == "registered"


def test_a_new_decision_replaces_a_change_scheduled_after_it() -> None:
    history = TierHistory.starting("registered", JAN, "joined", "admin")
    scheduled = history.apply(TierChange("upgrade", "registered", "premier", JUL, "next period"))
    overridden = scheduled.apply(
        TierChange("upgrade", "registered", "elite", APR, "manual override: launch", "alice")
    )
    assert [(s.tier_key, s.start, s.end) for s in overridden.spans] == [
        ("registered", JAN, APR),
        ("elite", APR, None),
    ]


def test_a_change_on_the_day_a_tier_started_replaces_it() -> None:
    history = TierHistory.starting("registered", JAN, "joined", "admin")
    same_day = history.apply(TierChange("upgrade", None, "elite", JAN, "override", "alice"))
    assert same_day.spans == (TierSpan("elite", JAN, None, "override", "alice"),)


def test_a_partner_whose_last_span_closed_holds_no_tier_after_it() -> None:
    history = TierHistory([_span("premier", JAN, APR)])
    assert tier_as_of(history, APR) is None
    with pytest.raises(InvalidTransition):
        history.apply(TierChange("upgrade", "premier", "elite", JUL, "back"))


def test_tier_as_of_answers_on_span_boundaries() -> None:
    history = TierHistory([_span("registered", JAN, APR), _span("premier", APR, None)])
    assert tier_as_of(history, JAN - timedelta(days=1)) is None
    assert tier_as_of(history, JAN) == "registered"
    assert tier_as_of(history, APR - timedelta(days=1)) == "registered"
    assert tier_as_of(history, APR) == "premier"
    assert tier_as_of(history, date(2030, 1, 1)) == "premier"


def test_history_round_trips_through_core_to_dict_and_from_dict() -> None:
    history = TierHistory([_span("registered", JAN, APR), _span("premier", APR, None)])
    data = to_dict(history)
    assert data == {
        "spans": [
            {
                "tier_key": "registered",
                "start": "2026-01-01",
                "end": "2026-04-01",
                "reason": "review",
                "changed_by": "policy",
            },
            {
                "tier_key": "premier",
                "start": "2026-04-01",
                "end": None,
                "reason": "review",
                "changed_by": "policy",
            },
        ]
    }
    assert from_dict(TierHistory, copy.deepcopy(data)) == history


def test_from_dict_names_the_bad_span() -> None:
    data = to_dict(TierHistory([_span("registered", JAN, APR), _span("premier", APR, None)]))
    data["spans"][1]["start"] = "2026-05-01"
    with pytest.raises(ValidationError) as info:
        from_dict(TierHistory, data)
    assert info.value.paths == ("spans.1.start",)


# -- properties ---------------------------------------------------------------------------------


changes = st.lists(
    st.tuples(st.sampled_from(["registered", "premier", "elite"]), st.integers(0, 400)),
    max_size=12,
)


@given(days, changes, st.lists(days, max_size=10))
def test_applied_changes_leave_no_gaps_or_overlaps_and_tier_as_of_agrees_with_the_spans(
    start: date, steps: list[tuple[str, int]], probes: list[date]
) -> None:
    history = TierHistory.starting("registered", start, "joined", "admin")
    for tier, offset in steps:
        effective = start + timedelta(days=offset + 1)
        # The tier held just before the change comes from the spans that start before it.
        held = [s for s in history.spans if s.start < effective][-1].tier_key
        history = history.apply(TierChange("upgrade", held, tier, effective, "step"))
        assert tier_as_of(history, effective) == tier
    spans = history.spans
    assert all(a.end == b.start for a, b in itertools.pairwise(spans))
    assert all(s.end is None or s.end > s.start for s in spans)
    assert spans[-1].end is None
    for day in [*probes, *(s.start for s in spans)]:
        covering = [s.tier_key for s in spans if s.covers(day)]
        assert len(covering) <= 1
        assert tier_as_of(history, day) == (covering[0] if covering else None)
