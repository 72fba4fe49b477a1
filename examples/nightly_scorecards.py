"""The nightly dashboard job: read yesterday's activities, score everyone, save the scorecards.

A host runs this once a night (cron, a scheduler). It
1. loads the program and its engagement model (a TOML string with a [scoring] table),
2. reads the activities from the SQLite activity store,
3. scores the whole ecosystem in one pass, reporting progress,
4. writes every scorecard as JSON next to the database, and prints the top partners.
"""

from __future__ import annotations

import json
import random
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from partnerkit.core import Money, to_dict
from partnerkit.program import Program
from partnerkit.scoring import Activity, ActivityKind, score_ecosystem
from partnerkit.storage import SqliteActivityStore

PROGRAM = """
[program]
key = "acme-partners"
name = "Acme Partner Network"
currency = "EUR"
timezone = "Europe/Berlin"

[fiscal]
kind = "monthly"
start_month = 2
tz = "Europe/Berlin"

# The engagement model: four signals, recency decay on logins, and the targets the
# scorecards pace. A plain amount for a money KPI is in the program's currency.
[[scoring.signals]]
name = "logins"
kpi = "logins_90d"
weight = "30"
target = "40"
half_life_days = 30

[[scoring.signals]]
name = "content"
kpi = "content_views_90d"
weight = "20"
normalization = "percentile"

[[scoring.signals]]
name = "deals"
kpi = "deals_registered_ytd"
weight = "30"
normalization = "log"

[[scoring.signals]]
name = "certified"
kpi = "certified_users"
weight = "20"
target = "3"

[[scoring.targets]]
kpi = "sourced_revenue_ytd"
value = "150000"

[[scoring.targets]]
kpi = "deals_registered_ytd"
value = "24"

[[scoring.targets]]
kpi = "win_rate_ytd"
value = "40"
amber = "75"
"""


def seed(store: SqliteActivityStore[Activity], today: date) -> None:
    """Yesterday's portal and deal events, as the host's ActivitySource would report them."""
    rng = random.Random(7)
    kinds = (
        [ActivityKind.LOGIN] * 6
        + [ActivityKind.CONTENT_VIEW] * 3
        + [
            ActivityKind.DEAL_REGISTERED,
            ActivityKind.DEAL_WON,
            ActivityKind.DEAL_LOST,
            ActivityKind.CERTIFICATION_EARNED,
        ]
    )
    rows = []
    for _ in range(2_000):
        partner = f"partner-{rng.randrange(40):02d}"
        kind = rng.choice(kinds)
        when = datetime.combine(today, datetime.min.time(), timezone.utc) - timedelta(
            hours=rng.randrange(24 * 200)
        )
        amount = (
            Money(rng.randrange(5_000, 60_000), "EUR") if kind.value.startswith("deal") else None
        )
        user = None if amount else f"{partner}-u{rng.randrange(5)}"
        rows.append(Activity(partner, kind, when, user, amount))
    store.append(rows)


def main() -> None:
    program = Program.from_toml_string(PROGRAM)
    today = date(2026, 6, 30)
    as_of = today - timedelta(days=1)
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteActivityStore(Path(tmp) / "partnerkit.sqlite3", Activity)
        seed(store, today)
        window_start = datetime(2024, 1, 1, tzinfo=timezone.utc)
        reports: list[int] = []
        scores = score_ecosystem(
            store.iterate(start=window_start),
            calendar=program.fiscal,
            as_of=as_of,
            currency=program.currency,
            model=program.scoring,
            tz=program.timezone,
            progress=reports.append,
        )
        out = Path(tmp) / f"scorecards-{as_of.isoformat()}.json"
        cards = list(scores.scorecards())
        out.write_text(json.dumps([to_dict(c) for c in cards], ensure_ascii=False))
        print(f"scored {reports[-1]:,} activities for {len(cards)} partners on {as_of}")
        print(f"wrote {len(cards)} scorecards ({out.stat().st_size:,} bytes of JSON)")
        for card in cards[:3]:
            revenue = card.kpi("sourced_revenue_ytd")
            status = revenue.status.label(program.locale) if revenue.status else "-"
            print(
                f"#{card.rank} {card.partner_id}: engagement {card.engagement.score}, "
                f"revenue {revenue.value} ({revenue.pace} % of pace, {status})"
            )
        print(cards[0].engagement.explain())


if __name__ == "__main__":
    main()
