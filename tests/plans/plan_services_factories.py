"""A program, its partners and a published template for the plan use-case tests."""

from __future__ import annotations

import pendulum
from plan_factories import ENABLEMENT, SALES

from partnerkit.core import Clock, DomainEvent, EventDispatcher
from partnerkit.partners import (
    ADMINISTRATOR,
    EXECUTIVE,
    MANAGER,
    PARTNER_ACCOUNT_MANAGER,
    PROGRAM_ADMINISTRATOR,
    USER,
    Actor,
    Partner,
)
from partnerkit.plans import PlanTemplate
from partnerkit.program import Program
from partnerkit.services import Context, add_partner, create_template, publish_template
from partnerkit.storage import Storage
from partnerkit.testing import FixedClock, make_program

NOW = pendulum.datetime(2026, 2, 10, 9, tz="Europe/London")
PROGRAM: Program = make_program(key="plans", currency="EUR", timezone="Europe/London")

VENDOR = Actor("vera", PROGRAM_ADMINISTRATOR)
MANAGER_P1 = Actor("pam", PARTNER_ACCOUNT_MANAGER, managed_partner_ids={"p1"})
ADMIN_P1 = Actor("ada", ADMINISTRATOR, partner_id="p1")
EXEC_P1 = Actor("eve", EXECUTIVE, partner_id="p1")
BOSS_P1 = Actor("max", MANAGER, partner_id="p1")
USER_P1 = Actor("ulf", USER, partner_id="p1")
ADMIN_P2 = Actor("bea", ADMINISTRATOR, partner_id="p2")

#: The partners seeded: (id, region, tier).
PARTNERS = (("p1", "EMEA", "gold"), ("p2", "EMEA", "silver"), ("p3", "APAC", "gold"))


def on(actor: Actor, clock: Clock | None = None, program: Program = PROGRAM) -> Context:
    """``actor``'s context on ``clock`` (at :data:`NOW` by default) in :data:`PROGRAM`."""
    return Context(actor, clock or FixedClock(NOW), program)


def watch(storage: Storage) -> list[DomainEvent]:
    """The events the storage's dispatcher publishes from now on."""
    seen: list[DomainEvent] = []
    dispatcher: EventDispatcher = storage.dispatcher  # type: ignore[attr-defined]
    dispatcher.subscribe(DomainEvent, seen.append)
    return seen


def seed(storage: Storage) -> PlanTemplate:
    """Three partners and one published template (sales and enablement), through the use cases."""
    vendor = on(VENDOR)
    for pid, region, tier in PARTNERS:
        partner = Partner(
            pid, f"Partner {pid}", f"{pid}.example", "reseller", region=region, tier=tier
        )
        with storage.unit_of_work() as uow:
            add_partner(uow, vendor, partner)
    with storage.unit_of_work() as uow:
        draft = create_template(uow, vendor, "Reseller plan", sections=(SALES, ENABLEMENT))
    with storage.unit_of_work() as uow:
        return publish_template(uow, vendor, draft.id)
