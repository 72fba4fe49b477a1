"""Assign a plan template from the program file to a segment of partners, and follow one plan.

A vendor's planning season in miniature: the program file holds a reseller
plan template; the program administrator stores it, assigns it to every gold
reseller in EMEA for the fiscal year (again, to show nobody gets a second
plan), shares one plan, both sides sign it off, the partner checks a task,
and the vendor reads the plan's progress and the companies table's plan
columns, measured from the partners' scoring activities.
"""

from __future__ import annotations

import pendulum

from partnerkit.core import Money
from partnerkit.partners import Actor, Partner, PartnerFilter
from partnerkit.program import Program
from partnerkit.scoring import Activity
from partnerkit.services import (
    Context,
    add_partner,
    assign_plans,
    check_plan_task,
    company_plan_rows,
    import_program_templates,
    plan_progress_of,
    share_plan,
    sign_off_plan,
)
from partnerkit.storage import MemoryStorage
from partnerkit.testing import FixedClock

PROGRAM_FILE = """
[program]
key = "emea-partners"
name = "EMEA Partner Program"
currency = "EUR"
timezone = "Europe/Berlin"

[[plans.templates]]
id = "reseller-2026"
name = "Reseller plan"
purpose = "Grow new business together"

[[plans.templates.sections]]
key = "sales"
title = "Revenue"

[[plans.templates.sections.objectives]]
key = "arr"
title = "New ARR"
kind = "new_arr"
weight = 60
targets = { q1 = "25000", q2 = "25000", q3 = "25000", q4 = "25000" }

[[plans.templates.sections.objectives]]
key = "won"
title = "Deals won"
kind = "deals_won"
weight = 40
targets = { year = "20" }

[[plans.templates.sections.tasks]]
key = "forecast"
title = "Share a pipeline forecast"
due = "q1"
"""


def main() -> None:
    program = Program.from_toml_string(PROGRAM_FILE)
    clock = FixedClock(pendulum.datetime(2026, 5, 15, 9, tz="Europe/Berlin"))
    vendor = Context(Actor("vera", "program_administrator"), clock, program)
    storage = MemoryStorage()

    partners = [
        Partner("p-nord", "Nordlicht IT GmbH", "nordlicht-it.de", "reseller", region="EMEA",
                tier="gold"),
        Partner("p-lyon", "Rhône Cloud SAS", "rhone-cloud.fr", "reseller", region="EMEA",
                tier="gold"),
        Partner("p-leeds", "Aire Data Ltd", "airedata.co.uk", "reseller", region="EMEA",
                tier="silver"),
        Partner("p-perth", "Swan Secure Pty", "swansecure.com.au", "reseller", region="APAC",
                tier="gold"),
    ]  # fmt: skip
    for partner in partners:
        with storage.unit_of_work() as uow:
            add_partner(uow, vendor, partner)

    with storage.unit_of_work() as uow:
        imported = import_program_templates(uow, vendor)
    print("templates stored from the program file:", ", ".join(imported.added))

    segment = PartnerFilter(regions="EMEA", tiers="gold", partner_types="reseller")
    for attempt in ("first", "again"):
        with storage.unit_of_work() as uow:
            report = assign_plans(uow, vendor, "reseller-2026", segment)
        print(f"assignment ({attempt}) for fiscal year {report.fiscal_year}:")
        for entry in report.entries:
            print(f"  {entry.partner_id:<8} {entry.outcome:<12} {entry.plan_id}")

    plan_id = report.entries[0].plan_id
    assert plan_id is not None
    executive = vendor.with_actor(Actor("erik", "executive", partner_id="p-lyon"))
    with storage.unit_of_work() as uow:
        share_plan(uow, vendor, plan_id)
    with storage.unit_of_work() as uow:
        sign_off_plan(uow, executive, plan_id)
    with storage.unit_of_work() as uow:
        plan = sign_off_plan(uow, vendor, plan_id)
    signers = ", ".join(f"{s.side.value} {s.actor}" for s in plan.signoffs)
    print(f"{plan.id} is {plan.status.value}, signed by {signers}")
    with storage.unit_of_work() as uow:
        check_plan_task(uow, executive, plan_id, "forecast")

    won = pendulum.datetime(2026, 2, 10, 12, tz="Europe/Berlin")
    activities = [
        Activity("p-lyon", "deal_won", won, amount=Money("18000", "EUR")),
        Activity("p-lyon", "deal_won", won.add(days=60), amount=Money("9000", "EUR")),
        Activity("p-nord", "deal_won", won, amount=Money("4000", "EUR")),
    ]
    with storage.unit_of_work() as uow:
        progress = plan_progress_of(uow, vendor, plan_id, activities)
    print(f"{plan_id} on {progress.as_of}: {progress.completion}% complete")
    for objective in progress.objectives:
        rag = objective.rag.value if objective.rag else "-"
        print(f"  {objective.title:<10} year to date {objective.year.actual}  ({rag})")
    for line in progress.explain("en"):
        print("  behind:", line)

    with storage.unit_of_work() as uow:
        rows = company_plan_rows(uow, vendor, activities)
    print("companies table:")
    for row in rows:
        rag = row.rag.value if row.rag else "-"
        print(
            f"  {row.partner_id:<8} {row.name:<14} {row.status.value:<11} {row.completion}%  {rag}"
        )


if __name__ == "__main__":
    main()
