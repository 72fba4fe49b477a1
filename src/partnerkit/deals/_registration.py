"""The deal registration: the form's sections, their validation, and the aggregate's transitions."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Literal, TypeVar

import attrs
import pendulum

from partnerkit.addresses import Address
from partnerkit.contacts import Contact, normalize_email, normalize_phone, validate_contact
from partnerkit.core import ErrorCollector, Money, aware
from partnerkit.core.errors import InvalidTransition, ValidationError
from partnerkit.deals._events import (
    DealApproved,
    DealDeclined,
    DealExpired,
    DealLost,
    DealRegistered,
    DealWithdrawn,
    ExtensionDecided,
    ExtensionRequested,
    OrderStarted,
    OrderSubmitted,
)
from partnerkit.deals._lifecycle import (
    ACTIVE_STAGES,
    ProgressStep,
    Stage,
    progress,
)
from partnerkit.deals._policy import RegistrationPolicy
from partnerkit.deals._prospect import Prospect, prospect_domain
from partnerkit.locale import N_

__all__ = [
    "FIELD_LABELS",
    "KIND",
    "AuditEntry",
    "CompanySection",
    "Deadlines",
    "DealRegistration",
    "ExtensionRequest",
    "OpportunitySection",
    "PartnerSection",
    "RegistrationForm",
    "new_registration",
    "validate_registration_form",
]

#: The kind named in errors about registrations.
KIND = "deal registration"

_MAX_TEXT = 200
_MAX_PROBLEMS = 4000
_MAX_USERS = 10_000_000

# The events of the two order steps, and of the side exits (each carries the reason).
_OrderEvent = TypeVar("_OrderEvent", OrderStarted, OrderSubmitted)
_ClosingEvent = TypeVar("_ClosingEvent", DealDeclined, DealExpired, DealLost, DealWithdrawn)


@attrs.frozen
class CompanySection:
    """The prospect company: its name and its primary domain (the prospect's unique key)."""

    name: str
    domain: str


@attrs.frozen
class PartnerSection:
    """The partner's side of the form.

    ``company_name`` and ``contact_email`` are filled from the partner's
    record; ``contact_name`` and ``contact_phone`` are the partner's contact
    at the prospect; the partner sales lead is optional.
    """

    contact_name: str
    contact_phone: str
    company_name: str = ""
    contact_email: str = ""
    sales_lead_name: str = ""
    sales_lead_email: str = ""


@attrs.frozen
class OpportunitySection:
    """What is being sold: product, users (licences), projected value, dates, priority, problems.

    ``projected_value`` is the whole project's value to the partner
    (:class:`~partnerkit.core.Money`); ``priority`` and ``migrating_to`` are
    keys of the policy's lists; ``meeting_date`` is the planned web meeting
    or visit, if any.
    """

    product: str
    users: int
    projected_value: Money
    close_date: date
    budget_approved: bool
    priority: str
    problems: str
    meeting_date: date | None = None
    migrating_to: str = ""


@attrs.frozen
class RegistrationForm:
    """A filled-in registration form: company, partner, end user and opportunity sections.

    The end user is a :class:`~partnerkit.contacts.Contact` whose address is
    required and validated for its country (``end_user.address.postal_code``).
    """

    company: CompanySection
    partner: PartnerSection
    end_user: Contact
    opportunity: OpportunitySection


#: English labels (msgids) of the form's fields and sections, by dotted path.
FIELD_LABELS: dict[str, str] = {
    "company": N_("Company"),
    "company.name": N_("Company name"),
    "company.domain": N_("Domain"),
    "partner": N_("Partner"),
    "partner.company_name": N_("Company name"),
    "partner.contact_email": N_("Contact e-mail"),
    "partner.contact_name": N_("Contact name"),
    "partner.contact_phone": N_("Contact phone"),
    "partner.sales_lead_name": N_("Partner sales lead"),
    "partner.sales_lead_email": N_("Partner sales lead e-mail"),
    "end_user": N_("End user"),
    "end_user.first_name": N_("Contact first name"),
    "end_user.last_name": N_("Contact last name"),
    "end_user.position": N_("Position"),
    "end_user.email": N_("E-mail"),
    "end_user.phone": N_("Contact phone"),
    "end_user.role": N_("Contact role"),
    "end_user.address": N_("Address"),
    "opportunity": N_("Opportunity"),
    "opportunity.product": N_("Product"),
    "opportunity.users": N_("Number of users"),
    "opportunity.projected_value": N_("Projected value"),
    "opportunity.close_date": N_("Close date"),
    "opportunity.budget_approved": N_("Budget approved"),
    "opportunity.priority": N_("Project priority"),
    "opportunity.problems": N_("Problems to solve"),
    "opportunity.meeting_date": N_("Meeting date"),
    "opportunity.migrating_to": N_("Migrating to"),
}


# The partner's side of the form repeats from one registration to the next (its own
# e-mail, its sales leads, its contacts' phones): remember what was already normalized.
@lru_cache(maxsize=4096)
def _cached_email(raw: str, path: str) -> str:
    return normalize_email(raw, path=path)


@lru_cache(maxsize=4096)
def _cached_phone(raw: str, region: str | None, path: str) -> str:
    return normalize_phone(raw, region, path=path)


def _email(raw: object, path: str) -> str:
    if isinstance(raw, str):
        return _cached_email(raw, path)
    return normalize_email(raw, path=path)  # type: ignore[arg-type]  # refuses it by name


def _phone(raw: object, region: str | None, path: str) -> str:
    if isinstance(raw, str):
        return _cached_phone(raw, region, path)
    return normalize_phone(raw, region, path=path)  # type: ignore[arg-type]


def _text(
    value: object, path: str, errors: ErrorCollector, *, required: bool, multiline: bool = False
) -> str:
    return errors.text(
        value,
        path,
        required=required,
        label=FIELD_LABELS.get(path, path),
        limit=_MAX_PROBLEMS if multiline else _MAX_TEXT,
        multiline=multiline,
    )


def _choice(
    value: object, path: str, keys: tuple[str, ...], errors: ErrorCollector, *, required: bool
) -> str:
    text = _text(value, path, errors, required=required)
    if text and text not in keys:
        errors.add(path, "invalid_choice", f"{text!r} is not one of: {', '.join(keys)}")
        return ""
    return text


def _company(section: object, policy: RegistrationPolicy, errors: ErrorCollector) -> CompanySection:
    if not isinstance(section, CompanySection):
        errors.add("company", "invalid", "expected a CompanySection")
        return CompanySection("", "")
    name = _text(section.name, "company.name", errors, required=True)
    domain = ""
    with errors.catch():
        domain = prospect_domain(section.domain, policy, path="company.domain")
    return CompanySection(name, domain)


def _partner(
    section: object,
    region: str | None,
    partner_name: str | None,
    partner_email: str | None,
    errors: ErrorCollector,
) -> PartnerSection:
    if not isinstance(section, PartnerSection):
        errors.add("partner", "invalid", "expected a PartnerSection")
        return PartnerSection("", "")
    if partner_name is not None:
        company_name = partner_name
    else:
        company_name = _text(section.company_name, "partner.company_name", errors, required=False)
    contact_email = partner_email if partner_email is not None else section.contact_email
    email = ""
    if isinstance(contact_email, str) and contact_email.strip():
        with errors.catch():
            email = _email(contact_email, "partner.contact_email")
    name = _text(section.contact_name, "partner.contact_name", errors, required=True)
    phone = ""
    with errors.catch():
        phone = _phone(section.contact_phone, region, "partner.contact_phone")
    lead = _text(section.sales_lead_name, "partner.sales_lead_name", errors, required=False)
    lead_email = ""
    raw_lead = section.sales_lead_email
    if not isinstance(raw_lead, str) or raw_lead.strip():
        with errors.catch():
            lead_email = _email(raw_lead, "partner.sales_lead_email")
    if lead_email and not lead:
        errors.add("partner.sales_lead_name", "required", "name the sales lead of that e-mail")
    return PartnerSection(name, phone, company_name, email, lead, lead_email)


def _end_user(
    contact: object, policy: RegistrationPolicy, default_region: str | None, errors: ErrorCollector
) -> tuple[Contact, str | None]:
    if not isinstance(contact, Contact):
        errors.add("end_user", "invalid", "expected a Contact")
        return Contact("", "", ""), None
    region = default_region
    if isinstance(contact.address, Address) and isinstance(contact.address.country_code, str):
        region = contact.address.country_code.strip().upper() or default_region
    checked = contact
    with errors.catch():
        checked = validate_contact(
            contact,
            roles=policy.end_user_roles,
            default_region=default_region,
            require_phone=True,
            path="end_user",
        )
    if contact.address is None:
        errors.add("end_user.address", "required", "the end user's address is required")
    if isinstance(contact.position, str) and not contact.position.strip():
        errors.add("end_user.position", "required", "the end user's position is required")
    if isinstance(contact.role, str) and not contact.role.strip():
        errors.add("end_user.role", "required", "the end user's role is required")
    return checked, region


def _opportunity(
    section: object, policy: RegistrationPolicy, today: date | None, errors: ErrorCollector
) -> OpportunitySection | None:
    if not isinstance(section, OpportunitySection):
        errors.add("opportunity", "invalid", "expected an OpportunitySection")
        return None
    path = "opportunity."
    if policy.products:
        product = _choice(
            section.product,
            path + "product",
            tuple(p.key for p in policy.products),
            errors,
            required=True,
        )
    else:
        product = _text(section.product, path + "product", errors, required=True)
    users = section.users
    if isinstance(users, bool) or not isinstance(users, int):
        errors.add(path + "users", "invalid", "expected a whole number of users")
    elif not 1 <= users <= _MAX_USERS:
        errors.add(path + "users", "out_of_range", f"{users} is outside 1..{_MAX_USERS}")
    value = section.projected_value
    if not isinstance(value, Money):
        errors.add(path + "projected_value", "invalid", "expected Money")
    elif value.amount <= Decimal(0):
        errors.add(path + "projected_value", "out_of_range", "the projected value must be positive")
    close = section.close_date
    if not isinstance(close, date) or isinstance(close, pendulum.DateTime):
        errors.add(path + "close_date", "invalid", "expected a date")
    elif today is not None and close < today:
        errors.add(path + "close_date", "out_of_range", f"{close} is in the past")
    if not isinstance(section.budget_approved, bool):
        errors.add(path + "budget_approved", "invalid", "expected true or false")
    priority = _choice(
        section.priority,
        path + "priority",
        tuple(c.key for c in policy.project_priorities),
        errors,
        required=True,
    )
    problems = _text(section.problems, path + "problems", errors, required=True, multiline=True)
    meeting = section.meeting_date
    if meeting is not None and (
        not isinstance(meeting, date) or isinstance(meeting, pendulum.DateTime)
    ):
        errors.add(path + "meeting_date", "invalid", "expected a date or nothing")
    migrating = _choice(
        section.migrating_to,
        path + "migrating_to",
        tuple(c.key for c in policy.mail_platforms),
        errors,
        required=False,
    )
    return OpportunitySection(
        product,
        users,
        value,
        close,
        section.budget_approved,
        priority,
        problems,
        meeting,
        migrating,
    )


def validate_registration_form(
    form: RegistrationForm,
    policy: RegistrationPolicy | None = None,
    *,
    today: date | None = None,
    partner_name: str | None = None,
    partner_email: str | None = None,
    default_region: str | None = None,
) -> RegistrationForm:
    """Check every field of ``form`` and return it normalized; one error names every bad field.

    The domain becomes the registrable domain (free-mail domains refused), the
    e-mail addresses are normalized and the telephone numbers stored in E.164
    with the end user's country as the default region; the end user's
    address is validated for its country. Choices must be keys of the
    policy's lists. With ``today``, a close date in the past is refused.
    ``partner_name`` and ``partner_email`` (from the partner's record)
    replace what the form says in ``partner.company_name`` and
    ``partner.contact_email``. ``default_region`` (an ISO country code) reads
    national telephone numbers when the end user's address gives no country.

    Raises :class:`ValidationError` with dotted paths such as
    ``end_user.address.postal_code`` and ``opportunity.users``.
    """
    policy = policy or _DEFAULT_POLICY
    if not isinstance(form, RegistrationForm):
        raise ValidationError.single("", "invalid", "expected a RegistrationForm")
    errors = ErrorCollector()
    company = _company(form.company, policy, errors)
    end_user, region = _end_user(form.end_user, policy, default_region, errors)
    partner = _partner(form.partner, region, partner_name, partner_email, errors)
    opportunity = _opportunity(form.opportunity, policy, today, errors)
    errors.raise_if_any()
    assert opportunity is not None
    return RegistrationForm(company, partner, end_user, opportunity)


_DEFAULT_POLICY = RegistrationPolicy()


@attrs.frozen
class AuditEntry:
    """One recorded change: who (``actor``), when (``at``), the stage before and after, a note.

    ``action`` is the transition's name (``register``, ``approve``,
    ``request_extension``, ...); ``from_stage`` is ``None`` for the
    registration itself, and equals ``to_stage`` for changes that keep the
    stage (an extension).
    """

    action: str
    actor: str
    at: pendulum.DateTime
    from_stage: Stage | None
    to_stage: Stage
    note: str = ""


@attrs.frozen
class Deadlines:
    """The dates an approved registration must meet, and until when it is exclusive.

    The order must be started on or before ``order_start_due`` and submitted
    on or before ``order_submit_due``; the partner's protection lasts up to
    and including ``protection_ends``.
    """

    order_start_due: date
    order_submit_due: date
    protection_ends: date

    def extended(self, days: int) -> Deadlines:
        """The deadlines moved ``days`` later."""
        return Deadlines(
            _later(self.order_start_due, days),
            _later(self.order_submit_due, days),
            _later(self.protection_ends, days),
        )


ExtensionStatus = Literal["pending", "granted", "refused"]


@attrs.frozen
class ExtensionRequest:
    """A partner's request for more time: why, who asked, when, and the vendor's decision."""

    reason: str
    requested_by: str
    requested_at: pendulum.DateTime
    status: ExtensionStatus = "pending"
    decided_by: str = ""
    decided_at: pendulum.DateTime | None = None


def _day(at: pendulum.DateTime) -> date:
    # A plain date: pendulum's Date arithmetic is an order of magnitude slower.
    return date(at.year, at.month, at.day)


def _later(day: date, days: int) -> date:
    return date.fromordinal(day.toordinal() + days)


def _refuse(deal: DealRegistration, target: Stage, reason: str) -> InvalidTransition:
    return InvalidTransition(KIND, deal.id, deal.stage.value, target.value, reason)


def _reason(reason: object, path: str = "reason", *, required: bool) -> str:
    if not isinstance(reason, str):
        raise ValidationError.single(path, "invalid", "expected text")
    cleaned = reason.strip()
    if required and not cleaned:
        raise ValidationError.single(path, "required", "give a reason")
    if len(cleaned) > _MAX_PROBLEMS:
        raise ValidationError.single(path, "invalid", f"at most {_MAX_PROBLEMS} characters")
    return cleaned


@attrs.frozen
class DealRegistration:
    """A partner's registration of a deal with a prospect, and where it stands.

    The attributes other areas read are plain: :attr:`id` (the deal number,
    ``DR-2026-000123``), :attr:`partner_id`, :attr:`prospect_id`,
    :attr:`stage` (a :class:`Stage`) and :attr:`form` (the validated
    sections). Every change goes through a transition method that checks its
    guard and returns the new registration with an :class:`AuditEntry`
    appended, together with the domain event to record; the registration
    itself never changes. Business dates (deadlines) are the dates of the
    instants passed in, in their own time zone: services pass instants in
    the program's time zone.

    Guards raise :class:`~partnerkit.core.errors.InvalidTransition`; a
    missing reason or a naive ``at`` raises
    :class:`~partnerkit.core.errors.ValidationError`.
    """

    id: str
    partner_id: str
    prospect_id: str
    form: RegistrationForm
    stage: Stage
    registered_at: pendulum.DateTime
    review_due: date
    #: The furthest step of the main path reached (for the progress bar after a side exit).
    reached: Stage = Stage.OPPORTUNITY
    deadlines: Deadlines | None = None
    #: Other partners' active registrations for the same prospect when this one was made.
    conflicting: tuple[str, ...] = ()
    extensions: tuple[ExtensionRequest, ...] = ()
    closing_reason: str = ""
    audit: tuple[AuditEntry, ...] = ()
    version: int = 0

    # -- what other areas read -------------------------------------------------------------

    @property
    def number(self) -> str:
        """The human-readable deal number (the same as :attr:`id`)."""
        return self.id

    @property
    def prospect_name(self) -> str:
        """The prospect company's name as registered."""
        return self.form.company.name

    @property
    def domain(self) -> str:
        """The prospect's domain."""
        return self.form.company.domain

    @property
    def product(self) -> str:
        """The product registered (the quote is generated for it)."""
        return self.form.opportunity.product

    @property
    def users(self) -> int:
        """The number of users (licences) registered."""
        return self.form.opportunity.users

    @property
    def close_date(self) -> date:
        """The expected close date."""
        return self.form.opportunity.close_date

    @property
    def is_active(self) -> bool:
        """True while it holds or claims its prospect (opportunity, approved, order started)."""
        return self.stage in ACTIVE_STAGES

    @property
    def earns_reward_margin(self) -> bool:
        """True while quotes for the prospect earn the reward margin: approved or order started."""
        return self.stage is Stage.APPROVED or self.stage is Stage.ORDER_STARTED

    @property
    def flagged(self) -> bool:
        """True when another partner held an active registration for the prospect."""
        return bool(self.conflicting)

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        """The extension request awaiting the vendor's decision, if any."""
        if self.extensions and self.extensions[-1].status == "pending":
            return self.extensions[-1]
        return None

    def is_protected(self, day: date) -> bool:
        """Whether the registration is exclusive to its partner on ``day``."""
        return (
            self.deadlines is not None
            and self.stage in (Stage.APPROVED, Stage.ORDER_STARTED, Stage.ORDER_SUBMITTED)
            and day <= self.deadlines.protection_ends
        )

    def progress(self, locale: str | None = None) -> tuple[ProgressStep, ...]:
        """The four progress-bar steps with the current one marked (see :func:`progress`)."""
        return progress(self.stage, self.reached, locale)

    def due_expiry(self, day: date) -> str | None:
        """Why the registration expires on ``day``, or ``None`` if it does not (yet).

        An opportunity expires after its review date, an approved
        registration after its order-start date, a started order after its
        submission date.
        """
        stage = self.stage
        if stage is Stage.OPPORTUNITY:
            return "not reviewed in time" if day > self.review_due else None
        deadlines = self.deadlines
        if deadlines is None:
            return None
        if stage is Stage.APPROVED and day > deadlines.order_start_due:
            return "the order was not started in time"
        if stage is Stage.ORDER_STARTED and day > deadlines.order_submit_due:
            return "the order was not submitted in time"
        return None

    # -- transitions ------------------------------------------------------------------------

    def _move(
        self,
        action: str,
        target: Stage,
        actor: str,
        at: pendulum.DateTime,
        note: str = "",
        *,
        deadlines: Deadlines | None = None,
        reached: Stage | None = None,
        closing_reason: str | None = None,
        extensions: tuple[ExtensionRequest, ...] | None = None,
    ) -> DealRegistration:
        if self.audit and at < self.audit[-1].at:
            raise ValidationError.single("at", "out_of_range", "earlier than the last change")
        entry = AuditEntry(action, actor, at, self.stage, target, note)
        return DealRegistration(
            self.id,
            self.partner_id,
            self.prospect_id,
            self.form,
            target,
            self.registered_at,
            self.review_due,
            self.reached if reached is None else reached,
            self.deadlines if deadlines is None else deadlines,
            self.conflicting,
            self.extensions if extensions is None else extensions,
            self.closing_reason if closing_reason is None else closing_reason,
            (*self.audit, entry),
            self.version,
        )

    def approve(
        self, actor: str, at: pendulum.DateTime, policy: RegistrationPolicy | None = None
    ) -> tuple[DealRegistration, DealApproved]:
        """Approve an opportunity; set its deadlines from ``policy`` counted from ``at``'s date."""
        at = aware(at)
        if self.stage is not Stage.OPPORTUNITY:
            raise _refuse(self, Stage.APPROVED, "only an opportunity can be approved")
        policy = policy or _DEFAULT_POLICY
        day = _day(at)
        deadlines = Deadlines(
            _later(day, policy.order_start_days),
            _later(day, policy.order_submit_days),
            _later(day, policy.protection_days),
        )
        deal = self._move(
            "approve", Stage.APPROVED, actor, at, deadlines=deadlines, reached=Stage.APPROVED
        )
        return deal, DealApproved(
            self.id,
            self.partner_id,
            self.prospect_id,
            actor,
            at,
            self.stage,
            Stage.APPROVED,
            deadlines.order_start_due,
            deadlines.order_submit_due,
            deadlines.protection_ends,
            self.registered_at,
        )

    def decline(
        self, actor: str, at: pendulum.DateTime, reason: str
    ) -> tuple[DealRegistration, DealDeclined]:
        """Decline an opportunity, with a reason (required)."""
        return self._close(
            DealDeclined,
            "decline",
            (Stage.OPPORTUNITY,),
            Stage.DECLINED,
            actor,
            at,
            reason,
            "only an opportunity can be declined",
            required=True,
        )

    def start_order(
        self, actor: str, at: pendulum.DateTime
    ) -> tuple[DealRegistration, OrderStarted]:
        """Progress the approved deal's quote to an order, on or before the order-start date."""
        deadlines = self.deadlines
        return self._order_step(
            OrderStarted,
            "start_order",
            Stage.APPROVED,
            Stage.ORDER_STARTED,
            actor,
            at,
            None if deadlines is None else deadlines.order_start_due,
            "only an approved deal can start an order",
            "the order was due to start by",
        )

    def submit_order(
        self, actor: str, at: pendulum.DateTime, *, value: Money | None = None
    ) -> tuple[DealRegistration, OrderSubmitted]:
        """Submit the started order, on or before the order-submission date.

        ``value`` is what the won deal is worth (the net total of the order
        that moved it); the event carries the projected value when it is
        None. Raises :class:`~partnerkit.core.errors.ValidationError` at
        ``value`` for anything but Money or None.
        """
        if value is not None and not isinstance(value, Money):
            raise ValidationError.single("value", "invalid", "expected Money or None")
        deadlines = self.deadlines
        deal, event = self._order_step(
            OrderSubmitted,
            "submit_order",
            Stage.ORDER_STARTED,
            Stage.ORDER_SUBMITTED,
            actor,
            at,
            None if deadlines is None else deadlines.order_submit_due,
            "only a started order can be submitted",
            "the order was due for submission by",
        )
        worth = value if value is not None else self.form.opportunity.projected_value
        return deal, attrs.evolve(event, value=worth)

    def _order_step(
        self,
        event: type[_OrderEvent],
        action: str,
        source: Stage,
        target: Stage,
        actor: str,
        at: pendulum.DateTime,
        due: date | None,
        refusal: str,
        late: str,
    ) -> tuple[DealRegistration, _OrderEvent]:
        # A step of the main path after approval: only from ``source``, and on or before
        # ``due`` (when there are deadlines); ``late`` is the refusal after it.
        at = aware(at)
        if self.stage is not source:
            raise _refuse(self, target, refusal)
        if due is not None and _day(at) > due:
            raise _refuse(self, target, f"{late} {due}")
        deal = self._move(action, target, actor, at, reached=target)
        return deal, event(
            self.id, self.partner_id, self.prospect_id, actor, at, self.stage, target
        )

    def expire(
        self, actor: str, at: pendulum.DateTime, reason: str
    ) -> tuple[DealRegistration, DealExpired]:
        """Close an active registration as expired (the sweep passes the reason it found)."""
        return self._close(
            DealExpired,
            "expire",
            ACTIVE_STAGES,
            Stage.EXPIRED,
            actor,
            at,
            reason,
            "only an active registration can expire",
            required=True,
        )

    def mark_lost(
        self, actor: str, at: pendulum.DateTime, reason: str = ""
    ) -> tuple[DealRegistration, DealLost]:
        """Close an approved deal or started order as lost (the event keeps its projected value)."""
        deal, event = self._close(
            DealLost,
            "mark_lost",
            (Stage.APPROVED, Stage.ORDER_STARTED),
            Stage.LOST,
            actor,
            at,
            reason,
            "only an approved deal or a started order can be lost",
            required=False,
        )
        return deal, attrs.evolve(event, projected_value=self.form.opportunity.projected_value)

    def withdraw(
        self, actor: str, at: pendulum.DateTime, reason: str = ""
    ) -> tuple[DealRegistration, DealWithdrawn]:
        """Withdraw an active registration."""
        return self._close(
            DealWithdrawn,
            "withdraw",
            ACTIVE_STAGES,
            Stage.WITHDRAWN,
            actor,
            at,
            reason,
            "only an active registration can be withdrawn",
            required=False,
        )

    def _close(
        self,
        event: type[_ClosingEvent],
        action: str,
        sources: Collection[Stage],
        target: Stage,
        actor: str,
        at: pendulum.DateTime,
        reason: str,
        refusal: str,
        *,
        required: bool,
    ) -> tuple[DealRegistration, _ClosingEvent]:
        # A side exit: the reason is checked before the stage, and it becomes the
        # closing reason, the audit note and the event's reason.
        at = aware(at)
        note = _reason(reason, required=required)
        if self.stage not in sources:
            raise _refuse(self, target, refusal)
        deal = self._move(action, target, actor, at, note, closing_reason=note)
        return deal, event(
            self.id, self.partner_id, self.prospect_id, actor, at, self.stage, target, note
        )

    def request_extension(
        self,
        actor: str,
        at: pendulum.DateTime,
        reason: str,
        policy: RegistrationPolicy | None = None,
    ) -> tuple[DealRegistration, ExtensionRequested]:
        """Ask for more time, with a reason (approved deals and started orders; once by default)."""
        at = aware(at)
        note = _reason(reason, required=True)
        policy = policy or _DEFAULT_POLICY
        if self.stage not in (Stage.APPROVED, Stage.ORDER_STARTED):
            raise _refuse(
                self, self.stage, "only approved deals and started orders can be extended"
            )
        if self.pending_extension is not None:
            raise _refuse(self, self.stage, "an extension request is already awaiting a decision")
        if len(self.extensions) >= policy.max_extensions:
            raise _refuse(self, self.stage, "no more extensions may be requested")
        request = ExtensionRequest(note, actor, at)
        deal = self._move(
            "request_extension",
            self.stage,
            actor,
            at,
            note,
            extensions=(*self.extensions, request),
        )
        return deal, ExtensionRequested(
            self.id, self.partner_id, self.prospect_id, actor, at, self.stage, self.stage, note
        )

    def decide_extension(
        self,
        actor: str,
        at: pendulum.DateTime,
        *,
        grant: bool,
        policy: RegistrationPolicy | None = None,
        note: str = "",
    ) -> tuple[DealRegistration, ExtensionDecided]:
        """Grant (deadlines move ``extension_days`` later) or refuse the pending extension."""
        at = aware(at)
        text = _reason(note, "note", required=False)
        policy = policy or _DEFAULT_POLICY
        pending = self.pending_extension
        if pending is None or self.stage not in (Stage.APPROVED, Stage.ORDER_STARTED):
            raise _refuse(self, self.stage, "no extension request is awaiting a decision")
        decided = attrs.evolve(
            pending, status="granted" if grant else "refused", decided_by=actor, decided_at=at
        )
        deadlines = self.deadlines
        if grant and deadlines is not None:
            deadlines = deadlines.extended(policy.extension_days)
        deal = self._move(
            "grant_extension" if grant else "refuse_extension",
            self.stage,
            actor,
            at,
            text,
            deadlines=deadlines,
            extensions=(*self.extensions[:-1], decided),
        )
        shown = deadlines if grant else None
        return deal, ExtensionDecided(
            self.id,
            self.partner_id,
            self.prospect_id,
            actor,
            at,
            self.stage,
            self.stage,
            grant,
            shown.order_start_due if shown else None,
            shown.order_submit_due if shown else None,
            shown.protection_ends if shown else None,
        )


def new_registration(
    number: str,
    partner_id: str,
    prospect: Prospect,
    form: RegistrationForm,
    actor: str,
    at: pendulum.DateTime,
    policy: RegistrationPolicy | None = None,
    *,
    prospect_created: bool = False,
    conflicting: tuple[str, ...] = (),
) -> tuple[DealRegistration, DealRegistered]:
    """A new registration in the opportunity stage, with its first audit entry and event.

    ``form`` must already be validated (:func:`validate_registration_form`);
    the review is due ``policy.review_days`` after ``at``'s date.
    ``conflicting`` names other partners' active registrations for the
    prospect (the registration is then flagged).
    """
    at = aware(at)
    policy = policy or _DEFAULT_POLICY
    entry = AuditEntry(
        "register",
        actor,
        at,
        None,
        Stage.OPPORTUNITY,
        "channel conflict with " + ", ".join(conflicting) if conflicting else "",
    )
    deal = DealRegistration(
        number,
        partner_id,
        prospect.id,
        form,
        Stage.OPPORTUNITY,
        at,
        _later(_day(at), policy.review_days),
        conflicting=conflicting,
        audit=(entry,),
    )
    return deal, DealRegistered(
        number,
        partner_id,
        prospect.id,
        actor,
        at,
        None,
        Stage.OPPORTUNITY,
        prospect.name,
        prospect_created,
        conflicting,
        form.opportunity.projected_value,
    )
