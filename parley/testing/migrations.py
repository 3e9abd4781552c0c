"""Tests of a migration's data step: the database taken back before it, then forward again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(*targets: tuple[str, str]) -> None:
    """Migrate to ``(app, migration)`` targets (a new executor each time: one keeps the graph it loaded)."""
    MigrationExecutor(connection).migrate(list(targets))


def columns_of(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [column.name for column in connection.introspection.get_table_description(cursor, table)]


@contextmanager
def migrated_back_to(app: str, migration: str) -> Iterator[None]:
    """The database at ``migration`` of ``app`` inside the block; at the latest migrations after it,
    whatever happens inside."""
    try:
        migrate_to((app, migration))
        yield
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
