"""Scoring on Dask: one tally per partition, merged by a tree of tasks (no shuffle of rows)."""

from __future__ import annotations

import contextlib
import operator
import os
import pickle
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import attrs
from dask.base import compute
from dask.delayed import Delayed, delayed

from partnerkit.core import ErrorCollector
from partnerkit.core._context import isolated
from partnerkit.core.errors import PartnerkitError, ValidationError
from partnerkit.dashboard import DashboardFigures, dashboard_model
from partnerkit.dashboard._figures import _QUARTER_MODEL
from partnerkit.fiscal import FiscalCalendar
from partnerkit.scoring import (
    DEFAULT_ENGAGEMENT_MODEL,
    EcosystemScores,
    EngagementModel,
    RowReport,
    ScoringPlan,
    Tally,
    Target,
    activity_file_rows,
)
from partnerkit.scoring._files import _arrow_rows, _Converter, _is_parquet
from partnerkit.scoring._values import KpiValues
from partnerkit.tiers import TierEvaluation, TierLadder, evaluate_many

__all__ = [
    "WORKER_ENVIRON",
    "FileTask",
    "ScaleError",
    "dashboard_figures_on_dask",
    "evaluate_tiers",
    "file_tasks",
    "local_cluster",
    "partial_bytes",
    "score_files_on_dask",
    "tally_bag",
    "tally_files_on_dask",
    "tally_frame",
]

_CHUNK = 65_536

#: The environment a worker process of a scoring cluster should start with: distributed's
#: default (``distributed.nanny.pre-spawn-environ``) but for glibc's trim threshold, which
#: distributed sets to 64 KiB to hand memory back to the system sooner; the engine allocates
#: millions of small objects, and its tasks ran about 1.8x slower so (measured in
#: bench/bench_dask.py). Set it in the Dask configuration of a cluster's nannies.
WORKER_ENVIRON: dict[str, str | int] = {
    "MALLOC_TRIM_THRESHOLD_": 2**31,
    "OMP_NUM_THREADS": 1,
    "MKL_NUM_THREADS": 1,
    "OPENBLAS_NUM_THREADS": 1,
}


class ScaleError(PartnerkitError):
    """A distributed run did not finish: a worker died too often, or rows went missing.

    Never a partial result: the run either covers every row of its input or
    raises this (or the :class:`~partnerkit.core.errors.ValidationError` of
    bad rows).
    """


@attrs.frozen
class _Partial:
    """What a task hands on: a tally, its bad-row report, partitions merged, rows read."""

    tally: Tally
    report: RowReport
    partitions: int
    rows: int


@attrs.frozen
class FileTask:
    """One task of a file run: a file, and the Parquet row groups it reads (None: all).

    ``rows`` is the number of rows it covers when known (Parquet), else None.
    """

    path: str
    row_groups: tuple[int, ...] | None
    rows: int | None


def file_tasks(
    paths: Iterable[str | os.PathLike[str]], *, rows_per_task: int = 2_000_000
) -> list[FileTask]:
    """Split activity files into tasks: runs of whole row groups of at most ``rows_per_task``.

    A Parquet file's row groups are grouped in order (a row group larger
    than ``rows_per_task`` is a task of its own); a CSV file is one task.
    """
    import pyarrow.parquet as pq

    tasks: list[FileTask] = []
    for raw in paths:
        path = str(raw)
        if not _is_parquet(Path(path)):
            tasks.append(FileTask(path, None, None))
            continue
        metadata = pq.ParquetFile(path).metadata
        groups: list[int] = []
        rows = 0
        for g in range(metadata.num_row_groups):
            size = metadata.row_group(g).num_rows
            if groups and rows + size > rows_per_task:
                tasks.append(FileTask(path, tuple(groups), rows))
                groups, rows = [], 0
            groups.append(g)
            rows += size
        if groups or not tasks or tasks[-1].path != path:
            tasks.append(FileTask(path, tuple(groups), rows))
    return tasks


# -- the tasks ---------------------------------------------------------------------------------


def _policy(report: RowReport) -> RowReport:
    return RowReport(report.on_bad_rows, max_errors=report.max_errors)


@attrs.frozen(eq=False)
class _Shipped:
    """A plan as a literal argument of every task, tokenized once.

    Made a task of its own, the plan would be computed on one worker, and
    every other worker would wait to fetch it from there: a worker busy
    counting answers late (its event loop shares the interpreter with the
    count), and the second task started up to two seconds after the first.
    A literal goes out with each task; a task rerun on another worker
    needs nothing from a dead one.
    """

    plan: ScoringPlan
    token: str

    def __dask_tokenize__(self) -> str:
        return self.token


def _ship(plan: ScoringPlan) -> _Shipped:
    from dask.base import tokenize

    return _Shipped(plan, tokenize(plan))


def _tally_rows(shipped: _Shipped, rows: Iterable[Any]) -> _Partial:
    tally = shipped.plan.tally(rows)
    return _Partial(tally, RowReport(), 1, tally.rows)


@isolated
def _tally_file_each(
    shipped: tuple[_Shipped, ...], task: FileTask, policy: RowReport
) -> tuple[_Partial, ...]:
    """One task's rows read once and counted by every plan (of one currency and zone).

    In partnerkit's decimal context, as :meth:`ScoringPlan.tally` reads them:
    amounts are converted while the file is read. One plan or several: the
    file runs of :func:`tally_files_on_dask` and of the dashboard alike.
    """
    first = shipped[0].plan
    report = _policy(policy)
    tallies = [s.plan.tally() for s in shipped]
    for chunk in activity_file_rows(
        task.path,
        currency=first.currency,
        tz=first.tz,
        report=report,
        row_groups=task.row_groups,
    ):
        for tally in tallies:
            tally._consume(chunk, None)  # a new tally: on failure the task fails whole
    return tuple(_Partial(tally, report, 1, report.rows) for tally in tallies)


def _tally_pandas(shipped: _Shipped, frame: Any, index: int, policy: RowReport) -> _Partial:
    import pyarrow as pa

    plan = shipped.plan

    report = _policy(policy)
    converter = _Converter(plan.currency, plan.tz)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    name = f"partition {index}"

    def rows() -> Iterator[Any]:
        for start in range(0, table.num_rows, _CHUNK):
            yield from _arrow_rows(
                table.slice(start, _CHUNK),
                converter,
                file=name,
                first_row=start + 1,
                report=report,
            )

    tally = plan.tally(rows())
    return _Partial(tally, report, 1, report.rows)


@isolated
def _merge(*parts: _Partial) -> _Partial:
    """Merge partials in order (a new tally: the inputs stay as they were).

    Never into an input: a worker keeps its results for retries, and a
    gathered result may be the very object a worker holds (an in-process
    cluster, two runs of the same graph).
    """
    first = parts[0]
    tally = first.tally._copy()
    report = first.report
    for part in parts[1:]:
        tally._absorb(part.tally)
        report = report.merge(part.report)
    if report.on_bad_rows == "skip":
        report.check()
    return _Partial(tally, report, sum(p.partitions for p in parts), sum(p.rows for p in parts))


def _merge_each(*parts: tuple[_Partial, ...]) -> tuple[_Partial, ...]:
    """Merge tuples of partials (one per plan) plan by plan."""
    return tuple(_merge(*column) for column in zip(*parts, strict=True))


def _count_arg(value: object, path: str, least: int, message: str) -> int:
    """``value`` as an integer (numpy's too) of at least ``least``, else a ValidationError."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise ValidationError.single(path, "invalid", "expected an integer")
    number = operator.index(value)
    if number < least:
        raise ValidationError.single(path, "out_of_range", message)
    return number


def _split_every(value: object) -> int:
    """``value`` as the number of partials a merge takes: an integer of 2 or more."""
    return _count_arg(value, "split_every", 2, "merge at least 2 at a time")


def _tree(
    parts: list[Delayed],
    split_every: int,
    merge: Callable[..., Any] | None = None,
    name: str = "partnerkit-merge",
) -> Delayed:
    """Merge ``parts`` in groups of ``split_every``, level by level, keeping their order.

    ``merge`` merges a group (:func:`_merge`, the one looked up now, by default).
    The merges' keys are ``name``, a token of this tree, the level and the
    index: two trees never share a key, within a graph or across runs on
    one scheduler (two runs at once on a default client would otherwise
    take each other's results for their own).
    """
    split_every = _split_every(split_every)
    merge = _merge if merge is None else merge
    name = f"{name}-{uuid.uuid4().hex}"
    level = parts
    depth = 0
    while len(level) > 1:
        depth += 1
        level = [
            delayed(merge, pure=True)(
                *level[i : i + split_every], dask_key_name=f"{name}-{depth}-{i}"
            )
            if len(level[i : i + split_every]) > 1
            else level[i]
            for i in range(0, len(level), split_every)
        ]
    return level[0]


# -- running a graph ----------------------------------------------------------------------------


def _connection_errors() -> tuple[type[BaseException], ...]:
    try:
        from distributed import KilledWorker
        from distributed.comm.core import CommClosedError
    except ImportError:  # pragma: no cover - the extra brings distributed
        return (OSError,)
    return (KilledWorker, CommClosedError, OSError)


def _run(
    parts: list[Delayed],
    plan: ScoringPlan,
    *,
    split_every: int,
    client: Any,
    retries: int,
    progress: Callable[[int, int], None] | None,
    expected_rows: int | None = None,
) -> tuple[Tally, RowReport]:
    """Compute the tree over ``parts`` (on ``client``, or dask's current scheduler)."""
    split_every = _split_every(split_every)
    if not parts:
        return plan.tally(), RowReport()
    result = _compute(
        parts, split_every=split_every, client=client, retries=retries, progress=progress
    )
    return _checked(result, plan, len(parts), expected_rows)


def _compute(
    parts: list[Delayed],
    *,
    split_every: int,
    client: Any,
    retries: int,
    progress: Callable[[int, int], None] | None,
    merge: Callable[..., Any] | None = None,
) -> Any:
    """The root of the merge tree over ``parts``: a lost cluster is a :class:`ScaleError`."""
    total = len(parts)
    with _lost_cluster():
        if client is None:
            (result,) = compute(_tree(parts, split_every, merge))
            if progress is not None:
                progress(total, total)
            return result
        return _run_on_client(parts, client, split_every, retries, progress, merge)


@contextlib.contextmanager
def _lost_cluster() -> Iterator[None]:
    """Turn a cluster lost mid-run (a worker dead too often, a closed comm) into ScaleError."""
    try:
        yield
    except PartnerkitError:
        raise
    except _connection_errors() as exc:
        raise ScaleError(
            f"the distributed run failed and returned nothing: {type(exc).__name__}: {exc}"
        ) from exc


def _checked(
    result: object, plan: ScoringPlan, total: int, expected_rows: int | None
) -> tuple[Tally, RowReport]:
    """The tally and report of a merged ``result``, or :class:`ScaleError` if it is not whole."""
    if not isinstance(result, _Partial):  # pragma: no cover - a graph of our own
        raise ScaleError("the distributed run returned no tally")
    tally, report = result.tally, result.report
    # Never a partial result: every partition merged, every row counted or skipped.
    if result.partitions != total:
        raise ScaleError(f"{total - result.partitions} of {total} partitions missing")
    if tally.rows + report.skipped != result.rows:
        raise ScaleError(
            f"{result.rows} rows read but {tally.rows} counted and {report.skipped} skipped"
        )
    if expected_rows is not None and result.rows != expected_rows:
        raise ScaleError(f"{expected_rows} rows in the input but {result.rows} read")
    tally.plan = plan  # the caller's plan object (the tasks had copies of it)
    return tally, report


def _run_each(
    parts: list[Delayed],
    plans: list[ScoringPlan],
    *,
    split_every: int,
    client: Any,
    retries: int,
    progress: Callable[[int, int], None] | None,
    expected_rows: int | None,
) -> list[tuple[Tally, RowReport]]:
    """:func:`_run` for tasks that give a tuple of partials, one per plan of ``plans``."""
    split_every = _split_every(split_every)
    if not parts:
        return [(plan.tally(), RowReport()) for plan in plans]
    roots = _compute(
        parts,
        split_every=split_every,
        client=client,
        retries=retries,
        progress=progress,
        merge=_merge_each,
    )
    return [
        _checked(root, plan, len(parts), expected_rows)
        for root, plan in zip(roots, plans, strict=True)
    ]


def _file_parts(
    paths: Iterable[str | os.PathLike[str]],
    plans: list[ScoringPlan],
    policy: RowReport,
    rows_per_task: int,
) -> tuple[list[Delayed], int | None]:
    """The tasks of a file run for ``plans`` and the rows the files hold (None if unknown)."""
    tasks = file_tasks(paths, rows_per_task=rows_per_task)
    shipped = tuple(_ship(plan) for plan in plans)
    parts = [delayed(_tally_file_each, pure=True)(shipped, task, policy) for task in tasks]
    known = [t.rows for t in tasks]
    return parts, None if None in known else sum(r or 0 for r in known)


def _follow(futures: list[Any], progress: Callable[[int, int], None] | None) -> None:
    """Report ``futures`` done one by one to ``progress`` (from 0), as they finish."""
    from distributed import as_completed

    if progress is None:
        return
    total = len(futures)
    progress(0, total)
    for done, _ in enumerate(as_completed(futures), 1):
        progress(done, total)


def _merged_level(
    client: Any,
    merge: Callable[..., Any],
    level: list[Any],
    split_every: int,
    retries: int,
    **where: Any,
) -> list[Any]:
    """The next level of a merge tree: ``level``'s futures merged ``split_every`` at a time.

    A group of one moves up as it is; ``where`` places the merges (``workers=...``).
    """
    return [
        client.submit(merge, *level[i : i + split_every], retries=retries, pure=False, **where)
        if len(level[i : i + split_every]) > 1
        else level[i]
        for i in range(0, len(level), split_every)
    ]


def _run_on_client(
    parts: list[Delayed],
    client: Any,
    split_every: int,
    retries: int,
    progress: Callable[[int, int], None] | None,
    merge: Callable[..., Any] | None = None,
) -> Any:
    merge = _merge if merge is None else merge
    futures = client.compute(parts, retries=retries)
    try:
        _follow(futures, progress)
        level = list(futures)
        while len(level) > split_every:
            level = _merged_level(client, merge, level, split_every, retries)
        # The root of the tree is merged here, where its result is wanted: each partial of
        # the last level crosses the network once (merged on a worker, the result would
        # cross again).
        last = client.gather(level)
        return merge(*last)
    except BaseException:
        client.cancel(futures)
        raise


# -- the public entry points --------------------------------------------------------------------


def tally_bag(
    bag: Any,
    plan: ScoringPlan,
    *,
    split_every: int = 8,
    client: Any = None,
    retries: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> Tally:
    """Score a ``dask.bag.Bag`` of activities or rows into one :class:`~partnerkit.scoring.Tally`.

    Each partition is counted by :meth:`ScoringPlan.tally
    <partnerkit.scoring.ScoringPlan.tally>` (in chunks: memory bounded by
    partners, not rows); the partial tallies are merged ``split_every`` at
    a time by a tree of tasks, in partition order, so
    ``EcosystemScores(tally, model)`` equals the one-process result bit for
    bit. On ``client`` (a ``distributed.Client``) tasks are retried
    ``retries`` times and ``progress(done, total)`` hears of each finished
    partition; without one the current Dask scheduler runs the graph. A bad
    row raises the engine's :class:`~partnerkit.core.errors.ValidationError`;
    a lost worker the cluster cannot recover from raises :class:`ScaleError`.
    """
    plan_key = _ship(plan)
    parts = [delayed(_tally_rows, pure=True)(plan_key, part) for part in bag.to_delayed()]
    tally, _ = _run(
        parts, plan, split_every=split_every, client=client, retries=retries, progress=progress
    )
    return tally


def tally_frame(
    frame: Any,
    plan: ScoringPlan,
    *,
    report: RowReport | None = None,
    split_every: int = 8,
    client: Any = None,
    retries: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> Tally:
    """Score a ``dask.dataframe.DataFrame`` in the activity file schema into one tally.

    The frame holds the columns of :data:`~partnerkit.scoring.ACTIVITY_COLUMNS`
    (``dask.dataframe.read_parquet`` of activity files, say); each partition
    is converted and counted in chunks. Bad rows follow ``report``'s policy
    (a stopping :class:`~partnerkit.scoring.RowReport` by default) and are
    named ``partition <i>:<row>.<field>``; after a skipping run ``report``
    holds what was skipped. The rest is as :func:`tally_bag`.
    """
    report = RowReport() if report is None else report
    plan_key = _ship(plan)
    policy = _policy(report)
    parts = [
        delayed(_tally_pandas, pure=True)(plan_key, part, i, policy)
        for i, part in enumerate(frame.to_delayed())
    ]
    tally, found = _run(
        parts, plan, split_every=split_every, client=client, retries=retries, progress=progress
    )
    _report_back(report, found)
    return tally


def tally_files_on_dask(
    paths: Iterable[str | os.PathLike[str]],
    plan: ScoringPlan,
    *,
    report: RowReport | None = None,
    rows_per_task: int = 2_000_000,
    split_every: int = 8,
    client: Any = None,
    retries: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> Tally:
    """Score activity files (Parquet or CSV) on Dask: each task reads its own rows.

    The files are split by :func:`file_tasks` (runs of Parquet row groups,
    whole CSV files); each task reads its rows in chunks
    (:func:`~partnerkit.scoring.activity_file_rows`) into a tally; the
    tallies are merged as in :func:`tally_bag`. Bad rows are named by file
    and row (``a.csv:17.amount``) and follow ``report``'s policy; the rows
    counted plus those skipped must add up to the rows of the files (else
    :class:`ScaleError`).
    """
    report = RowReport() if report is None else report
    parts, expected = _file_parts(paths, [plan], _policy(report), rows_per_task)
    ((tally, found),) = _run_each(
        parts,
        [plan],
        split_every=split_every,
        client=client,
        retries=retries,
        progress=progress,
        expected_rows=expected,
    )
    _report_back(report, found)
    return tally


def dashboard_figures_on_dask(
    paths: Iterable[str | os.PathLike[str]],
    *,
    calendar: FiscalCalendar,
    as_of: date,
    currency: str,
    tz: str = "UTC",
    model: EngagementModel = DEFAULT_ENGAGEMENT_MODEL,
    report: RowReport | None = None,
    rows_per_task: int = 2_000_000,
    split_every: int = 8,
    client: Any = None,
    retries: int = 2,
) -> DashboardFigures:
    """The daily dashboard's figures from activity files, counted on Dask in one read.

    The same :class:`~partnerkit.dashboard.DashboardFigures` as
    :meth:`DashboardFigures.compute <partnerkit.dashboard.DashboardFigures.compute>`
    over the files' activities: the year-to-date pass of
    :func:`~partnerkit.dashboard.dashboard_model` and one pass per quarter
    begun (every scored partner in each). Each task reads its rows once and
    counts them for every pass; the tuples of partial tallies are merged as
    in :func:`tally_files_on_dask`. Bad rows are reported once, per ``report``.
    """
    report = RowReport() if report is None else report
    board = dashboard_model(model)
    plans = [board.plan(calendar=calendar, as_of=as_of, currency=currency, tz=tz)]
    year = calendar.year_of(as_of)
    for quarter in year.quarters:
        if quarter.start > as_of:
            continue
        day = min(as_of, quarter.end)
        plans.append(_QUARTER_MODEL.plan(calendar=calendar, as_of=day, currency=currency, tz=tz))
    parts, expected = _file_parts(paths, plans, _policy(report), rows_per_task)
    results = _run_each(
        parts,
        plans,
        split_every=split_every,
        client=client,
        retries=retries,
        progress=None,
        expected_rows=expected,
    )
    tally, found = results[0]
    _report_back(report, found)
    scores = EcosystemScores(tally, board)
    quarters = []
    for plan, (counted, _) in zip(plans[1:], results[1:], strict=True):
        # Every scored partner first, in the scores' order, as the one-process pass has them.
        seeded = plan.tally(partners=scores.partners)
        seeded._absorb(counted)
        quarters.append(EcosystemScores(seeded, _QUARTER_MODEL).values)
    return DashboardFigures(scores, tuple(quarters), year, as_of, currency)


# -- scores by partner shard --------------------------------------------------------------------

#: A partner's key in a shard: the number of the task that saw it first times this, plus its
#: number in that task's tally. Keys sort like the first sight of each partner in the rows.
_KEY_SPAN = 1 << 40


@attrs.frozen(eq=False)
class _Shard:
    """Some partners' merged counters, their first-sight keys, and the run's bookkeeping.

    ``partitions`` counts the tasks merged in (every shard of a task counts
    it); the rows read and the bad-row report ride with shard 0 alone.
    """

    tally: Tally
    keys: list[int]
    report: RowReport
    partitions: int
    rows: int


@attrs.frozen(eq=False)
class _ShardValues:
    """A merged shard evaluated where it was merged: its KPI values and bookkeeping."""

    values: KpiValues
    keys: list[int]
    report: RowReport
    partitions: int
    rows: int
    counted: int


def _split_part(parts: tuple[_Partial, ...], index: int, shards: int) -> tuple[_Shard, ...]:
    """Task ``index``'s tally split by partner shard (its one plan's partial)."""
    (part,) = parts
    offset = index * _KEY_SPAN
    return tuple(
        _Shard(
            tally,
            [offset + q for q in numbers],
            part.report if s == 0 else _policy(part.report),
            part.partitions,
            part.rows if s == 0 else 0,
        )
        for s, (tally, numbers) in enumerate(part.tally._shards(shards))
    )


@isolated
def _merge_shards(*shards: _Shard) -> _Shard:
    """Merge one shard of several tasks in task order (a new tally: the inputs stay as they were).

    A partner keeps the key of the first shard it is in, as it keeps that
    shard's place in the merged tally. In partnerkit's decimal context, as
    :func:`_merge`: a host's custom KPI may add Decimals in its ``merge``.
    """
    first = shards[0]
    tally = first.tally._copy()
    keys = list(first.keys)
    report = first.report
    for shard in shards[1:]:
        known = tally.base
        keys += [
            key
            for partner, key in zip(shard.tally.partners, shard.keys, strict=True)
            if partner not in known
        ]
        tally._absorb(shard.tally)
        report = report.merge(shard.report)
    if report.on_bad_rows == "skip":
        report.check()
    return _Shard(
        tally, keys, report, sum(s.partitions for s in shards), sum(s.rows for s in shards)
    )


@isolated
def _evaluate_shard(shard: _Shard) -> _ShardValues:
    """The KPI values of a merged shard, in partnerkit's decimal context."""
    tally = shard.tally
    values = tally.plan.evaluate(tally)
    return _ShardValues(values, shard.keys, shard.report, shard.partitions, shard.rows, tally.rows)


def _shard_count(value: object) -> int:
    """``value`` as a number of partner shards: an integer of 1 or more."""
    return _count_arg(value, "shards", 1, "at least 1 shard")


def _shard_graph(parts: list[Delayed], shards: int, split_every: int) -> list[Delayed]:
    """The evaluated shards over ``parts``, as a graph for dask's own scheduler."""
    splits = [
        delayed(_split_part, pure=True, nout=shards)(part, i, shards)
        for i, part in enumerate(parts)
    ]
    return [
        delayed(_evaluate_shard, pure=True)(
            _tree(
                [split[s] for split in splits],
                split_every,
                _merge_shards,
                name=f"partnerkit-shard-{s}-merge",
            )
        )
        for s in range(shards)
    ]


def _shards_on_client(
    parts: list[Delayed],
    client: Any,
    shards: int,
    split_every: int,
    retries: int,
    progress: Callable[[int, int], None] | None,
) -> list[_ShardValues]:
    """The evaluated shards over ``parts`` on ``client``'s cluster, shard ``s`` kept on one worker.

    Each task's tally is split where it was counted; the shards numbered ``s``
    are merged and evaluated on worker ``s`` (of the workers sorted by
    address; another one if it is gone), so the workers merge and evaluate
    their shares at once, and only KPI values come back.
    """
    counts = client.compute(parts, retries=retries)
    evaluated: list[Any] = []
    try:
        workers = sorted(client.scheduler_info()["workers"])
        splits = [
            client.submit(_split_part, f, i, shards, retries=retries, pure=False)
            for i, f in enumerate(counts)
        ]
        pieces = [
            [
                client.submit(operator.getitem, split, s, retries=retries, pure=False)
                for s in range(shards)
            ]
            for split in splits
        ]
        for s in range(shards):
            home: dict[str, Any] = (
                {"workers": [workers[s % len(workers)]], "allow_other_workers": True}
                if workers
                else {}
            )
            level = [row[s] for row in pieces]
            while len(level) > 1:
                level = _merged_level(client, _merge_shards, level, split_every, retries, **home)
            evaluated.append(
                client.submit(_evaluate_shard, level[0], retries=retries, pure=False, **home)
            )
        # Only the ends are held from here on: the workers let go of each partial, split and
        # merge once what needs it has run.
        del splits, pieces, level
        _follow(counts, progress)
        del counts[:]
        return list(client.gather(evaluated))
    except BaseException:
        client.cancel([*counts, *evaluated])
        raise


def _scores_of(
    evaluated: list[Any],
    plan: ScoringPlan,
    total: int,
    expected_rows: int | None,
    model: EngagementModel | None,
    partner_targets: Mapping[str, Iterable[Target]] | None,
) -> tuple[EcosystemScores, RowReport]:
    """The scores of the evaluated shards, or :class:`ScaleError` if they do not cover every row."""
    if not evaluated or not all(isinstance(e, _ShardValues) for e in evaluated):
        raise ScaleError("the distributed run returned no values")  # pragma: no cover
    for shard in evaluated:
        if shard.partitions != total:
            raise ScaleError(f"{total - shard.partitions} of {total} partitions missing")
    first = evaluated[0]
    counted = sum(shard.counted for shard in evaluated)
    if counted + first.report.skipped != first.rows:
        raise ScaleError(
            f"{first.rows} rows read but {counted} counted and {first.report.skipped} skipped"
        )
    if expected_rows is not None and first.rows != expected_rows:
        raise ScaleError(f"{expected_rows} rows in the input but {first.rows} read")
    values = KpiValues._joined(plan, [(shard.values, shard.keys) for shard in evaluated])
    return EcosystemScores._of_values(values, model, partner_targets=partner_targets), first.report


def score_files_on_dask(
    paths: Iterable[str | os.PathLike[str]],
    plan: ScoringPlan,
    model: EngagementModel | None = None,
    *,
    partner_targets: Mapping[str, Iterable[Target]] | None = None,
    report: RowReport | None = None,
    rows_per_task: int = 2_000_000,
    split_every: int = 8,
    shards: int | None = None,
    client: Any = None,
    retries: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> EcosystemScores:
    """Score activity files on Dask into the scores one process would make of them.

    The files are counted as by :func:`tally_files_on_dask`; then each task's
    tally is split into ``shards`` partner shards (a CRC-32 of the partner id
    picks one), and each shard is merged over the tasks and evaluated on a
    worker of its own: the workers merge and evaluate their partners at once,
    and only KPI values come back. The caller joins them in the order the
    partners were first seen, and makes engagement scores and ranks (they
    compare every partner). ``shards`` is the number of workers of
    ``client`` by default (1 with dask's own scheduler). The result equals
    ``EcosystemScores(tally_files(paths, plan), model, ...)`` bit for bit;
    a bad target is a ValidationError before anything runs. Bad rows,
    retries and :class:`ScaleError` as in :func:`tally_files_on_dask`.
    """
    errors = ErrorCollector()
    if isinstance(partner_targets, Mapping):  # read once: the values may be iterators
        partner_targets = {pid: list(targets) for pid, targets in partner_targets.items()}
    with errors.catch():  # a bad target fails before the run
        probe: EcosystemScores = object.__new__(EcosystemScores)
        probe._check(plan, model, partner_targets)
    with errors.catch():
        split_every = _split_every(split_every)
    count = 1
    with errors.catch():
        if shards is not None:
            count = _shard_count(shards)
        elif client is not None:
            count = max(len(client.scheduler_info()["workers"]), 1)
    errors.raise_if_any()
    report = RowReport() if report is None else report
    parts, expected = _file_parts(paths, [plan], _policy(report), rows_per_task)
    if not parts:
        return EcosystemScores(plan.tally(), model, partner_targets=partner_targets)
    with _lost_cluster():
        if client is None:
            evaluated = list(compute(*_shard_graph(parts, count, split_every)))
            if progress is not None:
                progress(len(parts), len(parts))
        else:
            evaluated = _shards_on_client(parts, client, count, split_every, retries, progress)
    scores, found = _scores_of(evaluated, plan, len(parts), expected, model, partner_targets)
    _report_back(report, found)
    return scores


def _report_back(report: RowReport, found: RowReport) -> None:
    report.rows += found.rows
    report.skipped += found.skipped
    report.bad += found.bad[: max(report.max_errors - len(report.bad), 0)]


def local_cluster(workers: int, **options: Any) -> Any:
    """A ``distributed.LocalCluster`` of ``workers`` single-threaded processes, for scoring.

    Its workers start with :data:`WORKER_ENVIRON` and without Dask's
    statistical profiler (a tenth of a count's time); ``options`` go to
    ``LocalCluster`` (``dashboard_address=":0"`` unless given: any free port).
    """
    import dask.config
    from distributed import LocalCluster

    options.setdefault("dashboard_address", ":0")
    # The statistical profiler samples every thread's stack each 10 ms, in the interpreter
    # the count runs in: a tenth of a pure-Python task's time. Given to each nanny (not set
    # around the cluster's start), so a worker it starts again after a crash has it too.
    options.setdefault("config", {}).setdefault("distributed.worker.profile.enabled", False)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": dict(WORKER_ENVIRON)}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, **options)


def partial_bytes(tally: Tally) -> int:
    """The size in bytes of ``tally`` pickled as a task sends it (its plan left out)."""
    state = tally.__getstate__()
    del state["plan"]
    return len(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))


def evaluate_tiers(
    scores: EcosystemScores,
    ladder: TierLadder,
    as_of: date | None = None,
    *,
    extra: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, TierEvaluation]:
    """Evaluate every scored partner against ``ladder`` on ``as_of`` (the scores' day by default).

    Each partner's metrics are its scorecard's
    (:meth:`~partnerkit.scoring.Scorecard.metrics`) plus ``extra[partner]``
    (metrics from elsewhere: revenue from the books, say). Runs where the
    merged scores are, in one pass: it costs partners, not activities.
    """
    day = scores.plan.as_of if as_of is None else as_of
    more = extra or {}

    def metrics() -> Iterator[tuple[str, dict[str, Any]]]:
        for partner in scores.partners:
            found: dict[str, Any] = dict(scores.scorecard(partner).metrics())
            found.update(more.get(partner, {}))
            yield partner, found

    return dict(evaluate_many(metrics(), ladder, day))
