"""Qualification criteria: metric thresholds, custom checks, and how a tier combines them."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Literal

import attrs

from partnerkit.core import MetricValue, Money, to_decimal
from partnerkit.core._money import bounded
from partnerkit.core.errors import FieldError, ValidationError

__all__ = [
    "MODES",
    "OPERATORS",
    "CheckResult",
    "Criteria",
    "Criterion",
    "CustomCheck",
    "CustomCriterion",
    "MetricValue",
    "Mode",
    "Operator",
    "Rule",
    "check_metrics",
]


#: How a tier's criteria combine: all must hold, any one, or at least N of them.
Mode = Literal["all", "any", "at_least"]
MODES: tuple[Mode, ...] = ("all", "any", "at_least")

#: How a metric is compared with its threshold (``metric <op> threshold``).
Operator = Literal[">=", ">", "<=", "<", "==", "!="]
OPERATORS: tuple[Operator, ...] = (">=", ">", "<=", "<", "==", "!=")

COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")
_METRIC_TYPES = frozenset({int, Decimal, Money})


def _is_name(value: object) -> bool:
    return isinstance(value, str) and _NAME.match(value) is not None


@attrs.frozen(init=False)
class Rule:
    """One criterion: a metric compared with a threshold (``new_arr >= 100000``).

    ``threshold`` is a ``Decimal`` (ints and decimal strings are converted,
    floats refused) for counts and quantities, or :class:`~partnerkit.core.Money`
    for amounts; a Money threshold is only met by a Money value in the same
    currency. Raises :class:`ValidationError` naming every bad field
    (``metric``, ``op``, ``threshold``).

    >>> from partnerkit.core import Money
    >>> Rule("new_arr", ">=", Money("100000", "EUR"))
    Rule(metric='new_arr', op='>=', threshold=Money('100000', 'EUR'))
    >>> Rule("certified_sales_users", ">=", 2).threshold
    Decimal('2')
    """

    metric: str
    op: Operator
    threshold: Decimal | Money

    def __init__(self, metric: str, op: Operator, threshold: Decimal | Money | int | str) -> None:
        errors: list[FieldError] = []
        if not _is_name(metric):
            errors.append(
                FieldError(
                    "metric",
                    "invalid",
                    "a metric name is 1-64 letters, digits, '_', '.' or '-', "
                    "starting with a letter or '_'",
                )
            )
        if op not in COMPARE:
            errors.append(
                FieldError("op", "invalid_choice", f"{op!r} is not one of: {', '.join(OPERATORS)}")
            )
        value: Decimal | Money = Decimal(0)
        if isinstance(threshold, Money):
            value = threshold
        else:
            try:
                value = bounded(to_decimal(threshold, "threshold"), "threshold")
            except ValidationError as exc:
                errors.extend(exc.errors)
        if errors:
            raise ValidationError(errors)
        self.__attrs_init__(metric, op, value)

    @property
    def label(self) -> str:
        """The metric name (the key looked up in a partner's metric mapping)."""
        return self.metric


@attrs.frozen
class CheckResult:
    """What a custom check found: whether it holds, and optionally the facts behind it.

    ``actual`` is the value the check measured, ``gap`` how much is still
    missing, and ``detail`` a short plain-language note shown in explanations
    ("2 regions so far").
    """

    met: bool
    actual: MetricValue | None = None
    gap: Decimal | Money | None = None
    detail: str = ""


#: A custom check: reads a partner's metric mapping, says whether the criterion holds.
CustomCheck = Callable[[Mapping[str, MetricValue]], bool | CheckResult]


@attrs.frozen
class CustomCriterion:
    """A criterion written as a Python callable, for rules a threshold cannot express.

    ``key`` names it in TOML (``custom = "two_regions"``) and in
    serialized ladders, ``label`` describes it in explanations ("3 certified
    users in 2 regions"), and ``check`` returns ``bool`` or a
    :class:`CheckResult`. The check must be pure: it sees only the metrics.
    """

    key: str
    label: str
    check: CustomCheck = attrs.field(eq=False)

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        if not _is_name(self.key):
            errors.append(FieldError("key", "invalid", "a key is 1-64 letters, digits, '_'"))
        if not isinstance(self.label, str) or not self.label.strip():
            errors.append(FieldError("label", "required", "a custom criterion needs a label"))
        if not callable(self.check):
            errors.append(FieldError("check", "invalid", "check must be callable"))
        if errors:
            raise ValidationError(errors)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CustomCriterion):
            return NotImplemented
        return (self.key, self.label, self.check) == (other.key, other.label, other.check)

    def __hash__(self) -> int:
        return hash((self.key, self.label))


#: One criterion of a tier: a metric threshold or a custom check.
Criterion = Rule | CustomCriterion


def _rules(value: Iterable[Criterion]) -> tuple[Criterion, ...]:
    return tuple(value)


@attrs.frozen
class Criteria:
    """How a tier qualifies: its criteria and how they combine.

    ``mode`` is ``"all"`` (every criterion), ``"any"`` (at least one) or
    ``"at_least"`` (at least ``at_least`` of them, 1..number of criteria).
    No criteria at all means the tier is always reached (the floor tier).
    Raises :class:`ValidationError` naming ``mode``, ``at_least`` or ``rules.<i>``.

    >>> rules = (Rule("new_arr", ">=", 1), Rule("customers", ">=", 3), Rule("deals", ">=", 5))
    >>> Criteria("at_least", rules, at_least=2).needed
    2
    """

    mode: Mode = "all"
    rules: tuple[Criterion, ...] = attrs.field(default=(), converter=_rules)
    at_least: int | None = None

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        if self.mode not in MODES:
            errors.append(
                FieldError(
                    "mode", "invalid_choice", f"{self.mode!r} is not one of: all, any, at_least"
                )
            )
        for i, rule in enumerate(self.rules):
            if not isinstance(rule, (Rule, CustomCriterion)):
                errors.append(
                    FieldError(f"rules.{i}", "invalid", "expected a Rule or a CustomCriterion")
                )
        custom_keys = [r.key for r in self.rules if isinstance(r, CustomCriterion)]
        for i, rule in enumerate(self.rules):
            if isinstance(rule, CustomCriterion) and custom_keys.count(rule.key) > 1:
                errors.append(
                    FieldError(f"rules.{i}", "duplicate", f"custom criterion {rule.key!r} twice")
                )
        if self.mode == "at_least":
            n = self.at_least
            if isinstance(n, bool) or not isinstance(n, int):
                errors.append(
                    FieldError("at_least", "required", "mode 'at_least' needs at_least = N")
                )
            elif not 1 <= n <= max(len(self.rules), 1):
                errors.append(
                    FieldError("at_least", "out_of_range", f"{n} is outside 1..{len(self.rules)}")
                )
        elif self.at_least is not None:
            errors.append(
                FieldError("at_least", "invalid", "at_least only applies to mode 'at_least'")
            )
        if errors:
            raise ValidationError(errors)

    @property
    def needed(self) -> int:
        """How many criteria must hold: all of them, 1, or ``at_least``; 0 without criteria."""
        if not self.rules:
            return 0
        if self.mode == "any":
            return 1
        if self.mode == "at_least" and self.at_least is not None:
            return self.at_least
        return len(self.rules)


def check_metrics(metrics: object, path: str = "metrics") -> None:
    """Refuse a metric mapping unless its keys are strings and values ints, Decimals or Money.

    Floats and booleans are refused, as are NaN and infinite Decimals.
    Raises :class:`ValidationError` naming every bad entry (``metrics.new_arr``).
    """
    if not isinstance(metrics, Mapping):
        raise ValidationError.single(
            path, "invalid", f"expected a mapping of metric names, got {type(metrics).__name__}"
        )
    errors: list[FieldError] = []
    for key, value in metrics.items():
        where = f"{path}.{key}" if path else str(key)
        if not isinstance(key, str):
            errors.append(FieldError(where, "invalid", "metric names must be strings"))
        elif type(value) not in _METRIC_TYPES:
            kind = type(value).__name__
            errors.append(
                FieldError(where, "invalid", f"got {kind}; use an int, a Decimal or Money")
            )
        elif type(value) is Decimal and not value.is_finite():
            errors.append(FieldError(where, "invalid", "must be a finite number"))
    if errors:
        raise ValidationError(errors)
