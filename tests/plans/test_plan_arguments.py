"""Every bad argument of a plan or template use case is named at once, at its own path.

A use case that meets a bad argument raises one ValidationError naming all of
them (not the first one only), with paths as the caller wrote the arguments
(``sections.1.key``, ``targets.won.0.value``), and changes nothing.
"""

from __future__ import annotations

import attrs
import pytest
from plan_factories import SALES
from plan_services_factories import NOW, VENDOR, on, seed

from partnerkit.core import Money
from partnerkit.core.errors import ValidationError
from partnerkit.partners import PartnerFilter
from partnerkit.plans import PeriodTarget, PlanTemplate
from partnerkit.scoring import Activity
from partnerkit.services import (
    REFUSED,
    assign_plan,
    assign_plans,
    create_template,
    edit_plan,
    edit_template,
    get_plan,
    get_template,
    hold_plan_milestone,
    list_plans,
    plan_progress_of,
    push_template_version,
    rename_template_section,
    set_plan_targets,
    uncheck_plan_task,
)
from partnerkit.storage import PLANS, MemoryStorage, Storage

#: The sales section with its money targets in dollars (the program counts in euros).
DOLLARS = attrs.evolve(
    SALES,
    objectives=[
        attrs.evolve(SALES.objectives[0], targets=[PeriodTarget("year", Money("9", "USD"))]),
        SALES.objectives[1],
    ],
)
#: What two copies of the sales section name twice: the section key and every item key.
SALES_TWICE = [
    ("sections.1.key", "duplicate"),
    ("sections.1.milestones.0.key", "duplicate"),
    ("sections.1.milestones.1.key", "duplicate"),
    ("sections.1.objectives.0.key", "duplicate"),
    ("sections.1.objectives.1.key", "duplicate"),
    ("sections.1.tasks.0.key", "duplicate"),
]


@pytest.fixture
def storage() -> Storage:
    return MemoryStorage()


@pytest.fixture
def template(storage: Storage) -> PlanTemplate:
    return seed(storage)


@pytest.fixture
def plan_id(storage: Storage, template: PlanTemplate) -> str:
    with storage.unit_of_work() as uow:
        return assign_plan(uow, on(VENDOR), template.id, "p1").id


def problems(raised: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return sorted((e.path, e.code) for e in raised.value.errors)


def test_edit_plan_names_duplicate_sections_by_their_index_and_every_other_argument(
    storage: Storage, plan_id: str
) -> None:
    with storage.unit_of_work() as uow:
        before = get_plan(uow, on(VENDOR), plan_id)
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        edit_plan(uow, on(VENDOR), plan_id, sections=[SALES, SALES], name="")
    assert problems(raised) == sorted([("name", "required"), *SALES_TWICE])
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        edit_plan(uow, on(VENDOR), plan_id, sections=7, name="", purpose=5)  # type: ignore[arg-type]
    assert problems(raised) == [
        ("name", "required"),
        ("purpose", "invalid"),
        ("sections", "invalid"),
    ]
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        edit_plan(uow, on(VENDOR), plan_id, sections=[DOLLARS, "x", DOLLARS], name="")  # type: ignore[list-item]
    assert problems(raised) == sorted(
        [
            ("name", "required"),
            ("sections.0.objectives.0.targets.0.value", "invalid"),  # dollars
            ("sections.1", "invalid"),  # no Section
            ("sections.2.objectives.0.targets.0.value", "invalid"),
            *((p.replace("sections.1", "sections.2"), c) for p, c in SALES_TWICE),
        ]
    )
    with storage.unit_of_work() as uow:
        assert get_plan(uow, on(VENDOR), plan_id) == before  # nothing changed


def test_create_and_edit_template_name_every_bad_argument_and_take_no_number(
    storage: Storage, template: PlanTemplate
) -> None:
    vendor = on(VENDOR)
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        create_template(uow, vendor, "", kind="Not A Key", sections=[SALES, SALES])
    assert problems(raised) == sorted([("kind", "invalid"), ("name", "required"), *SALES_TWICE])
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        create_template(uow, vendor, "", sections=7)  # type: ignore[arg-type]
    assert problems(raised) == [("name", "required"), ("sections", "invalid")]
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        create_template(uow, vendor, "", sections=[DOLLARS])
    assert problems(raised) == [
        ("name", "required"),
        ("sections.0.objectives.0.targets.0.value", "invalid"),
    ]
    with storage.unit_of_work() as uow:
        assert create_template(uow, vendor, "Fine").id == "TPL-000002"  # no number was taken
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        edit_template(uow, vendor, template.id, name="", sections=(s for s in (SALES, SALES)))
    assert problems(raised) == sorted([("name", "required"), *SALES_TWICE])
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        edit_template(uow, vendor, template.id, purpose=3, sections=5)  # type: ignore[arg-type]
    assert problems(raised) == [("purpose", "invalid"), ("sections", "invalid")]
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        rename_template_section(uow, vendor, template.id, "nope", "", description=4)  # type: ignore[arg-type]
    assert problems(raised) == [
        ("description", "invalid"),
        ("section", "unknown"),
        ("title", "required"),
    ]
    with storage.unit_of_work() as uow:
        assert get_template(uow, vendor, template.id) == template


def test_assignment_names_a_bad_year_and_every_bad_override_together(
    storage: Storage, template: PlanTemplate
) -> None:
    vendor = on(VENDOR)
    dollars = [PeriodTarget("year", Money("1", "USD"))]
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        assign_plan(
            uow,
            vendor,
            template.id,
            "p1",
            fiscal_year="2026",  # type: ignore[arg-type]
            targets={"won": 5, "nope": [PeriodTarget("year", 1)], "arr": dollars},  # type: ignore[dict-item]
        )
    assert problems(raised) == [
        ("fiscal_year", "invalid"),
        ("targets.arr.0.value", "invalid"),  # dollars in a euro program
        ("targets.nope", "unknown"),
        ("targets.won", "invalid"),  # no list
    ]
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        assign_plan(uow, vendor, template.id, "p1", fiscal_year=0, targets=[])  # type: ignore[arg-type]
    assert problems(raised) == [("fiscal_year", "out_of_range"), ("targets", "invalid")]
    bad = {"won": [PeriodTarget("year", Money("1", "EUR"))], "nope": []}
    with storage.unit_of_work() as uow:
        report = assign_plans(uow, vendor, template.id, PartnerFilter(), targets={"p2": bad})
    (refused,) = [e for e in report.entries if e.outcome == REFUSED]
    assert refused.partner_id == "p2"
    assert "targets.won.0.value" in refused.reason
    assert "targets.nope" in refused.reason
    with storage.unit_of_work() as uow:
        assert sorted(p.partner_id for p in uow.repository(PLANS).list(limit=10)) == ["p1", "p3"]


def test_assignment_names_a_template_never_published_or_a_bad_id_beside_the_other_arguments(
    storage: Storage, template: PlanTemplate
) -> None:
    vendor = on(VENDOR)
    with storage.unit_of_work() as uow:
        draft = create_template(uow, vendor, "Never published").id
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        assign_plan(uow, vendor, draft, "p1", fiscal_year=0)
    assert problems(raised) == [("fiscal_year", "out_of_range"), ("template_id", "invalid")]
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        assign_plans(uow, vendor, draft, PartnerFilter(), fiscal_year=0)
    assert problems(raised) == [("fiscal_year", "out_of_range"), ("template_id", "invalid")]
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        assign_plan(uow, vendor, draft, "p1", targets={"won": 5})  # type: ignore[dict-item]
    assert problems(raised) == [("targets.won", "invalid"), ("template_id", "invalid")]
    # A bad id is named at its argument's name (not the storage's "id"), with the rest.
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        assign_plan(uow, vendor, template.id, "", fiscal_year=0)
    assert problems(raised) == [("fiscal_year", "out_of_range"), ("partner_id", "invalid")]
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        assign_plan(uow, vendor, "", 5, fiscal_year=0, targets=[])  # type: ignore[arg-type]
    assert problems(raised) == [
        ("fiscal_year", "out_of_range"),
        ("partner_id", "invalid"),
        ("targets", "invalid"),
        ("template_id", "invalid"),
    ]
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        assign_plans(uow, vendor, "", "EMEA", fiscal_year=0, targets=[])  # type: ignore[arg-type]
    assert problems(raised) == [
        ("fiscal_year", "out_of_range"),
        ("segment", "invalid"),
        ("targets", "invalid"),
        ("template_id", "invalid"),
    ]
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
        push_template_version(uow, vendor, "")
    assert problems(raised) == [("template_id", "invalid")]
    with storage.unit_of_work() as uow:  # nothing was stored, no plan number taken
        assert uow.repository(PLANS).list(limit=10).items == ()
        assert assign_plan(uow, vendor, template.id, "p1").id == "PL-2026-000001"


def test_set_plan_targets_names_the_objective_and_the_targets_at_their_own_paths(
    storage: Storage, plan_id: str
) -> None:
    vendor = on(VENDOR)
    with storage.unit_of_work() as uow:
        before = get_plan(uow, vendor, plan_id)
        with pytest.raises(ValidationError) as raised:
            set_plan_targets(
                uow, vendor, plan_id, "nope", [PeriodTarget("year", Money("1", "USD"))]
            )
        assert problems(raised) == [("objective", "unknown"), ("targets.0.value", "invalid")]
        with pytest.raises(ValidationError) as raised:
            set_plan_targets(uow, vendor, plan_id, "arr", [PeriodTarget("year", 5)])
        assert problems(raised) == [("targets.0.value", "invalid")]  # counts for a money kind
        with pytest.raises(ValidationError) as raised:
            set_plan_targets(uow, vendor, plan_id, "arr", [])
        assert problems(raised) == [("targets", "required")]
        assert get_plan(uow, vendor, plan_id) == before
    with storage.unit_of_work() as uow:  # good targets given as a generator are read once
        plan = set_plan_targets(uow, vendor, plan_id, "won", (t for t in [PeriodTarget("year", 3)]))
    assert plan.overridden == ("won",)


def test_reading_and_working_on_plans_name_every_bad_argument(
    storage: Storage, plan_id: str
) -> None:
    vendor = on(VENDOR)
    with storage.unit_of_work() as uow:
        with pytest.raises(ValidationError) as raised:
            list_plans(uow, vendor, status=["lost", "draft", "gone"], fiscal_year=0)
        assert problems(raised) == [
            ("fiscal_year", "out_of_range"),
            ("status.0", "invalid_choice"),
            ("status.2", "invalid_choice"),
        ]
        with pytest.raises(ValidationError) as raised:
            plan_progress_of(uow, vendor, plan_id, [object(), Activity("p1", "login", NOW), 3])  # type: ignore[list-item]
        assert problems(raised) == [("activities.0", "invalid"), ("activities.2", "invalid")]
        dollars = Activity("p1", "deal_won", NOW, amount=Money("5", "USD"))
        with pytest.raises(ValidationError) as raised:
            plan_progress_of(uow, vendor, plan_id, [dollars, dollars])
        assert problems(raised) == [
            ("activities.0.amount", "invalid"),
            ("activities.1.amount", "invalid"),
        ]
        with pytest.raises(ValidationError) as raised:
            hold_plan_milestone(uow, vendor, plan_id, "nope", notes="\x00")
        assert problems(raised) == [("milestone", "unknown"), ("notes", "invalid")]
        with pytest.raises(ValidationError) as raised:
            uncheck_plan_task(uow, vendor, plan_id, "nope", reason="\x00")
        assert problems(raised) == [("reason", "invalid"), ("task", "unknown")]
