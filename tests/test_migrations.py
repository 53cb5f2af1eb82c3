"""The ORM models and the Alembic migrations describe the same schema: a fresh database upgraded to
head (SQLite and PostgreSQL) has exactly the models' tables, and Alembic's comparison finds no
column, type, nullability, default, index or foreign key that differs. A model changed without a
migration, or a migration without its model, fails here."""
from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import bot
from bot.storage.orm import Base
from db_fixtures import fresh_postgres, fresh_sqlite

ALEMBIC_TABLES = {"alembic_version"}


@pytest.fixture(scope="module", autouse=True)
def every_model() -> None:
    """Base.metadata knows a table once the module declaring its model is imported: import them all."""
    for module in pkgutil.walk_packages(bot.__path__, "bot."):
        importlib.import_module(module.name)


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_url(request, tmp_path) -> Any:
    factory = fresh_sqlite(tmp_path) if request.param == "sqlite" else fresh_postgres()
    with factory as url:
        yield url


def ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Compare only the tables the models declare: Rasa's tracker store (`events`) shares the
    database. That the migrations make no table of their own is the test above."""
    return not (type_ == "table" and reflected and compare_to is None)


def test_migrations_create_exactly_the_tables_of_the_models(migrated_url):
    engine = create_engine(migrated_url, future=True)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names()) - ALEMBIC_TABLES
    finally:
        engine.dispose()
    assert tables == set(Base.metadata.tables)


def test_models_and_migrations_agree(migrated_url):
    engine = create_engine(migrated_url, future=True)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "compare_server_default": True, "include_object": ours})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_the_tracker_store_table_is_not_compared(tmp_path):
    """Rasa's `events` table lives in the same database and has no model: it is no difference."""
    with fresh_sqlite(tmp_path) as url:
        engine = create_engine(url, future=True)
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255))")
                context = MigrationContext.configure(connection, opts={"include_object": ours})
                assert compare_metadata(context, Base.metadata) == []
        finally:
            engine.dispose()
