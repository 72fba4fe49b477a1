"""What a plan holds: sections of objectives, checklist tasks and milestones, with their kinds.

Everything here is a frozen value, checked when it is made: a bad field is a
:class:`~partnerkit.core.errors.ValidationError` naming every problem, with
paths relative to the value (``targets.1.value``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs
from babel.core import Locale

from partnerkit.core import Money
from partnerkit.core._money import MetricValue, _locale
from partnerkit.core._validation import ErrorCollector, as_tuple, check_tuple
from partnerkit.core.errors import ValidationError, join_path
from partnerkit.locale import N_, gettext
from partnerkit.partners import EXECUTIVE, MANAGER, PROGRAM_ADMINISTRATOR

__all__ = [
    "ANCHORS",
    "DEFAULT_CHECK_ROLES",
    "OBJECTIVE_KIND_LABELS",
    "OBJECTIVE_MEASURES",
    "PERIODS",
    "SPLIT_DIMENSIONS",
    "Milestone",
    "Objective",
    "ObjectiveKind",
    "PeriodTarget",
    "Section",
    "Side",
    "Split",
    "Task",
    "objective_kind_label",
]

#: The fiscal periods a target is set for: the whole fiscal year and its quarters.
PERIODS: tuple[str, ...] = ("year", "q1", "q2", "q3", "q4")

#: The days a task is due or a milestone is held, in the plan's fiscal year: its first day
#: (``start``), the last day of a quarter (``q1`` .. ``q4``) or of the year (``year``).
ANCHORS: tuple[str, ...] = ("start", "q1", "q2", "q3", "q4", "year")

#: How an objective may be split: by product (group), region, account, or time.
SPLIT_DIMENSIONS: tuple[str, ...] = ("product", "region", "account", "time")

#: Who may check off a task unless it says otherwise: the partner's executives and managers
#: and the vendor's program administrators.
DEFAULT_CHECK_ROLES: tuple[str, ...] = (EXECUTIVE, MANAGER, PROGRAM_ADMINISTRATOR)

_KEY_LIMIT = 64
_MAX_ITEMS = 200


class Side(str, Enum):
    """The two sides of a plan: the vendor that runs the program and the partner."""

    VENDOR = "vendor"
    PARTNER = "partner"


class ObjectiveKind(str, Enum):
    """What an objective measures; every kind but ``CUSTOM`` is measured from program data."""

    #: Training courses completed by the partner's users.
    COURSE_COMPLETION = "course_completion"
    #: Deal registrations submitted.
    DEAL_REGISTRATIONS = "deal_registrations"
    #: Deal registrations the vendor approved.
    QUALIFIED_REGISTRATIONS = "qualified_registrations"
    #: Deals won (orders submitted).
    DEALS_WON = "deals_won"
    #: Revenue the partner sourced (money).
    REVENUE = "revenue"
    #: New annual recurring revenue (money).
    NEW_ARR = "new_arr"
    #: Upsell annual recurring revenue (money).
    UPSELL_ARR = "upsell_arr"
    #: Users holding a current certification on the measuring day (the period's last day, or
    #: today while it runs): a level, not a sum of the period's certifications, so it is not
    #: paced (:attr:`paced`). A certification is current as the scoring area's
    #: ``certified_users`` KPI says: earned within its window (the trailing 730 days unless
    #: the program's scoring model defines that KPI otherwise).
    CERTIFIED_USERS = "certified_users"
    #: Anything else: the value is entered by a person, with who and when.
    CUSTOM = "custom"

    @property
    def paced(self) -> bool:
        """Whether the kind adds up over a period, so its target is paced.

        A sum (deals won, revenue, ...) is expected to have reached the
        elapsed share of the period's target by now: 20 % of the year's
        target with 11 % of the year gone is ahead of pace. A level
        (:attr:`CERTIFIED_USERS`) is judged against the whole target from
        the period's first day, as the scoring area judges its
        ``certified_users`` KPI (``Kpi.paced`` is false for it). A custom
        objective is paced: its value is the period's so far.
        """
        return self is not ObjectiveKind.CERTIFIED_USERS


#: How each measured kind is counted from scoring activities: the scoring measure
#: (:data:`partnerkit.scoring.MEASURES`) and the activity kinds it counts (none for the
#: measures that pick their own).
OBJECTIVE_MEASURES: dict[ObjectiveKind, tuple[str, tuple[str, ...]]] = {
    ObjectiveKind.COURSE_COMPLETION: ("count", ("training_completed",)),
    ObjectiveKind.DEAL_REGISTRATIONS: ("count", ("deal_registered",)),
    ObjectiveKind.QUALIFIED_REGISTRATIONS: ("count", ("deal_approved",)),
    ObjectiveKind.DEALS_WON: ("count", ("deal_won",)),
    ObjectiveKind.REVENUE: ("sourced_revenue", ()),
    ObjectiveKind.NEW_ARR: ("new_arr", ()),
    ObjectiveKind.UPSELL_ARR: ("upsell_arr", ()),
    ObjectiveKind.CERTIFIED_USERS: ("certified_users", ()),
}

_MONEY_KINDS = frozenset({ObjectiveKind.REVENUE, ObjectiveKind.NEW_ARR, ObjectiveKind.UPSELL_ARR})

#: English labels (msgids) of the objective kinds; translate with :func:`objective_kind_label`.
OBJECTIVE_KIND_LABELS: dict[ObjectiveKind, str] = {
    ObjectiveKind.COURSE_COMPLETION: N_("Course completion"),
    ObjectiveKind.DEAL_REGISTRATIONS: N_("Deal registrations"),
    ObjectiveKind.QUALIFIED_REGISTRATIONS: N_("Qualified registrations"),
    ObjectiveKind.DEALS_WON: N_("Deals won"),
    ObjectiveKind.REVENUE: N_("Revenue"),
    ObjectiveKind.NEW_ARR: N_("New ARR"),
    ObjectiveKind.UPSELL_ARR: N_("Upsell ARR"),
    ObjectiveKind.CERTIFIED_USERS: N_("Certified users"),
    ObjectiveKind.CUSTOM: N_("Custom"),
}


def objective_kind_label(kind: ObjectiveKind, locale: str | Locale = "en") -> str:
    """The name of an objective kind in ``locale``'s language (English without a catalog)."""
    _locale(locale)
    return gettext(OBJECTIVE_KIND_LABELS[ObjectiveKind(kind)], locale)


def check_key(errors: ErrorCollector, value: object, path: str) -> str:
    """A key: lower-case letters, digits, ``_`` and ``-``, starting with a letter, at most 64."""
    if not isinstance(value, str):
        errors.add(path, "invalid", f"expected text, got {type(value).__name__}")
        return ""
    if not value:
        errors.add(path, "required", f"{path} is required")
        return ""
    if (
        len(value) > _KEY_LIMIT
        or not ("a" <= value[0] <= "z")
        or not all("a" <= c <= "z" or "0" <= c <= "9" or c in "_-" for c in value)
    ):
        errors.add(
            path,
            "invalid",
            "use lower-case letters, digits, '_' and '-', starting with a letter"
            f" (at most {_KEY_LIMIT})",
        )
        return ""
    return value


def _item_errors(key: object, title: object, description: object) -> ErrorCollector:
    """The checks every item shares: its key, a title, an optional description."""
    errors = ErrorCollector()
    check_key(errors, key, "key")
    errors.text(title, "title", required=True)
    errors.text(description, "description", required=False, limit=2000, multiline=True)
    return errors


def _choice(errors: ErrorCollector, value: object, choices: Sequence[str], path: str) -> None:
    if value not in choices:
        errors.add(path, "invalid_choice", f"{value!r} is not one of {', '.join(choices)}")


def _tuple(value: object, path: str, errors: ErrorCollector) -> tuple[Any, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        errors.add(path, "invalid", "expected a list")
        return ()
    items = tuple(value)
    if len(items) > _MAX_ITEMS:
        errors.add(path, "out_of_range", f"at most {_MAX_ITEMS} items")
    return items


def _distinct(errors: ErrorCollector, keys: Sequence[str], path: str) -> None:
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if key and key in seen:
            errors.add(join_path(path, i, "key"), "duplicate", f"the key {key!r} is used twice")
        seen.add(key)


@attrs.frozen
class PeriodTarget:
    """A target for one fiscal period of the plan's year (``year``, ``q1`` .. ``q4``).

    ``value`` is a count (``int`` or ``Decimal``) or, for the money kinds,
    :class:`~partnerkit.core.Money`; it is never negative.
    """

    period: str
    value: MetricValue

    def __attrs_post_init__(self) -> None:
        errors = ErrorCollector()
        _choice(errors, self.period, PERIODS, "period")
        value = self.value
        if isinstance(value, Money):
            if value.amount < 0:
                errors.add("value", "out_of_range", "a target is never negative")
        elif isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            errors.add("value", "invalid", "expected a number or Money")
        elif not (isinstance(value, int) or value.is_finite()) or value < 0:
            errors.add("value", "out_of_range", "a target is a finite number, never negative")
        errors.raise_if_any()


@attrs.frozen
class Split:
    """The slice of the partner's business an objective is about: ``product`` ``"edr"``, say."""

    dimension: str
    value: str

    def __attrs_post_init__(self) -> None:
        errors = ErrorCollector()
        _choice(errors, self.dimension, SPLIT_DIMENSIONS, "dimension")
        errors.text(self.value, "value", required=True, limit=100)
        errors.raise_if_any()


@attrs.frozen
class Objective:
    """A goal with a target per fiscal period, a weight (1-100) and, optionally, a split.

    Measured kinds (every :class:`ObjectiveKind` but ``CUSTOM``) take their
    actuals from the program's data; a custom one takes values entered by
    people. Money kinds have money targets, the others counts.
    """

    key: str
    title: str
    kind: ObjectiveKind
    targets: tuple[PeriodTarget, ...] = attrs.field(converter=as_tuple, validator=check_tuple)
    weight: int = 1
    description: str = ""
    split: Split | None = None

    def __attrs_post_init__(self) -> None:
        errors = _item_errors(self.key, self.title, self.description)
        if not isinstance(self.kind, ObjectiveKind):
            _choice(errors, self.kind, [k.value for k in ObjectiveKind], "kind")
        if isinstance(self.weight, bool) or not isinstance(self.weight, int):
            errors.add("weight", "invalid", "expected a whole number")
        elif not 1 <= self.weight <= 100:
            errors.add("weight", "out_of_range", "a weight is 1 to 100")
        if self.split is not None and not isinstance(self.split, Split):
            errors.add("split", "invalid", "expected a Split")
        if not self.targets:
            errors.add("targets", "required", "give a target for the year or its quarters")
        periods: set[str] = set()
        money = self.kind in _MONEY_KINDS
        for i, target in enumerate(_tuple(self.targets, "targets", errors)):
            if not isinstance(target, PeriodTarget):
                errors.add(f"targets.{i}", "invalid", "expected a PeriodTarget")
                continue
            if target.period in periods:
                errors.add(f"targets.{i}.period", "duplicate", f"{target.period} twice")
            periods.add(target.period)
            if isinstance(self.kind, ObjectiveKind) and self.kind is not ObjectiveKind.CUSTOM:
                if money and not isinstance(target.value, Money):
                    errors.add(f"targets.{i}.value", "invalid", "this kind's targets are Money")
                elif not money and isinstance(target.value, Money):
                    errors.add(f"targets.{i}.value", "invalid", "this kind's targets are counts")
        currencies = {
            t.value.currency
            for t in self.targets
            if isinstance(t, PeriodTarget) and isinstance(t.value, Money)
        }
        if len(currencies) > 1:
            errors.add("targets", "invalid", "every target of an objective has one currency")
        kinds = {isinstance(t.value, Money) for t in self.targets if isinstance(t, PeriodTarget)}
        if len(kinds) > 1:
            errors.add("targets", "invalid", "the targets are all Money or all counts")
        errors.raise_if_any()

    @property
    def in_money(self) -> bool:
        """Whether the targets (and so the actuals) are amounts of money, not counts."""
        return any(isinstance(t.value, Money) for t in self.targets)

    @property
    def measured(self) -> bool:
        """Whether the actuals come from the program's data (every kind but ``CUSTOM``)."""
        return self.kind is not ObjectiveKind.CUSTOM

    def target(self, period: str) -> MetricValue | None:
        """The target for ``period``: as set, or for the year one made of the quarters' targets.

        A year without a target of its own takes the sum of the four quarter
        targets for a kind that adds up (:attr:`ObjectiveKind.paced`), and the
        last quarter's target for a level (certified users: where the year
        ends is what counts, not the sum of four quarters' levels).
        """
        for target in self.targets:
            if target.period == period:
                return target.value
        if period != "year":
            return None
        quarters = [self.target(q) for q in PERIODS[1:]]
        if isinstance(self.kind, ObjectiveKind) and not self.kind.paced:
            return quarters[-1]  # a level: where the year ends
        if any(q is None for q in quarters):
            return None
        total: Any = quarters[0]
        for q in quarters[1:]:
            total = total + q
        return total  # type: ignore[no-any-return]


@attrs.frozen
class Task:
    """A checklist item: due on an anchor day of the fiscal year, owned by one side.

    ``check_roles`` are the roles that may check it off (and uncheck it):
    by default :data:`DEFAULT_CHECK_ROLES`.
    """

    key: str
    title: str
    due: str | None = None
    owner: Side = Side.PARTNER
    check_roles: tuple[str, ...] = attrs.field(
        default=DEFAULT_CHECK_ROLES, converter=as_tuple, validator=check_tuple
    )
    description: str = ""

    def __attrs_post_init__(self) -> None:
        from partnerkit.partners import ROLES

        errors = _item_errors(self.key, self.title, self.description)
        if self.due is not None:
            _choice(errors, self.due, ANCHORS, "due")
        if not isinstance(self.owner, Side):
            _choice(errors, self.owner, [s.value for s in Side], "owner")
        if not self.check_roles:
            errors.add("check_roles", "required", "name at least one role")
        for i, role in enumerate(self.check_roles):
            if role not in ROLES:
                errors.add(f"check_roles.{i}", "invalid_choice", f"{role!r} is no role")
        errors.raise_if_any()


@attrs.frozen
class Milestone:
    """A dated event of the plan: the kick-off, a quarterly business review."""

    key: str
    title: str
    at: str = "start"
    description: str = ""

    def __attrs_post_init__(self) -> None:
        errors = _item_errors(self.key, self.title, self.description)
        _choice(errors, self.at, ANCHORS, "at")
        errors.raise_if_any()


@attrs.frozen
class Section:
    """One tab of a plan: a title and a description, its objectives, tasks and milestones.

    Keys are unique across a plan's sections (a task is checked off by its key).
    """

    key: str
    title: str
    description: str = ""
    objectives: tuple[Objective, ...] = attrs.field(default=(), converter=as_tuple)
    tasks: tuple[Task, ...] = attrs.field(default=(), converter=as_tuple)
    milestones: tuple[Milestone, ...] = attrs.field(default=(), converter=as_tuple)

    def __attrs_post_init__(self) -> None:
        errors = ErrorCollector()
        check_key(errors, self.key, "key")
        errors.text(self.title, "title", required=True, limit=80)
        errors.text(self.description, "description", required=False, limit=4000, multiline=True)
        for name, kind in (("objectives", Objective), ("tasks", Task), ("milestones", Milestone)):
            items = _tuple(getattr(self, name), name, errors)
            for i, item in enumerate(items):
                if not isinstance(item, kind):
                    errors.add(f"{name}.{i}", "invalid", f"expected a {kind.__name__}")
            _distinct(errors, [getattr(item, "key", "") for item in items], name)
        errors.raise_if_any()

    def renamed(self, title: str, description: str | None = None) -> Section:
        """This section with a new title (and description, when given)."""
        return attrs.evolve(
            self, title=title, description=self.description if description is None else description
        )


def item_keys(section: Section) -> dict[str, list[str]]:
    """The keys of a section's objectives, tasks and milestones, by the list holding them."""
    return {name: [item.key for item in getattr(section, name)] for name in _ITEM_LISTS}


_ITEM_LISTS = ("objectives", "tasks", "milestones")


def check_keys(
    errors: ErrorCollector,
    sections: Sequence[tuple[str, Mapping[str, Sequence[str]]]],
    path: str = "sections",
) -> None:
    """Record every key used twice among sections: (section key, item keys by list) pairs.

    Section keys are distinct; so are item keys, across every section (a task is
    checked off by its key). Each later use is named (``sections.1.tasks.0.key``);
    an empty key (one that could not be read) is skipped.
    """
    _distinct(errors, [key for key, _ in sections], path)
    seen: set[str] = set()
    for i, (_, items) in enumerate(sections):
        for name in _ITEM_LISTS:
            for j, key in enumerate(items.get(name, ())):
                if key and key in seen:
                    where = join_path(path, i, name, j, "key")
                    errors.add(where, "duplicate", f"the key {key!r} is used twice")
                seen.add(key)


def check_sections(sections: Iterable[object], path: str = "sections") -> tuple[Section, ...]:
    """Sections in order, with distinct keys and items whose keys are distinct across them.

    Every problem is named at once, by its path under ``path``: an entry that is
    no :class:`Section`, a key used twice.
    """
    errors = ErrorCollector()
    items = _tuple(sections, path, errors)
    for i, section in enumerate(items):
        if not isinstance(section, Section):
            errors.add(join_path(path, i), "invalid", "expected a Section")
    check_keys(
        errors,
        [(s.key, item_keys(s)) if isinstance(s, Section) else ("", {}) for s in items],
        path,
    )
    errors.raise_if_any()
    return items


def unsigned(value: object, path: str) -> None:
    """Raise ``ValidationError`` unless ``value`` is an int >= 0 (bool refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError.single(path, "invalid", "expected a whole number >= 0")


def _section_hooks() -> None:
    """Read stored sections through a small cache of the ones seen before.

    The plans made from one template version hold equal sections; reading
    thousands of them (a companies table) would check the same content again
    for each. A section is frozen, so equal stored content can share one value.
    """
    import functools
    import marshal

    from cattrs.gen import make_dict_structure_fn

    from partnerkit.core import converter

    made: list[Any] = []

    def base() -> Any:
        if not made:  # generated at first use, after every hook of the package is registered
            made.append(make_dict_structure_fn(Section, converter))
        return made[0]

    @functools.lru_cache(maxsize=1024)
    def cached(key: bytes) -> Section:
        return base()(marshal.loads(key), Section)  # type: ignore[no-any-return]

    def structure(value: object, _: object) -> Section:
        if not isinstance(value, dict):
            return base()(value, Section)  # type: ignore[no-any-return]  # reports the error
        try:
            # The exact content as bytes (types included: 1, 1.0 and true differ, as they
            # do to the hooks), a few times faster to make than JSON text. Version 2
            # writes no back-references, so the same stored content gives the same key.
            key = marshal.dumps(value, 2)
        except ValueError:  # not JSON data (a host's value): structured as it is
            return base()(value, Section)  # type: ignore[no-any-return]
        return cached(key)

    converter.register_structure_hook(Section, structure)


_section_hooks()
