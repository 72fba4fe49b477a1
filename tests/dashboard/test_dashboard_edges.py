"""The dashboard's edges: the defects an independent review of #17 proved, each pinned down."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum, IntEnum, IntFlag
from pathlib import Path

import pendulum
import pytest

from partnerkit._cli import main
from partnerkit.core import Money, from_dict
from partnerkit.core.errors import NotFound, ValidationError
from partnerkit.dashboard import (
    DashboardFigures,
    TargetSource,
    dashboard_svg,
    gauge_svg,
    partner_dashboard,
    partner_home,
    trend,
)
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.partners import (
    ADMINISTRATOR,
    PARTNER_ACCOUNT_MANAGER,
    PROGRAM_ADMINISTRATOR,
    Actor,
    Partner,
)
from partnerkit.plans import (
    Objective,
    ObjectiveKind,
    PeriodTarget,
    Plan,
    PlanTemplate,
    Section,
    Split,
    plan_progress,
)
from partnerkit.program import Program
from partnerkit.quoting import BillingUnit, QuoteLine, Subscription
from partnerkit.scoring import Activity, Rag
from partnerkit.services import (
    Context,
    assign_plan,
    create_template,
    dashboard_trend,
    partner_dashboard_of,
    publish_template,
    share_plan,
    snapshot_dashboards,
    vendor_dashboard,
)
from partnerkit.storage import PARTNERS, SUBSCRIPTIONS, MemoryStorage, SqliteStorage
from partnerkit.testing import FixedClock

CALENDAR = MonthlyFiscalCalendar(1)
AS_OF = date(2026, 7, 1)
ACME = Partner("p-1", "Acme", "acme.example", "reseller")
PROGRAM = Program(key="edges", name="Edges", currency="EUR", timezone="UTC")
CLOCK = FixedClock(datetime(2026, 7, 1, 9, tzinfo=timezone.utc))
VENDOR = Context(Actor("vera", PROGRAM_ADMINISTRATOR), CLOCK, PROGRAM)
ADMIN = Context(Actor("ada", ADMINISTRATOR, partner_id="p-1"), CLOCK, PROGRAM)


def approvals(n: int) -> list[Activity]:
    return [Activity("p-1", "deal_approved", datetime(2026, 3, 1 + i, tzinfo=timezone.utc))
            for i in range(n)]  # fmt: skip


def figures(activities: list[Activity] | None = None) -> DashboardFigures:
    return DashboardFigures.compute(
        activities or [], calendar=CALENDAR, as_of=AS_OF, currency="EUR", partners=["p-1"]
    )


def planned(*objectives: Objective) -> tuple[Plan, object]:
    at = pendulum.datetime(2026, 1, 5, tz="UTC")
    template = PlanTemplate("t", "Plan", sections=[Section("s", "Sales", objectives=objectives)])
    plan, _ = Plan.assign(
        template.published_by("v", at), id="PL-1", partner_id="p-1", fiscal_year=2026,
        actor="v", at=at,
    )  # fmt: skip
    return plan, plan_progress(plan, CALENDAR, AS_OF, {})


def storage_with_plan(*, share: bool) -> MemoryStorage:
    storage = MemoryStorage()
    with storage.unit_of_work() as uow:
        uow.repository(PARTNERS).add(ACME)
        uow.commit()
    objective = Objective(
        "reg", "Approved", ObjectiveKind.QUALIFIED_REGISTRATIONS, [PeriodTarget("year", 4)]
    )
    with storage.unit_of_work() as uow:
        made = create_template(uow, VENDOR, "Plan", sections=[Section("s", "S", objectives=[
            objective])])  # fmt: skip
    with storage.unit_of_work() as uow:
        template_id = publish_template(uow, VENDOR, made.id).id
    with storage.unit_of_work() as uow:
        plan = assign_plan(uow, VENDOR, template_id, "p-1")
    if share:
        with storage.unit_of_work() as uow:
            share_plan(uow, VENDOR, plan.id)
    return storage


# -- figures -------------------------------------------------------------------------------


def test_activities_given_as_an_iterator_measure_the_plan_as_a_list_does() -> None:
    storage = storage_with_plan(share=True)

    def stream() -> Iterator[Activity]:
        yield from approvals(4)

    with storage.unit_of_work() as uow:
        from_list = partner_dashboard_of(uow, VENDOR, "p-1", approvals(4))
        from_iterator = partner_dashboard_of(uow, VENDOR, "p-1", stream())
    assert from_iterator == from_list
    assert from_list.plans[0].completion == Decimal("100.00")


def test_a_split_objective_is_a_part_and_never_the_whole_target() -> None:
    plan = planned(
        Objective("edr", "EDR ARR", ObjectiveKind.NEW_ARR,
                  [PeriodTarget("year", Money("1000000", "EUR"))], split=Split("product", "edr")),
    )  # fmt: skip
    board = partner_dashboard(ACME, figures(), plans=[plan])  # type: ignore[list-item]
    assert board.criterion("new_arr").source is TargetSource.NONE


def test_a_zero_target_on_a_plan_judges_nothing_and_breaks_nothing() -> None:
    plan = planned(
        Objective("reg", "Approved", ObjectiveKind.QUALIFIED_REGISTRATIONS,
                  [PeriodTarget("year", 0)]),
        Objective("arr", "ARR", ObjectiveKind.NEW_ARR,
                  [PeriodTarget(q, Money("0", "EUR")) for q in ("q1", "q2", "q3", "q4")]),
    )  # fmt: skip
    board = partner_dashboard(ACME, figures(approvals(2)), plans=[plan])  # type: ignore[list-item]
    assert board.criterion("registrations_approved").rag is None
    assert all(q.status.rag is None for q in board.quarters)


# -- what each reader sees -------------------------------------------------------------------


def test_a_vendor_draft_never_reaches_the_partner_through_the_snapshots() -> None:
    storage = storage_with_plan(share=False)  # the plan is still the vendor's draft
    with storage.unit_of_work() as uow:
        snapshot_dashboards(uow, VENDOR, approvals(1))
    with storage.unit_of_work() as uow:
        board = partner_dashboard_of(uow, ADMIN, "p-1", approvals(1))
        points = dashboard_trend(uow, ADMIN, "p-1", "plan_completion", days=1)
    assert board.plans == ()
    assert points == ((AS_OF, None),)


def test_renewals_are_customer_data_and_need_view_customers() -> None:
    storage = MemoryStorage()
    line = QuoteLine("MAIL", "Mail", BillingUnit.PER_USER_MONTH,
                     10, 12, Money("4", "EUR"), Money("480", "EUR"), Money("0", "EUR"),
                     Money("48", "EUR"), Money("0", "EUR"), Money("432", "EUR"))  # fmt: skip
    with storage.unit_of_work() as uow:
        uow.repository(PARTNERS).add(ACME)
        uow.repository(SUBSCRIPTIONS).add(Subscription(
            "S-1", "O-1", "Q-1", "p-1", "PR-1", "EUR", (line,), date(2025, 7, 20),
            date(2026, 7, 19)))  # fmt: skip
        uow.commit()
    manager = VENDOR.with_actor(
        Actor("max", PARTNER_ACCOUNT_MANAGER, managed_partner_ids=frozenset({"p-1"}))
    )
    with storage.unit_of_work() as uow:
        as_manager = partner_dashboard_of(uow, manager, "p-1")
        as_admin = partner_dashboard_of(uow, ADMIN, "p-1")
    assert as_manager.renewals == ()
    assert [r.subscription_id for r in as_admin.renewals] == ["S-1"]


# -- bad input at the boundary ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: trend((), "new_arr", end="2026-03-01"), "end"),  # type: ignore[arg-type]
        (lambda: trend((), "new_arr", end=datetime(2026, 3, 1, 12)), "end"),
        (lambda: partner_home("p-1", datetime(2026, 3, 1, 12), currency="EUR"), "as_of"),
        (lambda: partner_dashboard(ACME, None), "figures"),  # type: ignore[arg-type]
        (lambda: gauge_svg(Decimal("NaN"), title="t", description="d"), "percent"),
        (lambda: gauge_svg(None, title="t", description="d"), "percent"),  # type: ignore[arg-type]
    ],
)
def test_wrong_values_are_refused_by_name(call: object, path: str) -> None:
    with pytest.raises(ValidationError) as caught:
        call()  # type: ignore[operator]
    assert path in caught.value.paths


def test_the_use_cases_refuse_wrong_arguments_and_unknown_partners_and_keys() -> None:
    storage = storage_with_plan(share=True)
    with storage.unit_of_work() as uow:
        with pytest.raises(ValidationError):
            vendor_dashboard(uow, VENDOR, segment={"regions": "EMEA"})  # type: ignore[arg-type]
        with pytest.raises(ValidationError):
            snapshot_dashboards(uow, VENDOR, progress="x")  # type: ignore[arg-type]
        with pytest.raises(NotFound):
            dashboard_trend(uow, VENDOR, "p-nobody", "new_arr")
        with pytest.raises(ValidationError):
            dashboard_trend(uow, VENDOR, "p-1", "nope")


# -- pictures and the command line -------------------------------------------------------------


@pytest.mark.parametrize("name", ["Acme\x0bCorp", "Esc\x1b[31m", "Odd\ufffe"])
def test_the_svg_stays_well_formed_whatever_a_name_holds(name: str) -> None:
    board = partner_dashboard(Partner("p-1", name, "acme.example", "reseller"), figures())
    ET.fromstring(dashboard_svg(board))


def test_the_command_refuses_a_file_that_is_no_partnerkit_database_and_leaves_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    program = tmp_path / "p.toml"
    program.write_text('[program]\nkey = "x"\nname = "X"\ncurrency = "EUR"\n', encoding="utf-8")
    assert main(["dashboard", "--db", str(empty), "--program", str(program), "--partner", "p"]) == 2
    assert empty.read_bytes() == b""
    assert "no partnerkit records" in capsys.readouterr().err


def test_a_program_file_that_is_not_utf8_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "db.sqlite3"
    with SqliteStorage(db).unit_of_work() as uow:
        uow.repository(PARTNERS).add(ACME)
        uow.commit()
    program = tmp_path / "p.toml"
    program.write_bytes("[program]\nname = 'Zoë'\n".encode("latin-1"))
    assert main(["dashboard", "--db", str(db), "--program", str(program), "--snapshot"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "not UTF-8" in err[0]


# -- enums read strictly ---------------------------------------------------------------------


class Level(IntEnum):
    LOW = 1
    HIGH = 2


class Rights(IntFlag):
    READ = 1
    WRITE = 2


class Plain(Enum):
    X = "x"


@pytest.mark.parametrize(
    ("cls", "value"),
    [(Level, True), (Level, 2.0), (Level, "1"), (Rights, 99), (Plain, "y"), (Rag, 1)],
)
def test_enums_are_read_as_strictly_as_their_base_type(cls: type[Enum], value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        from_dict(cls, value)
    assert caught.value.errors[0].code == "invalid_choice"


def test_enums_read_their_members() -> None:
    assert from_dict(Level, 2) is Level.HIGH
    assert from_dict(Rights, 3) == Rights.READ | Rights.WRITE
    assert from_dict(Plain, "x") is Plain.X
