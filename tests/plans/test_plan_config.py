"""The program file's [plans] table: templates read with every bad field named, written back."""

from __future__ import annotations

import attrs
import pytest
from plan_factories import template

from partnerkit.core import ConfigReader, Money
from partnerkit.core.errors import ValidationError
from partnerkit.plans import (
    ObjectiveKind,
    PlanTemplate,
    Task,
    default_sections,
    read_plan_templates,
)
from partnerkit.program import Program

HEAD = """
[program]
key = "channel"
name = "Channel"
currency = "EUR"
"""

TEMPLATE = """
[[plans.templates]]
id = "reseller-2026"
name = "Reseller plan"
purpose = "Grow new business together"

[[plans.templates.sections]]
key = "sales"
title = "Revenue"

[[plans.templates.sections.objectives]]
key = "arr"
title = "New ARR"
kind = "new_arr"
weight = 60
targets = { q1 = "25000", q2 = "25000", q3 = "25000", q4 = "25000" }

[[plans.templates.sections.objectives]]
key = "won"
title = "Deals won"
kind = "deals_won"
targets = { year = 20 }
split = { dimension = "product", value = "edr" }

[[plans.templates.sections.tasks]]
key = "forecast"
title = "Share a pipeline forecast"
due = "q1"
check_roles = ["executive", "program_administrator"]

[[plans.templates.sections.milestones]]
key = "qbr1"
title = "First QBR"
at = "q1"
"""


def test_templates_are_read_published_in_the_programs_currency() -> None:
    program = Program.from_toml_string(HEAD + TEMPLATE)
    (read,) = program.plan_templates
    assert (read.id, read.published, read.template_version) == ("reseller-2026", True, 1)
    arr, won = read.section("sales").objectives
    assert arr.target("year") == Money("100000", "EUR")
    assert (won.kind, won.target("year"), won.split and won.split.value) == (
        ObjectiveKind.DEALS_WON,
        20,
        "edr",
    )
    assert read.section("sales").tasks[0].check_roles == ("executive", "program_administrator")
    assert "plan_templates=['reseller-2026']" in repr(program)


def test_a_template_without_sections_gets_the_default_ones() -> None:
    program = Program.from_toml_string(HEAD + '[[plans.templates]]\nid = "t"\nname = "Plan"\n')
    assert program.plan_templates[0].sections == default_sections()


def test_programs_with_templates_round_trip_through_their_file_form() -> None:
    program = Program.from_toml_string(HEAD + TEMPLATE)
    assert Program.from_dict(program.to_dict()) == program
    # The file form holds the content, not who last changed a template and when.
    made = Program("c", "C", "EUR", plan_templates=(template(),))
    expected = tuple(attrs.evolve(t, updated_by="", updated_at=None) for t in made.plan_templates)
    assert Program.from_dict(made.to_dict()).plan_templates == expected


def test_every_bad_field_is_named_by_its_path() -> None:
    bad = (
        TEMPLATE.replace("weight = 60", "weight = 600")
        .replace('due = "q1"', 'due = "q9"')
        .replace('kind = "deals_won"', 'kind = "won_deals"')
        .replace('check_roles = ["executive", "program_administrator"]', 'check_roles = ["cook"]')
        .replace('at = "q1"', 'at = "later"\nnotes = "x"')
    )
    with pytest.raises(ValidationError) as raised:
        Program.from_toml_string(HEAD + bad)
    base = "plans.templates.0.sections.0"
    assert sorted((e.path, e.code) for e in raised.value.errors) == [
        (f"{base}.milestones.0.at", "invalid_choice"),
        (f"{base}.milestones.0.notes", "unknown"),
        (f"{base}.objectives.0.weight", "out_of_range"),
        (f"{base}.objectives.1.kind", "invalid_choice"),
        (f"{base}.tasks.0.check_roles.0", "invalid_choice"),
        (f"{base}.tasks.0.due", "invalid_choice"),
    ]


def test_duplicate_template_ids_and_float_targets_are_refused() -> None:
    doubled = (
        HEAD + TEMPLATE + TEMPLATE.replace("[[plans.templates]]\n", "[[plans.templates]]\n", 1)
    )
    with pytest.raises(ValidationError) as raised:
        Program.from_toml_string(doubled)
    assert ("plans.templates.1.id", "duplicate") in [(e.path, e.code) for e in raised.value.errors]
    floats = TEMPLATE.replace("targets = { year = 20 }", "targets = { year = 20.5 }")
    with pytest.raises(ValidationError) as raised:
        Program.from_toml_string(HEAD + floats)
    assert [e.path for e in raised.value.errors] == [
        "plans.templates.0.sections.0.objectives.1.targets.year"
    ]


def test_a_program_built_in_code_checks_its_templates() -> None:
    draft = PlanTemplate("t-2", "Draft")
    with pytest.raises(ValidationError) as raised:
        Program("c", "C", "GBP", plan_templates=(template(), template(), draft))
    euros = [  # the four EUR quarter targets of New ARR, in a GBP program
        (f"plans.templates.{i}.sections.0.objectives.0.targets.{q}.value", "invalid")
        for i in (0, 1)
        for q in range(4)
    ]
    assert sorted((e.path, e.code) for e in raised.value.errors) == sorted(
        [
            *euros,
            ("plans.templates.1.id", "duplicate"),
            ("plans.templates.2.published", "invalid"),
        ]
    )
    with pytest.raises(ValidationError):
        Program("c", "C", "EUR", plan_templates=(Task("t", "x"),))  # type: ignore[arg-type]


def test_targets_are_named_by_their_period_and_an_empty_table_is_required() -> None:
    bad = TEMPLATE.replace("targets = { year = 20 }", 'targets = { year = "-1", q1 = "-2" }')
    bad = bad.replace('name = "Reseller plan"', 'name = "Reseller plan"\nkind = "Big Plan"')
    with pytest.raises(ValidationError) as raised:
        Program.from_toml_string(HEAD + bad)
    base = "plans.templates.0"
    assert sorted((e.path, e.code) for e in raised.value.errors) == [
        (f"{base}.kind", "invalid"),
        (f"{base}.sections.0.objectives.1.targets.q1", "out_of_range"),
        (f"{base}.sections.0.objectives.1.targets.year", "out_of_range"),
    ]
    empty = TEMPLATE.replace("targets = { year = 20 }", "targets = {}")
    with pytest.raises(ValidationError) as raised:
        Program.from_toml_string(HEAD + empty)
    assert [(e.path, e.code) for e in raised.value.errors] == [
        (f"{base}.sections.0.objectives.1.targets", "required")
    ]


def test_custom_money_targets_and_decimal_counts_round_trip_as_they_are() -> None:
    from decimal import Decimal

    from partnerkit.plans import Objective, PeriodTarget, Section

    custom = Section(
        "extra",
        "Extra",
        objectives=[
            Objective(
                "mdf",
                "MDF spent",
                ObjectiveKind.CUSTOM,
                [PeriodTarget("year", Money("500", "EUR"))],
            ),
            Objective("nps", "NPS", ObjectiveKind.CUSTOM, [PeriodTarget("year", Decimal("5.0"))]),
        ],
    )
    made = Program("c", "C", "EUR", plan_templates=(template(sections=(custom,)),))
    again = Program.from_dict(made.to_dict())
    assert again == made
    mdf, nps = again.plan_templates[0].sections[0].objectives
    assert mdf.targets[0].value == Money("500", "EUR")
    assert isinstance(nps.targets[0].value, Decimal)


def _problems(text: str, head: str = HEAD) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as raised:
        Program.from_toml_string(head + text)
    return sorted((e.path, e.code) for e in raised.value.errors)


ONE_SECTION = """
[[plans.templates]]
id = "t1"
name = "Plan"

[[plans.templates.sections]]
key = "Sales"
title = "Sales"

[[plans.templates.sections.tasks]]
key = "Forecast!"
title = "Share a forecast"
check_roles = "executive"
owner = "nobody"
"""


def test_a_bad_setting_does_not_hide_the_other_bad_settings_of_its_item_or_section() -> None:
    # A bad owner used to drop the task before its key and check_roles were looked at, and
    # the bad task its section before the section's key was.
    base = "plans.templates.0.sections.0"
    assert _problems(ONE_SECTION) == [
        (f"{base}.key", "invalid"),
        (f"{base}.tasks.0.check_roles", "invalid"),
        (f"{base}.tasks.0.key", "invalid"),
        (f"{base}.tasks.0.owner", "invalid_choice"),
    ]
    objective = """
[[plans.templates.sections.objectives]]
key = "Won"
title = ""
kind = "deals_won"
weight = 0
targets = { year = "-1", q1 = { amount = "5", currency = "EUR" }, q9 = 1 }
split = { dimension = "planet", value = "" }
"""
    assert _problems(
        ONE_SECTION.replace(
            "[[plans.templates.sections.tasks]]", objective + "[[plans.templates.sections.tasks]]"
        )
    ) == sorted(
        [
            (f"{base}.key", "invalid"),
            (f"{base}.objectives.0.key", "invalid"),
            (f"{base}.objectives.0.split.dimension", "invalid_choice"),
            (f"{base}.objectives.0.split.value", "required"),
            (f"{base}.objectives.0.targets.q1", "invalid"),  # money for a count
            (f"{base}.objectives.0.targets.q9", "unknown"),
            (f"{base}.objectives.0.targets.year", "out_of_range"),
            (f"{base}.objectives.0.title", "required"),
            (f"{base}.objectives.0.weight", "out_of_range"),
            (f"{base}.tasks.0.check_roles", "invalid"),
            (f"{base}.tasks.0.key", "invalid"),
            (f"{base}.tasks.0.owner", "invalid_choice"),
        ]
    )


TWO_SECTIONS = """
[[plans.templates]]
id = "t1"
name = "Plan"

[[plans.templates.sections]]
key = "a"
title = "A"

[[plans.templates.sections.tasks]]
key = "x"
title = "X"
due = "never"

[[plans.templates.sections.milestones]]
key = "x"
title = "Also x"

[[plans.templates.sections]]
key = "a"
title = "B"

[[plans.templates.sections.tasks]]
key = "x"
title = "X"
"""


def test_keys_used_twice_are_named_across_sections_beside_the_other_errors() -> None:
    assert _problems(TWO_SECTIONS) == [
        ("plans.templates.0.sections.0.milestones.0.key", "duplicate"),
        ("plans.templates.0.sections.0.tasks.0.due", "invalid_choice"),
        ("plans.templates.0.sections.1.key", "duplicate"),
        ("plans.templates.0.sections.1.tasks.0.key", "duplicate"),
    ]


def test_every_template_is_checked_whole_even_after_a_bad_or_duplicate_one() -> None:
    later = """
[[plans.templates]]
id = "t1"
name = ""
kind = "Big Plan"

[[plans.templates.sections]]
key = "Sales"
title = "Sales"
"""
    text = TWO_SECTIONS + later + later.replace('id = "t1"', 'id = "t2"')
    assert _problems(text) == [
        ("plans.templates.0.sections.0.milestones.0.key", "duplicate"),
        ("plans.templates.0.sections.0.tasks.0.due", "invalid_choice"),
        ("plans.templates.0.sections.1.key", "duplicate"),
        ("plans.templates.0.sections.1.tasks.0.key", "duplicate"),
        ("plans.templates.1.id", "duplicate"),
        ("plans.templates.1.kind", "invalid"),
        ("plans.templates.1.name", "required"),
        ("plans.templates.1.sections.0.key", "invalid"),
        ("plans.templates.2.kind", "invalid"),
        ("plans.templates.2.name", "required"),
        ("plans.templates.2.sections.0.key", "invalid"),
    ]


def test_a_money_target_in_another_currency_is_named_at_its_own_path() -> None:
    custom = """
[[plans.templates]]
id = "t1"
name = "Plan"

[[plans.templates.sections]]
key = "extra"
title = "Extra"

[[plans.templates.sections.objectives]]
key = "mdf"
title = "MDF spent"
kind = "custom"
targets = { year = { amount = "500", currency = "USD" } }
"""
    at = "plans.templates.0.sections.0.objectives.0.targets.year.currency"
    assert _problems(custom) == [(at, "invalid")]
    # Named with the other problems of the file, not only once they are fixed.
    assert _problems(custom.replace('name = "Plan"', 'name = ""')) == [
        ("plans.templates.0.name", "required"),
        (at, "invalid"),
    ]


def test_a_bad_program_currency_is_named_once_not_as_missing_money_targets() -> None:
    money = """
[[plans.templates]]
id = "t1"
name = "Plan"

[[plans.templates.sections]]
key = "sales"
title = "Sales"

[[plans.templates.sections.objectives]]
key = "arr"
title = "New ARR"
kind = "new_arr"
targets = { year = "1000", q1 = "250" }
"""
    bad = HEAD.replace('currency = "EUR"', 'currency = "XXQ"')
    assert _problems(bad + money, head="") == [("program.currency", "invalid")]
    # Read on its own without the program's currency: no template, and nothing named.
    objective = {"key": "arr", "title": "ARR", "kind": "new_arr", "targets": {"year": "1000"}}
    sections = [{"key": "sales", "title": "Sales", "objectives": [objective]}]
    root = ConfigReader({"plans": {"templates": [{"id": "t1", "name": "P", "sections": sections}]}})
    assert read_plan_templates(root.table("plans"), currency=None) is None
    assert not root.errors
    # The objective's other settings are still checked, beside the currency.
    text = bad + money.replace('title = "New ARR"', 'title = ""').replace("q1 =", "q5 =")
    assert _problems(text, head="") == [
        ("plans.templates.0.sections.0.objectives.0.targets.q5", "unknown"),
        ("plans.templates.0.sections.0.objectives.0.title", "required"),
        ("program.currency", "invalid"),
    ]
