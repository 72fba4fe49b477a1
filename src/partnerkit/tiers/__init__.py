"""Tier ladders, qualification criteria, explained evaluation, tier-change policy and history.

A :class:`TierLadder` orders a program's tiers (Registered, Premier, Elite)
with their :class:`Benefits` and :class:`Criteria`; :func:`evaluate` finds the
highest tier a partner's metrics reach and explains what is missing for the
next; a :class:`TierPolicy` decides when that becomes a :class:`TierChange`;
a :class:`TierHistory` records every tier held; :func:`simulate` shows who
a proposed ladder would move. Load a ladder from the ``[tiers]`` section of a
program file with :func:`ladder_from_dict`.
"""

from partnerkit.core._public import publish as _publish
from partnerkit.tiers._config import (
    ladder_from_dict,
    ladder_to_dict,
    policy_from_dict,
    policy_to_dict,
    read_ladder,
    read_tier_policy,
)
from partnerkit.tiers._criteria import (
    MODES,
    OPERATORS,
    CheckResult,
    Criteria,
    Criterion,
    CustomCheck,
    CustomCriterion,
    MetricValue,
    Mode,
    Operator,
    Rule,
    check_metrics,
)
from partnerkit.tiers._evaluate import (
    METRIC_LABELS,
    CriterionResult,
    TierCheck,
    TierEvaluation,
    evaluate,
    evaluate_many,
    metric_label,
)
from partnerkit.tiers._history import ChangeKind, TierChange, TierHistory, TierSpan, tier_as_of
from partnerkit.tiers._ladder import Benefits, Tier, TierLadder
from partnerkit.tiers._policy import (
    FISCAL_UNITS,
    PERIODS,
    CalendarReviews,
    FiscalReviews,
    FiscalUnit,
    Period,
    ReviewCalendar,
    TierOverride,
    TierPolicy,
    UpgradeTiming,
)
from partnerkit.tiers._simulate import Movement, SimulationReport, SimulationRow, simulate

__all__ = [
    "FISCAL_UNITS",
    "METRIC_LABELS",
    "MODES",
    "OPERATORS",
    "PERIODS",
    "Benefits",
    "CalendarReviews",
    "ChangeKind",
    "CheckResult",
    "Criteria",
    "Criterion",
    "CriterionResult",
    "CustomCheck",
    "CustomCriterion",
    "FiscalReviews",
    "FiscalUnit",
    "MetricValue",
    "Mode",
    "Movement",
    "Operator",
    "Period",
    "ReviewCalendar",
    "Rule",
    "SimulationReport",
    "SimulationRow",
    "Tier",
    "TierChange",
    "TierCheck",
    "TierEvaluation",
    "TierHistory",
    "TierLadder",
    "TierOverride",
    "TierPolicy",
    "TierSpan",
    "UpgradeTiming",
    "check_metrics",
    "evaluate",
    "evaluate_many",
    "ladder_from_dict",
    "ladder_to_dict",
    "metric_label",
    "policy_from_dict",
    "policy_to_dict",
    "read_ladder",
    "read_tier_policy",
    "simulate",
    "tier_as_of",
]

_publish(__name__, globals(), __all__)
