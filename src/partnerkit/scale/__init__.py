"""Scale-out on Dask: nightly scoring and tier evaluation of an ecosystem (``partnerkit[dask]``).

Activities held in a Dask collection (a bag of activities or rows, a
DataFrame in the activity file schema) or in activity files (Parquet, CSV)
are scored partition by partition with the batch engine; the partial
:class:`~partnerkit.scoring.Tally` objects are merged by a tree of tasks (no
shuffle of raw rows), and the merged tally gives the very
:class:`~partnerkit.scoring.EcosystemScores` one process would;
:func:`score_files_on_dask` merges and evaluates by partner shard on the
workers and returns those scores. See the "Scale-out" guide for the plan at
a billion activities a night.
"""

try:
    import dask as _dask  # noqa: F401
    import pyarrow as _pyarrow  # noqa: F401
except ImportError as _missing:  # pragma: no cover - depends on the environment
    raise ImportError(
        "partnerkit.scale needs Dask and pyarrow: pip install 'partnerkit[dask]'"
    ) from _missing

from partnerkit.core._public import publish as _publish
from partnerkit.scale._dask import (
    WORKER_ENVIRON,
    FileTask,
    ScaleError,
    dashboard_figures_on_dask,
    evaluate_tiers,
    file_tasks,
    local_cluster,
    partial_bytes,
    score_files_on_dask,
    tally_bag,
    tally_files_on_dask,
    tally_frame,
)

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

_publish(__name__, globals(), __all__)
