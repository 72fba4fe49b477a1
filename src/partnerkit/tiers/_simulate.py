"""What-if: who would move, and how their benefits would change, under a proposed ladder."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Literal

import attrs

from partnerkit.core._context import isolated
from partnerkit.core._validation import expected, is_items
from partnerkit.core.errors import FieldError, ValidationError
from partnerkit.tiers._criteria import MetricValue
from partnerkit.tiers._evaluate import _checked, _position
from partnerkit.tiers._ladder import Benefits, TierLadder

__all__ = ["Movement", "SimulationReport", "SimulationRow", "simulate"]

#: How a partner would move: ``"new"`` when it holds no tier today.
Movement = Literal["up", "down", "same", "new"]

_BENEFIT_FIELDS = tuple(f.name for f in attrs.fields(Benefits))


@attrs.frozen
class SimulationRow:
    """One partner under the proposed ladder: its tier today and then, and the benefits of each.

    ``changed_benefits`` names the :class:`Benefits` fields that would
    differ (``("partner_margin", "mdf_amount")``); ``before`` is ``None`` for
    a partner without a tier today.
    """

    partner_id: str
    current_tier: str | None
    proposed_tier: str
    movement: Movement
    before: Benefits | None
    after: Benefits
    changed_benefits: tuple[str, ...]

    @property
    def margin_change(self) -> Decimal:
        """The change of the partner margin, in percentage points (``Decimal("2.5")``)."""
        before = self.before.partner_margin.value if self.before else Decimal(0)
        return self.after.partner_margin.value - before

    @property
    def reward_margin_change(self) -> Decimal:
        """The change of the deal-registration reward margin, in percentage points."""
        before = self.before.reward_margin.value if self.before else Decimal(0)
        return self.after.reward_margin.value - before


@attrs.frozen
class SimulationReport:
    """Every partner's row under a proposed ladder, and the counts that summarize them.

    ``up``, ``down``, ``same`` and ``new`` count the rows by movement;
    ``tier_counts`` counts partners per proposed tier (every tier listed,
    lowest first); ``benefit_changes`` counts partners per changed benefit.
    """

    rows: tuple[SimulationRow, ...]
    up: int
    down: int
    same: int
    new: int
    tier_counts: Mapping[str, int] = attrs.field(hash=False)
    benefit_changes: Mapping[str, int] = attrs.field(hash=False)

    @property
    def moved(self) -> tuple[SimulationRow, ...]:
        """The rows of partners that would move up or down."""
        return tuple(r for r in self.rows if r.movement in ("up", "down"))

    @isolated
    def summary(self) -> str:
        """The counts in one line: ``"2 up, 1 down, 7 same, 0 new"``."""
        return f"{self.up} up, {self.down} down, {self.same} same, {self.new} new"


def _changed(before: Benefits | None, after: Benefits) -> tuple[str, ...]:
    if before is None:
        return _BENEFIT_FIELDS
    return tuple(name for name in _BENEFIT_FIELDS if getattr(before, name) != getattr(after, name))


@isolated
def _check_arguments(metrics_by_partner: object, current_tiers: object) -> None:
    errors: list[FieldError] = []
    if not is_items(metrics_by_partner):
        what = "a mapping or (partner id, metrics) pairs"
        errors.append(
            FieldError("metrics_by_partner", "invalid", expected(what, metrics_by_partner))
        )
    if not isinstance(current_tiers, Mapping):
        what = "a mapping of partner ids to tier keys"
        errors.append(FieldError("current_tiers", "invalid", expected(what, current_tiers)))
    if errors:
        raise ValidationError(errors)


def simulate(
    proposed_ladder: TierLadder,
    metrics_by_partner: Mapping[str, Mapping[str, MetricValue]]
    | Iterable[tuple[str, Mapping[str, MetricValue]]],
    current_tiers: Mapping[str, str],
    *,
    current_ladder: TierLadder | None = None,
) -> SimulationReport:
    """Report which partners a proposed ladder would move up or down, and how benefits change.

    ``metrics_by_partner`` maps (or pairs) partner ids to metric mappings;
    ``current_tiers`` maps partner ids to the tier each holds today (a
    partner missing from it is ``"new"``). Benefits and ranks of today's
    tiers come from ``current_ladder`` (default: the proposed ladder); a
    move is up or down by rank. Raises :class:`ValidationError` naming every
    bad partner (``p-7.metrics.new_arr``, ``current_tiers.p-9``), or bad
    argument (``metrics_by_partner.3``, ``current_tiers``); nothing is returned then.
    """
    today = current_ladder if current_ladder is not None else proposed_ladder
    _check_arguments(metrics_by_partner, current_tiers)
    pairs = (
        metrics_by_partner.items()
        if isinstance(metrics_by_partner, Mapping)
        else metrics_by_partner
    )
    plan = proposed_ladder._plan
    proposed_tiers = proposed_ladder.tiers
    today_by_key = {t.key: t for t in today.tiers}
    cache: dict[
        tuple[str | None, int], tuple[Movement, Benefits | None, Benefits, tuple[str, ...]]
    ] = {}
    rows: list[SimulationRow] = []
    errors: list[FieldError] = []
    entry: tuple[Movement, Benefits | None, Benefits, tuple[str, ...]]
    per_key: Counter[tuple[str | None, int]] = Counter()
    for index, pair in enumerate(pairs):
        try:
            partner_id, metrics = pair
        except (TypeError, ValueError):
            partner_id, metrics = pair, None  # reported as no partner id below
        if not isinstance(partner_id, str):
            problem = expected("a partner id with its metrics", partner_id)
            errors.append(FieldError(f"metrics_by_partner.{index}", "invalid", problem))
            continue
        try:
            position = _position(plan, _checked(metrics))
        except ValidationError as exc:
            errors.extend(exc.prefixed(str(partner_id)).errors)
            continue
        held = current_tiers.get(partner_id)
        if held is not None and not isinstance(held, str):
            errors.append(
                FieldError(f"current_tiers.{partner_id}", "invalid", expected("a tier key", held))
            )
            continue
        key = (held, position)
        cached = cache.get(key)
        if cached is not None:
            entry = cached
        else:
            proposed = proposed_tiers[position]
            if held is None:
                entry = ("new", None, proposed.benefits, _changed(None, proposed.benefits))
            else:
                current = today_by_key.get(held)
                if current is None:
                    errors.append(
                        FieldError(
                            f"current_tiers.{partner_id}", "invalid", f"no tier {held!r} today"
                        )
                    )
                    continue
                movement: Movement = (
                    "up"
                    if proposed.rank > current.rank
                    else "down"
                    if proposed.rank < current.rank
                    else "same"
                )
                entry = (
                    movement,
                    current.benefits,
                    proposed.benefits,
                    _changed(current.benefits, proposed.benefits),
                )
            cache[key] = entry
        movement, before, after, changed = entry
        per_key[key] += 1
        rows.append(
            SimulationRow(
                partner_id,
                held,
                proposed_tiers[position].key,
                movement,
                before,
                after,
                changed,
            )
        )
    if errors:
        raise ValidationError(errors)
    counts: Counter[str] = Counter()
    tier_counts = dict.fromkeys(proposed_ladder.keys, 0)
    benefit_changes = dict.fromkeys(_BENEFIT_FIELDS, 0)
    for key, n in per_key.items():
        movement, _, _, changed = cache[key]
        counts[movement] += n
        tier_counts[proposed_tiers[key[1]].key] += n
        for name in changed:
            benefit_changes[name] += n
    return SimulationReport(
        tuple(rows),
        counts["up"],
        counts["down"],
        counts["same"],
        counts["new"],
        tier_counts,
        {name: n for name, n in benefit_changes.items() if n},
    )
