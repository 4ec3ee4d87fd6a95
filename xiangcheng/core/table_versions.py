"""Each table's version: a number PostgreSQL moves whenever a statement writes the table.

A page kept rendered until what it read changes (``kept_changelists``) names the versions of the
tables it read. Every table of the project's models carries a statement trigger
(``core_table_changed``) that, whatever wrote (the ORM, raw SQL, COPY, TRUNCATE, a trigger of
the audit trail), moves the table's own sequence (``core_tv_<oid>``): sequences are not
transactional, so writers never wait for each other there.

A version alone is not enough: a writer moves it before it commits, and a page rendered in
between would be kept under the new version with the old rows. So the trigger also takes a
shared advisory lock on the table, held until the writer's transaction ends, and ``current``
answers only when no writer of the tables is in flight, after reading their versions: every
write those versions count has then committed, and a page read afterwards sees it. While a
writer is in flight, ``current`` answers ``None`` and the page is rendered as it is, not kept.

``tables_read`` says which tables a block of code read, as PostgreSQL counted their scans in the
block's transaction: whatever read them (a prepared statement, a function, a view).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .prepared_statements import prepared_cursor

logger = logging.getLogger(__name__)

# Off only in the test that shows what the writers' locks prevent: a page kept with rows a
# writer in flight had already counted in its table's version.
WRITERS_CHECKED = True

# The first half of the advisory lock's key: the table's oid is the second.
LOCK_SPACE = 7301

_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION core_table_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sequence regclass := to_regclass('core_tv_' || TG_RELID::bigint);
BEGIN
    -- Held until this transaction ends: a reader sees that a write it counts is not committed yet.
    PERFORM pg_advisory_xact_lock_shared(({LOCK_SPACE}::bigint << 32) | TG_RELID::bigint);
    -- Without its sequence (a restored database, before its next migrate) the table has no
    -- version, and nothing read from it is kept; the write goes on.
    IF sequence IS NOT NULL THEN
        PERFORM nextval(sequence);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION core_table_versions(tables regclass[], writers_checked boolean) RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
    versions bigint[];
BEGIN
    -- Each sequence's own oid, then its value (a sequence never moved has none: 0): a sequence
    -- made again starts again from 0, and its new oid keeps its versions from meeting the old.
    SELECT array_agg(s::oid::bigint ORDER BY n) || array_agg(coalesce(pg_sequence_last_value(s), 0) ORDER BY n)
    INTO versions
    FROM unnest(tables) WITH ORDINALITY AS u (t, n), to_regclass('core_tv_' || t::oid::bigint) AS s;
    IF array_position(versions, NULL) IS NOT NULL THEN
        RETURN NULL;  -- nothing read from a table without a version can be kept
    END IF;
    -- After the versions: a writer they count still holding its lock has not committed.
    IF writers_checked AND EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND classid = {LOCK_SPACE}
               AND objsubid = 1 AND objid = ANY (tables::oid[])) THEN
        RETURN NULL;
    END IF;
    RETURN versions;
END $$;
"""  # noqa: S608 - the lock space is a constant


def _project_tables(apps) -> list[str]:
    return sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)
                   if model._meta.managed and not model._meta.proxy})


def versions_install(sender=None, apps=global_apps, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """After every migrate: every table of the project's models has its sequence and its trigger.
    A table created since the last migrate gets both; a restored database, whose tables have new
    oids, gets its sequences again; the rest is left as it is."""
    tables = _project_tables(apps)
    with connections[using].cursor() as cursor:
        cursor.execute(_FUNCTIONS)
        cursor.execute("""
            SELECT c.relname, c.oid::bigint,
                   EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'core_table_changed')
            FROM pg_class c
            WHERE c.relname = ANY (%s) AND c.relkind IN ('r', 'p') AND c.relnamespace = 'public'::regnamespace
              AND (to_regclass('core_tv_' || c.oid::bigint) IS NULL
                   OR NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid
                                  AND t.tgname = 'core_table_changed'))
        """, [tables])
        missing = cursor.fetchall()
        for name, oid, triggered in missing:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS core_tv_{oid}")
            if not triggered:
                cursor.execute(f'CREATE TRIGGER core_table_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
                               f'ON "{name}" FOR EACH STATEMENT EXECUTE FUNCTION core_table_changed()')
    if missing:
        logger.info("table versions installed on %d tables", len(missing))


def current(tables: frozenset[str], *, using: str = DEFAULT_DB_ALIAS) -> tuple[int, ...] | None:
    """The tables' versions, in name order (each sequence's oid, then each one's value), if every
    write they count has committed; ``None`` while a writer of one of them is in flight, or if
    one has no version."""
    names = sorted(tables)
    # The same text on every request: PostgreSQL plans it once per connection. The names go as
    # one string (no table name holds a comma): psycopg's list dumper cost 40 µs a page.
    with prepared_cursor(connections[using]) as cursor:
        cursor.execute("SELECT core_table_versions(string_to_array(%s, ',')::regclass[], %s)",
                       [",".join(f'"{name}"' for name in names), WRITERS_CHECKED])
        versions = cursor.fetchone()[0]
    return tuple(versions) if versions is not None else None


class Read:
    """The tables a ``tables_read`` block read; filled in when the block ends."""

    tables: frozenset[str] = frozenset()


_SCANS = "SELECT relname, seq_scan + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables"


@contextmanager
def tables_read(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[Read]:
    """Run the block in a transaction of its own and tell which tables it scanned.

    PostgreSQL counts each table's scans in the backend until it reports them, which it does
    only between transactions (``pg_stat_xact_user_tables``), so the tables whose counts grew
    inside this one are those the block read.
    """
    connection = connections[using]
    if connection.in_atomic_block:
        raise RuntimeError("tables_read needs a transaction of its own")
    read = Read()
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute(_SCANS)
            before = dict(cursor.fetchall())
        yield read
        with connection.cursor() as cursor:
            cursor.execute(_SCANS)
            read.tables = frozenset(name for name, scans in cursor.fetchall() if scans > before.get(name, 0))
