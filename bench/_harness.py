"""Shared timing helpers for the benchmarks: best of several repeats, one line per case."""

from __future__ import annotations

import time
from collections.abc import Callable

REPEATS = 5


def best_seconds(fn: Callable[[], object], *, repeats: int = REPEATS) -> float:
    """Run ``fn`` ``repeats`` times and return the fastest wall-clock duration in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def report(case: str, items: int, peer: str, peer_seconds: float, ours_seconds: float) -> float:
    """Print one line: throughput of the peer and of partnerkit on ``items`` inputs, and the ratio.

    Returns the ratio (partnerkit throughput / peer throughput).
    """
    peer_rate = items / peer_seconds
    ours_rate = items / ours_seconds
    ratio = ours_rate / peer_rate
    print(
        f"{case:<48} {peer:<28} {peer_rate:>14,.0f}/s   partnerkit {ours_rate:>14,.0f}/s"
        f"   ratio {ratio:>7.2f}x",
        flush=True,
    )
    return ratio
