"""partnerkit's own aggregate kinds, as one tuple the backends make tables for."""

from __future__ import annotations

from typing import Any

from partnerkit.storage._dashboard import DASHBOARD_SNAPSHOTS
from partnerkit.storage._deals import DEAL_REGISTRATIONS, PROSPECTS
from partnerkit.storage._partners import PARTNER_USERS, PARTNERS
from partnerkit.storage._plans import PLAN_TEMPLATES, PLANS
from partnerkit.storage._ports import AggregateSpec
from partnerkit.storage._programs import PROGRAMS
from partnerkit.storage._quoting import ORDERS, QUOTES, SUBSCRIPTIONS

__all__ = ["BUILTIN_SPECS", "builtin_specs"]

#: Every aggregate kind partnerkit's use cases store, in the order their tables are made.
BUILTIN_SPECS: tuple[AggregateSpec[Any], ...] = (
    PROGRAMS,
    PARTNERS,
    PARTNER_USERS,
    PROSPECTS,
    DEAL_REGISTRATIONS,
    QUOTES,
    ORDERS,
    SUBSCRIPTIONS,
    PLAN_TEMPLATES,
    PLANS,
    DASHBOARD_SNAPSHOTS,
)


def builtin_specs() -> tuple[AggregateSpec[Any], ...]:
    """:data:`BUILTIN_SPECS`, the default ``specs`` of every backend."""
    return BUILTIN_SPECS
