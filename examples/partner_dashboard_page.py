"""A partner's Program Success Dashboard as a page, a picture and text; the vendor's view.

A month of one partner's business, the way a host feeds it to partnerkit: its
deals won and approved and its users' certifications as scoring activities, a
business plan signed off with an ARR objective per quarter. The nightly job
snapshots every partner; the partner's administrator opens its dashboard,
which is written here as one self-contained HTML page (open it in a
browser), an SVG picture and plain text; the vendor sees every partner's
statuses at once. The program's readers are German.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pendulum

from partnerkit.core import Money
from partnerkit.dashboard import dashboard_html, dashboard_svg, dashboard_text
from partnerkit.partners import Actor, Partner
from partnerkit.plans import Objective, ObjectiveKind, PeriodTarget, Section
from partnerkit.program import Program
from partnerkit.scoring import Activity
from partnerkit.services import (
    Context,
    add_partner,
    assign_plan,
    create_template,
    partner_dashboard_of,
    publish_template,
    share_plan,
    sign_off_plan,
    snapshot_dashboards,
    vendor_dashboard,
)
from partnerkit.storage import MemoryStorage
from partnerkit.testing import FixedClock

PROGRAM = Program(
    key="dach-partners", name="DACH Partner Program", currency="EUR",
    locale="de_DE", timezone="Europe/Berlin",
)  # fmt: skip


def main() -> None:
    clock = FixedClock(pendulum.datetime(2026, 5, 15, 9, tz="Europe/Berlin"))
    vendor = Context(Actor("vera", "program_administrator"), clock, PROGRAM)
    admin = vendor.with_actor(Actor("anna", "administrator", partner_id="p-alpen"))
    storage = MemoryStorage()
    for partner in (
        Partner("p-alpen", "Alpen Secure GmbH", "alpen-secure.de", "reseller", region="EMEA"),
        Partner("p-rhein", "Rhein Cloud AG", "rhein-cloud.de", "reseller", region="EMEA"),
    ):
        with storage.unit_of_work() as uow:
            add_partner(uow, vendor, partner)

    arr = Objective(
        "arr", "Neuer ARR", ObjectiveKind.NEW_ARR,
        [PeriodTarget(q, Money("20000", "EUR")) for q in ("q1", "q2", "q3", "q4")],
    )  # fmt: skip
    with storage.unit_of_work() as uow:
        draft = create_template(uow, vendor, "Business plan", sections=[Section(
            "sales", "Vertrieb", objectives=[arr])])  # fmt: skip
    with storage.unit_of_work() as uow:
        template = publish_template(uow, vendor, draft.id)
    with storage.unit_of_work() as uow:
        plan = assign_plan(uow, vendor, template.id, "p-alpen")
    with storage.unit_of_work() as uow:
        share_plan(uow, vendor, plan.id)
    with storage.unit_of_work() as uow:
        sign_off_plan(uow, admin, plan.id)
    with storage.unit_of_work() as uow:
        sign_off_plan(uow, vendor, plan.id)

    day = pendulum.datetime(2026, 2, 3, 11, tz="Europe/Berlin")
    activities = [
        Activity("p-alpen", "deal_won", day, amount=Money("14500", "EUR"),
                 attributes={"motion": "new"}),
        Activity("p-alpen", "deal_won", day.add(days=70), amount=Money("6200", "EUR"),
                 attributes={"motion": "upsell"}),
        Activity("p-alpen", "deal_approved", day.add(days=20)),
        Activity("p-alpen", "certification_earned", day.add(days=30), "anna"),
        Activity("p-rhein", "deal_registered", day.add(days=40)),
    ]  # fmt: skip

    with storage.unit_of_work() as uow:
        report = snapshot_dashboards(uow, vendor, activities)
    print(f"snapshots of {report.day}: {', '.join(report.added)}")

    with storage.unit_of_work() as uow:
        board = partner_dashboard_of(uow, admin, "p-alpen", activities)
    for criterion in board.criteria:
        print(" ", criterion.explain(PROGRAM.locale))

    folder = Path(tempfile.mkdtemp(prefix="partnerkit-dashboard-"))
    page = folder / "alpen-secure.html"
    page.write_text(dashboard_html(board, PROGRAM.locale), encoding="utf-8")
    (folder / "alpen-secure.svg").write_text(dashboard_svg(board, PROGRAM.locale), "utf-8")
    print(f"page and picture written to {folder}")
    print(dashboard_text(board, PROGRAM.locale, width=72).splitlines()[0])

    with storage.unit_of_work() as uow:
        overview = vendor_dashboard(uow, vendor, activities)
    for counts in overview.counts:
        if counts.red + counts.amber + counts.green:
            print(f"  {counts.key}: {counts.red} red, {counts.amber} amber, {counts.green} green")


if __name__ == "__main__":
    main()
