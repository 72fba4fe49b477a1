"""RAG status: a KPI against its target, paced by the elapsed share of its fiscal window."""

from __future__ import annotations

import enum
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, localcontext

import attrs
from babel import Locale

from partnerkit.core import ErrorCollector, Money, to_decimal
from partnerkit.core._context import isolated
from partnerkit.core._money import (
    _locale,  # the one locale check
    bounded,
)
from partnerkit.core.errors import ValidationError
from partnerkit.locale import N_, gettext
from partnerkit.scoring._kpis import Kpi, MetricValue

__all__ = ["DEFAULT_AMBER", "DEFAULT_GREEN", "KpiStatus", "Rag", "Target", "rag_status"]

#: Green from this share of pace on, in percent.
DEFAULT_GREEN = Decimal(100)
#: Amber from this share of pace on (below it: red), in percent.
DEFAULT_AMBER = Decimal(80)

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_LABELS = {"red": N_("Red"), "amber": N_("Amber"), "green": N_("Green")}


class Rag(str, enum.Enum):
    """Red, amber or green: whether a partner is on track for a target."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    def label(self, locale: str | Locale | None = "en") -> str:
        """The user-facing name in ``locale`` (English when partnerkit has no catalog for it).

        >>> Rag.AMBER.label("de"), Rag.GREEN.label("ja")
        ('Gelb', '緑')
        """
        if locale is not None:
            _locale(locale)
        return gettext(_LABELS[self.value], locale)

    def __str__(self) -> str:
        return self.value


@attrs.frozen(init=False)
class Target:
    """A target for one KPI, with its RAG thresholds in percent of pace.

    ``value`` is a number (Decimal, int or decimal string; floats are
    refused) or Money; it must be above zero. ``green`` and ``amber`` are
    percentages of the paced target (defaults 100 and 80; ``amber`` may not
    exceed ``green``). Raises :class:`~partnerkit.core.errors.ValidationError`
    naming every bad field.
    """

    kpi: str
    value: Decimal | Money
    green: Decimal = DEFAULT_GREEN
    amber: Decimal = DEFAULT_AMBER

    def __init__(
        self,
        kpi: str,
        value: Decimal | Money | int | str,
        green: Decimal | int | str = DEFAULT_GREEN,
        amber: Decimal | int | str = DEFAULT_AMBER,
    ) -> None:
        errors = ErrorCollector()
        if not isinstance(kpi, str) or not kpi:
            errors.add("kpi", "required", "a target names its KPI")
        goal = (
            value
            if isinstance(value, Money)
            else errors.check("value", lambda: bounded(to_decimal(value, ""), ""))
        )
        amount = goal.amount if isinstance(goal, Money) else goal
        if amount is not None and amount <= 0:
            errors.add("value", "out_of_range", "a target must be above zero")
        high = errors.check("green", lambda: bounded(to_decimal(green, ""), ""))
        if high is not None and high <= 0:
            errors.add("green", "out_of_range", "the green threshold must be above zero")
        low = errors.check("amber", lambda: bounded(to_decimal(amber, ""), ""))
        if low is not None and (low < 0 or (high is not None and low > high)):
            errors.add("amber", "out_of_range", "the amber threshold lies between 0 and green")
        errors.raise_if_any()
        # raise_if_any() raised unless every field converted.
        assert goal is not None
        assert high is not None
        assert low is not None
        self.__attrs_init__(kpi, goal, high, low)


def target_problems(
    add: Callable[[str, str, str], None],
    path: str,
    target: Target,
    kpi: Kpi | None,
    currency: str | None,
) -> None:
    """Record (through ``add(path, code, message)``) how ``target`` does not fit.

    A money ``kpi`` needs a Money target, any other a plain number (``kpi``
    None: a custom KPI, either); with ``currency``, a Money target must be in it.
    """
    value = target.value
    if kpi is not None and kpi.is_money and not isinstance(value, Money):
        add(f"{path}.value", "invalid", f"{kpi.name!r} is money: its target is Money")
    elif kpi is not None and not kpi.is_money and isinstance(value, Money):
        add(f"{path}.value", "invalid", f"{kpi.name!r} is not money: its target is a number")
    elif currency is not None and isinstance(value, Money) and value.currency != currency:
        add(
            f"{path}.value",
            "invalid",
            f"the target is in {value.currency}; partners are scored in {currency}",
        )


@attrs.frozen
class KpiStatus:
    """Where a KPI stands against its target.

    ``attainment`` is the value in percent of the full target, ``pace`` in
    percent of the target pro-rated to the elapsed share of the window
    (both Decimal, rounded half-up to 0.01; None when the value is unknown).
    ``rag`` is None when there is no value to judge.
    """

    attainment: Decimal | None
    pace: Decimal | None
    rag: Rag | None


def _number(value: MetricValue | Decimal | Money, currency: str | None) -> Decimal:
    if isinstance(value, Money):
        if currency is not None and value.currency != currency:
            from partnerkit.core.errors import CurrencyMismatch

            raise CurrencyMismatch(currency, value.currency, "compare")
        return value.amount
    return Decimal(value)


def _check_inputs(value: object, elapsed: object) -> None:
    # Refused at the boundary: what the arithmetic below would fail on deep inside.
    errors = ErrorCollector()
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, Money)):
        errors.add("value", "invalid", "expected a count, a Decimal or Money")
    elif isinstance(value, Decimal) and not value.is_finite():
        errors.add("value", "invalid", "expected a finite number")
    if (
        isinstance(elapsed, bool)
        or not isinstance(elapsed, (int, Decimal))
        or not Decimal(elapsed).is_finite()
        or not 0 < elapsed <= 1
    ):
        errors.add("elapsed", "out_of_range", "the share of the window gone: 0 < elapsed <= 1")
    errors.raise_if_any()


@isolated
def rag_status(
    value: MetricValue | None,
    target: Target,
    *,
    elapsed: Decimal = Decimal(1),
    paced: bool = True,
    higher_is_better: bool = True,
) -> KpiStatus:
    """Judge ``value`` against ``target``: attainment, pace and RAG.

    A cumulative KPI (``paced``) is expected to reach ``elapsed`` (0 < share
    <= 1) of its target by now, so 40 % of an annual target with 37 % of the
    year gone is 108 % of pace: green. At the end of the window the pace
    equals the plain attainment. Rates and durations are not paced. For a
    lower-is-better KPI (days to approval) attainment is target / value.
    The colour is judged on the pace as returned (rounded half-up to 0.01),
    so 99.996 % shows as 100.00 and is green. Money values and targets must
    share a currency (:class:`~partnerkit.core.errors.CurrencyMismatch`).
    A value that is no number, an ``elapsed`` outside (0, 1] and a value too
    large to compare are a :class:`~partnerkit.core.errors.ValidationError`
    at ``value`` or ``elapsed``.

    >>> from decimal import Decimal
    >>> rag_status(Decimal(40), Target("revenue", 100), elapsed=Decimal(135) / 365)
    KpiStatus(attainment=Decimal('40.00'), pace=Decimal('108.15'), rag=<Rag.GREEN: 'green'>)
    >>> rag_status(3, Target("days", 5), higher_is_better=False).rag
    <Rag.GREEN: 'green'>
    """
    if value is None:
        return KpiStatus(None, None, None)
    _check_inputs(value, elapsed)
    currency = target.value.currency if isinstance(target.value, Money) else None
    goal = _number(target.value, None)
    actual = _number(value, currency)
    share = elapsed if paced else Decimal(1)
    try:
        if higher_is_better:
            attainment = actual * _HUNDRED / goal
            pace = actual * _HUNDRED / (goal * share)
        elif actual <= 0:
            return KpiStatus(None, None, Rag.GREEN)
        else:
            attainment = pace = goal * _HUNDRED / actual
        # The colour is judged on the pace as shown (0.01), so it never contradicts it.
        shown = _hundredths(pace)
        attained = _hundredths(attainment)
    except ArithmeticError:  # decimal.Overflow: a value far beyond any target
        raise ValidationError.single(
            "value", "out_of_range", f"{value!r} is too large to judge against its target"
        ) from None
    if shown >= target.green:
        rag = Rag.GREEN
    elif shown >= target.amber:
        rag = Rag.AMBER
    else:
        rag = Rag.RED
    return KpiStatus(attained, shown, rag)


def _hundredths(share: Decimal) -> Decimal:
    """``share`` rounded half up to 0.01, however many digits it has (a tiny target)."""
    with localcontext() as context:
        context.prec = max(context.prec, share.adjusted() + 4)
        return share.quantize(_CENT, ROUND_HALF_UP)
