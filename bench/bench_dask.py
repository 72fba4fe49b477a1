"""Scale-out: 20 M activities over 200,000 partners from Parquet, one process versus Dask.

The same Parquet file (generated once into a cache folder: varied kinds,
users, amounts as decimal128, instants with a zone, motions, registration
dates) is scored end to end (reading, counting, merging, KPI values,
engagement scores and ranks):

- by partnerkit on one process (:func:`partnerkit.scoring.tally_files`), in
  a child process of its own (its peak memory is its own);
- by partnerkit on a ``LocalCluster`` of 2 single-threaded worker processes
  (:func:`partnerkit.scale.score_files_on_dask`: partner shards merged and
  evaluated on the workers), the cluster started before the clock (its start
  is printed apart) and its workers started afresh before each run, as the
  one process is; target: >= 1.6x the one process on this 2-core machine;
  peak memory per worker printed; the merged tally scored on the client
  (:func:`partnerkit.scale.tally_files_on_dask`) is timed too;
- by pandas reading the same file with pyarrow (amounts to integer cents and
  instants to days in Arrow, the fastest honest path) and computing the same
  KPIs and engagement score with vectorized groupbys (bench_scoring's), in a
  child process;
- by dask.dataframe groupbys on the same cluster: the counting, summing and
  distinct-user KPIs (no medians, no engagement score: those need a shuffle
  or a second pass).

The one-process and cluster results are checked equal (a digest of every
KPI column, engagement score and rank); pandas and dask.dataframe are checked
against partnerkit on a sample of partners.

``PARTNERKIT_BENCH_SCALE`` scales the run (1: 20,000,000 activities over
200,000 partners; 0.05 is a quick check); ``PARTNERKIT_BENCH_REPEATS``
(default 2) repeats each side and keeps its best time;
``PARTNERKIT_BENCH_CACHE`` is the cache folder (default: the system's
temporary folder); ``PARTNERKIT_BENCH_TASKS`` the number of tasks the file
is split into on the cluster (default: one per worker).
"""

from __future__ import annotations

import gc
import hashlib
import math
import os
import pickle
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FULL_ROWS = 20_000_000
FULL_PARTNERS = 200_000
ROW_GROUP = 1_000_000  # at full size; a scaled run keeps 20 row groups
WORKERS = 2
TARGET = 1.6
SECONDS = "seconds"


def _sizes() -> tuple[int, int]:
    scale = float(os.environ.get("PARTNERKIT_BENCH_SCALE", "1"))
    return max(10_000, round(FULL_ROWS * scale)), max(100, round(FULL_PARTNERS * scale))


def _peak_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return math.nan


# -- the data -----------------------------------------------------------------------------------


def activity_file(rows: int, partners: int) -> Path:
    """The cached Parquet file of ``rows`` activities over ``partners`` (made on first use)."""
    folder = Path(os.environ.get("PARTNERKIT_BENCH_CACHE", tempfile.gettempdir()))
    path = folder / f"partnerkit-bench-activities-{rows}-{partners}.parquet"
    if not path.exists():
        start = time.perf_counter()
        partial = path.with_suffix(".partial")
        _generate(partial, rows, partners)
        partial.replace(path)
        print(f"generated {path} in {time.perf_counter() - start:.0f} s", flush=True)
    return path


def _generate(path: Path, rows: int, partners: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from _scoring_data import AS_OF, KINDS

    rng = np.random.default_rng(20261207)
    kinds = [k for k, _ in KINDS]
    table = np.repeat(np.arange(len(kinds)), [share for _, share in KINDS])
    ids = pa.array([f"P{i:06d}" for i in range(partners)])
    users = pa.array([f"P{i:06d}-u{j}" for i in range(partners) for j in range(8)])
    amounts = {kinds.index(k) for k in ("deal_registered", "deal_won", "deal_lost")}
    no_user = {kinds.index(k) for k in ("deal_won", "deal_lost", "deal_approved", "deal_declined")}
    won, approved = kinds.index("deal_won"), kinds.index("deal_approved")
    last = AS_OF.toordinal() - date(1970, 1, 1).toordinal()
    schema = pa.schema(
        [
            ("partner_id", pa.string()),
            ("kind", pa.string()),
            ("at", pa.timestamp("us", tz="UTC")),
            ("user_id", pa.string()),
            ("amount", pa.decimal128(18, 2)),
            ("currency", pa.string()),
            ("motion", pa.string()),
            ("registered_on", pa.date32()),
        ]
    )
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, ROW_GROUP):
            n = min(ROW_GROUP, rows - start)
            p = (rng.random(n) * partners).astype(np.int64)
            skew = rng.random(n) < 0.33  # a third of the rows go to the first tenth
            p[skew] //= 10
            k = table[(rng.random(n) * len(table)).astype(np.int64)]
            day = last - (rng.random(n) * rng.random(n) * 730).astype(np.int64)
            at = day * 86_400_000_000 + (rng.random(n) * 86_400_000_000).astype(np.int64)
            paid = np.isin(k, list(amounts))
            cents = 100_000 + (rng.random(n) * 5_000_000).astype(np.int64)
            amount = pc.multiply(
                pa.array(cents, mask=~paid).cast(pa.decimal128(19, 0)),
                pa.scalar(Decimal("0.01"), pa.decimal128(3, 2)),
            ).cast(pa.decimal128(18, 2))
            has_user = ~np.isin(k, list(no_user))
            user = p * 8 + (rng.random(n) * 8).astype(np.int64)
            motion = np.where(rng.random(n) < 0.3, "upsell", "new")
            waited = (rng.random(n) * 20).astype(np.int64)
            batch = pa.record_batch(
                [
                    ids.take(pa.array(p)),
                    pa.array(kinds).take(pa.array(k)),
                    pa.array(at, pa.timestamp("us", tz="UTC")),
                    users.take(pa.array(user, mask=~has_user)),
                    amount,
                    pa.array(np.full(n, "EUR"), mask=~paid),
                    pa.array(motion, mask=k != won),
                    pa.array((day - waited).astype(np.int32), pa.date32(), mask=k != approved),
                ],
                schema=schema,
            )
            writer.write_batch(batch, row_group_size=ROW_GROUP)


# -- partnerkit ---------------------------------------------------------------------------------


def _plan() -> Any:
    from _scoring_data import AS_OF

    from partnerkit.fiscal import MonthlyFiscalCalendar
    from partnerkit.scoring import DEFAULT_ENGAGEMENT_MODEL

    return DEFAULT_ENGAGEMENT_MODEL.plan(
        calendar=MonthlyFiscalCalendar(1), as_of=AS_OF, currency="EUR"
    )


def _digest(scores: Any) -> str:
    """A digest of every partner's KPI values, engagement score, rank and percentile."""
    digest = hashlib.sha256()
    digest.update(repr(scores.partners).encode())
    for name in scores.values.names:
        digest.update(repr(scores.values.column(name)).encode())
    digest.update(repr(scores.engagement.scores).encode())
    digest.update(repr((scores.ranks, scores.percentiles)).encode())
    return digest.hexdigest()


def _sample(scores: Any, every: int) -> dict[str, dict[str, float | None]]:
    from partnerkit.core import Money

    wanted = range(0, len(scores.partners), every)
    results: dict[str, dict[str, float | None]] = {}
    for name in scores.values.names:
        column = scores.values.column(name)
        results[name] = {
            scores.partners[p]: (
                None
                if column[p] is None
                else float(column[p].amount if isinstance(column[p], Money) else column[p])
            )
            for p in wanted
        }
    results["engagement_score"] = {
        scores.partners[p]: float(scores.engagement.scores[p]) for p in wanted
    }
    return results


def _single(path: Path) -> dict[str, Any]:
    from partnerkit.scoring import EcosystemScores, tally_files

    plan = _plan()
    start = time.perf_counter()
    scores = EcosystemScores(tally_files([path], plan))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": _peak_mb(), "digest": _digest(scores)}


def _worker_peak() -> float:
    return _peak_mb()


def _fresh_workers(client: Any) -> None:
    """Start the workers afresh (as the one process starts in a child of its own), imports done.

    A worker that ran a 20 M-row job before holds a heap grown by it: the runs after the
    first were 20 to 25 % slower on both cluster paths, the one process (a new child each
    time) not.
    """
    client.restart()
    client.run(_warm)


def _warm() -> None:
    import partnerkit.scale._dask  # noqa: F401 - what the tasks import, before the clock


def _per_task(rows: int) -> int:
    # A merge costs partners, not rows: as few tasks as keep every worker busy (one each by
    # default: one merge), PARTNERKIT_BENCH_TASKS for more (merged two at a time).
    tasks = int(os.environ.get("PARTNERKIT_BENCH_TASKS", str(WORKERS)))
    return max(ROW_GROUP, math.ceil(rows / tasks / ROW_GROUP) * ROW_GROUP)


def _cluster_run(client: Any, path: Path, rows: int) -> tuple[float, Any]:
    """Scores by partner shard: each worker merges and evaluates its shard of the partners."""
    from partnerkit.scale import score_files_on_dask

    plan = _plan()
    start = time.perf_counter()
    scores = score_files_on_dask(
        [path], plan, client=client, rows_per_task=_per_task(rows), split_every=2
    )
    return time.perf_counter() - start, scores


def _tally_run(client: Any, path: Path, rows: int) -> tuple[float, float, Any, Any]:
    """The merged tally on the client, then its scores there (tally_files_on_dask)."""
    from partnerkit.scale import tally_files_on_dask
    from partnerkit.scoring import EcosystemScores

    plan = _plan()
    start = time.perf_counter()
    tally = tally_files_on_dask(
        [path], plan, client=client, rows_per_task=_per_task(rows), split_every=2
    )
    merged = time.perf_counter() - start
    scores = EcosystemScores(tally)
    return time.perf_counter() - start, merged, scores, tally


# -- pandas and dask.dataframe ------------------------------------------------------------------


def _arrow_columns(table: Any) -> Any:
    """The bench_scoring frame (partner, kind, day, amount cents, user, detail) of a table."""
    import pyarrow as pa
    import pyarrow.compute as pc

    day = pc.add(pc.cast(pc.cast(table["at"], pa.date32()), pa.int32()), 719_163)
    cents = pc.cast(pc.multiply(table["amount"], pa.scalar(Decimal(100))), pa.int64())
    registered = pc.add(pc.cast(table["registered_on"], pa.int32()), 719_163)
    return day, cents, pc.subtract(day, registered)


def _pandas(path: Path) -> dict[str, Any]:
    import pandas as pd
    import pyarrow.parquet as pq
    from bench_scoring import pandas_kpis

    start = time.perf_counter()
    table = pq.read_table(path)
    day, cents, waited = _arrow_columns(table)
    df = pd.DataFrame(
        {
            "partner": table["partner_id"].to_pandas(),
            "kind": table["kind"].to_pandas(),
            "day": day.to_numpy(),
            "amount": cents.to_pandas(),
            "user": table["user_id"].to_pandas(),
        }
    )
    motion = table["motion"].to_pandas()
    df["detail"] = motion.astype(object).where(motion.notna(), waited.to_pandas())
    out = pandas_kpis(df)
    seconds = time.perf_counter() - start
    peak = _peak_mb()
    every = max(len(out) // 2000, 1)
    sample = out.iloc[::every]
    results = {
        name: {p: (None if pd.isna(v) else float(v)) for p, v in sample[name].items()}
        for name in sample.columns
    }
    return {"seconds": seconds, "peak_mb": peak, "results": results}


def _dask_frame(client: Any, path: Path) -> tuple[float, dict[str, Any]]:
    """The counting, summing and distinct-user KPIs with dask.dataframe groupbys."""
    import dask.dataframe as dd
    from _scoring_data import AS_OF
    from dask.base import compute

    start = time.perf_counter()
    df = dd.read_parquet(
        path, columns=["partner_id", "kind", "at", "user_id", "amount", "motion"],
        dtype_backend="pyarrow", split_row_groups=2,
    )  # fmt: skip
    day = df["at"].astype("int64[pyarrow]") // 86_400_000_000 + 719_163
    today = AS_OF.toordinal()
    fy_start = AS_OF.replace(month=1, day=1).toordinal()
    t90 = (day > today - 90) & (day <= today)
    ytd = (day >= fy_start) & (day <= today)
    t730 = (day > today - 730) & (day <= today)
    df = df.assign(cents=(df["amount"] * 100).astype("int64[pyarrow]"))
    won = df["kind"] == "deal_won"
    parts = compute(
        df[t90].groupby(["partner_id", "kind"]).size(),
        df[ytd].groupby(["partner_id", "kind"]).size(),
        df[t90 & df["user_id"].notnull()].groupby("partner_id")["user_id"].nunique(),
        df[t730 & (df["kind"] == "certification_earned") & df["user_id"].notnull()]
        .groupby("partner_id")["user_id"]
        .nunique(),
        df[ytd & won].groupby(["partner_id", "motion"])["cents"].sum(),
    )
    seconds = time.perf_counter() - start
    c90, cytd, users, certified, revenue = parts
    results: dict[str, dict[str, float]] = {
        "logins_90d": {p: float(v) for (p, k), v in c90.items() if k == "login"},
        "deals_won_ytd": {p: float(v) for (p, k), v in cytd.items() if k == "deal_won"},
        "active_users_90d": {p: float(v) for p, v in users.items()},
        "certified_users": {p: float(v) for p, v in certified.items()},
    }
    new_arr: dict[str, float] = {}
    for (p, motion), v in revenue.items():
        if motion == "new":
            new_arr[p] = v / 100
    results["new_arr_ytd"] = new_arr
    return seconds, results


def _agree(ours: dict[str, Any], peer: dict[str, Any]) -> list[str]:
    problems = []
    for name, theirs in peer.items():
        mine = ours.get(name, {})
        tolerance = 0.02 if name == "engagement_score" else 0.006
        for partner, value in theirs.items():
            if partner not in mine:
                continue
            got = mine[partner]
            if (value is None) != (got is None) or (
                value is not None and got is not None and abs(value - got) > tolerance
            ):
                problems.append(f"{name}[{partner}]: partnerkit {got}, peer {value}")
    return problems


# -- the run ------------------------------------------------------------------------------------


def child(mode: str, path: str, out: str) -> None:
    """Run one side in this process; write its timing, peak memory and results to ``out``."""
    sys.path.insert(0, str(HERE))
    report = _single(Path(path)) if mode == "single" else _pandas(Path(path))
    with open(out, "wb") as handle:
        pickle.dump(report, handle)


def _run(mode: str, path: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="pk-bench-") as tmp:
        out = str(Path(tmp) / "report.pickle")
        subprocess.run(
            [sys.executable, str(Path(__file__)), "--child", mode, str(path), out], check=True
        )
        with open(out, "rb") as handle:
            report: dict[str, Any] = pickle.load(handle)
    return report


def main() -> None:
    """Generate (once) and score the file every way; print times, ratios and memory."""
    import dask
    from distributed import Client

    from partnerkit.scale import local_cluster

    rows, partners = _sizes()
    repeats = int(os.environ.get("PARTNERKIT_BENCH_REPEATS", "2"))
    print(f"{rows:,} activities over {partners:,} partners, best of {repeats}", flush=True)
    print(f"load average before: {os.getloadavg()}", flush=True)
    path = activity_file(rows, partners)
    print(f"file: {path} ({path.stat().st_size / 1e6:,.0f} MB)", flush=True)

    start = time.perf_counter()
    with (
        dask.config.set({"distributed.worker.memory.target": False}),
        local_cluster(WORKERS) as cluster,
        Client(cluster) as client,
    ):
        cluster_start = time.perf_counter() - start
        singles, clustered, tallied, pandas_runs, frames = [], [], [], [], []
        scores: Any = None
        tally: Any = None
        tally_scores: Any = None
        peaks: dict[str, float] = {}
        for _ in range(repeats):
            singles.append(_run("single", path))
            # The one process starts afresh in a child; the client drops the last run's
            # scores and tally first (held, they slow its collector through this run).
            scores = tally = tally_scores = None
            gc.collect()
            _fresh_workers(client)
            seconds, scores = _cluster_run(client, path, rows)
            clustered.append(seconds)
            peaks = client.run(_worker_peak)  # this run's: the workers were started afresh
            gc.collect()
            _fresh_workers(client)
            seconds, merged, tally_scores, tally = _tally_run(client, path, rows)
            tallied.append((seconds, merged))
        for _ in range(repeats):
            pandas_runs.append(_run("pandas", path))
            frames.append(_dask_frame(client, path))
    assert scores is not None
    single = min(singles, key=lambda r: r["seconds"])
    if {r["digest"] for r in singles} != {_digest(scores)} or _digest(tally_scores) != _digest(
        scores
    ):
        raise SystemExit("the cluster's scores differ from the one process's")
    print(
        f"agreement: both cluster runs and the one process give the same scores, bit for bit "
        f"({len(scores.partners):,} partners x {len(scores.values.names)} KPIs)",
        flush=True,
    )
    every = max(len(scores.partners) // 2000, 1)
    ours = _sample(scores, every)
    pandas_best = min(pandas_runs, key=lambda r: r["seconds"])
    problems = _agree(ours, pandas_best["results"])
    frame_seconds, frame_results = min(frames, key=lambda f: f[0])
    problems += _agree(ours, frame_results)
    if problems:
        raise SystemExit("results differ:\n" + "\n".join(problems[:20]))
    print("agreement: pandas and dask.dataframe match partnerkit on the sampled partners")

    best_cluster = min(clustered)
    ratio = single["seconds"] / best_cluster
    verdict = "met" if ratio >= TARGET else "missed"

    def line(label: str, seconds: float) -> None:
        print(f"{label:<58} {seconds:8.1f} s  {rows / seconds:>12,.0f} rows/s", flush=True)

    line("partnerkit, one process (read + score + rank)", single["seconds"])
    line(f"partnerkit, LocalCluster of {WORKERS} workers (score_files_on_dask)", best_cluster)
    line(
        f"  the same with the cluster's start ({cluster_start:.1f} s)", best_cluster + cluster_start
    )
    print(
        f"cluster / one process: {ratio:.2f}x   target >= {TARGET}x: {verdict}   "
        f"(all runs: one process {', '.join(f'{r[SECONDS]:.1f}' for r in singles)} s; "
        f"cluster {', '.join(f'{s:.1f}' for s in clustered)} s)",
        flush=True,
    )
    best_tally, best_merged = min(tallied)
    line("  the merged tally scored on the client instead (tally_files_on_dask)", best_tally)
    print(
        f"{'':<58} {single['seconds'] / best_tally:8.2f}x   ({best_merged:.1f} s to the merged "
        f"tally; runs {', '.join(f'{t:.1f}' for t, _ in tallied)} s)",
        flush=True,
    )
    line("pandas (pyarrow read, vectorized groupbys, same KPIs)", pandas_best["seconds"])
    print(
        f"{'  partnerkit cluster / pandas':<58} {pandas_best['seconds'] / best_cluster:8.2f}x   "
        f"partnerkit one process / pandas {pandas_best['seconds'] / single['seconds']:.2f}x",
        flush=True,
    )
    line(f"dask.dataframe groupbys on the {WORKERS} workers (counts, sums, users)", frame_seconds)
    print(
        f"{'  partnerkit cluster / dask.dataframe':<58} {frame_seconds / best_cluster:8.2f}x",
        flush=True,
    )
    print(
        f"peak memory MB: one process {single['peak_mb']:,.0f}; per worker "
        + ", ".join(f"{peak:,.0f}" for peak in peaks.values())
        + f"; pandas {pandas_best['peak_mb']:,.0f}",
        flush=True,
    )
    from partnerkit.scale import partial_bytes

    size = partial_bytes(tally)
    kpis = len(scores.values.names)
    print(
        f"partial result: {size / 1e6:,.1f} MB for {len(tally.partners):,} partners x {kpis} KPIs"
        f" = {size / len(tally.partners) / kpis:.1f} bytes per partner per KPI",
        flush=True,
    )
    start = time.perf_counter()
    tally.merge(tally)  # every partner in both: the most a merge of two partials does
    merge = time.perf_counter() - start
    print(
        f"merge of two partials of {len(tally.partners):,} partners: {merge:.1f} s "
        f"({len(tally.partners) / merge:,.0f} partners/s)",
        flush=True,
    )
    from partnerkit.scoring import EcosystemScores

    start = time.perf_counter()
    EcosystemScores._of_values(scores.values)
    tail = time.perf_counter() - start
    print(
        f"serial tail on the client: engagement scores and ranks of the joined values {tail:.1f} s"
        f" (merging and evaluating run on the workers, a shard of the partners each)",
        flush=True,
    )
    print(f"load average after: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.path.insert(0, str(HERE))
        main()
