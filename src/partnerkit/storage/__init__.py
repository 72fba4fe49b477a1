"""Storage ports that hosts implement, and the two reference backends.

A host keeps its own database: it implements :class:`UnitOfWork`,
:class:`Repository` and :class:`Sequences` over its ORM (and proves them with
the contract suite in :mod:`partnerkit.testing`), or uses one of the reference
backends, :class:`MemoryStorage` and :class:`SqliteStorage`.
"""

from partnerkit.core._public import publish as _publish
from partnerkit.storage._activities import (
    ActivityStore,
    MemoryActivityStore,
    SqliteActivityStore,
)
from partnerkit.storage._builtin import BUILTIN_SPECS
from partnerkit.storage._dashboard import DASHBOARD_SNAPSHOTS
from partnerkit.storage._deals import DEAL_REGISTRATIONS, PROSPECTS
from partnerkit.storage._memory import MemoryRepository, MemoryStorage, MemoryUnitOfWork
from partnerkit.storage._partners import PARTNER_USERS, PARTNERS
from partnerkit.storage._plans import PLAN_TEMPLATES, PLANS, assignment_key
from partnerkit.storage._ports import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    AggregateSpec,
    Index,
    IndexValue,
    Page,
    Repository,
    Sequences,
    Storage,
    UnitOfWork,
)
from partnerkit.storage._programs import PROGRAMS
from partnerkit.storage._quoting import ORDERS, QUOTES, SUBSCRIPTIONS
from partnerkit.storage._sqlite import (
    SCHEMA_VERSION,
    SqliteRepository,
    SqliteStorage,
    SqliteUnitOfWork,
)

__all__ = [
    "BUILTIN_SPECS",
    "DASHBOARD_SNAPSHOTS",
    "DEAL_REGISTRATIONS",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "ORDERS",
    "PARTNERS",
    "PARTNER_USERS",
    "PLANS",
    "PLAN_TEMPLATES",
    "PROGRAMS",
    "PROSPECTS",
    "QUOTES",
    "SCHEMA_VERSION",
    "SUBSCRIPTIONS",
    "ActivityStore",
    "AggregateSpec",
    "Index",
    "IndexValue",
    "MemoryActivityStore",
    "MemoryRepository",
    "MemoryStorage",
    "MemoryUnitOfWork",
    "Page",
    "Repository",
    "Sequences",
    "SqliteActivityStore",
    "SqliteRepository",
    "SqliteStorage",
    "SqliteUnitOfWork",
    "Storage",
    "UnitOfWork",
    "assignment_key",
]

_publish(__name__, globals(), __all__)
