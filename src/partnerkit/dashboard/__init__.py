r"""The Program Success Dashboard: a partner's progress against its plan, day by day.

Four areas of core criteria (ARR achievements, deal contribution, sales and
technical training, completed plans and services), each with its target (the
partner's plan, else the program's scoring targets), its actual, a paced
red/amber/green status and a one-line explanation; secondary views under
each; daily snapshots for the trend; the vendor's view over every partner;
the partner's commercial home page. Pure: the figures come from the batch
engine (:class:`DashboardFigures`), the records from the host.

>>> from datetime import date
>>> from partnerkit.fiscal import MonthlyFiscalCalendar
>>> from partnerkit.partners import Partner
>>> figures = DashboardFigures.compute(
...     [], calendar=MonthlyFiscalCalendar(1), as_of=date(2026, 5, 15), currency="EUR",
...     partners=["p-1"])
>>> board = partner_dashboard(Partner("p-1", "Acme", "acme.example", "reseller"), figures)
>>> board.criterion("new_arr").explain("de_DE")
'New ARR: 0,00\xa0€, no target'
"""

from partnerkit.core._public import publish as _publish
from partnerkit.dashboard._figures import DASHBOARD_KPIS, DashboardFigures, dashboard_model
from partnerkit.dashboard._model import (
    AREA_LABELS,
    CRITERIA,
    CertifiedUser,
    Criterion,
    CriterionSpec,
    DashboardArea,
    DeclineCount,
    PartnerDashboard,
    PlanSummary,
    QuarterArr,
    RenewalDue,
    ServiceBought,
    StageCount,
    TargetSource,
    partner_dashboard,
)
from partnerkit.dashboard._plan_html import plan_html
from partnerkit.dashboard._settings import (
    DashboardSettings,
    dashboard_settings_to_dict,
    read_dashboard_settings,
)

__all__ = [
    "AREA_LABELS",
    "CRITERIA",
    "DASHBOARD_KPIS",
    "CertifiedUser",
    "Criterion",
    "CriterionSpec",
    "DashboardArea",
    "DashboardFigures",
    "DashboardSettings",
    "DeclineCount",
    "PartnerDashboard",
    "PlanSummary",
    "QuarterArr",
    "RenewalDue",
    "ServiceBought",
    "StageCount",
    "TargetSource",
    "dashboard_model",
    "dashboard_settings_to_dict",
    "partner_dashboard",
    "plan_html",
    "read_dashboard_settings",
]

_publish(__name__, globals(), __all__)
