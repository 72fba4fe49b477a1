"""Partner scoring: activities, KPIs, the engagement score, RAG status, scorecards, batch engine.

Score a whole ecosystem in one pass over its activities, in any order:

>>> from datetime import date, datetime, timezone
>>> from partnerkit.fiscal import MonthlyFiscalCalendar
>>> at = datetime(2026, 5, 4, 9, tzinfo=timezone.utc)
>>> scores = score_ecosystem(
...     [Activity("p-1", "login", at, "u-1"), Activity("p-2", "deal_registered", at)],
...     calendar=MonthlyFiscalCalendar(1), as_of=date(2026, 5, 15), currency="EUR")
>>> card = scores.scorecard("p-1")
>>> card.metrics()["logins_90d"], card.rank
(1, 2)
"""

from partnerkit.core._public import publish as _publish
from partnerkit.scoring._activities import (
    ATTR_MOTION,
    ATTR_REGISTERED_ON,
    Activity,
    ActivityKind,
    ActivityRow,
    ActivitySource,
    activity_row,
)
from partnerkit.scoring._config import (
    engagement_model_from_dict,
    engagement_model_to_dict,
    read_engagement_model,
)
from partnerkit.scoring._engagement import (
    DEFAULT_ENGAGEMENT_MODEL,
    NORMALIZATIONS,
    EngagementModel,
    EngagementScore,
    EngagementTable,
    Signal,
    SignalContribution,
    percentile_ranks,
    score_engagement,
)
from partnerkit.scoring._files import (
    ACTIVITY_COLUMNS,
    ON_BAD_ROWS,
    BadRow,
    RowReport,
    activity_file_rows,
    count_file_rows,
    tally_files,
)
from partnerkit.scoring._kpis import BUILTIN_KPIS, MEASURES, CustomKpi, Kpi, MetricValue
from partnerkit.scoring._plan import ScoringPlan
from partnerkit.scoring._scorecard import EcosystemScores, KpiResult, Scorecard, score_ecosystem
from partnerkit.scoring._status import (
    DEFAULT_AMBER,
    DEFAULT_GREEN,
    KpiStatus,
    Rag,
    Target,
    rag_status,
)
from partnerkit.scoring._tally import Tally
from partnerkit.scoring._values import KpiValues
from partnerkit.scoring._windows import WINDOW_KINDS, Span, Window

__all__ = [
    "ACTIVITY_COLUMNS",
    "ATTR_MOTION",
    "ATTR_REGISTERED_ON",
    "BUILTIN_KPIS",
    "DEFAULT_AMBER",
    "DEFAULT_ENGAGEMENT_MODEL",
    "DEFAULT_GREEN",
    "MEASURES",
    "NORMALIZATIONS",
    "ON_BAD_ROWS",
    "WINDOW_KINDS",
    "Activity",
    "ActivityKind",
    "ActivityRow",
    "ActivitySource",
    "BadRow",
    "CustomKpi",
    "EcosystemScores",
    "EngagementModel",
    "EngagementScore",
    "EngagementTable",
    "Kpi",
    "KpiResult",
    "KpiStatus",
    "KpiValues",
    "MetricValue",
    "Rag",
    "RowReport",
    "Scorecard",
    "ScoringPlan",
    "Signal",
    "SignalContribution",
    "Span",
    "Tally",
    "Target",
    "Window",
    "activity_file_rows",
    "activity_row",
    "count_file_rows",
    "engagement_model_from_dict",
    "engagement_model_to_dict",
    "percentile_ranks",
    "rag_status",
    "read_engagement_model",
    "score_ecosystem",
    "score_engagement",
    "tally_files",
]

_publish(__name__, globals(), __all__)
