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
'Neu-ARR: 0,00\xa0€, kein Zielwert'
"""

from partnerkit.core._public import publish as _publish
from partnerkit.dashboard._figures import DASHBOARD_KPIS, DashboardFigures, dashboard_model
from partnerkit.dashboard._home import (
    Customer,
    OpenRegistration,
    PartnerHome,
    RenewalWindow,
    partner_home,
)
from partnerkit.dashboard._html import dashboard_html, dashboard_text
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
from partnerkit.dashboard._overview import (
    Behind,
    CriterionCounts,
    VendorOverview,
    vendor_overview,
)
from partnerkit.dashboard._plan_html import plan_html
from partnerkit.dashboard._settings import (
    DashboardSettings,
    dashboard_settings_to_dict,
    read_dashboard_settings,
)
from partnerkit.dashboard._snapshot import (
    DashboardSnapshot,
    SnapshotFigure,
    SnapshotsTaken,
    snapshot_id,
    trend,
)
from partnerkit.dashboard._svg import (
    dashboard_svg,
    gauge_svg,
    quarter_bars_svg,
    rag_badge_svg,
    sparkline_svg,
    stages_bar_svg,
)

__all__ = [
    "AREA_LABELS",
    "CRITERIA",
    "DASHBOARD_KPIS",
    "Behind",
    "CertifiedUser",
    "Criterion",
    "CriterionCounts",
    "CriterionSpec",
    "Customer",
    "DashboardArea",
    "DashboardFigures",
    "DashboardSettings",
    "DashboardSnapshot",
    "DeclineCount",
    "OpenRegistration",
    "PartnerDashboard",
    "PartnerHome",
    "PlanSummary",
    "QuarterArr",
    "RenewalDue",
    "RenewalWindow",
    "ServiceBought",
    "SnapshotFigure",
    "SnapshotsTaken",
    "StageCount",
    "TargetSource",
    "VendorOverview",
    "dashboard_html",
    "dashboard_model",
    "dashboard_settings_to_dict",
    "dashboard_svg",
    "dashboard_text",
    "gauge_svg",
    "partner_dashboard",
    "partner_home",
    "plan_html",
    "quarter_bars_svg",
    "rag_badge_svg",
    "read_dashboard_settings",
    "snapshot_id",
    "sparkline_svg",
    "stages_bar_svg",
    "trend",
    "vendor_overview",
]

_publish(__name__, globals(), __all__)
