"""Evaluating partners against a ladder: the tier reached, and why, in plain words.

The ladder is compiled once into flat tuples; evaluation walks them from the
top tier down and stops at the first tier whose criteria hold. Explanations
(per-criterion results, gaps, sentences) are built only when asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
from babel.core import Locale
from babel.numbers import format_decimal

from partnerkit.core import Money
from partnerkit.core._context import isolated
from partnerkit.core._money import _locale  # the one locale check
from partnerkit.core._validation import expect
from partnerkit.core.errors import FieldError, ValidationError
from partnerkit.locale import N_, gettext, ngettext
from partnerkit.tiers._criteria import (
    COMPARE,
    CheckResult,
    Criterion,
    CustomCriterion,
    MetricValue,
    Rule,
    check_metrics,
)
from partnerkit.tiers._ladder import Tier, TierLadder

__all__ = [
    "METRIC_LABELS",
    "CriterionResult",
    "TierCheck",
    "TierEvaluation",
    "compile_ladder",
    "evaluate",
    "evaluate_many",
    "metric_label",
]

K = TypeVar("K")


def _plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark an English ``(singular, plural)`` pair for extraction (``pybabel -k _plural:1,2``)."""
    return (singular, plural)


#: Display names of the common metrics, ``(singular, plural)`` English msgids
#: translated through the catalogs with :func:`~partnerkit.locale.ngettext`.
#: Other metric names are shown with their underscores turned into spaces.
METRIC_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "new_arr": _plural("new ARR", "new ARR"),
        "upsell_arr": _plural("upsell ARR", "upsell ARR"),
        "total_arr": _plural("total ARR", "total ARR"),
        "approved_deal_registrations": _plural(
            "approved deal registration",
            "approved deal registrations",
        ),
        "certified_sales_users": _plural("certified sales user", "certified sales users"),
        "certified_technical_users": _plural(
            "certified technical user", "certified technical users"
        ),
        "engagement_score": _plural("engagement score", "engagement score"),
        "plan_completion": _plural("plan completion", "plan completion"),
        "customers": _plural("customer", "customers"),
        "customer_count": _plural("customer", "customers"),
    }
)

_ONE = Decimal(1)


#: The count that picks a language's form for "many" (the plural in English, the
#: genitive plural in Polish): used where an amount, not a count, goes with the label.
_MANY = 5


def metric_label(
    metric: str, count: Decimal | int | None = None, locale: str | Locale | None = "en"
) -> str:
    """The display name of ``metric`` in ``locale``, in the form ``count`` takes.

    Without a ``count`` (or with one that is no whole number) the form for
    many is used. Metrics outside :data:`METRIC_LABELS` are shown with their
    underscores turned into spaces, untranslated. A ``metric`` that is no text
    is a :class:`~partnerkit.core.errors.ValidationError`.

    >>> metric_label("certified_technical_users", 1), metric_label("partner_events")
    ('certified technical user', 'partner events')
    >>> metric_label("customers", 1, "de"), metric_label("customers", 2, "de")
    ('Kunde', 'Kunden')
    """
    forms = METRIC_LABELS.get(expect(metric, str, "metric", "text"))
    if forms is None:
        return metric.replace("_", " ").replace(".", " ")
    return ngettext(forms[0], forms[1], _count(count), locale)


def _count(count: Decimal | int | None) -> int:
    if isinstance(count, bool) or count is None:
        return _MANY
    if isinstance(count, int):
        return count
    if isinstance(count, Decimal) and count.is_finite() and count == count.to_integral_value():
        return int(count)
    return _MANY


# -- the compiled ladder ------------------------------------------------------------------------

# One compiled rule: (metric, compare, threshold amount, currency or None, custom check or None).
_CompiledRule = tuple[Any, Any, Any, Any, Any]
# One compiled tier: (position, needed, failures allowed, rules).
_CompiledTier = tuple[int, int, int, tuple[_CompiledRule, ...]]


class _Plan:
    """A ladder flattened for the hot loop: tiers from the top down, rules as tuples.

    ``by_position[i]`` holds tier ``i``'s rules with their criterion objects, for
    explanations; ``kinds`` every ``(metric, currency or None)`` a threshold rule
    of the ladder compares, checked before the walk so that a mismatched value is
    refused whichever criterion would have decided the tier.
    """

    __slots__ = ("by_position", "kinds", "top_down")

    def __init__(
        self,
        top_down: tuple[_CompiledTier, ...],
        by_position: tuple[tuple[tuple[Criterion, _CompiledRule], ...], ...],
        kinds: tuple[tuple[str, str | None], ...] = (),
    ) -> None:
        self.top_down = top_down
        self.by_position = by_position
        self.kinds = kinds


def _compile_rule(rule: Criterion) -> _CompiledRule:
    if isinstance(rule, CustomCriterion):
        return (rule.key, None, None, None, rule.check)
    if isinstance(rule.threshold, Money):
        threshold = rule.threshold
        return (rule.metric, COMPARE[rule.op], threshold.amount, threshold.currency, None)
    return (rule.metric, COMPARE[rule.op], rule.threshold, None, None)


def compile_ladder(ladder: TierLadder) -> _Plan:
    """Flatten ``ladder`` into tuples the evaluator walks without building objects."""
    by_position = tuple(
        tuple((rule, _compile_rule(rule)) for rule in tier.criteria.rules) for tier in ladder.tiers
    )
    top_down: list[_CompiledTier] = []
    for position in range(len(ladder.tiers) - 1, 0, -1):
        needed = ladder.tiers[position].criteria.needed
        rules = tuple(compiled for _, compiled in by_position[position])
        top_down.append((position, needed, len(rules) - needed, rules))
    kinds = dict.fromkeys(
        (metric, currency)
        for tier in by_position
        for _, (metric, _compare, _threshold, currency, custom) in tier
        if custom is None
    )
    return _Plan(tuple(top_down), by_position, tuple(kinds))


def _mismatch(metric: str, value: object, currency: str | None) -> ValidationError:
    if currency is None:
        message = "the ladder compares this metric with a number; got an amount of money"
    elif isinstance(value, Money):
        message = f"the ladder needs an amount in {currency}; got {value.currency}"
    else:
        message = f"the ladder needs an amount in {currency}; got a plain number"
    return ValidationError.single(f"metrics.{metric}", "invalid", message)


def _bad_outcome(key: str, outcome: object) -> TypeError:
    return TypeError(
        f"custom criterion {key!r} returned {type(outcome).__name__}; "
        "return a bool or a CheckResult"
    )


def _position(plan: _Plan, metrics: Mapping[str, Any]) -> int:
    """The position of the highest tier whose criteria hold (0, the floor, if none)."""
    get = metrics.get
    for metric, currency in plan.kinds:
        value = get(metric)
        if value is None:
            continue
        if currency is None:
            if type(value) is Money:
                raise _mismatch(metric, value, currency)
        elif type(value) is not Money or value.currency != currency:
            raise _mismatch(metric, value, currency)
    for position, needed, allowed_failures, rules in plan.top_down:
        if not needed:
            return position
        met = 0
        failed = 0
        for metric, compare, threshold, currency, custom in rules:
            if custom is None:
                value = get(metric)
                if value is None:
                    ok = False
                elif currency is None:
                    if type(value) is Money:
                        raise _mismatch(metric, value, currency)
                    ok = compare(value, threshold)
                elif type(value) is Money and value.currency == currency:
                    ok = compare(value.amount, threshold)
                else:
                    raise _mismatch(metric, value, currency)
            else:
                outcome = custom(metrics)
                if type(outcome) is bool:
                    ok = outcome
                elif isinstance(outcome, CheckResult):
                    ok = outcome.met
                else:
                    raise _bad_outcome(metric, outcome)
            if ok:
                met += 1
                if met >= needed:
                    return position
            else:
                failed += 1
                if failed > allowed_failures:
                    break
    return 0


def _checked(metrics: Mapping[str, MetricValue]) -> dict[str, MetricValue]:
    """A private copy of ``metrics``; refused unless all values are ints, finite Decimals, Money."""
    if type(metrics) is not dict and not isinstance(metrics, Mapping):
        check_metrics(metrics)
    snapshot = dict(metrics)
    for value in snapshot.values():
        kind = type(value)
        if kind is Decimal:
            if not value.is_finite():  # type: ignore[union-attr]
                check_metrics(metrics)
        elif kind is not int and kind is not Money:
            check_metrics(metrics)
    return snapshot


# -- explanations -------------------------------------------------------------------------------


@attrs.frozen
class CriterionResult:
    """One criterion checked against a partner's metrics.

    ``actual`` is the partner's value (``None`` when the metric was not
    reported, which counts as not met), ``gap`` how much more (for ``>=``,
    ``>``) or less (for ``<=``, ``<``) is needed, ``None`` when met or not
    measurable, and ``note`` a plain-language remark ("not reported", or a
    custom check's detail).
    """

    criterion: Criterion
    actual: MetricValue | None
    met: bool
    gap: Decimal | Money | None = None
    note: str = ""

    @property
    def missing(self) -> bool:
        """Whether the metric was not reported at all."""
        return isinstance(self.criterion, Rule) and self.actual is None

    @isolated
    def describe(self, locale: str = "en_US") -> str:
        """What is still needed, as a phrase ("40,000 more new ARR"); empty when met.

        Numbers and amounts are formatted for ``locale`` through babel; an
        unknown locale is a :class:`~partnerkit.core.errors.ValidationError`
        at ``locale``.
        """
        _locale(locale)
        if self.met:
            return ""
        criterion = self.criterion
        if isinstance(criterion, CustomCriterion):
            return f"{criterion.label} ({self.note})" if self.note else criterion.label
        threshold = _format_value(criterion.threshold, locale)
        wanted = gettext(_WANTED[criterion.op], locale)
        if self.actual is None:
            return gettext("{metric} {wanted} {threshold} (not reported)", locale).format(
                metric=metric_label(criterion.metric, None, locale),
                wanted=wanted,
                threshold=threshold,
            )
        gap = self.gap
        if criterion.op in (">=", ">") and gap is not None:
            if criterion.op == ">" and isinstance(gap, Decimal) and _is_count(criterion, gap):
                gap = gap + _ONE
            elif criterion.op == ">":
                return gettext("more than {amount} more {metric}", locale).format(
                    amount=_format_value(gap, locale),
                    metric=metric_label(criterion.metric, None, locale),
                )
            if isinstance(gap, Decimal) and _is_count(criterion, gap):
                count = int(gap)
                return ngettext(
                    "{count} more {metric}", "{count} more {metric}", count, locale
                ).format(
                    count=_format_value(gap, locale),
                    metric=metric_label(criterion.metric, count, locale),
                )
            return gettext("{amount} more {metric}", locale).format(
                amount=_format_value(gap, locale),
                metric=metric_label(criterion.metric, None, locale),
            )
        if criterion.op in ("<=", "<") and gap is not None:
            if criterion.op == "<" and isinstance(gap, Decimal) and _is_count(criterion, gap):
                gap = gap + _ONE  # down by the gap only reaches the threshold, not below it
            if criterion.op == "<" and not (isinstance(gap, Decimal) and _is_count(criterion, gap)):
                down = gettext(
                    "{metric} down by more than {amount} to {wanted} {threshold}", locale
                )
            else:
                down = gettext("{metric} down by {amount} to {wanted} {threshold}", locale)
            return down.format(
                metric=metric_label(criterion.metric, None, locale),
                amount=_format_value(gap, locale),
                wanted=wanted,
                threshold=threshold,
            )
        return gettext("{metric} {wanted} {threshold} (now {actual})", locale).format(
            metric=metric_label(criterion.metric, None, locale),
            wanted=wanted,
            threshold=threshold,
            actual=_format_value(self.actual, locale),
        )


# What a criterion wants, between the metric and the threshold ("new ARR of at least 50,000").
_WANTED = {
    ">=": N_("of at least"),
    ">": N_("above"),
    "<=": N_("at most"),
    "<": N_("below"),
    "==": N_("of exactly"),
    "!=": N_("other than"),
}


def _is_count(rule: Rule, gap: Decimal) -> bool:
    return isinstance(rule.threshold, Decimal) and gap == gap.to_integral_value()


def _format_value(value: object, locale: str) -> str:
    if isinstance(value, Money):
        return value.format(locale)
    if isinstance(value, (Decimal, int)):
        return str(format_decimal(value, locale=locale))
    return str(value)


def _result(
    criterion: Criterion, compiled: _CompiledRule, metrics: Mapping[str, MetricValue]
) -> CriterionResult:
    metric, compare, threshold, currency, custom = compiled
    if custom is not None:
        outcome = custom(metrics)
        if type(outcome) is bool:
            return _criterion_result(criterion, None, outcome, None, "")
        if isinstance(outcome, CheckResult):
            return _criterion_result(
                criterion, outcome.actual, outcome.met, outcome.gap, outcome.detail
            )
        raise _bad_outcome(metric, outcome)
    value = metrics.get(metric)
    if value is None:
        return _criterion_result(criterion, None, False, None, "not reported")
    if currency is None:
        if type(value) is Money:
            raise _mismatch(metric, value, None)
        if compare(value, threshold):
            return _criterion_result(criterion, value, True, None, "")
        return _criterion_result(criterion, value, False, _gap(compare, value, threshold), "")
    if type(value) is not Money or value.currency != currency:
        raise _mismatch(metric, value, currency)
    if compare(value.amount, threshold):
        return _criterion_result(criterion, value, True, None, "")
    gap = _gap(compare, value.amount, threshold)
    return _criterion_result(
        criterion, value, False, None if gap is None else Money(gap, currency), ""
    )


_GAP_UP = (COMPARE[">="], COMPARE[">"])
_GAP_DOWN = (COMPARE["<="], COMPARE["<"])


def _gap(compare: Any, value: Any, threshold: Any) -> Decimal | None:
    if compare in _GAP_UP:
        return Decimal(threshold - value)
    if compare in _GAP_DOWN:
        return Decimal(value - threshold)
    return None


@attrs.frozen
class TierCheck:
    """A tier's criteria checked against a partner's metrics.

    ``met`` says whether the tier's criteria hold as a whole (``needed`` of
    the ``results`` met); ``short_by`` is how many more criteria must be met.
    """

    tier: Tier
    met: bool
    needed: int
    results: tuple[CriterionResult, ...]

    @property
    def met_count(self) -> int:
        """How many criteria hold."""
        return sum(1 for r in self.results if r.met)

    @property
    def short_by(self) -> int:
        """How many more criteria must hold for the tier (0 when met)."""
        return max(0, self.needed - self.met_count)

    @property
    def unmet(self) -> tuple[CriterionResult, ...]:
        """The criteria that do not hold, in the ladder's order."""
        return tuple(r for r in self.results if not r.met)

    @isolated
    def describe(self, locale: str = "en_US") -> str:
        """What is still missing for this tier, as a phrase; empty when met.

        An unknown locale is a :class:`~partnerkit.core.errors.ValidationError` at ``locale``.
        """
        _locale(locale)
        if self.met:
            return ""
        phrases = [r.describe(locale) for r in self.unmet]
        short = self.short_by
        if short >= len(phrases):
            return _join(phrases, gettext("{items} and {last}", locale), locale)
        if short == 1:
            return _join(phrases, gettext("{items} or {last}", locale), locale)
        return ngettext(
            "any {count} of: {phrases}", "any {count} of: {phrases}", short, locale
        ).format(count=_format_value(short, locale), phrases="; ".join(phrases))


def _join(phrases: list[str], pattern: str, locale: str) -> str:
    if len(phrases) <= 1:
        return "".join(phrases)
    return pattern.format(items=gettext(", ", locale).join(phrases[:-1]), last=phrases[-1])


def _tier_check(ladder: TierLadder, position: int, metrics: Mapping[str, MetricValue]) -> TierCheck:
    tier = ladder.tiers[position]
    get = metrics.get
    results: list[CriterionResult] = []
    append = results.append
    met_count = 0
    for criterion, compiled in ladder._plan.by_position[position]:
        metric, compare, threshold, currency, custom = compiled
        # The common case inline (a plain number compared with a number); the rest in _result.
        if custom is None and currency is None:
            value = get(metric)
            if value is not None and type(value) is not Money and compare(value, threshold):
                met_count += 1
                append(_criterion_result(criterion, value, True, None, ""))
                continue
        result = _result(criterion, compiled, metrics)
        met_count += result.met
        append(result)
    needed = tier.criteria.needed
    return _tier_check_trusted(tier, met_count >= needed, needed, tuple(results))


# -- the evaluation -----------------------------------------------------------------------------


@attrs.frozen(init=False)
class TierEvaluation:
    """A partner's metrics evaluated against a ladder on a day: the tier reached, and why.

    ``tier_key`` is the highest tier whose criteria hold (the floor when
    none do). :attr:`current` and :attr:`next` check the criteria of that
    tier and of the one above it, and :meth:`explain` says in words what is
    missing; both are worked out only when asked for. Built by
    :func:`evaluate`; the constructor re-checks that ``tier_key`` is what the
    metrics reach and raises :class:`ValidationError` otherwise.
    """

    tier_key: str
    as_of: date
    metrics: Mapping[str, MetricValue] = attrs.field(hash=False)
    ladder: TierLadder

    def __init__(
        self,
        tier_key: str,
        as_of: date,
        metrics: Mapping[str, MetricValue],
        ladder: TierLadder,
    ) -> None:
        errors: list[FieldError] = []
        if _not_a_date(as_of):
            errors.append(
                FieldError("as_of", "invalid", "expected a date (a datetime is not a date here)")
            )
        if not isinstance(ladder, TierLadder):
            errors.append(FieldError("ladder", "invalid", "expected a TierLadder"))
        snapshot: dict[str, MetricValue] = {}
        try:
            snapshot = _checked(metrics)
        except ValidationError as exc:
            errors.extend(exc.errors)
        if not errors:
            try:
                reached = ladder.tiers[_position(ladder._plan, snapshot)].key
            except ValidationError as exc:
                errors.extend(exc.errors)
            else:
                if tier_key != reached:
                    errors.append(
                        FieldError(
                            "tier_key",
                            "invalid",
                            f"the metrics reach {reached!r}, not {tier_key!r}",
                        )
                    )
        if errors:
            raise ValidationError(errors)
        self.__attrs_init__(tier_key, as_of, snapshot, ladder)

    @property
    def tier(self) -> Tier:
        """The tier reached."""
        return self.ladder.tier(self.tier_key)

    @property
    def next_tier(self) -> Tier | None:
        """The tier above the one reached, or ``None`` at the top."""
        return self.ladder.above(self.tier_key)

    @property
    def current(self) -> TierCheck:
        """The criteria of the tier reached, checked (the floor's list is empty)."""
        return _tier_check(self.ladder, self.ladder.position(self.tier_key), self.metrics)

    @property
    def next(self) -> TierCheck | None:
        """The criteria of the next tier up, checked, or ``None`` at the top."""
        ladder = self.ladder
        position = ladder.position(self.tier_key) + 1
        if position >= len(ladder.tiers):
            return None
        return _tier_check(ladder, position, self.metrics)

    @isolated
    def explain(self, locale: str = "en_US") -> str:
        """One sentence: the tier reached, and what is missing for the next one.

        Numbers and amounts are formatted for ``locale`` through babel, and the
        words come from partnerkit's catalogs (metric names from
        :data:`METRIC_LABELS`, in the form the count takes); a language without a
        catalog gets English words. Tier names, custom criteria's labels and notes
        are the program's own text and are shown as they are. An unknown locale
        is a :class:`~partnerkit.core.errors.ValidationError` at ``locale``.
        """
        _locale(locale)
        tier = self.tier
        check = self.next
        if check is None:
            return gettext("{tier}, the highest tier.", locale).format(tier=tier.name)
        return gettext("{tier}; needs {missing} for {next}.", locale).format(
            tier=tier.name, missing=check.describe(locale), next=check.tier.name
        )


_new = object.__new__
_set_criterion = CriterionResult.__dict__["criterion"].__set__
_set_actual = CriterionResult.__dict__["actual"].__set__
_set_met = CriterionResult.__dict__["met"].__set__
_set_gap = CriterionResult.__dict__["gap"].__set__
_set_note = CriterionResult.__dict__["note"].__set__


def _criterion_result(
    criterion: Criterion,
    actual: MetricValue | None,
    met: bool,
    gap: Decimal | Money | None,
    note: str,
) -> CriterionResult:
    # Explanations are built per partner in batch runs: skip the frozen __setattr__.
    result: CriterionResult = _new(CriterionResult)
    _set_criterion(result, criterion)
    _set_actual(result, actual)
    _set_met(result, met)
    _set_gap(result, gap)
    _set_note(result, note)
    return result


_set_check_tier = TierCheck.__dict__["tier"].__set__
_set_check_met = TierCheck.__dict__["met"].__set__
_set_check_needed = TierCheck.__dict__["needed"].__set__
_set_check_results = TierCheck.__dict__["results"].__set__


def _tier_check_trusted(
    tier: Tier, met: bool, needed: int, results: tuple[CriterionResult, ...]
) -> TierCheck:
    check: TierCheck = _new(TierCheck)
    _set_check_tier(check, tier)
    _set_check_met(check, met)
    _set_check_needed(check, needed)
    _set_check_results(check, results)
    return check


_set_key = TierEvaluation.__dict__["tier_key"].__set__
_set_as_of = TierEvaluation.__dict__["as_of"].__set__
_set_metrics = TierEvaluation.__dict__["metrics"].__set__
_set_ladder = TierEvaluation.__dict__["ladder"].__set__


def _trusted(key: str, as_of: date, metrics: dict[str, Any], ladder: TierLadder) -> TierEvaluation:
    evaluation: TierEvaluation = _new(TierEvaluation)
    _set_key(evaluation, key)
    _set_as_of(evaluation, as_of)
    _set_metrics(evaluation, metrics)
    _set_ladder(evaluation, ladder)
    return evaluation


def _not_a_date(value: object) -> bool:
    """Whether ``value`` is no date, or a datetime (naive or not: evaluations are by day)."""
    return not isinstance(value, date) or isinstance(value, datetime)


def _refuse_arguments(ladder: object, as_of: object) -> None:
    errors: list[FieldError] = []
    if not isinstance(ladder, TierLadder):
        errors.append(FieldError("ladder", "invalid", "expected a TierLadder"))
    if _not_a_date(as_of):
        errors.append(
            FieldError("as_of", "invalid", "expected a date (a datetime is not a date here)")
        )
    if errors:
        raise ValidationError(errors)


@isolated
def evaluate(metrics: Mapping[str, MetricValue], ladder: TierLadder, as_of: date) -> TierEvaluation:
    """Evaluate one partner's ``metrics`` against ``ladder`` on ``as_of``.

    Returns the highest tier whose criteria hold (the floor if none); a
    metric the partner did not report counts as not met. Raises
    :class:`ValidationError` naming ``metrics.<name>`` for a float, a boolean,
    NaN, or a number where the ladder expects Money (or the other way round,
    or another currency).
    """
    if _not_a_date(as_of) or not isinstance(ladder, TierLadder):
        _refuse_arguments(ladder, as_of)
    snapshot = _checked(metrics)
    tiers = ladder.tiers
    return _trusted(tiers[_position(ladder._plan, snapshot)].key, as_of, snapshot, ladder)


@isolated
def evaluate_many(
    partners: Iterable[tuple[K, Mapping[str, MetricValue]]], ladder: TierLadder, as_of: date
) -> Iterator[tuple[K, TierEvaluation]]:
    """Evaluate ``(partner_id, metrics)`` pairs one by one, yielding ``(partner_id, evaluation)``.

    A generator: it holds one partner at a time, so a whole ecosystem can be
    streamed from a database cursor. A bad metric mapping raises
    :class:`ValidationError` with paths under the partner id
    (``p-17.metrics.new_arr``) when that partner is reached; the partners
    before it have been yielded already.
    """
    if _not_a_date(as_of) or not isinstance(ladder, TierLadder):
        _refuse_arguments(ladder, as_of)
    plan = ladder._plan
    keys = ladder.keys
    for partner_id, metrics in partners:
        try:
            position = _position(plan, snapshot := _checked(metrics))
        except ValidationError as exc:
            raise exc.prefixed(str(partner_id)) from None
        yield partner_id, _trusted(keys[position], as_of, snapshot, ladder)
