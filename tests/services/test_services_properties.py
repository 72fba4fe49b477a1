"""Property tests of the use-case rules, by random deal-registration calls on the memory backend.

A hypothesis state machine calls the deal use cases (register, approve,
decline, withdraw, mark lost, ask for and decide an extension, expire, get,
search) as random actors, authorized or not, on random registrations (their
own partner's, another partner's, or none) with good and bad arguments. The
host's unit of work is wrapped to count commits, and the dispatcher notes what
was committed when it publishes. After every call:

- a call that raised changed nothing, committed nothing and published
  nothing, even when the host commits anyway after catching the error;
- a call that returned committed exactly once if it writes, never if it
  only reads, and published its events only after its commit (what a
  handler would read is everything the call wrote);
- a partner-side actor only ever gets its own partner's registrations, an
  account manager only those of the partners they manage;
- a registration the actor may not reach fails exactly like one that does
  not exist (ids cannot be probed);
- every stored registration's audit trail follows the stage table and leads
  to its stage, and its number is unique.

A second machine does the same with the partner-user use cases (register,
edit, deregister, reregister, list), where e-mails must stay unique and each
partner's ``registered_administrators`` must match its registered
administrators and never drop to zero.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import date, timedelta

import pendulum
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from partnerkit.addresses import Address
from partnerkit.contacts import Contact
from partnerkit.core import DomainEvent, Money
from partnerkit.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from partnerkit.deals import (
    TRANSITIONS,
    CompanySection,
    DealQuery,
    DealRegistration,
    OpportunitySection,
    PartnerSection,
    RegistrationForm,
)
from partnerkit.partners import (
    ADMINISTRATOR,
    EXECUTIVE,
    PARTNER_ACCOUNT_MANAGER,
    PROGRAM_ADMINISTRATOR,
    USER,
    Actor,
    Partner,
    PartnerUser,
)
from partnerkit.services import (
    Context,
    approve_deal,
    decide_extension,
    decline_deal,
    deregister_user,
    edit_user,
    expire_due,
    get_deal,
    list_users,
    mark_deal_lost,
    register_deal,
    register_user,
    request_extension,
    reregister_user,
    search_deals,
    withdraw_deal,
)
from partnerkit.storage import (
    DEAL_REGISTRATIONS,
    PARTNER_USERS,
    PARTNERS,
    MemoryStorage,
    Page,
    UnitOfWork,
)
from partnerkit.testing import FixedClock, make_program
from services.faults import EventRecorder, FaultyStorage, Snapshot, describe_changes, snapshot

NOW = pendulum.datetime(2026, 11, 23, 9, tz="Europe/London")
PROGRAM = make_program(currency="GBP", locale="en_GB", timezone="Europe/London")
PARTNER_RECORDS = (
    Partner("p1", "Northwind Resellers", "northwind.example", "reseller"),
    Partner("p2", "Contoso Channel", "contoso.example", "reseller"),
)
REPS = (
    PartnerUser("alice", "p1", "Alice", "alice@northwind.example"),
    PartnerUser("bob", "p2", "Bob", "bob@contoso.example"),
)
ACTORS = (
    Actor("vera", PROGRAM_ADMINISTRATOR),
    Actor("amy", PARTNER_ACCOUNT_MANAGER, managed_partner_ids=frozenset({"p1"})),
    Actor("alice", USER, partner_id="p1"),
    Actor("ada", ADMINISTRATOR, partner_id="p1"),
    Actor("bob", USER, partner_id="p2"),
    Actor("eve", EXECUTIVE, partner_id="p2"),
)
#: Good domains, a free-mail one and a malformed one (both refused).
DOMAINS = ("acme.example", "globex.example", "initech.example", "gmail.com", "not a domain")
PRODUCTS = ("email-security", "archiving")
REASONS = ("not qualified", "", "   ")
MISSING = "DR-2026-999999"
REFUSALS = (InvalidTransition, NotFound, PermissionDenied, ValidationError)
#: Every (from, to) stage pair the stage table allows.
ALLOWED = {(source, t.target) for t in TRANSITIONS for source in t.sources}
#: The use cases that only read: they never commit.
READING = frozenset({"get", "search", "list_users"})

Call = Callable[[UnitOfWork, Context], object]


def make_form(domain: str, product: str, close_date: date) -> RegistrationForm:
    return RegistrationForm(
        CompanySection("Acme Ltd", f"https://www.{domain}/"),
        PartnerSection("Jo Bloggs", "020 7183 8750"),
        Contact(
            "Ada",
            "Lovelace",
            "ada@acme.example",
            phone="020 7946 0958",
            position="CIO",
            role="decision_maker",
            address=Address("GB", "1 Main St", city="London", postal_code="ec1y8sy"),
        ),
        OpportunitySection(
            product=product,
            users=250,
            projected_value=Money("12000", "GBP"),
            close_date=close_date,
            budget_approved=True,
            priority="high",
            problems="Too much spam.",
            meeting_date=date(2026, 12, 2),
            migrating_to="microsoft_365",
        ),
    )


def reaches(actor: Actor, partner_id: str) -> bool:
    """Whether ``actor`` may see the registrations of ``partner_id`` at all."""
    if actor.partner_id is not None:
        return actor.partner_id == partner_id
    return actor.role == PROGRAM_ADMINISTRATOR or partner_id in actor.managed_partner_ids


class PublishedAfterCommit(EventRecorder):
    """Keeps, with every batch it publishes, what was committed at that moment."""

    __slots__ = ("seen", "storage")

    def __init__(self) -> None:
        super().__init__()
        self.storage: MemoryStorage | None = None
        self.seen: list[Snapshot] = []

    def publish(self, events: Iterable[DomainEvent]) -> None:
        assert self.storage is not None
        self.seen.append(snapshot(self.storage))
        super().publish(events)

    def clear(self) -> None:
        super().clear()
        self.seen.clear()


class UseCaseRules(RuleBasedStateMachine):
    """A memory storage with the two partners, and the check of every call against the rules."""

    #: What a call may raise: anything else fails the test.
    refusals: tuple[type[Exception], ...] = REFUSALS

    def __init__(self) -> None:
        super().__init__()
        self.recorder = PublishedAfterCommit()
        self.storage = MemoryStorage(self.recorder)
        self.recorder.storage = self.storage
        self.clock = FixedClock(NOW)
        with self.storage.unit_of_work() as uow:
            for partner in PARTNER_RECORDS:
                uow.repository(PARTNERS).add(partner)
            uow.commit()

    def _ctx(self, actor: Actor) -> Context:
        return Context(actor, self.clock, PROGRAM)

    def _check(self, name: str, actor: Actor, call: Call) -> tuple[object, Exception | None]:
        """Run ``call`` as the host would and check the commit rule; return its outcome."""
        before = snapshot(self.storage)
        self.recorder.clear()
        host = FaultyStorage(self.storage)  # fails nothing: counts the commits
        result: object = None
        error: Exception | None = None
        with host.unit_of_work() as uow:
            try:
                result = call(uow, self._ctx(actor))
            except self.refusals as exc:
                error = exc
            commits = uow.commits
            if error is not None:
                uow.commit()  # the host caught the error and commits anyway
        after = snapshot(self.storage)
        published = list(self.recorder.published)
        where = f"{name} by {actor.role} {actor.user_id!r}"
        event(f"{name}: {'done' if error is None else type(error).__name__}")
        if error is not None:
            assert after == before, f"{where} raised {error!r} but changed:\n" + describe_changes(
                before, after
            )
            assert commits == 0, f"{where} raised {error!r} after committing"
            assert not published, f"{where} raised {error!r} but published {published}"
            return None, error
        if name in READING:
            assert commits == 0, f"{where} only reads but committed {commits} time(s)"
            assert after == before
        else:
            assert commits == 1, f"{where} committed {commits} times"
        assert (after != before) == bool(published), f"{where}: changes and events disagree"
        for seen in self.recorder.seen:
            assert seen == after, f"{where} published before its writes were committed"
        return result, None


class DealUseCases(UseCaseRules):
    """Random deal use cases by random actors; every call is checked against the rules."""

    def __init__(self) -> None:
        super().__init__()
        with self.storage.unit_of_work() as uow:
            for rep in REPS:
                uow.repository(PARTNER_USERS).add(rep)
            uow.commit()
        self.ids: list[str] = []

    def _stored(self, id: str) -> DealRegistration | None:
        with self.storage.unit_of_work() as uow:
            return uow.repository(DEAL_REGISTRATIONS).find(id)

    def _target(self, index: int) -> str:
        return self.ids[index % len(self.ids)] if self.ids and index >= 0 else MISSING

    def _calls(self, action: str, id: str, reason: str, grant: bool) -> Call:
        if action == "approve":
            return lambda uow, ctx: approve_deal(uow, ctx, id)
        if action == "decline":
            return lambda uow, ctx: decline_deal(uow, ctx, id, reason)
        if action == "withdraw":
            return lambda uow, ctx: withdraw_deal(uow, ctx, id, reason)
        if action == "mark_lost":
            return lambda uow, ctx: mark_deal_lost(uow, ctx, id, reason)
        if action == "request_extension":
            return lambda uow, ctx: request_extension(uow, ctx, id, reason)
        if action == "decide_extension":
            return lambda uow, ctx: decide_extension(uow, ctx, id, grant=grant, note=reason)
        assert action == "get"
        return lambda uow, ctx: get_deal(uow, ctx, id)

    # -- rules ------------------------------------------------------------------------------

    @initialize()
    def each_partner_registers_a_deal(self) -> None:
        for actor, domain in ((ACTORS[2], DOMAINS[0]), (ACTORS[4], DOMAINS[1])):
            self.register(actor, domain, PRODUCTS[0], 90)
        assert len(self.ids) == 2

    @rule(
        actor=st.sampled_from(ACTORS) | st.sampled_from(ACTORS[2:]),
        domain=st.sampled_from(DOMAINS) | st.sampled_from(DOMAINS[:3]),
        product=st.sampled_from(PRODUCTS),
        days=st.sampled_from((90, 90, 30, -1)),
    )
    def register(self, actor: Actor, domain: str, product: str, days: int) -> None:
        # Mostly partner-side actors and good forms: registrations are what the others act on.
        form = make_form(domain, product, self.clock.now().date() + timedelta(days=days))
        result, error = self._check(
            "register", actor, lambda uow, ctx: register_deal(uow, ctx, form)
        )
        if error is None:
            assert isinstance(result, DealRegistration)
            assert result.partner_id == actor.partner_id
            assert self._stored(result.id) == result
            self.ids.append(result.id)
        elif actor.partner_id is None:
            assert isinstance(error, PermissionDenied)  # deals are registered by partners

    @rule(
        actor=st.sampled_from(ACTORS) | st.sampled_from(ACTORS[:2]),
        action=st.sampled_from(
            (
                "approve",
                "decline",
                "withdraw",
                "mark_lost",
                "request_extension",
                "decide_extension",
                "get",
            )
        )
        | st.just("approve"),
        index=st.integers(-1, 20),
        reason=st.sampled_from(REASONS),
        grant=st.booleans(),
    )
    def act_on_a_registration(
        self, actor: Actor, action: str, index: int, reason: str, grant: bool
    ) -> None:
        self._act(actor, action, self._target(index), reason, grant)

    @rule(
        actor=st.none() | st.sampled_from(ACTORS),
        action=st.sampled_from(("mark_lost", "request_extension", "decide_extension")),
        index=st.integers(0, 20),
        reason=st.just(REASONS[0]) | st.sampled_from(REASONS),
        grant=st.booleans(),
    )
    def act_on_an_approved_registration(
        self, actor: Actor | None, action: str, index: int, reason: str, grant: bool
    ) -> None:
        # Random targets are seldom approved still: these steps need one that is, and the
        # extension steps its own partner's rep (actor None) or the vendor.
        with self.storage.unit_of_work() as uow:
            approved = uow.repository(DEAL_REGISTRATIONS).list({"stage": "approved"}).items
        if not approved:
            return
        deal = approved[index % len(approved)]
        if actor is None:
            rep = ACTORS[2] if deal.partner_id == "p1" else ACTORS[4]
            actor = rep if action == "request_extension" else ACTORS[0]
        self._act(actor, action, deal.id, reason, grant)

    def _act(self, actor: Actor, action: str, id: str, reason: str, grant: bool) -> None:
        held = self._stored(id)
        result, error = self._check(action, actor, self._calls(action, id, reason, grant))
        if held is None or not reaches(actor, held.partner_id):
            # Out of reach: exactly what a registration that does not exist gives.
            assert error is not None, f"{action} by {actor.user_id!r} reached {id}"
            _, missing = self._check(action, actor, self._calls(action, MISSING, reason, grant))
            assert type(error) is type(missing), (error, missing)
            return
        if error is None:
            assert isinstance(result, DealRegistration)
            assert result.id == id
            assert result.partner_id == held.partner_id
            assert self._stored(id) == result

    @rule(actor=st.sampled_from(ACTORS), partner=st.sampled_from((None, "p1", "p2")))
    def search(self, actor: Actor, partner: str | None) -> None:
        query = DealQuery(partner_id=partner, limit=1000)
        result, _ = self._check("search", actor, lambda uow, ctx: search_deals(uow, ctx, query))
        if result is None:
            return
        assert isinstance(result, Page)
        found = list(result.items)
        assert all(isinstance(d, DealRegistration) for d in found)
        assert all(reaches(actor, d.partner_id) for d in found)
        assert all(partner is None or d.partner_id == partner for d in found)

    @rule(actor=st.sampled_from(ACTORS), days=st.integers(0, 40))
    def time_passes_and_the_sweep_runs(self, actor: Actor, days: int) -> None:
        self.clock.advance(days=days)
        self._check("expire_due", actor, lambda uow, ctx: expire_due(uow, ctx))

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def stored_registrations_follow_their_audit_trail(self) -> None:
        with self.storage.unit_of_work() as uow:
            deals = uow.repository(DEAL_REGISTRATIONS).list(limit=1000).items
        assert sorted(d.id for d in deals) == sorted(self.ids)
        numbers = [d.number for d in deals]
        assert len(numbers) == len(set(numbers))
        for deal in deals:
            assert deal.audit[0].from_stage is None
            assert deal.audit[-1].to_stage is deal.stage
            for previous, entry in itertools.pairwise(deal.audit):
                assert entry.from_stage is previous.to_stage
                assert entry.at >= previous.at
                moved = (entry.from_stage, entry.to_stage)
                assert entry.from_stage is entry.to_stage or moved in ALLOWED, moved
            assert deal.partner_id in {p.id for p in PARTNER_RECORDS}


USER_ACTORS = (
    Actor("vera", PROGRAM_ADMINISTRATOR),
    Actor("amy", PARTNER_ACCOUNT_MANAGER, managed_partner_ids=frozenset({"p1"})),
    Actor("ada", ADMINISTRATOR, partner_id="p1"),
    Actor("alice", USER, partner_id="p1"),
    Actor("xena", ADMINISTRATOR, partner_id="p2"),
)
EMAILS = ("a@northwind.example", "b@northwind.example", "c@contoso.example", "not an e-mail")
ROLES = (ADMINISTRATOR, USER, EXECUTIVE, "bogus")
MISSING_USER = "PU-999999"


class PartnerUserUseCases(UseCaseRules):
    """Random partner-user use cases by random actors: the rules, and the administrator count.

    Beyond the rules every call is checked against: e-mails stay unique, and
    each partner's ``registered_administrators`` is the number of its
    registered administrators, never below one once it had one.
    """

    refusals = (*REFUSALS, Conflict)

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    @initialize()
    def each_partner_gets_an_administrator(self) -> None:
        for partner, email in (("p1", "admin@northwind.example"), ("p2", "admin@contoso.example")):
            self.register(USER_ACTORS[0], partner, email, ADMINISTRATOR)
        assert len(self.ids) == 2

    def _user(self, id: str) -> PartnerUser | None:
        with self.storage.unit_of_work() as uow:
            return uow.repository(PARTNER_USERS).find(id)

    @rule(
        actor=st.sampled_from(USER_ACTORS),
        partner=st.sampled_from(("p1", "p2", "p9")),
        email=st.sampled_from(EMAILS),
        role=st.sampled_from(ROLES),
    )
    def register(self, actor: Actor, partner: str, email: str, role: str) -> None:
        result, error = self._check(
            "register_user",
            actor,
            lambda uow, ctx: register_user(uow, ctx, partner, name="Pat", email=email, role=role),
        )
        if error is None:
            assert isinstance(result, PartnerUser)
            assert result.partner_id == partner
            assert reaches(actor, partner)
            self.ids.append(result.id)

    @rule(
        actor=st.sampled_from(USER_ACTORS),
        action=st.sampled_from(("edit", "deregister", "reregister")),
        index=st.integers(-1, 20),
        email=st.none() | st.sampled_from(EMAILS),
        role=st.none() | st.sampled_from(ROLES),
    )
    def change(
        self, actor: Actor, action: str, index: int, email: str | None, role: str | None
    ) -> None:
        id = self.ids[index % len(self.ids)] if self.ids and index >= 0 else MISSING_USER
        held = self._user(id)

        def calls(target: str) -> Call:
            if action == "edit":
                return lambda uow, ctx: edit_user(uow, ctx, target, email=email, role=role)
            if action == "deregister":
                return lambda uow, ctx: deregister_user(uow, ctx, target)
            return lambda uow, ctx: reregister_user(uow, ctx, target)

        result, error = self._check(f"{action}_user", actor, calls(id))
        if held is None or not reaches(actor, held.partner_id):
            assert error is not None, f"{action} by {actor.user_id!r} reached {id}"
            _, missing = self._check(f"{action}_user", actor, calls(MISSING_USER))
            assert type(error) is type(missing), (error, missing)
        elif error is None:
            assert isinstance(result, PartnerUser)
            assert (result.id, result.partner_id) == (held.id, held.partner_id)

    @rule(
        actor=st.sampled_from(USER_ACTORS),
        partner=st.sampled_from(("p1", "p2", "p9")),
        status=st.sampled_from((None, "registered", "deregistered", "bogus")),
    )
    def list_them(self, actor: Actor, partner: str, status: str | None) -> None:
        result, error = self._check(
            "list_users",
            actor,
            lambda uow, ctx: list_users(uow, ctx, partner, status=status, limit=1000),
        )
        if error is None:
            assert isinstance(result, Page)
            assert reaches(actor, partner)
            assert all(u.partner_id == partner for u in result.items)
        elif partner != "p9" and not reaches(actor, partner):
            _, missing = self._check(
                "list_users", actor, lambda uow, ctx: list_users(uow, ctx, "p9", status=status)
            )
            assert type(error) is type(missing), (error, missing)

    @invariant()
    def emails_are_unique_and_every_partner_keeps_its_administrator_count(self) -> None:
        with self.storage.unit_of_work() as uow:
            users = uow.repository(PARTNER_USERS).list(limit=1000).items
            partners = uow.repository(PARTNERS).list(limit=1000).items
        assert sorted(u.id for u in users) == sorted(self.ids)
        emails = [u.email.lower() for u in users]
        assert len(emails) == len(set(emails))
        for partner in partners:
            admins = sum(
                u.partner_id == partner.id and u.is_registered_administrator for u in users
            )
            assert partner.registered_administrators == admins
            if len(self.ids) >= 2:
                assert admins >= 1, f"{partner.id} lost its last registered administrator"


TestDealUseCases = DealUseCases.TestCase
TestDealUseCases.settings = settings(stateful_step_count=30, deadline=None)
TestPartnerUserUseCases = PartnerUserUseCases.TestCase
TestPartnerUserUseCases.settings = settings(stateful_step_count=30, deadline=None)
