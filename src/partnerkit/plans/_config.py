"""The ``[plans]`` table of the program file: plan templates written by hand.

.. code-block:: toml

    [[plans.templates]]
    id = "reseller-2026"
    name = "Reseller plan"
    kind = "business"
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

    [[plans.templates.sections.tasks]]
    key = "forecast"
    title = "Share a pipeline forecast"
    due = "q1"

A template without ``sections`` gets the default ones. Money targets are in
the program's currency; counts are integers or decimals written as strings.
Templates read from the file are published (version ``template_version``, 1
unless given).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from partnerkit.core import ConfigReader, Money
from partnerkit.core._validation import ErrorCollector
from partnerkit.core.errors import ValidationError
from partnerkit.plans._items import (
    _MONEY_KINDS,
    PERIODS,
    Milestone,
    Objective,
    ObjectiveKind,
    PeriodTarget,
    Section,
    Side,
    Split,
    Task,
    check_key,
)
from partnerkit.plans._template import PlanTemplate

__all__ = ["plan_templates_to_dict", "read_plan_templates"]


def _build(reader: ConfigReader, make: Any, *args: Any, **kwargs: Any) -> Any:
    """``make(*args, **kwargs)``, its ValidationError recorded at the reader's path."""
    try:
        return make(*args, **kwargs)
    except ValidationError as error:
        reader.errors.extend(error, reader.path)
        return None


def _at(reader: ConfigReader, key: str, make: Any, *args: Any) -> Any:
    """``make(*args)``, each of its errors recorded at ``key`` of the reader's table."""
    try:
        return make(*args)
    except ValidationError as error:
        for problem in error.errors:
            reader.error(key, problem.code, problem.message)
        return None


def _target_value(
    table: ConfigReader, period: str, kind: ObjectiveKind | None, currency: str | None
) -> Any:
    """One period's target, as the file writes it.

    An amount in the program's currency for the money kinds; a count otherwise
    (an integer as written, a decimal written as a string); for a custom
    objective counted in money, a ``{ amount = "...", currency = "..." }`` table.
    """
    raw = table.raw(period)
    if isinstance(raw, dict):
        money = table.table(period)
        amount, code = money.decimal("amount"), money.str("currency")
        money.finish(raise_errors=False)
        if amount is None or code is None:
            return None
        return _at(table, period, Money, amount, code)
    amount = table.decimal(period)
    if amount is None:
        return None
    if kind in _MONEY_KINDS:
        if currency is None:
            return None  # the program's currency is bad: reported on [program]
        return _at(table, period, Money, amount, currency)
    return int(amount) if isinstance(raw, int) else amount


def _targets(reader: ConfigReader, kind: ObjectiveKind | None, currency: str | None) -> list[Any]:
    table = reader.table("targets", required=True)
    found = []
    for period in table.keys():  # noqa: SIM118 - a ConfigReader, not a dict
        if period not in PERIODS:
            continue
        value = _target_value(table, period, kind, currency)
        if value is not None:
            target = _at(table, period, PeriodTarget, period, value)
            if target is not None:
                found.append(target)
    table.finish(raise_errors=False)
    if not found and reader.has("targets") and not table.keys():
        reader.error("targets", "required", "give a target for the year or its quarters")
    return found


def _objective(reader: ConfigReader, currency: str | None) -> Objective | None:
    key = reader.str("key")
    title = reader.str("title")
    kind_name = reader.str("kind", choices=[k.value for k in ObjectiveKind])
    kind = ObjectiveKind(kind_name) if kind_name else None
    weight = reader.int("weight", 1, minimum=1, maximum=100)
    description = reader.str("description", "")
    split = None
    if reader.has("split"):
        table = reader.table("split")
        dimension, value = table.str("dimension"), table.str("value")
        table.finish(raise_errors=False)
        if dimension is not None and value is not None:
            split = _build(table, Split, dimension, value)
    targets = _targets(reader, kind, currency)
    reader.finish(raise_errors=False)
    if None in (key, title, kind, weight, description) or not targets:
        return None
    return _build(  # type: ignore[no-any-return]
        reader, Objective, key, title, kind, targets, weight, description, split
    )


def _task(reader: ConfigReader) -> Task | None:
    values = {
        "key": reader.str("key"),
        "title": reader.str("title"),
        "due": reader.str("due", None),
        "owner": reader.str("owner", "partner", choices=[s.value for s in Side]),
        "description": reader.str("description", ""),
    }
    roles = reader.raw("check_roles", None)
    reader.finish(raise_errors=False)
    if values["key"] is None or values["title"] is None or values["owner"] is None:
        return None
    if roles is not None:
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            reader.error("check_roles", "invalid", "expected a list of role names")
            return None
        values["check_roles"] = tuple(roles)
    values["owner"] = Side(values["owner"])
    return _build(reader, Task, **values)  # type: ignore[no-any-return]


def _milestone(reader: ConfigReader) -> Milestone | None:
    key, title = reader.str("key"), reader.str("title")
    at, description = reader.str("at", "start"), reader.str("description", "")
    reader.finish(raise_errors=False)
    if None in (key, title, at, description):
        return None
    return _build(reader, Milestone, key, title, at, description)  # type: ignore[no-any-return]


def _section(reader: ConfigReader, currency: str | None) -> Section | None:
    key, title = reader.str("key"), reader.str("title")
    description = reader.str("description", "")
    before = len(reader.errors)
    objectives = [_objective(r, currency) for r in reader.tables("objectives")]
    tasks = [_task(r) for r in reader.tables("tasks")]
    milestones = [_milestone(r) for r in reader.tables("milestones")]
    reader.finish(raise_errors=False)
    if None in (key, title, description) or len(reader.errors) > before:
        return None
    return _build(  # type: ignore[no-any-return]
        reader, Section, key, title, description, objectives, tasks, milestones
    )


def _key(reader: ConfigReader, name: str, default: str) -> str | None:
    """A key setting (lower-case letters, digits, ``_`` and ``-``), checked where it is read."""
    value = reader.str(name, default)
    if value is None:
        return None
    errors = ErrorCollector()
    check_key(errors, value, name)
    for problem in errors.errors:
        reader.error(name, problem.code, problem.message)
    return None if errors else value


def read_plan_templates(
    reader: ConfigReader, *, currency: str | None = None
) -> tuple[PlanTemplate, ...] | None:
    """Read a ``[plans]`` table's ``templates``; every bad field goes into the reader's collector.

    ``currency`` is the program's, for money targets. Returns None when
    there were errors.

    >>> from partnerkit.core import ConfigReader
    >>> root = ConfigReader({"plans": {"templates": [{"id": "t", "name": "Plan"}]}})
    >>> [t.name for t in read_plan_templates(root.table("plans"), currency="EUR")]
    ['Plan']
    """
    before = len(reader.errors)
    found: list[PlanTemplate] = []
    seen: set[str] = set()
    for entry in reader.tables("templates"):
        values: dict[str, Any] = {
            "id": entry.str("id"),
            "name": entry.str("name"),
            "kind": _key(entry, "kind", "business"),
            "purpose": entry.str("purpose", ""),
            "template_version": entry.int("template_version", 1, minimum=1),
        }
        if entry.has("sections"):
            sections = [_section(r, currency) for r in entry.tables("sections")]
            if None not in sections:
                values["sections"] = sections
        entry.finish(raise_errors=False)
        if values["id"] in seen:
            entry.error("id", "duplicate", f"two templates have the id {values['id']!r}")
            continue
        seen.add(values["id"])
        if None in values.values() or len(entry.errors) > before:
            continue
        template = _build(entry, PlanTemplate, **values, published=True)
        if template is not None:
            found.append(template)
    reader.finish(raise_errors=False)
    if len(reader.errors) > before:
        return None
    return tuple(found)


def _target_values(objective: Objective) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for target in objective.targets:
        value = target.value
        if isinstance(value, Money) and objective.kind not in _MONEY_KINDS:
            # A custom objective counted in money: its currency is not implied.
            result[target.period] = {"amount": str(value.amount), "currency": value.currency}
            continue
        amount = value.amount if isinstance(value, Money) else value
        result[target.period] = amount if isinstance(amount, int) else str(amount)
    return result


def _drop_defaults(entry: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in defaults or defaults[k] != v}


def plan_templates_to_dict(templates: Iterable[PlanTemplate]) -> dict[str, Any]:
    """The ``[plans]`` table that :func:`read_plan_templates` reads back equal."""
    out = []
    for template in templates:
        sections = []
        for section in template.sections:
            objectives = [
                _drop_defaults(
                    {
                        "key": o.key,
                        "title": o.title,
                        "kind": o.kind.value,
                        "weight": o.weight,
                        "description": o.description,
                        "targets": _target_values(o),
                        **(
                            {"split": {"dimension": o.split.dimension, "value": o.split.value}}
                            if o.split
                            else {}
                        ),
                    },
                    {"weight": 1, "description": ""},
                )
                for o in section.objectives
            ]
            tasks = [
                _drop_defaults(
                    {
                        "key": t.key,
                        "title": t.title,
                        "due": t.due,
                        "owner": t.owner.value,
                        "check_roles": list(t.check_roles),
                        "description": t.description,
                    },
                    {
                        "due": None,
                        "owner": "partner",
                        "check_roles": list(Task("x", "x").check_roles),
                        "description": "",
                    },
                )
                for t in section.tasks
            ]
            milestones = [
                _drop_defaults(
                    {"key": m.key, "title": m.title, "at": m.at, "description": m.description},
                    {"at": "start", "description": ""},
                )
                for m in section.milestones
            ]
            sections.append(
                _drop_defaults(
                    {
                        "key": section.key,
                        "title": section.title,
                        "description": section.description,
                        "objectives": objectives,
                        "tasks": tasks,
                        "milestones": milestones,
                    },
                    {"description": "", "objectives": [], "tasks": [], "milestones": []},
                )
            )
        out.append(
            _drop_defaults(
                {
                    "id": template.id,
                    "name": template.name,
                    "kind": template.kind,
                    "purpose": template.purpose,
                    "template_version": template.template_version,
                    "sections": sections,
                },
                {"kind": "business", "purpose": "", "template_version": 1},
            )
        )
    return {"templates": out}
