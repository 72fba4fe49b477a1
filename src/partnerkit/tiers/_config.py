"""The ``[tiers]`` section of a program file: reading and writing a ladder as plain data.

The same functions back ``partnerkit.core.to_dict``/``from_dict`` for the tier
values, so a stored ladder and a ladder in TOML have one shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from partnerkit.core import ConfigReader, ErrorCollector, Money, Percentage, converter
from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import FiscalCalendar, calendar_to_dict, read_calendar
from partnerkit.tiers._criteria import (
    MODES,
    OPERATORS,
    Criteria,
    Criterion,
    CustomCriterion,
    MetricValue,
    Rule,
)
from partnerkit.tiers._evaluate import TierEvaluation
from partnerkit.tiers._ladder import Benefits, Tier, TierLadder, ladder_errors
from partnerkit.tiers._policy import (
    FISCAL_UNITS,
    PERIODS,
    CalendarReviews,
    FiscalReviews,
    ReviewCalendar,
    TierPolicy,
)

__all__ = [
    "ladder_from_dict",
    "ladder_to_dict",
    "policy_from_dict",
    "policy_to_dict",
    "read_ladder",
    "read_tier_policy",
]

T = TypeVar("T")


def _join(*parts: str | int) -> str:
    return ".".join(str(p) for p in parts if p != "")


def _build(reader: ConfigReader, key: str, make: Callable[[], T]) -> T | None:
    """Call ``make``; record its ValidationError on ``key`` of ``reader`` (sub-paths dropped)."""
    try:
        return make()
    except ValidationError as exc:
        for error in exc.errors:
            reader.error(key, error.code, error.message)
        return None


def _record(errors: ErrorCollector, prefix: str, make: Callable[[], T]) -> T | None:
    try:
        return make()
    except ValidationError as exc:
        errors.extend(exc, prefix)
        return None


def _read_money(reader: ConfigReader, key: str, *, required: bool) -> Money | None:
    if not reader.has(key):
        if required:
            reader.error(key, "required", f"{key} is required")
        reader.raw(key, None)
        return None
    table = reader.table(key)
    amount = table.decimal("amount")
    currency = table.str("currency")
    table.finish(raise_errors=False)
    if amount is None or currency is None:
        return None
    return _build(table, "currency", lambda: Money(amount, currency))


def _read_percentage(reader: ConfigReader, key: str, default: str | None) -> Percentage | None:
    value = reader.decimal(key) if default is None else reader.decimal(key, Decimal(default))
    if value is None:
        return None
    return _build(reader, key, lambda: Percentage(value))


def _read_benefits(reader: ConfigReader) -> Benefits | None:
    before = len(reader.errors.errors)
    partner_margin = _read_percentage(reader, "partner_margin", None)
    reward_margin = _read_percentage(reader, "reward_margin", "0")
    mdf_eligible = reader.bool("mdf_eligible", False)
    mdf_amount = _read_money(reader, "mdf_amount", required=False)
    deal_registration = reader.bool("deal_registration", True)
    support_level = reader.str("support_level", "standard")
    extras_reader = reader.table("extras")
    extras: dict[str, str] = {}
    for name in extras_reader.keys():  # noqa: SIM118 - a reader, not a dict
        value = extras_reader.str(name)
        if value is not None:
            extras[name] = value
    extras_reader.finish(raise_errors=False)
    reader.finish(raise_errors=False)
    if len(reader.errors.errors) > before or partner_margin is None or reward_margin is None:
        return None
    return _record(
        reader.errors,
        reader.path,
        lambda: Benefits(
            partner_margin,
            reward_margin,
            mdf_eligible,
            mdf_amount,
            deal_registration,
            support_level,
            extras,
        ),
    )


def _read_rule(reader: ConfigReader, custom: Mapping[str, CustomCriterion]) -> Criterion | None:
    if reader.has("custom"):
        name = reader.str("custom")
        reader.finish(raise_errors=False)
        if name is None:
            return None
        found = custom.get(name)
        if found is None:
            known = ", ".join(sorted(custom)) or "none were given"
            reader.error("custom", "invalid_choice", f"no custom criterion {name!r} ({known})")
        return found
    before = len(reader.errors.errors)
    metric = reader.str("metric")
    op = reader.str("op", ">=", choices=OPERATORS)
    threshold: Decimal | Money | None
    raw = reader.raw("threshold")
    if isinstance(raw, Mapping):
        threshold = _read_money(reader, "threshold", required=True)
    else:
        threshold = reader.decimal("threshold") if raw is not None else None
    reader.finish(raise_errors=False)
    if len(reader.errors.errors) > before or metric is None or op is None or threshold is None:
        return None
    return _record(reader.errors, reader.path, lambda: Rule(metric, op, threshold))


def _read_criteria(reader: ConfigReader, custom: Mapping[str, CustomCriterion]) -> Criteria | None:
    before = len(reader.errors.errors)
    mode = reader.str("mode", "all", choices=MODES)
    at_least = reader.int("at_least", None, minimum=1)
    rules = [_read_rule(r, custom) for r in reader.tables("rules")]
    reader.finish(raise_errors=False)
    if len(reader.errors.errors) > before or mode is None:
        return None
    return _record(
        reader.errors,
        reader.path,
        lambda: Criteria(mode, tuple(r for r in rules if r is not None), at_least),
    )


def _read_tier(reader: ConfigReader, custom: Mapping[str, CustomCriterion]) -> Tier | None:
    before = len(reader.errors.errors)
    key = reader.str("key")
    name = reader.str("name")
    rank = reader.int("rank")
    benefits = None
    if reader.has("benefits"):
        benefits = _read_benefits(reader.table("benefits"))
    else:
        reader.raw("benefits")  # records "required"
    criteria = _read_criteria(reader.table("criteria"), custom)
    reader.finish(raise_errors=False)
    if len(reader.errors.errors) > before or benefits is None or criteria is None:
        return None
    return _record(reader.errors, reader.path, lambda: Tier(key, name, rank, benefits, criteria))


def _custom_table(
    custom_criteria: Mapping[str, CustomCriterion] | Iterable[CustomCriterion],
) -> dict[str, CustomCriterion]:
    if isinstance(custom_criteria, Mapping):
        return dict(custom_criteria)
    return {c.key: c for c in custom_criteria}


def ladder_from_dict(
    data: Mapping[str, object],
    path: str = "tiers",
    *,
    custom_criteria: Mapping[str, CustomCriterion] | Iterable[CustomCriterion] = (),
) -> TierLadder:
    """Build a ladder from the parsed ``[tiers]`` section of a program file.

    ``data`` is the section itself (``parsed_toml["tiers"]``) and ``path``
    where it sits, used as the prefix of error paths. Rules written as
    ``custom = "<key>"`` refer to ``custom_criteria`` (given as a mapping or
    an iterable of :class:`CustomCriterion`). Raises one
    :class:`ValidationError` naming every bad, missing or unknown key, such
    as ``tiers.levels.2.benefits.partner_margin``, with codes ``required``,
    ``invalid``, ``out_of_range``, ``invalid_choice``, ``unknown`` and
    ``duplicate``.
    """
    reader = ConfigReader(data, path)
    ladder = read_ladder(reader, custom_criteria=custom_criteria)
    reader.errors.raise_if_any()
    assert ladder is not None
    return ladder


def read_ladder(
    reader: ConfigReader,
    *,
    custom_criteria: Mapping[str, CustomCriterion] | Iterable[CustomCriterion] = (),
) -> TierLadder | None:
    """Read a ladder from the ``[tiers]`` table ``reader`` holds, recording problems.

    For a loader that reads a whole program file with one :class:`ConfigReader`
    tree: the same keys, paths and codes as :func:`ladder_from_dict`. The
    table's ``policy`` key is left to :func:`read_tier_policy`. Returns the
    ladder, or None when the table had errors.

    >>> from partnerkit.core import ConfigReader
    >>> root = ConfigReader({"tiers": {"levels": [{"key": "gold", "name": "Gold", "rank": "1"}]}})
    >>> read_ladder(root.table("tiers")) is None, root.errors.paths
    (True, ('tiers.levels.0.rank', 'tiers.levels.0.benefits'))
    """
    custom = _custom_table(custom_criteria)
    before = len(reader.errors)
    raw_levels = reader.raw("levels", [])
    levels = reader.tables("levels")
    reader.raw("policy", None)  # the [tiers.policy] table is read by read_tier_policy
    if not levels and reader.is_table and isinstance(raw_levels, list):
        reader.error("levels", "required", "a ladder needs at least one tier ([[tiers.levels]])")
    tiers = [_read_tier(level, custom) for level in levels]
    reader.finish(raise_errors=False)
    rows: list[tuple[str, Any, Any, Criteria | None]] = []
    if isinstance(raw_levels, list):
        for level, tier, raw in zip(levels, tiers, raw_levels, strict=True):
            raw_map = raw if isinstance(raw, Mapping) else {}
            rows.append(
                (
                    level.path,
                    raw_map.get("key"),
                    raw_map.get("rank"),
                    tier.criteria if tier is not None else None,
                )
            )
    if rows:
        for problem in ladder_errors(rows):
            reader.errors.add(problem.path, problem.code, problem.message)
    if len(reader.errors) != before or not reader.is_table:
        return None
    return _record(
        reader.errors, reader.path, lambda: TierLadder(t for t in tiers if t is not None)
    )


# -- writing ------------------------------------------------------------------------------------


def _money_data(money: Money) -> dict[str, str]:
    return money.to_dict()


def _benefits_data(benefits: Benefits) -> dict[str, Any]:
    data: dict[str, Any] = {
        "partner_margin": str(benefits.partner_margin.value),
        "reward_margin": str(benefits.reward_margin.value),
        "deal_registration": benefits.deal_registration,
        "mdf_eligible": benefits.mdf_eligible,
        "support_level": benefits.support_level,
    }
    if benefits.mdf_amount is not None:
        data["mdf_amount"] = _money_data(benefits.mdf_amount)
    if benefits.extras:
        data["extras"] = dict(benefits.extras)
    return data


def _rule_data(rule: Criterion) -> dict[str, Any]:
    if isinstance(rule, CustomCriterion):
        return {"custom": rule.key}
    threshold = rule.threshold
    return {
        "metric": rule.metric,
        "op": rule.op,
        "threshold": _money_data(threshold) if isinstance(threshold, Money) else str(threshold),
    }


def _criteria_data(criteria: Criteria) -> dict[str, Any]:
    data: dict[str, Any] = {"mode": criteria.mode}
    if criteria.at_least is not None:
        data["at_least"] = criteria.at_least
    data["rules"] = [_rule_data(r) for r in criteria.rules]
    return data


def _tier_data(tier: Tier) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": tier.key,
        "name": tier.name,
        "rank": tier.rank,
        "benefits": _benefits_data(tier.benefits),
    }
    if tier.criteria.rules or tier.criteria != Criteria():
        data["criteria"] = _criteria_data(tier.criteria)
    return data


def ladder_to_dict(ladder: TierLadder) -> dict[str, Any]:
    """The ``[tiers]`` section for ``ladder``, as TOML-ready data (strings, ints, booleans).

    ``ladder_from_dict(ladder_to_dict(ladder)) == ladder`` (pass the same
    ``custom_criteria`` when the ladder has custom criteria, which are
    written as ``{"custom": key}``).
    """
    return {"levels": [_tier_data(t) for t in ladder.tiers]}


# -- the policy -------------------------------------------------------------------------------


def _read_calendar(
    reader: ConfigReader, fiscal: FiscalCalendar | None = None
) -> CalendarReviews | FiscalReviews | None:
    before = len(reader.errors.errors)
    kind = reader.str("kind", "calendar", choices=("calendar", "fiscal"))
    if kind == "fiscal":
        unit = reader.str("period", "quarter", choices=FISCAL_UNITS)
        review_unit = reader.str("review", None, choices=FISCAL_UNITS)
        embedded = read_calendar(reader.table("fiscal")) if reader.has("fiscal") else None
        calendar = embedded if embedded is not None else fiscal
        if calendar is None and not reader.has("fiscal"):
            reader.error(
                "kind",
                "invalid",
                "a fiscal review calendar needs the program's fiscal calendar ([fiscal])",
            )
        reader.finish(raise_errors=False)
        if len(reader.errors.errors) > before or calendar is None:
            return None
        fiscal_calendar = calendar
        return _record(
            reader.errors,
            reader.path,
            lambda: FiscalReviews(fiscal_calendar, unit, review_unit),
        )
    period = reader.str("period", "quarter", choices=PERIODS)
    review = reader.str("review", None, choices=PERIODS)
    first_month = reader.int("first_month", 1, minimum=1, maximum=12)
    reader.finish(raise_errors=False)
    if len(reader.errors.errors) > before:
        return None
    return _record(reader.errors, reader.path, lambda: CalendarReviews(period, review, first_month))


def _calendar_data(calendar: ReviewCalendar) -> dict[str, Any]:
    if isinstance(calendar, FiscalReviews):
        fiscal_data: dict[str, Any] = {
            "kind": "fiscal",
            "period": calendar.period,
            "fiscal": calendar_to_dict(calendar.calendar),
        }
        if calendar.review is not None:
            fiscal_data["review"] = calendar.review
        return fiscal_data
    if not isinstance(calendar, CalendarReviews):
        raise ValidationError.single(
            "calendar",
            "invalid",
            f"cannot write a {type(calendar).__name__}; register a converter hook for it",
        )
    data: dict[str, Any] = {"period": calendar.period, "first_month": calendar.first_month}
    if calendar.review is not None:
        data["review"] = calendar.review
    return data


def policy_from_dict(
    data: Mapping[str, object],
    path: str = "tiers.policy",
    *,
    fiscal: FiscalCalendar | None = None,
) -> TierPolicy:
    """Build a tier policy from the parsed ``[tiers.policy]`` table of a program file.

    Keys: ``upgrades`` (``"immediate"`` or ``"next_period"``),
    ``downgrade_grace_days``, ``max_steps_down`` and a ``calendar`` table:
    ``period``, ``review`` and ``first_month`` for :class:`CalendarReviews`,
    or ``kind = "fiscal"`` with ``period`` and ``review`` (``"period"``,
    ``"quarter"``, ``"year"``) for :class:`FiscalReviews` over ``fiscal``
    (the program's fiscal calendar) or over a calendar embedded in the
    table's ``fiscal`` key; all optional. Raises one
    :class:`ValidationError` naming every bad or unknown key under ``path``.
    """
    reader = ConfigReader(data, path)
    policy = read_tier_policy(reader, fiscal=fiscal)
    reader.errors.raise_if_any()
    assert policy is not None
    return policy


def read_tier_policy(
    reader: ConfigReader, *, fiscal: FiscalCalendar | None = None
) -> TierPolicy | None:
    """Read a policy from the ``[tiers.policy]`` table ``reader`` holds, recording problems.

    The same keys, paths and codes as :func:`policy_from_dict`; ``fiscal`` is
    the program's fiscal calendar, which ``kind = "fiscal"`` reviews follow
    unless the table embeds its own. Returns the policy, or None when the
    table had errors.

    >>> from partnerkit.core import ConfigReader
    >>> root = ConfigReader({"tiers": {"policy": {"upgrades": "never"}}})
    >>> read_tier_policy(root.table("tiers").table("policy")) is None, root.errors.paths
    (True, ('tiers.policy.upgrades',))
    """
    before = len(reader.errors)
    calendar = _read_calendar(reader.table("calendar"), fiscal)
    upgrades = reader.str("upgrades", "immediate", choices=("immediate", "next_period"))
    grace = reader.int("downgrade_grace_days", 90, minimum=0)
    steps = reader.int("max_steps_down", None, minimum=1)
    reader.finish(raise_errors=False)
    if len(reader.errors) != before or calendar is None or not reader.is_table:
        return None
    return _record(reader.errors, reader.path, lambda: TierPolicy(calendar, upgrades, grace, steps))


def policy_to_dict(policy: TierPolicy) -> dict[str, Any]:
    """The ``[tiers.policy]`` table for ``policy``; its calendar must be a :class:`CalendarReviews`.

    ``policy_from_dict(policy_to_dict(policy)) == policy``. Raises
    :class:`ValidationError` for a host calendar, which this module cannot write.
    """
    data: dict[str, Any] = {
        "upgrades": policy.upgrades,
        "downgrade_grace_days": policy.downgrade_grace_days,
        "calendar": _calendar_data(policy.calendar),
    }
    if policy.max_steps_down is not None:
        data["max_steps_down"] = policy.max_steps_down
    return data


# -- converter hooks: the same shapes back partnerkit.core.to_dict/from_dict ----------------------


def _from_reader(read: Callable[[ConfigReader], T | None], data: object) -> T:
    errors = ErrorCollector()
    result = read(ConfigReader(data, "", errors))
    errors.raise_if_any()
    assert result is not None
    return result


def _metric_data(value: MetricValue) -> object:
    if isinstance(value, Money):
        return value.to_dict()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _metric_from_data(name: str, value: object, errors: ErrorCollector) -> MetricValue | None:
    if isinstance(value, Mapping):
        where = f"metrics.{name}" if name else ""
        return _record(errors, where, lambda: converter.structure(value, Money))
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            pass
    errors.add(
        f"metrics.{name}" if name else "", "invalid", "expected an int, a decimal string or Money"
    )
    return None


def _evaluation_data(evaluation: TierEvaluation) -> dict[str, Any]:
    return {
        "tier_key": evaluation.tier_key,
        "as_of": evaluation.as_of.isoformat(),
        "metrics": {k: _metric_data(v) for k, v in evaluation.metrics.items()},
        "ladder": ladder_to_dict(evaluation.ladder),
    }


def _evaluation_from_data(data: object, _: object) -> TierEvaluation:
    errors = ErrorCollector()
    reader = ConfigReader(data, "", errors)
    tier_key = reader.str("tier_key")
    as_of_text = reader.str("as_of")
    as_of = _build(reader, "as_of", lambda: converter.structure(as_of_text, date))
    metrics_reader = reader.table("metrics", required=True)
    metrics: dict[str, MetricValue] = {}
    for name in metrics_reader.keys():  # noqa: SIM118 - a reader, not a dict
        value = _metric_from_data(name, metrics_reader.raw(name), errors)
        if value is not None:
            metrics[name] = value
    ladder_data = reader.raw("ladder")
    ladder = _record(errors, "ladder", lambda: ladder_from_dict(ladder_data, ""))  # type: ignore[arg-type]
    reader.finish(raise_errors=False)
    errors.raise_if_any()
    assert ladder is not None
    assert as_of is not None
    return TierEvaluation(tier_key, as_of, metrics, ladder)


def _structure_metric(data: object, _: object) -> MetricValue | None:
    if data is None:
        return None
    errors = ErrorCollector()
    value = _metric_from_data("", data, errors)
    if errors:
        raise ValidationError(errors.errors)
    return value


def _structure_gap(data: object, _: object) -> Decimal | Money | None:
    if isinstance(data, int) and not isinstance(data, bool):
        raise ValidationError.single("", "invalid", "expected a decimal string or Money")
    value = _structure_metric(data, _)
    assert not isinstance(value, int)
    return value


def _structure_criterion(data: object, _: object) -> Criterion:
    if isinstance(data, Mapping) and "custom" in data:
        return _refuse_custom(data, _)
    errors = ErrorCollector()
    rule = _read_rule(ConfigReader(data, "", errors), {})
    errors.raise_if_any()
    assert rule is not None
    return rule


def _refuse_custom(data: object, _: object) -> CustomCriterion:
    raise ValidationError.single(
        "custom",
        "invalid",
        "custom criteria are code; load the ladder with ladder_from_dict(custom_criteria=...)",
    )


def _register() -> None:
    no_custom: dict[str, CustomCriterion] = {}
    converter.register_unstructure_hook(TierLadder, ladder_to_dict)
    converter.register_structure_hook(TierLadder, lambda d, _: ladder_from_dict(d, ""))
    converter.register_unstructure_hook(Tier, _tier_data)
    converter.register_structure_hook(
        Tier, lambda d, _: _from_reader(lambda r: _read_tier(r, no_custom), d)
    )
    converter.register_unstructure_hook(Benefits, _benefits_data)
    converter.register_structure_hook(Benefits, lambda d, _: _from_reader(_read_benefits, d))
    converter.register_unstructure_hook(Criteria, _criteria_data)
    converter.register_structure_hook(
        Criteria, lambda d, _: _from_reader(lambda r: _read_criteria(r, no_custom), d)
    )
    converter.register_unstructure_hook(Rule, _rule_data)
    converter.register_structure_hook(
        Rule, lambda d, _: _from_reader(lambda r: _read_rule(r, no_custom), d)
    )
    converter.register_unstructure_hook(CustomCriterion, _rule_data)
    converter.register_structure_hook(CustomCriterion, _refuse_custom)
    # The unions inside explanations (CriterionResult, CheckResult): cattrs needs to be told.
    metric_or_none = MetricValue | None
    gap = Decimal | Money | None
    converter.register_structure_hook_func(lambda t: t == metric_or_none, _structure_metric)
    converter.register_structure_hook_func(lambda t: t == gap, _structure_gap)
    converter.register_structure_hook_func(lambda t: t == Criterion, _structure_criterion)
    converter.register_unstructure_hook(TierEvaluation, _evaluation_data)
    converter.register_structure_hook(TierEvaluation, _evaluation_from_data)
    # CalendarReviews is registered by name: the protocol hooks would otherwise match it too
    # (it is a virtual subclass of the runtime-checkable protocol).
    converter.register_unstructure_hook(CalendarReviews, _calendar_data)
    converter.register_structure_hook(CalendarReviews, lambda d, _: _from_reader(_read_calendar, d))
    converter.register_unstructure_hook(ReviewCalendar, _calendar_data)
    converter.register_structure_hook(ReviewCalendar, lambda d, _: _from_reader(_read_calendar, d))
    converter.register_unstructure_hook(TierPolicy, policy_to_dict)
    converter.register_structure_hook(TierPolicy, lambda d, _: policy_from_dict(d, ""))


_register()
