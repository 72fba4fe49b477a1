from collections.abc import Iterable
from datetime import datetime, timezone

import pytest

from partnerkit.core import Money, from_dict, to_dict
from partnerkit.core.errors import ValidationError
from partnerkit.scoring import Activity, ActivityKind, ActivitySource, activity_row

AT = datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc)


def test_activities_round_trip_through_to_dict_and_from_dict() -> None:
    activity = Activity(
        "p1", ActivityKind.DEAL_WON, AT, "u1", Money("12.50", "EUR"), {"motion": "upsell"}
    )
    data = to_dict(activity)
    assert data["kind"] == "deal_won"
    assert from_dict(Activity, data) == activity


def test_a_bad_activity_names_every_bad_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Activity("", "Login ", datetime(2026, 1, 1), "", 5, {"a": 1})  # type: ignore[arg-type]
    assert set(caught.value.paths) == {
        "partner_id",
        "kind",
        "at",
        "user_id",
        "amount",
        "attributes",
    }


def test_deal_attributes_are_checked() -> None:
    with pytest.raises(ValidationError) as caught:
        Activity("p1", "deal_won", AT, attributes={"motion": "renewal"})
    assert caught.value.paths == ("attributes.motion",)
    with pytest.raises(ValidationError):
        Activity("p1", "deal_approved", AT, attributes={"registered_on": "yesterday"})


def test_from_dict_refuses_unknown_keys_and_floats() -> None:
    data = to_dict(Activity("p1", "login", AT))
    with pytest.raises(ValidationError) as caught:
        from_dict(Activity, {**data, "colour": "red"})
    assert caught.value.paths == ("colour",)
    with pytest.raises(ValidationError):
        from_dict(Activity, {**data, "amount": {"amount": 1.5, "currency": "EUR"}})


def test_rows_take_the_business_date_in_the_programs_time_zone() -> None:
    approved = Activity("p1", "deal_approved", AT, attributes={"registered_on": "2026-02-25"})
    utc = activity_row(approved)
    tokyo = activity_row(approved, "Asia/Tokyo")
    assert tokyo[2] == utc[2] + 1
    assert (utc[5], tokyo[5]) == (4, 5)
    won = activity_row(Activity("p1", "deal_won", AT, amount=Money("1", "JPY")), currency="JPY")
    assert won[3:] == (1, None, "new")


def test_activity_sources_are_recognized_by_their_method() -> None:
    class Portal:
        def activities(self, events: Iterable[object]) -> Iterable[Activity]:
            return [Activity("p1", "login", AT, str(e)) for e in events]

    source: ActivitySource = Portal()
    assert isinstance(source, ActivitySource)
    assert [a.user_id for a in source.activities(["u1"])] == ["u1"]
