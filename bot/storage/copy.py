"""Copy a province's database from one engine to another (SQLite → PostgreSQL), checked table by table.

The target must be empty: the copy never merges into data it did not make. Both databases are brought to
the same migrations first, rows go across in one transaction (all or nothing), identity counters are moved
past the copied ids, and each table's row count and digest are compared on both sides afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.storage.database import Connection, Database, fetch_all, is_sqlite

BATCH = 1000
# Kept by each engine for itself: the migrations' log, and SQLite's full-text index (rebuilt from its table).
NOT_COPIED = {"schema_migrations"}


class CopyRefused(Exception):
    """The copy did not start (or was undone): the reason is for the operator."""


@dataclass(frozen=True)
class TableCheck:
    table: str
    rows: int
    digest: str
    matches: bool


async def tables_of(conn: Connection) -> list[str]:
    if is_sqlite(conn):
        found = await fetch_all(conn, "SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        virtual = [str(n) for n, sql in found if str(sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
        # A full-text index and its shadow tables are SQLite's own, filled by a trigger as rows are written.
        names = [
            str(n)
            for n, _ in found
            if not str(n).startswith("sqlite_") and not any(str(n) == v or str(n).startswith(v + "_") for v in virtual)
        ]
        return sorted(n for n in names if n not in NOT_COPIED)
    rows = await fetch_all(
        conn,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        " AND table_type = 'BASE TABLE'",
    )
    return sorted(str(r[0]) for r in rows if str(r[0]) not in NOT_COPIED)


async def columns_of(conn: Connection, table: str) -> list[str]:
    if is_sqlite(conn):
        return [str(r[1]) for r in await fetch_all(conn, f'PRAGMA table_info("{table}")')]
    rows = await fetch_all(
        conn,
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = ? ORDER BY ordinal_position",
        (table,),
    )
    return [str(r[0]) for r in rows]


async def migrations_of(conn: Connection) -> list[int]:
    return [int(r[0]) for r in await fetch_all(conn, "SELECT version FROM schema_migrations ORDER BY version")]


async def _dependencies(conn: Connection) -> list[tuple[str, str]]:
    """(table, table it points at) for every foreign key of the target."""
    if is_sqlite(conn):
        pairs = []
        for table in await tables_of(conn):
            for r in await fetch_all(conn, f'PRAGMA foreign_key_list("{table}")'):
                pairs.append((table, str(r[2])))
        return pairs
    rows = await fetch_all(
        conn,
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c"
        " JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = current_schema()",
    )
    return [(str(a), str(b)) for a, b in rows]


def in_dependency_order(tables: Iterable[str], pairs: list[tuple[str, str]]) -> list[str]:
    """Tables ordered so that each comes after the tables its foreign keys point at."""
    remaining = sorted(tables)
    needs = {t: {b for a, b in pairs if a == t and b != t and b in remaining} for t in remaining}
    ordered: list[str] = []
    while remaining:
        ready = [t for t in remaining if needs[t] <= set(ordered)]
        if not ready:
            raise CopyRefused(f"foreign keys go round in a circle among: {', '.join(remaining)}")
        ordered.extend(ready)
        remaining = [t for t in remaining if t not in ready]
    return ordered


async def _count_on_from_copied_ids(conn: Connection, table: str) -> None:
    """An identity column counts on from the highest id copied, not from 1 (PostgreSQL only)."""
    sequence = await fetch_all(conn, "SELECT pg_get_serial_sequence(?, 'id')", (f'"{table}"',))
    if sequence and sequence[0][0]:
        await conn.execute(
            f'SELECT setval(?, COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)', (sequence[0][0],)
        )


def _canonical(value: Any) -> str:
    if value is None:
        return "∅"
    if isinstance(value, bool):
        return f"i{int(value)}"
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, float):
        return f"i{int(value)}" if value.is_integer() else f"f{value!r}"
    if isinstance(value, bytes | memoryview):
        return "b" + bytes(value).hex()
    return "s" + str(value)


async def table_check(conn: Connection, table: str, columns: list[str]) -> tuple[int, str]:
    """(rows, digest) of a table over the given columns, independent of row order and of the engine."""
    names = ", ".join(f'"{c}"' for c in columns)
    rows = await fetch_all(conn, f'SELECT {names} FROM "{table}"')
    hashes = sorted(hashlib.sha256("\x1f".join(_canonical(v) for v in row).encode()).digest() for row in rows)
    digest = hashlib.sha256(b"".join(hashes)).hexdigest()
    return len(rows), digest


async def copy_database(source: Database, target: Database) -> list[TableCheck]:
    """Copy every table of `source` into the empty `target`; return each table's check. Raises CopyRefused."""
    async with source.reading() as src:
        source_tables = await tables_of(src)
        source_migrations = await migrations_of(src)
        source_columns = {t: await columns_of(src, t) for t in source_tables}
    async with target.transaction() as dst:
        target_tables = await tables_of(dst)
        if await migrations_of(dst) != source_migrations:
            raise CopyRefused("the two databases are not at the same migrations; start the bot on each first")
        missing = sorted(set(source_tables) - set(target_tables))
        if missing:
            raise CopyRefused(f"the target has no table for: {', '.join(missing)}")
        for table in target_tables:
            if await fetch_all(dst, f'SELECT 1 FROM "{table}" LIMIT 1'):
                raise CopyRefused(f"the target is not empty (table {table} has rows); copy only into a new database")
        for table in source_tables:
            absent = sorted(set(source_columns[table]) - set(await columns_of(dst, table)))
            if absent:
                raise CopyRefused(f"the target's {table} has no column {', '.join(absent)}")
        order = in_dependency_order(source_tables, await _dependencies(dst))

        for table in order:
            columns = source_columns[table]
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            insert = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
            async with source.reading() as src:
                rows = await fetch_all(src, f'SELECT {names} FROM "{table}"')
            for start in range(0, len(rows), BATCH):
                await dst.executemany(insert, [tuple(r) for r in rows[start : start + BATCH]])
            if "id" in columns and not is_sqlite(dst):
                await _count_on_from_copied_ids(dst, table)

    checks: list[TableCheck] = []
    async with source.reading() as src, target.reading() as dst:
        for table in source_tables:
            columns = source_columns[table]
            count, digest = await table_check(src, table, columns)
            copied_count, copied_digest = await table_check(dst, table, columns)
            checks.append(TableCheck(table, count, digest, (count, digest) == (copied_count, copied_digest)))
    return checks
