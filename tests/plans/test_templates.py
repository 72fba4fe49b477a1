"""Plan templates: defaults, versions, duplicates, renamable sections, checked content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from plan_factories import AT, ENABLEMENT, SALES, template

from partnerkit.core import Money
from partnerkit.core.errors import ValidationError
from partnerkit.plans import (
    Objective,
    ObjectiveKind,
    PeriodTarget,
    PlanTemplate,
    Section,
    Task,
    default_sections,
    objective_kind_label,
)


def test_a_new_template_starts_with_the_sections_an_administrator_expects() -> None:
    fresh = PlanTemplate("t-9", "Referral partners 2026")
    assert [s.title for s in fresh.sections] == ["Sales", "Marketing", "Enablement", "Onboarding"]
    assert fresh.sections == default_sections()
    assert (fresh.template_version, fresh.published) == (1, False)


def test_editing_a_draft_keeps_its_version_and_a_published_one_makes_the_next() -> None:
    draft = PlanTemplate("t-9", "Referral partners 2026")
    edited = draft.edited("vera", AT, purpose="Referrals")
    assert (edited.template_version, edited.published, edited.purpose) == (1, False, "Referrals")
    published = edited.published_by("vera", AT)
    renamed = published.rename_section("sales", "Revenue", "vera", AT, description="Money in")
    assert (renamed.template_version, renamed.published) == (2, False)
    assert renamed.section("sales").title == "Revenue"
    assert renamed.section("sales").description == "Money in"
    assert published.section("sales").title == "Sales"  # the published version is untouched
    with pytest.raises(ValidationError) as raised:
        published.published_by("vera", AT)
    assert raised.value.errors[0].path == "published"


def test_a_duplicate_copies_the_content_under_a_new_name_and_no_history() -> None:
    original = template().edited("vera", AT, purpose="v2").published_by("vera", AT)
    copy = original.duplicate("t-2", "Distributor plan", "olga", AT)
    assert (copy.id, copy.name, copy.sections, copy.purpose) == (
        "t-2",
        "Distributor plan",
        original.sections,
        "v2",
    )
    assert (copy.template_version, copy.published, copy.updated_by) == (1, False, "olga")


def test_every_bad_field_of_an_objective_is_named() -> None:
    with pytest.raises(ValidationError) as raised:
        Objective(
            "Bad Key",
            "",
            ObjectiveKind.REVENUE,
            [PeriodTarget("year", 5), PeriodTarget("year", Money("1", "EUR"))],
            weight=101,
        )
    assert sorted(e.path for e in raised.value.errors) == [
        "key",
        "targets",  # Money and a count in one objective
        "targets.0.value",
        "targets.1.period",
        "title",
        "weight",
    ]


@pytest.mark.parametrize("weight", [0, 101, True, 1.5])
def test_weights_are_whole_numbers_from_1_to_100(weight: object) -> None:
    with pytest.raises(ValidationError) as raised:
        Objective("won", "Won", ObjectiveKind.DEALS_WON, [PeriodTarget("year", 1)], weight=weight)  # type: ignore[arg-type]
    assert [e.path for e in raised.value.errors] == ["weight"]


def test_targets_are_never_negative_and_periods_are_the_fiscal_ones() -> None:
    with pytest.raises(ValidationError) as raised:
        PeriodTarget("q5", -1)
    assert sorted((e.path, e.code) for e in raised.value.errors) == [
        ("period", "invalid_choice"),
        ("value", "out_of_range"),
    ]


def test_keys_are_unique_across_sections() -> None:
    clash = Section("extra", "Extra", tasks=[Task("forecast", "Again")])
    with pytest.raises(ValidationError) as raised:
        PlanTemplate("t-3", "Clash", sections=[SALES, ENABLEMENT, clash])
    assert [(e.path, e.code) for e in raised.value.errors] == [
        ("sections.2.tasks.0.key", "duplicate")
    ]


def test_a_task_names_only_known_roles_and_anchors() -> None:
    with pytest.raises(ValidationError) as raised:
        Task("t", "Task", due="q9", check_roles=("janitor",))
    assert sorted(e.path for e in raised.value.errors) == ["check_roles.0", "due"]


def test_a_year_target_is_the_sum_of_the_quarters_when_not_set() -> None:
    arr = SALES.objectives[0]
    assert arr.target("year") == Money("100000", "EUR")
    assert arr.target("q2") == Money("25000", "EUR")
    won = SALES.objectives[1]
    assert (won.target("year"), won.target("q1")) == (20, None)


def test_objective_kinds_have_translated_labels() -> None:
    assert objective_kind_label(ObjectiveKind.DEALS_WON) == "Deals won"
    assert objective_kind_label(ObjectiveKind.NEW_ARR, "en_GB") == "New ARR"


# -- list fields of the wrong Python type (#19) --------------------------------------------------


@pytest.mark.parametrize("value", [None, 5, "sales"])
def test_a_list_field_that_is_no_list_is_a_validation_error_naming_it(value: Any) -> None:
    # Issue #19: Section(..., milestones=None), Objective(..., targets=None), Task(...,
    # check_roles=None), PlanTemplate(..., sections=None) raised TypeError in the converter.
    target = PeriodTarget("year", 10)
    made: dict[str, Callable[[], object]] = {
        "objectives": lambda: Section("s", "S", objectives=value),
        "milestones": lambda: Section("s", "S", milestones=value),
        "targets": lambda: Objective("o", "O", ObjectiveKind.CUSTOM, targets=value),
        "check_roles": lambda: Task("t", "T", check_roles=value),
        "sections": lambda: PlanTemplate("t-9", "Plan", sections=value),
    }
    for path, make in made.items():
        with pytest.raises(ValidationError) as caught:
            make()
        assert path in caught.value.paths
    # A Section and a template still name every other bad field with it.
    with pytest.raises(ValidationError) as caught:
        Section("s", "", tasks=value)
    assert caught.value.paths == ("title", "tasks")
    with pytest.raises(ValidationError) as caught:
        PlanTemplate("", "Plan", sections=value)
    assert caught.value.paths == ("id", "sections")
    assert Objective("o", "O", ObjectiveKind.CUSTOM, targets=[target]).targets == (target,)
