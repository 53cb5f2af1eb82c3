"""The project's SQL database: the engine and the Alembic migrations (db, migrations/) and what
every table shares (orm)."""
