"""The scoring plan: what to score on which day, resolved once into small integers.

KPIs become day windows, days become day classes (one per distinct set of
windows), kinds and day classes become counter codes. A :class:`Tally` counts
rows into those codes in one pass; :class:`KpiValues` reads them back.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, MutableSequence, Sequence
from datetime import date, datetime
from typing import Any

from partnerkit.core import ErrorCollector, currency_exponent, is_known_currency, time_zone
from partnerkit.core._context import isolated
from partnerkit.core._validation import items_of
from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import FiscalCalendar
from partnerkit.scoring._activities import Activity, is_kind
from partnerkit.scoring._kpis import BUILTIN_KPIS, CustomKpi, Kpi
from partnerkit.scoring._layout import (
    _APPROVED,
    _CERTIFIED,
    _DECAY_SCALE,
    _OTHER,
    _UPSELL,
    _WON,
    _BadRow,
)
from partnerkit.scoring._tally import Tally
from partnerkit.scoring._values import KpiValues
from partnerkit.scoring._windows import Span, Window

__all__ = ["ScoringPlan"]

_DECAYABLE = frozenset({"count", "sum", "sourced_revenue", "new_arr", "upsell_arr"})
_GROWABLE = frozenset(
    {"count", "sum", "sourced_revenue", "new_arr", "upsell_arr", "distinct_users"}
)


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
        self.kpis = BUILTIN_KPIS if kpis is None else items_of(kpis, "kpis", errors)
        self.custom = items_of(custom, "custom", errors)
        self.decayed = items_of(decayed, "decayed", errors)
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
            if not (
                isinstance(pair, (tuple, list)) and len(pair) == 2 and isinstance(pair[0], str)
            ):
                errors.add(f"decayed.{i}", "invalid", "expected a (KPI name, half-life) pair")
                continue
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

    @isolated
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

    @isolated
    def evaluate(self, tally: Tally) -> KpiValues:
        """Compute every KPI for every partner of ``tally`` (a :class:`KpiValues`)."""
        if tally.plan is not self:
            raise ValidationError.single("tally", "invalid", "the tally belongs to another plan")
        return KpiValues(self, tally)
