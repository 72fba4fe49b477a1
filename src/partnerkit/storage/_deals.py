"""How prospects and deal registrations are stored: their specs and indexes."""

from __future__ import annotations

from partnerkit.deals import DealRegistration, Prospect, active_key
from partnerkit.storage._ports import AggregateSpec, Index

__all__ = ["DEAL_REGISTRATIONS", "PROSPECTS"]

#: How prospects are stored: unique by domain.
PROSPECTS: AggregateSpec[Prospect] = AggregateSpec(
    "prospects",
    Prospect,
    indexes=(Index("domain", lambda p: p.domain, unique=True),),
)

#: How registrations are stored: by partner, prospect and stage; one active per
#: partner, prospect and product (``active_key``, unique).
DEAL_REGISTRATIONS: AggregateSpec[DealRegistration] = AggregateSpec(
    "deal_registrations",
    DealRegistration,
    indexes=(
        Index("partner_id", lambda d: d.partner_id),
        Index("prospect_id", lambda d: d.prospect_id),
        Index("stage", lambda d: d.stage.value),
        Index("active_key", active_key, unique=True),
    ),
)
