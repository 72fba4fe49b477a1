"""Channel conflict: what to do when a prospect is already held by a registration."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from partnerkit.deals._registration import DealRegistration

__all__ = ["ChannelCheck", "active_key", "check_channel"]


@attrs.frozen
class ChannelCheck:
    """Active registrations for one prospect, split by who holds them.

    ``duplicates`` are the registering partner's own active registrations
    for the same product (a second one is refused); ``conflicting`` are
    other partners' active registrations (the new one is flagged or declined,
    per the policy's ``channel_conflict``).
    """

    duplicates: tuple[str, ...]
    conflicting: tuple[str, ...]


def check_channel(
    partner_id: str, product: str, active: Iterable[DealRegistration]
) -> ChannelCheck:
    """Sort the active registrations ``active`` for a prospect into duplicates and conflicts.

    Registrations that are not active (closed ones) are ignored.
    """
    duplicates = []
    conflicting = []
    for deal in active:
        if not deal.is_active:
            continue
        if deal.partner_id != partner_id:
            conflicting.append(deal.id)
        elif deal.product == product:
            duplicates.append(deal.id)
    return ChannelCheck(tuple(sorted(duplicates)), tuple(sorted(conflicting)))


def active_key(deal: DealRegistration) -> str | None:
    """``partner|prospect|product`` while the registration is active, else ``None``.

    Stored as a unique index, so one partner can never hold two active
    registrations for the same prospect and product, also when two
    registrations race.
    """
    if not deal.is_active:
        return None
    return f"{deal.partner_id}|{deal.prospect_id}|{deal.product}"
