"""Use cases: one shape, one commit rule, one authorization rule, over a unit of work.

Every public use case is ``name(uow, ctx, ...)``: the unit of work, then a
:class:`Context` carrying the acting user, the clock and the program, then
its own arguments. "Today" is the program's date in its time zone; the
permissions and policies are the program's. A use case that changes
something ends in exactly one commit and, on any failure, rolls the unit of
work back before the error leaves it: a host that catches the error and
commits anyway writes nothing, and no event is published. Events reach the
storage's dispatcher only after the commit. A record the actor may not reach
(another partner's) is :class:`~partnerkit.core.errors.NotFound`, as if it
did not exist. ``docs/services.md`` writes these rules down for new areas.

The deal-to-order process (the approval quote, the reward margin leaving
open quotes, and orders that move their registration) has one owner:
:func:`approve_deal` and the other registration steps call it, and
:func:`start_order` and :func:`submit_order` are its use cases.
"""

from partnerkit.core._public import publish as _publish
from partnerkit.services._activities import (
    ATTR_ORDER_ID,
    ATTR_REGISTRATION_ID,
    DealActivities,
    QuoteActivities,
)
from partnerkit.services._context import SYSTEM_USER, Context
from partnerkit.services._dashboard import (
    SnapshotReport,
    dashboard_trend,
    partner_dashboard_of,
    partner_home_of,
    snapshot_dashboards,
    vendor_dashboard,
)
from partnerkit.services._deals import (
    AutoApprovalRule,
    ExpiryReport,
    approve_deal,
    decide_extension,
    decline_deal,
    expire_due,
    get_deal,
    mark_deal_lost,
    register_deal,
    request_extension,
    search_deals,
    verify_domain,
    withdraw_deal,
)
from partnerkit.services._partners import (
    add_partner,
    change_partner_stage,
    deregister_user,
    edit_partner,
    edit_user,
    list_users,
    register_user,
    reregister_user,
)
from partnerkit.services._plans import (
    ALREADY_HAD,
    ASSIGNED,
    REFUSED,
    YEAR_ENDED,
    AssignmentEntry,
    AssignmentReport,
    ClosingReport,
    PlanTemplateSaved,
    PushReport,
    TemplateImport,
    assign_plan,
    assign_plans,
    check_plan_task,
    close_ended_plans,
    close_plan,
    comment_on_plan,
    company_plan_rows,
    complete_plan,
    create_template,
    duplicate_template,
    edit_plan,
    edit_template,
    get_plan,
    get_template,
    hold_plan_milestone,
    import_program_templates,
    list_plans,
    list_templates,
    plan_progress_of,
    publish_template,
    push_template_version,
    record_plan_actual,
    rename_template_section,
    reopen_plan,
    set_plan_targets,
    share_plan,
    sign_off_plan,
    start_plan,
    uncheck_plan_task,
)
from partnerkit.services._process import start_order, submit_order
from partnerkit.services._programs import ProgramSaved, save_program
from partnerkit.services._quoting import (
    accept_quote,
    create_quote,
    create_renewal_quote,
    expire_overdue_quotes,
    expire_quote,
    revise_quote,
    send_quote,
    upcoming_renewals,
)

__all__ = [
    "ALREADY_HAD",
    "ASSIGNED",
    "ATTR_ORDER_ID",
    "ATTR_REGISTRATION_ID",
    "REFUSED",
    "SYSTEM_USER",
    "YEAR_ENDED",
    "AssignmentEntry",
    "AssignmentReport",
    "AutoApprovalRule",
    "ClosingReport",
    "Context",
    "DealActivities",
    "ExpiryReport",
    "PlanTemplateSaved",
    "ProgramSaved",
    "PushReport",
    "QuoteActivities",
    "SnapshotReport",
    "TemplateImport",
    "accept_quote",
    "add_partner",
    "approve_deal",
    "assign_plan",
    "assign_plans",
    "change_partner_stage",
    "check_plan_task",
    "close_ended_plans",
    "close_plan",
    "comment_on_plan",
    "company_plan_rows",
    "complete_plan",
    "create_quote",
    "create_renewal_quote",
    "create_template",
    "dashboard_trend",
    "decide_extension",
    "decline_deal",
    "deregister_user",
    "duplicate_template",
    "edit_partner",
    "edit_plan",
    "edit_template",
    "edit_user",
    "expire_due",
    "expire_overdue_quotes",
    "expire_quote",
    "get_deal",
    "get_plan",
    "get_template",
    "hold_plan_milestone",
    "import_program_templates",
    "list_plans",
    "list_templates",
    "list_users",
    "mark_deal_lost",
    "partner_dashboard_of",
    "partner_home_of",
    "plan_progress_of",
    "publish_template",
    "push_template_version",
    "record_plan_actual",
    "register_deal",
    "register_user",
    "rename_template_section",
    "reopen_plan",
    "request_extension",
    "reregister_user",
    "revise_quote",
    "save_program",
    "search_deals",
    "send_quote",
    "set_plan_targets",
    "share_plan",
    "sign_off_plan",
    "snapshot_dashboards",
    "start_order",
    "start_plan",
    "submit_order",
    "uncheck_plan_task",
    "upcoming_renewals",
    "vendor_dashboard",
    "verify_domain",
    "withdraw_deal",
]

_publish(__name__, globals(), __all__)
