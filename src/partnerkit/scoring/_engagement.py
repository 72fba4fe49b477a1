"""The engagement score: weighted, normalized signals, 0-100, with each signal's share."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from itertools import repeat
from operator import add, floordiv, mul
from typing import Any, TypeVar

import attrs

from partnerkit.core import ErrorCollector, is_known_currency, to_decimal
from partnerkit.core._context import isolated
from partnerkit.core._money import bounded
from partnerkit.core._validation import expected, is_items
from partnerkit.core.errors import FieldError, ValidationError
from partnerkit.fiscal import FiscalCalendar
from partnerkit.scoring._kpis import BUILTIN_KPIS, CustomKpi, Kpi
from partnerkit.scoring._plan import _DECAYABLE, _GROWABLE, ScoringPlan
from partnerkit.scoring._status import Target, target_problems
from partnerkit.scoring._values import KpiValues

__all__ = [
    "DEFAULT_ENGAGEMENT_MODEL",
    "NORMALIZATIONS",
    "EngagementModel",
    "EngagementScore",
    "EngagementTable",
    "Signal",
    "SignalContribution",
    "percentile_ranks",
    "score_engagement",
]

#: How a signal's raw value becomes a 0..1 share: ``cap`` (value / target, at most 1),
#: ``minmax`` (between the ecosystem's least and greatest), ``percentile`` (the share of
#: other partners strictly below), ``log`` (ln(1 + value) / ln(1 + target or ecosystem max)).
#: When every partner has the same value (a lone partner too), ``minmax`` and
#: ``percentile`` both give 1 to a positive value and 0 to zero or less. For a KPI
#: that is better when lower (:attr:`Kpi.higher_is_better` false), ``minmax`` and
#: ``percentile`` rank the lowest value best (equal values all get 1), ``cap`` is
#: min(1, target / value) (1 for a value of 0), no value at all gets 0, and ``log`` is refused.
NORMALIZATIONS = ("cap", "minmax", "percentile", "log")

_T = TypeVar("_T")
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_NORMAL = Decimal("0.0001")
_ZERO = Decimal(0)
_ONE = Decimal(1)


@attrs.frozen(init=False)
class Signal:
    """One input of the engagement score: a KPI, how to normalize it, and its weight.

    ``weight`` is a positive Decimal (weights are relative; ints and decimal
    strings are converted, floats refused). ``target`` is required for
    ``cap`` and optional for ``log``. ``half_life_days`` turns on recency
    decay: each activity then counts 2^(-age/half-life), so a login today
    weighs twice one ``half_life_days`` ago (only for count, sum and revenue
    KPIs). Over a KPI that is better when lower, the normalization is
    inverted (see :data:`NORMALIZATIONS`). Raises
    :class:`~partnerkit.core.errors.ValidationError` naming every bad field.
    """

    name: str
    kpi: str
    weight: Decimal
    normalization: str = "cap"
    target: Decimal | None = None
    half_life_days: int | None = None

    def __init__(
        self,
        name: str,
        kpi: str,
        weight: Decimal | int | str,
        normalization: str = "cap",
        target: Decimal | int | str | None = None,
        half_life_days: int | None = None,
    ) -> None:
        errors = ErrorCollector()
        if not isinstance(name, str) or not name:
            errors.add("name", "required", "a signal needs a name")
        if not isinstance(kpi, str) or not kpi:
            errors.add("kpi", "required", "a signal names its KPI")
        share = errors.check("weight", lambda: bounded(to_decimal(weight, ""), ""))
        if share is not None and share <= 0:
            errors.add("weight", "out_of_range", "a weight must be above zero")
        if normalization not in NORMALIZATIONS:
            errors.add(
                "normalization",
                "invalid_choice",
                f"{normalization!r} is not one of: {', '.join(NORMALIZATIONS)}",
            )
        goal = (
            None
            if target is None
            else errors.check("target", lambda: bounded(to_decimal(target, ""), ""))
        )
        if goal is not None and goal <= 0:
            errors.add("target", "out_of_range", "a target must be above zero")
        elif target is None and normalization == "cap":
            errors.add("target", "required", "cap normalization needs a target")
        days = half_life_days
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
            errors.add("half_life_days", "out_of_range", "a half-life is a whole number >= 1")
        errors.raise_if_any()
        assert share is not None  # else it raised
        self.__attrs_init__(name, kpi, share, normalization, goal, half_life_days)


@attrs.frozen
class SignalContribution:
    """How one signal fed a partner's score.

    ``value`` is the raw (possibly decayed) KPI value, ``normalized`` its
    0..1 share (4 places), ``points`` what it adds to the 0-100 score (0.01;
    the points of a score add up to it exactly).
    """

    signal: str
    kpi: str
    value: Decimal
    normalized: Decimal
    weight: Decimal
    points: Decimal


@attrs.frozen
class EngagementScore:
    """A partner's engagement score, 0-100 rounded half-up to 0.01, with its breakdown."""

    score: Decimal
    contributions: tuple[SignalContribution, ...]

    @isolated
    def explain(self) -> str:
        """One line per signal, largest share first: what a partner manager reads out."""
        lines = [f"engagement {self.score} / 100"]
        for part in sorted(self.contributions, key=lambda c: (-c.points, c.signal)):
            lines.append(
                f"  {part.signal}: {part.points} points "
                f"({part.kpi} = {part.value.normalize():f}, {part.normalized * 100:.0f} %)"
            )
        return "\n".join(lines)


def _decays(kpi: Kpi) -> bool:
    """Whether the engine can keep a recency-weighted value of ``kpi``."""
    # Decayed rows are weighed kind by kind: a count of every kind cannot decay.
    return kpi.measure in _DECAYABLE and not (kpi.measure == "count" and not kpi.kinds)


def model_problems(
    add: Callable[[str, str, str], None],
    signals: Sequence[Signal | None],
    kpis: Sequence[Kpi | None],
    targets: Sequence[Target | None],
    *,
    first_kpi: int = 0,
) -> None:
    """Record (through ``add(path, code, message)``) what a model's parts get wrong together.

    Paths are those of the model (``signals.<i>.half_life_days``), the KPIs
    counted from ``kpis[first_kpi]`` (the ones before are built in). None
    stands for a part that could not be read: it is skipped.
    """
    by_name: dict[str, Kpi] = {}
    for i, kpi in enumerate(kpis):
        if kpi is not None and kpi.name in by_name:
            add(f"kpis.{i - first_kpi}.name", "duplicate", f"{kpi.name!r} is defined twice")
        elif kpi is not None:
            by_name[kpi.name] = kpi
    for i, kpi in enumerate(kpis):
        if kpi is not None and kpi.measure == "yoy_growth":
            base = by_name.get(kpi.of or "")
            if base is None or base.measure not in _GROWABLE:
                add(
                    f"kpis.{i - first_kpi}.of",
                    "unknown",
                    f"{kpi.of!r} is not a count, sum, distinct users or revenue KPI",
                )
    for i, signal in _each_once(add, signals, "signals.{}.name", _name, "is used twice"):
        kpi = by_name.get(signal.kpi)
        if kpi is None:
            continue
        if signal.half_life_days is not None and not _decays(kpi):
            add(
                f"signals.{i}.half_life_days",
                "invalid",
                f"{kpi.name!r} cannot decay: only counts of named kinds, sums and revenue can",
            )
        if not kpi.higher_is_better and signal.normalization == "log":
            add(
                f"signals.{i}.normalization",
                "invalid",
                f"{kpi.name!r} is better when lower: use cap, minmax or percentile",
            )
    for i, target in _each_once(add, targets, "targets.{}.kpi", _kpi, "has two targets"):
        target_problems(add, f"targets.{i}", target, by_name.get(target.kpi), None)


def _name(signal: Signal) -> str:
    return signal.name


def _kpi(target: Target) -> str:
    return target.kpi


def _each_once(
    add: Callable[[str, str, str], None],
    items: Sequence[_T | None],
    path: str,
    key: Callable[[_T], str],
    message: str,
) -> Iterator[tuple[int, _T]]:
    """Each item read (not None) with its index, recording a ``duplicate`` of an earlier key."""
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item is None:
            continue
        if key(item) in seen:
            add(path.format(i), "duplicate", f"{key(item)!r} {message}")
        seen.add(key(item))
        yield i, item


@attrs.frozen
class EngagementModel:
    """The scoring section of a Program: KPI definitions, engagement signals, RAG targets.

    ``kpis`` default to :data:`~partnerkit.scoring.BUILTIN_KPIS`; every
    signal and target must name one of them (or a custom KPI given to
    :meth:`plan`). A target of a money KPI is Money, of any other KPI a
    plain number; its currency is checked against the scoring currency by
    :meth:`plan` and :meth:`check_currency`. Raises
    :class:`~partnerkit.core.errors.ValidationError` naming every problem:
    duplicate names, a ``yoy_growth`` KPI ``of`` no count, sum or revenue
    KPI of the model (``kpis.<i>.of``), a half-life on a KPI that cannot
    decay (``signals.<i>.half_life_days``), a ``log`` signal over a KPI that
    is better when lower (``signals.<i>.normalization``), a target of the
    wrong kind (``targets.<i>.value``).
    """

    signals: tuple[Signal, ...]
    kpis: tuple[Kpi, ...] = BUILTIN_KPIS
    targets: tuple[Target, ...] = ()

    def __attrs_post_init__(self) -> None:
        errors = ErrorCollector()
        if not self.signals:
            errors.add("signals", "required", "the model needs at least one signal")
        model_problems(errors.add, self.signals, self.kpis, self.targets)
        errors.raise_if_any()

    def check_currency(self, currency: str) -> None:
        """Raise a ValidationError naming every Money target not in ``currency``.

        The paths are ``targets.<i>.value``. A
        :class:`~partnerkit.program.Program` checks its model against its
        currency; :meth:`plan` checks it against the scoring currency.
        """
        errors = ErrorCollector()
        for i, target in enumerate(self.targets):
            target_problems(errors.add, f"targets.{i}", target, None, currency)
        errors.raise_if_any()

    def plan(
        self,
        *,
        calendar: FiscalCalendar,
        as_of: date,
        currency: str,
        custom: Sequence[CustomKpi] = (),
        tz: str = "UTC",
    ) -> ScoringPlan:
        """A :class:`~partnerkit.scoring.ScoringPlan` for this model's KPIs and decayed signals.

        Raises one :class:`~partnerkit.core.errors.ValidationError` naming
        every problem: a signal or target of a KPI that neither the model nor
        ``custom`` defines (``signals.<i>.kpi``, ``targets.<i>.kpi``), a
        half-life on a custom KPI (``signals.<i>.half_life_days``), a Money
        target in another currency (``targets.<i>.value``), and the
        :class:`~partnerkit.scoring.ScoringPlan`'s own (``currency``, ``custom.<i>``).
        """
        errors = ErrorCollector()
        own = {k.name for k in self.kpis}
        known = own | {getattr(c, "name", None) for c in custom}
        for i, signal in enumerate(self.signals):
            if signal.kpi not in known:
                errors.add(f"signals.{i}.kpi", "unknown", f"no KPI named {signal.kpi!r}")
            elif signal.kpi not in own and signal.half_life_days is not None:
                errors.add(
                    f"signals.{i}.half_life_days",
                    "invalid",
                    f"{signal.kpi!r} is a custom KPI: it cannot decay",
                )
        for i, target in enumerate(self.targets):
            if target.kpi not in known:
                errors.add(f"targets.{i}.kpi", "unknown", f"no KPI named {target.kpi!r}")
            elif isinstance(currency, str) and is_known_currency(currency):
                target_problems(errors.add, f"targets.{i}", target, None, currency)
        decayed = dict.fromkeys(
            (s.kpi, s.half_life_days)
            for s in self.signals
            if s.half_life_days is not None and s.kpi in own
        )
        plan: ScoringPlan | None = None
        with errors.catch():
            plan = ScoringPlan(
                calendar=calendar,
                as_of=as_of,
                currency=currency,
                kpis=self.kpis,
                custom=custom,
                decayed=[(k, h) for k, h in decayed if h is not None],
                tz=tz,
            )
        errors.raise_if_any()
        assert plan is not None
        return plan


@isolated
def percentile_ranks(values: Sequence[Decimal] | Sequence[int]) -> list[Decimal]:
    """Each value's percentile rank: the share of the other values strictly below it, 0..1.

    Equal values share a rank; a larger value always ranks strictly higher.
    A single value ranks 1. A value that is no finite number is a
    :class:`~partnerkit.core.errors.ValidationError` at ``values.<index>``;
    ``values`` that are no list, one at ``values``.

    >>> from decimal import Decimal
    >>> [str(r.quantize(Decimal("0.01"))) for r in percentile_ranks([5, 1, 5, 9])]
    ['0.33', '0.00', '0.33', '1.00']
    """
    if not is_items(values):
        raise ValidationError.single("values", "invalid", expected("a list of numbers", values))
    found: Sequence[Any] = values if isinstance(values, Sequence) else tuple(values)
    n = len(found)
    bad = [
        i
        for i, v in enumerate(found)
        if isinstance(v, bool)
        or not isinstance(v, (int, Decimal))
        or (isinstance(v, Decimal) and not v.is_finite())
    ]
    if bad:
        raise ValidationError(
            FieldError(f"values.{i}", "invalid", "expected a finite number") for i in bad
        )
    if n <= 1:
        return [_ONE] * n
    ordered = sorted(found)
    others = Decimal(n - 1)
    # Values repeat (counts above all): rank each distinct value once.
    rank = {v: Decimal(bisect_left(ordered, v)) / others for v in set(ordered)}
    return list(map(rank.__getitem__, found))


def _normalize(
    signal: Signal, keys: list[Any], number: Callable[[Any], Decimal]
) -> dict[Any, Decimal]:
    """Each distinct raw value of ``keys`` -> its normalized share (0..1, 4 places).

    ``number(key)`` is the signal's value for a raw key; keys sort like their values.
    Every normalization is a function of the value (given the ecosystem's minimum,
    maximum or ordering), so it is computed once per distinct value.
    """
    kind = signal.normalization
    raw = {k: number(k) for k in set(keys)}
    out: dict[Any, Decimal]
    low, high = min(raw.values(), default=_ZERO), max(raw.values(), default=_ZERO)
    if kind in ("percentile", "minmax") and high == low:
        # Every partner has the same value (an ecosystem of one too): nobody is ahead,
        # so both give full points to a positive value and none to zero or less.
        out = dict.fromkeys(raw, _ONE if high > 0 else _ZERO)
    elif kind == "percentile":
        # The same ranks as percentile_ranks(): the share of the others strictly below.
        ordered = sorted(keys)
        others = Decimal(len(keys) - 1)
        out = {k: Decimal(bisect_left(ordered, k)) / others for k in raw}
    elif kind == "cap":
        assert signal.target is not None
        target = signal.target
        out = {}
        for k, v in raw.items():
            v = v if v > 0 else _ZERO
            out[k] = _ONE if v >= target else v / target
    elif kind == "minmax":
        span = high - low
        out = {k: (v - low) / span for k, v in raw.items()}
    else:
        clipped = {k: v if v > 0 else _ZERO for k, v in raw.items()}
        top = signal.target if signal.target is not None else max(clipped.values(), default=_ZERO)
        if top <= 0:
            out = dict.fromkeys(raw, _ZERO)
        else:
            denominator = (top + 1).ln()
            out = {k: _ONE if v >= top else (v + 1).ln() / denominator for k, v in clipped.items()}
    return {k: v.quantize(_NORMAL, ROUND_HALF_UP) for k, v in out.items()}


def _normalize_lower(
    signal: Signal, keys: list[Decimal | None], path: str
) -> dict[Decimal | None, Decimal]:
    """Like :func:`_normalize`, for a KPI that is better when lower (days to approval).

    ``cap`` gives min(1, target / value) (a value of 0 or less: 1); ``minmax`` and
    ``percentile`` rank the lowest value best. None (no value) is the worst: it earns 0,
    ranks below every value and is left out of the least and greatest.
    """
    kind = signal.normalization
    values = [k for k in keys if k is not None]
    present = set(values)
    out: dict[Decimal | None, Decimal] = dict.fromkeys(set(keys) - present, _ZERO)
    low, high = min(present, default=_ZERO), max(present, default=_ZERO)
    if kind == "cap":
        assert signal.target is not None
        target = signal.target
        out.update({v: _ONE if v <= target else target / v for v in present})
    elif kind not in ("minmax", "percentile"):
        raise ValidationError.single(path, "invalid", f"{kind} needs a KPI better when higher")
    elif high == low and (kind == "minmax" or len(values) == len(keys)):
        # Every value alike (an ecosystem of one too): nobody is ahead, full points.
        out.update(dict.fromkeys(present, _ONE))
    elif kind == "minmax":
        span = high - low
        out.update({v: (high - v) / span for v in present})
    else:
        # The share of the others strictly worse: a greater value, or none at all.
        ordered = sorted(values)
        worse_than_all = len(keys) - len(values)
        others = Decimal(len(keys) - 1)
        out.update(
            {
                v: Decimal(worse_than_all + len(ordered) - bisect_right(ordered, v)) / others
                for v in present
            }
        )
    return {k: v.quantize(_NORMAL, ROUND_HALF_UP) for k, v in out.items()}


def _or_zero(value: Any) -> Decimal:
    return _ZERO if value is None else value


def _same(value: Any) -> Decimal:
    return value  # type: ignore[no-any-return]


def _allocate(exact: list[Decimal], total: Decimal) -> list[Decimal]:
    """Round ``exact`` to hundredths so they add up to ``total`` (largest remainders first)."""
    floors = [e.quantize(_CENT, ROUND_FLOOR) for e in exact]
    missing = int(((total - sum(floors, _ZERO)) / _CENT).to_integral_value())
    if missing > 0:
        order = sorted(range(len(exact)), key=lambda i: (floors[i] - exact[i], i))
        for i in order[:missing]:
            floors[i] += _CENT
    return floors


class EngagementTable:
    """Every partner's engagement score, computed column by column; breakdowns on demand.

    ``scores[i]`` belongs to ``values.partners[i]``. Building the per-signal
    breakdown of 100,000 partners up front would cost more than scoring
    them, so :meth:`breakdown` makes one when asked.
    """

    @isolated
    def __init__(self, model: EngagementModel, values: KpiValues) -> None:
        self.model = model
        self.partners = values.partners
        total_weight = sum((s.weight for s in model.signals), _ZERO)
        self._shares = [s.weight * _HUNDRED / total_weight for s in model.signals]
        self._keys: list[list[Any]] = []
        self._numbers: list[Callable[[Any], Decimal]] = []
        self._normalized: list[list[Decimal]] = []
        self._normal_of: list[dict[Any, Decimal]] = []
        for i, signal in enumerate(model.signals):
            keys, number = values._number_keys(signal.kpi, signal.half_life_days)
            kpi = values.plan.by_name.get(signal.kpi)
            if kpi is not None and not kpi.higher_is_better:
                # No value (no approvals) stays None: it is the worst, not the best, value.
                keys = [None if k is None else number(k) for k in keys]
                number = _or_zero
                normalized = _normalize_lower(signal, keys, f"signals.{i}.normalization")
            else:
                if not set(map(type, keys)) <= {int}:
                    # Not plain ints (rates, None, custom values): the numbers are the keys.
                    keys, number = [number(k) for k in keys], _same
                normalized = _normalize(signal, keys, number)
            self._keys.append(keys)
            self._numbers.append(number)
            self._normal_of.append(normalized)
            self._normalized.append(list(map(normalized.__getitem__, keys)))
        #: The scores in hundredths when the shares allow integer arithmetic, else None.
        self._hundredths = self._integer_scores()
        if self._hundredths is not None:
            decimals = {q: Decimal(q).scaleb(-2) for q in set(self._hundredths)}
            self.scores: list[Decimal] = list(map(decimals.__getitem__, self._hundredths))
        else:
            shares = self._shares
            self.scores = [
                sum(map(mul, shares, row), _ZERO).quantize(_CENT, ROUND_HALF_UP)
                for row in zip(*self._normalized, strict=True)
            ]

    def _integer_scores(self) -> list[int] | None:
        """Every score in hundredths, summed as integers column by column, if exact.

        With shares of at most 10 decimal places (weights adding up to 100, or to any
        divisor of a power of ten), share x normalized value and their sum stay far below
        28 digits, so the Decimal sum is exact and equals the integer one; rounding half
        up to hundredths is then (S + D/2) // D. Other shares return None.
        """
        exponents = [share.as_tuple().exponent for share in self._shares]
        if not all(isinstance(e, int) and e >= -10 for e in exponents):
            return None
        low = min(0, *(int(e) for e in exponents))
        total: list[int] = [0] * len(self.partners)
        for share, keys, normal_of in zip(self._shares, self._keys, self._normal_of, strict=True):
            # A normalized value has 4 places: its ten-thousandths are an int. (Looked up
            # by raw key: ints hash faster than Decimals.)
            units = {k: int(n.scaleb(4)) for k, n in normal_of.items()}
            weight = int(share.scaleb(-low))
            total = list(map(add, total, map(mul, map(units.__getitem__, keys), repeat(weight))))
        # total = score x 10^(4 - low); hundredths = total / 10^(2 - low), rounded half up.
        divisor = 10 ** (2 - low)
        return list(map(floordiv, map(add, total, repeat(divisor // 2)), repeat(divisor)))

    @isolated
    def breakdown(self, index: int) -> EngagementScore:
        """The :class:`EngagementScore` of the partner at ``index``, with every signal's points."""
        model = self.model
        exact = [
            share * col[index] for share, col in zip(self._shares, self._normalized, strict=True)
        ]
        score = self.scores[index]
        points = _allocate(exact, score)
        return EngagementScore(
            score,
            tuple(
                SignalContribution(
                    s.name,
                    s.kpi,
                    self._numbers[i](self._keys[i][index]),
                    self._normalized[i][index],
                    s.weight,
                    points[i],
                )
                for i, s in enumerate(model.signals)
            ),
        )


@isolated
def score_engagement(model: EngagementModel, values: KpiValues) -> list[EngagementScore]:
    """Score every partner of ``values`` (in its ``partners`` order) with ``model``.

    Each score is 0-100, rounded half-up to 0.01, and its signals' points
    add up to it exactly.
    """
    table = EngagementTable(model, values)
    return [table.breakdown(i) for i in range(len(table.partners))]


#: A default model: portal logins, content, communications, deal registrations
#: (recency-weighted, half-life 30 days), certified users and sourced revenue.
DEFAULT_ENGAGEMENT_MODEL = EngagementModel(
    signals=(
        Signal("logins", "logins_90d", Decimal(20), "cap", Decimal(60)),
        Signal("content", "content_views_90d", Decimal(15), "percentile"),
        Signal("communications", "communications_90d", Decimal(10), "log", Decimal(30)),
        Signal("deal_activity", "deals_registered_ytd", Decimal(25), "minmax", None, 30),
        Signal("certified_users", "certified_users", Decimal(15), "cap", Decimal(3)),
        Signal("sourced_revenue", "sourced_revenue_ytd", Decimal(15), "percentile"),
    )
)
