"""Random command sequences through the deal services, on both backends, keep the invariants.

After every step: each stage was reached through the stage table, each audit
trail is complete and ordered, no two prospects share a domain, and no
partner sees another partner's registration.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from deal_factories import (
    NOW,
    PARTNERS,
    VENDOR,
    ctx,
    make_form,
    make_storage,
    partner_user,
    priced_program,
    with_policy,
)
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from partnerkit.core.errors import Conflict, InvalidTransition, ValidationError
from partnerkit.deals import TRANSITIONS, DealQuery, DealRegistration, Stage
from partnerkit.partners import Actor
from partnerkit.quoting import OrderStatus, QuoteStatus
from partnerkit.services import (
    Context,
    accept_quote,
    approve_deal,
    decide_extension,
    decline_deal,
    expire_due,
    mark_deal_lost,
    register_deal,
    request_extension,
    search_deals,
    send_quote,
    start_order,
    submit_order,
    withdraw_deal,
)
from partnerkit.storage import DEAL_REGISTRATIONS, ORDERS, PROSPECTS, QUOTES, Storage
from partnerkit.testing import FixedClock

DOMAINS = ("acme.example", "www.acme.example", "globex.example", "initech.example")
PRODUCTS = ("email-security", "archiving")
USERS = {key: partner_user(key) for key in PARTNERS}
# Every (from, to) pair the table allows.
ALLOWED = {(source, t.target) for t in TRANSITIONS for source in t.sources}
TARGETS = {t.name: t.target for t in TRANSITIONS}
SOURCES = {t.name: t.sources for t in TRANSITIONS}
NEXT_STEP = {
    Stage.OPPORTUNITY: "approve",
    Stage.APPROVED: "start_order",
    Stage.ORDER_STARTED: "submit_order",
}
# Approvals make quotes (flagged channel conflicts let several partners hold a prospect).
PROGRAM = with_policy(priced_program(), channel_conflict="flag")


class NothingToOrder(Exception):
    """The registration has no quote to order, or no started order to submit."""


def _order_from_quote(storage: Storage, partner: Context, deal: DealRegistration) -> None:
    """Send and accept the registration's approval quote as needed, then start its order."""
    with storage.unit_of_work() as uow:
        quotes = uow.repository(QUOTES).list({"registration_id": deal.id}).items
    if not quotes:
        raise NothingToOrder("never approved: no quote")
    (quote,) = quotes
    steps = {QuoteStatus.DRAFT: [send_quote, accept_quote], QuoteStatus.SENT: [accept_quote]}
    for step in [*steps.get(quote.status, []), start_order]:
        with storage.unit_of_work() as uow:
            step(uow, partner, quote.id)


def _submit_the_order(storage: Storage, partner: Context, deal: DealRegistration) -> None:
    """Submit the started order made from the registration's quote."""
    with storage.unit_of_work() as uow:
        orders = uow.repository(ORDERS).list({"registration_id": deal.id}).items
        if not orders or orders[0].status is not OrderStatus.STARTED:
            raise NothingToOrder("no started order")
        submit_order(uow, partner, orders[0].id, purchase_order="PO-1")


class DealLifecycle(RuleBasedStateMachine):
    backend = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="deals-sm-"))
        self.storage = make_storage(self.backend, self.folder)
        self.clock = FixedClock(NOW)
        self.ids: list[str] = []

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _deal(self, id: str) -> DealRegistration:
        with self.storage.unit_of_work() as uow:
            return uow.repository(DEAL_REGISTRATIONS).get(id)

    def _ctx(self, actor: Actor) -> Context:
        return ctx(actor, self.clock, PROGRAM)

    @rule(
        partner=st.sampled_from(sorted(PARTNERS)),
        domain=st.sampled_from(DOMAINS),
        product=st.sampled_from(PRODUCTS),
    )
    def register(self, partner: str, domain: str, product: str) -> None:
        close = self.clock.now().date() + timedelta(days=90)
        with self.storage.unit_of_work() as uow:
            try:
                deal = register_deal(
                    uow,
                    self._ctx(USERS[partner]),
                    make_form(domain, product=product, close_date=close),
                )
            except ValidationError as exc:
                refused: ValidationError | None = exc
            else:
                refused = None
        if refused is not None:
            # Only a second active registration of one partner, prospect and product.
            assert refused.paths == ("opportunity.product",)
            return
        self.ids.append(deal.id)

    @rule(
        index=st.integers(min_value=0, max_value=50),
        action=st.sampled_from(
            ["approve", "decline", "start_order", "submit_order", "withdraw", "mark_lost"]
        ),
    )
    def move(self, index: int, action: str) -> None:
        if self.ids:
            self._move(self.ids[index % len(self.ids)], action)

    @rule(index=st.integers(min_value=0, max_value=50))
    def follow_the_main_path(self, index: int) -> None:
        # Random moves seldom hit a registration the sweep has not closed yet: this takes
        # one on the main path a step further, so runs also reach submitted orders.
        with self.storage.unit_of_work() as uow:
            where = {"stage": [stage.value for stage in NEXT_STEP]}
            found = uow.repository(DEAL_REGISTRATIONS).list(where, limit=1000).items
        if found:
            deal = sorted(found, key=lambda d: d.id)[index % len(found)]
            self._move(deal.id, NEXT_STEP[deal.stage])

    def _move(self, id: str, action: str) -> None:
        before = self._deal(id)
        vendor = self._ctx(VENDOR)
        # Orders are the partner's: they go through the registration's approval quote.
        partner = self._ctx(USERS[before.partner_id])
        try:
            if action == "start_order":
                _order_from_quote(self.storage, partner, before)
            elif action == "submit_order":
                _submit_the_order(self.storage, partner, before)
            else:
                with self.storage.unit_of_work() as uow:
                    if action == "approve":
                        approve_deal(uow, vendor, id)
                    elif action == "decline":
                        decline_deal(uow, vendor, id, "not qualified")
                    elif action == "withdraw":
                        withdraw_deal(uow, vendor, id)
                    else:
                        mark_deal_lost(uow, vendor, id)
        except (InvalidTransition, Conflict, NothingToOrder):
            # Refused (a Conflict: the quote already has its order); the registration did
            # not move.
            assert self._deal(id) == before
            return
        after = self._deal(id)
        if before.stage not in SOURCES[action]:
            # An order of a registration that is not (or no longer) at the order's step:
            # the order goes ahead, the registration stays where it is.
            assert action in ("start_order", "submit_order")
            assert after == before
            return
        assert (before.stage, after.stage) in ALLOWED
        late = before.due_expiry(vendor.today())
        if action in ("start_order", "submit_order") and late is not None:
            # Past its deadline for the step: the order expires it, as the sweep would.
            assert after.stage is Stage.EXPIRED
            assert after.audit[-1].note == late
            return
        assert after.stage is TARGETS[action]

    @rule(index=st.integers(min_value=0, max_value=50), grant=st.booleans())
    def extend(self, index: int, grant: bool) -> None:
        if not self.ids:
            return
        id = self.ids[index % len(self.ids)]
        with self.storage.unit_of_work() as uow:
            deal = uow.repository(DEAL_REGISTRATIONS).get(id)
        try:
            with self.storage.unit_of_work() as uow:
                request_extension(
                    uow, self._ctx(USERS[deal.partner_id]), id, "customer board moved"
                )
            with self.storage.unit_of_work() as uow:
                decide_extension(uow, self._ctx(VENDOR), id, grant=grant)
        except InvalidTransition:
            pass

    @rule(days=st.integers(min_value=0, max_value=40))
    def time_passes_and_the_sweep_runs(self, days: int) -> None:
        self.clock.advance(days=days)
        with self.storage.unit_of_work() as uow:
            report = expire_due(uow, Context.system(self.clock, PROGRAM))
        for id, _ in report.expired:
            assert self._deal(id).stage is Stage.EXPIRED

    @invariant()
    def audit_trails_are_complete_ordered_and_follow_the_table(self) -> None:
        with self.storage.unit_of_work() as uow:
            deals = uow.repository(DEAL_REGISTRATIONS).list(limit=1000).items
        assert sorted(d.id for d in deals) == sorted(self.ids)
        for deal in deals:
            trail = deal.audit
            assert trail[0].from_stage is None
            assert trail[0].to_stage is Stage.OPPORTUNITY
            for previous, entry in itertools.pairwise(trail):
                assert entry.from_stage is previous.to_stage
                assert entry.at >= previous.at
                assert entry.from_stage is entry.to_stage or (
                    (entry.from_stage, entry.to_stage) in ALLOWED
                )
            assert trail[-1].to_stage is deal.stage

    @invariant()
    def one_prospect_per_domain(self) -> None:
        with self.storage.unit_of_work() as uow:
            prospects = uow.repository(PROSPECTS).list(limit=1000).items
        domains = [p.domain for p in prospects]
        assert len(domains) == len(set(domains))

    @invariant()
    def no_partner_sees_another_partners_deal(self) -> None:
        with self.storage.unit_of_work() as uow:
            everything = search_deals(uow, self._ctx(VENDOR), DealQuery(limit=1000)).items
            for key, user in USERS.items():
                seen = search_deals(uow, self._ctx(user), DealQuery(limit=1000)).items
                assert all(d.partner_id == key for d in seen)
                assert len(seen) == sum(d.partner_id == key for d in everything)


class SqliteDealLifecycle(DealLifecycle):
    backend = "sqlite"


TestDealLifecycleInMemory = DealLifecycle.TestCase
TestDealLifecycleInMemory.settings = settings(
    max_examples=60, stateful_step_count=25, deadline=None
)
TestDealLifecycleInSqlite = SqliteDealLifecycle.TestCase
TestDealLifecycleInSqlite.settings = settings(
    max_examples=20, stateful_step_count=20, deadline=None
)
