"""Activity files: Parquet (pyarrow) and CSV, read in chunks into the batch engine's rows.

The schema (one row per activity; column names as below, extra columns ignored):

``partner_id`` (required)
    the partner's id, a non-empty string.
``kind`` (required)
    the activity kind (``login``, ``deal_won``, a host's own lower-case kind).
``at`` (required)
    the instant, with its offset: a Parquet ``timestamp`` with a time zone,
    or ISO 8601 text with an offset or ``Z`` (``2026-05-04T09:30:00+02:00``).
    An instant without one (a naive timestamp) is a bad row.
``user_id``
    the user who acted, or empty.
``amount``
    the deal value, or empty: a Parquet ``decimal128`` (or ``decimal256``)
    or decimal text (``1200.50``); never a float (nor an integer: say the
    decimal places). Rounded half up to the currency's minor unit.
``currency``
    the amount's ISO 4217 code; required with an amount, and it must be the
    scoring currency.
``motion``
    ``new`` or ``upsell`` on a ``deal_won`` (empty: new).
``registered_on``
    on a ``deal_approved``: the ISO date the deal was registered on (the
    days to approval are counted from it).

Rows are numbered from 1 in each file (the CSV header is not a row).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import compress, repeat
from operator import eq, is_not
from pathlib import Path
from types import NoneType
from typing import Any

import attrs

from partnerkit.core import currency_exponent, time_zone
from partnerkit.core.errors import FieldError, ValidationError
from partnerkit.scoring._activities import is_kind
from partnerkit.scoring._layout import _MAX_DAYS
from partnerkit.scoring._plan import ScoringPlan
from partnerkit.scoring._tally import Tally

__all__ = [
    "ACTIVITY_COLUMNS",
    "ON_BAD_ROWS",
    "BadRow",
    "RowReport",
    "activity_file_rows",
    "count_file_rows",
    "tally_files",
]

#: The columns of an activity file, in their usual order (the first three are required).
ACTIVITY_COLUMNS = (
    "partner_id",
    "kind",
    "at",
    "user_id",
    "amount",
    "currency",
    "motion",
    "registered_on",
)
_REQUIRED = ("partner_id", "kind", "at")

#: What to do with bad rows: ``stop`` (the run fails, naming them) or ``skip`` (count, report).
ON_BAD_ROWS = ("stop", "skip")

_CHUNK = 65_536
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MAX_MAGNITUDE = 18  # amounts below 10^18 in absolute value, as Money
_PARQUET_SUFFIXES = (".parquet", ".pq")


def _missing_pyarrow() -> ImportError:
    return ImportError(
        "reading Parquet needs pyarrow: pip install 'partnerkit[parquet]' (or 'partnerkit[dask]')"
    )


@attrs.frozen
class BadRow:
    """One bad field of one row of an activity file: where (file, row from 1, column) and why.

    >>> BadRow("a.csv", 7, "at", "naive_datetime", "an instant needs an offset").path
    'a.csv:7.at'
    """

    file: str
    row: int
    field: str
    code: str
    message: str

    @property
    def path(self) -> str:
        """``<file>:<row>.<field>``, the path :meth:`RowReport.error` names it by."""
        return f"{self.file}:{self.row}.{self.field}"


class RowReport:
    """The bad-row policy of a run and what it met: rows read, rows skipped, bad fields.

    ``on_bad_rows`` is ``"stop"`` (the default: the first chunk holding bad
    rows fails the run with a :class:`~partnerkit.core.errors.ValidationError`
    naming them) or ``"skip"`` (bad rows are left out and listed here; more
    than ``max_errors`` of them fail the run all the same: a file that is
    mostly bad is no file to score). At most ``max_errors`` bad rows are
    listed (every bad field of each). Never silent: a skipping run's caller
    reads :attr:`skipped` and :attr:`bad`.

    >>> report = RowReport("skip", max_errors=5)
    >>> report.rows, report.skipped, report.bad
    (0, 0, [])
    """

    def __init__(self, on_bad_rows: str = "stop", *, max_errors: int = 100) -> None:
        problems = []
        if on_bad_rows not in ON_BAD_ROWS:
            problems.append(
                FieldError("on_bad_rows", "invalid_choice", f"use one of {ON_BAD_ROWS}")
            )
        if isinstance(max_errors, bool) or not isinstance(max_errors, int) or max_errors < 1:
            problems.append(FieldError("max_errors", "out_of_range", "a whole number >= 1"))
        if problems:
            raise ValidationError(problems)
        self.on_bad_rows = on_bad_rows
        self.max_errors = max_errors
        #: Rows read (good and bad).
        self.rows = 0
        #: Bad rows left out (``skip``).
        self.skipped = 0
        #: The first bad fields met, at most those of ``max_errors`` rows.
        self.bad: list[BadRow] = []
        self._listed = 0

    def _add(self, bad_rows: list[list[BadRow]]) -> None:
        """Record the bad rows of a chunk (each a list of its bad fields); apply the policy."""
        for fields in bad_rows:
            if self._listed < self.max_errors:
                self.bad.extend(fields)
                self._listed += 1
        if self.on_bad_rows == "stop":
            raise self.error()
        self.skipped += len(bad_rows)
        self.check()

    def check(self) -> None:
        """Raise :meth:`error` when a skipping run has skipped more than ``max_errors`` rows."""
        if self.skipped > self.max_errors:
            raise self.error()

    def error(self) -> ValidationError:
        """A :class:`~partnerkit.core.errors.ValidationError` naming the bad fields listed.

        Paths read ``<file>:<row>.<field>`` (``a.csv:17.amount``); a skipping
        run over its limit says so in a last ``rows`` entry.
        """
        errors = [FieldError(b.path, b.code, b.message) for b in self.bad]
        if self.on_bad_rows == "skip" and self.skipped > self.max_errors:
            errors.append(
                FieldError(
                    "rows",
                    "too_many_bad_rows",
                    f"{self.skipped} bad rows, more than --max-errors {self.max_errors}",
                )
            )
        elif not errors:
            errors.append(FieldError("rows", "invalid", "bad rows"))
        return ValidationError(errors)

    def merge(self, other: RowReport) -> RowReport:
        """A new report of both runs (``self``'s rows first); the policy is ``self``'s."""
        merged = RowReport(self.on_bad_rows, max_errors=self.max_errors)
        merged.rows = self.rows + other.rows
        merged.skipped = self.skipped + other.skipped
        merged._listed = self._listed
        merged.bad = list(self.bad)
        for row in _by_row(other.bad):
            if merged._listed >= merged.max_errors:
                break
            merged.bad.extend(row)
            merged._listed += 1
        return merged


def _by_row(bad: list[BadRow]) -> Iterator[list[BadRow]]:
    row: list[BadRow] = []
    for field in bad:
        if row and (row[0].file, row[0].row) != (field.file, field.row):
            yield row
            row = []
        row.append(field)
    if row:
        yield row


class _Bad(Exception):
    """One bad field while converting a row: its code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Converter:
    """Turns columns of file values into engine rows (see ``ActivityRow``), row by row checked."""

    def __init__(self, currency: str, tz: str) -> None:
        self.currency = currency
        self.tz = tz
        self.zone: tzinfo = time_zone(tz)
        self.exponent = currency_exponent(currency)
        self.quantum = Decimal(1).scaleb(-self.exponent)
        self.limit = Decimal(10) ** _MAX_MAGNITUDE

    def units(self, value: object) -> int:
        """Minor units of an amount (Decimal or decimal text), rounded half up."""
        if isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                raise _Bad("invalid", f"{value!r} is no decimal amount") from None
        elif isinstance(value, Decimal):
            number = value
        else:
            raise _Bad("invalid", "amounts are decimal text or decimals, never floats")
        if not number.is_finite():
            raise _Bad("invalid", "an amount is a finite decimal")
        if abs(number) >= self.limit:
            raise _Bad("out_of_range", f"amounts must be below 10^{_MAX_MAGNITUDE}")
        if number.as_tuple().exponent < -self.exponent:  # type: ignore[operator]
            number = number.quantize(self.quantum, ROUND_HALF_UP)
        return int(number.scaleb(self.exponent))

    def day(self, value: object) -> int:
        """The ordinal of the business day (in the plan's zone) of an instant or its text."""
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                raise _Bad("invalid", f"{value!r} is no ISO 8601 instant") from None
        if not isinstance(value, datetime):
            raise _Bad("invalid", "expected an instant with an offset")
        if value.tzinfo is None or value.utcoffset() is None:
            raise _Bad("naive_datetime", "an instant without an offset: give its time zone")
        try:
            return value.astimezone(self.zone).date().toordinal()
        except (OverflowError, ValueError):
            raise _Bad("out_of_range", "the instant falls outside the years 1 to 9999") from None

    def rows(
        self,
        columns: dict[str, list[Any]],
        days: list[Any],
        amounts: list[Any],
        *,
        file: str,
        first_row: int,
        report: RowReport,
        clean: frozenset[str] = frozenset(),
    ) -> list[tuple[Any, ...]]:
        """Engine rows of one chunk; its bad rows go to ``report`` (which may raise).

        ``days`` holds ordinals (or raw values to convert, or ``_Bad``); ``amounts``
        minor units (or raw values to convert, or ``_Bad``); None where empty. The
        columns named in ``clean`` were checked already (in Arrow, say).
        """
        n = len(days)
        partners = columns["partner_id"]
        kinds = columns["kind"]
        users = columns.get("user_id") or [None] * n
        currencies = columns.get("currency") or [None] * n
        details: list[Any] = [None] * n
        bad: dict[int, list[BadRow]] = {}

        def flag(i: int, field: str, problem: _Bad) -> None:
            bad.setdefault(i, []).append(
                BadRow(file, first_row + i, field, problem.code, problem.message)
            )

        # Whole-column checks in C first; the rows of a failed check are looked at one by one.
        if "partner_id" not in clean and ("" in partners or not set(map(type, partners)) <= {str}):
            for i, partner in enumerate(partners):
                if not isinstance(partner, str) or not partner:
                    flag(i, "partner_id", _Bad("required", "a non-empty partner id is required"))
        if "kind" not in clean and not all(map(is_kind, set(kinds))):
            for i, kind in enumerate(kinds):
                if not is_kind(kind):
                    flag(i, "kind", _Bad("invalid", "a kind is a non-empty lower-case string"))
        if "user_id" not in clean and ("" in users or not set(map(type, users)) <= {str, NoneType}):
            for i, user in enumerate(users):
                if user is not None and (not isinstance(user, str) or not user):
                    flag(i, "user_id", _Bad("invalid", "a user id is non-empty text or empty"))
        if "at" not in clean and not set(map(type, days)) <= {int}:
            for i, day in enumerate(days):
                if type(day) is int:
                    continue
                try:
                    if isinstance(day, _Bad):
                        raise day
                    if day is None:
                        raise _Bad("required", "the instant is required")
                    days[i] = self.day(day)
                except _Bad as problem:
                    flag(i, "at", problem)
        if "amount" not in clean and set(map(type, amounts)) - {int, NoneType}:
            for i, amount in enumerate(amounts):
                if amount is None or type(amount) is int:
                    continue
                try:
                    if isinstance(amount, _Bad):
                        raise amount
                    amounts[i] = self.units(amount)
                except _Bad as problem:
                    flag(i, "amount", problem)
        # Currencies: only where there is an amount.
        paid = list(compress(range(n), map(is_not, amounts, repeat(None))))
        currency = self.currency
        for i in paid:
            if currencies[i] != currency:
                code = "required" if currencies[i] in (None, "") else "invalid"
                flag(i, "currency", _Bad(code, f"amounts are in the scoring currency {currency}"))
        motions = columns.get("motion")
        for i in compress(range(n), map(eq, kinds, repeat("deal_won"))):
            motion = None if motions is None else motions[i]
            if motion in (None, ""):
                details[i] = "new"
            elif motion in ("new", "upsell"):
                details[i] = motion
            else:
                flag(i, "motion", _Bad("invalid_choice", "a won deal's motion is new or upsell"))
        registered = columns.get("registered_on")
        if registered is not None:
            for i in compress(range(n), map(eq, kinds, repeat("deal_approved"))):
                on = registered[i]
                if on in (None, ""):
                    continue
                try:
                    start = on if isinstance(on, date) else date.fromisoformat(str(on).strip())
                    if isinstance(start, datetime):
                        raise ValueError
                except ValueError:
                    flag(i, "registered_on", _Bad("invalid", "expected an ISO date"))
                    continue
                if i not in bad:
                    waited = max(0, days[i] - start.toordinal())
                    if waited > _MAX_DAYS:
                        flag(i, "registered_on", _Bad("out_of_range", "too long before the day"))
                    else:
                        details[i] = waited
        rows = list(zip(partners, kinds, days, amounts, users, details, strict=True))
        if bad:
            report._add([bad[i] for i in sorted(bad)])  # raises when stopping
            rows = [row for i, row in enumerate(rows) if i not in bad]
        report.rows += n
        return rows


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in _PARQUET_SUFFIXES


def _refuse_file(path: Path, message: str) -> ValidationError:
    return ValidationError.single(str(path), "invalid", message)


def activity_file_rows(
    path: str | os.PathLike[str],
    *,
    currency: str,
    tz: str = "UTC",
    report: RowReport | None = None,
    row_groups: Sequence[int] | None = None,
    chunk_rows: int = _CHUNK,
) -> Iterator[list[tuple[Any, ...]]]:
    """Read an activity file in chunks of engine rows (see :data:`~partnerkit.scoring.ActivityRow`).

    ``path`` is a Parquet file (``.parquet``, ``.pq``: needs pyarrow, the
    ``parquet`` extra) or CSV (anything else, UTF-8 with a header row), in
    the schema of this module. Days are business days in ``tz``; amounts
    minor units of ``currency``. Bad rows go to ``report`` (a stopping
    :class:`RowReport` by default), which raises per its policy. Only
    ``row_groups`` of a Parquet file are read when given (each task of a
    distributed run reads its own). A missing required column, or an unknown
    file layout, is a :class:`~partnerkit.core.errors.ValidationError` naming
    the file. At most ``chunk_rows`` rows are held at a time.
    """
    report = RowReport() if report is None else report
    converter = _Converter(currency, tz)
    path = Path(path)
    if _is_parquet(path):
        yield from _parquet_rows(path, converter, report, row_groups, chunk_rows)
    else:
        if row_groups is not None:
            raise _refuse_file(path, "row groups are a Parquet notion")
        yield from _csv_rows(path, converter, report, chunk_rows)


def count_file_rows(path: str | os.PathLike[str]) -> int | None:
    """The rows of an activity file when known without reading it (Parquet), else None."""
    path = Path(path)
    if not _is_parquet(path):
        return None
    try:
        import pyarrow.parquet as pq
    except ImportError as missing:  # pragma: no cover - depends on the environment
        raise _missing_pyarrow() from missing
    return int(pq.ParquetFile(path).metadata.num_rows)


def _csv_rows(
    path: Path, converter: _Converter, report: RowReport, chunk_rows: int
) -> Iterator[list[tuple[Any, ...]]]:
    name = str(path)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise _refuse_file(path, "an empty file: no header row")
        header = [h.strip() for h in header]
        missing = [c for c in _REQUIRED if c not in header]
        if missing:
            raise _refuse_file(path, f"missing column(s) {', '.join(missing)}")
        wanted = [c for c in ACTIVITY_COLUMNS if c in header]
        at = {c: header.index(c) for c in wanted}
        width = len(header)
        first = 1
        while True:
            chunk: list[list[str]] = []
            for record in reader:
                chunk.append(record)
                if len(chunk) >= chunk_rows:
                    break
            if not chunk:
                return
            short = [i for i, record in enumerate(chunk) if len(record) != width]
            if short:
                problem = [
                    [BadRow(name, first + i, "row", "invalid", f"expected {width} fields")]
                    for i in short
                ]
                report._add(problem)
                gone = set(short)
                chunk = [r for i, r in enumerate(chunk) if i not in gone]
                report.rows += len(short)
            # Empty fields are missing values.
            columns = {
                c: [r[j] or None for r in chunk] for c, j in at.items() if c not in ("at", "amount")
            }
            days: list[Any] = [r[at["at"]] or None for r in chunk]
            amounts: list[Any] = (
                [r[at["amount"]] or None for r in chunk] if "amount" in at else [None] * len(chunk)
            )
            if short:
                # Row numbers of a chunk with unreadable rows: convert row by row.
                numbers = [first + i for i in range(len(chunk) + len(short)) if i not in gone]
                rows = []
                for k, number in enumerate(numbers):
                    rows += converter.rows(
                        {c: [v[k]] for c, v in columns.items()},
                        [days[k]],
                        [amounts[k]],
                        file=name,
                        first_row=number,
                        report=report,
                    )
                first += len(numbers) + len(short)
            else:
                rows = converter.rows(
                    columns, days, amounts, file=name, first_row=first, report=report
                )
                first += len(chunk)
            yield rows


def _parquet_rows(
    path: Path,
    converter: _Converter,
    report: RowReport,
    row_groups: Sequence[int] | None,
    chunk_rows: int,
) -> Iterator[list[tuple[Any, ...]]]:
    try:
        import pyarrow.parquet as pq
    except ImportError as missing:  # pragma: no cover - depends on the environment
        raise _missing_pyarrow() from missing
    try:
        parquet = pq.ParquetFile(path)
    except FileNotFoundError:
        raise
    except Exception as exc:  # pyarrow.ArrowInvalid: not a Parquet file
        raise _refuse_file(path, f"not a readable Parquet file ({exc})") from None
    names = parquet.schema_arrow.names
    absent = [c for c in _REQUIRED if c not in names]
    if absent:
        raise _refuse_file(path, f"missing column(s) {', '.join(absent)}")
    wanted = [c for c in ACTIVITY_COLUMNS if c in names]
    metadata = parquet.metadata
    starts = [0]
    for g in range(metadata.num_row_groups):
        starts.append(starts[-1] + metadata.row_group(g).num_rows)
    groups = range(metadata.num_row_groups) if row_groups is None else row_groups
    for g in groups:
        first = starts[g] + 1
        for batch in parquet.iter_batches(batch_size=chunk_rows, row_groups=[g], columns=wanted):
            yield _arrow_rows(batch, converter, file=str(path), first_row=first, report=report)
            first += batch.num_rows


def _arrow_rows(
    batch: Any, converter: _Converter, *, file: str, first_row: int, report: RowReport
) -> list[tuple[Any, ...]]:
    """Engine rows of a pyarrow RecordBatch or Table in the file schema (internal)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = batch.num_rows
    names = batch.schema.names
    columns: dict[str, list[Any]] = {}
    clean: set[str] = set()
    for name in ACTIVITY_COLUMNS:
        if name in names and name not in ("at", "amount"):
            column = batch.column(name)
            if pa.types.is_dictionary(column.type):
                column = column.cast(column.type.value_type)
            columns[name] = column.to_pylist()
            if name in ("partner_id", "user_id", "kind") and _clean_text(
                column, nullable=name == "user_id"
            ):
                clean.add(name)
    if "kind" in clean and not all(map(is_kind, set(columns["kind"]))):
        clean.discard("kind")
    at = batch.column("at")
    days: list[Any]
    if pa.types.is_timestamp(at.type):
        if at.type.tz is None:
            days = [None if v is None else _NAIVE for v in at.to_pylist()]
        else:
            local = pc.local_timestamp(at.cast(pa.timestamp(at.type.unit, tz=converter.tz)))
            ordinals = pc.add(pc.cast(pc.cast(local, pa.date32()), pa.int32()), _EPOCH_ORDINAL)
            days = ordinals.to_pylist()
            if ordinals.null_count == 0:
                clean.add("at")
    elif pa.types.is_string(at.type) or pa.types.is_large_string(at.type):
        days = at.to_pylist()
    else:
        days = [None if v is None else _NOT_INSTANT for v in range(n)]
    amounts: list[Any]
    if "amount" not in names:
        amounts = [None] * n
    else:
        amount = batch.column("amount")
        kind = amount.type
        if pa.types.is_decimal(kind) or pa.types.is_null(kind):
            amounts = _arrow_units(amount, converter.exponent)
            if set(map(type, amounts)) <= {int, NoneType}:
                clean.add("amount")
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            amounts = amount.to_pylist()
        else:
            amounts = [None if v is None else _NOT_DECIMAL for v in amount.to_pylist()]
    return converter.rows(
        columns,
        days,
        amounts,
        file=file,
        first_row=first_row,
        report=report,
        clean=frozenset(clean),
    )


def _clean_text(column: Any, *, nullable: bool) -> bool:
    """Whether a text column has no empty string (and no null unless ``nullable``), in C."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return False
    if column.null_count == len(column):
        return nullable
    if column.null_count and not nullable:
        return False
    return bool(pc.min(pc.utf8_length(column)).as_py() >= 1)


_NAIVE = _Bad("naive_datetime", "a timestamp without a time zone: store instants with one")
_NOT_INSTANT = _Bad("invalid", "expected a timestamp with a time zone or ISO 8601 text")
_NOT_DECIMAL = _Bad("invalid", "amounts are decimal128 or decimal text, never floats or integers")


def _arrow_units(amount: Any, exponent: int) -> list[Any]:
    """Minor units of a decimal column: in C when exact, else the Decimals to round in Python."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_null(amount.type):
        return [None] * len(amount)
    try:
        # amount x 10^exponent is a whole number unless the amount has more places than the
        # currency: then the safe cast refuses, and Python rounds half up.
        factor = pa.scalar(Decimal(10) ** exponent, pa.decimal128(exponent + 1, 0))
        units: list[Any] = pc.cast(pc.multiply(amount, factor), pa.int64()).to_pylist()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return list(amount.to_pylist())
    return units


def tally_files(
    paths: Iterable[str | os.PathLike[str]],
    plan: ScoringPlan,
    *,
    report: RowReport | None = None,
    partners: Iterable[str] = (),
    progress: Callable[[int], None] | None = None,
) -> Tally:
    """Score activity files into a new :class:`~partnerkit.scoring.Tally` of ``plan``, in turn.

    One process, bounded memory (a chunk at a time, see
    :func:`activity_file_rows`). Bad rows go to ``report`` (a stopping
    :class:`RowReport` by default; pass a skipping one and read it after
    the run). ``partners`` and ``progress`` are those of
    :meth:`~partnerkit.scoring.ScoringPlan.tally`.
    """
    report = RowReport() if report is None else report
    files = list(paths)

    def rows() -> Iterator[tuple[Any, ...]]:
        for path in files:
            for chunk in activity_file_rows(
                path, currency=plan.currency, tz=plan.tz, report=report
            ):
                yield from chunk

    return plan.tally(rows(), partners=partners, progress=progress)
