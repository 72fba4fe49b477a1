"""What the scoring plan, its tally and the KPI values share.

The kinds that need extra work (wins, upsells, approvals, certifications), the
packing of approval-histogram keys, the scale of decay weights, the amount types
the fast path takes, and its bad-row signal.
"""

from __future__ import annotations

from datetime import date

__all__: list[str] = []

#: Decay weights are integers in millionths, so decayed sums merge exactly.
_DECAY_SCALE = 1_000_000
_WON, _UPSELL, _APPROVED, _CERTIFIED, _OTHER = (
    "deal_won",
    "deal_won.upsell",
    "deal_approved",
    "certification_earned",
    "*other*",
)
#: The most whole days there can be between a registration and its approval.
_MAX_DAYS = date.max.toordinal() - date.min.toordinal()
#: Approval histogram keys pack (counter, days) into one int: counter * _DAYS + days.
_DAYS = 1 << 22
assert _MAX_DAYS < _DAYS
_AMOUNT_TYPES: frozenset[type] = frozenset({int, type(None)})


class _BadRow(Exception):
    """A fast-path pass met a value it cannot take: the chunk is then checked row by row."""
