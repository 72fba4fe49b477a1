"""Tiers, their benefits, and the ladder that orders them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from partnerkit.core import Money, Percentage
from partnerkit.core.errors import FieldError, NotFound, ValidationError
from partnerkit.tiers._criteria import Criteria

__all__ = ["Benefits", "Tier", "TierLadder"]

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_ZERO = Percentage(0)


def _copy_extras(value: Mapping[str, str]) -> dict[str, str]:
    return dict(value) if isinstance(value, Mapping) else value


@attrs.frozen
class Benefits:
    """What a tier gives its partners.

    ``partner_margin`` is the discount off list price on every sale,
    ``reward_margin`` the extra margin on deals the partner registered
    (deal-registration reward), ``mdf_eligible`` whether the partner may
    claim market development funds and ``mdf_amount`` the yearly allowance
    (``None`` when not fixed), ``deal_registration`` whether the partner may
    register deals, ``support_level`` a free word (``"standard"``,
    ``"priority"``), ``extras`` any further host-defined perks as text.
    A reward margin needs deal registration and an MDF amount needs MDF
    eligibility; otherwise :class:`ValidationError` names the field.
    """

    partner_margin: Percentage
    reward_margin: Percentage = _ZERO
    mdf_eligible: bool = False
    mdf_amount: Money | None = None
    deal_registration: bool = True
    support_level: str = "standard"
    extras: Mapping[str, str] = attrs.field(factory=dict, converter=_copy_extras, hash=False)

    def __attrs_post_init__(self) -> None:
        errors = _benefit_errors(self)
        if errors:
            raise ValidationError(errors)


def _benefit_errors(b: Benefits) -> list[FieldError]:
    errors: list[FieldError] = []
    for name in ("partner_margin", "reward_margin"):
        if not isinstance(getattr(b, name), Percentage):
            errors.append(FieldError(name, "invalid", "expected a Percentage"))
    for name in ("mdf_eligible", "deal_registration"):
        if not isinstance(getattr(b, name), bool):
            errors.append(FieldError(name, "invalid", "expected true or false"))
    if b.mdf_amount is not None:
        if not isinstance(b.mdf_amount, Money):
            errors.append(FieldError("mdf_amount", "invalid", "expected Money or None"))
        elif b.mdf_amount.amount < 0:
            errors.append(FieldError("mdf_amount", "out_of_range", "must not be negative"))
        elif b.mdf_eligible is False:
            errors.append(
                FieldError("mdf_amount", "invalid", "an MDF amount needs mdf_eligible = true")
            )
    if (
        isinstance(b.reward_margin, Percentage)
        and b.reward_margin.value > 0
        and b.deal_registration is False
    ):
        errors.append(
            FieldError("reward_margin", "invalid", "a reward margin needs deal_registration = true")
        )
    if not isinstance(b.support_level, str) or not b.support_level.strip():
        errors.append(FieldError("support_level", "required", "name the support level"))
    if not isinstance(b.extras, Mapping):
        errors.append(FieldError("extras", "invalid", "expected a mapping of text to text"))
    else:
        for key, value in b.extras.items():
            if not isinstance(key, str) or not isinstance(value, str):
                errors.append(FieldError(f"extras.{key}", "invalid", "extras are text to text"))
    return errors


@attrs.frozen
class Tier:
    """One level of a partner program: its key, display name, rank, benefits and criteria.

    ``key`` is 1-64 lower-case letters, digits, ``-`` or ``_``; ``rank`` is an
    integer, higher is better. ``criteria`` say how a partner qualifies; the
    lowest tier of a ladder has none (everyone holds at least it).
    Raises :class:`ValidationError` naming every bad field.
    """

    key: str
    name: str
    rank: int
    benefits: Benefits
    criteria: Criteria = attrs.field(factory=Criteria)

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        if not isinstance(self.key, str) or not _KEY.match(self.key):
            errors.append(
                FieldError(
                    "key",
                    "invalid",
                    "use 1-64 lower-case letters, digits, '-' or '_', "
                    "starting with a letter or digit",
                )
            )
        if not isinstance(self.name, str) or not self.name.strip():
            errors.append(FieldError("name", "required", "the tier needs a name"))
        if isinstance(self.rank, bool) or not isinstance(self.rank, int):
            errors.append(FieldError("rank", "invalid", "the rank must be an integer"))
        if not isinstance(self.benefits, Benefits):
            errors.append(FieldError("benefits", "invalid", "expected Benefits"))
        if not isinstance(self.criteria, Criteria):
            errors.append(FieldError("criteria", "invalid", "expected Criteria"))
        if errors:
            raise ValidationError(errors)


def ladder_errors(tiers: Iterable[tuple[str, Any, Any, Criteria | None]]) -> list[FieldError]:
    """Duplicate keys and ranks, and floor criteria, of ``(path, key, rank, criteria)`` rows."""
    rows = list(tiers)
    errors: list[FieldError] = []
    if not rows:
        errors.append(FieldError("", "required", "a ladder needs at least one tier"))
        return errors
    seen_keys: dict[object, str] = {}
    seen_ranks: dict[object, str] = {}
    for path, key, rank, _ in rows:
        if isinstance(key, str):
            if key in seen_keys:
                errors.append(
                    FieldError(
                        f"{path}.key", "duplicate", f"key {key!r} is also used by {seen_keys[key]}"
                    )
                )
            else:
                seen_keys[key] = path
        if isinstance(rank, int) and not isinstance(rank, bool):
            if rank in seen_ranks:
                errors.append(
                    FieldError(
                        f"{path}.rank",
                        "duplicate",
                        f"rank {rank} is also used by {seen_ranks[rank]}",
                    )
                )
            else:
                seen_ranks[rank] = path
    ranked = [r for r in rows if isinstance(r[2], int) and not isinstance(r[2], bool)]
    if ranked:
        path, _, _, criteria = min(ranked, key=lambda r: r[2])
        if criteria is not None and criteria.rules:
            errors.append(
                FieldError(
                    f"{path}.criteria",
                    "invalid",
                    "the lowest tier is the floor every partner holds; it takes no criteria",
                )
            )
    return errors


@attrs.frozen(init=False)
class TierLadder:
    """The tiers of a program, lowest rank first; keys and ranks are unique.

    The lowest tier is the floor: it has no criteria and every partner
    holds at least it. Raises :class:`ValidationError` naming every bad tier
    (``tiers.2.key`` duplicate, ``tiers.0.criteria`` on the floor).

    >>> from partnerkit.core import Percentage
    >>> ladder = TierLadder([
    ...     Tier("gold", "Gold", 3, Benefits(Percentage(30))),
    ...     Tier("bronze", "Bronze", 1, Benefits(Percentage(10))),
    ... ])
    >>> ladder.keys
    ('bronze', 'gold')
    """

    tiers: tuple[Tier, ...]
    _index: dict[str, int] = attrs.field(eq=False, hash=False, repr=False)
    _plan: Any = attrs.field(eq=False, hash=False, repr=False)

    def __init__(self, tiers: Iterable[Tier]) -> None:
        given = list(tiers) if not isinstance(tiers, (str, bytes)) else []
        errors: list[FieldError] = [
            FieldError(f"tiers.{i}", "invalid", "expected a Tier")
            for i, tier in enumerate(given)
            if not isinstance(tier, Tier)
        ]
        if not errors:
            errors = ladder_errors(
                (f"tiers.{i}", t.key, t.rank, t.criteria) for i, t in enumerate(given)
            )
            errors = [e if e.path else FieldError("tiers", e.code, e.message) for e in errors]
        if errors:
            raise ValidationError(errors)
        ordered = tuple(sorted(given, key=lambda t: t.rank))
        # Imported here: the evaluator compiles ladders, and needs this module first.
        from partnerkit.tiers._evaluate import compile_ladder

        self.__attrs_init__(ordered, {t.key: i for i, t in enumerate(ordered)}, None)
        object.__setattr__(self, "_plan", compile_ladder(self))

    @property
    def keys(self) -> tuple[str, ...]:
        """The tier keys, lowest rank first."""
        return tuple(t.key for t in self.tiers)

    @property
    def floor(self) -> Tier:
        """The lowest tier, which every partner holds at least."""
        return self.tiers[0]

    @property
    def top(self) -> Tier:
        """The highest tier."""
        return self.tiers[-1]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __len__(self) -> int:
        return len(self.tiers)

    def __getitem__(self, key: str) -> Tier:
        """The tier with ``key``; raises :class:`~partnerkit.core.errors.NotFound`."""
        return self.tier(key)

    def tier(self, key: str) -> Tier:
        """The tier with ``key``; raises :class:`~partnerkit.core.errors.NotFound`."""
        index = self._index.get(key)
        if index is None:
            raise NotFound("tier", key)
        return self.tiers[index]

    def position(self, key: str) -> int:
        """The 0-based position of ``key``, lowest tier 0; raises ``NotFound``."""
        index = self._index.get(key)
        if index is None:
            raise NotFound("tier", key)
        return index

    def above(self, key: str) -> Tier | None:
        """The tier right above ``key``, or ``None`` for the top tier."""
        index = self.position(key) + 1
        return self.tiers[index] if index < len(self.tiers) else None

    def below(self, key: str) -> Tier | None:
        """The tier right below ``key``, or ``None`` for the floor."""
        index = self.position(key) - 1
        return self.tiers[index] if index >= 0 else None
