"""Every value a transition produces is frozen, round-trips, and needs an aware instant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import pendulum
import pytest
from deal_factories import FORM, NOW, POLICY, PROSPECT

from partnerkit.core import from_dict, to_dict
from partnerkit.core.errors import ValidationError
from partnerkit.deals import (
    DealRegistration,
    new_registration,
)

LATER = NOW.add(days=1)


def _every_value() -> list[Any]:
    """Every registration, audit entry, deadline and event the transitions produce."""
    out: list[Any] = []

    def keep(step: tuple[DealRegistration, Any] | DealRegistration) -> DealRegistration:
        # The order steps raise no deal event (the order's events stand for them).
        deal, *event = step if isinstance(step, tuple) else (step,)
        out.extend([deal, *event, *deal.audit])
        if deal.deadlines is not None:
            out.append(deal.deadlines)
        return deal

    def fresh(conflicting: tuple[str, ...] = ()) -> DealRegistration:
        return keep(
            new_registration(
                "DR-2026-000001",
                "p1",
                PROSPECT,
                FORM,
                "alice",
                NOW,
                POLICY,
                conflicting=conflicting,
            )
        )

    deal = keep(fresh().approve("vera", LATER, POLICY))
    deal = keep(deal.request_extension("alice", LATER, "customer on holiday", POLICY))
    deal = keep(deal.decide_extension("vera", LATER, grant=True, policy=POLICY, note="ok"))
    deal = keep(deal.start_order("alice", LATER))
    keep(deal.submit_order("alice", LATER))
    keep(deal.mark_lost("alice", LATER, "budget cut"))
    keep(deal.withdraw("alice", LATER))
    keep(deal.expire("system", LATER, "late"))
    refused = keep(fresh().approve("vera", LATER, POLICY))
    refused = keep(refused.request_extension("alice", LATER, "more time", POLICY))
    keep(refused.decide_extension("vera", LATER, grant=False, policy=POLICY))
    keep(fresh(("DR-2026-000009",)).decline("vera", LATER, "channel conflict"))
    return out


VALUES = _every_value()


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_values_stay_frozen_and_round_trip(value: Any) -> None:
    field = attrs.fields(type(value))[0].name
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(value, field, None)
    assert from_dict(type(value), to_dict(value)) == value


def test_transitions_refuse_naive_instants() -> None:
    naive = datetime(2026, 11, 24, 9)
    deal = new_registration("DR-2026-000001", "p1", PROSPECT, FORM, "alice", NOW, POLICY)[0]
    with pytest.raises(ValidationError, match="naive"):
        deal.approve("vera", naive)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="naive"):
        new_registration("DR-1", "p1", PROSPECT, FORM, "alice", naive, POLICY)  # type: ignore[arg-type]
    approved = deal.approve("vera", pendulum.datetime(2026, 11, 24, tz="UTC"))[0]
    with pytest.raises(ValidationError, match="naive"):
        approved.start_order("alice", naive)  # type: ignore[arg-type]
