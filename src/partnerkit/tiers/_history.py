"""A partner's tier history: every tier held, from when to when, and why."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date
from typing import Literal

import attrs

from partnerkit.core.errors import FieldError, InvalidTransition, ValidationError

__all__ = ["ChangeKind", "TierChange", "TierHistory", "TierSpan", "tier_as_of"]

#: What a review decided: keep the tier, or move it up or down.
ChangeKind = Literal["hold", "upgrade", "downgrade"]
_KINDS = ("hold", "upgrade", "downgrade")


def _text_errors(obj: object, names: Iterable[str]) -> list[FieldError]:
    return [
        FieldError(name, "required", f"{name} must be non-empty text")
        for name in names
        if not isinstance(getattr(obj, name), str) or not getattr(obj, name).strip()
    ]


@attrs.frozen
class TierSpan:
    """One stretch of time a partner held a tier: from ``start`` up to, not including, ``end``.

    ``end`` is ``None`` while the tier is still held. ``reason`` says why the
    tier was given, ``changed_by`` who or what gave it (a user id, or
    ``"policy"``). Raises :class:`ValidationError` unless ``end`` is after ``start``.
    """

    tier_key: str
    start: date
    end: date | None
    reason: str
    changed_by: str

    def __attrs_post_init__(self) -> None:
        errors = _text_errors(self, ("tier_key", "reason", "changed_by"))
        if not isinstance(self.start, date):
            errors.append(FieldError("start", "invalid", "expected a date"))
        if self.end is not None and not isinstance(self.end, date):
            errors.append(FieldError("end", "invalid", "expected a date or None"))
        elif self.end is not None and isinstance(self.start, date) and not self.end > self.start:
            errors.append(
                FieldError("end", "out_of_range", f"the span ends {self.end}, not after its start")
            )
        if errors:
            raise ValidationError(errors)

    def covers(self, day: date) -> bool:
        """Whether the tier applied on ``day``."""
        return self.start <= day and (self.end is None or day < self.end)


@attrs.frozen
class TierChange:
    """A review's decision: hold, upgrade or downgrade, from when, and why.

    ``from_tier`` is ``None`` for a partner's first tier. For ``"hold"``,
    ``to_tier`` equals ``from_tier`` and ``effective`` is the review day.
    ``changed_by`` is ``"policy"`` for automatic decisions, else the user
    who set an override.
    """

    kind: ChangeKind
    from_tier: str | None
    to_tier: str
    effective: date
    reason: str
    changed_by: str = "policy"

    def __attrs_post_init__(self) -> None:
        errors = _text_errors(self, ("to_tier", "reason", "changed_by"))
        if self.kind not in _KINDS:
            errors.append(
                FieldError("kind", "invalid_choice", f"{self.kind!r} is not one of: {_KINDS}")
            )
        elif self.kind == "hold" and self.from_tier != self.to_tier:
            errors.append(FieldError("to_tier", "invalid", "a hold keeps the same tier"))
        if not isinstance(self.effective, date):
            errors.append(FieldError("effective", "invalid", "expected a date"))
        if errors:
            raise ValidationError(errors)

    @property
    def is_change(self) -> bool:
        """Whether the decision moves the partner (anything but a hold)."""
        return self.kind != "hold"


def _spans(value: Iterable[TierSpan]) -> tuple[TierSpan, ...]:
    return tuple(value)


@attrs.frozen
class TierHistory:
    """Every tier a partner held, oldest first, with no gaps and no overlaps.

    Each span ends where the next one starts; only the last may be open
    (``end=None``). Raises :class:`ValidationError` naming ``spans.<i>.start``
    for a gap or an overlap, ``spans.<i>.end`` for an open span before the last.
    Apply a :class:`TierChange` with :meth:`apply` to get the next history.

    >>> from datetime import date
    >>> history = TierHistory.starting("registered", date(2026, 1, 1), "joined", "admin")
    >>> change = TierChange("upgrade", "registered", "premier", date(2026, 7, 1), "criteria met")
    >>> later = history.apply(change)
    >>> [(s.tier_key, str(s.start), s.end and str(s.end)) for s in later.spans]
    [('registered', '2026-01-01', '2026-07-01'), ('premier', '2026-07-01', None)]
    >>> tier_as_of(later, date(2026, 6, 30))
    'registered'
    """

    spans: tuple[TierSpan, ...] = attrs.field(default=(), converter=_spans)
    _starts: tuple[date, ...] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        spans = self.spans
        for i, span in enumerate(spans):
            if not isinstance(span, TierSpan):
                errors.append(FieldError(f"spans.{i}", "invalid", "expected a TierSpan"))
        if not errors:
            for i in range(1, len(spans)):
                before, span = spans[i - 1], spans[i]
                if before.end is None:
                    errors.append(
                        FieldError(
                            f"spans.{i - 1}.end", "required", "only the last span may be open"
                        )
                    )
                elif span.start < before.end:
                    errors.append(
                        FieldError(
                            f"spans.{i}.start",
                            "invalid",
                            f"overlaps the span before, which ends {before.end}",
                        )
                    )
                elif span.start > before.end:
                    errors.append(
                        FieldError(
                            f"spans.{i}.start",
                            "invalid",
                            f"leaves a gap after the span before, which ends {before.end}",
                        )
                    )
        if errors:
            raise ValidationError(errors)
        object.__setattr__(self, "_starts", tuple(s.start for s in spans))

    @classmethod
    def starting(cls, tier_key: str, start: date, reason: str, changed_by: str) -> TierHistory:
        """A history of one open span: the partner's first tier."""
        return cls((TierSpan(tier_key, start, None, reason, changed_by),))

    @property
    def latest(self) -> TierSpan | None:
        """The last span (it may start in the future, for a scheduled change), or ``None``."""
        return self.spans[-1] if self.spans else None

    def span_on(self, day: date) -> TierSpan | None:
        """The span that covers ``day``, or ``None`` before the first or after a closed last one."""
        index = bisect_right(self._starts, day) - 1
        if index < 0:
            return None
        span = self.spans[index]
        return span if span.end is None or day < span.end else None

    def apply(self, change: TierChange) -> TierHistory:
        """The history after ``change``; a hold returns this history unchanged.

        Spans starting on or after ``change.effective`` were scheduled but not
        yet begun, and are dropped (the new decision replaces them). The tier
        held just before ``effective`` must be ``change.from_tier``, otherwise
        :class:`~partnerkit.core.errors.InvalidTransition` (its ``id`` is the
        effective date) is raised and nothing changes.
        """
        if change.kind == "hold":
            return self
        effective = change.effective
        kept = [s for s in self.spans if s.start < effective]
        last = kept[-1] if kept else None
        if last is not None and last.end is not None and last.end < effective:
            raise InvalidTransition(
                "tier history",
                effective.isoformat(),
                "none",
                change.to_tier,
                f"the partner holds no tier after {last.end}",
            )
        held = last.tier_key if last is not None else None
        if held != change.from_tier:
            raise InvalidTransition(
                "tier history",
                effective.isoformat(),
                str(held),
                change.to_tier,
                f"the change starts from {change.from_tier!r}, but {held!r} is held then",
            )
        if kept:
            kept[-1] = attrs.evolve(kept[-1], end=effective)
        kept.append(TierSpan(change.to_tier, effective, None, change.reason, change.changed_by))
        return TierHistory(kept)


def tier_as_of(history: TierHistory, day: date) -> str | None:
    """The key of the tier that applied on ``day`` (for quotes and payouts), or ``None``.

    ``None`` before the partner's first tier, or after a closed last span.
    """
    span = history.span_on(day)
    return None if span is None else span.tier_key
