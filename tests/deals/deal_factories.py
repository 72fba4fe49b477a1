"""Shared builders for the deals tests: actors, partners, forms, programs, contexts, backends."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import attrs
import pendulum
import pytest

from partnerkit.addresses import Address
from partnerkit.contacts import Contact
from partnerkit.core import Clock, DomainEvent, EventDispatcher, Money, Percentage
from partnerkit.deals import (
    CompanySection,
    OpportunitySection,
    PartnerSection,
    Prospect,
    RegistrationForm,
    RegistrationPolicy,
    validate_registration_form,
)
from partnerkit.partners import PROGRAM_ADMINISTRATOR, USER, Actor, Partner, PartnerUser
from partnerkit.program import Program
from partnerkit.quoting import (
    MarginPolicy,
    Order,
    PriceBook,
    Pricing,
    Product,
    ProductPrice,
    VolumeBand,
)
from partnerkit.services import (
    Context,
    accept_quote,
    approve_deal,
    send_quote,
    start_order,
    submit_order,
)
from partnerkit.storage import (
    DEAL_REGISTRATIONS,
    PARTNER_USERS,
    PROSPECTS,
    QUOTES,
    AggregateSpec,
    MemoryStorage,
    Repository,
    SqliteStorage,
    Storage,
    UnitOfWork,
)
from partnerkit.storage import PARTNERS as PARTNERS_SPEC
from partnerkit.testing import FixedClock, make_program

T = TypeVar("T")
A = TypeVar("A")

NOW = pendulum.datetime(2026, 11, 23, 9, tz="Europe/London")


def partner_user(partner_id: str, name: str = "") -> Actor:
    """A partner's sales rep (role ``user``: may register deals)."""
    return Actor(name or REP_NAMES[partner_id], USER, partner_id=partner_id)


REP_NAMES = {"p1": "alice", "p2": "bob", "p3": "carol"}
ALICE = partner_user("p1")
BOB = partner_user("p2")
VENDOR = Actor("vera", PROGRAM_ADMINISTRATOR)
PARTNERS = {
    "p1": Partner("p1", "Northwind Resellers", "northwind.example", "reseller"),
    "p2": Partner("p2", "Contoso Channel", "contoso.example", "reseller"),
    "p3": Partner("p3", "Fabrikam IT", "fabrikam.example", "reseller"),
}
#: The registering reps' own records: their e-mail fills the partner section.
REPS = {
    key: PartnerUser(REP_NAMES[key], key, "Rep", f"rep@{partner.domain}")
    for key, partner in PARTNERS.items()
}


def make_form(
    domain: str = "acme.co.uk", name: str = "Acme Ltd", **opportunity: Any
) -> RegistrationForm:
    values: dict[str, Any] = {
        "product": "email-security",
        "users": 250,
        "projected_value": Money("12000", "GBP"),
        "close_date": date(2027, 3, 31),
        "budget_approved": True,
        "priority": "high",
        "problems": "Too much spam; the archive is full.",
        "meeting_date": date(2026, 12, 2),
        "migrating_to": "microsoft_365",
    }
    values.update(opportunity)
    return RegistrationForm(
        CompanySection(name, f"https://www.{domain}/"),
        PartnerSection(
            "Jo Bloggs",
            "020 7183 8750",
            sales_lead_name="Sam Lead",
            sales_lead_email="Sam@Northwind.example",
        ),
        Contact(
            "Ada",
            "Lovelace",
            "ADA@acme.co.uk",
            phone="020 7946 0958",
            position="CIO",
            role="decision_maker",
            address=Address("GB", "1 Main St", city="London", postal_code="ec1y8sy"),
        ),
        OpportunitySection(**values),
    )


#: The default policy, the default form validated under it, and its prospect: what the
#: aggregate-level tests start a registration from.
POLICY = RegistrationPolicy()
FORM = validate_registration_form(make_form(), POLICY)
PROSPECT = Prospect("PR-000001", "Acme Ltd", "acme.co.uk", NOW, "alice")


#: The program the deal tests run in: pounds, British English (national telephone numbers
#: are read as British), London's time zone, the default policy and permissions, no pricing.
PROGRAM = make_program(currency="GBP", locale="en_GB", timezone="Europe/London")


def program_with(**overrides: Any) -> Program:
    """:data:`PROGRAM` with ``overrides`` (permissions, a time zone, pricing)."""
    return attrs.evolve(PROGRAM, **overrides)


def with_policy(base: Program = PROGRAM, **policy: Any) -> Program:
    """``base`` with the registration policy ``RegistrationPolicy(**policy)``."""
    return attrs.evolve(base, registration_policy=RegistrationPolicy(**policy))


def ctx(actor: Actor, clock: Clock, in_program: Program = PROGRAM) -> Context:
    """The context ``actor`` acts in: ``clock`` and ``in_program`` (:data:`PROGRAM` unless told)."""
    return Context(actor, clock, in_program)


#: The euro price book and margins of a program that quotes its approved deals: the two
#: products the deal tests register.
MARGINS = MarginPolicy(reward_margin=Percentage("5"))
CATALOG = (Product("email-security", "Email security"), Product("archiving", "Archiving"))
PRICE_BOOK = PriceBook(
    "eur-2026",
    "EUR",
    date(2026, 1, 1),
    prices=[
        ProductPrice(CATALOG[0], [VolumeBand(1, Money("3.50", "EUR"))]),
        ProductPrice(CATALOG[1], [VolumeBand(1, Money("2.00", "EUR"))]),
    ],
)


def priced_program(*books: PriceBook, **overrides: Any) -> Program:
    """A euro program in London's time zone with ``[pricing]``: approvals generate quotes.

    Its price books are ``books`` (:data:`PRICE_BOOK` unless given); ``overrides``
    change anything else (``timezone``, ``registration_policy``).
    """
    pricing = Pricing(products=CATALOG, price_books=books or (PRICE_BOOK,), margins=MARGINS)
    return program_with(**{"currency": "EUR", "pricing": pricing, **overrides})


def approve(storage: Storage, vendor: Context, registration_id: str) -> str:
    """Approve a registration in a priced program (a commit); the id of its approval quote."""
    with storage.unit_of_work() as uow:
        approve_deal(uow, vendor, registration_id)
    with storage.unit_of_work() as uow:
        (quote,) = uow.repository(QUOTES).list({"registration_id": registration_id})
    return quote.id


def start_quoted_order(storage: Storage, quote_id: str, partner: Context) -> Order:
    """Send and accept a quote as ``partner``, then start its order (a commit each); the order."""
    with storage.unit_of_work() as uow:
        send_quote(uow, partner, quote_id)
    with storage.unit_of_work() as uow:
        accept_quote(uow, partner, quote_id)
    with storage.unit_of_work() as uow:
        return start_order(uow, partner, quote_id)


def order_quote(
    storage: Storage, quote_id: str, partner: Context, purchase_order: str = "PO-1"
) -> Order:
    """:func:`start_quoted_order`, then submit the order (a commit); the submitted order."""
    order = start_quoted_order(storage, quote_id, partner)
    with storage.unit_of_work() as uow:
        submitted, _ = submit_order(uow, partner, order.id, purchase_order=purchase_order)
    return submitted


def meet_before_writing(uow: UnitOfWork, barrier: threading.Barrier, backend: str) -> None:
    """Make ``uow`` wait once at ``barrier``: the last point racing units of work all reach.

    In memory writes are staged until the commit, so racers meet at their
    commit, having read and staged everything. SQLite lets one writer in at a
    time, so they meet before their first write (a record or a number), having
    read what they check. A use case run again after losing the race does not
    wait again.
    """
    waited = threading.Event()

    def meeting(step: Callable[..., A]) -> Callable[..., A]:
        def run(*args: Any) -> A:
            if not waited.is_set():
                waited.set()
                barrier.wait()
            return step(*args)

        return run

    # Methods of this one unit of work are replaced (mypy refuses assigning to a method).
    if backend == "memory":
        setattr(uow, "commit", meeting(uow.commit))  # noqa: B010
        return
    repository = uow.repository

    def meeting_repository(spec: AggregateSpec[A]) -> Repository[A]:
        found = repository(spec)
        for name in ("add", "save"):
            setattr(found, name, meeting(getattr(found, name)))
        return found

    setattr(uow, "repository", meeting_repository)  # noqa: B010
    setattr(uow.sequences, "next", meeting(uow.sequences.next))  # noqa: B010


def race(work: list[Callable[[], T]]) -> tuple[list[T], list[Exception]]:
    """Run each job in a thread of its own; what they returned and what they raised."""
    results: list[T] = []
    failures: list[Exception] = []

    def run(job: Callable[[], T]) -> None:
        try:
            results.append(job())
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, failures


def make_storage(kind: str, tmp_path: Path, dispatcher: EventDispatcher | None = None) -> Storage:
    """A fresh backend holding the partners and their reps."""
    specs: list[AggregateSpec[Any]] = [PROSPECTS, DEAL_REGISTRATIONS, PARTNERS_SPEC, PARTNER_USERS]
    storage: Storage
    if kind == "memory":
        storage = MemoryStorage(dispatcher, specs=specs)
    else:
        storage = SqliteStorage(tmp_path / "deals.sqlite3", dispatcher=dispatcher, specs=specs)
    with storage.unit_of_work() as uow:
        for partner in PARTNERS.values():
            uow.repository(PARTNERS_SPEC).add(partner)
        for rep in REPS.values():
            uow.repository(PARTNER_USERS).add(rep)
        for spec in specs:  # every table exists before threads race on the rows
            uow.repository(spec).count()
        uow.commit()
    return storage


# Fixtures the use-case tests share: import them (``from deal_factories import
# storage_fixture``) and ask for ``events``, ``storage`` and ``clock``.


@pytest.fixture(name="events")
def events_fixture() -> list[DomainEvent]:
    """The events the ``storage`` fixture published, in order."""
    return []


@pytest.fixture(name="storage", params=["memory", "sqlite"])
def storage_fixture(
    request: pytest.FixtureRequest, tmp_path: Path, events: list[DomainEvent]
) -> Storage:
    """Each backend in turn, holding the partners and their reps, publishing into ``events``."""
    dispatcher = EventDispatcher()
    dispatcher.subscribe(DomainEvent, events.append)
    return make_storage(request.param, tmp_path, dispatcher)


@pytest.fixture(name="clock")
def clock_fixture() -> FixedClock:
    """A clock stopped at :data:`NOW` (advance it)."""
    return FixedClock(NOW)
