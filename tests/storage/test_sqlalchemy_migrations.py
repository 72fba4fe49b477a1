"""partnerkit's Alembic migrations, run from a host's Alembic environment, match metadata_for."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from partnerkit.storage import BUILTIN_SPECS
from partnerkit.storage.sqlalchemy import (
    MIGRATIONS,
    SqlAlchemyStorage,
    metadata_for,
)
from partnerkit.testing import make_program

# A host's env.py, cut down to the online mode: it runs on the connection the test hands over.
ENV_PY = """
from alembic import context

from partnerkit.storage.sqlalchemy import metadata_for

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata_for())
with context.begin_transaction():
    context.run_migrations()
"""


def _config(host: Path, connection: sa.Connection) -> Config:
    host.mkdir(exist_ok=True)
    (host / "env.py").write_text(ENV_PY, encoding="utf-8")
    config = Config()
    config.set_main_option("script_location", str(host))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", MIGRATIONS)
    config.attributes["connection"] = connection
    return config


def _upgrade_and_compare(engine: sa.Engine, host: Path) -> None:
    with engine.begin() as connection:
        command.upgrade(_config(host, connection), "partnerkit@head")
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection), metadata_for(BUILTIN_SPECS)
        )
        assert differences == []
        tables = set(sa.inspect(connection).get_table_names())
        heads = MigrationContext.configure(connection).get_current_heads()
        if engine.dialect.name == "postgresql":
            # Alembic does not compare collations: every text column orders by code point.
            collations = connection.execute(
                sa.text(
                    "SELECT DISTINCT collation_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name LIKE 'partnerkit%' "
                    "AND data_type = 'text'"
                )
            ).all()
            assert collations == [("C",)]
    assert {f"partnerkit_{s.kind}" for s in BUILTIN_SPECS} <= tables
    assert heads == ("partnerkit_0003",)
    # The migrated database serves a storage that creates nothing itself.
    storage = SqlAlchemyStorage(engine, create_tables=False)
    with storage.unit_of_work() as uow:
        uow.repository(BUILTIN_SPECS[0]).add(make_program(key="acme"))
        assert uow.sequences.next("deals") == 1
        uow.commit()


def test_the_migrations_are_one_branch_labelled_partnerkit(tmp_path: Path) -> None:
    config = Config()
    config.set_main_option("script_location", str(tmp_path))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", MIGRATIONS)
    scripts = ScriptDirectory.from_config(config)
    assert scripts.get_revisions("partnerkit@head")[0].revision == "partnerkit_0003"
    assert {r.revision for r in scripts.walk_revisions()} == {
        "partnerkit_0001",
        "partnerkit_0002",
        "partnerkit_0003",
    }


def test_upgrading_a_fresh_sqlite_file_gives_exactly_the_tables_of_metadata_for(
    tmp_path: Path,
) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'host.sqlite3'}")
    _upgrade_and_compare(engine, tmp_path / "alembic")
    engine.dispose()


@pytest.mark.postgres
def test_upgrading_a_fresh_postgres_schema_gives_exactly_the_tables_of_metadata_for(
    postgres_url: str, tmp_path: Path
) -> None:
    engine = sa.create_engine(postgres_url)
    _upgrade_and_compare(engine, tmp_path / "alembic")
    engine.dispose()


def test_create_tables_and_the_migrations_make_the_same_schema(tmp_path: Path) -> None:
    # A storage that created its own tables needs no migration to match metadata_for either.
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'own.sqlite3'}")
    SqlAlchemyStorage(engine)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata_for()) == []
    engine.dispose()
