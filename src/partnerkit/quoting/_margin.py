"""The margin policy: partner margin, reward margin, promotions, stacking and the discount cap."""

from __future__ import annotations

import enum
import re
import string
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
from babel.numbers import format_percent

from partnerkit.core import Percentage
from partnerkit.core._context import isolated
from partnerkit.core._money import _locale  # the one locale check
from partnerkit.core._validation import as_tuple, expected, is_day
from partnerkit.core.errors import FieldError, ValidationError
from partnerkit.locale import N_, gettext
from partnerkit.quoting._registration import RegistrationLike, earns_reward_margin
from partnerkit.tiers import Tier

__all__ = [
    "RULE_KIND_LABELS",
    "AppliedRule",
    "MarginDecision",
    "MarginPolicy",
    "Promotion",
    "RuleKind",
    "Stacking",
]

_ZERO = Percentage(0)
_FULL = Percentage(100)
_ONE = Decimal(1)
_CACHE_SIZE = 1024
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


class Stacking(enum.Enum):
    """How discounts combine.

    ``ADDITIVE``: every rate is a share of the list price and the rates add
    up (10 % + 5 % = 15 % off). ``COMPOUNDING``: each rate applies to what
    the previous ones left, in the order promotion, partner margin, reward
    margin (10 % then 5 % = 14.5 % off).
    """

    ADDITIVE = "additive"
    COMPOUNDING = "compounding"


class RuleKind(enum.Enum):
    """What a rule recorded on a quote is about."""

    PARTNER_MARGIN = "partner_margin"
    REWARD_MARGIN = "reward_margin"
    NO_REWARD_MARGIN = "no_reward_margin"
    PROMOTION = "promotion"
    CAP = "cap"


#: English labels (gettext msgids) of the rule kinds.
RULE_KIND_LABELS: dict[RuleKind, str] = {
    RuleKind.PARTNER_MARGIN: N_("Partner margin"),
    RuleKind.REWARD_MARGIN: N_("Reward margin"),
    RuleKind.NO_REWARD_MARGIN: N_("No reward margin"),
    RuleKind.PROMOTION: N_("Promotion"),
    RuleKind.CAP: N_("Discount cap"),
}

# Reasons are gettext msgids with str.format fields filled from AppliedRule.params.
_FROM_TIER = N_("{rate} from the {tier} tier")
_FROM_OVERRIDE = N_("{rate} agreed for this partner")
_FROM_PROGRAM = N_("{rate} program default")
_REWARD = N_("{rate} while registration {registration} is approved")
_REWARD_NOT_APPROVED = N_("registration {registration} is {stage}")
_PROMOTION = N_("{rate} from promotion {promotion}")
_CAP = N_("total discount {requested} capped at {cap}")


def _skus(value: Iterable[str]) -> Any:
    return as_tuple(value)  # anything but a list is kept, for the checks to refuse by name


def _sku_problems(skus: object) -> list[FieldError]:
    """What is wrong with a ``skus`` field after :func:`_skus`: no list, or not all texts."""
    if not isinstance(skus, tuple):
        return [FieldError("skus", "invalid", expected("a list of SKUs", skus))]
    if not all(isinstance(s, str) for s in skus):
        return [FieldError("skus", "invalid", "SKUs are texts")]
    return []


def _promotions(value: Iterable[Promotion]) -> Any:
    return as_tuple(value)


def _copy_params(value: Mapping[str, str]) -> dict[str, str]:
    return dict(value) if isinstance(value, Mapping) else value


def _fields_missing(reason: str, params: Mapping[str, str]) -> list[str]:
    """What keeps ``reason.format(**params)`` from working: a bad brace, an unknown name.

    Every top-level field naming no parameter is listed; then the text is
    formatted with the parameters (texts, as :meth:`AppliedRule.explain`
    formats them), which finds the rest: a field inside a format spec, an
    unknown conversion or a spec no text takes.
    """
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(reason) if name is not None]
    except ValueError as error:
        return [f"the reason is no format text: {error}"]
    missing = [f"{{{name}}} names no parameter" for name in names if name not in params]
    if missing:
        return missing
    try:
        reason.format(**params)
    except KeyError as error:
        return [f"{{{error.args[0]}}} names no parameter"]
    except (IndexError, ValueError, AttributeError, TypeError) as error:
        return [f"the reason cannot show its parameters: {error}"]
    return []


@attrs.frozen
class AppliedRule:
    """One rule that shaped a quote's prices, and why, so the partner can see it.

    ``reason`` is an English gettext msgid with ``{name}`` fields filled
    from ``params``; :meth:`explain` renders it in a locale. ``skus`` names
    the lines the rule touched (empty: every line).
    """

    kind: RuleKind
    rate: Percentage
    reason: str
    params: Mapping[str, str] = attrs.field(factory=dict, converter=_copy_params, hash=False)
    skus: tuple[str, ...] = attrs.field(default=(), converter=_skus)

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        if not isinstance(self.kind, RuleKind):
            errors.append(FieldError("kind", "invalid", expected("a RuleKind", self.kind)))
        if not isinstance(self.rate, Percentage):
            errors.append(FieldError("rate", "invalid", "expected a Percentage"))
        params = self.params
        if not isinstance(params, dict):
            errors.append(FieldError("params", "invalid", expected("names -> texts", params)))
            params = {}
        for name, value in params.items():
            if not isinstance(name, str) or not isinstance(value, str):
                errors.append(FieldError(f"params.{name}", "invalid", "names and values are texts"))
        if not isinstance(self.reason, str) or not self.reason.strip():
            errors.append(FieldError("reason", "required", "the rule needs a reason"))
        else:
            for problem in _fields_missing(self.reason, params):
                errors.append(FieldError("reason", "invalid", problem))
        errors.extend(_sku_problems(self.skus))
        if errors:
            raise ValidationError(errors)

    @classmethod
    def _of(
        cls,
        kind: RuleKind,
        rate: Percentage,
        reason: str,
        params: dict[str, str],
        skus: tuple[str, ...],
    ) -> AppliedRule:
        """Build from values already in their final types, skipping the converters (internal)."""
        self = _new_rule(cls)
        _set_rule(self, "kind", kind)
        _set_rule(self, "rate", rate)
        _set_rule(self, "reason", reason)
        _set_rule(self, "params", params)
        _set_rule(self, "skus", skus)
        return self

    @isolated
    def explain(self, locale: str = "en") -> str:
        r"""The reason in ``locale`` (English when partnerkit has no translation).

        >>> from partnerkit.core import Percentage
        >>> reason = "total discount {requested} capped at {cap}"
        >>> params = {"requested": "45%", "cap": "40%"}
        >>> rule = AppliedRule(RuleKind.CAP, Percentage(40), reason, params)
        >>> rule.explain("en")
        'Discount cap: total discount 45% capped at 40%'
        >>> rule.explain("fr_FR")
        'Plafond de remise: remise totale de 45\xa0% plafonnée à 40\xa0%'

        Rates in ``params`` (kept as ``"17.5%"``, the locale-neutral form) are
        formatted for ``locale`` through babel, like :meth:`Percentage.format`.
        """
        _locale(locale)
        label = gettext(RULE_KIND_LABELS[self.kind], locale)
        params = {name: _localized(value, locale) for name, value in self.params.items()}
        return f"{label}: {gettext(self.reason, locale).format(**params)}"


_RATE = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?%")


def _localized(value: str, locale: str) -> str:
    """``value`` formatted for ``locale`` when it is a rate (``"17.5%"``), else as it is."""
    if not _RATE.fullmatch(value):
        return value
    try:
        number = Decimal(value[:-1])
        if number <= 100:
            return Percentage(number).format(locale)
        return str(format_percent(number / 100, locale=locale, decimal_quantization=False))
    except ValidationError:  # more digits than partnerkit reads: shown as given
        return value


@attrs.frozen
class Promotion:
    """A promotional discount off list price for some SKUs (all when ``skus`` is empty).

    It applies on quotes priced from ``starts`` to ``ends`` inclusive (open
    when None). When several promotions apply to a line, the largest rate
    wins; promotions never add up with each other.
    """

    key: str
    name: str
    rate: Percentage
    skus: tuple[str, ...] = attrs.field(default=(), converter=_skus)
    starts: date | None = None
    ends: date | None = None

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        if not isinstance(self.key, str) or not _KEY.match(self.key):
            errors.append(FieldError("key", "invalid", "a promotion key is 1-64 letters or digits"))
        if not isinstance(self.name, str) or not self.name.strip():
            errors.append(FieldError("name", "required", "the promotion needs a name"))
        if not isinstance(self.rate, Percentage):
            errors.append(FieldError("rate", "invalid", "expected a Percentage"))
        errors.extend(_sku_problems(self.skus))
        bounds = {"starts": self.starts, "ends": self.ends}
        for name, day in bounds.items():
            if day is not None and not is_day(day):
                errors.append(FieldError(name, "invalid", expected("a date or nothing", day)))
        if is_day(self.starts) and is_day(self.ends) and self.ends < self.starts:
            errors.append(FieldError("ends", "out_of_range", "ends before it starts"))
        if errors:
            raise ValidationError(errors)

    def applies(self, sku: str, day: date) -> bool:
        """Whether this promotion discounts ``sku`` on a quote priced on ``day``."""
        if self.skus and sku not in self.skus:
            return False
        if self.starts is not None and day < self.starts:
            return False
        return self.ends is None or day <= self.ends


def _copy_overrides(value: Mapping[str, Percentage]) -> dict[str, Percentage]:
    return dict(value) if isinstance(value, Mapping) else value


@attrs.frozen
class MarginDecision:
    """The partner and reward margins that apply to one quote, with the rules that chose them."""

    partner_margin: Percentage
    reward_margin: Percentage
    rules: tuple[AppliedRule, ...]


@attrs.frozen
class MarginPolicy:
    """How a program discounts its partners' quotes.

    - ``partner_margin``: the default partner margin for a partner with no
      tier; a tier's ``benefits.partner_margin`` replaces it, and an entry of
      ``overrides`` (partner id → margin, a contract term) replaces both.
    - ``reward_margin``: the program's reward margin for a partner whose
      tier gives none; a tier's non-zero ``benefits.reward_margin`` replaces
      it. It applies only while the quote's prospect has a registration by
      the same partner that is APPROVED (or ORDER_STARTED: the order came from
      a rewarded quote).
    - ``promotions``: promotional discounts by SKU and date.
    - ``stacking``: how the rates combine (:class:`Stacking`).
    - ``cap``: the largest total discount off list price; anything above
      is taken off the reward margin first, then the partner margin, then the
      promotion.
    - ``valid_days``: how long a new quote stays valid (1-366 days).

    Raises :class:`ValidationError` naming every bad field.
    """

    stacking: Stacking = Stacking.ADDITIVE
    cap: Percentage = _FULL
    partner_margin: Percentage = _ZERO
    reward_margin: Percentage = _ZERO
    overrides: Mapping[str, Percentage] = attrs.field(
        factory=dict, converter=_copy_overrides, hash=False
    )
    promotions: tuple[Promotion, ...] = attrs.field(default=(), converter=_promotions)
    valid_days: int = 30
    # Decisions and stacked rates already worked out: pricing the same partner's quotes
    # again is the hot path. Values are immutable; the cache is bounded.
    _cache: dict[object, Any] = attrs.field(
        init=False, factory=dict, eq=False, hash=False, repr=False, alias="_cache"
    )

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        if not isinstance(self.stacking, Stacking):
            errors.append(FieldError("stacking", "invalid_choice", "expected a Stacking"))
        for name in ("cap", "partner_margin", "reward_margin"):
            if not isinstance(getattr(self, name), Percentage):
                errors.append(FieldError(name, "invalid", "expected a Percentage"))
        if isinstance(self.overrides, Mapping):
            for partner, rate in self.overrides.items():
                if not isinstance(partner, str) or not partner:
                    errors.append(FieldError("overrides", "invalid", "keys are partner ids"))
                elif not isinstance(rate, Percentage):
                    errors.append(FieldError(f"overrides.{partner}", "invalid", "not a Percentage"))
        else:
            errors.append(FieldError("overrides", "invalid", "expected a mapping"))
        seen: set[str] = set()
        promotions = self.promotions
        if not isinstance(promotions, tuple):
            what = "a list of Promotions"
            errors.append(FieldError("promotions", "invalid", expected(what, promotions)))
            promotions = ()
        for i, promotion in enumerate(promotions):
            if not isinstance(promotion, Promotion):
                errors.append(FieldError(f"promotions.{i}", "invalid", "expected a Promotion"))
            elif promotion.key in seen:
                errors.append(FieldError(f"promotions.{i}.key", "duplicate", promotion.key))
            else:
                seen.add(promotion.key)
        v = self.valid_days
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 366:
            errors.append(FieldError("valid_days", "out_of_range", "between 1 and 366 days"))
        if errors:
            raise ValidationError(errors)

    @isolated
    def decide(
        self,
        *,
        partner_id: str,
        prospect_id: str,
        tier: Tier | None = None,
        registration: RegistrationLike | None = None,
    ) -> MarginDecision:
        """Choose the partner and reward margins for a quote, recording why.

        The reward margin applies while ``registration`` earns it (APPROVED
        or ORDER_STARTED, see :func:`earns_reward_margin`) and was registered
        by ``partner_id`` for ``prospect_id``; a registration of
        another partner or prospect is a :class:`ValidationError`
        (``registration.partner_id`` / ``registration.prospect_id``).
        """
        key = (
            "decision",
            partner_id,
            prospect_id,
            id(tier),
            None
            if registration is None
            else (
                registration.id,
                registration.partner_id,
                registration.prospect_id,
                earns_reward_margin(registration),
                str(getattr(registration.stage, "value", registration.stage)),
            ),
        )
        hit = self._cache.get(key)
        if hit is not None and hit[0] is tier:
            return hit[1]  # type: ignore[no-any-return]
        decision = self._decide(partner_id, prospect_id, tier, registration)
        self._remember(key, (tier, decision))
        return decision

    def _remember(self, key: object, value: object) -> None:
        """Keep ``value`` under ``key`` in this policy's bounded cache (internal use)."""
        cache = self._cache
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        cache[key] = value

    def _recall(self, key: object) -> Any:
        """The value kept under ``key`` by _remember, or None."""
        return self._cache.get(key)

    def _decide(
        self,
        partner_id: str,
        prospect_id: str,
        tier: Tier | None,
        registration: RegistrationLike | None,
    ) -> MarginDecision:
        rules: list[AppliedRule] = []
        override = self.overrides.get(partner_id)
        if override is not None:
            partner = override
            rules.append(
                AppliedRule(
                    RuleKind.PARTNER_MARGIN, partner, _FROM_OVERRIDE, {"rate": str(partner)}
                )
            )
        elif tier is not None:
            partner = tier.benefits.partner_margin
            rules.append(
                AppliedRule(
                    RuleKind.PARTNER_MARGIN,
                    partner,
                    _FROM_TIER,
                    {"rate": str(partner), "tier": tier.name},
                )
            )
        else:
            partner = self.partner_margin
            rules.append(
                AppliedRule(RuleKind.PARTNER_MARGIN, partner, _FROM_PROGRAM, {"rate": str(partner)})
            )
        reward = _ZERO
        if registration is not None:
            errors: list[FieldError] = []
            if registration.partner_id != partner_id:
                errors.append(
                    FieldError(
                        "registration.partner_id", "invalid", "registered by another partner"
                    )
                )
            if registration.prospect_id != prospect_id:
                errors.append(
                    FieldError("registration.prospect_id", "invalid", "for another prospect")
                )
            if errors:
                raise ValidationError(errors)
            if earns_reward_margin(registration):
                if tier is not None and tier.benefits.reward_margin.value > 0:
                    reward = tier.benefits.reward_margin
                else:
                    reward = self.reward_margin
                if reward.value > 0:
                    rules.append(
                        AppliedRule(
                            RuleKind.REWARD_MARGIN,
                            reward,
                            _REWARD,
                            {"rate": str(reward), "registration": registration.id},
                        )
                    )
            else:
                rules.append(
                    AppliedRule(
                        RuleKind.NO_REWARD_MARGIN,
                        _ZERO,
                        _REWARD_NOT_APPROVED,
                        {
                            "registration": registration.id,
                            "stage": str(getattr(registration.stage, "value", registration.stage)),
                        },
                    )
                )
        return MarginDecision(partner, reward, tuple(rules))

    def promotion_for(self, sku: str, day: date) -> Promotion | None:
        """The largest promotion that applies to ``sku`` on ``day`` (the first on ties), or None."""
        best: Promotion | None = None
        for promotion in self.promotions:
            if promotion.applies(sku, day) and (best is None or promotion.rate > best.rate):
                best = promotion
        return best

    @isolated
    def effective(
        self, promotion: Decimal, partner: Decimal, reward: Decimal
    ) -> tuple[Decimal, Decimal, Decimal, bool]:
        """Turn nominal rates (fractions of one) into shares of list price after stacking and cap.

        Returns the promotion, partner-margin and reward-margin shares of the
        list price and whether the cap cut them. The shares add up to at most
        ``cap``; the cut comes off the reward margin first, then the partner
        margin, then the promotion.

        >>> from decimal import Decimal
        >>> from partnerkit.core import Percentage
        >>> MarginPolicy(cap=Percentage(20)).effective(Decimal("0.1"), Decimal("0.08"),
        ...                                            Decimal("0.05"))
        (Decimal('0.10'), Decimal('0.08'), Decimal('0.02'), True)
        """
        return self._effective(promotion, partner, reward)

    def _effective(
        self, promotion: Decimal, partner: Decimal, reward: Decimal
    ) -> tuple[Decimal, Decimal, Decimal, bool]:
        # effective's arithmetic, in the context it entered. Like _decide, undecorated, so
        # that mutation testing (nox -s mutants: mutmut skips decorated functions) reaches it.
        if self.stacking is Stacking.COMPOUNDING:
            rest = _ONE - promotion
            partner = rest * partner
            reward = (rest - partner) * reward
        cap = self.cap.fraction
        excess = promotion + partner + reward - cap
        if excess <= 0:
            return promotion, partner, reward, False
        cut = min(excess, reward)
        reward -= cut
        excess -= cut
        cut = min(excess, partner)
        partner -= cut
        excess -= cut
        promotion -= excess
        return promotion, partner, reward, True


_new_rule = object.__new__
_set_rule = object.__setattr__


def cap_rule(requested: Decimal, cap: Percentage, skus: Iterable[str]) -> AppliedRule:
    """The rule recorded when the cap cut a line's discount (``requested`` as a fraction)."""
    return AppliedRule(RuleKind.CAP, cap, _CAP, cap_params(requested, cap), tuple(skus))


def cap_params(requested: Decimal, cap: Percentage) -> dict[str, str]:
    """The ``params`` of :func:`cap_rule`'s rule (``requested`` as a fraction)."""
    wanted = (requested * 100).normalize()
    return {"requested": f"{wanted:f}%", "cap": str(cap)}


def capped_rule(policy: MarginPolicy, requested: Decimal, skus: Iterable[str]) -> AppliedRule:
    """:func:`cap_rule` for ``policy``'s cap, its reason worked out once per requested rate."""
    key = ("cap", requested)
    params: dict[str, str] | None = policy._recall(key)
    if params is None:
        params = cap_params(requested, policy.cap)
        policy._remember(key, params)
    return AppliedRule._of(RuleKind.CAP, policy.cap, _CAP, dict(params), tuple(skus))


def promotion_rule(promotion: Promotion, skus: Iterable[str]) -> AppliedRule:
    """The rule recorded for a promotion on the lines of ``skus``."""
    return AppliedRule(
        RuleKind.PROMOTION,
        promotion.rate,
        _PROMOTION,
        {"rate": str(promotion.rate), "promotion": promotion.name},
        tuple(skus),
    )
