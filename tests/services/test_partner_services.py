import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pendulum
import pytest

from partnerkit.core import Clock, DomainEvent, EventDispatcher
from partnerkit.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from partnerkit.partners import (
    ADMINISTRATOR,
    DEREGISTERED,
    PARTNER_ACCOUNT_MANAGER,
    PROGRAM_ADMINISTRATOR,
    REGISTERED,
    Actor,
    Certification,
    Partner,
    PartnerEdited,
    PartnerStageChanged,
    PartnerUserChanged,
)
from partnerkit.program import Program
from partnerkit.services import (
    Context,
    add_partner,
    change_partner_stage,
    deregister_user,
    edit_partner,
    edit_user,
    list_users,
    register_user,
    reregister_user,
)
from partnerkit.storage import (
    PARTNER_USERS,
    PARTNERS,
    MemoryStorage,
    SqliteStorage,
    Storage,
    UnitOfWork,
)
from partnerkit.testing import FixedClock, make_program

NOW = pendulum.datetime(2026, 11, 23, 9, tz="Europe/Berlin")
VENDOR = Actor("vera", PROGRAM_ADMINISTRATOR)
ADMIN = Actor("a1", ADMINISTRATOR, partner_id="p1")
OTHER_ADMIN = Actor("x1", ADMINISTRATOR, partner_id="p2")
#: The program every use case here runs in: the default permissions, Berlin's time zone.
PROGRAM: Program = make_program(key="partners", currency="EUR", timezone="Europe/Berlin")


def on(actor: Actor, clock: Clock) -> Context:
    """The context of ``actor`` acting on ``clock`` in :data:`PROGRAM`."""
    return Context(actor, clock, PROGRAM)


@pytest.fixture(params=["memory", "sqlite"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "memory":
        yield MemoryStorage(dispatcher=EventDispatcher())
    else:
        yield SqliteStorage(tmp_path / "partners.sqlite3", dispatcher=EventDispatcher())


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def events(storage: Storage) -> list[DomainEvent]:
    seen: list[DomainEvent] = []
    dispatcher = storage.dispatcher  # type: ignore[attr-defined]
    dispatcher.subscribe(DomainEvent, seen.append)
    return seen


def seed(storage: Storage, clock: FixedClock, admins: int = 1) -> None:
    vendor = on(VENDOR, clock)
    for pid in ("p1", "p2"):
        with storage.unit_of_work() as uow:
            add_partner(uow, vendor, Partner(pid, f"Partner {pid}", f"{pid}.example", "reseller"))
    for n in range(1, admins + 1):
        with storage.unit_of_work() as uow:
            register_user(uow, vendor, "p1", name=f"Admin {n}", email=f"a{n}@p1.example",
                          role=ADMINISTRATOR, user_id=f"a{n}")  # fmt: skip


def race(storage: Storage, changes: dict[str, Callable[[UnitOfWork], object]]) -> dict[str, str]:
    """Run each change in its own thread and unit of work, all released at once.

    Returns, by the key of each change, ``"changed"`` or ``"conflict"`` (it met a Conflict).
    """
    barrier = threading.Barrier(len(changes))
    outcomes: dict[str, str] = {}

    def run(key: str, change: Callable[[UnitOfWork], object]) -> None:
        barrier.wait()
        try:
            with storage.unit_of_work() as uow:
                change(uow)
            outcomes[key] = "changed"
        except Conflict:
            outcomes[key] = "conflict"

    threads = [threading.Thread(target=run, args=item) for item in changes.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_adding_a_partner_records_its_first_stage_and_refuses_a_taken_domain(
    storage: Storage, clock: FixedClock
) -> None:
    seen = events(storage)
    with storage.unit_of_work() as uow:
        stored = add_partner(
            uow, on(VENDOR, clock), Partner("p1", "Acme", "https://www.Acme.example", "reseller")
        )
    assert (stored.domain, stored.version, stored.stage_history[0].to_stage) == (
        "acme.example", 1, "recruited",
    )  # fmt: skip
    assert isinstance(seen[0], PartnerStageChanged)
    with storage.unit_of_work() as uow, pytest.raises(Conflict) as caught:
        add_partner(uow, on(VENDOR, clock), Partner("p2", "Acme 2", "acme.example", "reseller"))
    assert caught.value.field == "domain"


def test_a_partner_side_actor_cannot_add_partners(storage: Storage, clock: FixedClock) -> None:
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        add_partner(uow, on(ADMIN, clock), Partner("p1", "Acme", "acme.example", "reseller"))


def test_an_account_manager_moves_only_the_partners_they_manage(
    storage: Storage, clock: FixedClock
) -> None:
    seed(storage, clock, admins=0)
    pam = Actor("pam", PARTNER_ACCOUNT_MANAGER, managed_partner_ids={"p1"})
    with storage.unit_of_work() as uow:
        moved = change_partner_stage(uow, on(pam, clock), "p1", "onboarding", note="kick-off")
    assert moved.stage_history[-1].by == "pam"
    # A partner they do not manage is NotFound, as if it did not exist.
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        change_partner_stage(uow, on(pam, clock), "p2", "onboarding")
    with storage.unit_of_work() as uow:
        assert uow.repository(PARTNERS).get("p2").stage == "recruited"
    with storage.unit_of_work() as uow, pytest.raises(InvalidTransition):
        change_partner_stage(uow, on(pam, clock), "p1", "exited")


def test_registering_editing_deregistering_and_reregistering_a_user(
    storage: Storage, clock: FixedClock
) -> None:
    seed(storage, clock)
    seen = events(storage)
    with storage.unit_of_work() as uow:
        bo = register_user(uow, on(ADMIN, clock), "p1", name=" Bo  Lee ", email="Bo@P1.example")
    assert (bo.id, bo.name, bo.email, bo.role, bo.status) == (
        "PU-000001", "Bo Lee", "Bo@p1.example", "user", REGISTERED,
    )  # fmt: skip
    clock.advance(hours=1)
    cert = Certification("sales", "Sales Pro", date(2026, 1, 1), None)
    with storage.unit_of_work() as uow:
        bo = edit_user(uow, on(ADMIN, clock), bo.id, role="manager", certifications=(cert,))
    assert (bo.role, bo.certifications) == ("manager", (cert,))
    with storage.unit_of_work() as uow:
        bo = deregister_user(uow, on(ADMIN, clock), bo.id, note="left")
    assert bo.status == DEREGISTERED
    assert (bo.history[-1].by, bo.history[-1].at) == ("a1", NOW.add(hours=1))
    with storage.unit_of_work() as uow:
        bo = reregister_user(uow, on(ADMIN, clock), bo.id)
    assert bo.status == REGISTERED
    actions = [e.action for e in seen if isinstance(e, PartnerUserChanged)]
    assert actions == ["registered", "edited", "deregistered", "reregistered"]
    edited = [e for e in seen if isinstance(e, PartnerUserChanged)][1]
    assert edited.changes == {"role": ("user", "manager"), "certifications": ("0", "1")}


def test_users_are_listed_by_registration_status(storage: Storage, clock: FixedClock) -> None:
    seed(storage, clock)
    with storage.unit_of_work() as uow:
        for n in range(5):
            register_user(uow, on(ADMIN, clock), "p1", name=f"U{n}", email=f"u{n}@p1.example",
                          user_id=f"u{n}")  # fmt: skip
        register_user(uow, on(VENDOR, clock), "p2", name="X", email="x@p2.example", user_id="x")
    for user_id in ("u1", "u3"):
        with storage.unit_of_work() as uow:
            deregister_user(uow, on(ADMIN, clock), user_id)
    with storage.unit_of_work() as uow:
        gone = list_users(uow, on(ADMIN, clock), "p1", status=DEREGISTERED)
        here = list_users(uow, on(ADMIN, clock), "p1", status=REGISTERED, limit=2)
        rest = list_users(uow, on(ADMIN, clock), "p1", status=REGISTERED, cursor=here.next_cursor)
        everyone = list_users(uow, on(ADMIN, clock), "p1")
        with pytest.raises(ValidationError):
            list_users(uow, on(ADMIN, clock), "p1", status="lost")
        with pytest.raises(NotFound):
            list_users(uow, on(OTHER_ADMIN, clock), "p1")
    assert [u.id for u in gone] == ["u1", "u3"]
    assert [u.id for u in [*here, *rest]] == ["a1", "u0", "u2", "u4"]
    assert len(everyone) == 6


def test_a_partner_administrator_cannot_touch_another_partners_users(
    storage: Storage, clock: FixedClock
) -> None:
    seed(storage, clock)
    # Another partner's users (and the partner itself) are NotFound, as if they did not exist.
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        register_user(uow, on(OTHER_ADMIN, clock), "p1", name="Eve", email="eve@p2.example")
    for action in (deregister_user, reregister_user):
        with storage.unit_of_work() as uow, pytest.raises(NotFound) as caught:
            action(uow, on(OTHER_ADMIN, clock), "a1")
        assert caught.value.id == "a1"
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        edit_user(uow, on(OTHER_ADMIN, clock), "a1", name="Mallory")
    with storage.unit_of_work() as uow:
        assert uow.repository(PARTNER_USERS).get("a1").name == "Admin 1"
        assert uow.repository(PARTNER_USERS).count({"partner_id": "p1"}) == 1


def test_plain_users_cannot_manage_users(storage: Storage, clock: FixedClock) -> None:
    seed(storage, clock)
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        register_user(uow, on(Actor("u9", "manager", partner_id="p1"), clock), "p1", name="Eve",
                      email="eve@p1.example")  # fmt: skip


def test_the_last_registered_administrator_can_neither_leave_nor_be_demoted(
    storage: Storage, clock: FixedClock
) -> None:
    seed(storage, clock)
    with storage.unit_of_work() as uow, pytest.raises(Conflict) as caught:
        deregister_user(uow, on(ADMIN, clock), "a1")
    assert caught.value.field == "registered_administrators"
    with storage.unit_of_work() as uow, pytest.raises(Conflict):
        edit_user(uow, on(ADMIN, clock), "a1", role="executive")
    with storage.unit_of_work() as uow:
        register_user(uow, on(ADMIN, clock), "p1", name="Admin 2", email="a2@p1.example",
                      role=ADMINISTRATOR, user_id="a2")  # fmt: skip
    with storage.unit_of_work() as uow:
        deregister_user(uow, on(ADMIN, clock), "a1")
    with storage.unit_of_work() as uow:
        partner = uow.repository(PARTNERS).get("p1")
        assert partner.registered_administrators == 1
        # Every user change bumped the partner: add, register a1, register a2, deregister a1.
        assert partner.version == 4


def test_a_refused_change_leaves_the_unit_of_work_clean(
    storage: Storage, clock: FixedClock
) -> None:
    seed(storage, clock)
    with storage.unit_of_work() as uow:
        with pytest.raises(Conflict):
            deregister_user(uow, on(ADMIN, clock), "a1")
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.repository(PARTNER_USERS).get("a1").status == REGISTERED
        assert uow.repository(PARTNERS).get("p1").version == 2


def test_an_email_taken_by_any_partner_is_a_conflict(storage: Storage, clock: FixedClock) -> None:
    seed(storage, clock)
    with storage.unit_of_work() as uow, pytest.raises(Conflict) as caught:
        register_user(uow, on(VENDOR, clock), "p2", name="Dup", email="A1@p1.example")
    assert caught.value.field == "email"


def test_bad_input_is_reported_field_by_field(storage: Storage, clock: FixedClock) -> None:
    seed(storage, clock)
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as caught:
        register_user(uow, on(ADMIN, clock), "p1", name="", email="nope", role="owner")
    assert set(caught.value.paths) == {"name", "email", "role"}
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        register_user(uow, on(VENDOR, clock), "ghost", name="A", email="a@ghost.example")


@pytest.mark.parametrize("admins", [2, 3])
def test_racing_deregistrations_of_every_administrator_always_leave_one(
    storage: Storage, clock: FixedClock, admins: int
) -> None:
    seed(storage, clock, admins=admins)

    def deregister(user_id: str) -> Callable[[UnitOfWork], object]:
        return lambda uow: deregister_user(uow, on(VENDOR, clock), user_id)

    outcomes = race(storage, {f"a{n}": deregister(f"a{n}") for n in range(1, admins + 1)})
    with storage.unit_of_work() as uow:
        left = uow.repository(PARTNER_USERS).count(
            {"partner_id": "p1", "status": REGISTERED, "role": ADMINISTRATOR}
        )
        counted = uow.repository(PARTNERS).get("p1").registered_administrators
    assert left >= 1
    assert left == counted == list(outcomes.values()).count("conflict")
    assert len(outcomes) == admins


def meddle_when_counting(monkeypatch: pytest.MonkeyPatch, storage: Storage, victim: str) -> None:
    """Let another unit of work deregister ``victim`` the first time a unit of work counts users.

    A user-maintenance use case counts the administrators after it has read
    the user and the partner, so the other change lands between its reads
    and its writes.
    """
    with storage.unit_of_work() as uow:
        repository = type(uow.repository(PARTNER_USERS))
    count = repository.count
    pending = [victim]

    def meddling_count(self: Any, where: Any = None) -> int:
        if pending:
            with storage.unit_of_work() as other:
                deregister_user(other, on(VENDOR, FixedClock(NOW)), pending.pop())
        return count(self, where)

    monkeypatch.setattr(repository, "count", meddling_count)


def test_a_conflict_met_while_writing_leaves_nothing_to_commit_and_keeps_one_administrator(
    storage: Storage, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(storage, clock, admins=2)
    seen = events(storage)
    meddle_when_counting(monkeypatch, storage, victim="a2")
    with storage.unit_of_work() as uow:
        with pytest.raises(Conflict):
            deregister_user(uow, on(VENDOR, clock), "a1")
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.repository(PARTNER_USERS).get("a1").status == REGISTERED
        assert uow.repository(PARTNER_USERS).get("a2").status == DEREGISTERED
        assert uow.repository(PARTNERS).get("p1").registered_administrators == 1
    assert [e.user_id for e in seen if isinstance(e, PartnerUserChanged)] == ["a2"]


def test_a_partner_side_actor_learns_nothing_about_partner_ids_outside_its_own(
    storage: Storage, clock: FixedClock
) -> None:
    seed(storage, clock)
    # An existing partner of someone else and an id that names no partner look alike.
    refusals: dict[str, list[tuple[type[Exception], str]]] = {}
    for partner_id in ("p1", "ghost"):
        with storage.unit_of_work() as uow, pytest.raises(NotFound) as listed:
            list_users(uow, on(OTHER_ADMIN, clock), partner_id)
        with storage.unit_of_work() as uow, pytest.raises(NotFound) as registered:
            register_user(uow, on(OTHER_ADMIN, clock), partner_id, name="Eve",
                          email="eve@x.example")  # fmt: skip
        refusals[partner_id] = [
            (type(caught.value), str(caught.value).replace(partner_id, "<id>"))
            for caught in (listed, registered)
        ]
    assert refusals["p1"] == refusals["ghost"]
    pam = Actor("pam", PARTNER_ACCOUNT_MANAGER, managed_partner_ids={"p1"})
    for partner_id in ("p2", "ghost"):
        with storage.unit_of_work() as uow, pytest.raises(NotFound):
            change_partner_stage(uow, on(pam, clock), partner_id, "onboarding")


def test_a_refused_registration_takes_no_user_number(storage: Storage, clock: FixedClock) -> None:
    seed(storage, clock)
    with storage.unit_of_work() as uow:
        with pytest.raises(ValidationError):
            register_user(uow, on(ADMIN, clock), "p1", name="", email="bo@p1.example")
        bo = register_user(uow, on(ADMIN, clock), "p1", name="Bo", email="bo@p1.example")
    assert bo.id == "PU-000001"


@pytest.mark.parametrize("second", ["deregister", "demote"])
def test_a_demotion_racing_another_change_of_the_two_administrators_leaves_one(
    storage: Storage, clock: FixedClock, second: str
) -> None:
    seed(storage, clock, admins=2)

    def change(user_id: str, how: str) -> Callable[[UnitOfWork], object]:
        if how == "demote":
            return lambda uow: edit_user(uow, on(VENDOR, clock), user_id, role="executive")
        return lambda uow: deregister_user(uow, on(VENDOR, clock), user_id)

    outcomes = race(storage, {"a1": change("a1", "demote"), "a2": change("a2", second)})
    assert sorted(outcomes.values()) == ["changed", "conflict"]
    with storage.unit_of_work() as uow:
        left = uow.repository(PARTNER_USERS).list(
            {"partner_id": "p1", "status": REGISTERED, "role": ADMINISTRATOR}
        )
        assert [u.id for u in left] == [u for u, o in outcomes.items() if o == "conflict"]
        assert uow.repository(PARTNERS).get("p1").registered_administrators == 1


def test_editing_a_partner_records_every_changed_field_and_validates_the_result(
    storage: Storage, clock: FixedClock
) -> None:
    seed(storage, clock, admins=0)
    seen = events(storage)
    pam = Actor("pam", PARTNER_ACCOUNT_MANAGER, managed_partner_ids={"p1"})
    with storage.unit_of_work() as uow:
        edited = edit_partner(
            uow,
            on(pam, clock),
            "p1",
            {"tier": "gold", "account_manager": "pam", "renewal_date": date(2027, 6, 30)},
        )
    assert (edited.tier, edited.account_manager, edited.version) == ("gold", "pam", 2)
    (event,) = [e for e in seen if isinstance(e, PartnerEdited)]
    assert event.by == "pam"
    assert set(event.changes) == {
        ("tier", "", "gold"),
        ("account_manager", "", "pam"),
        ("renewal_date", "None", "2027-06-30"),
    }
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as caught:
        edit_partner(
            uow, on(pam, clock), "p1",
            {"stage": "exited", "domain": "not a domain", "currency": "XYZ1"},
        )  # fmt: skip
    assert set(caught.value.paths) == {"changes.stage"}
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as caught:
        edit_partner(uow, on(pam, clock), "p1", {"domain": "localhost", "currency": "XYZ1"})
    assert {"changes.domain", "changes.currency"} <= set(caught.value.paths)
    # A partner the account manager does not manage is NotFound; a role without
    # manage_partners is PermissionDenied, even on its own partner.
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        edit_partner(uow, on(pam, clock), "p2", {"tier": "gold"})
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        edit_partner(uow, on(ADMIN, clock), "p1", {"tier": "gold"})
    with storage.unit_of_work() as uow, pytest.raises(Conflict) as conflict:
        edit_partner(uow, on(VENDOR, clock), "p1", {"domain": "p2.example"})
    assert conflict.value.field == "domain"
    with storage.unit_of_work() as uow:
        assert uow.repository(PARTNERS).get("p1") == edited


@pytest.mark.parametrize("changes", [None, ["tier"], "tier", 5])
def test_editing_a_partner_with_changes_that_are_no_mapping_changes_nothing(
    storage: Storage, clock: FixedClock, changes: object
) -> None:
    # Issue #19: edit_partner(..., changes=None) raised TypeError iterating None.
    seed(storage, clock, admins=0)
    with storage.unit_of_work() as uow:
        before = uow.repository(PARTNERS).get("p1")
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as caught:
        edit_partner(uow, on(VENDOR, clock), "p1", changes)  # type: ignore[arg-type]
    assert caught.value.paths == ("changes",)
    with storage.unit_of_work() as uow:
        assert uow.repository(PARTNERS).get("p1") == before


def test_a_partner_without_its_own_currency_or_locale_takes_the_programs(
    storage: Storage, clock: FixedClock
) -> None:
    own = Partner("p7", "Seven", "seven.example", "reseller", currency="CHF", locale="de_CH")
    with storage.unit_of_work() as uow:
        bare = add_partner(uow, on(VENDOR, clock), Partner("p6", "Six", "six.example", "reseller"))
    with storage.unit_of_work() as uow:
        kept = add_partner(uow, on(VENDOR, clock), own)
    assert (bare.currency, bare.locale) == (PROGRAM.currency, PROGRAM.locale)
    assert (kept.currency, kept.locale) == ("CHF", "de_CH")
    with storage.unit_of_work() as uow:
        assert uow.repository(PARTNERS).get("p6").currency == "EUR"


def test_partner_types_come_from_the_programs_partners_table(
    storage: Storage, clock: FixedClock
) -> None:
    with_msp = Program.from_dict(
        {
            **PROGRAM.to_dict(),
            "partners": {"types": [{"key": "msp", "label": "Managed service provider"}]},
        }
    )
    msp = Partner("p8", "Eight", "eight.example", "msp")
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as caught:
        add_partner(uow, on(VENDOR, clock), msp)  # the default types have no "msp"
    assert caught.value.paths == ("partner.partner_type",)
    in_msp = Context(VENDOR, clock, with_msp)
    with storage.unit_of_work() as uow:
        add_partner(uow, in_msp, msp)
    with storage.unit_of_work() as uow:
        edited = edit_partner(uow, in_msp, "p8", {"name": "MSP Eight"})
    assert (edited.partner_type, edited.name) == ("msp", "MSP Eight")
