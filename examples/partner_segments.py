"""Build a few partners and their users, pick a segment, and export it as CSV in German.

A host's account-management screen in miniature: a program administrator adds
partners, partner administrators register their people (with certifications),
and the vendor filters "gold or silver resellers in EMEA with a current sales
certification" to plan next quarter's business reviews.
"""

from __future__ import annotations

from datetime import date

import pendulum

from partnerkit.addresses import Address
from partnerkit.partners import (
    ADMINISTRATOR,
    PROGRAM_ADMINISTRATOR,
    Actor,
    Certification,
    Partner,
    PartnerFilter,
    export_csv,
)
from partnerkit.program import Program
from partnerkit.services import Context, add_partner, list_users, register_user
from partnerkit.storage import PARTNERS, MemoryStorage
from partnerkit.testing import FixedClock

TODAY = date(2026, 11, 23)
SALES = Certification("sales", "Sales Professional", date(2026, 2, 1), date(2027, 2, 1))
LAPSED = Certification("sales", "Sales Professional", date(2024, 1, 15), date(2025, 1, 15))


def main() -> None:
    storage = MemoryStorage()
    clock = FixedClock(pendulum.datetime(2026, 11, 23, 9, tz="Europe/Berlin"))
    program = Program(
        key="emea-partners", name="EMEA Partner Program", currency="EUR", timezone="Europe/Berlin"
    )
    # Every use case runs in a context: who acts, on which clock, in which program.
    vendor = Context(Actor("vera", PROGRAM_ADMINISTRATOR), clock, program)

    partners = [
        Partner("p-nord", "Nordlicht IT GmbH", "https://www.nordlicht-it.de", "reseller",
                region="EMEA", tier="gold", industry="Manufacturing", account_manager="pam-anna",
                agreement_start=date(2025, 4, 1), renewal_date=date(2027, 4, 1), currency="EUR",
                locale="de_DE", address=Address("DE", "Speicherstadt 4", city="Hamburg",
                                                postal_code="20457")),
        Partner("p-lyon", "Rhône Cloud SAS", "rhone-cloud.fr", "reseller", region="EMEA",
                tier="silver", industry="Healthcare", account_manager="pam-anna",
                currency="EUR", locale="fr_FR"),
        Partner("p-tokyo", "Sakura Systems", "sakura-systems.co.jp", "distributor",
                region="APAC", tier="gold", currency="JPY", locale="ja_JP"),
        Partner("p-leeds", "=HYPERLINK(\"evil\") Ltd", "leeds-msp.co.uk", "reseller",
                region="EMEA", tier="gold", currency="GBP", locale="en_GB"),
    ]  # fmt: skip
    with storage.unit_of_work() as uow:
        for partner in partners:
            add_partner(uow, vendor, partner)
    print(f"added {len(partners)} partners")

    people = [
        ("p-nord", "Jana Becker", "jana@nordlicht-it.de", ADMINISTRATOR, (SALES,)),
        ("p-nord", "Tom Weber", "tom@nordlicht-it.de", "user", ()),
        ("p-lyon", "Claire Martin", "claire@rhone-cloud.fr", ADMINISTRATOR, (LAPSED,)),
        ("p-tokyo", "Haruto Sato", "haruto@sakura-systems.co.jp", ADMINISTRATOR, (SALES,)),
        ("p-leeds", "Olivia Brown", "olivia@leeds-msp.co.uk", ADMINISTRATOR, (SALES,)),
    ]
    for partner_id, name, email, role, certifications in people:
        with storage.unit_of_work() as uow:
            register_user(uow, vendor, partner_id, name=name, email=email, role=role,
                          certifications=certifications)  # fmt: skip
    print(f"registered {len(people)} users")

    # Partner administrators see their own users only.
    jana = vendor.with_actor(Actor("PU-000001", ADMINISTRATOR, partner_id="p-nord"))
    with storage.unit_of_work() as uow:
        page = list_users(uow, jana, "p-nord", status="registered")
        print("Nordlicht's registered users:", ", ".join(u.name for u in page))
        stored = list(uow.repository(PARTNERS).list(limit=100))
        users = [u for p in stored for u in list_users(uow, vendor, p.id, limit=100)]

    segment = PartnerFilter(
        partner_types="reseller", regions="EMEA", tiers={"gold", "silver"}, certification="sales"
    )
    chosen = segment.apply(stored, users, as_of=TODAY)
    print("segment:", ", ".join(p.name for p in chosen))

    columns = ["name", "domain", "tier", "stage", "account_manager", "renewal_date", "city"]
    print(export_csv(chosen, columns, locale="de_DE"), end="")


if __name__ == "__main__":
    main()
