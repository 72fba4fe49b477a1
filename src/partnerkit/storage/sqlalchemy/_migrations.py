"""Where partnerkit's Alembic migrations live inside the installed package."""

from __future__ import annotations

from pathlib import Path

__all__ = ["MIGRATIONS"]

#: The folder of partnerkit's Alembic revisions (branch label ``partnerkit``): add it to the
#: host's ``version_locations`` and run ``alembic upgrade partnerkit@head``.
MIGRATIONS: str = str(Path(__file__).resolve().parent / "migrations")
