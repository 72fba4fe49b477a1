"""``partnerkit score``: score activity files as of a day, on one process or a Dask cluster.

The program file gives the fiscal calendar, currency, time zone, engagement
model and tier ladder; the activity files (Parquet or CSV, the schema of
:mod:`partnerkit.scoring`'s file inputs) give the rows. The scorecards go to
a Parquet or CSV file, one row per partner, best rank first. Exit status:
0 done, 2 refused (bad input: the program, a bad row, a missing file, a
file type), 3 the distributed run failed (a lost worker, an unreachable
scheduler): nothing is written then.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from partnerkit._dashboard_cli import ProgressBar, load_program
from partnerkit.core import Money
from partnerkit.core.errors import PartnerkitError, ValidationError
from partnerkit.program import Program
from partnerkit.scoring import (
    EcosystemScores,
    RowReport,
    ScoringPlan,
    count_file_rows,
    tally_files,
)

__all__ = ["EXIT_DONE", "EXIT_FAILED", "EXIT_REFUSED", "OUTPUTS", "add_parser", "run"]

#: Exit statuses: done, refused (bad input), the distributed run failed.
EXIT_DONE, EXIT_REFUSED, EXIT_FAILED = 0, 2, 3
#: The output file types ``--out`` takes, by suffix.
OUTPUTS = (".parquet", ".csv")
#: Seconds to wait for the scheduler of ``--scheduler``.
_CONNECT_TIMEOUT = 30


class _Failed(PartnerkitError):
    """The run failed for want of a cluster (the scheduler could not be reached)."""


def add_parser(commands: Any) -> None:
    """Add the ``score`` subcommand to ``commands`` (an argparse subparsers object)."""
    score = commands.add_parser(
        "score",
        help="score activity files (Parquet, CSV) as of a day, on one process or a Dask cluster",
        description=(
            "Score every partner's KPIs, engagement score and rank from activity files as of a"
            " day, with the program file's calendar, currency, time zone, engagement model and"
            " tiers; write the scorecards to Parquet or CSV. On one process by default, on a"
            " Dask cluster with --scheduler or --workers (the partnerkit[dask] extra). Exit"
            " status: 0 done, 2 refused (bad input: program, bad rows, missing file), 3 the"
            " distributed run failed (nothing written)."
        ),
    )
    score.add_argument("--program", type=Path, required=True, help="the program's TOML file")
    score.add_argument(
        "--activities", type=Path, nargs="+", required=True, help="activity files (.parquet, .csv)"
    )
    score.add_argument("--as-of", type=_day, required=True, help="the day scored, YYYY-MM-DD")
    score.add_argument(
        "--out", type=Path, required=True, help="scorecards file to write (.parquet or .csv)"
    )
    where = score.add_mutually_exclusive_group()
    where.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://...)")
    where.add_argument(
        "--workers", type=_positive, help="start a local Dask cluster of N worker processes"
    )
    score.add_argument(
        "--on-bad-rows",
        choices=("stop", "skip"),
        default="stop",
        help="stop at bad rows (the default) or skip them, listing them on stderr",
    )
    score.add_argument(
        "--max-errors",
        type=_positive,
        default=100,
        help="bad rows listed at most; with skip, more than this many bad rows fail the run",
    )
    score.add_argument(
        "--no-tiers", action="store_true", help="leave out the tier column (no tier evaluation)"
    )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is no date (YYYY-MM-DD)") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is no whole number >= 1")
    return value


class _Log:
    """Log lines on stderr (and the progress bar's stream)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        print(f"[{time.monotonic() - self.start:7.1f}s] {message}", file=self.stream, flush=True)


def run(args: argparse.Namespace, stream: TextIO | None = None) -> int:
    """Run ``partnerkit score`` with parsed ``args``; return the exit status.

    Refusals (:class:`~partnerkit.core.errors.ValidationError` and other
    :class:`~partnerkit.core.errors.PartnerkitError`, missing files) are
    raised for the command line to report; a failed distributed run is
    reported here with status 3.
    """
    stream = sys.stderr if stream is None else stream
    log = _Log(stream)
    out: Path = args.out
    if out.suffix.lower() not in OUTPUTS:
        raise ValidationError.single("out", "invalid", f"write a {' or a '.join(OUTPUTS)} file")
    for path in args.activities:
        if not path.is_file():
            raise FileNotFoundError(f"no activity file {path}")
    program = load_program(args.program)
    plan = program.scoring.plan(
        calendar=program.fiscal, as_of=args.as_of, currency=program.currency, tz=program.timezone
    )
    report = RowReport(args.on_bad_rows, max_errors=args.max_errors)
    distributed = args.scheduler is not None or args.workers is not None
    try:
        scores, counted = (
            _on_cluster(args, plan, program, report, log, stream)
            if distributed
            else _on_one_process(args, plan, program, report, log, stream)
        )
    except _Failed as exc:
        log(f"failed: {exc}")
        return EXIT_FAILED
    except PartnerkitError as exc:
        if type(exc).__name__ == "ScaleError":
            log(f"failed: {exc}")
            return EXIT_FAILED
        raise
    if report.skipped:
        log(f"skipped {report.skipped:,} bad rows:")
        for bad in report.bad:
            print(f"  {bad.path}: {bad.message} [{bad.code}]", file=stream)
    log(f"scored {len(scores.partners):,} partners from {counted:,} activities")
    tiers = None if args.no_tiers or program.tiers is None else _tiers(scores, program, args.as_of)
    _write(out, _table(scores, tiers))
    log(f"wrote {len(scores.partners):,} scorecards to {out}")
    return EXIT_DONE


def _on_one_process(
    args: argparse.Namespace,
    plan: ScoringPlan,
    program: Program,
    report: RowReport,
    log: _Log,
    stream: TextIO,
) -> tuple[EcosystemScores, int]:
    known = [count_file_rows(p) for p in args.activities]
    total = sum(
        n if n is not None else _csv_rows(p) for n, p in zip(known, args.activities, strict=True)
    )
    log(f"reading {len(args.activities)} file(s), about {total:,} rows, on one process")
    bar = ProgressBar(total, "rows", stream)
    tally = tally_files(args.activities, plan, report=report, progress=_capped(bar, total))
    return EcosystemScores(tally, program.scoring), tally.rows


def _capped(bar: ProgressBar, total: int) -> Callable[[int], None]:
    # CSV row counts are estimates (line counts): never draw past the end before it.
    return lambda done: bar(min(done, total))


def _csv_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return max(
            sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")) - 1, 0
        )


def _on_cluster(
    args: argparse.Namespace,
    plan: ScoringPlan,
    program: Program,
    report: RowReport,
    log: _Log,
    stream: TextIO,
) -> tuple[EcosystemScores, int]:
    try:
        from distributed import Client

        from partnerkit.scale import file_tasks, local_cluster, score_files_on_dask
    except ImportError as missing:
        raise ValidationError.single(
            "scheduler" if args.scheduler else "workers",
            "unavailable",
            f"{missing}: pip install 'partnerkit[dask]'",
        ) from None
    tasks = len(file_tasks(args.activities))
    if args.workers is not None:
        log(f"starting a local Dask cluster of {args.workers} worker process(es)")
        cluster = local_cluster(args.workers)
        client = Client(cluster)
    else:
        cluster = None
        try:
            client = Client(args.scheduler, timeout=_CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise _Failed(f"cannot reach the Dask scheduler {args.scheduler}: {exc}") from exc
    try:
        log(f"scoring {tasks} task(s) on {len(client.scheduler_info()['workers'])} worker(s)")
        bar = ProgressBar(tasks, "tasks", stream)
        before = report.rows - report.skipped
        scores = score_files_on_dask(
            args.activities,
            plan,
            program.scoring,
            report=report,
            client=client,
            progress=lambda done, _total: bar(done),
        )
        return scores, report.rows - report.skipped - before
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _tiers(scores: EcosystemScores, program: Program, as_of: date) -> dict[str, str]:
    from partnerkit.tiers import evaluate_many

    assert program.tiers is not None
    metrics = ((p, scores.scorecard(p).metrics()) for p in scores.partners)
    return {p: e.tier.key for p, e in evaluate_many(metrics, program.tiers, as_of)}


def _cell(value: Any) -> Any:
    if isinstance(value, Money):
        return value.amount
    return value


def _table(scores: EcosystemScores, tiers: dict[str, str] | None) -> dict[str, list[Any]]:
    """The scorecards as columns, best rank first (ties by partner id)."""
    partners = scores.partners
    order = sorted(range(len(partners)), key=lambda p: (scores.ranks[p], partners[p]))

    def pick(values: Sequence[Any]) -> list[Any]:
        return [values[p] for p in order]

    columns: dict[str, list[Any]] = {
        "partner_id": pick(partners),
        "as_of": [scores.plan.as_of] * len(order),
        "currency": [scores.plan.currency] * len(order),
        "rank": pick(scores.ranks),
        "percentile": pick(scores.percentiles),
        "engagement_score": pick(scores.engagement.scores),
    }
    for name in scores.values.names:
        columns[name] = [_cell(v) for v in pick(scores.values.column(name))]
    if tiers is not None:
        columns["tier"] = [tiers[partners[p]] for p in order]
    return columns


def _rows(columns: dict[str, list[Any]]) -> Iterator[list[str]]:
    yield list(columns)
    for row in zip(*columns.values(), strict=True):
        yield ["" if v is None else v.isoformat() if isinstance(v, date) else str(v) for v in row]


def _write(out: Path, columns: dict[str, list[Any]]) -> None:
    """Write the columns to ``out``: CSV (text, empty for none) or Parquet (typed, no floats)."""
    partial = out.with_name(out.name + ".partial")
    if out.suffix.lower() == ".csv":
        with partial.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(_rows(columns))
    else:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise ValidationError.single(
                "out",
                "unavailable",
                "writing Parquet needs pyarrow: pip install 'partnerkit[parquet]'",
            ) from None
        # Decimals (money, percentages) become decimal128 columns wide enough for every value.
        pq.write_table(pa.table({n: pa.array(v) for n, v in columns.items()}), partial)
    partial.replace(out)  # the file appears whole, or not at all
