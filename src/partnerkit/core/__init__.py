"""The kernel every partnerkit area stands on: money, rates, time, errors, events, serialization.

Errors live in :mod:`partnerkit.core.errors`.
"""

from partnerkit.core._events import DomainEvent, EventDispatcher, EventHandler
from partnerkit.core._money import (
    DEFAULT_ROUNDING,
    MetricValue,
    Money,
    currency_exponent,
    is_known_currency,
    to_decimal,
)
from partnerkit.core._percentage import Percentage
from partnerkit.core._public import publish as _publish
from partnerkit.core._serialization import converter, from_dict, from_json, to_dict, to_json
from partnerkit.core._time import Clock, SystemClock, aware, time_zone, to_date
from partnerkit.core._validation import ConfigReader, ErrorCollector

__all__ = [
    "DEFAULT_ROUNDING",
    "Clock",
    "ConfigReader",
    "DomainEvent",
    "ErrorCollector",
    "EventDispatcher",
    "EventHandler",
    "MetricValue",
    "Money",
    "Percentage",
    "SystemClock",
    "aware",
    "converter",
    "currency_exponent",
    "from_dict",
    "from_json",
    "is_known_currency",
    "time_zone",
    "to_date",
    "to_decimal",
    "to_dict",
    "to_json",
]

_publish(__name__, globals(), __all__)
