"""The batch engine: one pass over unsorted activities, per-partner state in flat lists.

Memory is bounded by partners x KPIs (plus each partner's distinct users and
approval-day histogram), never by the number of activities. A :class:`Tally`
is a partial result: tallies of different partitions merge exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from itertools import compress, islice, repeat
from operator import add, itemgetter, mul
from typing import Any

from partnerkit.core import ErrorCollector, Money, currency_exponent, is_known_currency
from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import FiscalCalendar
from partnerkit.scoring._activities import Activity, activity_row
from partnerkit.scoring._kpis import BUILTIN_KPIS, CustomKpi, Kpi, MetricValue
from partnerkit.scoring._windows import Span, Window

__all__ = ["KpiValues", "ScoringPlan", "Tally"]

_CHUNK = 50_000
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
#: Decay weights are integers in millionths, so decayed sums merge exactly.
_DECAY_SCALE = 1_000_000
_WON, _UPSELL, _APPROVED, _CERTIFIED, _OTHER = (
    "deal_won",
    "deal_won.upsell",
    "deal_approved",
    "certification_earned",
    "*other*",
)
_partner_of = itemgetter(0)
_kind_of = itemgetter(1)
_day_of = itemgetter(2)
_amount_of = itemgetter(3)
_user_of = itemgetter(4)
_AMOUNT_TYPES: frozenset[type] = frozenset({int, type(None)})
_DECAYABLE = frozenset({"count", "sum", "sourced_revenue", "new_arr", "upsell_arr"})
_GROWABLE = frozenset(
    {"count", "sum", "sourced_revenue", "new_arr", "upsell_arr", "distinct_users"}
)


def _pct(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * _HUNDRED / Decimal(denominator)).quantize(_CENT, ROUND_HALF_UP)


class ScoringPlan:
    """What to score on which day: KPIs resolved to day windows, kinds to small integers.

    ``kpis`` are built-in :class:`~partnerkit.scoring.Kpi` definitions
    (:data:`~partnerkit.scoring.BUILTIN_KPIS` when None),
    ``custom`` host :class:`~partnerkit.scoring.CustomKpi` objects; amounts
    are in ``currency`` (minor units in activity rows); ``tz`` turns
    activity instants into business dates. ``decayed`` lists ``(kpi name,
    half-life in days)`` pairs whose recency-weighted value the engine also
    keeps (the engagement model asks for them). Raises one
    :class:`~partnerkit.core.errors.ValidationError` naming every problem
    (duplicate names, a ``yoy_growth`` of an unknown KPI, ...).
    """

    def __init__(
        self,
        *,
        calendar: FiscalCalendar,
        as_of: date,
        currency: str,
        kpis: Sequence[Kpi] | None = None,
        custom: Sequence[CustomKpi] = (),
        decayed: Iterable[tuple[str, int]] = (),
        tz: str = "UTC",
    ) -> None:
        errors = ErrorCollector()
        if not isinstance(currency, str) or not is_known_currency(currency):
            errors.add("currency", "invalid", f"{currency!r} is not a known currency")
        if not isinstance(as_of, date):
            errors.add("as_of", "invalid", "expected a date")
        self.kpis = BUILTIN_KPIS if kpis is None else tuple(kpis)
        self.custom = tuple(custom)
        self.decayed = tuple(decayed)
        by_name: dict[str, Kpi] = {}
        for i, kpi in enumerate(self.kpis):
            if not isinstance(kpi, Kpi):
                errors.add(f"kpis.{i}", "invalid", "expected a Kpi")
            elif kpi.name in by_name:
                errors.add(f"kpis.{i}.name", "duplicate", f"{kpi.name!r} is defined twice")
            else:
                by_name[kpi.name] = kpi
        for i, kpi in enumerate(self.kpis):
            if isinstance(kpi, Kpi) and kpi.measure == "yoy_growth":
                base = by_name.get(kpi.of or "")
                if base is None or base.measure not in _GROWABLE:
                    errors.add(
                        f"kpis.{i}.of", "unknown", f"{kpi.of!r} is not a count, sum or revenue KPI"
                    )
        names = set(by_name)
        for i, extra in enumerate(self.custom):
            if not isinstance(extra, CustomKpi) or not isinstance(extra.window, Window):
                errors.add(f"custom.{i}", "invalid", "expected a CustomKpi with a Window")
            elif extra.name in names:
                errors.add(f"custom.{i}.name", "duplicate", f"{extra.name!r} is defined twice")
            else:
                names.add(extra.name)
        for i, pair in enumerate(self.decayed):
            name, half_life = pair
            kpi_or_none = by_name.get(name)
            if kpi_or_none is None or kpi_or_none.measure not in _DECAYABLE:
                errors.add(
                    f"decayed.{i}", "unknown", f"{name!r} is not a count, sum or revenue KPI"
                )
            if isinstance(half_life, bool) or not isinstance(half_life, int) or half_life < 1:
                errors.add(
                    f"decayed.{i}", "out_of_range", "a half-life is a whole number of days >= 1"
                )
        errors.raise_if_any()
        self.calendar = calendar
        self.as_of = as_of
        self.currency = currency
        self.tz = tz
        self.by_name = by_name
        self._exponent = currency_exponent(currency)

        # Windows: each distinct span once.
        spans: list[Span] = []

        def window_index(span: Span) -> int:
            for j, known in enumerate(spans):
                if (known.start, known.end) == (span.start, span.end):
                    return j
            spans.append(span)
            return len(spans) - 1

        self.kpi_window: dict[str, int] = {}
        self.kpi_span: dict[str, Span] = {}
        for kpi in self.kpis:
            span = kpi.window.resolve(calendar, as_of)
            self.kpi_span[kpi.name] = span
            self.kpi_window[kpi.name] = window_index(span)
        self.prior_window: dict[str, int] = {}
        for kpi in self.kpis:
            if kpi.measure == "yoy_growth":
                base = by_name[kpi.of or ""]
                self.prior_window[kpi.name] = window_index(base.window.comparable(calendar, as_of))
        self.custom_window = [window_index(c.window.resolve(calendar, as_of)) for c in self.custom]
        self.spans = tuple(spans)

        # Day classes: one per distinct set of windows a day belongs to.
        masks: dict[int, int] = {}
        class_masks: list[int] = []
        day_class: dict[object, int] = {}
        if spans:
            first = min(s.start for s in spans).toordinal()
            last = max(s.end for s in spans).toordinal()
            for ordinal in range(first, last + 1):
                mask = 0
                for j, span in enumerate(spans):
                    if span.start.toordinal() <= ordinal <= span.end.toordinal():
                        mask |= 1 << j
                if not mask:
                    continue
                if mask not in masks:
                    masks[mask] = len(class_masks)
                    class_masks.append(mask)
                day_class[ordinal] = masks[mask]
                day_class[date.fromordinal(ordinal)] = masks[mask]
        self.class_masks = tuple(class_masks)
        self.day_class = day_class
        #: Days outside every window count into one more class that nothing reads.
        self.trash = len(class_masks)
        self.classes = len(class_masks) + 1

        # Distinct users: only the windows of distinct_users KPIs (and their prior years) matter.
        user_windows: set[int] = set()
        for kpi in self.kpis:
            if kpi.measure == "distinct_users":
                user_windows.add(self.kpi_window[kpi.name])
            if kpi.measure == "yoy_growth" and by_name[kpi.of or ""].measure == "distinct_users":
                user_windows.add(self.prior_window[kpi.name])
        user_masks: dict[int, int] = {}
        user_class_masks: list[int] = []
        user_day: dict[object, int] = {}
        for day, c in day_class.items():
            mask = class_masks[c] & sum(1 << w for w in user_windows)
            if mask:
                if mask not in user_masks:
                    user_masks[mask] = len(user_class_masks)
                    user_class_masks.append(mask)
                user_day[day] = user_masks[mask]
        self.user_day = user_day
        self.user_class_masks = tuple(user_class_masks)
        self.user_classes = max(len(user_class_masks), 1)

        # Kinds: the ones KPIs count, then everything else, then the ones needing extra work.
        decay_kinds: set[str] = set()
        for name, _ in self.decayed:
            decay_kinds |= set(self._kinds_of(by_name[name]))
        special = [_WON, _UPSELL, _APPROVED, _CERTIFIED]
        special += sorted(decay_kinds - set(special))
        referenced: set[str] = {"deal_lost", "deal_registered"}
        for kpi in self.kpis:
            referenced |= set(kpi.kinds)
        ordinary = sorted(referenced - set(special))
        self.kinds = (*ordinary, _OTHER, *special)
        self.kind_index = {kind: i for i, kind in enumerate(self.kinds)}
        self.other = self.kind_index[_OTHER]
        self.special_from = self.other + 1
        self.stride = len(self.kinds) * self.classes
        self.kind_offset = {kind: i * self.classes for kind, i in self.kind_index.items()}
        self.special_kinds = frozenset(self.kinds[self.special_from :])

        # Recency weights per decayed KPI: integer millionths by day.
        self.decay_weights: list[dict[object, int]] = []
        decay_for: dict[int, list[tuple[int, dict[object, int]]]] = {}
        for j, (name, half_life) in enumerate(self.decayed):
            span = self.kpi_span[name]
            weights: dict[object, int] = {}
            for ordinal in range(span.start.toordinal(), span.end.toordinal() + 1):
                age = as_of.toordinal() - ordinal
                weight = round(_DECAY_SCALE * math.pow(2.0, -age / half_life))
                weights[ordinal] = weight
                weights[date.fromordinal(ordinal)] = weight
            self.decay_weights.append(weights)
            for kind in self._kinds_of(by_name[name]):
                decay_for.setdefault(self.kind_index[kind], []).append((j, weights))
        self.decay_for = decay_for
        self.sum_decay = tuple(by_name[n].measure != "count" for n, _ in self.decayed)

    def _kinds_of(self, kpi: Kpi) -> tuple[str, ...]:
        measure = kpi.measure
        if measure in ("count", "sum"):
            expanded: list[str] = []
            for kind in kpi.kinds:
                expanded += [_WON, _UPSELL] if kind == _WON else [kind]
            return tuple(expanded)
        if measure == "new_arr":
            return (_WON,)
        if measure == "upsell_arr":
            return (_UPSELL,)
        if measure == "sourced_revenue":
            return (_WON, _UPSELL)
        return ()

    def windows_of_class(self, window: int) -> list[int]:
        """The day classes inside window number ``window`` (internal layout, for custom tools)."""
        return [c for c, mask in enumerate(self.class_masks) if mask >> window & 1]

    def tally(
        self,
        rows: Iterable[Activity | tuple[Any, ...]] = (),
        *,
        partners: Iterable[str] = (),
        progress: Callable[[int], None] | None = None,
    ) -> Tally:
        """Score ``rows`` (activities or activity rows, any order) into a new :class:`Tally`.

        ``partners`` are registered even without activities (they rank last).
        ``progress`` is called with the number of rows read so far after
        every chunk of 50,000 rows and at the end.
        """
        result = Tally(self)
        for partner in partners:
            result._partner(partner)
        result.consume(rows, progress=progress)
        return result

    def evaluate(self, tally: Tally) -> KpiValues:
        """Compute every KPI for every partner of ``tally`` (a :class:`KpiValues`)."""
        if tally.plan is not self:
            raise ValidationError.single("tally", "invalid", "the tally belongs to another plan")
        return KpiValues(self, tally)


class Tally:
    """A partial scoring result: per-partner counters of one :class:`ScoringPlan`.

    Feed rows with :meth:`consume`; combine tallies of separate partitions
    with :meth:`merge` (exact, associative and order-independent); turn a
    tally into KPI values with :meth:`ScoringPlan.evaluate`.
    """

    def __init__(self, plan: ScoringPlan) -> None:
        self.plan = plan
        self.partners: list[str] = []
        self.index: dict[str, int] = {}
        self.counts: list[int] = []
        self.sums: list[int] = []
        #: ``partner number * user classes + user class``, user id: who was active when.
        self.users: set[tuple[int, str | None]] = set()
        self.certified: dict[int, dict[str, int]] = {}
        self.approvals: dict[int, dict[tuple[int, int], int]] = {}
        self.decayed: list[int] = []
        self.custom: list[list[Any]] = []
        self.rows = 0

    def _partner(self, partner_id: str) -> int:
        found = self.index.get(partner_id)
        if found is not None:
            return found
        if not isinstance(partner_id, str) or not partner_id:
            raise ValidationError.single("partner_id", "invalid", f"bad partner id {partner_id!r}")
        number = len(self.partners)
        self.partners.append(partner_id)
        self.index[partner_id] = number
        zeros = [0] * self.plan.stride
        self.counts += zeros
        self.sums += zeros
        self.decayed += [0] * len(self.plan.decayed)
        if self.plan.custom:
            self.custom.append([c.start() for c in self.plan.custom])
        return number

    def _normalize(self, chunk: list[Any]) -> list[Any]:
        plan = self.plan
        out: list[Any] = []
        for i, row in enumerate(chunk):
            if isinstance(row, Activity):
                out.append(activity_row(row, plan.tz, plan.currency))
                continue
            if not isinstance(row, (tuple, list)) or len(row) not in (5, 6):
                raise ValidationError.single(
                    f"rows.{self.rows + i}", "invalid", "expected an Activity or a 5/6-tuple"
                )
            partner, kind, day, amount = row[0], row[1], row[2], row[3]
            errors = ErrorCollector(f"rows.{self.rows + i}")
            if not isinstance(partner, str) or not partner:
                errors.add("partner_id", "invalid", "a non-empty partner id is required")
            if not isinstance(kind, str) or not kind:
                errors.add("kind", "invalid", "a kind is a non-empty string")
            if isinstance(day, date):
                day = day.toordinal()
            if isinstance(day, bool) or not isinstance(day, int):
                errors.add("day", "invalid", "a day is a date or its ordinal")
            if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
                errors.add("amount", "invalid", "amounts are integer minor units or None")
            errors.raise_if_any()
            out.append((partner, kind, day, amount, row[4], row[5] if len(row) == 6 else None))
        return out

    def consume(
        self,
        rows: Iterable[Activity | tuple[Any, ...]],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> Tally:
        """Add ``rows`` to this tally in one pass and return it (the tally is an accumulator).

        Rows are read in chunks of 50,000. A chunk of 6-tuples with integer
        (or None) amounts takes the fast path as it is (days may be ordinals
        or dates; days outside every window are skipped); other chunks are
        checked and converted first (a bad row raises
        :class:`~partnerkit.core.errors.ValidationError` naming it, before
        its chunk is counted). ``progress`` gets the rows read so far after
        each chunk.
        """
        iterator: Iterator[Any] = iter(rows)
        while True:
            chunk = list(islice(iterator, _CHUNK))
            if not chunk:
                break
            try:
                fast = set(map(len, chunk)) == {6}
            except TypeError:
                fast = False
            amounts = list(map(_amount_of, chunk)) if fast else []
            if not fast or not set(map(type, amounts)) <= _AMOUNT_TYPES:
                chunk = self._normalize(chunk)
                amounts = list(map(_amount_of, chunk))
            self._count(chunk, amounts)
            self.rows += len(chunk)
            if progress is not None:
                progress(self.rows)
        return self

    def _count(self, chunk: list[Any], amounts: list[int | None]) -> None:
        # Column passes over the chunk run in C (map, compress, set.update); only the
        # scatter-adds into the flat counters are Python loops.
        plan = self.plan
        index = self.index
        found = list(map(index.get, map(_partner_of, chunk)))
        if None in found:
            for pid in map(_partner_of, chunk):
                if pid not in index:
                    self._partner(pid)
            found = list(map(index.__getitem__, map(_partner_of, chunk)))
        numbers: list[int] = found  # type: ignore[assignment]  # no None left
        kinds = list(map(_kind_of, chunk))
        days = list(map(_day_of, chunk))
        classes = list(map(plan.day_class.get, days, repeat(plan.trash)))
        slots = list(
            map(
                add,
                map(add, map(mul, numbers, repeat(plan.stride)), classes),
                map(plan.kind_offset.get, kinds, repeat(plan.other * plan.classes)),
            )
        )
        counts = self.counts
        for slot in slots:
            counts[slot] += 1
        sums = self.sums
        for slot, amount in compress(zip(slots, amounts, strict=True), amounts):
            sums[slot] += amount
        if plan.user_day:
            # Only the rows inside a distinct-users window become (partner class, user) keys.
            user_day = plan.user_day
            inside = list(map(user_day.__contains__, days))
            partners_in = compress(numbers, inside)
            users_in = compress(map(_user_of, chunk), inside)
            if plan.user_classes == 1:
                self.users.update(zip(partners_in, users_in, strict=False))
            else:
                keys = map(
                    add,
                    map(mul, partners_in, repeat(plan.user_classes)),
                    map(user_day.__getitem__, compress(days, inside)),
                )
                self.users.update(zip(keys, users_in, strict=False))
        special = plan.special_kinds
        if special:
            selected = list(map(special.__contains__, kinds))
            if any(selected):
                self._special(compress(zip(chunk, numbers, classes, slots, strict=True), selected))
        if plan.custom:
            self._custom(chunk, numbers, classes)

    def _special(self, rows: Iterable[tuple[Any, int, int, int]]) -> None:
        plan = self.plan
        trash = plan.trash
        won = plan.kind_index[_WON]
        upsell_shift = (plan.kind_index[_UPSELL] - won) * plan.classes
        approved = plan.kind_index[_APPROVED]
        certified = plan.kind_index[_CERTIFIED]
        decay_for = plan.decay_for
        ndecay = len(plan.decayed)
        sum_decay = plan.sum_decay
        counts, sums, decayed = self.counts, self.sums, self.decayed
        kind_index = plan.kind_index
        for (_, kind, day, amount, user, detail), p, c, slot in rows:
            if c == trash:
                continue
            k = kind_index[kind]
            if k == won:
                if detail == "upsell":
                    counts[slot] -= 1
                    counts[slot + upsell_shift] += 1
                    if amount is not None:
                        sums[slot] -= amount
                        sums[slot + upsell_shift] += amount
                    k = k + upsell_shift // plan.classes
            elif k == approved:
                if detail is not None:
                    histogram = self.approvals.setdefault(p, {})
                    key = (c, detail)
                    histogram[key] = histogram.get(key, 0) + 1
            elif k == certified and user is not None:
                holders = self.certified.setdefault(p, {})
                holders[user] = holders.get(user, 0) | (1 << c)
            decays = decay_for.get(k)
            if decays is None:
                continue
            for j, weights in decays:
                weight = weights.get(day)
                if weight:
                    if not sum_decay[j]:
                        decayed[p * ndecay + j] += weight
                    elif amount is not None:
                        decayed[p * ndecay + j] += weight * amount

    def _custom(self, chunk: list[Any], numbers: list[int], classes: list[int]) -> None:
        plan = self.plan
        customs = plan.custom
        inside = [set(plan.windows_of_class(w)) for w in plan.custom_window]
        for row, p, c in zip(chunk, numbers, classes, strict=True):
            if isinstance(row[2], date):
                # Custom KPIs always see the day as an ordinal.
                row = (row[0], row[1], row[2].toordinal(), *row[3:])
            states = self.custom[p]
            for n, extra in enumerate(customs):
                if c in inside[n]:
                    states[n] = extra.add(states[n], row)

    def merge(self, other: Tally) -> Tally:
        """Return a new tally holding this one and ``other`` (neither is changed).

        Raises :class:`~partnerkit.core.errors.ValidationError` when the two
        tallies belong to different plans.
        """
        if other.plan is not self.plan:
            raise ValidationError.single("other", "invalid", "tallies of different plans")
        plan = self.plan
        merged = Tally(plan)
        merged.partners = list(self.partners)
        merged.index = dict(self.index)
        merged.counts = list(self.counts)
        merged.sums = list(self.sums)
        merged.users = set(self.users)
        merged.certified = {p: dict(h) for p, h in self.certified.items()}
        merged.approvals = {p: dict(h) for p, h in self.approvals.items()}
        merged.decayed = list(self.decayed)
        merged.custom = [list(s) for s in self.custom]
        merged.rows = self.rows + other.rows
        stride = plan.stride
        ndecay = len(plan.decayed)
        moved = [merged._partner(pid) for pid in other.partners]
        for q, p in enumerate(moved):
            a, b = p * stride, q * stride
            merged.counts[a : a + stride] = map(
                add, merged.counts[a : a + stride], other.counts[b : b + stride]
            )
            merged.sums[a : a + stride] = map(
                add, merged.sums[a : a + stride], other.sums[b : b + stride]
            )
            if q in other.certified:
                holders = merged.certified.setdefault(p, {})
                for user, bits in other.certified[q].items():
                    holders[user] = holders.get(user, 0) | bits
            if q in other.approvals:
                histogram = merged.approvals.setdefault(p, {})
                for key, n in other.approvals[q].items():
                    histogram[key] = histogram.get(key, 0) + n
            for j in range(ndecay):
                merged.decayed[p * ndecay + j] += other.decayed[q * ndecay + j]
            if plan.custom:
                merged.custom[p] = [
                    extra.merge(mine, theirs)
                    for extra, mine, theirs in zip(
                        plan.custom, merged.custom[p], other.custom[q], strict=True
                    )
                ]
        width = plan.user_classes
        merged.users.update(
            (moved[key // width] * width + key % width, user) for key, user in other.users
        )
        return merged


def _median(histogram: Mapping[int, int]) -> Decimal | None:
    total = sum(histogram.values())
    if not total:
        return None
    ordered = sorted(histogram.items())
    low_rank, high_rank = (total - 1) // 2, total // 2
    low = high = None
    seen = 0
    for value, n in ordered:
        if low is None and seen + n > low_rank:
            low = value
        if seen + n > high_rank:
            high = value
            break
        seen += n
    assert low is not None
    assert high is not None
    return Decimal(low + high) / 2


class KpiValues:
    """Every KPI value of every partner in a tally, computed column by column.

    Money KPIs are kept as minor units and turned into
    :class:`~partnerkit.core.Money` when read.
    """

    def __init__(self, plan: ScoringPlan, tally: Tally) -> None:
        self.plan = plan
        self.partners: tuple[str, ...] = tuple(tally.partners)
        self.index = {p: i for i, p in enumerate(self.partners)}
        self._tally = tally
        self._columns: dict[str, list[Any]] = {}
        for kpi in plan.kpis:
            self._columns[kpi.name] = self._column(kpi, plan.kpi_window[kpi.name])
        self._money = {kpi.name for kpi in plan.kpis if kpi.is_money}
        for n, extra in enumerate(plan.custom):
            self._columns[extra.name] = [
                extra.value(states[n], plan.currency) for states in tally.custom
            ]
        self.names: tuple[str, ...] = tuple(self._columns)

    # -- computing ---------------------------------------------------------------------------

    def _sum_slots(self, source: list[int], kinds: Sequence[str], window: int) -> list[int]:
        plan = self.plan
        stride, classes = plan.stride, plan.classes
        offsets = [
            plan.kind_index[k] * classes + c
            for k in kinds
            if k in plan.kind_index
            for c in plan.windows_of_class(window)
        ]
        size = len(self.partners)
        if not offsets:
            return [0] * size
        return reduce(lambda x, y: list(map(add, x, y)), (source[o::stride] for o in offsets))

    def _kinds(self, kpi: Kpi) -> list[str]:
        if kpi.measure in ("count", "sum") and kpi.kinds:
            return list(self.plan._kinds_of(kpi))
        return list(self.plan.kinds)

    def _distinct_users(self, window: int) -> list[int]:
        plan = self.plan
        width = plan.user_classes
        inside = [bool(mask >> window & 1) for mask in plan.user_class_masks] or [False]
        found = [0] * len(self.partners)
        for key, user in self._tally.users:
            if user is not None and inside[key % width]:
                found[key // width] += 1
        return found

    def _certified_users(self, window: int) -> list[int]:
        mask = 0
        for c in self.plan.windows_of_class(window):
            mask |= 1 << c
        certified = self._tally.certified
        return [
            sum(1 for bits in certified[p].values() if bits & mask) if p in certified else 0
            for p in range(len(self.partners))
        ]

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
            return [_pct(w, w + lost) for w, lost in zip(wins, losses, strict=False)]
        if measure == "registration_conversion":
            wins = self._sum_slots(tally.counts, won, window)
            registered = self._sum_slots(tally.counts, ("deal_registered",), window)
            return [_pct(w, r) for w, r in zip(wins, registered, strict=False)]
        if measure == "average_deal_size":
            wins = self._sum_slots(tally.counts, won, window)
            revenue = self._sum_slots(tally.sums, won, window)
            return [
                (Decimal(r) / w).quantize(Decimal(1), ROUND_HALF_UP) if w else None
                for r, w in zip(revenue, wins, strict=False)
            ]
        if measure == "median_days_to_approval":
            classes = set(plan.windows_of_class(window))
            column: list[Any] = []
            for p in range(len(self.partners)):
                histogram: dict[int, int] = {}
                for (c, days), n in tally.approvals.get(p, {}).items():
                    if c in classes:
                        histogram[days] = histogram.get(days, 0) + n
                column.append(_median(histogram))
            return column
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
        return Money(Decimal(units).scaleb(-self.plan._exponent), self.plan.currency)

    def column(self, name: str) -> list[MetricValue | None]:
        """The values of KPI ``name`` for every partner, in :attr:`partners` order."""
        if name not in self._columns:
            raise ValidationError.single("name", "unknown", f"no KPI named {name!r}")
        raw = self._columns[name]
        if name in self._money:
            return [self._money_of(v) for v in raw]
        return list(raw)

    def numbers(self, name: str) -> list[Decimal]:
        """The values of KPI ``name`` as plain numbers (Money as its amount; None as 0)."""
        if name not in self._columns:
            raise ValidationError.single("name", "unknown", f"no KPI named {name!r}")
        raw = self._columns[name]
        if name in self._money:
            exponent = -self.plan._exponent
            return [Decimal(v or 0).scaleb(exponent) for v in raw]
        out: list[Decimal] = []
        for v in raw:
            if v is None:
                out.append(Decimal(0))
            elif isinstance(v, Money):
                out.append(v.amount)
            else:
                out.append(Decimal(v))
        return out

    def decayed(self, name: str, half_life: int) -> list[Decimal]:
        """The recency-weighted value of KPI ``name`` (weights halve every ``half_life`` days)."""
        try:
            j = self.plan.decayed.index((name, half_life))
        except ValueError:
            raise ValidationError.single(
                "name", "unknown", f"the plan keeps no decayed {name!r} with that half-life"
            ) from None
        n = len(self.plan.decayed)
        scale = Decimal(_DECAY_SCALE)
        if self.plan.sum_decay[j]:
            scale *= Decimal(10) ** self.plan._exponent
        return [Decimal(v) / scale for v in self._tally.decayed[j::n]]

    def value(self, partner_id: str, name: str) -> MetricValue | None:
        """The value of KPI ``name`` for one partner."""
        if partner_id not in self.index:
            raise ValidationError.single("partner_id", "unknown", f"no partner {partner_id!r}")
        if name not in self._columns:
            raise ValidationError.single("name", "unknown", f"no KPI named {name!r}")
        raw = self._columns[name][self.index[partner_id]]
        return self._money_of(raw) if name in self._money else raw

    def row(self, partner_id: str) -> dict[str, MetricValue | None]:
        """Every KPI value of one partner, by KPI name."""
        return {name: self.value(partner_id, name) for name in self.names}

    def as_dict(self) -> dict[str, dict[str, MetricValue | None]]:
        """Every value as ``{partner_id: {kpi: value}}`` (for comparisons and export)."""
        return {partner: self.row(partner) for partner in sorted(self.partners)}
