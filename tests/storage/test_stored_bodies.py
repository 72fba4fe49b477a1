"""Stored bodies are the JSON of to_dict, byte for byte, however often their parts are reused.

encode_body writes a reused form (the sections the plans of one template
share) with its text made once, and encodes the other values in runs
around it: the body must not differ from encoding the whole dict.
"""

from __future__ import annotations

import json

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnerkit.core import Money, from_dict, to_dict
from partnerkit.core._serialization import to_stored_dict
from partnerkit.core.errors import ValidationError
from partnerkit.plans import (
    Objective,
    ObjectiveKind,
    PeriodTarget,
    Plan,
    PlanStatus,
    PlanTemplate,
    Section,
)
from partnerkit.storage import PLANS, assignment_key
from partnerkit.storage._common import _encode, _stand_in, decode_body, encode_body

AT = pendulum.datetime(2026, 1, 5, 9, tz="Europe/London")


def _template(title: str) -> PlanTemplate:
    section = Section(
        "sales",
        title,
        objectives=[
            Objective(
                "arr",
                "New ARR",
                ObjectiveKind.NEW_ARR,
                [PeriodTarget(q, Money("25000", "EUR")) for q in ("q1", "q2", "q3", "q4")],
            )
        ],
    )
    return PlanTemplate("t-1", "Reseller plan", sections=(section,)).published_by("vera", AT)


def _plans(template: PlanTemplate, count: int) -> list[Plan]:
    return [
        Plan.assign(
            template, id=f"PL-{i}", partner_id=f"p-{i}", fiscal_year=2026, actor="vera", at=AT
        )[0]
        for i in range(count)
    ]


def _expected(plan: Plan) -> str:
    data = to_dict(plan)
    del data["version"]
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize("title", ["Sales", "Ventes «été» \u00e9", 'quote " and \\ slash'])
def test_bodies_equal_the_json_of_to_dict(title: str) -> None:
    for plan in _plans(_template(title), 5):
        body = encode_body(PLANS, plan)
        assert body == _expected(plan)
        assert decode_body(PLANS, body, 1, 1) == attrs.evolve(plan, version=1)


@pytest.mark.parametrize("count", [1, 2])
def test_a_string_like_the_stand_in_is_written_as_itself(count: int) -> None:
    # The reused sections are written through a stand-in string with a NUL in it; a
    # string of the plan's own equal to the stand-in must not take the sections' place.
    for plan in _plans(_template("Sales"), 4):
        named = attrs.evolve(plan, name=_stand_in(0)[0] * count, purpose=_stand_in(0)[0])
        data = to_dict(named)
        del data["version"]
        stored = to_stored_dict(named)
        stored.pop("version", None)
        assert _encode(stored) == json.dumps(data, separators=(",", ":"), ensure_ascii=False)


@given(st.text(), st.text(), st.integers(min_value=-(10**20), max_value=10**20))
def test_assignment_keys_are_the_json_of_their_parts(
    partner_id: str, template_id: str, year: int
) -> None:
    # Stored as index values: the text must stay what json.dumps wrote when they were made.
    expected = json.dumps([partner_id, template_id, year], ensure_ascii=False)
    assert assignment_key(partner_id, template_id, year) == expected


@pytest.mark.parametrize("status", list(PlanStatus))
def test_stored_statuses_read_back_as_members_and_others_are_refused(status: PlanStatus) -> None:
    assert from_dict(PlanStatus, status.value) is status
    for bad in (status.value.upper(), 1, None, [status.value]):
        with pytest.raises(ValidationError):
            from_dict(PlanStatus, bad)
