"""Partner plans at scale on the memory backend: the figures issue #16 asks for.

- ``assign_plans``: one template assigned to 10,000 partners of a segment in one
  use case (one commit), each partner given its draft plan;
- ``company_plan_rows``: the companies table's plan columns for those 10,000 plans,
  measured from 50,000 scoring activities (year to date and each quarter begun).

Targets: each under 1 s. One storage per round; the best of five rounds is printed (the
machine's speed moves by a tenth or more within a minute).
"""

from __future__ import annotations

import time

import pendulum

from partnerkit.core import Money
from partnerkit.partners import Actor, Partner, PartnerFilter
from partnerkit.plans import Objective, ObjectiveKind, PeriodTarget, Section, Task
from partnerkit.program import Program
from partnerkit.scoring import Activity
from partnerkit.services import (
    ASSIGNED,
    Context,
    assign_plans,
    company_plan_rows,
    create_template,
    publish_template,
)
from partnerkit.storage import PARTNERS, MemoryStorage
from partnerkit.testing import FixedClock

N = 10_000
ROUNDS = 5
PROGRAM = Program(key="bench", name="Bench", currency="EUR", timezone="Europe/Berlin")
CONTEXT = Context(
    Actor("vera", "program_administrator"),
    # A fixed clock, as any other: each use case pins its context's clock, so one bulk
    # assignment writes one instant into every plan's audit entry in production too.
    FixedClock(pendulum.datetime(2026, 8, 10, 9, tz="Europe/Berlin")),
    PROGRAM,
)
SALES = Section(
    "sales",
    "Sales",
    objectives=[
        Objective(
            "arr",
            "New ARR",
            ObjectiveKind.NEW_ARR,
            [PeriodTarget(q, Money("25000", "EUR")) for q in ("q1", "q2", "q3", "q4")],
            weight=60,
        ),
        Objective("won", "Deals won", ObjectiveKind.DEALS_WON, [PeriodTarget("year", 20)]),
    ],
    tasks=[Task("forecast", "Share a pipeline forecast", due="q1")],
)


def _storage() -> tuple[MemoryStorage, str]:
    storage = MemoryStorage()
    with storage.unit_of_work() as uow:
        partners = uow.repository(PARTNERS)
        for i in range(N):
            partners.add(Partner(f"p{i:05d}", f"Partner {i}", f"p{i}.example", "reseller",
                                 region="EMEA"))  # fmt: skip
        uow.commit()
    with storage.unit_of_work() as uow:
        draft = create_template(uow, CONTEXT, "Reseller plan", sections=[SALES])
    with storage.unit_of_work() as uow:
        return storage, publish_template(uow, CONTEXT, draft.id).id


def _activities() -> list[Activity]:
    at = pendulum.datetime(2026, 5, 4, 12, tz="UTC")
    return [
        Activity(f"p{i % N:05d}", "deal_won", at, amount=Money("5000", "EUR")) for i in range(5 * N)
    ]


def main() -> None:
    activities = _activities()
    assign_best = rows_best = float("inf")
    for _ in range(ROUNDS):
        storage, template_id = _storage()
        start = time.perf_counter()
        with storage.unit_of_work() as uow:
            report = assign_plans(uow, CONTEXT, template_id, PartnerFilter(regions="EMEA"))
        assign_best = min(assign_best, time.perf_counter() - start)
        assert len(report.of(ASSIGNED)) == N
        start = time.perf_counter()
        with storage.unit_of_work() as uow:
            rows = company_plan_rows(uow, CONTEXT, activities)
        rows_best = min(rows_best, time.perf_counter() - start)
        assert len(rows) == N
    for label, best in (
        ("assign_plans: 10,000 partners, one commit", assign_best),
        ("company_plan_rows: 10,000 plans, 50,000 activities", rows_best),
    ):
        verdict = "met" if best < 1 else "missed"
        print(f"{label:<52} {best:>8.3f} s   target < 1 s: {verdict}")


if __name__ == "__main__":
    main()
