"""A plan's steps: assignment, sharing, sign-off, frozen content, reopening, the work on it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from plan_factories import AT, assigned, signed_off, template

from partnerkit.core import Money
from partnerkit.core.errors import InvalidTransition, PermissionDenied, ValidationError
from partnerkit.partners import ADMINISTRATOR, EXECUTIVE, MANAGER, PROGRAM_ADMINISTRATOR, USER
from partnerkit.plans import (
    PeriodTarget,
    Plan,
    PlanAssigned,
    PlanSignedOff,
    PlanStatus,
    PlanTemplate,
    Side,
    TaskCompleted,
    TaskReopened,
)


def test_only_a_published_template_is_assigned_and_the_plan_is_a_vendor_draft() -> None:
    draft = PlanTemplate("t-1", "Unpublished")
    with pytest.raises(ValidationError) as raised:
        Plan.assign(draft, id="PL-1", partner_id="p-1", fiscal_year=2026, actor="vera", at=AT)
    assert [e.path for e in raised.value.errors] == ["template"]
    plan, event = Plan.assign(
        template(), id="PL-1", partner_id="p-1", fiscal_year=2026, actor="vera", at=AT
    )
    assert plan.status is PlanStatus.DRAFT
    assert not plan.visible_to_partner
    assert isinstance(event, PlanAssigned)
    assert (event.template_id, event.template_version, event.to_status) == (
        "t-1",
        1,
        PlanStatus.DRAFT,
    )
    assert [(a.action, a.actor, a.to_status) for a in plan.audit] == [
        ("assign", "vera", PlanStatus.DRAFT)
    ]


def test_targets_set_for_a_partner_are_recorded_as_overrides() -> None:
    plan, _ = Plan.assign(
        template(),
        id="PL-1",
        partner_id="p-1",
        fiscal_year=2026,
        actor="vera",
        at=AT,
        targets={"won": [PeriodTarget("year", 30)]},
    )
    assert plan.overridden == ("won",)
    assert next(o for o in plan.objectives if o.key == "won").target("year") == 30
    with pytest.raises(ValidationError) as raised:
        Plan.assign(
            template(),
            id="PL-2",
            partner_id="p-1",
            fiscal_year=2026,
            actor="vera",
            at=AT,
            targets={"nope": [], "won": [PeriodTarget("year", Money("1", "EUR"))]},
        )
    # Every bad override at once, at the argument's own path (not targets.won.targets.0).
    assert [e.path for e in raised.value.errors] == ["targets.nope", "targets.won.0.value"]


def test_the_partner_cannot_comment_on_a_draft_but_can_once_shared() -> None:
    plan = assigned()
    with pytest.raises(InvalidTransition):
        plan.comment("alice", Side.PARTNER, "Looks good", AT)
    plan, _ = plan.share("vera", AT)
    plan, event = plan.comment("alice", Side.PARTNER, "Lower the Q1 target?", AT, proposal=True)
    assert (event.text, event.proposal, event.side) == ("Lower the Q1 target?", True, Side.PARTNER)
    assert plan.comments[-1].proposal


def test_both_sides_sign_off_and_the_revision_is_frozen() -> None:
    plan, _ = assigned().share("vera", AT)
    plan, first = plan.sign_off("alice", Side.PARTNER, AT)
    assert isinstance(first, PlanSignedOff)
    assert not first.complete
    assert plan.status is PlanStatus.SHARED
    with pytest.raises(InvalidTransition):
        plan.sign_off("anne", Side.PARTNER, AT)  # one signature per side
    plan, second = plan.sign_off("victor", Side.VENDOR, AT)
    assert second.complete
    assert plan.status is PlanStatus.SIGNED_OFF
    frozen = plan.signed_revision
    assert frozen is not None
    assert (frozen.revision, frozen.sections) == (1, plan.sections)
    assert [(s.side, s.actor) for s in frozen.signoffs] == [
        (Side.PARTNER, "alice"),
        (Side.VENDOR, "victor"),
    ]
    with pytest.raises(InvalidTransition):
        plan.edit("vera", AT, name="Changed")
    with pytest.raises(InvalidTransition):
        plan.set_targets("won", [PeriodTarget("year", 1)], "vera", AT)


def test_reopening_makes_a_new_revision_and_keeps_the_signed_one() -> None:
    plan = signed_off()
    signed = plan.signed_revision
    plan, event = plan.reopen("vera", AT, "Add a marketing goal")
    assert (plan.status, plan.revision, plan.signoffs) == (PlanStatus.SHARED, 2, ())
    assert (event.revision, event.reason) == (2, "Add a marketing goal")
    plan, _ = plan.edit("vera", AT, name="Reseller plan, revised")
    assert plan.signed == (signed,)
    assert signed is not None
    assert signed.name == "Reseller plan"
    plan, _ = plan.sign_off("alice", Side.PARTNER, AT)
    plan, _ = plan.sign_off("victor", Side.VENDOR, AT)
    assert [r.revision for r in plan.signed] == [1, 2]
    assert plan.signed[1].name == "Reseller plan, revised"


def test_steps_are_refused_from_the_wrong_status() -> None:
    plan = assigned()
    for step in (
        lambda: plan.start("vera", AT),
        lambda: plan.complete("vera", AT),
        lambda: plan.reopen("vera", AT, "why"),
        lambda: plan.sign_off("alice", Side.PARTNER, AT),
    ):
        with pytest.raises(InvalidTransition):
            step()
    running, _ = signed_off().start("vera", AT)
    done, _ = running.complete("vera", AT)
    assert done.status is PlanStatus.COMPLETED
    with pytest.raises(InvalidTransition):
        done.comment("vera", Side.VENDOR, "late", AT)
    closed, event = running.close("vera", AT, "The year ended")
    assert (closed.status, event.reason) == (PlanStatus.CLOSED, "The year ended")


@pytest.mark.parametrize("role", [EXECUTIVE, MANAGER, PROGRAM_ADMINISTRATOR])
def test_the_default_check_roles_check_off_and_uncheck_with_an_audit(role: str) -> None:
    plan = signed_off()
    side = Side.VENDOR if role == PROGRAM_ADMINISTRATOR else Side.PARTNER
    plan, done = plan.check_task("forecast", "sam", role, side, AT)
    assert isinstance(done, TaskCompleted)
    assert plan.is_checked("forecast")
    assert (plan.checked[0].actor, plan.checked[0].at) == ("sam", AT)
    with pytest.raises(InvalidTransition):
        plan.check_task("forecast", "sam", role, side, AT)
    plan, undone = plan.uncheck_task("forecast", "sam", role, side, AT, "not shared yet")
    assert isinstance(undone, TaskReopened)
    assert not plan.is_checked("forecast")
    assert [(a.action, a.subject, a.note) for a in plan.audit[-2:]] == [
        ("check_task", "forecast", ""),
        ("uncheck_task", "forecast", "not shared yet"),
    ]


@pytest.mark.parametrize("role", [USER, ADMINISTRATOR])
def test_a_role_the_task_does_not_name_may_not_check_it(role: str) -> None:
    with pytest.raises(PermissionDenied):
        signed_off().check_task("forecast", "ulla", role, Side.PARTNER, AT)
    with pytest.raises(PermissionDenied):
        signed_off().check_task("portal", "ed", EXECUTIVE, Side.PARTNER, AT)


def test_tasks_are_not_checked_in_a_vendor_draft_and_unknown_ones_are_named() -> None:
    with pytest.raises(InvalidTransition):
        assigned().check_task("forecast", "sam", EXECUTIVE, Side.PARTNER, AT)
    with pytest.raises(ValidationError) as raised:
        signed_off().check_task("nope", "sam", EXECUTIVE, Side.PARTNER, AT)
    assert raised.value.errors[0].path == "task"


def test_milestones_are_held_with_notes() -> None:
    plan, event = signed_off().hold_milestone("kickoff", "vera", Side.VENDOR, AT, "All present")
    assert (plan.held[0].milestone, plan.held[0].notes, event.title) == (
        "kickoff",
        "All present",
        "Kick-off",
    )


def test_custom_objectives_take_entered_values_and_measured_ones_refuse_them() -> None:
    plan, event = signed_off().record_actual("csat", "q1", Decimal(88), "vera", Side.VENDOR, AT)
    assert plan.actual("csat", "q1") == Decimal(88)
    assert event.value == Decimal(88)
    plan, _ = plan.record_actual("csat", "q1", Decimal(91), "vera", Side.VENDOR, AT)
    assert plan.actual("csat", "q1") == Decimal(91)  # the latest entry counts
    with pytest.raises(ValidationError) as raised:
        plan.record_actual("won", "q7", -1, "vera", Side.VENDOR, AT)
    assert sorted(e.path for e in raised.value.errors) == ["objective", "period", "value"]


def test_a_newer_template_version_reaches_drafts_and_keeps_the_partners_targets() -> None:
    plan, _ = assigned().set_targets("won", [PeriodTarget("year", 35)], "vera", AT)
    newer = template().edited("vera", AT, purpose="Grow faster").published_by("vera", AT)
    updated, event = plan.apply_template(newer, "vera", AT)
    assert (updated.template_version, updated.purpose, event.what) == (2, "Grow faster", "template")
    assert next(o for o in updated.objectives if o.key == "won").target("year") == 35
    assert updated.overridden == ("won",)
    with pytest.raises(ValidationError):
        updated.apply_template(newer, "vera", AT)  # not newer
    with pytest.raises(InvalidTransition):
        signed_off().apply_template(newer, "vera", AT)


def test_naive_instants_and_missing_actors_are_refused() -> None:
    from datetime import datetime

    with pytest.raises(ValidationError):
        assigned().share("vera", datetime(2026, 1, 5, 9))  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as raised:
        assigned().share("", AT)
    assert raised.value.errors[0].path == "actor"


def test_a_plan_not_yet_signed_off_can_be_closed_when_its_year_ends() -> None:
    closed, event = assigned().close("vera", AT, "never agreed")
    assert (closed.status, event.from_status) == (PlanStatus.CLOSED, PlanStatus.DRAFT)


def test_changing_content_after_one_signature_clears_it() -> None:
    plan, _ = assigned().share("vera", AT)
    plan, _ = plan.sign_off("alice", Side.PARTNER, AT)
    plan, event = plan.set_targets("won", [PeriodTarget("year", 500)], "vera", AT)
    assert event.signoffs_cleared
    assert plan.signoffs == ()
    assert plan.audit[-1].note == "sign-offs cleared"
    plan, _ = plan.sign_off("victor", Side.VENDOR, AT)
    assert plan.status is PlanStatus.SHARED  # the partner must sign the new content again
    plan, _ = plan.sign_off("alice", Side.PARTNER, AT)
    assert plan.status is PlanStatus.SIGNED_OFF
    assert plan.signed_revision is not None
    won = next(o for s in plan.signed_revision.sections for o in s.objectives if o.key == "won")
    assert won.target("year") == 500


def test_an_objective_has_money_targets_or_count_targets_never_both() -> None:
    from partnerkit.plans import Objective, ObjectiveKind

    with pytest.raises(ValidationError) as raised:
        Objective(
            "mix",
            "Mixed",
            ObjectiveKind.CUSTOM,
            [PeriodTarget("q1", Money("5", "EUR")), PeriodTarget("q2", 5)],
        )
    assert [e.path for e in raised.value.errors] == ["targets"]
    with pytest.raises(ValidationError) as raised:
        signed_off().record_actual("csat", "q1", Money("1", "EUR"), "vera", Side.VENDOR, AT)
    assert [e.path for e in raised.value.errors] == ["value"]


def test_a_newer_version_drops_a_partners_targets_that_no_longer_fit_and_says_so() -> None:
    from partnerkit.plans import Objective, ObjectiveKind, Section

    plan, _ = assigned().set_targets("won", [PeriodTarget("year", 30)], "vera", AT)
    sales = template().sections[0]
    as_money = Objective(
        "won", "Won revenue", ObjectiveKind.REVENUE, [PeriodTarget("year", Money("9", "EUR"))]
    )
    changed = Section(
        sales.key, sales.title, objectives=[sales.objectives[0], as_money], tasks=sales.tasks
    )
    newer = (
        template()
        .edited("vera", AT, sections=[changed, *template().sections[1:]])
        .published_by("vera", AT)
    )
    updated, _ = plan.apply_template(newer, "vera", AT)
    assert updated.overridden == ()
    assert next(o for o in updated.objectives if o.key == "won").target("year") == Money("9", "EUR")
    assert "dropped: won" in updated.audit[-1].note


@pytest.mark.parametrize("sections", [None, 5, "sales"])
def test_a_plan_whose_sections_are_no_list_is_a_validation_error(sections: Any) -> None:
    # Issue #19: Plan(..., sections=None) raised TypeError in the converter.
    import attrs

    with pytest.raises(ValidationError) as caught:
        attrs.evolve(assigned(), sections=sections)
    assert caught.value.paths == ("sections",)
