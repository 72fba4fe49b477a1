"""Scoring on a Dask cluster of 2 worker processes: the one-process result, bit for bit, or none."""

from __future__ import annotations

import decimal
import itertools
import math
import os
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scale_data import AS_OF, CALENDAR, TZ, activities, plan, record, write_csv, write_parquet
from scale_extras import require

from partnerkit.core.errors import ValidationError
from partnerkit.scoring import (
    Activity,
    EcosystemScores,
    RowReport,
    Scorecard,
    Tally,
    Window,
    tally_files,
)
from partnerkit.tiers import evaluate, ladder_from_dict

ACTS = activities(4000, partners=60)


@pytest.fixture(autouse=True)
def _dask() -> None:
    require("dask", "distributed", "pyarrow")


def cards(tally: Tally) -> list[Scorecard]:
    return list(EcosystemScores(tally).scorecards())


EXPECTED = None


def expected() -> tuple[tuple[str, ...], list[Scorecard]]:
    global EXPECTED  # computed once, after the skip check
    if EXPECTED is None:
        scores = EcosystemScores(plan().tally(ACTS))
        EXPECTED = (scores.partners, list(scores.scorecards()))
    return EXPECTED


def same_as_one_process(tally: Tally) -> None:
    partners, scorecards = expected()
    scores = EcosystemScores(tally)
    assert tally.rows == len(ACTS)
    assert scores.partners == partners  # partners numbered in the same order, too
    assert list(scores.scorecards()) == scorecards


def chunks(cuts: list[int]) -> list[list[Any]]:
    bounds = [0, *sorted(set(cuts)), len(ACTS)]
    return [ACTS[a:b] for a, b in itertools.pairwise(bounds) if b > a]


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    cuts=st.lists(st.integers(1, len(ACTS) - 1), max_size=9),
    split_every=st.integers(2, 4),
)
def test_any_partitioning_scores_as_one_process(
    client: Any, cuts: list[int], split_every: int
) -> None:
    import dask.bag as db
    from dask.delayed import delayed

    from partnerkit.scale import tally_bag

    bag = db.from_delayed([delayed(part) for part in chunks(cuts)])
    same_as_one_process(tally_bag(bag, plan(), client=client, split_every=split_every))


def test_files_and_frames_score_as_one_process(client: Any, tmp_path: Path) -> None:
    import dask.dataframe as dd

    from partnerkit.scale import file_tasks, tally_files_on_dask, tally_frame

    parquet = write_parquet(tmp_path / "a.parquet", ACTS, row_group_size=500)
    tasks = file_tasks([parquet], rows_per_task=1200)
    assert [t.row_groups for t in tasks] == [(0, 1), (2, 3), (4, 5), (6, 7)]
    progress: list[tuple[int, int]] = []
    tally = tally_files_on_dask(
        [parquet],
        plan(),
        client=client,
        rows_per_task=1200,
        split_every=2,
        progress=lambda done, total: progress.append((done, total)),
    )
    same_as_one_process(tally)
    assert progress[0] == (0, 4)
    assert progress[-1] == (4, 4)
    same_as_one_process(tally_frame(dd.read_parquet(parquet, split_row_groups=2), plan()))


def test_a_csv_and_a_parquet_file_score_as_one_process(client: Any, tmp_path: Path) -> None:
    from partnerkit.scale import tally_files_on_dask

    csv_path = write_csv(tmp_path / "a.csv", [record(a) for a in ACTS[:1500]])
    parquet = write_parquet(tmp_path / "b.parquet", ACTS[1500:], row_group_size=1000)
    tally = tally_files_on_dask([csv_path, parquet], plan(), client=client, rows_per_task=1000)
    same_as_one_process(tally)


def test_bad_rows_are_named_on_the_cluster_too(client: Any, tmp_path: Path) -> None:
    from partnerkit.scale import tally_files_on_dask

    rows = [record(a) for a in ACTS[:300]]
    rows[41]["at"] = "2026-05-04T09:30:00"
    rows[250]["currency"] = "USD" if rows[250]["amount"] else ""
    rows[250]["amount"] = rows[250]["amount"] or "1.00"
    path = write_csv(tmp_path / "a.csv", rows)
    with pytest.raises(ValidationError) as raised:
        tally_files_on_dask([path], plan(), client=client)
    assert raised.value.paths == (f"{path}:42.at", f"{path}:251.currency")
    report = RowReport("skip")
    tally = tally_files_on_dask([path], plan(), client=client, report=report)
    assert (tally.rows, report.skipped, report.rows) == (298, 2, 300)
    assert [b.path for b in report.bad] == [f"{path}:42.at", f"{path}:251.currency"]
    # The same run on one process.
    assert cards(tally) == cards(tally_files([path], plan(), report=RowReport("skip")))


def test_a_frame_names_bad_rows_by_partition(tmp_path: Path) -> None:
    import dask.dataframe as dd
    import pandas as pd

    from partnerkit.scale import tally_frame

    frame = pd.DataFrame([record(a) for a in ACTS[:100]]).replace("", None)
    frame.loc[60, "kind"] = "Deal Won"
    report = RowReport("skip")
    tally = tally_frame(dd.from_pandas(frame, npartitions=2), plan(), report=report)
    assert tally.rows == 99
    assert [b.path for b in report.bad] == ["partition 1:11.kind"]


def _kill_once(row: Any, marker: str) -> Any:
    """Kill this worker process the first time any worker gets here (a marker file says so)."""
    from distributed import get_worker

    get_worker()  # only ever on a worker: never the test process
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        return row
    os.close(fd)
    os._exit(1)


def _kill_always(row: Any) -> Any:
    from distributed import get_worker

    get_worker()
    os._exit(1)


def test_a_worker_killed_mid_run_is_replaced_and_the_result_is_whole(
    client: Any, tmp_path: Path
) -> None:
    import dask.bag as db

    from partnerkit.scale import tally_bag

    marker = str(tmp_path / "killed")
    bag = db.from_sequence(ACTS, npartitions=6).map(_kill_once, marker)
    same_as_one_process(tally_bag(bag, plan(), client=client))
    assert os.path.exists(marker)


def test_a_run_whose_workers_keep_dying_fails_with_a_clear_error(client: Any) -> None:
    import dask.bag as db

    from partnerkit.core.errors import PartnerkitError
    from partnerkit.scale import ScaleError, tally_bag

    bag = db.from_sequence(ACTS[:100], npartitions=2).map(_kill_always)
    with pytest.raises(ScaleError, match="returned nothing") as raised:
        tally_bag(bag, plan(), client=client)
    assert isinstance(raised.value, PartnerkitError)
    client.wait_for_workers(2, timeout=60)


def test_a_lost_partition_is_an_error_not_a_smaller_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dask.bag as db

    import partnerkit.scale._dask as _dask
    from partnerkit.scale import ScaleError, tally_bag

    merge = _dask._merge
    # A merge that drops its last input, run on the synchronous scheduler (this process).
    monkeypatch.setattr(_dask, "_merge", lambda *parts: merge(*parts[:-1]))
    import dask

    with dask.config.set(scheduler="sync"), pytest.raises(ScaleError, match="partitions missing"):
        tally_bag(db.from_sequence(ACTS, npartitions=5), plan(), split_every=5)


def test_a_partition_lost_at_the_root_merge_on_the_client_is_an_error(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dask.bag as db

    import partnerkit.scale._dask as _dask
    from partnerkit.scale import ScaleError, tally_bag

    merge = _dask._merge
    # The last level is merged in this process: a root merge that drops its last input.
    monkeypatch.setattr(_dask, "_merge", lambda *parts: merge(*parts[:-1]))
    with pytest.raises(ScaleError, match=r"1 of \d+ partitions missing"):
        tally_bag(db.from_sequence(ACTS, npartitions=3), plan(), client=client, split_every=4)


@pytest.mark.parametrize("split_every", [1, 0, -3, True, 2.0, "4", None])
def test_a_tree_merges_at_least_two_partials_at_a_time(client: Any, split_every: Any) -> None:
    import dask.bag as db
    import numpy as np

    from partnerkit.scale import tally_bag

    bag = db.from_sequence(ACTS, npartitions=3)
    assert tally_bag(bag, plan(), client=client, split_every=np.int64(2)).rows == len(ACTS)
    for on in (client, None):
        with pytest.raises(ValidationError) as raised:
            tally_bag(
                db.from_sequence(ACTS, npartitions=3), plan(), client=on, split_every=split_every
            )
        assert [e.path for e in raised.value.errors] == ["split_every"]


def test_the_root_merge_leaves_the_workers_results_as_they_were() -> None:
    # On an in-process cluster the client gathers the very objects the worker holds; the
    # partials another caller holds (the same graph: the same keys) must stay unchanged.
    import dask.bag as db
    from dask.delayed import delayed
    from distributed import Client, LocalCluster, wait

    from partnerkit.scale import tally_bag
    from partnerkit.scale._dask import _ship, _tally_rows

    bag = db.from_sequence(ACTS, npartitions=3)
    shared = plan()
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        held = client.compute(
            [delayed(_tally_rows, pure=True)(_ship(shared), part) for part in bag.to_delayed()]
        )
        wait(held)
        before = [f.result().tally.rows for f in held]
        first = tally_bag(bag, shared, client=client, split_every=4)
        assert [f.result().tally.rows for f in held] == before
        second = tally_bag(bag, shared, client=client, split_every=4)
    assert sum(before) == first.rows == second.rows == len(ACTS)
    same_as_one_process(second)


def test_a_worker_started_again_keeps_the_cluster_settings() -> None:
    from distributed import Client

    from partnerkit.scale import WORKER_ENVIRON, local_cluster

    def settings() -> tuple[object, object]:
        import dask.config

        return (
            dask.config.get("distributed.worker.profile.enabled"),
            os.environ.get("MALLOC_TRIM_THRESHOLD_"),
        )

    expected = (False, str(WORKER_ENVIRON["MALLOC_TRIM_THRESHOLD_"]))
    with local_cluster(1) as cluster, Client(cluster) as client:
        assert list(client.run(settings).values()) == [expected]
        client.restart()
        assert list(client.run(settings).values()) == [expected]


def test_every_partner_is_evaluated_against_the_ladder() -> None:
    from partnerkit.scale import evaluate_tiers

    ladder = ladder_from_dict(
        {
            "levels": [
                {
                    "key": "registered",
                    "name": "Registered",
                    "rank": 1,
                    "benefits": {"partner_margin": "10"},
                },
                {
                    "key": "active",
                    "name": "Active",
                    "rank": 2,
                    "benefits": {"partner_margin": "10"},
                    "criteria": {"rules": [{"metric": "logins_90d", "threshold": 3}]},
                },
            ]
        }
    )
    scores = EcosystemScores(plan().tally(ACTS))
    found = evaluate_tiers(scores, ladder)
    assert list(found) == list(scores.partners)
    for partner, evaluation in found.items():
        metrics = scores.scorecard(partner).metrics()
        assert evaluation.tier == evaluate(metrics, ladder, AS_OF).tier
    assert {e.tier.key for e in found.values()} == {"registered", "active"}


def test_the_partial_result_grows_with_partners_not_rows() -> None:
    from partnerkit.scale import partial_bytes

    # Once every partner's users, windows and days to approval have been seen, more rows
    # only grow the counts' digits.
    small = partial_bytes(plan().tally(activities(30_000, partners=50)))
    large = partial_bytes(plan().tally(activities(60_000, partners=50)))
    more_partners = partial_bytes(plan().tally(activities(30_000, partners=200)))
    assert large < 1.25 * small
    assert more_partners > 2.5 * small


def test_the_reduction_model_of_the_docs_holds_on_many_small_partitions() -> None:
    """The simulation of "A plan for internet scale": merge tasks, levels and partial sizes."""
    import dask
    import dask.bag as db

    from partnerkit.scale import partial_bytes, tally_bag
    from partnerkit.scale._dask import _tree

    split_every = 4
    bag = db.from_sequence(ACTS, npartitions=64)
    partitions = bag.npartitions
    # The graph: one tally task per partition, then per level one merge per group of k
    # (a group of one moves up as it is).
    parts = list(bag.to_delayed())
    graph = dict(_tree(parts, split_every).__dask_graph__())
    merges = [k for k in graph if str(k).startswith("partnerkit-merge")]
    levels, n, expected_merges = 0, partitions, 0
    while n > 1:
        expected_merges += n // split_every + (n % split_every >= 2)
        n = math.ceil(n / split_every)
        levels += 1
    assert len(merges) == expected_merges
    assert levels == math.ceil(math.log(partitions) / math.log(split_every) - 1e-9)
    assert {str(k).split("-")[-2] for k in merges} == {str(d) for d in range(1, levels + 1)}
    with dask.config.set(scheduler="sync"):
        tally = tally_bag(bag, plan(), split_every=split_every)
    same_as_one_process(tally)
    # Partial size: bounded by partners x KPIs (bytes per partner per KPI of the docs).
    kpis = len(plan().kpis)
    per = partial_bytes(tally) / len(tally.partners) / kpis
    assert per < 40
    # Network traffic of the reduction: every task's output moves once, at most.
    one = partial_bytes(plan().tally(ACTS[: len(ACTS) // partitions]))
    assert one * (partitions + expected_merges) < 100 * partial_bytes(tally)


def test_the_dashboard_figures_are_those_of_one_process(client: Any, tmp_path: Path) -> None:
    from scale_data import CALENDAR, TZ

    from partnerkit.dashboard import DashboardFigures
    from partnerkit.scale import dashboard_figures_on_dask

    acts = ACTS[:1500]
    path = write_parquet(tmp_path / "a.parquet", acts, row_group_size=400)
    options: dict[str, Any] = {"calendar": CALENDAR, "as_of": AS_OF, "currency": "EUR", "tz": TZ}
    alone = DashboardFigures.compute(acts, **options)
    spread = dashboard_figures_on_dask([path], client=client, rows_per_task=800, **options)
    assert spread.partners == alone.partners
    assert list(spread.scores.scorecards()) == list(alone.scores.scorecards())
    assert len(spread.quarters) == len(alone.quarters) == 2
    for partner in alone.partners:
        for index in range(4):
            assert spread.quarter_arr(partner, index) == alone.quarter_arr(partner, index)


def test_the_dashboard_reads_each_file_once_for_every_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dask
    from scale_data import CALENDAR, TZ

    import partnerkit.scale._dask as _dask
    from partnerkit.dashboard import DashboardFigures
    from partnerkit.scale import dashboard_figures_on_dask
    from partnerkit.scoring import activity_file_rows

    acts = ACTS[:1500]
    path = write_parquet(tmp_path / "a.parquet", acts, row_group_size=400)
    reads: list[tuple[int, ...]] = []
    read = activity_file_rows  # the reader the tasks call, counted

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(kwargs["row_groups"])
        return read(*args, **kwargs)

    monkeypatch.setattr(_dask, "activity_file_rows", counted)
    options: dict[str, Any] = {"calendar": CALENDAR, "as_of": AS_OF, "currency": "EUR", "tz": TZ}
    with dask.config.set(scheduler="sync"):
        spread = dashboard_figures_on_dask([path], rows_per_task=800, split_every=2, **options)
    alone = DashboardFigures.compute(acts, **options)
    # Two passes of quarters and the year's, but each task's row groups read once.
    assert len(spread.quarters) == 2
    assert sorted(reads) == [(0, 1), (2, 3)]
    assert list(spread.scores.scorecards()) == list(alone.scores.scorecards())
    assert [q.as_dict() for q in spread.quarters] == [q.as_dict() for q in alone.quarters]


@pytest.mark.parametrize("context", [{"prec": 6}, {"traps": [decimal.Inexact]}])
def test_the_dashboard_reads_amounts_in_partnerkits_decimal_context(
    tmp_path: Path, context: dict[str, Any]
) -> None:
    import dask
    from scale_data import CALENDAR, TZ

    from partnerkit.dashboard import DashboardFigures
    from partnerkit.scale import dashboard_figures_on_dask

    acts = activities(500, partners=10)
    path = write_csv(tmp_path / "a.csv", [record(a) for a in acts])
    options: dict[str, Any] = {"calendar": CALENDAR, "as_of": AS_OF, "currency": "EUR", "tz": TZ}
    alone = DashboardFigures.compute(acts, **options)
    with dask.config.set(scheduler="sync"), decimal.localcontext(**context):
        spread = dashboard_figures_on_dask([path], **options)
    assert list(spread.scores.scorecards()) == list(alone.scores.scorecards())
    assert [q.as_dict() for q in spread.quarters] == [q.as_dict() for q in alone.quarters]


# -- scores by partner shard (score_files_on_dask) ----------------------------------------------


def same_scores_as_one_process(scores: EcosystemScores) -> None:
    partners, scorecards = expected()
    whole = EcosystemScores(plan().tally(ACTS))
    assert scores.partners == partners  # first-seen order, as one process numbers them
    assert list(scores.scorecards()) == scorecards
    assert repr(scores.engagement.scores) == repr(whole.engagement.scores)
    assert (scores.ranks, scores.percentiles) == (whole.ranks, whole.percentiles)
    for name in whole.values.names:
        assert repr(scores.values.column(name)) == repr(whole.values.column(name)), name


@pytest.mark.parametrize(("shards", "split_every"), [(None, 2), (1, 8), (3, 2)])
def test_scores_by_partner_shard_are_those_of_one_process(
    client: Any, tmp_path: Path, shards: int | None, split_every: int
) -> None:
    from partnerkit.scale import score_files_on_dask

    parquet = write_parquet(tmp_path / "a.parquet", ACTS, row_group_size=500)
    progress: list[tuple[int, int]] = []
    scores = score_files_on_dask(
        [parquet],
        plan(),
        client=client,
        rows_per_task=1200,
        split_every=split_every,
        shards=shards,
        progress=lambda done, total: progress.append((done, total)),
    )
    same_scores_as_one_process(scores)
    assert (progress[0], progress[-1]) == ((0, 4), (4, 4))


def test_scores_by_partner_shard_on_dasks_own_scheduler(tmp_path: Path) -> None:
    import dask

    from partnerkit.scale import score_files_on_dask

    csv_path = write_csv(tmp_path / "a.csv", [record(a) for a in ACTS[:1500]])
    parquet = write_parquet(tmp_path / "b.parquet", ACTS[1500:], row_group_size=700)
    with dask.config.set(scheduler="sync"):
        scores = score_files_on_dask(
            [csv_path, parquet], plan(), rows_per_task=700, shards=3, split_every=3
        )
    same_scores_as_one_process(scores)


def test_scores_by_partner_shard_name_and_skip_bad_rows(client: Any, tmp_path: Path) -> None:
    from partnerkit.scale import score_files_on_dask

    rows = [record(a) for a in ACTS[:300]]
    rows[41]["at"] = "2026-05-04T09:30:00"
    path = write_csv(tmp_path / "a.csv", rows)
    with pytest.raises(ValidationError) as raised:
        score_files_on_dask([path], plan(), client=client)
    assert raised.value.paths == (f"{path}:42.at",)
    report = RowReport("skip")
    scores = score_files_on_dask([path], plan(), client=client, report=report)
    assert (report.skipped, report.rows) == (1, 300)
    alone = EcosystemScores(tally_files([path], plan(), report=RowReport("skip")))
    assert list(scores.scorecards()) == list(alone.scorecards())


def test_bad_targets_and_shards_are_refused_before_anything_runs(tmp_path: Path) -> None:
    from partnerkit.scale import score_files_on_dask
    from partnerkit.scoring import Target

    missing = str(tmp_path / "never-read.parquet")  # reading it would fail otherwise
    with pytest.raises(ValidationError) as raised:
        score_files_on_dask(
            [missing], plan(), partner_targets={"p1": [Target("nope", 1)]}, split_every=1, shards=0
        )
    assert set(raised.value.paths) == {"partner_targets.p1.0.kpi", "split_every", "shards"}
    for bad in (0, -1, True, "2", 1.5):
        with pytest.raises(ValidationError) as raised:
            score_files_on_dask([missing], plan(), shards=bad)  # type: ignore[arg-type]
        assert raised.value.paths == ("shards",)


def test_a_shard_missing_a_partition_is_an_error_not_a_smaller_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dask

    import partnerkit.scale._dask as _dask
    from partnerkit.scale import ScaleError, score_files_on_dask

    parquet = write_parquet(tmp_path / "a.parquet", ACTS, row_group_size=500)
    merge = _dask._merge_shards
    monkeypatch.setattr(_dask, "_merge_shards", lambda *shards: merge(*shards[:-1]))
    with dask.config.set(scheduler="sync"), pytest.raises(ScaleError, match="partitions missing"):
        score_files_on_dask([parquet], plan(), rows_per_task=1000, shards=2, split_every=8)


def test_a_partners_shard_is_the_same_in_every_process() -> None:
    # A CRC-32 of the id, not hash(): a string's hash differs between processes.
    from partnerkit.scoring._tally import partner_shard

    assert [partner_shard(p, 4) for p in ("p1", "p2", "P000001", "Ünternehmen")] == [
        zlib.crc32(p.encode()) % 4 for p in ("p1", "p2", "P000001", "Ünternehmen")
    ]
    assert [partner_shard(p, 2) for p in ("p1", "p2", "p3", "p4")] == [1, 1, 1, 0]


def _late_partners_sharing_users() -> list[Activity]:
    """Users active for partners of different shards; new partners keep coming in later rows."""
    end = datetime(2026, 5, 10, 12, tzinfo=timezone.utc)
    kinds = ("login", "certification_earned", "content_view")
    return [
        Activity(
            f"P{i % (10 + i // 300):03d}", kinds[i % 3], end - timedelta(days=i % 60), f"u{i % 7}"
        )
        for i in range(3000)
    ]


def test_users_shared_across_shards_and_partners_first_seen_late(tmp_path: Path) -> None:
    import dask

    from partnerkit.scale import score_files_on_dask
    from partnerkit.scoring._tally import partner_shard

    acts = _late_partners_sharing_users()
    assert len({partner_shard(a.partner_id, 3) for a in acts if a.user_id == "u1"}) == 3
    path = write_parquet(tmp_path / "a.parquet", acts, row_group_size=300)
    alone = EcosystemScores(tally_files([path], plan()))
    with dask.config.set(scheduler="sync"):
        spread = score_files_on_dask([path], plan(), rows_per_task=300, shards=3, split_every=3)
    assert spread.partners == alone.partners
    assert list(spread.scorecards()) == list(alone.scorecards())


class WonEuros:
    """A host's KPI: won amounts this year as an exact Decimal, merged by adding Decimals."""

    name = "won_eur"
    window = Window.year_to_date()
    paced = True

    def start(self) -> Decimal:
        return Decimal(0)

    def add(self, state: Decimal, row: Any) -> Decimal:
        return state + Decimal(row[3]).scaleb(-2) if row[1] == "deal_won" and row[3] else state

    def merge(self, left: Decimal, right: Decimal) -> Decimal:
        return left + right

    def value(self, state: Decimal, currency: str) -> Decimal:
        return state


def test_custom_kpis_merge_by_shard_in_partnerkits_decimal_context(tmp_path: Path) -> None:
    import dask

    from partnerkit.scale import score_files_on_dask
    from partnerkit.scoring import DEFAULT_ENGAGEMENT_MODEL

    custom = DEFAULT_ENGAGEMENT_MODEL.plan(
        calendar=CALENDAR, as_of=AS_OF, currency="EUR", tz=TZ, custom=[WonEuros()]
    )
    path = write_parquet(tmp_path / "a.parquet", activities(4000, partners=20), row_group_size=500)
    alone = EcosystemScores(tally_files([path], custom))
    with dask.config.set(scheduler="sync"), decimal.localcontext(decimal.Context(prec=6)):
        spread = score_files_on_dask([path], custom, rows_per_task=1000, shards=3)
    assert spread.values.column("won_eur") == alone.values.column("won_eur")
    assert list(spread.scorecards()) == list(alone.scorecards())


def test_partner_targets_given_as_generators_are_kept(tmp_path: Path) -> None:
    import dask

    from partnerkit.scale import score_files_on_dask
    from partnerkit.scoring import Target

    def targets() -> dict[str, Iterator[Target]]:
        return {"P001": (t for t in [Target("logins_90d", 1000)])}

    path = write_parquet(tmp_path / "a.parquet", activities(2000, partners=10), row_group_size=500)
    alone = EcosystemScores(tally_files([path], plan()), partner_targets=targets())
    with dask.config.set(scheduler="sync"):
        spread = score_files_on_dask([path], plan(), partner_targets=targets(), rows_per_task=1000)
    assert spread.target_of("P001", "logins_90d") == Target("logins_90d", 1000)
    assert spread.scorecard("P001") == alone.scorecard("P001")


def test_too_many_bad_rows_spread_over_tasks_are_refused(tmp_path: Path) -> None:
    import dask

    from partnerkit.scale import score_files_on_dask

    paths = []
    for k in range(3):  # one bad row per file (task): 3 in all, over max_errors=2
        rows = [record(a) for a in activities(50, seed=k)]
        rows[5]["at"] = "2026-05-04T09:30:00"
        paths.append(write_csv(tmp_path / f"{k}.csv", rows))
    with dask.config.set(scheduler="sync"), pytest.raises(ValidationError) as raised:
        score_files_on_dask(paths, plan(), report=RowReport("skip", max_errors=2), shards=2)
    assert "rows" in raised.value.paths


def test_a_piece_lost_from_a_shard_other_than_the_first_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dask

    import partnerkit.scale._dask as _dask
    from partnerkit.scale import ScaleError, score_files_on_dask

    path = write_parquet(tmp_path / "a.parquet", activities(3000), row_group_size=500)
    merge = _dask._merge_shards

    def lossy(*shards: Any) -> Any:  # drops a piece of every tree but shard 0's
        return merge(*shards) if shards[0].rows else merge(*shards[:-1])

    monkeypatch.setattr(_dask, "_merge_shards", lossy)
    with dask.config.set(scheduler="sync"), pytest.raises(ScaleError, match="partitions missing"):
        score_files_on_dask([path], plan(), rows_per_task=1000, shards=2)


def test_rows_missing_from_a_parquet_run_are_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dask

    import partnerkit.scale._dask as _dask
    from partnerkit.scale import ScaleError, score_files_on_dask

    path = write_parquet(tmp_path / "a.parquet", activities(3000), row_group_size=500)
    split = _dask._split_part

    def short(parts: Any, index: int, shards: int) -> Any:  # task 1 read and counted a row less
        pieces = split(parts, index, shards)
        if index == 1:
            first = pieces[0]
            first.tally.rows -= 1
            pieces = (attrs.evolve(first, rows=first.rows - 1), *pieces[1:])
        return pieces

    monkeypatch.setattr(_dask, "_split_part", short)
    with dask.config.set(scheduler="sync"), pytest.raises(ScaleError, match="rows in the input"):
        score_files_on_dask([path], plan(), rows_per_task=1000, shards=2)


def test_two_runs_never_share_a_merge_key(tmp_path: Path) -> None:
    # Two runs at once on one scheduler (a default client) must not take each other's merges.
    import partnerkit.scale._dask as _dask

    path = write_parquet(tmp_path / "a.parquet", ACTS, row_group_size=500)
    keys = []
    for _ in range(2):
        parts, _rows = _dask._file_parts([path], [plan()], RowReport(), 1000)
        graphs = _dask._shard_graph(parts, 2, 2)
        keys.append({k for g in graphs for k in g.dask if "merge" in str(k)})
        tally_root = _dask._tree(list(parts), 2, _dask._merge_each)
        keys[-1] |= {k for k in tally_root.dask if "merge" in str(k)}
    assert keys[0]
    assert keys[1]
    assert not keys[0] & keys[1]
