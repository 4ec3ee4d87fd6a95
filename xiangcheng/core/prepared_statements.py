"""Statements PostgreSQL plans once per connection: the SQL the project writes once per process.

Django's cursors bind each value into the SQL on our side, so PostgreSQL parses and plans every
statement afresh: for the query that loads the signed-in account with her profile and unread
count, planning took 0.19 ms of PostgreSQL's time and running it 0.05 ms. The statements written
once per process (``compiled_queries.CompiledQuery``, the signed-in account, a member of staff's
permissions, her circles) have the same text on every request, so a cursor that sends the values apart
lets psycopg prepare each on its connection (the pool keeps connections). PostgreSQL parses it
once, plans its first five runs for their values, then plans it once for every value (a generic
plan) if that plan is estimated to cost no more: so a compiled query's SQL carries as
parameters only the values that change between requests (``compiled_queries``).

Only these statements go through ``prepared_cursor``: the ORM's other SQL keeps Django's cursor,
and with it the audit trail's tagging of writes (one string of two statements, which a
prepared statement cannot be). The connection's ``prepare_threshold`` (settings) says after how
many runs psycopg prepares a statement; Django's own cursors never prepare.
"""

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
from django.db.backends.utils import CursorWrapper


class _Logged(CursorDebugWrapper):
    """Logs a statement with its values, as Django logs its own (``connection.queries``, tests'
    query captures): Django reads the text it sent from its cursor, which this cursor never made."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)


def prepared_cursor(connection: BaseDatabaseWrapper):
    """A cursor of this connection that sends values apart from the SQL, wrapped as Django wraps
    its own (query logging, execute wrappers, database errors)."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = ServerBindingCursor(connection.connection)
    connection.validate_thread_sharing()
    return _Logged(cursor, connection) if connection.queries_logged else connection.make_cursor(cursor)


class Preparing:
    """A connection as an ORM compiler uses it, whose cursors are ``prepared_cursor``s: a
    compiler given it runs its SQL built once as a prepared statement."""

    def __init__(self, connection: BaseDatabaseWrapper):
        self._connection = connection

    def cursor(self):
        return prepared_cursor(self._connection)

    def __getattr__(self, name):
        return getattr(self._connection, name)
