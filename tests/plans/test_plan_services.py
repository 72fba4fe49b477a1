"""The plan use cases on both backends: templates, assignment, the steps, reading, progress."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import attrs
import pendulum
import pytest
from plan_factories import SALES
from plan_services_factories import (
    ADMIN_P1,
    ADMIN_P2,
    BOSS_P1,
    EXEC_P1,
    MANAGER_P1,
    NOW,
    PROGRAM,
    USER_P1,
    VENDOR,
    on,
    seed,
    watch,
)

from partnerkit.core import EventDispatcher, Money
from partnerkit.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from partnerkit.partners import PartnerFilter
from partnerkit.plans import (
    PeriodTarget,
    PlanAssigned,
    PlanShared,
    PlanStatus,
    PlanTemplate,
    Side,
)
from partnerkit.scoring import Activity
from partnerkit.services import (
    ALREADY_HAD,
    ASSIGNED,
    REFUSED,
    AssignmentReport,
    PlanTemplateSaved,
    assign_plan,
    assign_plans,
    check_plan_task,
    comment_on_plan,
    company_plan_rows,
    create_template,
    duplicate_template,
    edit_plan,
    edit_template,
    get_plan,
    get_template,
    hold_plan_milestone,
    import_program_templates,
    list_plans,
    list_templates,
    plan_progress_of,
    publish_template,
    push_template_version,
    record_plan_actual,
    rename_template_section,
    reopen_plan,
    set_plan_targets,
    share_plan,
    sign_off_plan,
    start_plan,
    uncheck_plan_task,
)
from partnerkit.storage import PLANS, MemoryStorage, SqliteStorage, Storage
from partnerkit.testing import FixedClock


@pytest.fixture(params=["memory", "sqlite"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "memory":
        yield MemoryStorage(dispatcher=EventDispatcher())
    else:
        yield SqliteStorage(tmp_path / "plans.sqlite3", dispatcher=EventDispatcher())


@pytest.fixture
def template(storage: Storage) -> PlanTemplate:
    return seed(storage)


def assigned(storage: Storage, template: PlanTemplate, partner: str = "p1") -> str:
    with storage.unit_of_work() as uow:
        return assign_plan(uow, on(VENDOR), template.id, partner).id


def shared(storage: Storage, template: PlanTemplate, partner: str = "p1") -> str:
    plan_id = assigned(storage, template, partner)
    with storage.unit_of_work() as uow:
        share_plan(uow, on(VENDOR), plan_id)
    return plan_id


def signed(storage: Storage, template: PlanTemplate) -> str:
    plan_id = shared(storage, template)
    with storage.unit_of_work() as uow:
        sign_off_plan(uow, on(EXEC_P1), plan_id)
    with storage.unit_of_work() as uow:
        sign_off_plan(uow, on(MANAGER_P1), plan_id)
    return plan_id


# -- templates ---------------------------------------------------------------------------------


def test_templates_are_numbered_versioned_and_published_by_program_administrators(
    storage: Storage,
) -> None:
    vendor = on(VENDOR)
    with storage.unit_of_work() as uow:
        draft = create_template(uow, vendor, "Marketing plan", kind="marketing")
    assert (draft.id, draft.published, draft.template_version) == ("TPL-000001", False, 1)
    assert [s.key for s in draft.sections] == ["sales", "marketing", "enablement", "onboarding"]
    with storage.unit_of_work() as uow:
        renamed = rename_template_section(uow, vendor, draft.id, "sales", "Revenue")
    with storage.unit_of_work() as uow:
        published = publish_template(uow, vendor, draft.id)
    assert renamed.sections[0].title == "Revenue"
    assert (published.published, published.template_version) == (True, 1)
    with storage.unit_of_work() as uow:
        edited = edit_template(uow, vendor, draft.id, purpose="Campaigns")
    assert (edited.published, edited.template_version) == (False, 2)
    with storage.unit_of_work() as uow:
        copy = duplicate_template(uow, vendor, draft.id, "Marketing plan (copy)")
    assert (copy.id, copy.purpose, copy.template_version) == ("TPL-000002", "Campaigns", 1)
    with storage.unit_of_work() as uow:
        assert get_template(uow, vendor, draft.id) == edited
        assert [t.id for t in list_templates(uow, vendor, kind="marketing")] == [
            "TPL-000001",
            "TPL-000002",
        ]
        assert list_templates(uow, vendor, published=True).items == ()
    for actor in (MANAGER_P1, ADMIN_P1):
        with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
            create_template(uow, on(actor), "Not mine")


def test_a_bad_template_names_every_field_and_takes_no_number(storage: Storage) -> None:
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        create_template(uow, on(VENDOR), "", kind="Not A Key")
    assert sorted(e.path for e in raised.value.errors) == ["kind", "name"]
    with storage.unit_of_work() as uow:
        assert create_template(uow, on(VENDOR), "Fine").id == "TPL-000001"


def test_importing_the_program_templates_is_idempotent_and_a_change_is_a_new_version(
    storage: Storage,
) -> None:
    file_template = PlanTemplate("reseller", "Reseller plan", sections=(SALES,)).published_by(
        "file", NOW
    )
    program = attrs.evolve(PROGRAM, plan_templates=(file_template,))
    with storage.unit_of_work() as uow:
        first = import_program_templates(uow, on(VENDOR, program=program))
    with storage.unit_of_work() as uow:
        again = import_program_templates(uow, on(VENDOR, program=program))
    changed = attrs.evolve(program, plan_templates=(attrs.evolve(file_template, purpose="New"),))
    with storage.unit_of_work() as uow:
        third = import_program_templates(uow, on(VENDOR, program=changed))
    assert (first.added, again.unchanged, third.updated) == (
        ("reseller",),
        ("reseller",),
        ("reseller",),
    )
    with storage.unit_of_work() as uow:
        stored = get_template(uow, on(VENDOR), "reseller")
    assert (stored.template_version, stored.published, stored.purpose) == (2, True, "New")


# -- assignment --------------------------------------------------------------------------------


def test_assigning_makes_a_numbered_vendor_draft_with_partner_targets(
    storage: Storage, template: PlanTemplate
) -> None:
    seen = watch(storage)
    targets = {"won": [PeriodTarget("year", 30)]}
    with storage.unit_of_work() as uow:
        plan = assign_plan(uow, on(VENDOR), template.id, "p1", targets=targets)
    assert (plan.id, plan.fiscal_year, plan.status) == ("PL-2026-000001", 2026, PlanStatus.DRAFT)
    assert plan.overridden == ("won",)
    assert [type(e) for e in seen] == [PlanAssigned]
    with storage.unit_of_work() as uow, pytest.raises(Conflict) as raised:
        assign_plan(uow, on(VENDOR), template.id, "p1")
    assert raised.value.field == "assignment"
    with storage.unit_of_work() as uow:
        other_year = assign_plan(uow, on(VENDOR), template.id, "p1", fiscal_year=2027)
    assert other_year.id == "PL-2027-000001"


def test_assignment_is_refused_without_the_permission_or_the_reach(
    storage: Storage, template: PlanTemplate
) -> None:
    for actor, error in ((ADMIN_P1, PermissionDenied), (MANAGER_P1, PermissionDenied)):
        with storage.unit_of_work() as uow, pytest.raises(error):
            assign_plan(uow, on(actor), template.id, "p1")
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        assign_plan(uow, on(VENDOR), template.id, "p9")
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        assign_plan(uow, on(VENDOR), "TPL-999999", "p1")
    with storage.unit_of_work() as uow:
        draft = create_template(uow, on(VENDOR), "Unpublished")
    with storage.unit_of_work() as uow, pytest.raises(ValidationError):
        assign_plan(uow, on(VENDOR), draft.id, "p1")
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        assign_plan(uow, on(VENDOR), template.id, "p1", targets={"nope": []})
    assert [e.path for e in raised.value.errors] == ["targets.nope"]
    with storage.unit_of_work() as uow:
        assert uow.repository(PLANS).count() == 0


def test_bulk_assignment_is_idempotent_and_reports_every_partner(
    storage: Storage, template: PlanTemplate
) -> None:
    assigned(storage, template, "p1")
    segment = PartnerFilter(regions={"EMEA", "APAC"})
    bad = {"p3": {"won": [PeriodTarget("year", Money("1", "EUR"))]}}
    with storage.unit_of_work() as uow:
        report = assign_plans(uow, on(VENDOR), template.id, segment, targets=bad)
    assert [(e.partner_id, e.outcome) for e in report.entries] == [
        ("p1", ALREADY_HAD),
        ("p2", ASSIGNED),
        ("p3", REFUSED),
    ]
    assert "targets.won" in report.entries[2].reason
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        assign_plans(uow, on(VENDOR), template.id, PartnerFilter(tiers="gold"), targets={
            "p2": {"won": [PeriodTarget("year", 1)]}, "p9": {}
        })  # fmt: skip
    assert [e.path for e in raised.value.errors] == ["targets.p2", "targets.p9"]
    with storage.unit_of_work() as uow:
        again = assign_plans(uow, on(VENDOR), template.id, segment)
    assert again.of(ALREADY_HAD) == ("p1", "p2")
    assert again.of(ASSIGNED) == ("p3",)
    with storage.unit_of_work() as uow:
        gold = assign_plans(uow, on(VENDOR), template.id, PartnerFilter(tiers="gold"))
    assert gold.of(ALREADY_HAD) == ("p1", "p3")
    with storage.unit_of_work() as uow:
        plans = list_plans(uow, on(VENDOR), fiscal_year=2026, limit=10)
    assert sorted(p.partner_id for p in plans) == ["p1", "p2", "p3"]


def test_two_racing_bulk_assignments_leave_one_plan_per_partner(
    storage: Storage, template: PlanTemplate
) -> None:
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[object] = []

    def run() -> None:
        try:
            barrier.wait()
            with storage.unit_of_work() as uow:
                outcomes.append(assign_plans(uow, on(VENDOR), template.id, PartnerFilter()))
        except Exception as exc:  # pragma: no cover - reported by the assertion
            outcomes.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with storage.unit_of_work() as uow:
        plans = list(uow.repository(PLANS).list(limit=100))
    assert sorted(p.partner_id for p in plans) == ["p1", "p2", "p3"]
    reports = [o for o in outcomes if isinstance(o, AssignmentReport)]
    assert all(isinstance(o, Conflict) for o in outcomes if isinstance(o, Exception)), outcomes
    assert reports
    assert sum(len(r.of(ASSIGNED)) for r in reports) == 3


def test_a_template_version_is_pushed_to_drafts_and_shared_plans_only(
    storage: Storage, template: PlanTemplate
) -> None:
    draft = assigned(storage, template, "p2")
    review = shared(storage, template, "p3")
    frozen = signed(storage, template)
    vendor = on(VENDOR)
    with storage.unit_of_work() as uow:
        edit_template(uow, vendor, template.id, purpose="Version two")
    with storage.unit_of_work() as uow:  # the new version is a draft: version 1 is pushed
        while_drafted = push_template_version(uow, vendor, template.id)
    assert (while_drafted.template_version, while_drafted.updated) == (1, ())
    assert set(while_drafted.current) == {draft, review}
    with storage.unit_of_work() as uow:
        publish_template(uow, vendor, template.id)
    with storage.unit_of_work() as uow:
        report = push_template_version(uow, vendor, template.id)
    assert (set(report.updated), report.untouched) == ({draft, review}, (frozen,))
    with storage.unit_of_work() as uow:
        assert get_plan(uow, vendor, draft).purpose == "Version two"
        assert get_plan(uow, vendor, frozen).template_version == 1
        assert get_plan(uow, vendor, frozen).purpose == ""
    with storage.unit_of_work() as uow:
        assert push_template_version(uow, vendor, template.id).current == report.updated


# -- the steps ---------------------------------------------------------------------------------


def test_a_plan_is_shared_signed_off_by_both_sides_and_worked_on(
    storage: Storage, template: PlanTemplate
) -> None:
    seen = watch(storage)
    plan_id = shared(storage, template)
    with storage.unit_of_work() as uow:
        comment_on_plan(uow, on(ADMIN_P1), plan_id, "More deals?", proposal=True)
    with storage.unit_of_work() as uow:
        set_plan_targets(uow, on(VENDOR), plan_id, "won", [PeriodTarget("year", 25)])
    with storage.unit_of_work() as uow:
        partner = sign_off_plan(uow, on(EXEC_P1), plan_id)
    with storage.unit_of_work() as uow:
        vendor = sign_off_plan(uow, on(MANAGER_P1), plan_id)
    assert (partner.status, vendor.status) == (PlanStatus.SHARED, PlanStatus.SIGNED_OFF)
    assert [(s.side, s.actor) for s in vendor.signoffs] == [
        (Side.PARTNER, "eve"),
        (Side.VENDOR, "pam"),
    ]
    with storage.unit_of_work() as uow, pytest.raises(InvalidTransition):
        edit_plan(uow, on(VENDOR), plan_id, name="Changed")
    with storage.unit_of_work() as uow:
        start_plan(uow, on(VENDOR), plan_id)
    with storage.unit_of_work() as uow:
        check_plan_task(uow, on(BOSS_P1), plan_id, "forecast")
    with storage.unit_of_work() as uow:
        uncheck_plan_task(uow, on(EXEC_P1), plan_id, "forecast", reason="Not yet")
    with storage.unit_of_work() as uow:
        hold_plan_milestone(uow, on(EXEC_P1), plan_id, "kickoff", notes="Went well")
    with storage.unit_of_work() as uow:
        record_plan_actual(uow, on(ADMIN_P1), plan_id, "csat", "q1", Decimal("88"))
    with storage.unit_of_work() as uow:
        plan = reopen_plan(uow, on(VENDOR), plan_id, "New product line")
    assert (plan.status, plan.revision, len(plan.signed)) == (PlanStatus.SHARED, 2, 1)
    assert [e.action for e in plan.audit] == [
        "assign",
        "share",
        "comment",
        "set_targets",
        "sign_off",
        "sign_off",
        "start",
        "check_task",
        "uncheck_task",
        "hold_milestone",
        "record_actual",
        "reopen",
    ]
    kinds = [type(e).__name__ for e in seen]
    assert kinds[:2] == ["PlanAssigned", "PlanShared"]
    assert kinds.count("PlanSignedOff") == 2
    assert "TaskCompleted" in kinds


def test_the_side_comes_from_the_actor_and_each_step_needs_its_permission(
    storage: Storage, template: PlanTemplate
) -> None:
    plan_id = shared(storage, template)
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        sign_off_plan(uow, on(USER_P1), plan_id)
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        sign_off_plan(uow, on(BOSS_P1), plan_id)  # managers check items, they do not sign
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        share_plan(uow, on(ADMIN_P1), plan_id)
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        check_plan_task(uow, on(ADMIN_P1), plan_id, "forecast")  # no check_plan_items
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        check_plan_task(uow, on(EXEC_P1), plan_id, "portal")  # not among the task's roles
    with storage.unit_of_work() as uow:
        check_plan_task(uow, on(VENDOR), plan_id, "portal")
    with storage.unit_of_work() as uow:
        sign_off_plan(uow, on(ADMIN_P1), plan_id)
    with storage.unit_of_work() as uow, pytest.raises(InvalidTransition):
        sign_off_plan(uow, on(EXEC_P1), plan_id)  # the partner signed already
    with storage.unit_of_work() as uow:
        plan = get_plan(uow, on(VENDOR), plan_id)
    assert [s.side for s in plan.signoffs] == [Side.PARTNER]


def test_events_are_published_after_the_commit_only(
    storage: Storage, template: PlanTemplate
) -> None:
    seen = watch(storage)

    with storage.unit_of_work() as uow, pytest.raises(ValidationError):
        assign_plan(uow, on(VENDOR), template.id, "p1", targets={"won": [PeriodTarget("q9", 1)]})
    assert seen == []
    with storage.unit_of_work() as uow:
        plan_id = assign_plan(uow, on(VENDOR), template.id, "p1").id
        assert [type(e) for e in seen] == [PlanAssigned]  # the use case committed
    with storage.unit_of_work() as uow:
        share_plan(uow, on(VENDOR), plan_id)
    assert [type(e) for e in seen] == [PlanAssigned, PlanShared]
    with storage.unit_of_work() as uow:
        publish_template(uow, on(VENDOR), create_template(uow, on(VENDOR), "Other").id)
    assert isinstance(seen[-1], PlanTemplateSaved)


def test_bad_arguments_are_named_before_anything_is_written(
    storage: Storage, template: PlanTemplate
) -> None:
    vendor = on(VENDOR)
    with storage.unit_of_work() as uow:
        with pytest.raises(ValidationError) as raised:
            assign_plans(uow, vendor, template.id, None, fiscal_year="2026", targets=[])  # type: ignore[arg-type]
        assert sorted(e.path for e in raised.value.errors) == ["fiscal_year", "segment", "targets"]
        with pytest.raises(ValidationError) as raised:
            list_templates(uow, vendor, kind=3, published="yes")  # type: ignore[arg-type]
        assert sorted(e.path for e in raised.value.errors) == ["kind", "published"]
        with pytest.raises(ValidationError) as raised:
            list_plans(uow, vendor, status=["draft", "lost"])
        assert [e.path for e in raised.value.errors] == ["status.1"]
        with pytest.raises(ValidationError) as raised:
            assign_plan(uow, vendor, template.id, "p1", fiscal_year=0)
        assert [e.path for e in raised.value.errors] == ["fiscal_year"]
    plan_id = assigned(storage, template)
    with storage.unit_of_work() as uow:
        with pytest.raises(ValidationError) as raised:
            plan_progress_of(uow, vendor, plan_id, [object()])  # type: ignore[list-item]
        assert [e.path for e in raised.value.errors] == ["activities.0"]
        dollars = Activity("p1", "deal_won", NOW, amount=Money("5", "USD"))
        with pytest.raises(ValidationError) as raised:
            plan_progress_of(uow, vendor, plan_id, [Activity("p2", "login", NOW), dollars])
        assert [e.path for e in raised.value.errors] == ["activities.1.amount"]
        with pytest.raises(ValidationError):
            record_plan_actual(uow, vendor, plan_id, "won", "q5", 3)
        assert uow.repository(PLANS).count() == 1


# -- reading -----------------------------------------------------------------------------------


def test_a_partner_sees_its_own_plans_and_never_a_draft(
    storage: Storage, template: PlanTemplate
) -> None:
    draft = assigned(storage, template, "p1")
    other = shared(storage, template, "p2")
    for actor in (ADMIN_P1, EXEC_P1, BOSS_P1):
        with storage.unit_of_work() as uow:
            with pytest.raises(NotFound):
                get_plan(uow, on(actor), draft)
            with pytest.raises(NotFound):
                get_plan(uow, on(actor), other)
            with pytest.raises(NotFound):
                sign_off_plan(uow, on(actor) if actor is not BOSS_P1 else on(EXEC_P1), draft)
            assert list_plans(uow, on(actor)).items == ()
            assert list_plans(uow, on(actor), status="draft").items == ()
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        comment_on_plan(uow, on(ADMIN_P1), draft, "Hello?")
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        get_plan(uow, on(USER_P1), draft)
    with storage.unit_of_work() as uow:
        share_plan(uow, on(VENDOR), draft)
    with storage.unit_of_work() as uow:
        assert get_plan(uow, on(ADMIN_P1), draft).id == draft
        assert [p.id for p in list_plans(uow, on(EXEC_P1))] == [draft]
        assert [p.id for p in list_plans(uow, on(ADMIN_P2), partner_id="p1")] == []
        assert [p.id for p in list_plans(uow, on(MANAGER_P1))] == [draft]
        assert len(list_plans(uow, on(VENDOR), status=["shared"])) == 2
        with pytest.raises(ValidationError):
            list_plans(uow, on(VENDOR), status="lost")


def test_progress_counts_the_partners_activities_per_period(
    storage: Storage, template: PlanTemplate
) -> None:
    plan_id = signed(storage, template)
    with storage.unit_of_work() as uow:
        check_plan_task(uow, on(EXEC_P1), plan_id, "forecast")
    at = pendulum.datetime(2026, 1, 20, 12, tz="UTC")
    activities = [
        *(Activity("p1", "deal_won", at, amount=Money("5000", "EUR")) for _ in range(4)),
        Activity("p2", "deal_won", at, amount=Money("9000", "EUR")),
    ]
    with storage.unit_of_work() as uow:
        progress = plan_progress_of(uow, on(ADMIN_P1), plan_id, activities)
        bare = plan_progress_of(uow, on(ADMIN_P1), plan_id)
    won = next(o for o in progress.objectives if o.key == "won")
    arr = next(o for o in progress.objectives if o.key == "arr")
    assert won.year.actual == 4
    assert won.quarters[0].actual == 4
    assert won.quarters[1].actual is None  # the second quarter has not begun
    assert arr.year.actual == Money("20000", "EUR")
    assert 0 <= bare.completion < progress.completion <= 100
    with storage.unit_of_work() as uow:
        rows = company_plan_rows(uow, on(VENDOR), activities)
        assert [(r.partner_id, r.completion) for r in rows] == [("p1", progress.completion)]
        with pytest.raises(PermissionDenied):
            company_plan_rows(uow, on(ADMIN_P1))
        assert company_plan_rows(uow, on(MANAGER_P1)) != []


def test_a_clock_past_the_year_measures_the_whole_year(
    storage: Storage, template: PlanTemplate
) -> None:
    plan_id = signed(storage, template)
    at = pendulum.datetime(2026, 11, 20, 12, tz="UTC")
    later = on(VENDOR, FixedClock(pendulum.datetime(2027, 3, 1, 9, tz="UTC")))
    with storage.unit_of_work() as uow:
        progress = plan_progress_of(uow, later, plan_id, [Activity("p1", "deal_won", at)])
    won = next(o for o in progress.objectives if o.key == "won")
    assert [q.actual for q in won.quarters] == [0, 0, 0, 1]
    assert won.year.actual == 1


def test_targets_and_sections_of_the_wrong_shape_or_currency_are_named(
    storage: Storage, template: PlanTemplate
) -> None:
    vendor = on(VENDOR)
    plan_id = assigned(storage, template)
    dollars = [PeriodTarget("year", Money("5", "USD"))]
    with storage.unit_of_work() as uow:
        calls: dict[str, Callable[[], object]] = {
            "targets.won": lambda: assign_plan(uow, vendor, template.id, "p2", targets={"won": 5}),  # type: ignore[dict-item]
            "targets": lambda: set_plan_targets(uow, vendor, plan_id, "won", 5),  # type: ignore[arg-type]
            "sections": lambda: edit_plan(uow, vendor, plan_id, sections=5),  # type: ignore[arg-type]
            "status": lambda: list_plans(uow, vendor, status=5),  # type: ignore[arg-type]
        }
        for path, call in calls.items():
            with pytest.raises(ValidationError) as raised:
                call()
            assert [e.path for e in raised.value.errors] == [path], path
        with pytest.raises(ValidationError) as raised:
            set_plan_targets(uow, vendor, plan_id, "arr", dollars)
        assert [e.path for e in raised.value.errors] == ["targets.0.value"]
        assert list_plans(uow, vendor, status=[]).items == ()
        assert list_plans(uow, on(ADMIN_P1), status=[]).items == ()
        assert uow.repository(PLANS).count() == 1


def test_ids_holding_the_separator_of_old_assignment_keys_never_collide(
    storage: Storage, template: PlanTemplate
) -> None:
    from partnerkit.storage import assignment_key

    assert assignment_key("acme", "gold|std", 2026) != assignment_key("acme|gold", "std", 2026)


def test_plans_still_open_when_their_year_ended_are_closed_by_the_sweep(
    storage: Storage, template: PlanTemplate
) -> None:
    from partnerkit.services import (
        YEAR_ENDED,
        Context,
        close_ended_plans,
        complete_plan,
        start_plan,
    )

    draft = assigned(storage, template, "p2")
    done = signed(storage, template)
    with storage.unit_of_work() as uow:
        start_plan(uow, on(VENDOR), done)
    with storage.unit_of_work() as uow:
        complete_plan(uow, on(VENDOR), done)
    with storage.unit_of_work() as uow:
        this_year = close_ended_plans(uow, on(VENDOR))
    assert (this_year.closed, this_year.checked) == ((), 0)  # 2026 is not over
    next_year = Context.system(FixedClock(pendulum.datetime(2027, 1, 2, tz="UTC")), PROGRAM)
    seen = watch(storage)
    with storage.unit_of_work() as uow:
        report = close_ended_plans(uow, next_year)
    assert report.closed == (draft,)  # the completed plan stays completed
    with storage.unit_of_work() as uow:
        closed = get_plan(uow, on(VENDOR), draft)
    assert closed.status is PlanStatus.CLOSED
    assert closed.audit[-1].note == YEAR_ENDED
    assert [type(e).__name__ for e in seen] == ["PlanClosed"]
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        close_ended_plans(uow, on(ADMIN_P1))


def test_certified_users_are_those_holding_a_current_certification_as_scoring_counts_them(
    storage: Storage, template: PlanTemplate
) -> None:
    from partnerkit.plans import Objective, ObjectiveKind, Section
    from partnerkit.scoring import BUILTIN_KPIS, Kpi, Window, score_ecosystem

    vendor = on(VENDOR)
    certified = Objective(
        "cert",
        "Certified users",
        ObjectiveKind.CERTIFIED_USERS,
        [PeriodTarget("year", 4), PeriodTarget("q1", 2)],
    )
    with storage.unit_of_work() as uow:
        made = create_template(
            uow, vendor, "Cert", sections=[Section("en", "En", objectives=[certified])]
        )
    with storage.unit_of_work() as uow:
        publish_template(uow, vendor, made.id)
    with storage.unit_of_work() as uow:
        plan_id = assign_plan(uow, vendor, made.id, "p1").id

    def earned(partner: str, user: str, year: int, month: int, day: int) -> Activity:
        return Activity(
            partner, "certification_earned", pendulum.datetime(year, month, day, tz="UTC"), user
        )

    activities = [
        earned("p1", "ana", 2025, 6, 1),  # certified last year: still current in 2026
        earned("p1", "bob", 2026, 1, 20),
        earned("p1", "bob", 2026, 1, 25),  # bob again: one user
        earned("p1", "cy", 2023, 12, 1),  # more than 730 days before: lapsed
        earned("p2", "dan", 2026, 1, 10),  # another partner's
    ]
    with storage.unit_of_work() as uow:
        progress = plan_progress_of(uow, vendor, plan_id, activities)
    (objective,) = progress.objectives
    assert (objective.year.actual, objective.quarters[0].actual) == (2, 2)
    assert objective.quarters[1].actual is None  # not begun
    scores = score_ecosystem(
        activities,
        calendar=PROGRAM.fiscal,
        as_of=NOW.date(),
        currency="EUR",
        model=PROGRAM.scoring,
        partners=["p1"],
    )
    assert scores.values.value("p1", "certified_users") == 2  # what the scores say
    # A program whose scoring model keeps certifications current for 90 days counts bob alone.
    kpis = tuple(
        Kpi("certified_users", "certified_users", Window.trailing(90))
        if k.name == "certified_users"
        else k
        for k in BUILTIN_KPIS
    )
    short = attrs.evolve(PROGRAM, scoring=attrs.evolve(PROGRAM.scoring, kpis=kpis))
    with storage.unit_of_work() as uow:
        progress = plan_progress_of(uow, on(VENDOR, program=short), plan_id, activities)
    assert progress.objectives[0].year.actual == 1
    # After the year, it is measured on the year's last day, each quarter on its own.
    later = on(VENDOR, FixedClock(pendulum.datetime(2027, 3, 1, 9, tz="UTC")))
    with storage.unit_of_work() as uow:
        progress = plan_progress_of(
            uow, later, plan_id, [*activities, earned("p1", "eva", 2026, 8, 1)]
        )
    objective = progress.objectives[0]
    assert objective.year.actual == 3
    assert [q.actual for q in objective.quarters] == [2, 2, 3, 3]


def test_certified_users_take_the_window_of_the_models_certified_users_kpi_and_no_other(
    storage: Storage, template: PlanTemplate
) -> None:
    from partnerkit.plans import Objective, ObjectiveKind, Section
    from partnerkit.program import Program
    from partnerkit.scoring import BUILTIN_KPIS, Kpi, Window

    vendor = on(VENDOR)
    certified = Objective(
        "cert", "Certified users", ObjectiveKind.CERTIFIED_USERS, [PeriodTarget("year", 4)]
    )
    with storage.unit_of_work() as uow:
        made = create_template(
            uow, vendor, "Cert", sections=[Section("en", "En", objectives=[certified])]
        )
    with storage.unit_of_work() as uow:
        publish_template(uow, vendor, made.id)
    with storage.unit_of_work() as uow:
        plan_id = assign_plan(uow, vendor, made.id, "p1").id

    def earned(user: str, year: int, month: int, day: int) -> Activity:
        at = pendulum.datetime(year, month, day, 12, tz="UTC")
        return Activity("p1", "certification_earned", at, user)

    activities = [
        earned("first", 2024, 2, 12),  # the first day of the 730 to 10 February 2026
        earned("lapsed", 2024, 2, 11),  # the day before
        earned("recent", 2026, 1, 20),
    ]

    def counted(program: Program) -> object:
        with storage.unit_of_work() as uow:
            progress = plan_progress_of(uow, on(VENDOR, program=program), plan_id, activities)
        return progress.objectives[0].year.actual

    def scoring(kpi: Kpi) -> Program:
        kpis = (*(k for k in BUILTIN_KPIS if k.name != "certified_users"), kpi)
        signals = PROGRAM.scoring.signals
        if kpi.name != "certified_users":  # its signal goes with it
            signals = tuple(s for s in signals if s.kpi != "certified_users")
        model = attrs.evolve(PROGRAM.scoring, kpis=kpis, signals=signals)
        return attrs.evolve(PROGRAM, scoring=model)

    thirty_days = Window.trailing(30)
    # partnerkit's own window: the trailing 730 days.
    assert counted(PROGRAM) == 2
    # The model's own certified_users KPI: its window.
    assert counted(scoring(Kpi("certified_users", "certified_users", thirty_days))) == 1
    # A KPI of that name that counts something else does not say how long one is current.
    other = Kpi("certified_users", "count", thirty_days, kinds=("certification_earned",))
    assert counted(scoring(other)) == 2
    # Nor does a KPI of another name, though it counts certified users.
    assert counted(scoring(Kpi("certified_30d", "certified_users", thirty_days))) == 2
