"""The tables of the program file partnerkit ships: one ProgramArea per table, in file order.

Each entry adapts one domain package's reader and writer (``read_calendar``,
``calendar_to_dict``, ...); the domain packages know nothing of the program.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from partnerkit.core import ConfigReader, Money, is_known_currency
from partnerkit.core.errors import FieldError, ValidationError
from partnerkit.dashboard import (
    DashboardSettings,
    dashboard_settings_to_dict,
    read_dashboard_settings,
)
from partnerkit.deals import (
    RegistrationPolicy,
    read_registration_policy,
    registration_policy_to_dict,
)
from partnerkit.fiscal import FiscalCalendar, calendar_to_dict, read_calendar
from partnerkit.partners import (
    PartnerType,
    PermissionMap,
    partner_types_to_dict,
    permissions_to_dict,
    read_partner_types,
    read_permissions,
)
from partnerkit.plans import PlanTemplate, plan_templates_to_dict, read_plan_templates
from partnerkit.program._area import AreaContext, ProgramArea
from partnerkit.quoting import Pricing, pricing_to_dict, read_pricing
from partnerkit.scoring import EngagementModel, engagement_model_to_dict, read_engagement_model
from partnerkit.tiers import (
    FiscalReviews,
    TierLadder,
    TierPolicy,
    ladder_to_dict,
    policy_to_dict,
    read_ladder,
    read_tier_policy,
)

if TYPE_CHECKING:
    from partnerkit.program._program import Program

__all__ = ["AREAS"]

T = TypeVar("T")


def _customized(_: object) -> str:
    return "<customized>"


def _no_problems(_: Any, __: Program) -> Iterable[FieldError]:
    return ()


@attrs.frozen
class _Area(Generic[T]):
    """A :class:`ProgramArea` made of a domain package's reader and writer.

    :meth:`check` refuses a value that is not a ``kind`` (None too, unless
    ``optional``) before ``also_check`` looks at it.
    """

    table: str
    attribute: str
    kind: type[Any]
    expected: str
    reader: Callable[[ConfigReader, AreaContext], T | None]
    writer: Callable[[T, Program], dict[str, Any]]
    show: Callable[[T], str] = _customized
    also_check: Callable[[T, Program], Iterable[FieldError]] = _no_problems
    optional: bool = False

    def read(self, reader: ConfigReader, context: AreaContext) -> T | None:
        return self.reader(reader, context)

    def write(self, value: T, program: Program) -> dict[str, Any]:
        return self.writer(value, program)

    def check(self, value: object, program: Program) -> Iterable[FieldError]:
        if value is None and self.optional:
            return ()
        if not isinstance(value, self.kind):
            return (FieldError("", "invalid", f"expected {self.expected}"),)
        return tuple(self.also_check(value, program))

    def summary(self, value: T) -> str:
        return self.show(value)


def _write_policy(policy: TierPolicy, program: Program) -> dict[str, Any]:
    data = policy_to_dict(policy)
    calendar = policy.calendar
    if isinstance(calendar, FiscalReviews) and calendar.calendar == program.fiscal:
        # Reviews follow the program's own [fiscal] calendar: no need to repeat it.
        del data["calendar"]["fiscal"]
    return data


def _scoring_currency(model: EngagementModel, program: Program) -> Iterable[FieldError]:
    # A [scoring] target written as a plain amount is money in the program's currency.
    if not (isinstance(program.currency, str) and is_known_currency(program.currency)):
        return ()  # the currency's own error is reported on program.currency
    try:
        model.check_currency(program.currency)
    except ValidationError as exc:
        return exc.errors
    return ()


FISCAL: _Area[FiscalCalendar] = _Area(
    "fiscal",
    "fiscal_calendar",
    FiscalCalendar,
    "a partnerkit.fiscal calendar",
    lambda reader, _: read_calendar(reader),
    lambda calendar, _: calendar_to_dict(calendar),
    show=repr,
    optional=True,
)
TIERS: _Area[TierLadder] = _Area(
    "tiers",
    "tiers",
    TierLadder,
    "a partnerkit.tiers.TierLadder",
    lambda reader, context: read_ladder(reader, custom_criteria=context.custom_criteria),
    lambda ladder, _: ladder_to_dict(ladder),
    show=lambda ladder: repr(list(ladder.keys)),
    optional=True,
)
TIER_POLICY: _Area[TierPolicy] = _Area(
    "tiers.policy",
    "tier_policy",
    TierPolicy,
    "a partnerkit.tiers.TierPolicy",
    lambda reader, context: read_tier_policy(reader, fiscal=context.fiscal),
    _write_policy,
    show=repr,
)
PERMISSIONS: _Area[PermissionMap] = _Area(
    "permissions",
    "permissions",
    PermissionMap,
    "a partnerkit.partners.PermissionMap",
    lambda reader, _: read_permissions(reader),
    lambda permissions, _: permissions_to_dict(permissions),
)


def _partner_type_entries(types: tuple[Any, ...], _: Program) -> Iterable[FieldError]:
    keys = [t.key for t in types if isinstance(t, PartnerType)]
    if len(keys) != len(types) or not types:
        yield FieldError("", "invalid", "expected one or more partnerkit.partners.PartnerType")
    elif len(set(keys)) != len(keys):
        yield FieldError("types", "duplicate", "two partner types share a key")


PARTNERS: _Area[tuple[PartnerType, ...]] = _Area(
    "partners",
    "partner_types",
    tuple,
    "a tuple of partnerkit.partners.PartnerType",
    lambda reader, _: read_partner_types(reader),
    lambda types, _: partner_types_to_dict(types),
    show=lambda types: repr([t.key for t in types]),
    also_check=_partner_type_entries,
)
SCORING: _Area[EngagementModel] = _Area(
    "scoring",
    "scoring",
    EngagementModel,
    "a partnerkit.scoring.EngagementModel",
    lambda reader, context: read_engagement_model(reader, currency=context.currency),
    lambda model, _: engagement_model_to_dict(model),
    also_check=_scoring_currency,
)
DEALS: _Area[RegistrationPolicy] = _Area(
    "deals",
    "registration_policy",
    RegistrationPolicy,
    "a partnerkit.deals.RegistrationPolicy",
    lambda reader, _: read_registration_policy(reader),
    lambda policy, _: registration_policy_to_dict(policy),
)
PRICING: _Area[Pricing] = _Area(
    "pricing",
    "pricing",
    Pricing,
    "a partnerkit.quoting.Pricing",
    lambda reader, _: read_pricing(reader),
    lambda pricing, _: pricing_to_dict(pricing),
    show=lambda pricing: f"<{len(pricing.price_books)} price books>",
    optional=True,
)


def _plan_template_entries(templates: tuple[Any, ...], program: Program) -> Iterable[FieldError]:
    """Every problem of a program's templates, each at its own path (``templates.1.id``)."""
    if not all(isinstance(t, PlanTemplate) for t in templates):
        yield FieldError("", "invalid", "expected a tuple of partnerkit.plans.PlanTemplate")
        return
    seen: set[str] = set()
    for i, template in enumerate(templates):
        if template.id in seen:
            yield FieldError(f"templates.{i}.id", "duplicate", "two plan templates share an id")
        seen.add(template.id)
        if not template.published:
            yield FieldError(
                f"templates.{i}.published", "invalid", "a program's templates are published"
            )
        for j, section in enumerate(template.sections):
            for k, objective in enumerate(section.objectives):
                for n, target in enumerate(objective.targets):
                    value = target.value
                    if isinstance(value, Money) and value.currency != program.currency:
                        yield FieldError(
                            f"templates.{i}.sections.{j}.objectives.{k}.targets.{n}.value",
                            "invalid",
                            f"targets are in the program's currency, {program.currency}",
                        )


PLANS: _Area[tuple[PlanTemplate, ...]] = _Area(
    "plans",
    "plan_templates",
    tuple,
    "a tuple of partnerkit.plans.PlanTemplate",
    lambda reader, context: read_plan_templates(reader, currency=context.currency),
    lambda templates, _: plan_templates_to_dict(templates),
    show=lambda templates: repr([t.id for t in templates]),
    also_check=_plan_template_entries,
)

DASHBOARD: _Area[DashboardSettings] = _Area(
    "dashboard",
    "dashboard",
    DashboardSettings,
    "a partnerkit.dashboard.DashboardSettings",
    lambda reader, _: read_dashboard_settings(reader),
    lambda settings, _: dashboard_settings_to_dict(settings),
    show=repr,
)

#: Every table partnerkit reads into a Program, in file order (a nested table after its parent).
AREAS: tuple[ProgramArea[Any], ...] = (
    FISCAL,
    TIERS,
    TIER_POLICY,
    PERMISSIONS,
    PARTNERS,
    SCORING,
    DEALS,
    PRICING,
    PLANS,
    DASHBOARD,
)
