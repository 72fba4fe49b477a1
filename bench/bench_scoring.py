"""Scoring a whole ecosystem: partnerkit's batch engine against an analyst's pandas version.

Both sides get the same deterministic rows ``(partner, kind, day ordinal,
amount in cents, user, detail)`` and compute the same built-in KPIs and the
default engagement score. Each side runs in its own process (so peak memory
is its own, the child's memory high-water mark read right after the
computation, before the results are exported for the agreement check); the
parent checks that the results agree, then prints rows per second, the ratio
and peak memory. Memory is compared like for like: both sides scoring the same
materialized list (which is in both peaks), and both sides reading the rows
from the generator (pandas' ``from_records`` takes an iterator too).

``PARTNERKIT_BENCH_SCALE`` scales the run: 1 (the default) is 5,000,000
activities over 100,000 partners; 0.02 is a quick check.
``PARTNERKIT_BENCH_REPEATS`` (default 2) runs each side that many times,
alternating, and keeps each side's best time. The built-in KPIs alone (the
absolute target) run in a process of their own too, twice per process; the
line below them gives the same KPIs timed in the engagement side's process,
after its run.
"""

from __future__ import annotations

import math
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FULL_ROWS = 5_000_000
FULL_PARTNERS = 100_000


def _sizes() -> tuple[int, int]:
    scale = float(os.environ.get("PARTNERKIT_BENCH_SCALE", "1"))
    return max(1000, round(FULL_ROWS * scale)), max(100, round(FULL_PARTNERS * scale))


def _peak_mb() -> float:
    # The high-water mark of this process's own memory. Not ru_maxrss alone: Linux carries
    # the parent's peak into a child started with vfork (as subprocess does), and the
    # parent holds every earlier child's results, so a small child would report the
    # parent's size.
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- partnerkit ---------------------------------------------------------------------------------


def _ours(data: Any) -> dict[str, Any]:
    from _scoring_data import AS_OF

    from partnerkit.core import Money
    from partnerkit.fiscal import MonthlyFiscalCalendar
    from partnerkit.scoring import DEFAULT_ENGAGEMENT_MODEL, EcosystemScores

    model = DEFAULT_ENGAGEMENT_MODEL
    plan = model.plan(calendar=MonthlyFiscalCalendar(1), as_of=AS_OF, currency="EUR")
    start = time.perf_counter()
    scores = EcosystemScores(plan.tally(data), model)
    seconds = time.perf_counter() - start
    peak = _peak_mb()
    # The built-in KPIs again, in this process after the engagement run (reported beside
    # the figure from a process of their own, see _ours_kpis).
    kpi_seconds = _kpi_seconds(data, 1) if isinstance(data, list) else None
    results: dict[str, Any] = {}
    for name in scores.values.names:
        column = scores.values.column(name)
        results[name] = {
            p: None if v is None else float(v.amount if isinstance(v, Money) else v)
            for p, v in zip(scores.partners, column, strict=True)
        }
    results["engagement_score"] = {
        p: float(s) for p, s in zip(scores.partners, scores.engagement.scores, strict=True)
    }
    return {"seconds": seconds, "kpi_seconds": kpi_seconds, "peak_mb": peak, "results": results}


def _kpi_seconds(data: list[tuple[Any, ...]], repeats: int) -> float:
    """Best time of the built-in KPIs alone (the absolute target) over ``data``.

    A plan of BUILTIN_KPIS (without the engagement model's recency-weighted signal),
    its tally and its KPI values.
    """
    from _scoring_data import AS_OF

    from partnerkit.fiscal import MonthlyFiscalCalendar
    from partnerkit.scoring import ScoringPlan

    best = math.inf
    for _ in range(repeats):
        plan = ScoringPlan(calendar=MonthlyFiscalCalendar(1), as_of=AS_OF, currency="EUR")
        start = time.perf_counter()
        plan.evaluate(plan.tally(data))
        best = min(best, time.perf_counter() - start)
    return best


# -- pandas, written the way an analyst would ---------------------------------------------------


def _pandas(data: Iterable[tuple[Any, ...]]) -> dict[str, Any]:
    import pandas as pd

    start = time.perf_counter()
    df = pd.DataFrame.from_records(
        data, columns=["partner", "kind", "day", "amount", "user", "detail"]
    )
    built = time.perf_counter()
    out = pandas_kpis(df)
    done = time.perf_counter()
    peak = _peak_mb()
    results = {
        name: {p: (None if pd.isna(v) else float(v)) for p, v in out[name].items()}
        for name in out.columns
    }
    return {
        "seconds": done - start,
        "construct_seconds": built - start,
        "peak_mb": peak,
        "results": results,
    }


def pandas_kpis(df: Any) -> Any:
    """The built-in KPIs and the default engagement score of ``df``, one row per partner.

    ``df`` has the columns partner, kind, day (ordinal), amount (cents), user, detail.
    """
    import numpy as np
    import pandas as pd
    from _scoring_data import AS_OF

    today = AS_OF.toordinal()
    fy_start = AS_OF.replace(month=1, day=1).toordinal()
    prior_start = AS_OF.replace(year=AS_OF.year - 1, month=1, day=1).toordinal()
    prior_end = AS_OF.replace(year=AS_OF.year - 1).toordinal()
    day = df["day"]
    t90 = (day > today - 90) & (day <= today)
    t730 = (day > today - 730) & (day <= today)
    ytd = (day >= fy_start) & (day <= today)
    prior = (day >= prior_start) & (day <= prior_end)
    partners = pd.Index(df["partner"].unique())

    def counts(mask: Any) -> Any:
        table = df.loc[mask].groupby(["partner", "kind"]).size().unstack(fill_value=0)
        return table.reindex(index=partners, fill_value=0)

    c90, cytd = counts(t90), counts(ytd)

    def col(table: Any, kind: str) -> Any:
        return table[kind] if kind in table else pd.Series(0, index=partners)

    out = pd.DataFrame(index=partners)
    out["logins_90d"] = col(c90, "login")
    out["content_views_90d"] = col(c90, "content_view")
    out["communications_90d"] = col(c90, "communication") + col(c90, "campaign_engaged")
    users90 = df.loc[t90 & df["user"].notna()].groupby("partner")["user"].nunique()
    out["active_users_90d"] = users90.reindex(partners, fill_value=0)
    out["trainings_ytd"] = col(cytd, "training_completed")
    out["certifications_ytd"] = col(cytd, "certification_earned")
    cert = df.loc[t730 & (df["kind"] == "certification_earned") & df["user"].notna()]
    out["certified_users"] = (
        cert.groupby("partner")["user"].nunique().reindex(partners, fill_value=0)
    )
    for kind, name in [
        ("deal_registered", "deals_registered_ytd"),
        ("deal_approved", "deals_approved_ytd"),
        ("deal_declined", "deals_declined_ytd"),
        ("deal_won", "deals_won_ytd"),
        ("deal_lost", "deals_lost_ytd"),
    ]:
        out[name] = col(cytd, kind)
    won = df["kind"] == "deal_won"
    revenue = df.loc[ytd & won].groupby("partner")["amount"].sum().reindex(partners, fill_value=0)
    by_motion = (
        df.loc[ytd & won].groupby(["partner", "detail"])["amount"].sum().unstack(fill_value=0)
    ).reindex(partners, fill_value=0)
    out["sourced_revenue_ytd"] = revenue / 100
    out["new_arr_ytd"] = col(by_motion, "new") / 100
    out["upsell_arr_ytd"] = col(by_motion, "upsell") / 100
    wins, losses = out["deals_won_ytd"], out["deals_lost_ytd"]
    out["win_rate_ytd"] = (wins * 100 / (wins + losses)).where(wins + losses > 0).round(2)
    registered = out["deals_registered_ytd"]
    out["registration_conversion_ytd"] = (wins * 100 / registered).where(registered > 0).round(2)
    # Half-up to the cent, as partnerkit rounds money (pandas .round() rounds half to even).
    out["average_deal_size_ytd"] = np.floor(revenue / wins + 0.5).where(wins > 0) / 100
    approvals = df.loc[ytd & (df["kind"] == "deal_approved") & df["detail"].notna()]
    out["median_days_to_approval_ytd"] = (
        pd.to_numeric(approvals["detail"]).groupby(approvals["partner"]).median()
    ).reindex(partners)
    before = df.loc[prior & won].groupby("partner")["amount"].sum().reindex(partners, fill_value=0)
    out["sourced_revenue_yoy"] = ((revenue - before) * 100 / before).where(before > 0).round(2)

    # The default engagement model.
    def percentile(series: Any) -> Any:
        # Everyone alike (a lone partner too): full points for a positive value, none otherwise.
        if series.min() == series.max():
            return (series > 0).astype(float)
        return (series.rank(method="min") - 1) / (len(series) - 1)

    registrations = df.loc[ytd & (df["kind"] == "deal_registered")]
    weights = np.power(2.0, -(today - registrations["day"]) / 30)
    decayed = weights.groupby(registrations["partner"]).sum().reindex(partners, fill_value=0)
    span = decayed.max() - decayed.min()
    deal_activity = (decayed - decayed.min()) / span if span else (decayed > 0).astype(float)
    out["engagement_score"] = (
        20 * (out["logins_90d"] / 60).clip(upper=1)
        + 15 * percentile(out["content_views_90d"])
        + 10 * (np.log1p(out["communications_90d"]) / math.log(31)).clip(upper=1)
        + 25 * deal_activity
        + 15 * (out["certified_users"] / 3).clip(upper=1)
        + 15 * percentile(out["sourced_revenue_ytd"])
    ).round(2)
    return out


# -- the child processes ------------------------------------------------------------------------


def child(mode: str, rows: int, partners: int, out: str) -> None:
    """Run one side in this process and write its timings, peak memory and results to ``out``."""
    sys.path.insert(0, str(HERE))
    from _scoring_data import rows as generate

    report: dict[str, Any]
    if mode == "input":
        data = list(generate(rows, partners))
        report = {"seconds": 0.0, "rows": len(data)}
    elif mode == "ours":
        report = _ours(list(generate(rows, partners)))
    elif mode == "ours-kpis":
        # The built-in KPIs in a process of their own, like every other side.
        report = {"kpi_seconds": _kpi_seconds(list(generate(rows, partners)), 2)}
    elif mode == "ours-stream":
        report = _ours(generate(rows, partners))
    elif mode == "pandas-stream":
        report = _pandas(generate(rows, partners))
    else:
        report = _pandas(list(generate(rows, partners)))
    report.setdefault("peak_mb", _peak_mb())
    with open(out, "wb") as handle:
        pickle.dump(report, handle)


def _run(mode: str, rows: int, partners: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="pk-bench-") as tmp:
        out = str(Path(tmp) / "report.pickle")
        subprocess.run(
            [sys.executable, str(Path(__file__)), "--child", mode, str(rows), str(partners), out],
            check=True,
        )
        with open(out, "rb") as handle:
            report: dict[str, Any] = pickle.load(handle)
    return report


def _agree(ours: dict[str, Any], peer: dict[str, Any]) -> list[str]:
    problems = []
    for name, theirs in peer.items():
        mine = ours[name]
        tolerance = 0.02 if name == "engagement_score" else 0.006
        for partner, value in theirs.items():
            got = mine.get(partner)
            if (value is None) != (got is None) or (
                value is not None and abs(value - got) > tolerance
            ):
                problems.append(f"{name}[{partner}]: partnerkit {got}, pandas {value}")
    return problems


def main() -> None:
    """Run every side in its own process, check agreement, print throughput and peak memory."""
    from _harness import report

    rows, partners = _sizes()
    print(f"{rows:,} activities over {partners:,} partners", flush=True)
    inputs = _run("input", rows, partners)
    # Alternate the sides and keep each one's best time, so a busy moment on a shared
    # machine does not decide the ratio; peak memory is the largest seen.
    peers: list[dict[str, Any]] = []
    ourses: list[dict[str, Any]] = []
    kpis: list[float] = []
    for _ in range(int(os.environ.get("PARTNERKIT_BENCH_REPEATS", "2"))):
        peers.append(_run("pandas", rows, partners))
        ourses.append(_run("ours", rows, partners))
        kpis.append(_run("ours-kpis", rows, partners)["kpi_seconds"])
    peer = min(peers, key=lambda r: r["seconds"])
    ours = min(ourses, key=lambda r: r["seconds"])
    peer["peak_mb"] = max(r["peak_mb"] for r in peers)
    ours["peak_mb"] = max(r["peak_mb"] for r in ourses)
    problems = _agree(ours["results"], peer["results"])
    if problems:
        raise SystemExit("results differ:\n" + "\n".join(problems[:20]))
    print(f"agreement: {len(peer['results'])} KPIs x {partners:,} partners match", flush=True)
    stream = _run("ours-stream", rows, partners)
    peer_stream = _run("pandas-stream", rows, partners)
    report(
        "KPIs + engagement, from Python tuples", rows, "pandas", peer["seconds"], ours["seconds"]
    )
    report(
        "  of which DataFrame construction (pandas)",
        rows,
        "pandas construct only",
        peer["construct_seconds"],
        ours["seconds"],
    )
    report(
        "  both reading the generator (generation incl.)",
        rows,
        "pandas",
        peer_stream["seconds"],
        stream["seconds"],
    )
    print(
        f"{'built-in KPIs only (tally + KPI values)':<48} {'partnerkit':<24} "
        f"{rows / min(kpis):>12,.0f}/s   target 1,000,000/s",
        flush=True,
    )
    print(
        f"{'  the same, after the engagement run in-process':<48} {'partnerkit':<24} "
        f"{rows / min(r['kpi_seconds'] for r in ourses):>12,.0f}/s",
        flush=True,
    )
    print(
        f"peak memory MB, from the list: input list alone {inputs['peak_mb']:,.0f}, "
        f"pandas {peer['peak_mb']:,.0f}, partnerkit {ours['peak_mb']:,.0f} "
        f"({ours['peak_mb'] / peer['peak_mb']:.2f}x); above the list: "
        f"pandas {peer['peak_mb'] - inputs['peak_mb']:,.0f}, "
        f"partnerkit {ours['peak_mb'] - inputs['peak_mb']:,.0f} "
        f"({(ours['peak_mb'] - inputs['peak_mb']) / (peer['peak_mb'] - inputs['peak_mb']):.2f}x)",
        flush=True,
    )
    print(
        f"peak memory MB, from the generator: pandas {peer_stream['peak_mb']:,.0f}, "
        f"partnerkit {stream['peak_mb']:,.0f} "
        f"({stream['peak_mb'] / peer_stream['peak_mb']:.2f}x)",
        flush=True,
    )


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        sys.path.insert(0, str(HERE))
        main()
