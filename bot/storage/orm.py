"""What every table of the project's database shares: the declarative base of the ORM models and
the column type of moments (UTC, time-zone aware), with `now()`, the moment to store."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

Base = declarative_base()


class UtcDateTime(TypeDecorator):
    """A moment, stored in UTC and always read back time-zone aware (SQLite returns it naive). A
    moment given in another zone is converted first: SQLite would store its wall-clock time as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        return value.astimezone(timezone.utc) if value is not None and value.tzinfo is not None else value

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


def now() -> datetime:
    return datetime.now(timezone.utc)
