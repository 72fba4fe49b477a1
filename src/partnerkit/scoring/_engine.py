"""The batch engine: one pass over unsorted activities, per-partner state in flat lists.

Memory is bounded by partners x KPIs (plus each partner's distinct users and
approval-day histogram), never by the number of activities. A :class:`Tally`
is a partial result: tallies of different partitions merge exactly.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, MutableSequence, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from itertools import accumulate, compress, islice, repeat
from operator import add, eq, floordiv, ge, getitem, is_not, itemgetter, mod, mul, ne, sub
from typing import Any

from partnerkit.core import (
    ErrorCollector,
    Money,
    currency_exponent,
    is_known_currency,
    time_zone,
)
from partnerkit.core.errors import CurrencyMismatch, ValidationError
from partnerkit.fiscal import FiscalCalendar
from partnerkit.scoring._activities import Activity, activity_row, is_kind
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
_detail_of = itemgetter(5)
#: The most whole days there can be between a registration and its approval.
_MAX_DAYS = date.max.toordinal() - date.min.toordinal()
#: Approval histogram keys pack (counter, days) into one int: counter * _DAYS + days.
_DAYS = 1 << 22
assert _MAX_DAYS < _DAYS
_AMOUNT_TYPES: frozenset[type] = frozenset({int, type(None)})
_TEXT_TYPES: frozenset[type] = frozenset({str, type(None)})
_MOTIONS = frozenset({"new", "upsell", None})
_DECAYABLE = frozenset({"count", "sum", "sourced_revenue", "new_arr", "upsell_arr"})
_GROWABLE = frozenset(
    {"count", "sum", "sourced_revenue", "new_arr", "upsell_arr", "distinct_users"}
)


def _pct(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * _HUNDRED / Decimal(denominator)).quantize(_CENT, ROUND_HALF_UP)


class _BadRow(Exception):
    """A fast-path pass met a value it cannot take: the chunk is then checked row by row."""


class _DayClasses(dict[object, int]):
    """Day (ordinal or date) -> its class; a day outside every window gets ``trash``.

    Days outside the windows are remembered as they come, so each costs one Python call
    per plan. A key that is no business day (a datetime, a bool, text) raises
    :class:`_BadRow`.
    """

    __slots__ = ("trash",)

    def __init__(self, trash: int = 0) -> None:
        super().__init__()
        self.trash = trash

    def __missing__(self, day: object) -> int:
        if (isinstance(day, int) and not isinstance(day, bool)) or (
            isinstance(day, date) and not isinstance(day, datetime)
        ):
            self[day] = self.trash
            return self.trash
        raise _BadRow


class _KindCodes(dict[object, list[int]]):
    """Kind -> its table of counter codes by day class; a kind no KPI reads gets ``other``.

    Such kinds are remembered as they come (one Python call per kind and plan); a value
    that is no kind (see :func:`~partnerkit.scoring._activities.is_kind`) raises
    :class:`_BadRow`.
    """

    __slots__ = ("other",)

    def __init__(self) -> None:
        super().__init__()
        self.other: list[int] = []

    def __missing__(self, kind: object) -> list[int]:
        if not is_kind(kind):
            raise _BadRow
        self[kind] = self.other
        return self.other


class _Bases(dict[str, int]):
    """Partner id -> its base in the tally's counters; a new partner is registered on sight.

    Registering only adds the id (the counters grow after the pass, see
    :meth:`Tally._grow`); an id that is no partner id raises :class:`_BadRow`.
    """

    __slots__ = ("tally",)

    def __init__(self, tally: Tally) -> None:
        super().__init__()
        self.tally = tally

    def __missing__(self, partner_id: object) -> int:
        return self.tally._new_partner(partner_id)


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
        if isinstance(as_of, datetime) or not isinstance(as_of, date):
            errors.add("as_of", "invalid", "expected a date (the business day scored up to)")
        errors.check("", lambda: time_zone(tz))
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
            elif kpi_or_none.measure in ("count", "sum") and not kpi_or_none.kinds:
                # Decayed rows are weighed one by one, kind by kind: every kind would be one.
                errors.add(
                    f"decayed.{i}",
                    "invalid",
                    f"{name!r} counts every kind; a decayed KPI names its kinds",
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
        #: Days outside every window count into one more class that nothing reads.
        self.trash = len(class_masks)
        self.day_class = _DayClasses(self.trash)
        self.day_class.update(day_class)
        self.classes = len(class_masks) + 1

        # Distinct users: only the windows of distinct_users KPIs (and their prior years) matter.
        user_windows: set[int] = set()
        for kpi in self.kpis:
            if kpi.measure == "distinct_users":
                user_windows.add(self.kpi_window[kpi.name])
            if kpi.measure == "yoy_growth" and by_name[kpi.of or ""].measure == "distinct_users":
                user_windows.add(self.prior_window[kpi.name])
        user_mask = sum(1 << w for w in user_windows)
        user_masks: dict[int, int] = {}
        user_class_masks: list[int] = []
        #: Day class -> user class: its mask narrowed to the user windows, numbered; None
        #: outside every distinct-users window (the last entry is the trash class).
        self.class_users: list[int | None] = []
        for mask in class_masks:
            narrowed = mask & user_mask
            if narrowed and narrowed not in user_masks:
                user_masks[narrowed] = len(user_class_masks)
                user_class_masks.append(narrowed)
            self.class_users.append(user_masks[narrowed] if narrowed else None)
        self.class_users.append(None)
        self.class_inside = [uc is not None for uc in self.class_users]
        #: Day class -> 1 inside some distinct-users window, else 0: a bytes.translate table
        #: for the byte columns (only used when every class fits in a byte).
        self.inside_table = bytes(self.class_inside[:256]).ljust(256, b"\0")
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
        self.special_kinds = frozenset(special)

        # Counters: per kind, only the windows some KPI reads that kind in. A day class is
        # narrowed to those windows, and each distinct non-empty narrowed mask of a kind gets
        # one counter (a login is only read over 90 days: one counter, not one per day class).
        # Summing the counters whose mask holds window w gives exactly the rows of the kind
        # whose day lies in w, because every day class is either wholly in w or wholly out.
        reads: dict[str, int] = dict.fromkeys(self.kinds, 0)
        for kpi in self.kpis:
            for kind, window in self._reads(kpi):
                reads[kind] |= 1 << window
        # Upsell rows arrive as deal_won rows and move over once their motion is read, so
        # both kinds get the same counters: the upsell counter is the won one + a fixed shift.
        reads[_WON] = reads[_UPSELL] = reads[_WON] | reads[_UPSELL]
        self.kind_reads = reads
        self.kind_masks: dict[str, tuple[int, ...]] = {}
        #: Code of (kind, narrowed mask): 1 + the counter's offset in a partner's block. Code 0
        #: means "no counter": the row is not counted, and 0 works as a compress() selector.
        self.code_of: dict[tuple[str, int], int] = {}
        self.code_range: dict[str, tuple[int, int]] = {}
        code = 1
        for kind in self.kinds:
            wanted = reads[kind]
            kind_masks = sorted({mask & wanted for mask in class_masks} - {0})
            self.kind_masks[kind] = tuple(kind_masks)
            self.code_range[kind] = (code, code + len(kind_masks))
            for mask in kind_masks:
                self.code_of[kind, mask] = code
                code += 1
        # At least one slot per partner (unused when no KPI keeps a counter): partner
        # numbers are read back as base // stride.
        self.stride = max(code - 1, 1)
        #: Day classes and counter codes fit in a byte (true of all but very large plans):
        #: a chunk's classes are then kept as bytes and its codes as a bytearray, which
        #: byte-level methods (translate, find) scan in C.
        narrow = self.classes <= 256 and self.stride <= 255
        self.class_column: Callable[[Iterable[int]], Sequence[int]] = bytes if narrow else list
        self.code_column: Callable[[Iterable[int]], MutableSequence[int]] = (
            bytearray if narrow else list
        )
        self.upsell_shift = self.code_range[_UPSELL][0] - self.code_range[_WON][0]
        #: Codes from here on belong to the kinds that need extra work.
        self.special_code = self.code_range[special[0]][0]
        #: Per kind, day class -> code (0 for the trash class and for classes outside the
        #: kind's windows). Rows look their day up once (in ``day_class``), then index these.
        self.class_codes = _KindCodes()
        for kind in self.kinds:
            wanted = reads[kind]
            self.class_codes[kind] = [
                self.code_of.get((kind, mask & wanted), 0) for mask in (*class_masks, 0)
            ]
        self.class_codes.other = self.class_codes[_OTHER]
        #: Kinds whose amounts some KPI adds up. The special ones are summed with their other
        #: extra work; ``summed_code`` (code -> bool, [] when not needed) selects the rest.
        summed_kinds: set[str] = set()
        for kpi in self.kpis:
            if kpi.measure in ("sum", "sourced_revenue", "new_arr", "upsell_arr"):
                summed_kinds |= {k for k, _ in self._reads(kpi)}
            elif kpi.measure == "average_deal_size":
                summed_kinds |= {_WON, _UPSELL}
            elif kpi.measure == "yoy_growth" and by_name[kpi.of or ""].measure != "count":
                summed_kinds |= {k for k, _ in self._reads(kpi)}
        self.summed_kinds = frozenset(summed_kinds)
        self.summed_code: list[bool] = []
        if summed_kinds - set(special):
            self.summed_code = [False] * (self.stride + 1)
            for (kind, _), c in self.code_of.items():
                self.summed_code[c] = kind in summed_kinds and kind not in special

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

    def _reads(self, kpi: Kpi) -> list[tuple[str, int]]:
        """The (kind, window) pairs whose counters ``kpi`` reads; see :meth:`codes_in`."""
        measure = kpi.measure
        if measure == "yoy_growth":
            base = self.by_name[kpi.of or ""]
            return [(kind, self.prior_window[kpi.name]) for kind, _ in self._reads(base)]
        if measure in ("count", "sum"):
            kinds = self._kinds_of(kpi) if kpi.kinds else self.kinds
        elif measure in ("win_rate", "registration_conversion"):
            other = "deal_lost" if measure == "win_rate" else "deal_registered"
            kinds = (_WON, _UPSELL, other)
        elif measure == "median_days_to_approval":
            kinds = (_APPROVED,)
        elif measure == "certified_users":
            kinds = (_CERTIFIED,)
        elif measure == "average_deal_size":
            kinds = (_WON, _UPSELL)
        else:
            kinds = self._kinds_of(kpi)
        window = self.kpi_window[kpi.name]
        return [(kind, window) for kind in kinds]

    def codes_in(self, kind: str, window: int) -> list[int]:
        """The counter codes of ``kind`` inside window number ``window`` (internal layout)."""
        if kind not in self.kind_masks:
            return []
        assert self.kind_reads[kind] >> window & 1, "the plan keeps no such counter"
        return [self.code_of[kind, m] for m in self.kind_masks[kind] if m >> window & 1]

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
        every chunk of 50,000 rows (once, with 0, when there are none). Bad
        rows raise as in :meth:`Tally.consume`.
        """
        result = Tally(self)
        for partner in partners:
            result._partner(partner)
        result._consume(rows, progress)  # a new tally: on failure nobody sees it
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
        #: Partner id -> partner number * stride: a row's counter is ``base + code``.
        self.base = _Bases(self)
        #: Flat counters, ``stride`` per partner after one unused leading slot (codes start
        #: at 1). ``sums`` adds the amounts (minor units) of the same rows.
        self.counts: list[int] = [0]
        self.sums: list[int] = [0]
        #: Who was active when, per user class: user id -> the base of the first partner
        #: seen with that user; ``shared`` holds the (user class, base, user) triples of
        #: users also active for another partner. Together: every (class, partner, user).
        self.owners: list[dict[Any, int]] = [{} for _ in range(plan.user_classes)]
        self.shared: set[tuple[int, int, Any]] = set()
        #: Certified users, kept like active users with one owner table per code of
        #: ``certification_earned`` (a code names the windows its days fall in).
        low, high = plan.code_range[_CERTIFIED]
        self.certified: list[dict[Any, int]] = [{} for _ in range(low, high)]
        self.certified_shared: set[tuple[int, int, Any]] = set()
        #: Approvals by counter (partner and days) and days to approval: an exact histogram
        #: keyed by counter * _DAYS + days.
        self.approvals: Counter[int] = Counter()
        self.decayed: list[int] = []
        self.custom: list[list[Any]] = []
        self.rows = 0

    def _partner(self, partner_id: str) -> int:
        """The number of a partner, registered first if new."""
        if not isinstance(partner_id, str) or partner_id not in self.base:
            self._register([partner_id])  # refuses what is no partner id
        return self.base[partner_id] // self.plan.stride

    def _register(self, partner_ids: list[Any]) -> None:
        """Add new partners (distinct, none known yet) with zeroed counters."""
        for partner_id in partner_ids:
            if not isinstance(partner_id, str) or not partner_id:
                raise ValidationError.single(
                    "partner_id", "invalid", f"bad partner id {partner_id!r}"
                )
        first = len(self.partners)
        for partner_id in partner_ids:
            self._new_partner(partner_id)
        self._grow(first)

    def _new_partner(self, partner_id: object) -> int:
        """Number a new partner and return its base; its counters come with :meth:`_grow`."""
        if not isinstance(partner_id, str) or not partner_id:
            raise _BadRow
        number = len(self.partners)
        base = number * self.plan.stride
        self.partners.append(partner_id)
        self.base[partner_id] = base
        return base

    def _grow(self, first: int) -> None:
        """Give the partners numbered from ``first`` on their zeroed counters."""
        plan = self.plan
        new = len(self.partners) - first
        zeros = [0] * (plan.stride * new)
        self.counts += zeros
        self.sums += zeros
        self.decayed += [0] * (len(plan.decayed) * new)
        if plan.custom:
            self.custom += [[c.start() for c in plan.custom] for _ in range(new)]

    def _forget(self, first: int) -> None:
        """Undo the registration of the partners numbered from ``first`` on (a failed chunk)."""
        plan = self.plan
        for partner_id in self.partners[first:]:
            del self.base[partner_id]
        del self.partners[first:]
        del self.counts[1 + first * plan.stride :]
        del self.sums[1 + first * plan.stride :]
        del self.decayed[first * len(plan.decayed) :]
        del self.custom[first:]

    def _normalize(self, chunk: list[Any]) -> list[Any]:
        """Check ``chunk`` row by row and return it as 6-tuples with ordinal days.

        Raises one :class:`~partnerkit.core.errors.ValidationError` naming every bad field
        of every bad row. Every row's partner, kind, day and amount are checked; its user
        and detail where a KPI reads them (see :meth:`consume`).
        """
        plan = self.plan
        errors = ErrorCollector("rows")
        out: list[Any] = []
        for n, row in enumerate(chunk, self.rows):
            found = len(errors)
            if isinstance(row, Activity):
                try:
                    out.append(activity_row(row, plan.tz, plan.currency))
                except CurrencyMismatch:
                    errors.add(f"{n}.amount", "invalid", f"amounts are in {plan.currency}")
                continue
            if not isinstance(row, (tuple, list)) or len(row) not in (5, 6):
                errors.add(str(n), "invalid", "expected an Activity or a 5/6-tuple")
                continue
            partner, kind, day, amount, user = row[0], row[1], row[2], row[3], row[4]
            detail = row[5] if len(row) == 6 else None
            if not isinstance(partner, str) or not partner:
                errors.add(f"{n}.partner_id", "invalid", "a non-empty partner id is required")
            if not is_kind(kind):
                errors.add(f"{n}.kind", "invalid", "a kind is a non-empty lower-case string")
            if isinstance(day, datetime):
                errors.add(f"{n}.day", "invalid", "a day is a date or its ordinal, not an instant")
            elif isinstance(day, date):
                day = day.toordinal()
            elif isinstance(day, bool) or not isinstance(day, int):
                errors.add(f"{n}.day", "invalid", "a day is a date or its ordinal")
            if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
                errors.add(f"{n}.amount", "invalid", "amounts are integer minor units or None")
            if len(errors) > found:
                continue
            day_class = plan.day_class[day]
            code = plan.class_codes[kind][day_class]
            if plan.class_users[day_class] is not None or (code and kind == _CERTIFIED):
                if user is not None and (not isinstance(user, str) or not user):
                    errors.add(f"{n}.user_id", "invalid", "a user id is a non-empty string or None")
                elif user is not None:
                    user = str.__str__(user)
            if code and kind == _WON:
                if detail is not None and (not isinstance(detail, str) or detail not in _MOTIONS):
                    errors.add(
                        f"{n}.detail", "invalid_choice", "a won deal's motion is new or upsell"
                    )
                elif detail is not None:
                    detail = str.__str__(detail)
            elif code and kind == _APPROVED and detail is not None:
                if isinstance(detail, bool) or not isinstance(detail, int):
                    errors.add(f"{n}.detail", "invalid", "days to approval are a whole number")
                elif not 0 <= detail <= _MAX_DAYS:
                    errors.add(f"{n}.detail", "out_of_range", "days to approval are 0 or more")
                else:
                    detail = int(detail)
            out.append((partner, kind, day, amount, user, detail))
        errors.raise_if_any()
        return out

    def consume(
        self,
        rows: Iterable[Activity | tuple[Any, ...]],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> Tally:
        """Add ``rows`` to this tally in one pass and return it (the tally is an accumulator).

        Rows are read in chunks of 50,000: the first chunk holding bad rows
        raises one :class:`~partnerkit.core.errors.ValidationError` naming every
        bad field of its rows (``rows.812.user_id``). Every row's partner,
        kind, day and amount are checked; its user where a distinct-users or
        certified-users KPI reads it, and its detail where a KPI reads the
        motion of a win or the days to an approval. A chunk of 6-tuples with
        integer (or None) amounts takes the fast path as it is (days may be
        ordinals or dates, never instants; days outside every window are
        skipped); other chunks are converted first. ``progress`` gets the rows
        read so far after each chunk (and once for no rows).

        A failed call changes nothing: the tally is put back as it was before
        the call, whatever the error (a bad row, a custom KPI or the iterable
        itself raising). Keeping that promise costs a copy of the tally's
        counters when it already holds some, none for a new one.
        """
        saved = self._copy() if self.partners or self.rows else Tally(self.plan)
        try:
            self._consume(rows, progress)
        except BaseException:
            self._restore(saved)
            raise
        return self

    def _consume(
        self, rows: Iterable[Activity | tuple[Any, ...]], progress: Callable[[int], None] | None
    ) -> None:
        iterator: Iterator[Any] = iter(rows)
        start = self.rows
        while True:
            chunk = list(islice(iterator, _CHUNK))
            if not chunk:
                break
            if _fast(chunk):
                self._count(chunk)
            else:
                self._count(self._normalize(chunk), converted=True)
            self.rows += len(chunk)
            if progress is not None:
                progress(self.rows)
        if self.rows == start and progress is not None:
            progress(self.rows)  # no rows: reported once all the same

    def _count(self, chunk: list[Any], *, converted: bool = False) -> None:
        # Every pass over the chunk runs in C (map, compress, dict and set methods); the
        # Python loops are the scatter-adds into the flat counters and the few rows of the
        # kinds that need extra work (wins, approvals, certifications, decayed kinds).
        plan = self.plan
        first = len(self.partners)
        try:
            # Every check comes before the counting (the changes before it, registering
            # new partners and claiming users, are undone when a check fails). The day's
            # class (trash outside every window) is the one hashed lookup of the day; the
            # kind's table maps the class to the row's counter code, or to 0 when no KPI
            # reads that kind on that day (the row is then not counted).
            classes = plan.class_column(map(plan.day_class.__getitem__, map(_day_of, chunk)))
            codes = plan.code_column(
                map(getitem, map(plan.class_codes.__getitem__, map(_kind_of, chunk)), classes)
            )
            runs = self._special_runs(chunk, codes) if plan.special_code <= plan.stride else {}
            # Looking the partners up registers the new ones.
            bases = list(map(self.base.__getitem__, map(_partner_of, chunk)))
        except (_BadRow, TypeError):  # TypeError: an unhashable day, kind or partner
            self._count_converted(first, chunk, converted)
            return
        custom = None
        if plan.custom:
            try:
                # Host code may raise: its new states are kept aside until the end.
                custom = self._custom(chunk, [b // plan.stride for b in bases], classes)
            except BaseException:
                self._forget(first)
                raise
        if plan.user_class_masks:
            try:
                self.shared.update(self._claim_users(chunk, classes, bases))
            except _BadRow:
                self._count_converted(first, chunk, converted)
                return
        if len(self.partners) > first:
            self._grow(first)
        if runs:
            # May move upsell wins to their own codes, so it runs before the counting.
            self._special(chunk, runs, codes, bases)
        # compress(..., codes) keeps exactly the rows with a counter (code 0 is falsy).
        slots = list(map(add, compress(bases, codes), filter(None, codes)))
        counts = self.counts
        for slot in slots:
            counts[slot] += 1
        if plan.summed_code:
            # Amounts are only added up for the counters some KPI reads as a sum (those of
            # the special kinds were added by _special).
            summed = list(map(plan.summed_code.__getitem__, codes))
            paid = list(compress(map(_amount_of, chunk), summed))
            if any(paid):
                sums = self.sums
                paid_slots = map(add, compress(bases, summed), compress(codes, summed))
                for slot, amount in zip(paid_slots, paid, strict=True):
                    if amount is not None:
                        sums[slot] += amount
        if custom:
            for p, states in custom.items():
                self.custom[p] = states

    def _count_converted(self, first: int, chunk: list[Any], converted: bool) -> None:
        """Count a chunk a fast-path check refused, checked and converted row by row.

        The partners the chunk registered are undone first. A bad row raises the
        :class:`~partnerkit.core.errors.ValidationError` naming it; otherwise the
        converted rows are counted (a str subclass, for instance, is read as its text).
        """
        self._forget(first)
        if converted:
            raise AssertionError("a converted row failed the fast path's checks")
        self._count(self._normalize(chunk), converted=True)

    def _claim_users(
        self, chunk: list[Any], classes: Sequence[int], bases: list[int]
    ) -> list[tuple[int, int, Any]]:
        """Record which users were active for which partner, per user class.

        Returns the (user class, base, user) triples to add to :attr:`shared`. A user
        that is not a non-empty str or None raises :class:`_BadRow` after this chunk's
        claims are undone.
        """
        plan = self.plan
        owners = self.owners
        sizes = list(map(len, owners))
        shared: list[tuple[int, int, Any]] = []
        try:
            # Only the rows inside a distinct-users window are looked at.
            if plan.user_classes == 1:
                inside: Iterable[int] = (
                    classes.translate(plan.inside_table)
                    if isinstance(classes, bytes)
                    else list(map(plan.class_inside.__getitem__, classes))
                )
                users = _checked_users(list(map(_user_of, compress(chunk, inside))))
                self._claim_all(owners[0], shared.append, 0, users, list(compress(bases, inside)))
            else:
                user_classes = list(map(plan.class_users.__getitem__, classes))
                for uc in range(plan.user_classes):
                    inside = list(map(eq, user_classes, repeat(uc)))
                    if True in inside:
                        users = _checked_users(list(map(_user_of, compress(chunk, inside))))
                        self._claim_all(
                            owners[uc], shared.append, uc, users, list(compress(bases, inside))
                        )
        except _BadRow:
            # A later user class had a bad user: undo the claims of the earlier ones.
            for table, size in zip(owners, sizes, strict=True):
                while len(table) > size:
                    table.popitem()
            raise _BadRow from None
        return shared

    @staticmethod
    def _claim_all(
        owners: dict[Any, int],
        share: Callable[[tuple[int, int, Any]], object],
        tag: int,
        users: list[Any],
        bases: list[int],
    ) -> None:
        """Record that each ``users[i]`` was active for the partner at ``bases[i]``.

        ``owners`` maps a user to the base of the first partner seen with it; a user
        seen with another partner is passed on as ``share((tag, base, user))``.
        """
        # The first partner seen with a user owns it: setdefault returns the owner. Rows
        # without a user go through too (cheaper than filtering them out first); the None
        # entry they make is dropped below and their disagreements skipped.
        owner = list(map(owners.setdefault, users, bases))
        owners.pop(None, None)
        if owner != bases:
            # Only the rows whose user another partner owns: these pairs are shared.
            for i in compress(range(len(bases)), map(ne, owner, bases)):
                user = users[i]
                if user is not None:
                    share((tag, bases[i], user))

    def _claim(self, uc: int, user: Any, b: int) -> None:
        if self.owners[uc].setdefault(user, b) != b:
            self.shared.add((uc, b, user))

    def _claim_certified(self, code: int, user: Any, b: int) -> None:
        owners = self.certified[code - self.plan.code_range[_CERTIFIED][0]]
        if owners.setdefault(user, b) != b:
            self.certified_shared.add((code, b, user))

    def _special_runs(self, chunk: list[Any], codes: MutableSequence[int]) -> dict[str, list[int]]:
        """The counted rows of each kind that needs extra work, their details checked."""
        runs: dict[str, list[int]] = {}
        for kind, run in _runs(self.plan, codes):
            runs[kind] = run
            if kind == _WON:
                details = list(map(_detail_of, map(chunk.__getitem__, run)))
                if not set(map(type, details)) <= _TEXT_TYPES or not set(details) <= _MOTIONS:
                    raise _BadRow
            elif kind == _APPROVED:
                details = list(map(_detail_of, map(chunk.__getitem__, run)))
                types = set(map(type, details))
                if not types <= _AMOUNT_TYPES:
                    raise _BadRow
                if type(None) in types:
                    details = [d for d in details if d is not None]
                if details and (min(details) < 0 or max(details) > _MAX_DAYS):
                    raise _BadRow
            elif kind == _CERTIFIED:
                _checked_users(list(map(_user_of, map(chunk.__getitem__, run))))
        return runs

    def _special(
        self,
        chunk: list[Any],
        runs: dict[str, list[int]],
        codes: MutableSequence[int],
        bases: list[int],
    ) -> None:
        # Only the counted rows of the special kinds get here, one run per kind.
        plan = self.plan
        for kind, run in runs.items():
            low, high = plan.code_range[kind]
            if kind == _WON:
                moved = [i for i in run if chunk[i][5] == "upsell"]
                if moved:
                    shift = plan.upsell_shift
                    for i in moved:
                        codes[i] += shift
                    gone = set(moved)
                    run = [i for i in run if i not in gone]
                    self._decay(_UPSELL, chunk, moved, bases)
                    if _UPSELL in plan.summed_kinds:
                        self._sum(chunk, moved, codes, bases)
            elif kind == _APPROVED:
                self._approvals(chunk, run, codes, bases)
            elif kind == _CERTIFIED:
                # Certified users are kept like active users, one owner table per counter.
                for code in range(low, high):
                    here = [i for i in run if codes[i] == code] if high - low > 1 else run
                    if here:
                        self._claim_all(
                            self.certified[code - low],
                            self.certified_shared.add,
                            code,
                            list(map(_user_of, map(chunk.__getitem__, here))),
                            list(map(bases.__getitem__, here)),
                        )
            self._decay(kind, chunk, run, bases)
            if kind in plan.summed_kinds:
                self._sum(chunk, run, codes, bases)

    def _sum(
        self, chunk: list[Any], picked: list[int], codes: Sequence[int], bases: list[int]
    ) -> None:
        sums = self.sums
        for i in picked:
            amount = chunk[i][3]
            if amount is not None:
                sums[bases[i] + codes[i]] += amount

    def _approvals(
        self, chunk: list[Any], run: list[int], codes: Sequence[int], bases: list[int]
    ) -> None:
        details = list(map(_detail_of, map(chunk.__getitem__, run)))
        counters = list(map(add, map(bases.__getitem__, run), map(codes.__getitem__, run)))
        if None in details:
            known = list(map(is_not, details, repeat(None)))
            details = list(compress(details, known))
            counters = list(compress(counters, known))
        # One int key per approval, so no tuple is allocated per row (allocations are what
        # trigger the garbage collector).
        self.approvals.update(map(add, map(mul, counters, repeat(_DAYS)), details))

    def _decay(self, kind: str, chunk: list[Any], picked: list[int], bases: list[int]) -> None:
        plan = self.plan
        decays = plan.decay_for.get(plan.kind_index[kind])
        if not decays or not picked:
            return
        ndecay = len(plan.decayed)
        stride = plan.stride
        decayed = self.decayed
        partners = [bases[i] // stride * ndecay for i in picked]
        rows = list(map(chunk.__getitem__, picked))
        chosen_days = list(map(_day_of, rows))
        for j, weights in decays:
            if plan.sum_decay[j]:
                chosen = map(_amount_of, rows)
                for at, day, amount in zip(partners, chosen_days, chosen, strict=True):
                    if amount is not None:
                        decayed[at + j] += weights.get(day, 0) * amount
            else:
                for at, weight in zip(
                    partners, map(weights.get, chosen_days, repeat(0)), strict=True
                ):
                    decayed[at + j] += weight

    def _custom(
        self, chunk: list[Any], numbers: list[int], classes: Sequence[int]
    ) -> dict[int, list[Any]]:
        """The new states of the custom KPIs of the partners with rows in ``chunk``."""
        plan = self.plan
        customs = plan.custom
        inside = [set(plan.windows_of_class(w)) for w in plan.custom_window]
        changed: dict[int, list[Any]] = {}
        for row, p, c in zip(chunk, numbers, classes, strict=True):
            if isinstance(row[2], date):
                # Custom KPIs always see the day as an ordinal.
                row = (row[0], row[1], row[2].toordinal(), *row[3:])
            states = changed.get(p)
            if states is None:
                # A partner new in this chunk has no states yet (they come with _grow).
                known = p < len(self.custom)
                states = list(self.custom[p]) if known else [c.start() for c in customs]
                changed[p] = states
            for n, extra in enumerate(customs):
                if c in inside[n]:
                    states[n] = extra.add(states[n], row)
        return changed

    def _copy(self) -> Tally:
        """A new tally of the same plan with copies of this one's counters and tables."""
        copy = Tally(self.plan)
        copy.partners = list(self.partners)
        copy.base.update(self.base)
        copy.counts = list(self.counts)
        copy.sums = list(self.sums)
        copy.owners = [dict(owners) for owners in self.owners]
        copy.shared = set(self.shared)
        copy.certified = [dict(owners) for owners in self.certified]
        copy.certified_shared = set(self.certified_shared)
        copy.approvals = Counter(self.approvals)
        copy.decayed = list(self.decayed)
        copy.custom = [list(s) for s in self.custom]
        copy.rows = self.rows
        return copy

    def _restore(self, saved: Tally) -> None:
        """Put back the state of ``saved`` (a :meth:`_copy` of this tally, not used since)."""
        self.__dict__.update(saved.__dict__)
        self.base.tally = self

    def merge(self, other: Tally) -> Tally:
        """Return a new tally holding this one and ``other`` (neither is changed).

        Raises :class:`~partnerkit.core.errors.ValidationError` when the two
        tallies belong to different plans.
        """
        if other.plan is not self.plan:
            raise ValidationError.single("other", "invalid", "tallies of different plans")
        plan = self.plan
        merged = self._copy()
        merged.rows += other.rows
        stride = plan.stride
        ndecay = len(plan.decayed)
        moved = [merged._partner(pid) for pid in other.partners]
        for q, p in enumerate(moved):
            a, b = 1 + p * stride, 1 + q * stride
            merged.counts[a : a + stride] = map(
                add, merged.counts[a : a + stride], other.counts[b : b + stride]
            )
            merged.sums[a : a + stride] = map(
                add, merged.sums[a : a + stride], other.sums[b : b + stride]
            )
            for j in range(ndecay):
                merged.decayed[p * ndecay + j] += other.decayed[q * ndecay + j]
            if plan.custom:
                merged.custom[p] = [
                    extra.merge(mine, theirs)
                    for extra, mine, theirs in zip(
                        plan.custom, merged.custom[p], other.custom[q], strict=True
                    )
                ]
        rebase = [p * stride for p in moved]
        # A counter number is base + code with 1 <= code <= stride, so divmod(counter - 1,
        # stride) is (partner number, code - 1).
        for key, n in other.approvals.items():
            counter, days = divmod(key, _DAYS)
            q, rest = divmod(counter - 1, stride)
            merged.approvals[(rebase[q] + rest + 1) * _DAYS + days] += n
        low = plan.code_range[_CERTIFIED][0]
        for n, owners in enumerate(other.certified):
            for user, b in owners.items():
                merged._claim_certified(low + n, user, rebase[b // stride])
        for code, b, user in other.certified_shared:
            merged._claim_certified(code, user, rebase[b // stride])
        for uc, owners in enumerate(other.owners):
            for user, b in owners.items():
                merged._claim(uc, user, rebase[b // stride])
        for uc, b, user in other.shared:
            merged._claim(uc, user, rebase[b // stride])
        return merged


def _checked_users(users: list[Any]) -> list[Any]:
    """``users`` when each is a non-empty str or None, else raise :class:`_BadRow`."""
    if not set(map(type, users)) <= _TEXT_TYPES or "" in users:
        raise _BadRow
    return users


def _runs(plan: ScoringPlan, codes: MutableSequence[int]) -> Iterator[tuple[str, list[int]]]:
    """Each kind needing extra work that has rows in ``codes``, with those rows' indexes.

    The rows of a kind come in code order, then row order (a kind's codes are
    consecutive, and the special kinds' codes are the highest). A bytearray of codes
    is searched in C for each code: these kinds are a small share of the rows.
    """
    kinds = plan.kinds[plan.other + 1 :]
    if isinstance(codes, bytearray):
        find = codes.find
        for kind in kinds:
            run: list[int] = []
            for code in range(*plan.code_range[kind]):
                at = find(code)
                while at >= 0:
                    run.append(at)
                    at = find(code, at + 1)
            if run:
                yield kind, run
        return
    picked = list(compress(range(len(codes)), map(ge, codes, repeat(plan.special_code))))
    if not picked:
        return
    # Sorted by code, the rows of one kind are one run (the sort is stable).
    picked.sort(key=codes.__getitem__)
    ordered = list(map(codes.__getitem__, picked))
    for kind in kinds:
        low, high = plan.code_range[kind]
        run = picked[bisect_left(ordered, low) : bisect_left(ordered, high)]
        if run:
            yield kind, run


def _fast(chunk: list[Any]) -> bool:
    """Whether ``chunk`` is all 6-tuples with int or None amounts (the fast path takes it)."""
    try:
        if set(map(len, chunk)) != {6}:
            return False
        return set(map(type, map(_amount_of, chunk))) <= _AMOUNT_TYPES
    except (TypeError, LookupError):  # no length, or no item 3 (a mapping, say)
        return False


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
        keys, number = self._number_keys(name)
        return _convert(keys, number)

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
            return self._tally.decayed[j :: len(self.plan.decayed)], lambda v: Decimal(v) / scale
        if name not in self._columns:
            raise ValidationError.single("name", "unknown", f"no KPI named {name!r}")
        if name in self._money:
            exponent = -self.plan._exponent
            return self._columns[name], lambda v: Decimal(v or 0).scaleb(exponent)
        return self._columns[name], _plain_number

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
