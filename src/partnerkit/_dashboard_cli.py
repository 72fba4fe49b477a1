"""``partnerkit dashboard``: render a partner's dashboard, or snapshot every partner's, from a file.

The database is a :class:`~partnerkit.storage.SqliteStorage` file; the scoring
activities are read from the :class:`~partnerkit.storage.SqliteActivityStore`
in the same file; the program comes from its TOML file. The command runs as
the scheduled job's user (:meth:`Context.system
<partnerkit.services.Context.system>`), on the program's date ``--as-of``
(today by default).
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TextIO

import pendulum

from partnerkit.core import Clock, SystemClock
from partnerkit.core.errors import ValidationError
from partnerkit.partners import ADMINISTRATOR, Actor
from partnerkit.program import Program
from partnerkit.scoring import Activity
from partnerkit.services import (
    SYSTEM_USER,
    Context,
    dashboard_trend,
    partner_dashboard_of,
    snapshot_dashboards,
)
from partnerkit.storage import SqliteActivityStore, SqliteStorage

__all__ = [
    "FORMATS",
    "VIEWS",
    "ProgressBar",
    "load_program",
    "render_dashboard",
    "require_database",
    "snapshot_all",
    "write",
]

#: The formats ``--format`` takes.
FORMATS = ("html", "svg", "text", "pdf")


class _AtNoon:
    """A clock that stands at noon of one day in the program's time zone."""

    def __init__(self, day: date, tz: str) -> None:
        self._at = pendulum.datetime(day.year, day.month, day.day, 12, tz=tz)

    def now(self) -> pendulum.DateTime:
        return self._at


#: Whose eyes ``--view`` renders through: the partner's administrator, or the vendor's.
VIEWS = ("partner", "vendor")


def _context(
    program: Program, as_of: date | None, view: str = "vendor", partner_id: str | None = None
) -> Context:
    clock: Clock = SystemClock() if as_of is None else _AtNoon(as_of, program.timezone)
    ctx = Context.system(clock, program)
    if view == "partner" and partner_id is not None:
        # The partner's administrator: no vendor draft, the parts its permissions allow.
        return ctx.with_actor(Actor(SYSTEM_USER, ADMINISTRATOR, partner_id=partner_id))
    return ctx


def require_database(db: Path) -> None:
    """Refuse a file that is not a partnerkit SQLite database, without changing or creating it."""
    if not db.is_file():
        raise ValidationError.single("db", "invalid", f"no database file {db}")
    try:
        with contextlib.closing(
            sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        ) as conn:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'agg_partners'"
            ).fetchone()
    except sqlite3.DatabaseError as exc:
        raise ValidationError.single(
            "db", "invalid", f"{db} is no SQLite database: {exc}"
        ) from None
    if found is None:
        raise ValidationError.single(
            "db", "invalid", f"{db} holds no partnerkit records (no partners table)"
        )


def _activities(db: Path) -> list[Activity]:
    return list(SqliteActivityStore(db, Activity).iterate())


def load_program(path: Path) -> Program:
    """The program of a TOML file (every problem reported by its path; UTF-8 text only)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError.single(
            "program", "invalid", f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    return Program.from_toml_string(text)


class ProgressBar:
    """Progress on ``stream``: a redrawn bar on a terminal, else a log line for every tenth.

    >>> import io
    >>> out = io.StringIO()
    >>> bar = ProgressBar(4, "snapshots", out)
    >>> for done in range(1, 5):
    ...     bar(done)
    >>> print(out.getvalue().strip())
    snapshots: 1/4
    snapshots: 2/4
    snapshots: 3/4
    snapshots: 4/4
    """

    def __init__(self, total: int, label: str, stream: TextIO) -> None:
        self.total = max(total, 1)
        self.label = label
        self.stream = stream
        self.tty = stream.isatty()
        self._logged = 0

    def __call__(self, done: int) -> None:
        """Report that ``done`` of the total are done."""
        if self.tty:
            width = 30
            filled = width * done // self.total
            self.stream.write(
                f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{self.total}"
            )
            if done >= self.total:
                self.stream.write("\n")
            self.stream.flush()
            return
        tenth = 10 * done // self.total
        if tenth > self._logged or done == self.total or self.total < 10:
            self._logged = tenth
            print(f"{self.label}: {done}/{self.total}", file=self.stream, flush=True)


def snapshot_all(
    db: Path, program: Program, as_of: date | None, progress: Callable[[int], None] | None = None
) -> str:
    """Store the day's snapshot of every partner; return a one-line summary."""
    require_database(db)
    storage = SqliteStorage(db)
    ctx = _context(program, as_of)
    with storage.unit_of_work() as uow:
        report = snapshot_dashboards(uow, ctx, _activities(db), progress=progress)
    return (
        f"snapshots of {report.day.isoformat()}: {len(report.added)} added, "
        f"{len(report.replaced)} replaced"
    )


def render_dashboard(
    db: Path,
    program: Program,
    partner_id: str,
    *,
    as_of: date | None = None,
    output: str = "html",
    locale: str | None = None,
    view: str = "partner",
    font: Path | None = None,
) -> bytes:
    """The partner's dashboard rendered as ``output`` (one of :data:`FORMATS`), as bytes.

    ``view`` is whose eyes: ``"partner"`` (its administrator: no vendor draft
    plan) or ``"vendor"``. ``font`` is the PDF's TrueType font (see
    :func:`partnerkit.dashboard.pdf.find_font`).
    """
    if output not in FORMATS:
        raise ValidationError.single("format", "invalid_choice", f"use one of {FORMATS}")
    if view not in VIEWS:
        raise ValidationError.single("view", "invalid_choice", f"use one of {VIEWS}")
    from partnerkit import dashboard

    require_database(db)
    storage = SqliteStorage(db)
    ctx = _context(program, as_of, view, partner_id)
    locale = program.locale if locale is None else locale
    with storage.unit_of_work() as uow:
        board = partner_dashboard_of(uow, ctx, partner_id, _activities(db))
        trends = {c.key: dashboard_trend(uow, ctx, partner_id, c.key) for c in board.criteria}
    if output == "pdf":
        try:
            from partnerkit.dashboard.pdf import dashboard_pdf
        except ImportError as exc:
            raise ValidationError.single("format", "unavailable", str(exc)) from None
        return dashboard_pdf(board, locale, font=font)
    if output == "text":
        return dashboard.dashboard_text(board, locale).encode("utf-8")
    if output == "svg":
        return dashboard.dashboard_svg(board, locale).encode("utf-8")
    return dashboard.dashboard_html(board, locale, trends=trends).encode("utf-8")


def write(data: bytes, out: Path | None) -> str | None:
    """Write ``data`` to ``out`` (standard output when None); return the path written."""
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return None
    out.write_bytes(data)
    return str(out)
