"""The deal registration form: its sections, their field labels, and their validation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

import attrs

from partnerkit.addresses import Address
from partnerkit.contacts import Contact, normalize_email, normalize_phone, validate_contact
from partnerkit.core import ErrorCollector, Money
from partnerkit.core.errors import ValidationError
from partnerkit.deals._policy import RegistrationPolicy
from partnerkit.deals._prospect import prospect_domain
from partnerkit.locale import N_

__all__ = [
    "FIELD_LABELS",
    "CompanySection",
    "OpportunitySection",
    "PartnerSection",
    "RegistrationForm",
    "validate_registration_form",
]

_MAX_TEXT = 200
_MAX_PROBLEMS = 4000
_MAX_USERS = 10_000_000


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
    if not isinstance(close, date) or isinstance(close, datetime):  # dates are dates
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
    if meeting is not None and (not isinstance(meeting, date) or isinstance(meeting, datetime)):
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
