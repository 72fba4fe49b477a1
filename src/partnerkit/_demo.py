"""The end-to-end demo behind ``python -m partnerkit demo``."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from importlib.resources import files
from itertools import chain
from pathlib import Path

import attrs

from partnerkit.addresses import Address, address_form, format_address, validate_address
from partnerkit.contacts import Contact, normalize_domain
from partnerkit.core import DomainEvent, EventDispatcher, Money, Percentage, SystemClock
from partnerkit.core.errors import Conflict, ValidationError
from partnerkit.dashboard import dashboard_html
from partnerkit.deals import (
    CompanySection,
    DealEvent,
    OpportunitySection,
    PartnerSection,
    RegistrationForm,
)
from partnerkit.fiscal import label
from partnerkit.partners import (
    EXECUTIVE,
    PROGRAM_ADMINISTRATOR,
    USER,
    Actor,
    Partner,
    PartnerFilter,
    PartnerUser,
)
from partnerkit.plans import PlanStatus
from partnerkit.program import Program
from partnerkit.quoting import OrderSubmitted, format_quote
from partnerkit.scoring import Activity, score_ecosystem
from partnerkit.services import (
    Context,
    DealActivities,
    ProgramSaved,
    QuoteActivities,
    accept_quote,
    approve_deal,
    assign_plans,
    check_plan_task,
    get_plan,
    import_program_templates,
    partner_dashboard_of,
    plan_progress_of,
    register_deal,
    save_program,
    send_quote,
    share_plan,
    sign_off_plan,
    snapshot_dashboards,
    start_order,
    submit_order,
)
from partnerkit.storage import (
    DEAL_REGISTRATIONS,
    PARTNER_USERS,
    PARTNERS,
    PROGRAMS,
    QUOTES,
    SqliteActivityStore,
    SqliteStorage,
)
from partnerkit.tiers import MetricValue, evaluate

Print = Callable[[str], None]


def run_demo(db: Path | None, out: Print = print) -> None:
    """Run the partner-program scenario on an SQLite database and narrate it through ``out``."""
    if db is None:
        with tempfile.TemporaryDirectory(prefix="partnerkit-demo-") as folder:
            _scenario(Path(folder) / "demo.sqlite3", out)
    else:
        _scenario(db, out)


def _heading(out: Print, title: str) -> None:
    out("")
    out(title)
    out("-" * len(title))


def _deal_to_order(
    storage: SqliteStorage, program: Program, clock: SystemClock, out: Print
) -> None:
    _heading(out, "7. A deal: registered, approved with its quote, ordered")
    locale = program.locale
    vendor = Actor("vera", PROGRAM_ADMINISTRATOR)
    rep = Actor("alice", USER, partner_id="p-contoso")
    with storage.unit_of_work() as uow:
        if uow.repository(PARTNERS).find("p-contoso") is None:
            uow.repository(PARTNERS).add(
                Partner("p-contoso", "Contoso Reseller", "contoso.example", "reseller",
                        tier="premier", currency=program.currency)
            )  # fmt: skip
            uow.repository(PARTNER_USERS).add(
                PartnerUser("alice", "p-contoso", "Alice Martin", "alice@contoso.example")
            )
            uow.commit()
    number = _demo_counter(storage)
    domain = f"fabrikam-{number}.example"
    form = RegistrationForm(
        CompanySection(f"Fabrikam {number} GmbH", domain),
        PartnerSection("Alice Martin", "+49 30 901820"),
        Contact(
            "Jonas", "Keller", f"jonas.keller@{domain}", phone="030 901820", position="CIO",
            role="decision_maker",
            address=Address("DE", "Friedrichstraße 68", city="Berlin", postal_code="10117"),
        ),
        OpportunitySection(
            "email-security", 250, Money("11400", program.currency),
            clock.now().date().add(days=90),
            budget_approved=True, priority="high", problems="Phishing and a full archive.",
            migrating_to="microsoft_365",
        ),
    )  # fmt: skip
    as_rep = Context(rep, clock, program)
    with storage.unit_of_work() as uow:
        deal = register_deal(uow, as_rep, form)
    out(f"{deal.id} registered by Alice for {deal.prospect_name} ({deal.users} users)")
    # The program has [pricing]: approving the deal generates its quote in the same commit.
    with storage.unit_of_work() as uow:
        deal = approve_deal(uow, Context(vendor, clock, program), deal.id)
    with storage.unit_of_work() as uow:
        (quote,) = uow.repository(QUOTES).list({"registration_id": deal.id})
    out(f"approved; quote {quote.number} in the same commit:")
    for line in format_quote(quote, locale).splitlines():
        out(f"    {line}")
    with storage.unit_of_work() as uow:
        send_quote(uow, as_rep, quote.id)
    with storage.unit_of_work() as uow:
        accept_quote(uow, as_rep, quote.id)
    # The deal-to-order process: the order and the registration move in one commit.
    with storage.unit_of_work() as uow:
        order = start_order(uow, as_rep, quote.id)
    with storage.unit_of_work() as uow:
        submit_order(uow, as_rep, order.id, purchase_order="PO-4711")
    with storage.unit_of_work() as uow:
        deal = uow.repository(DEAL_REGISTRATIONS).get(deal.id)
    steps = " > ".join(
        f"[{step.label}]" if step.state == "current" else step.label
        for step in deal.progress(locale)
    )
    out(f"order {order.number} submitted; {deal.id}: {steps}")


def _demo_counter(storage: SqliteStorage) -> int:
    with storage.unit_of_work() as uow:
        value = uow.sequences.next("demo-prospect")
        uow.commit()
    return value


def _scenario(db: Path, out: Print) -> None:
    clock = SystemClock()
    text = files("partnerkit").joinpath("_demo_program.toml").read_text(encoding="utf-8")
    program = Program.from_toml_string(text)

    _heading(out, "1. The program, loaded from TOML")
    out(
        f"{program.name} ({program.key}): currency {program.currency}, "
        f"locale {program.locale}, time zone {program.timezone}"
    )

    locale = program.locale
    _heading(out, "2. The fiscal calendar")
    calendar = program.fiscal
    now = clock.now()
    year = calendar.year_of(now)
    quarter = calendar.quarter_of(now)
    period = calendar.period_of(now)
    out(
        f"today ({now.in_timezone(program.timezone).date()}) is in "
        f"{label(year, locale=locale)}, {label(quarter, locale=locale)}, "
        f"{label(period, locale=locale)}, {label(calendar.week_of(now), locale=locale)}"
    )
    out(
        f"{label(year, locale=locale)} runs {year.start} to {year.end}: "
        f"{len(year.quarters)} quarters, {year.days // 7} weeks"
    )
    ytd = calendar.year_to_date(now)
    last_ytd = calendar.comparable(ytd)
    out(f"year to date {ytd.start}..{ytd.end}; compared with {last_ytd.start}..{last_ytd.end}")

    _heading(out, "3. Tiers: which tier a partner has earned, and what is missing")
    ladder = program.tiers
    if ladder is None:  # pragma: no cover - the demo program ships a ladder
        raise RuntimeError("the demo program has no tier ladder")
    metrics: dict[str, MetricValue] = {
        "new_arr": Money("112500", program.currency),
        "certified_sales_users": 3,
        "certified_technical_users": 1,
    }
    evaluation = evaluate(metrics, ladder, now.date())
    tier = evaluation.tier
    out(f"Contoso Reseller: {evaluation.explain(locale)}")
    out(
        f"{tier.name} gives a partner margin of {tier.benefits.partner_margin.format(locale)} "
        f"and a reward margin of {tier.benefits.reward_margin.format(locale)} on approved deals"
    )

    _heading(out, "4. An end user's address, the way the country writes it")
    form = address_form("IE", locale=locale)
    out(
        "Irish address form in German: "
        + ", ".join(f"{f.label}{'*' if f.required else ''}" for f in form.fields)
    )
    messy = Address(
        "IE",
        address_line1="  12 Fitzwilliam   Square ",
        city="dublin",
        country_area="Co. Dublin",
        postal_code="d02 x285",
        organization="Contoso Ltd",
    )
    clean = validate_address(messy)
    out("validated for the envelope: " + " / ".join(format_address(clean)))
    try:
        validate_address(Address("US", city="Springfield", postal_code="ABCDE"))
    except ValidationError as error:
        out("a bad US address: " + "; ".join(f"{e.path} {e.code}" for e in error.errors))
    out(f"company domain from what a user typed: {normalize_domain('https://WWW.Contoso.co.uk/')}")

    _heading(out, "5. Money: a quote line with partner margin, rounded at named points")
    unit_price = Money("7.49", program.currency)
    seats, months = 250, 12
    list_total = unit_price * seats * months
    margin = Percentage("17.5")
    discount = margin.of(list_total)
    out(f"list price        {unit_price.format(locale)} per user per month")
    out(f"{seats} users x {months} months = {list_total.format(locale)}")
    out(f"partner margin    {margin.format(locale)} = {discount.format(locale)} (rounded half up)")
    out(f"partner pays      {(list_total - discount).format(locale)}")
    monthly = discount.allocate([1] * months)
    out(
        f"the margin over {months} monthly invoices (largest remainder): "
        f"{monthly[0].format(locale)} ... {monthly[-1].format(locale)}, "
        f"summing to exactly {Money.sum(monthly, program.currency).format(locale)}"
    )
    out(
        f"the same total for a US reader: {list_total.format('en_US')}; "
        f"in yen, no minor unit: {Money('1234.5', 'JPY').round().format('ja_JP')}"
    )

    _heading(out, f"6. Storage: SQLite at {db}")
    events: list[DomainEvent] = []
    dispatcher = EventDispatcher()
    dispatcher.subscribe(ProgramSaved, events.append)
    deal_events: list[DomainEvent] = []
    dispatcher.subscribe(DealEvent, deal_events.append)
    dispatcher.subscribe(OrderSubmitted, deal_events.append)
    storage = SqliteStorage(db, dispatcher=dispatcher)
    with storage.unit_of_work() as uow:
        existing = uow.repository(PROGRAMS).find(program.key)
    if existing is None:
        with storage.unit_of_work() as uow:
            admin = Actor("admin@northwind.example", PROGRAM_ADMINISTRATOR)
            stored = save_program(uow, Context(admin, clock, program), program)
        out(f"stored {stored.key} as version {stored.version}")
    else:
        stored = existing
        out(f"found {stored.key} at version {stored.version} from an earlier run")

    # Two administrators open the settings page at the same time.
    with storage.unit_of_work() as uow:
        seen_by_alice = uow.repository(PROGRAMS).get(program.key)
    seen_by_bob = seen_by_alice
    with storage.unit_of_work() as uow:
        alice_admin = Actor("alice@northwind.example", PROGRAM_ADMINISTRATOR)
        alice = save_program(
            uow,
            Context(alice_admin, clock, seen_by_alice),
            attrs.evolve(seen_by_alice, timezone="Europe/Paris"),
        )
    out(f"alice moved the program to {alice.timezone}: version {alice.version}")
    try:
        with storage.unit_of_work() as uow:
            bob_admin = Actor("bob@northwind.example", PROGRAM_ADMINISTRATOR)
            save_program(
                uow,
                Context(bob_admin, clock, seen_by_bob),
                attrs.evolve(seen_by_bob, locale="en_GB"),
            )
    except Conflict as exc:
        out(f"bob's stale edit was refused: {exc}")
    with storage.unit_of_work() as uow:
        final = uow.repository(PROGRAMS).get(program.key)
        numbers = [
            f"DR-{clock.now().year}-{uow.sequences.next('deal-registration'):06d}" for _ in range(2)
        ]
        uow.commit()
    out(f"stored now: locale {final.locale}, time zone {final.timezone}, version {final.version}")
    out(f"next deal registration numbers: {', '.join(numbers)}")

    _deal_to_order(storage, program, clock, out)

    _heading(out, "8. Events published after each commit")
    for event in events:
        if isinstance(event, ProgramSaved):
            verb = "created" if event.created else "changed"
            out(
                f"{event.at.to_iso8601_string()}  {event.actor} {verb} {event.key} "
                f"(version {event.version})"
            )

    _nightly_scoring(program, deal_events, clock, out)
    _partner_plan(storage, program, deal_events, clock, out)
    _dashboard(storage, db, program, deal_events, clock, out)


def _ecosystem(today: date, partners: int) -> Iterator[tuple[str, str, int, int | None, str]]:
    """A deterministic month of portal activity of other partners, as engine rows."""
    rng = random.Random(2026)
    kinds = ["login"] * 6 + ["content_view"] * 3 + ["communication", "deal_registered"]
    last = today.toordinal()
    for _ in range(partners * 40):
        p = rng.randrange(partners)
        kind = rng.choice(kinds)
        amount = rng.randrange(100_000, 5_000_000) if kind == "deal_registered" else None
        yield (f"p-{p:04d}", kind, last - rng.randrange(60), amount, f"p-{p:04d}-u{p % 7}")


def _nightly_scoring(
    program: Program, deal_events: list[DomainEvent], clock: SystemClock, out: Print
) -> None:
    _heading(out, "9. Nightly scoring: every partner in one pass, explained")
    locale = program.locale
    today = clock.now().in_timezone(program.timezone).date()
    # The deal and order events of section 7 become activities; the rest of the ecosystem
    # is the kind of rows a host reads from its portal logs.
    deals = _deal_activities(program, deal_events)
    out(f"the deal events above as activities: {', '.join(a.kind for a in deals)}")
    seen: list[int] = []
    scores = score_ecosystem(
        chain(_ecosystem(today, 500), deals),
        calendar=program.fiscal,
        as_of=today,
        currency=program.currency,
        model=program.scoring,
        tz=program.timezone,
        progress=seen.append,
    )
    out(f"scored {seen[-1]:,} activities of {len(scores.partners)} partners")
    card = scores.scorecard("p-contoso")
    out(
        f"Contoso Reseller: engagement {card.engagement.score} / 100, "
        f"rank {card.rank} of {card.partners} ({card.percentile} percentile)"
    )
    for line in card.engagement.explain().splitlines()[1:]:
        out(f"    {line.strip()}")
    revenue = card.kpi("sourced_revenue_ytd").value
    shown = revenue.format(locale) if isinstance(revenue, Money) else str(revenue)
    out(f"sourced revenue this fiscal year: {shown}")


def _deal_activities(program: Program, deal_events: list[DomainEvent]) -> list[Activity]:
    return [
        *DealActivities(tz=program.timezone).activities(deal_events),
        *QuoteActivities().activities(deal_events),
    ]


def _partner_plan(
    storage: SqliteStorage,
    program: Program,
    deal_events: list[DomainEvent],
    clock: SystemClock,
    out: Print,
) -> None:
    _heading(out, "10. A partner plan: assigned, signed off by both sides, measured")
    locale = program.locale
    vendor = Context(Actor("vera", PROGRAM_ADMINISTRATOR), clock, program)
    executive = Context(Actor("erik", EXECUTIVE, partner_id="p-contoso"), clock, program)
    with storage.unit_of_work() as uow:
        imported = import_program_templates(uow, vendor)
    stored = imported.added or imported.updated
    out(
        f"templates from the program file: {', '.join(stored)} stored"
        if stored
        else f"templates from the program file: {', '.join(imported.unchanged)} unchanged"
    )
    # Every reseller gets the plan for the current fiscal year; run again, nobody gets two.
    with storage.unit_of_work() as uow:
        report = assign_plans(uow, vendor, "reseller-plan", PartnerFilter(partner_types="reseller"))
    entry = next(e for e in report.entries if e.partner_id == "p-contoso")
    out(f"Contoso Reseller, fiscal year {report.fiscal_year}: {entry.outcome} {entry.plan_id}")
    assert entry.plan_id is not None
    with storage.unit_of_work() as uow:
        plan = get_plan(uow, vendor, entry.plan_id)
    if plan.status is PlanStatus.DRAFT:
        with storage.unit_of_work() as uow:
            share_plan(uow, vendor, plan.id)
        with storage.unit_of_work() as uow:
            sign_off_plan(uow, executive, plan.id)
        with storage.unit_of_work() as uow:
            sign_off_plan(uow, vendor, plan.id)
        with storage.unit_of_work() as uow:
            plan = check_plan_task(uow, executive, plan.id, "forecast")
    signers = " and ".join(f"{s.side.value} {s.actor}" for s in plan.signoffs)
    out(f"{plan.name}: {plan.status.value}, signed off by {signers}")
    out("audit: " + " > ".join(entry.action for entry in plan.audit))
    with storage.unit_of_work() as uow:
        progress = plan_progress_of(uow, executive, plan.id, _deal_activities(program, deal_events))
    out(f"{progress.completion}% complete on {progress.as_of}, measured from the deal above:")
    for objective in progress.objectives:
        actual, target = (
            value.format(locale) if isinstance(value, Money) else str(value)
            for value in (objective.year.actual, objective.year.target)
        )
        out(f"    {objective.title}: {actual} of {target}")


def _dashboard_file(db: Path) -> Path:
    # Beside a kept database; else in the temporary folder, which outlives the demo's own.
    if db.parent.name.startswith("partnerkit-demo-"):
        return Path(tempfile.gettempdir()) / "partnerkit-demo-dashboard.html"
    return db.with_name(f"{db.stem}-dashboard.html")


def _dashboard(
    storage: SqliteStorage,
    db: Path,
    program: Program,
    deal_events: list[DomainEvent],
    clock: SystemClock,
    out: Print,
) -> None:
    _heading(out, "11. The Program Success Dashboard, as a page to open")
    # The deal's activities join the activity store in the same file, where the nightly job
    # (and `partnerkit dashboard`) reads them.
    activities = SqliteActivityStore(db, Activity)
    activities.append(_deal_activities(program, deal_events))
    vendor = Context(Actor("vera", PROGRAM_ADMINISTRATOR), clock, program)
    stored = list(activities.iterate())
    with storage.unit_of_work() as uow:
        report = snapshot_dashboards(uow, vendor, stored)
    count = len(report.added) + len(report.replaced)
    out(f"snapshots of {report.day}: {count} {'partner' if count == 1 else 'partners'}")
    with storage.unit_of_work() as uow:
        board = partner_dashboard_of(uow, vendor, "p-contoso", stored)
    for criterion in board.criteria:
        out(f"    {criterion.explain(program.locale)}")
    path = _dashboard_file(db)
    path.write_text(dashboard_html(board, program.locale), encoding="utf-8")
    out(f"the dashboard of {board.partner_name} is written to {path}")
