import os
import uuid
from collections.abc import Iterator
from typing import Any, NoReturn

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
# `nox -s fuzz`: the fuzz suite (tests/fuzz) with many examples per target.
settings.register_profile(
    "fuzz",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# `nox -s mutants`: mutmut runs the tests once per mutant, so each property test gets a few
# examples (a found failure is replayed first from the example database).
settings.register_profile("mutants", max_examples=20, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


# -- PostgreSQL ---------------------------------------------------------------------------------
# Tests marked `postgres` (or using the `postgres_url` fixture, which marks them) run against the
# server named by PARTNERKIT_POSTGRES_URL; without it they skip. PARTNERKIT_REQUIRE_POSTGRES=1
# (CI) turns a missing or unreachable server into failures, and fails the run when no
# PostgreSQL test passed or one skipped.

_POSTGRES_URL = os.environ.get("PARTNERKIT_POSTGRES_URL", "")
_REQUIRE_POSTGRES = os.environ.get("PARTNERKIT_REQUIRE_POSTGRES", "") == "1"
_postgres_outcomes: dict[str, str] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "postgres_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


def _unavailable(reason: str) -> NoReturn:
    if _REQUIRE_POSTGRES:
        pytest.fail(f"PARTNERKIT_REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The URL of the PostgreSQL test database, checked once; skips (or fails, if required)."""
    if not _POSTGRES_URL:
        _unavailable("PARTNERKIT_POSTGRES_URL is not set")
    try:
        import sqlalchemy as sa
    except ImportError:
        _unavailable("SQLAlchemy is not installed (the sqlalchemy extra)")
    engine = sa.create_engine(_POSTGRES_URL, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        _unavailable(f"PostgreSQL at PARTNERKIT_POSTGRES_URL cannot be reached: {exc}")
    finally:
        engine.dispose()
    return _POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A URL whose connections use a fresh, empty schema of their own, dropped after the test."""
    import sqlalchemy as sa

    schema = f"pk_test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(postgres_server, poolclass=sa.NullPool)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = sa.make_url(postgres_server).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            # A connection a test left inside a transaction would block the drop for ever.
            conn.execute(sa.text("SET LOCAL lock_timeout = '20s'"))
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "postgres" not in report.keywords:
        return
    if report.skipped:
        _postgres_outcomes[report.nodeid] = "skipped"
    elif report.failed:
        _postgres_outcomes[report.nodeid] = "failed"
    elif report.when == "call":
        _postgres_outcomes.setdefault(report.nodeid, "passed")


def _postgres_shortfall() -> str:
    outcomes = list(_postgres_outcomes.values())
    if not _REQUIRE_POSTGRES:
        return ""
    if "passed" not in outcomes:
        return "PARTNERKIT_REQUIRE_POSTGRES=1 but no PostgreSQL test passed"
    if "skipped" in outcomes:
        return "PARTNERKIT_REQUIRE_POSTGRES=1 but PostgreSQL tests were skipped"
    return ""


def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller sees every report
    if _postgres_shortfall() and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    outcomes = list(_postgres_outcomes.values())
    if not outcomes and not _REQUIRE_POSTGRES:
        return
    counts = ", ".join(f"{outcomes.count(o)} {o}" for o in ("passed", "failed", "skipped"))
    terminalreporter.write_line(f"PostgreSQL tests: {counts}")
    shortfall = _postgres_shortfall()
    if shortfall:
        terminalreporter.write_line(f"FAILED: {shortfall}", red=True, bold=True)


# -- Dask (tests/scale) -------------------------------------------------------------------------
# A LocalCluster of 2 worker processes, started once per test process by the tests that use it.


@pytest.fixture(scope="session")
def cluster() -> Iterator[Any]:
    """A LocalCluster of 2 single-threaded worker processes; a task may fail once."""
    from scale_extras import require

    require("dask", "distributed", "pyarrow")
    import dask

    from partnerkit.scale import local_cluster

    # One retry after a lost worker, then KilledWorker: the fault tests stay short.
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        local_cluster(2) as local,
    ):
        yield local


@pytest.fixture
def client(cluster: Any) -> Iterator[Any]:
    """A client of the session's cluster."""
    from distributed import Client

    with Client(cluster) as connected:
        yield connected
