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

from collections.abc import Callable, Iterable
from typing import Any

from partnerkit.core import ConfigReader, Money
from partnerkit.core._validation import ErrorCollector
from partnerkit.core.errors import ValidationError, join_path
from partnerkit.plans._items import (
    _MONEY_KINDS,
    DEFAULT_CHECK_ROLES,
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
    check_keys,
)
from partnerkit.plans._template import PlanTemplate

__all__ = ["plan_templates_to_dict", "read_plan_templates"]


def _failed(reader: ConfigReader, before: int) -> set[str]:
    """The keys of the reader's table with an error recorded since ``before``."""
    prefix = f"{reader.path}." if reader.path else ""
    return {
        e.path[len(prefix) :].split(".")[0]
        for e in reader.errors.errors[before:]
        if e.path.startswith(prefix)
    }


def _made(
    reader: ConfigReader,
    make: Any,
    values: dict[str, Any],
    stand_ins: dict[str, Any],
    failed: set[str],
    where: Callable[[str], str] = lambda path: path,
) -> Any:
    """``make(**values)``, each of its errors recorded at its path under the reader's.

    A setting in ``failed`` (refused as it was read, so named already) is
    given its stand-in from ``stand_ins``: the other settings are still
    checked, and what the stand-in would be refused for is not named twice.
    ``where`` turns the value's paths into the file's (``targets.0`` into
    ``targets.q1``). Returns None when anything failed.
    """
    replaced = {name for name in failed if name in stand_ins}
    arguments = {name: stand_ins[name] if name in replaced else v for name, v in values.items()}
    try:
        made = make(**arguments)
    except ValidationError as error:
        for problem in error.errors:
            if problem.path.split(".")[0] not in replaced:
                reader.errors.add(
                    join_path(reader.path, where(problem.path)), problem.code, problem.message
                )
        return None
    return None if failed else made


def _valid_key(value: object) -> str:
    """``value`` when it is a good key, else ``""`` (its problem is named where it is read)."""
    return check_key(ErrorCollector(), value, "key")


#: What :func:`_target_value` gives for an amount it cannot read as money for want of the
#: program's currency (bad, and named on ``[program]``): nothing more to name.
_UNREAD = object()


def _target_value(
    table: ConfigReader, period: str, kind: ObjectiveKind | None, currency: str | None
) -> Any:
    """One period's target, as the file writes it; None after naming why not, or :data:`_UNREAD`.

    An amount in the program's currency for the money kinds; a count otherwise
    (an integer as written, a decimal written as a string); for a custom
    objective counted in money, a ``{ amount = "...", currency = "..." }`` table
    (in the program's currency too).
    """
    raw = table.raw(period)
    if isinstance(raw, dict):
        money = table.table(period)
        amount, code = money.decimal("amount"), money.str("currency")
        money.finish(raise_errors=False)
        if amount is None or code is None:
            return None
        value = _at(table, period, Money, amount, code)
        if value is not None and currency is not None and code != currency:
            money.error("currency", "invalid", f"targets are in the program's currency, {currency}")
            return None
        return value
    amount = table.decimal(period)
    if amount is None:
        return None
    if kind in _MONEY_KINDS:
        if currency is None:
            return _UNREAD  # the program's currency is bad: reported on [program]
        return _at(table, period, Money, amount, currency)
    return int(amount) if isinstance(raw, int) else amount


def _at(reader: ConfigReader, key: str, make: Any, *args: Any) -> Any:
    """``make(*args)``, each of its errors recorded at ``key`` of the reader's table."""
    try:
        return make(*args)
    except ValidationError as error:
        for problem in error.errors:
            reader.error(key, problem.code, problem.message)
        return None


def _targets(
    reader: ConfigReader, kind: ObjectiveKind | None, currency: str | None
) -> tuple[list[PeriodTarget], list[str], bool]:
    """The targets read (each period's that is good) and their periods, in file order.

    And whether a money amount was left unread for want of the program's
    currency (the targets are then not checked as a whole: the file gives them).
    """
    table = reader.table("targets", required=True)
    found: list[PeriodTarget] = []
    periods: list[str] = []
    unread = False
    for period in table.keys():  # noqa: SIM118 - a ConfigReader, not a dict
        if period not in PERIODS:
            continue  # named as unknown by finish()
        value = _target_value(table, period, kind, currency)
        if value is _UNREAD:
            unread = True
        elif value is not None:
            target = _at(table, period, PeriodTarget, period, value)
            if target is not None:
                found.append(target)
                periods.append(period)
    table.finish(raise_errors=False)
    if reader.has("targets") and table.is_table and not table.keys():
        reader.error("targets", "required", "give a target for the year or its quarters")
    return found, periods, unread


def _objective(reader: ConfigReader, currency: str | None) -> tuple[Objective | None, str]:
    if not reader.is_table:  # named already
        return None, ""
    before = len(reader.errors)
    key = reader.str("key")
    title = reader.str("title")
    kind_name = reader.str("kind", choices=[k.value for k in ObjectiveKind])
    kind = ObjectiveKind(kind_name) if kind_name else None
    weight = reader.int("weight", 1, minimum=1, maximum=100)
    description = reader.str("description", "")
    split = None
    table = reader.table("split") if reader.has("split") else None
    if table is not None and table.is_table:  # not a table: named already
        start = len(reader.errors)
        parts = {"dimension": table.str("dimension"), "value": table.str("value")}
        table.finish(raise_errors=False)
        split = _made(
            table, Split, parts, {"dimension": "product", "value": "split"}, _failed(table, start)
        )
    targets, periods, unread = _targets(reader, kind, currency)
    reader.finish(raise_errors=False)
    stand_ins: dict[str, Any] = {
        "key": "objective",
        "title": "Objective",
        "kind": ObjectiveKind.CUSTOM,  # the one kind that takes counts and money alike
        "weight": 1,
        "description": "",
        "split": None,
    }
    failed = _failed(reader, before)
    if unread:
        failed.add("targets")  # amounts the file gives, unread: nothing to name of them
    if not targets or unread:
        stand_ins["targets"] = [PeriodTarget("year", 1)]

    def where(path: str) -> str:
        # targets.<i>[.value] of the objective is the file's targets.<period>.
        parts = path.split(".")
        if len(parts) >= 2 and parts[0] == "targets" and parts[1].isdigit():
            return join_path("targets", periods[int(parts[1])], *parts[3:])
        return path

    values = {
        "key": key,
        "title": title,
        "kind": kind,
        "targets": targets,
        "weight": weight,
        "description": description,
        "split": split,
    }
    made = _made(reader, Objective, values, stand_ins, failed, where)
    return made, _valid_key(key)


def _task(reader: ConfigReader) -> tuple[Task | None, str]:
    if not reader.is_table:  # named already
        return None, ""
    before = len(reader.errors)
    owner = reader.str("owner", "partner", choices=[s.value for s in Side])
    values: dict[str, Any] = {
        "key": reader.str("key"),
        "title": reader.str("title"),
        "due": reader.str("due", None),
        "owner": None if owner is None else Side(owner),
        "check_roles": reader.raw("check_roles", DEFAULT_CHECK_ROLES),
        "description": reader.str("description", ""),
    }
    roles = values["check_roles"]
    if not isinstance(roles, (list, tuple)) or not all(isinstance(r, str) for r in roles):
        reader.error("check_roles", "invalid", "expected a list of role names")
    reader.finish(raise_errors=False)
    stand_ins = {
        "key": "task",
        "title": "Task",
        "due": None,
        "owner": Side.PARTNER,
        "check_roles": DEFAULT_CHECK_ROLES,
        "description": "",
    }
    made = _made(reader, Task, values, stand_ins, _failed(reader, before))
    return made, _valid_key(values["key"])


def _milestone(reader: ConfigReader) -> tuple[Milestone | None, str]:
    if not reader.is_table:  # named already
        return None, ""
    before = len(reader.errors)
    values = {
        "key": reader.str("key"),
        "title": reader.str("title"),
        "at": reader.str("at", "start"),
        "description": reader.str("description", ""),
    }
    reader.finish(raise_errors=False)
    stand_ins = {"key": "milestone", "title": "Milestone", "at": "start", "description": ""}
    made = _made(reader, Milestone, values, stand_ins, _failed(reader, before))
    return made, _valid_key(values["key"])


#: What a section's own settings are checked with when its items cannot be.
_SECTION_STAND_INS = {"key": "section", "title": "Section", "description": ""}


def _section(
    reader: ConfigReader, currency: str | None
) -> tuple[Section | None, tuple[str, dict[str, list[str]]]]:
    """A section, or None when anything of it is bad; and its keys, for :func:`check_keys`.

    The keys of its items are checked with every other section's, by the
    template: a section built here holds items read whole with distinct keys.
    """
    if not reader.is_table:  # named already
        return None, ("", {})
    before = len(reader.errors)
    values: dict[str, Any] = {
        "key": reader.str("key"),
        "title": reader.str("title"),
        "description": reader.str("description", ""),
    }
    read: dict[str, list[tuple[Any, str]]] = {
        "objectives": [_objective(r, currency) for r in reader.tables("objectives")],
        "tasks": [_task(r) for r in reader.tables("tasks")],
        "milestones": [_milestone(r) for r in reader.tables("milestones")],
    }
    reader.finish(raise_errors=False)
    failed = _failed(reader, before)
    keys = {name: [key for _, key in found] for name, found in read.items()}
    clashes = ErrorCollector()
    check_keys(clashes, [("", keys)])
    # An item is None when it is bad (named) or holds amounts unread for want of the
    # program's currency (named on [program]).
    whole = (
        not clashes
        and not failed.intersection(read)
        and all(item is not None for found in read.values() for item, _ in found)
    )
    # Items that could not all be read, or whose keys clash (named by the template), leave
    # the section's own settings to be checked on a section without items.
    items = {name: [item for item, _ in found] if whole else [] for name, found in read.items()}
    made = _made(reader, Section, {**values, **items}, _SECTION_STAND_INS, failed)
    return (made if whole else None), (_valid_key(values["key"]), keys)


#: What a template's own settings are checked with when its sections cannot be.
_TEMPLATE_STAND_INS = {
    "id": "template",
    "name": "Template",
    "kind": "business",
    "purpose": "",
    "template_version": 1,
    "sections": (),
}


def read_plan_templates(
    reader: ConfigReader, *, currency: str | None = None
) -> tuple[PlanTemplate, ...] | None:
    """Read a ``[plans]`` table's ``templates``; every bad field goes into the reader's collector.

    ``currency`` is the program's, for money targets: None when the
    program's is bad (named on ``[program]``), and amounts of the money kinds
    are then left unread, not named again. Every bad setting is named by its
    path at once: a bad item does not keep its section, nor a bad section
    its template, from being checked, and keys used twice are named across
    all the sections of a template. Returns None when there were errors or
    amounts were left unread.

    >>> from partnerkit.core import ConfigReader
    >>> root = ConfigReader({"plans": {"templates": [{"id": "t", "name": "Plan"}]}})
    >>> [t.name for t in read_plan_templates(root.table("plans"), currency="EUR")]
    ['Plan']
    """
    start = len(reader.errors)
    found: list[PlanTemplate] = []
    complete = True  # no template left out (with ``currency`` None, not always by an error)
    seen: set[str] = set()
    for entry in reader.tables("templates"):
        if not entry.is_table:  # named already
            continue
        before = len(reader.errors)
        values: dict[str, Any] = {
            "id": entry.str("id"),
            "name": entry.str("name"),
            "kind": entry.str("kind", "business"),
            "purpose": entry.str("purpose", ""),
            "template_version": entry.int("template_version", 1, minimum=1),
        }
        if isinstance(values["id"], str):
            if values["id"] in seen:
                entry.error("id", "duplicate", f"two templates have the id {values['id']!r}")
            seen.add(values["id"])
        whole = True
        if entry.has("sections"):
            sections: list[Section | None] = []
            keys = []
            for section_reader in entry.tables("sections"):
                section, section_keys = _section(section_reader, currency)
                sections.append(section)
                keys.append(section_keys)
            clashes = ErrorCollector()
            check_keys(clashes, keys)
            for problem in clashes.errors:
                entry.error(problem.path, problem.code, problem.message)
            whole = None not in sections and not clashes
            values["sections"] = sections if whole else ()
        entry.finish(raise_errors=False)
        failed = _failed(entry, before)
        if not whole:
            failed.add("sections")  # named by section, above
        template = _made(
            entry, PlanTemplate, {**values, "published": True}, _TEMPLATE_STAND_INS, failed
        )
        if template is None:
            complete = False
        else:
            found.append(template)
    reader.finish(raise_errors=False)
    if len(reader.errors) > start or not complete:
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
