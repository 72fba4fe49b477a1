"""The domain events of deal registrations, published after the unit of work commits."""

from __future__ import annotations

from datetime import date

import attrs
import pendulum

from partnerkit.core import DomainEvent, Money
from partnerkit.deals._lifecycle import Stage

__all__ = [
    "DealApproved",
    "DealDeclined",
    "DealEvent",
    "DealExpired",
    "DealLost",
    "DealRegistered",
    "DealWithdrawn",
    "ExtensionDecided",
    "ExtensionRequested",
]


@attrs.frozen
class DealEvent(DomainEvent):
    """Base of the deal events: which registration, whose, who acted, when, from and to which stage.

    ``registration_id`` is also the human-readable deal number (``DR-2026-000123``).
    """

    registration_id: str
    partner_id: str
    prospect_id: str
    actor: str
    at: pendulum.DateTime
    from_stage: Stage | None
    to_stage: Stage


@attrs.frozen
class DealRegistered(DealEvent):
    """A partner registered a deal; ``conflicting`` names other partners' active registrations.

    ``projected_value`` is the opportunity's projected value as registered
    (None on events recorded before it was carried).
    """

    prospect_name: str
    prospect_created: bool
    conflicting: tuple[str, ...] = ()
    projected_value: Money | None = None


@attrs.frozen
class DealApproved(DealEvent):
    """The vendor approved a registration: the deadlines the partner must now meet (dates).

    ``registered_at`` is when the registration was made, for the time to
    approval (None on events recorded before it was carried).
    """

    order_start_due: date
    order_submit_due: date
    protection_ends: date
    registered_at: pendulum.DateTime | None = None


@attrs.frozen
class DealDeclined(DealEvent):
    """The vendor declined a registration (or the channel-conflict policy did), with the reason."""

    reason: str


@attrs.frozen
class DealExpired(DealEvent):
    """A registration expired: not reviewed in time, or past a deadline (``reason`` says which)."""

    reason: str


@attrs.frozen
class DealLost(DealEvent):
    """The opportunity was lost; ``projected_value`` is its value as registered (or None)."""

    reason: str
    projected_value: Money | None = None


@attrs.frozen
class DealWithdrawn(DealEvent):
    """The registration was withdrawn."""

    reason: str


@attrs.frozen
class ExtensionRequested(DealEvent):
    """The partner asked for more time, with a reason; the stage does not change."""

    reason: str


@attrs.frozen
class ExtensionDecided(DealEvent):
    """The vendor granted or refused an extension; ``new_deadlines`` are set when granted."""

    granted: bool
    order_start_due: date | None
    order_submit_due: date | None
    protection_ends: date | None
