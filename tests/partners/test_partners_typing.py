"""Static promises: mypy proves partner records satisfy the Owned protocol authorize takes."""

from partnerkit.partners import Actor, Owned, Partner, PartnerUser, authorize

PARTNER: Owned = Partner("p1", "Acme", "acme.example", "reseller")
USER: Owned = PartnerUser("u1", "p1", "Ann", "ann@acme.example")


def test_partners_and_their_users_are_owned_records() -> None:
    admin = Actor("u1", "administrator", partner_id="p1")
    for record in (PARTNER, USER):
        authorize(admin, "manage_users", record)
        assert record.partner_id == "p1"
