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

from partnerkit.core import Money, to_dict
from partnerkit.plans import Objective, ObjectiveKind, PeriodTarget, Plan, PlanTemplate, Section
from partnerkit.storage import PLANS
from partnerkit.storage._common import decode_body, encode_body

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
