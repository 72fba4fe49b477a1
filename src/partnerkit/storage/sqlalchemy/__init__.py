"""Storage on PostgreSQL or SQLite through SQLAlchemy: the ``partnerkit[sqlalchemy]`` extra.

:class:`SqlAlchemyStorage` implements the :class:`~partnerkit.storage.Storage`
port with SQLAlchemy Core (psycopg 3 on PostgreSQL). :func:`metadata_for`
gives a host's Alembic the tables, and :data:`MIGRATIONS` is the folder of
partnerkit's own Alembic migrations (branch label ``partnerkit``) to list in
the host's ``version_locations``.
"""

try:
    import sqlalchemy as _sqlalchemy  # noqa: F401
except ImportError as _missing:  # pragma: no cover - depends on the environment
    raise ImportError(
        "partnerkit.storage.sqlalchemy needs SQLAlchemy: pip install 'partnerkit[sqlalchemy]'"
    ) from _missing

from partnerkit.core._public import publish as _publish
from partnerkit.storage.sqlalchemy._migrations import MIGRATIONS
from partnerkit.storage.sqlalchemy._schema import (
    SEQUENCES_TABLE,
    TABLE_PREFIX,
    metadata_for,
)
from partnerkit.storage.sqlalchemy._storage import (
    SqlAlchemyRepository,
    SqlAlchemyStorage,
    SqlAlchemyUnitOfWork,
)

__all__ = [
    "MIGRATIONS",
    "SEQUENCES_TABLE",
    "TABLE_PREFIX",
    "SqlAlchemyRepository",
    "SqlAlchemyStorage",
    "SqlAlchemyUnitOfWork",
    "metadata_for",
]

_publish(__name__, globals(), __all__)
