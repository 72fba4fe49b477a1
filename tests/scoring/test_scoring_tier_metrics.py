"""Scorecards feed tier evaluation: their metric mapping is what a ladder's criteria read."""

from datetime import date, datetime, timezone

from partnerkit.core import Money
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.scoring import Activity, score_ecosystem
from partnerkit.tiers import evaluate_many, ladder_from_dict

AS_OF = date(2026, 5, 15)
AT = datetime(2026, 5, 1, tzinfo=timezone.utc)
LADDER = {
    "levels": [
        {
            "key": "registered",
            "name": "Registered",
            "rank": 1,
            "benefits": {"partner_margin": "10"},
        },
        {
            "key": "premier",
            "name": "Premier",
            "rank": 2,
            "benefits": {"partner_margin": "20"},
            "criteria": {
                "mode": "all",
                "rules": [
                    {"metric": "new_arr_ytd", "threshold": {"amount": "1000", "currency": "EUR"}},
                    {"metric": "win_rate_ytd", "threshold": "50"},
                    {"metric": "engagement_score", "threshold": "1"},
                ],
            },
        },
    ]
}


def test_scorecard_metrics_decide_the_tier_a_ladder_gives() -> None:
    rows = [
        Activity("busy", "login", AT, user_id="u1"),
        Activity("busy", "deal_won", AT, amount=Money("2000", "EUR")),
        Activity("busy", "deal_lost", AT),
        # Wins as much, but loses three deals of four: a win rate of 25 %.
        Activity("lossy", "deal_won", AT, amount=Money("2000", "EUR")),
        *[Activity("lossy", "deal_lost", AT) for _ in range(3)],
        Activity("quiet", "login", AT, user_id="u2"),
    ]
    scores = score_ecosystem(rows, calendar=MonthlyFiscalCalendar(1), as_of=AS_OF, currency="EUR")
    ladder = ladder_from_dict(LADDER)
    tiers = {
        partner: result.tier_key
        for partner, result in evaluate_many(
            ((card.partner_id, card.metrics()) for card in scores.scorecards()), ladder, AS_OF
        )
    }
    assert tiers == {"busy": "premier", "lossy": "registered", "quiet": "registered"}
