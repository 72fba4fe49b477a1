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

from deal_factories import NOW, PARTNERS, VENDOR, make_form, make_storage, partner_user
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from partnerkit.core.errors import InvalidTransition, ValidationError
from partnerkit.deals import TRANSITIONS, DealQuery, RegistrationPolicy, Stage
from partnerkit.services import (
    DEAL_REGISTRATIONS,
    PROSPECTS,
    approve_deal,
    decide_extension,
    decline_deal,
    expire_due,
    mark_deal_lost,
    register_deal,
    request_extension,
    search_deals,
    start_order,
    submit_order,
    withdraw_deal,
)
from partnerkit.testing import FixedClock

DOMAINS = ("acme.example", "www.acme.example", "globex.example", "initech.example")
PRODUCTS = ("email-security", "archiving")
USERS = {key: partner_user(key) for key in PARTNERS}
# Every (from, to) pair the table allows.
ALLOWED = {(source, t.target) for t in TRANSITIONS for source in t.sources}
TARGETS = {t.name: t.target for t in TRANSITIONS}


class DealLifecycle(RuleBasedStateMachine):
    backend = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="deals-sm-"))
        self.storage = make_storage(self.backend, self.folder)
        self.clock = FixedClock(NOW)
        self.policy = RegistrationPolicy(channel_conflict="flag")
        self.ids: list[str] = []

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _stage(self, id: str) -> Stage:
        with self.storage.unit_of_work() as uow:
            return uow.repository(DEAL_REGISTRATIONS).get(id).stage

    @rule(
        partner=st.sampled_from(sorted(PARTNERS)),
        domain=st.sampled_from(DOMAINS),
        product=st.sampled_from(PRODUCTS),
    )
    def register(self, partner: str, domain: str, product: str) -> None:
        with self.storage.unit_of_work() as uow:
            try:
                deal = register_deal(
                    uow,
                    USERS[partner],
                    make_form(
                        domain,
                        product=product,
                        close_date=self.clock.now().date() + timedelta(days=90),
                    ),
                    clock=self.clock,
                    policy=self.policy,
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
        if not self.ids:
            return
        id = self.ids[index % len(self.ids)]
        before = self._stage(id)
        with self.storage.unit_of_work() as uow:
            try:
                if action == "approve":
                    after = approve_deal(uow, VENDOR, id, clock=self.clock, policy=self.policy)
                elif action == "decline":
                    after = decline_deal(uow, VENDOR, id, "not qualified", clock=self.clock)
                elif action == "start_order":
                    after = start_order(uow, VENDOR, id, clock=self.clock)
                elif action == "submit_order":
                    after = submit_order(uow, VENDOR, id, clock=self.clock)
                elif action == "withdraw":
                    after = withdraw_deal(uow, VENDOR, id, clock=self.clock)
                else:
                    after = mark_deal_lost(uow, VENDOR, id, clock=self.clock)
            except InvalidTransition:
                assert self._stage(id) is before
                return
        assert (before, after.stage) in ALLOWED
        assert after.stage is TARGETS[action if action != "withdraw" else "withdraw"]

    @rule(index=st.integers(min_value=0, max_value=50), grant=st.booleans())
    def extend(self, index: int, grant: bool) -> None:
        if not self.ids:
            return
        id = self.ids[index % len(self.ids)]
        with self.storage.unit_of_work() as uow:
            deal = uow.repository(DEAL_REGISTRATIONS).get(id)
        user = USERS[deal.partner_id]
        try:
            with self.storage.unit_of_work() as uow:
                request_extension(uow, user, id, "customer board moved", clock=self.clock)
            with self.storage.unit_of_work() as uow:
                decide_extension(uow, VENDOR, id, grant=grant, clock=self.clock)
        except InvalidTransition:
            pass

    @rule(days=st.integers(min_value=0, max_value=40))
    def time_passes_and_the_sweep_runs(self, days: int) -> None:
        self.clock.advance(days=days)
        with self.storage.unit_of_work() as uow:
            report = expire_due(uow, self.clock.now())
        for id, _ in report.expired:
            assert self._stage(id) is Stage.EXPIRED

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
            everything = search_deals(uow, VENDOR, DealQuery(limit=1000)).items
            for key, user in USERS.items():
                seen = search_deals(uow, user, DealQuery(limit=1000)).items
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
