"""activity_row's day: the instant's date in the scoring zone, also for a repeated wall time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from partnerkit.scoring import Activity, activity_row

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("first_fold", [0, 1])
def test_the_two_instants_of_a_repeated_wall_time_keep_their_own_days(first_fold: int) -> None:
    # 2026-10-25 02:30 happens twice in Berlin: 00:30 UTC (fold 0) and 01:30 UTC (fold 1).
    # One hour west of UTC they fall on two days; the equal wall times must not share one.
    folds = (first_fold, 1 - first_fold)
    days = {}
    for fold in folds:
        at = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=fold)
        days[fold] = activity_row(Activity("p-1", "login", at), tz="Etc/GMT+1")[2]
    assert datetime.fromordinal(days[0]).date().isoformat() == "2026-10-24"
    assert datetime.fromordinal(days[1]).date().isoformat() == "2026-10-25"
