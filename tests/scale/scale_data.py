"""Varied activities for the file-input and Dask tests, and writers of the file schema."""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from partnerkit.core import Money
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.scoring import DEFAULT_ENGAGEMENT_MODEL, Activity, ScoringPlan

AS_OF = date(2026, 5, 15)
CALENDAR = MonthlyFiscalCalendar(1)
TZ = "Europe/Berlin"
KINDS = (
    "login",
    "login",
    "content_view",
    "communication",
    "campaign_engaged",
    "training_completed",
    "certification_earned",
    "deal_registered",
    "deal_approved",
    "deal_declined",
    "deal_won",
    "deal_won",
    "deal_lost",
    "webinar_attended",
)
OFFSETS = (timezone.utc, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5)))


def plan(currency: str = "EUR") -> ScoringPlan:
    """The default engagement model's plan, on AS_OF in Berlin."""
    return DEFAULT_ENGAGEMENT_MODEL.plan(calendar=CALENDAR, as_of=AS_OF, currency=currency, tz=TZ)


def activities(n: int, partners: int = 40, seed: int = 18) -> list[Activity]:
    """``n`` varied activities: every kind, users, amounts to round, motions, approvals."""
    rng = random.Random(seed)
    end = datetime(2026, 5, 15, 23, 30, tzinfo=timezone.utc)
    out = []
    for _ in range(n):
        p = rng.randrange(partners)
        kind = rng.choice(KINDS)
        # Many instants near midnight, so the business day depends on the zone.
        at = (end - timedelta(days=rng.randrange(800), minutes=rng.randrange(240))).astimezone(
            rng.choice(OFFSETS)
        )
        user = f"p{p}-u{rng.randrange(5)}" if rng.random() < 0.8 else None
        amount = None
        attributes: dict[str, str] = {}
        if kind in ("deal_registered", "deal_won", "deal_lost") and rng.random() < 0.9:
            places = rng.choice((0, 1, 2, 3))
            amount = Money(Decimal(rng.randrange(1, 10**8)).scaleb(-places), "EUR")
        if kind == "deal_won" and rng.random() < 0.7:
            attributes["motion"] = rng.choice(("new", "upsell"))
        if kind == "deal_approved" and rng.random() < 0.8:
            attributes["registered_on"] = (
                at.date() - timedelta(days=rng.randrange(30))
            ).isoformat()
        out.append(Activity(f"P{p:03d}", kind, at, user, amount, attributes))
    return out


def record(activity: Activity) -> dict[str, Any]:
    """One activity as a row of the file schema (text values, empty for missing)."""
    amount = activity.amount
    return {
        "partner_id": activity.partner_id,
        "kind": activity.kind,
        "at": activity.at.isoformat(),
        "user_id": activity.user_id or "",
        "amount": "" if amount is None else str(amount.amount),
        "currency": "" if amount is None else amount.currency,
        "motion": activity.attributes.get("motion", ""),
        "registered_on": activity.attributes.get("registered_on", ""),
    }


COLUMNS = ("partner_id", "kind", "at", "user_id", "amount", "currency", "motion", "registered_on")


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write schema rows (see :func:`record`) as CSV with a header."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_parquet(path: Path, acts: list[Activity], row_group_size: int = 1000) -> Path:
    """Write activities as Parquet: timestamps with a zone, amounts decimal128(20, 3)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "partner_id": [a.partner_id for a in acts],
            "kind": pa.array([a.kind for a in acts]).dictionary_encode(),
            "at": pa.array(
                [a.at.astimezone(timezone.utc) for a in acts], pa.timestamp("us", tz="UTC")
            ),
            "user_id": [a.user_id for a in acts],
            "amount": pa.array(
                [None if a.amount is None else a.amount.amount for a in acts],
                pa.decimal128(20, 3),
            ),
            "currency": [None if a.amount is None else a.amount.currency for a in acts],
            "motion": [a.attributes.get("motion") for a in acts],
            "registered_on": [a.attributes.get("registered_on") for a in acts],
        }
    )
    pq.write_table(table, path, row_group_size=row_group_size)
    return path
