"""The stage table as data, the transitions' guards, audit entries and events, the progress bar."""

from __future__ import annotations

from datetime import date

import pendulum
import pytest
from deal_factories import FORM, NOW, POLICY, PROSPECT
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerkit.core import from_dict, to_dict
from partnerkit.core.errors import InvalidTransition, ValidationError
from partnerkit.deals import (
    ACTIVE_STAGES,
    CLOSED_STAGES,
    PROGRESS_STEPS,
    TRANSITIONS,
    DealApproved,
    DealRegistration,
    RegistrationPolicy,
    Stage,
    new_registration,
    progress,
    transition_for,
)


def _new() -> DealRegistration:
    deal, _ = new_registration("DR-2026-000001", "p1", PROSPECT, FORM, "alice", NOW, POLICY)
    return deal


def _fire(deal: DealRegistration, name: str, at: pendulum.DateTime) -> DealRegistration:
    if name == "approve":
        return deal.approve("vera", at, POLICY)[0]
    if name == "decline":
        return deal.decline("vera", at, "no")[0]
    if name == "expire":
        return deal.expire("system", at, "late")[0]
    if name == "start_order":
        return deal.start_order("alice", at)
    if name == "submit_order":
        return deal.submit_order("alice", at)
    if name == "mark_lost":
        return deal.mark_lost("alice", at)[0]
    return deal.withdraw("alice", at)[0]


def test_the_table_is_data_a_portal_can_read() -> None:
    assert [t.name for t in TRANSITIONS][:3] == ["approve", "start_order", "submit_order"]
    assert PROGRESS_STEPS == (
        Stage.OPPORTUNITY,
        Stage.APPROVED,
        Stage.ORDER_STARTED,
        Stage.ORDER_SUBMITTED,
    )
    assert transition_for("decline").needs_reason
    assert ACTIVE_STAGES.isdisjoint(CLOSED_STAGES)
    assert set(Stage) == ACTIVE_STAGES | CLOSED_STAGES
    assert all(not (t.sources & CLOSED_STAGES) for t in TRANSITIONS)


@pytest.mark.parametrize(
    ("name", "code"),
    [(None, "invalid"), ([], "invalid"), (b"decline", "invalid"), ("fly", "invalid_choice")],
)
def test_a_transition_name_not_in_the_table_is_a_validation_error(name: object, code: str) -> None:
    # Issue #19: transition_for(None) raised KeyError, transition_for([]) TypeError.
    with pytest.raises(ValidationError) as caught:
        transition_for(name)  # type: ignore[arg-type]
    assert [(e.path, e.code) for e in caught.value.errors] == [("name", code)]


@settings(max_examples=150)
@given(st.lists(st.sampled_from([t.name for t in TRANSITIONS]), max_size=8))
def test_any_sequence_of_moves_follows_the_table_and_records_each_step(names: list[str]) -> None:
    deal = _new()
    at = NOW
    for name in names:
        at = at.add(hours=1)
        transition = transition_for(name)
        if deal.stage in transition.sources:
            moved = _fire(deal, name, at)
            assert moved.stage is transition.target
            assert moved.audit[-1].from_stage is deal.stage
            assert moved.audit[-1].at == at
            assert len(moved.audit) == len(deal.audit) + 1
            deal = moved
        else:
            with pytest.raises(InvalidTransition):
                _fire(deal, name, at)
    assert deal.audit[-1].to_stage is deal.stage
    assert from_dict(DealRegistration, to_dict(deal)) == deal


def test_approval_carries_the_deadlines_counted_in_calendar_days() -> None:
    deal, event = _new().approve("vera", NOW, RegistrationPolicy(order_start_days=10))
    assert isinstance(event, DealApproved)
    assert event.order_start_due == date(2026, 12, 3)
    assert event.order_submit_due == date(2027, 2, 21)
    assert deal.deadlines is not None
    assert deal.deadlines.protection_ends == event.protection_ends
    assert deal.is_protected(date(2027, 2, 21))
    assert not deal.is_protected(date(2027, 2, 22))


def test_an_order_cannot_start_after_its_deadline() -> None:
    deal, _ = _new().approve("vera", NOW, POLICY)
    with pytest.raises(InvalidTransition) as caught:
        deal.start_order("alice", NOW.add(days=31))
    assert "due to start" in str(caught.value)
    assert deal.due_expiry(date(2026, 12, 24)) == "the order was not started in time"
    assert deal.due_expiry(date(2026, 12, 23)) is None


def test_declining_without_a_reason_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        _new().decline("vera", NOW, "")
    assert caught.value.errors[0].code == "required"


def test_a_change_dated_before_the_last_one_is_refused() -> None:
    with pytest.raises(ValidationError):
        _new().approve("vera", NOW.subtract(minutes=1), POLICY)


def test_the_progress_bar_marks_the_current_step_and_skips_after_a_side_exit() -> None:
    assert [s.state for s in progress(Stage.OPPORTUNITY)] == [
        "current",
        "upcoming",
        "upcoming",
        "upcoming",
    ]
    declined = _new().decline("vera", NOW, "no")[0]
    assert [s.state for s in declined.progress()] == ["current", "skipped", "skipped", "skipped"]
    assert [s.label for s in progress(Stage.APPROVED, locale="de")][:2] == [
        "Verkaufschance",
        "Genehmigt",
    ]


def test_one_extension_is_allowed_and_a_refusal_keeps_the_deadlines() -> None:
    deal, _ = _new().approve("vera", NOW, POLICY)
    asked, _ = deal.request_extension("alice", NOW, "budget slipped", POLICY)
    assert asked.pending_extension is not None
    refused, event = asked.decide_extension("vera", NOW, grant=False, policy=POLICY)
    assert refused.deadlines == deal.deadlines
    assert not event.granted
    assert refused.extensions[0].status == "refused"
    with pytest.raises(InvalidTransition):
        refused.request_extension("alice", NOW, "please", POLICY)


def test_stored_stages_that_are_unknown_are_refused_when_read() -> None:
    data = to_dict(_new())
    data["stage"] = "won"
    with pytest.raises(ValidationError):
        from_dict(DealRegistration, data)


def test_every_event_and_the_prospect_round_trip_through_the_core_converter() -> None:
    deal, registered = new_registration(
        "DR-2026-000001", "p1", PROSPECT, FORM, "alice", NOW, POLICY, conflicting=("DR-0",)
    )
    deal, approved = deal.approve("vera", NOW.add(hours=1), POLICY)
    deal, asked = deal.request_extension("alice", NOW.add(hours=2), "budget", POLICY)
    deal, decided = deal.decide_extension("vera", NOW.add(hours=3), grant=True, policy=POLICY)
    deal = deal.start_order("alice", NOW.add(hours=4))
    deal, lost = deal.mark_lost("alice", NOW.add(hours=5), "competitor")
    for value in (registered, approved, asked, decided, lost, PROSPECT):
        assert from_dict(type(value), to_dict(value)) == value
