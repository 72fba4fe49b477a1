"""The tally: one pass over unsorted activities, per-partner state in flat lists.

Memory is bounded by partners x KPIs (plus each partner's distinct users and
approval-day histogram), never by the number of activities. A :class:`Tally`
is a partial result: tallies of different partitions merge exactly.
"""

from __future__ import annotations

import zlib
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, MutableSequence, Sequence
from datetime import date, datetime
from itertools import chain, compress, islice, repeat
from operator import add, eq, floordiv, ge, getitem, is_not, itemgetter, mul, ne
from typing import TYPE_CHECKING, Any

from partnerkit.core import ErrorCollector
from partnerkit.core.errors import CurrencyMismatch, ValidationError
from partnerkit.scoring._activities import Activity, activity_row, is_kind
from partnerkit.scoring._layout import (
    _AMOUNT_TYPES,
    _APPROVED,
    _CERTIFIED,
    _DAYS,
    _MAX_DAYS,
    _UPSELL,
    _WON,
    _BadRow,
)

if TYPE_CHECKING:
    from partnerkit.scoring._plan import ScoringPlan

__all__ = ["Tally"]

_CHUNK = 50_000
_partner_of = itemgetter(0)
_kind_of = itemgetter(1)
_day_of = itemgetter(2)
_amount_of = itemgetter(3)
_user_of = itemgetter(4)
_detail_of = itemgetter(5)
_TEXT_TYPES: frozenset[type] = frozenset({str, type(None)})
_MOTIONS = frozenset({"new", "upsell", None})


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

    def __getstate__(self) -> dict[str, Any]:
        # The partner-to-base table is rebuilt on load (it points back at the tally): a
        # pickled tally (a partial result sent between processes) holds each id once.
        state = dict(self.__dict__)
        del state["base"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.base = _Bases(self)
        stride = self.plan.stride
        self.base.update(
            zip(self.partners, range(0, len(self.partners) * stride, stride), strict=True)
        )

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

    def _shards(self, n: int) -> list[tuple[Tally, list[int]]]:
        """This tally split ``n`` ways by partner: each shard with its partners' numbers here.

        A partner goes to shard :func:`partner_shard` of its id, the same in every
        process, so the shards numbered ``s`` of several tallies hold the same
        partners and merge into the counters of those partners alone. Each shard
        lists its partners in this tally's order; every user a shard's partners
        were seen with is owned in that shard (a user owned here by a partner of
        another shard is owned there by one of its partners of that shard: the
        pairs of partner and user are the same). The rows
        counted stay with shard 0 (they are no partner's): the shards' rows add
        up to this tally's.
        """
        plan = self.plan
        stride = plan.stride
        ndecay = len(plan.decayed)
        shard_of = [partner_shard(p, n) for p in self.partners]
        numbers = [
            list(compress(range(len(shard_of)), map(eq, shard_of, repeat(s)))) for s in range(n)
        ]
        new_base = [0] * len(shard_of)  # a partner's base in its shard
        shards: list[Tally] = []
        for members in numbers:
            shard = Tally(plan)
            shard.partners = list(map(self.partners.__getitem__, members))
            bases = range(0, len(members) * stride, stride)
            shard.base.update(zip(shard.partners, bases, strict=True))
            for q, b in zip(members, bases, strict=True):
                new_base[q] = b
            starts = [1 + q * stride for q in members]
            for source, target in ((self.counts, shard.counts), (self.sums, shard.sums)):
                target += chain.from_iterable(source[i : i + stride] for i in starts)
            shard.decayed = list(
                chain.from_iterable(self.decayed[q * ndecay : (q + 1) * ndecay] for q in members)
            )
            if plan.custom:
                shard.custom = [list(self.custom[q]) for q in members]
            shards.append(shard)
        shards[0].rows = self.rows
        for uc, owners in enumerate(self.owners):
            _spread(owners, [shard.owners[uc] for shard in shards], shard_of, new_base, stride)
        for code, owners in enumerate(self.certified):
            _spread(owners, [shard.certified[code] for shard in shards], shard_of, new_base, stride)
        # Pairs of users also seen with another partner: owned in the shard if its owner is
        # in another one, else shared there as here.
        for uc, b, user in self.shared:
            q = b // stride
            shards[shard_of[q]]._claim(uc, user, new_base[q])
        for code, b, user in self.certified_shared:
            q = b // stride
            shards[shard_of[q]]._claim_certified(code, user, new_base[q])
        for key, count in self.approvals.items():
            counter, days = divmod(key, _DAYS)
            q, rest = divmod(counter - 1, stride)
            shards[shard_of[q]].approvals[(new_base[q] + rest + 1) * _DAYS + days] += count
        return list(zip(shards, numbers, strict=True))

    def merge(self, other: Tally) -> Tally:
        """Return a new tally holding this one and ``other`` (neither is changed).

        Raises :class:`~partnerkit.core.errors.ValidationError` when the two
        tallies belong to different plans.
        """
        if other.plan is not self.plan:
            raise ValidationError.single("other", "invalid", "tallies of different plans")
        merged = self._copy()
        merged._absorb(other)
        return merged

    def _absorb(self, other: Tally) -> None:
        """Add ``other`` (a tally of the same plan, not changed) into this one.

        ``other``'s partners unknown here are appended in its order, so merging the
        tallies of consecutive slices of the rows left to right numbers the partners
        as one tally of all the rows would. Every loop over all partners, counters or
        users runs in C (map, compress, dict methods); the Python loops visit only the
        non-zero counters and the approval histogram.
        """
        plan = self.plan
        stride = plan.stride
        ndecay = len(plan.decayed)
        self.rows += other.rows
        first = len(self.partners)
        base = self.base
        fresh = [pid for pid in other.partners if pid not in base]
        if fresh:
            # Partner ids of a tally were checked when it saw them: registered in bulk.
            self.partners += fresh
            base.update(
                zip(fresh, range(first * stride, len(self.partners) * stride, stride), strict=True)
            )
            self._grow(first)
        moved = list(map(base.__getitem__, other.partners))  # other's partner q -> our base
        # Counter 1 + q * stride + c of ``other`` goes to moved[q] + 1 + c here.
        dense = len(self.partners) * stride > 1 and _dense(other.counts)  # itemgetter: 2+
        if dense:
            # Most counters set (a big partition): gather other's counters in our order
            # (index 0, the unused leading slot, reads as zero) and add the lists in C.
            gather = _gather(moved, len(self.partners), stride)
            for source, mine in ((other.counts, self.counts), (other.sums, self.sums)):
                mine[1:] = map(add, islice(mine, 1, None), itemgetter(*gather)(source))
        else:
            # Only the non-zero counters are visited (most counters of a partition are zero).
            for source, mine in ((other.counts, self.counts), (other.sums, self.sums)):
                for i in compress(range(len(source)), source):
                    q, c = divmod(i - 1, stride)
                    mine[moved[q] + 1 + c] += source[i]
        if ndecay:
            decayed = self.decayed
            values = other.decayed
            for i in compress(range(len(values)), values):
                q, j = divmod(i, ndecay)
                decayed[moved[q] // stride * ndecay + j] += values[i]
        if plan.custom:
            for q, b in enumerate(moved):
                p = b // stride
                self.custom[p] = [
                    extra.merge(mine, theirs)
                    for extra, mine, theirs in zip(
                        plan.custom, self.custom[p], other.custom[q], strict=True
                    )
                ]
        # Other's base (q * stride) -> ours.
        rebase = dict(zip(range(0, len(moved) * stride, stride), moved, strict=True))
        # A counter number is base + code with 1 <= code <= stride, so divmod(counter - 1,
        # stride) is (partner number, code - 1).
        approvals = self.approvals
        for key, n in other.approvals.items():
            counter, days = divmod(key, _DAYS)
            q, rest = divmod(counter - 1, stride)
            approvals[(moved[q] + rest + 1) * _DAYS + days] += n
        low = plan.code_range[_CERTIFIED][0]
        for n, owners in enumerate(other.certified):
            self._claim_all(
                self.certified[n],
                self.certified_shared.add,
                low + n,
                list(owners),
                list(map(rebase.__getitem__, owners.values())),
            )
        for code, b, user in other.certified_shared:
            self._claim_certified(code, user, rebase[b])
        for uc, owners in enumerate(other.owners):
            self._claim_all(
                self.owners[uc],
                self.shared.add,
                uc,
                list(owners),
                list(map(rebase.__getitem__, owners.values())),
            )
        for uc, b, user in other.shared:
            self._claim(uc, user, rebase[b])


def partner_shard(partner_id: str, shards: int) -> int:
    """The shard (0 to ``shards`` - 1) of a partner: a CRC-32 of its id, the same everywhere.

    Not ``hash()``: a string's hash differs between processes.
    """
    return zlib.crc32(partner_id.encode("utf-8", "surrogatepass")) % shards


def _spread(
    owners: dict[Any, int],
    tables: list[dict[Any, int]],
    shard_of: list[int],
    new_base: list[int],
    stride: int,
) -> None:
    """Copy a user -> owner base table into the shards' tables, each owner at its new base."""
    users = list(owners)
    numbers = list(map(floordiv, owners.values(), repeat(stride)))
    bases = list(map(new_base.__getitem__, numbers))
    if len(tables) == 1:
        tables[0].update(zip(users, bases, strict=True))
        return
    where = list(map(shard_of.__getitem__, numbers))
    for s, table in enumerate(tables):
        inside = list(map(eq, where, repeat(s)))
        table.update(zip(compress(users, inside), compress(bases, inside), strict=True))


#: Below this many counters a merge visits the set ones (a small tally is cheap either way).
_DENSE_MIN = 4096


def _dense(counts: list[int]) -> bool:
    """Whether a quarter or more of ``counts`` is set (sampled): merging in bulk is then cheaper.

    Index 0, the unused leading slot, must be zero: the bulk merge reads it for partners
    the other tally does not have.
    """
    if counts[0] or len(counts) < _DENSE_MIN:
        return False
    step = max(len(counts) // 1024, 1)
    return sum(map(bool, islice(counts, 1, None, step))) * 4 >= len(range(1, len(counts), step))


def _gather(moved: list[int], partners: int, stride: int) -> list[int]:
    """For each of our counters (after the leading slot), the other tally's counter index, or 0.

    ``moved[q]`` is our base for the other's partner ``q``: our partner ``p`` reads the
    other's counters ``q * stride + 1 ...``; a partner the other lacks reads slot 0 (zero).
    """
    source = [-1] * partners
    for q, b in enumerate(moved):
        source[b // stride] = q * stride
    gather: list[int] = []
    zeros = [0] * stride
    for b in source:
        gather += zeros if b < 0 else range(b + 1, b + 1 + stride)
    return gather


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
