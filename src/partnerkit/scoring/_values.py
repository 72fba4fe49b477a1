"""KPI values: every KPI of every partner, computed column by column from a tally."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal
from functools import reduce
from itertools import accumulate, compress, repeat
from operator import add, floordiv, mod, mul, ne, sub
from typing import TYPE_CHECKING, Any

from partnerkit.core import Money
from partnerkit.core._context import isolated
from partnerkit.core.errors import ValidationError
from partnerkit.scoring._kpis import Kpi, MetricValue
from partnerkit.scoring._layout import (
    _AMOUNT_TYPES,
    _APPROVED,
    _CERTIFIED,
    _DAYS,
    _DECAY_SCALE,
    _UPSELL,
    _WON,
)

if TYPE_CHECKING:
    from partnerkit.scoring._plan import ScoringPlan
    from partnerkit.scoring._tally import Tally

#: A context wide enough that scaling integer minor units is exact.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)

__all__ = ["KpiValues"]

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def _pct(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * _HUNDRED / Decimal(denominator)).quantize(_CENT, ROUND_HALF_UP)


def _rates(numerators: list[int], denominators: list[int]) -> list[Decimal | None]:
    """``_pct`` of each pair of counts; pairs repeat a lot, so each is computed once.

    A pair is packed into one int (numerator x width + denominator, counts are >= 0)
    rather than a tuple, so no object per partner outlives the call.
    """
    width = max(denominators, default=0) + 1
    keys = list(map(add, map(mul, numerators, repeat(width)), denominators))
    rates = {key: _pct(*divmod(key, width)) for key in set(keys)}
    return list(map(rates.__getitem__, keys))


def _plain_number(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    if isinstance(value, Money):
        return value.amount
    return Decimal(value)


def _convert(keys: list[Any], number: Callable[[Any], Decimal]) -> list[Decimal]:
    """``[number(k) for k in keys]``, converting each distinct int key once.

    Only ints and None are memoized: equal Decimals may differ in exponent.
    """
    if not set(map(type, keys)) <= _AMOUNT_TYPES:
        return [number(k) for k in keys]
    converted = {k: number(k) for k in set(keys)}
    return list(map(converted.__getitem__, keys))


class KpiValues:
    """Every KPI value of every partner in a tally, computed column by column.

    Money KPIs are kept as minor units and turned into
    :class:`~partnerkit.core.Money` when read.
    """

    @isolated
    def __init__(self, plan: ScoringPlan, tally: Tally) -> None:
        self.plan = plan
        self.partners: tuple[str, ...] = tuple(tally.partners)
        self.index = {p: i for i, p in enumerate(self.partners)}
        self._tally = tally  # read while the columns are made, then let go
        self._columns: dict[str, list[Any]] = {}
        for kpi in plan.kpis:
            self._columns[kpi.name] = self._column(kpi, plan.kpi_window[kpi.name])
        self._money = {kpi.name for kpi in plan.kpis if kpi.is_money}
        for n, extra in enumerate(plan.custom):
            self._columns[extra.name] = [
                extra.value(states[n], plan.currency) for states in tally.custom
            ]
        self.names: tuple[str, ...] = tuple(self._columns)
        ndecay = len(plan.decayed)
        #: The recency-weighted counters, one column per entry of ``plan.decayed``.
        self._decayed: list[list[int]] = [tally.decayed[j::ndecay] for j in range(ndecay)]
        del self._tally

    @classmethod
    def _joined(
        cls, plan: ScoringPlan, parts: Sequence[tuple[KpiValues, Sequence[int]]]
    ) -> KpiValues:
        """The values of partner shards as one, their partners in the order of their keys.

        Each part holds the values of some partners (a shard, evaluated on its
        own: every KPI of a partner depends on that partner's counters alone)
        and a key per partner; the joined values list the partners by key, as
        the tally of all the rows would (see ``Tally._shards``).
        """
        joined: KpiValues = object.__new__(cls)
        joined.plan = plan
        partners = [p for values, _ in parts for p in values.partners]
        keys = [k for _, part_keys in parts for k in part_keys]
        order = sorted(range(len(keys)), key=keys.__getitem__)
        joined.partners = tuple(map(partners.__getitem__, order))
        joined.index = {p: i for i, p in enumerate(joined.partners)}
        first = parts[0][0] if parts else None
        names = first.names if first is not None else tuple(k.name for k in plan.kpis)
        joined.names = tuple(names)
        joined._money = {kpi.name for kpi in plan.kpis if kpi.is_money}
        joined._columns = {}
        for name in names:
            column = [v for values, _ in parts for v in values._columns[name]]
            joined._columns[name] = list(map(column.__getitem__, order))
        joined._decayed = []
        for j in range(len(plan.decayed)):
            column = [v for values, _ in parts for v in values._decayed[j]]
            joined._decayed.append(list(map(column.__getitem__, order)))
        return joined

    # -- computing ---------------------------------------------------------------------------

    def _sum_slots(self, source: list[int], kinds: Sequence[str], window: int) -> list[int]:
        plan = self.plan
        stride = plan.stride
        # Partner p's counter with code c sits at p * stride + c, so source[c::stride] is the
        # column of that counter over every partner.
        codes = [c for kind in kinds for c in plan.codes_in(kind, window)]
        size = len(self.partners)
        if not codes:
            return [0] * size
        return reduce(lambda x, y: list(map(add, x, y)), (source[c::stride] for c in codes))

    def _kinds(self, kpi: Kpi) -> list[str]:
        if kpi.measure in ("count", "sum") and kpi.kinds:
            return list(self.plan._kinds_of(kpi))
        return list(self.plan.kinds)

    def _pairs_per_partner(
        self, tables: list[dict[Any, int]], shared: list[tuple[int, Any]]
    ) -> list[int]:
        """How many distinct users each partner has in owner ``tables`` and ``shared`` pairs.

        ``tables`` map a user to the base of the partner that owns it; ``shared`` holds
        the (base, user) pairs of the other partners the users were active for.
        """
        stride = self.plan.stride
        found = [0] * len(self.partners)
        if len(tables) == 1:
            # One table: its users are distinct, and no shared pair is an owner's pair.
            owned = Counter(tables[0].values())
            owned.update(b for b, _ in shared)
        else:
            # Several tables (parts of one window): a user active in two counts once.
            pairs = {(b, user) for table in tables for user, b in table.items()}
            pairs.update(shared)
            owned = Counter(b for b, _ in pairs)
        for b, n in owned.items():
            found[b // stride] = n
        return found

    def _distinct_users(self, window: int) -> list[int]:
        plan = self.plan
        tally = self._tally
        inside = [uc for uc, mask in enumerate(plan.user_class_masks) if mask >> window & 1]
        return self._pairs_per_partner(
            [tally.owners[uc] for uc in inside],
            [(b, user) for uc, b, user in tally.shared if uc in inside],
        )

    def _certified_users(self, window: int) -> list[int]:
        tally = self._tally
        low = self.plan.code_range[_CERTIFIED][0]
        inside = self.plan.codes_in(_CERTIFIED, window)
        return self._pairs_per_partner(
            [tally.certified[code - low] for code in inside],
            [(b, user) for code, b, user in tally.certified_shared if code in inside],
        )

    def _medians(self, window: int) -> list[Decimal | None]:
        stride = self.plan.stride
        approvals = self._tally.approvals
        column: list[Decimal | None] = [None] * len(self.partners)
        # A counter is base + code with base a multiple of stride: counter % stride names
        # the code, and (counter - 1) // stride the partner.
        inside = {code % stride for code in self.plan.codes_in(_APPROVED, window)}
        keys = sorted(approvals)
        counters = list(map(floordiv, keys, repeat(_DAYS)))
        if len(inside) < stride:
            wanted = list(map(inside.__contains__, map(mod, counters, repeat(stride))))
            keys = list(compress(keys, wanted))
            counters = list(compress(counters, wanted))
        if not keys:
            return column
        partners = list(map(floordiv, map(sub, counters, repeat(1)), repeat(stride)))
        days = list(map(mod, keys, repeat(_DAYS)))
        counts = list(map(approvals.__getitem__, keys))
        # Keys sort by partner, then code, then days: a partner's keys are one run.
        starts = [0, *compress(range(1, len(partners)), map(ne, partners[1:], partners))]
        # Medians are halves of whole numbers of days; each distinct one is made once.
        halves: dict[int, Decimal] = {}
        for start, end in zip(starts, [*starts[1:], len(partners)], strict=True):
            if end - start == 1:
                # One distinct value (most partners): it is the median whatever its count.
                twice = days[start] + days[start]
            else:
                pairs = list(zip(days[start:end], counts[start:end], strict=True))
                if len(inside) > 1:
                    pairs.sort()  # runs of several codes: each code's days are sorted
                ranks = list(accumulate(n for _, n in pairs))
                low_rank, high_rank = (ranks[-1] - 1) // 2, ranks[-1] // 2
                twice = (
                    pairs[bisect_right(ranks, low_rank)][0]
                    + pairs[bisect_right(ranks, high_rank)][0]
                )
            median = halves.get(twice)
            if median is None:
                median = halves[twice] = Decimal(twice) / 2
            column[partners[start]] = median
        return column

    def _column(self, kpi: Kpi, window: int) -> list[Any]:
        tally, plan = self._tally, self.plan
        measure = kpi.measure
        won = (_WON, _UPSELL)
        if measure == "count":
            return self._sum_slots(tally.counts, self._kinds(kpi), window)
        if measure == "sum":
            return self._sum_slots(tally.sums, self._kinds(kpi), window)
        if measure == "sourced_revenue":
            return self._sum_slots(tally.sums, won, window)
        if measure == "new_arr":
            return self._sum_slots(tally.sums, (_WON,), window)
        if measure == "upsell_arr":
            return self._sum_slots(tally.sums, (_UPSELL,), window)
        if measure == "distinct_users":
            return self._distinct_users(window)
        if measure == "certified_users":
            return self._certified_users(window)
        if measure == "win_rate":
            wins = self._sum_slots(tally.counts, won, window)
            losses = self._sum_slots(tally.counts, ("deal_lost",), window)
            return _rates(wins, list(map(add, wins, losses)))
        if measure == "registration_conversion":
            wins = self._sum_slots(tally.counts, won, window)
            registered = self._sum_slots(tally.counts, ("deal_registered",), window)
            return _rates(wins, registered)
        if measure == "average_deal_size":
            wins = self._sum_slots(tally.counts, won, window)
            revenue = self._sum_slots(tally.sums, won, window)
            # Minor units rounded half up (away from zero), in integers: (2r + w) // 2w.
            return [
                None if not w else (r + r + w) // (w + w) if r >= 0 else -((w - r - r) // (w + w))
                for r, w in zip(revenue, wins, strict=False)
            ]
        if measure == "median_days_to_approval":
            return self._medians(window)
        assert measure == "yoy_growth"
        base = plan.by_name[kpi.of or ""]
        current = self._column(base, plan.kpi_window[base.name])
        prior = self._column(base, plan.prior_window[kpi.name])
        return [
            None if not before else _pct(now - before, before)
            for now, before in zip(current, prior, strict=False)
        ]

    # -- reading -----------------------------------------------------------------------------

    def _money_of(self, units: Any) -> Money | None:
        if units is None:
            return None
        # Integer minor units of the plan's (checked) currency: a valid amount by construction.
        amount = Decimal(units).scaleb(-self.plan._exponent, _EXACT)
        return Money._trusted(amount, self.plan.currency)

    @isolated
    def column(self, name: str) -> list[MetricValue | None]:
        """The values of KPI ``name`` for every partner, in :attr:`partners` order."""
        if name not in self._columns:
            raise ValidationError.single("name", "unknown", f"no KPI named {name!r}")
        raw = self._columns[name]
        if name in self._money:
            return [self._money_of(v) for v in raw]
        return list(raw)

    @isolated
    def numbers(self, name: str) -> list[Decimal]:
        """The values of KPI ``name`` as plain numbers (Money as its amount; None as 0)."""
        keys, number = self._number_keys(name)
        return _convert(keys, number)

    @isolated
    def decayed(self, name: str, half_life: int) -> list[Decimal]:
        """The recency-weighted value of KPI ``name`` (weights halve every ``half_life`` days)."""
        keys, number = self._number_keys(name, half_life)
        return _convert(keys, number)

    def _number_keys(
        self, name: str, half_life: int | None = None
    ) -> tuple[list[Any], Callable[[Any], Decimal]]:
        """The raw column behind :meth:`numbers` (or :meth:`decayed`) and its conversion.

        ``number(keys[i])`` is the i-th value of :meth:`numbers`. Raw values (minor units,
        counts, decayed millionths) repeat a lot and their order is the order of the
        numbers, so callers can convert each distinct value once and sort the raw ones.
        """
        if half_life is not None:
            try:
                j = self.plan.decayed.index((name, half_life))
            except ValueError:
                raise ValidationError.single(
                    "name", "unknown", f"the plan keeps no decayed {name!r} with that half-life"
                ) from None
            scale = Decimal(_DECAY_SCALE)
            if self.plan.sum_decay[j]:
                scale *= Decimal(10) ** self.plan._exponent
            return self._decayed[j], lambda v: Decimal(v) / scale
        if name not in self._columns:
            raise ValidationError.single("name", "unknown", f"no KPI named {name!r}")
        if name in self._money:
            exponent = -self.plan._exponent
            return self._columns[name], lambda v: Decimal(v or 0).scaleb(exponent)
        return self._columns[name], _plain_number

    @isolated
    def value(self, partner_id: str, name: str) -> MetricValue | None:
        """The value of KPI ``name`` for one partner."""
        if partner_id not in self.index:
            raise ValidationError.single("partner_id", "unknown", f"no partner {partner_id!r}")
        if name not in self._columns:
            raise ValidationError.single("name", "unknown", f"no KPI named {name!r}")
        raw = self._columns[name][self.index[partner_id]]
        return self._money_of(raw) if name in self._money else raw

    @isolated
    def row(self, partner_id: str) -> dict[str, MetricValue | None]:
        """Every KPI value of one partner, by KPI name."""
        return {name: self.value(partner_id, name) for name in self.names}

    @isolated
    def as_dict(self) -> dict[str, dict[str, MetricValue | None]]:
        """Every value as ``{partner_id: {kpi: value}}`` (for comparisons and export)."""
        return {partner: self.row(partner) for partner in sorted(self.partners)}
