"""Dashboard use cases on both reference backends: figures from real deals, orders and users."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import attrs
import pytest

from partnerkit import services
from partnerkit.core import DomainEvent, EventDispatcher, Money
from partnerkit.core.errors import NotFound, PermissionDenied, ValidationError
from partnerkit.dashboard import DashboardSettings, TargetSource
from partnerkit.deals import RegistrationForm, Stage
from partnerkit.partners import Actor, Certification, Partner, PartnerFilter, PartnerUser
from partnerkit.program import Program
from partnerkit.quoting import LineRequest
from partnerkit.scoring import Activity, Target
from partnerkit.services import DealActivities, QuoteActivities
from partnerkit.storage import (
    DASHBOARD_SNAPSHOTS,
    PARTNER_USERS,
    PARTNERS,
    MemoryStorage,
    SqliteStorage,
    Storage,
)
from partnerkit.testing import FixedClock
from services.test_quoting_services import (
    OTHER,
    PROGRAM,
    SYSTEM,
    USER,
    _approved,
    _create_quote,
    _form,
    _order,
    on,
)


@pytest.fixture
def published() -> list[DomainEvent]:
    return []


@pytest.fixture(params=["memory", "sqlite"])
def storage(
    request: pytest.FixtureRequest, tmp_path: Path, published: list[DomainEvent]
) -> Storage:
    """Each reference backend holding the Gold partners p-1 and p-2."""
    dispatcher = EventDispatcher()
    dispatcher.subscribe(DomainEvent, published.append)
    made: Storage = (
        MemoryStorage(dispatcher)
        if request.param == "memory"
        else SqliteStorage(tmp_path / "dashboard.sqlite3", dispatcher=dispatcher)
    )
    with made.unit_of_work() as uow:
        for pid in ("p-1", "p-2"):
            uow.repository(PARTNERS).add(
                Partner(pid, pid, f"{pid}.example", "reseller", tier="gold")
            )
        uow.commit()
    return made


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))


#: The quoting tests' program, with SETUP as the vendor's service and a program target.
DASH: Program = attrs.evolve(
    PROGRAM,
    dashboard=DashboardSettings(service_skus=["SETUP"]),
    scoring=attrs.evolve(PROGRAM.scoring, targets=(Target("deals_approved_ytd", 4),)),
)


def _scenario(storage: Storage, clock: FixedClock) -> None:
    """p-1: one registration approved and ordered (a MAIL subscription), one declined, a
    SETUP order (the vendor's service), a certified user and one with an expired one."""
    _, quote_id = _approved(storage, clock, DASH)
    order_id = _order(storage, clock, quote_id, DASH)
    with storage.unit_of_work() as uow:
        services.submit_order(uow, on(USER, clock, DASH), order_id, purchase_order="PO-1")
    setup = _create_quote(storage, clock, LineRequest("SETUP", 1), program=DASH)
    setup_order = _order(storage, clock, setup.id, DASH)
    with storage.unit_of_work() as uow:
        services.submit_order(uow, on(USER, clock, DASH), setup_order, purchase_order="PO-2")
    with storage.unit_of_work() as uow:
        second = services.register_deal(
            uow, on(USER, clock, DASH), attrs.evolve(_form_for("beta-gmbh.example"))
        )
    with storage.unit_of_work() as uow:
        services.decline_deal(uow, on(SYSTEM, clock, DASH), second.id, "Existing customer")
    with storage.unit_of_work() as uow:
        users = uow.repository(PARTNER_USERS)
        users.add(PartnerUser("u-7", "p-1", "Dana Scully", "dana@p-1.example", certifications=(
            Certification("technical", "Certified Engineer", date(2026, 1, 10)),
        )))  # fmt: skip
        users.add(PartnerUser("u-8", "p-1", "Fox Mulder", "fox@p-1.example", certifications=(
            Certification("sales", "Seller", date(2024, 1, 10), date(2025, 1, 10)),
        )))  # fmt: skip
        uow.commit()


def _form_for(domain: str) -> RegistrationForm:
    form = _form()
    return attrs.evolve(form, company=attrs.evolve(form.company, name="Beta GmbH", domain=domain))


def _activities(events: list[DomainEvent]) -> list[Activity]:
    return DealActivities().activities(events) + QuoteActivities().activities(events)


def test_a_partner_dashboard_is_measured_from_its_deals_orders_and_users(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    _scenario(storage, clock)
    with storage.unit_of_work() as uow:
        board = services.partner_dashboard_of(
            uow, on(USER, clock, DASH), "p-1", _activities(published)
        )
    assert board.partner_id == "p-1"
    assert board.criterion("registrations_approved").actual == 1
    approved = board.criterion("registrations_approved")
    assert approved.source is TargetSource.PROGRAM
    assert approved.target == 4
    assert board.registrations_in(Stage.DECLINED) == 1
    assert board.registrations_total == 2
    assert [(d.reason, d.count) for d in board.declines] == [("Existing customer", 1)]
    assert [u.name for u in board.certified] == ["Dana Scully"]
    assert board.criterion("certified_users").actual == 1
    assert board.uses_services
    assert [s.sku for s in board.services] == ["SETUP"]
    # The MAIL order won: new ARR is its net value, the SETUP order too (both orders won).
    new_arr = board.criterion("new_arr").actual
    assert isinstance(new_arr, Money)
    assert new_arr > Money("0", "EUR")


def test_a_partner_sees_its_own_dashboard_only_and_a_plain_user_none(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    _scenario(storage, clock)
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        services.partner_dashboard_of(uow, on(OTHER, clock, DASH), "p-1")
    rep = Actor("u-5", "user", partner_id="p-1")
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        services.partner_dashboard_of(uow, on(rep, clock, DASH), "p-1")
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        services.vendor_dashboard(uow, on(USER, clock, DASH))


def test_the_vendor_view_counts_statuses_and_filters_partners(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    _scenario(storage, clock)
    with storage.unit_of_work() as uow:
        overview = services.vendor_dashboard(uow, on(SYSTEM, clock, DASH), _activities(published))
    assert overview.partners == 2
    counts = overview.of("registrations_approved")
    # p-1 has 1 of 4 approved, p-2 none: both behind pace (March: a sixth of the year gone).
    assert counts.red + counts.amber + counts.green == 2
    assert overview.furthest_behind[0].partner_id == "p-2"
    with storage.unit_of_work() as uow:
        none = services.vendor_dashboard(
            uow, on(SYSTEM, clock, DASH), segment=PartnerFilter(regions="APAC")
        )
    assert none.partners == 0


def test_snapshots_are_one_per_partner_per_day_and_make_the_trend(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    _scenario(storage, clock)
    activities = _activities(published)
    done: list[int] = []
    with storage.unit_of_work() as uow:
        report = services.snapshot_dashboards(
            uow, on(SYSTEM, clock, DASH), activities, progress=done.append
        )
    assert report.added == ("p-1", "p-2")
    assert done == [1, 2]
    with storage.unit_of_work() as uow:
        again = services.snapshot_dashboards(uow, on(SYSTEM, clock, DASH), activities)
    assert again.replaced == ("p-1", "p-2")
    with storage.unit_of_work() as uow:
        assert uow.repository(DASHBOARD_SNAPSHOTS).count() == 2
    clock.advance(days=2)
    with storage.unit_of_work() as uow:
        services.snapshot_dashboards(uow, on(SYSTEM, clock, DASH), activities)
    with storage.unit_of_work() as uow:
        points = services.dashboard_trend(
            uow, on(USER, clock, DASH), "p-1", "registrations_approved", days=3
        )
    assert [value for _, value in points] == [1, None, 1]
    with storage.unit_of_work() as uow, pytest.raises(ValidationError):
        services.dashboard_trend(uow, on(USER, clock, DASH), "p-1", "new_arr", days=0)
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        services.snapshot_dashboards(uow, on(USER, clock, DASH), activities)


def test_the_home_page_follows_the_programs_permissions(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    _scenario(storage, clock)
    with storage.unit_of_work() as uow:
        home = services.partner_home_of(uow, on(USER, clock, DASH), "p-1")
    assert home.customers is not None
    # The registered prospect by its name; the quote's unregistered prospect by its id.
    assert [c.name for c in home.customers] == ["acme", "Acme GmbH"]
    (registered,) = [c for c in home.customers if c.subscriptions]
    assert registered.next_renewal == date(2027, 3, 1)
    assert home.renewals is not None
    assert [w.days for w in home.renewals] == [30, 60, 90]
    assert home.open_registrations == ()  # one ordered, one declined
    rep = Actor("u-5", "user", partner_id="p-1")
    with storage.unit_of_work() as uow:
        limited = services.partner_home_of(uow, on(rep, clock, DASH), "p-1")
    assert limited.customers is None
    assert limited.renewals is None
    assert limited.open_registrations == ()
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        services.partner_home_of(uow, on(OTHER, clock, DASH), "p-1")
