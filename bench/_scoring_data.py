"""Deterministic synthetic activity rows for the scoring benchmark (plain 6-tuples)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

AS_OF = date(2026, 5, 15)

# (kind, share in thousandths): portal activity dominates, deals are rarer.
KINDS = (
    ("login", 380),
    ("content_view", 250),
    ("communication", 90),
    ("campaign_engaged", 50),
    ("training_completed", 30),
    ("certification_earned", 15),
    ("deal_registered", 55),
    ("deal_approved", 35),
    ("deal_declined", 10),
    ("deal_won", 30),
    ("deal_lost", 20),
    ("webinar_attended", 35),
)
_TABLE = [kind for kind, share in KINDS for _ in range(share)]
_AMOUNTS = {"deal_registered", "deal_won", "deal_lost"}
_NO_USER = {"deal_won", "deal_lost", "deal_approved", "deal_declined"}


def rows(n: int, partners: int, seed: int = 20261123) -> Iterator[tuple[object, ...]]:
    """Yield ``n`` rows ``(partner, kind, day_ordinal, amount_cents, user, detail)``.

    Days spread over the two years before ``AS_OF``; each partner has up to
    eight users; deals carry amounts, wins a motion, approvals their days.
    """
    rng = random.Random(seed)
    rand = rng.random
    ids = [f"P{i:06d}" for i in range(partners)]
    users = [[f"{pid}-u{j}" for j in range(8)] for pid in ids]
    last = AS_OF.toordinal()
    table = _TABLE
    size = len(table)
    for _ in range(n):
        p = int(rand() * partners)
        # Skew: a third of the rows go to the first tenth of the partners.
        if rand() < 0.33:
            p //= 10
        kind = table[int(rand() * size)]
        day = last - int(rand() * rand() * 730)
        amount = None
        user: str | None = None
        detail: str | int | None = None
        if kind in _AMOUNTS:
            amount = 100_000 + int(rand() * 5_000_000)
        if kind not in _NO_USER:
            user = users[p][int(rand() * 8)]
        if kind == "deal_won":
            detail = "upsell" if rand() < 0.3 else "new"
        elif kind == "deal_approved":
            detail = int(rand() * 20)
        yield (ids[p], kind, day, amount, user, detail)
