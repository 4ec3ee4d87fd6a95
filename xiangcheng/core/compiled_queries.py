"""Querysets whose SQL is built once per process, for the queries every request of a page runs.

The ORM builds a query's SQL again on every request, and for a page's read of one row with its
related rows and a count (an event page, a request page) that building costs more than
PostgreSQL's running it. ``CompiledQuery`` builds the queryset once per process and database
with a marker in place of each value that changes between requests, keeps its SQL, and runs
that SQL with each request's values. The rows are made into objects by the ORM's own iterable
(related objects, annotations, prefetching), as for the queryset itself.

Only for querysets whose SQL depends on nothing but the named values: a value read while the
queryset is built (the time now, a setting, her circles) would be kept in the SQL for good. The
time is one of the values (``now=datetime``, ``day=date``), passed as the query uses it: a
value the builder works out from another (a local day from a moment) cannot be found among the
parameters, so it is refused.

The SQL's parameters are the named values alone: what else the ORM passed as a parameter (a
status, a flag) is written into the text, so that PostgreSQL may plan the statement once for
every value (``_constants_written``).

A list page pages through ``listing(**values)`` with Django's ``Paginator``: its count and each
page's rows run SQL built once too (the page's window as ``LIMIT``/``OFFSET`` parameters), or
with ``counted_pages.counted_page``: a page's rows and the list's length in one query.

Independent reads of one page (an event and her registration) go to PostgreSQL in one round
trip with ``together(query.read(...), other.first_read(...))``: each is still a statement of its
own, its objects made as ``rows`` makes them.

``row_lock`` names a lock the ORM cannot ask for (``FOR KEY SHARE``: a sign-up keeps the event
from staff changes without queueing behind other sign-ups); the rows' SQL ends with it, so
such a query is read inside a transaction and never paged.
"""

import copy
import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Count, Field, ForeignObject, Lookup, QuerySet, Window

from xiangcheng.core.prepared_statements import Preparing, prepared_cursor

# Values no request asks for, so that each can be found among the parameters of the built SQL.
_FIRST_MARKER = -7_301_000_000_001
_MARKERS = itertools.count(_FIRST_MARKER, -1)


# Moments and days no request asks for either: a marker's number counts from these.
_MARKED_MOMENT = datetime(1901, 1, 1, tzinfo=UTC)
_MARKED_DAY = date(1901, 1, 1)
_MARKER_KINDS = (int, str, date, list)  # a datetime is a date


class AnyOf(Lookup):
    """``field__any=ids``: the column is one of ``ids``, passed as one array parameter
    (``= ANY(%s)``), so the SQL is the same however many a request asks for; ``IN`` takes one
    parameter per value. A compiled query's value of kind ``list`` (whole numbers) is used so."""

    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # a relation's lookups are its own: user_id__any= too


def _as_key(value):
    return ("list", tuple(value)) if isinstance(value, list) else value


def _marker(kind: type):
    number = next(_MARKERS)
    if kind is int:
        return number
    if kind is str:
        return f"compiled-query-marker{number}"
    if kind is datetime:
        return _MARKED_MOMENT - timedelta(microseconds=number)
    if kind is date:
        return _MARKED_DAY + timedelta(days=_FIRST_MARKER - number)
    if kind is list:
        return [number]
    raise ImproperlyConfigured(
        f"a compiled query's value must be an int, a str, a date, a datetime or a list, not {kind.__name__}")


@dataclass(frozen=True)
class _Sql:
    """SQL whose parameters are the named values alone, in ``names`` order: what the ORM passed
    as parameters besides them (a status, a flag, a kind) is written into the text."""

    text: str
    names: tuple[str, ...]

    def params_for(self, values: dict) -> tuple:
        return tuple(values[name] for name in self.names)


# A parameter in the ORM's SQL, or a percent sign it escaped (psycopg's placeholders).
_PLACEHOLDER = re.compile(r"%[%s]")


def _constants_written(connection, text: str, params: list, slots: dict[int, str]) -> _Sql:
    """The SQL with each parameter that is not a named value written as the literal Django's
    client-side binding would send (``compose_sql``). PostgreSQL plans a prepared statement once
    for all its parameters (a generic plan) only when that plan is estimated to cost no more
    than those made for each run's values; a status or a flag passed as a parameter is
    estimated blind in the generic plan, so such statements were planned afresh on every run
    (for the event page's read, planning was half of PostgreSQL's time)."""
    found = iter(range(len(params)))
    names = []

    def written(match: re.Match) -> str:
        if match.group() == "%%":
            return "%%"
        i = next(found)
        if i in slots:
            names.append(slots[i])
            return "%s"
        return connection.ops.compose_sql("%s", [params[i]]).replace("%", "%%")

    text = _PLACEHOLDER.sub(written, text)
    if next(found, None) is not None:
        raise ImproperlyConfigured("a compiled query's SQL has fewer placeholders than parameters")
    return _Sql(text=text, names=tuple(names))


def _sql(queryset: QuerySet, markers: dict, *, every_marker: bool = True) -> tuple[object, _Sql]:
    compiler = queryset.query.get_compiler(using=queryset.db)
    text, params = compiler.as_sql()
    names = {_as_key(value): name for name, value in markers.items()}
    slots = {i: names[_as_key(value)] for i, value in enumerate(params)
             if isinstance(value, _MARKER_KINDS) and _as_key(value) in names}
    missing = every_marker and set(slots.values()) != set(markers)
    # A marker inside another parameter (a pattern: '%marker%') would stay there for every request.
    hidden = any(isinstance(value, str) and value not in names and any(str(marker) in value for marker in markers.values())
                 for value in params)
    if missing or hidden or any(str(value) in text for value in markers.values()):
        raise ImproperlyConfigured(f"a compiled query must pass {sorted(markers)} as parameters of its SQL")
    return compiler, _constants_written(connections[queryset.db], text, params, slots)


@dataclass(frozen=True)
class _Reading:
    """How a row's columns become values (``SQLCompiler.results_iter``), worked out once: the
    converters of each column and whether any is composite. Django works them out again for
    every query run, a few hundred calls for a page's read of one row and its related rows.
    Only the columns' own converters: PostgreSQL's backend adds none that would hold a connection."""

    converters: dict
    composite: bool

    @classmethod
    def of(cls, compiler) -> "_Reading":
        columns = [selected[0] for selected in compiler.select[0:compiler.col_count]]
        return cls(converters=compiler.get_converters(columns), composite=compiler.has_composite_fields(columns))


@dataclass(frozen=True)
class _Built:
    queryset: QuerySet
    compiler: object  # the SQLCompiler that built the SQL, with the columns it selects
    rows: _Sql
    count: _Sql  # how many rows: the same conditions, no columns, joins or order beyond them
    reading: _Reading


@dataclass(frozen=True)
class _Counted:
    """The rows with the list's length beside each, as ``total`` (``counted_pages``)."""

    queryset: QuerySet
    compiler: object
    rows: _Sql
    total: str
    reading: _Reading


def _running(queryset: QuerySet, compiler) -> QuerySet:
    """A queryset of its own for one run of ``compiler``, with the built one's model, prefetching
    and kind of rows. Its query is copied shallowly, not cloned as a queryset's next step clones
    it (about 70 Python calls a run): the query's only use in a run is to hand over the compiler,
    and nothing of it is changed."""
    query = copy.copy(queryset.query)
    query.get_compiler = lambda *args, **kwargs: compiler
    running = queryset.__class__(model=queryset.model, query=query, using=queryset._db, hints=queryset._hints)
    running._prefetch_related_lookups = queryset._prefetch_related_lookups
    running._known_related_objects = queryset._known_related_objects
    running._iterable_class = queryset._iterable_class
    running._fields = queryset._fields
    return running


@dataclass(frozen=True)
class _Statement:
    """One run of a compiled query: its SQL built once, with this run's values."""

    built: _Built | _Counted
    sql: str
    params: tuple

    @property
    def db(self) -> str:
        return self.built.queryset.db

    def made(self, fetched: list | None = None) -> list:
        """Its rows made into objects by the ORM's own iterable; run now as a statement PostgreSQL
        plans once per connection, or made from the rows ``together`` already ``fetched``."""
        # A compiler of this run's own: this thread's connection, the SQL built once.
        built, sql, params = self.built, self.sql, self.params
        compiler = copy.copy(built.compiler)
        connection = connections[self.db]
        compiler.connection = Preparing(connection) if fetched is None else _Fetched(connection, fetched)
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        compiler.get_converters = lambda columns: built.reading.converters
        compiler.has_composite_fields = lambda columns: built.reading.composite
        return list(_running(built.queryset, compiler))


class _FetchedCursor:
    """A cursor over rows already read: the compiler's ``execute`` sends nothing."""

    def __init__(self, rows: list):
        self._rows = rows

    def execute(self, sql, params=None):
        pass

    def fetchmany(self, size: int) -> list:
        chunk, self._rows = self._rows[:size], self._rows[size:]
        return chunk

    def close(self):
        pass


class _Fetched(Preparing):
    """A connection as an ORM compiler uses it, whose one cursor gives the rows ``together``
    read: the compiler makes its objects from them as from its own query's."""

    def __init__(self, connection, rows: list):
        super().__init__(connection)
        self._cursor = _FetchedCursor(rows)

    def cursor(self):
        return self._cursor


def _first(rows: list):
    return rows[0] if rows else None


@dataclass(frozen=True)
class Read:
    """A compiled query's run waiting to be sent with others (``together``); ``result`` makes
    what the caller gets from its objects (the list, its first or None, or a caller's own step,
    ``then``)."""

    query: "CompiledQuery"
    values: dict
    result: Callable[[list], object]
    window: tuple[int, int] | None = None  # rows start:stop of a listing
    total: str = ""  # with the list's length beside each row, under this name (``Listing.counted``)

    def then(self, step: Callable[[object], object]) -> "Read":
        """The same read, its result passed through ``step`` (a check the caller makes of the row)."""
        return Read(self.query, self.values, lambda rows: step(self.result(rows)), self.window, self.total)

    def statement(self) -> "_Statement":
        return self.query._statement(self.values, window=self.window, total=self.total)


def together(*reads: Read) -> list:
    """Each read's result, in order, their SQL sent to PostgreSQL at once and answered in one
    round trip (psycopg's pipeline mode) instead of one round trip each.

    A page that reads its object and her own row of it (an event and her registration, a job and
    her application) waited for PostgreSQL once per query; the statements are independent, so
    they can travel together. Each is still a statement of its own (query counts, logging and
    the audit trail's wrappers see each), run in order on the same connection; if one fails, the
    error is raised as Django raises a database error and the rest are not run.
    """
    statements = [read.statement() for read in reads]
    if len({statement.db for statement in statements}) > 1:
        raise ImproperlyConfigured("reads sent together are read from one database")
    if len(statements) < 2:
        fetched = [statement.made() for statement in statements]
    else:
        connection = connections[statements[0].db]
        cursors = []
        with prepared_cursor(connection) as first:  # connected, in a healthy state
            with connection.wrap_database_errors, connection.connection.pipeline():
                for statement in statements:
                    cursor = first if not cursors else prepared_cursor(connection)
                    cursor.execute(statement.sql, statement.params)
                    cursors.append(cursor)
            try:
                rows = [cursor.fetchall() for cursor in cursors]
            finally:
                for cursor in cursors[1:]:
                    cursor.close()
        # No rows make no objects: the ORM's machinery is set up only for a read that found some.
        fetched = [statement.made(found) if found else [] for statement, found in zip(statements, rows, strict=True)]
    return [read.result(objects) for read, objects in zip(reads, fetched, strict=True)]


class CompiledQuery:
    """``build(**values)`` returns a queryset; ``rows(**values)`` runs its SQL, built once.

    ``kinds`` names each value and its type (int, str, date, datetime, or list: whole numbers,
    asked with ``field__any=``): ``CompiledQuery(build, pk=int, now=datetime, ids=list)``."""

    ROW_LOCKS = ("", "FOR KEY SHARE", "FOR SHARE")

    def __init__(self, build: Callable[..., QuerySet], *, row_lock: str = "", **kinds: type):
        if row_lock not in self.ROW_LOCKS:
            raise ImproperlyConfigured(f"a compiled query's row lock is one of {self.ROW_LOCKS}, not {row_lock!r}")
        self._build, self._kinds, self._row_lock = build, kinds, row_lock
        self._built: _Built | None = None
        self._counted: _Counted | None = None
        self._lock = threading.Lock()

    def _compiled(self) -> _Built:
        markers = {name: _marker(kind) for name, kind in self._kinds.items()}
        queryset = self._build(**markers)
        if queryset.query.is_sliced or queryset.query.distinct or queryset.query.combinator:
            raise ImproperlyConfigured("a compiled query is neither sliced, distinct nor combined: "
                                       "listing() pages it and counts its rows")
        compiler, rows = _sql(queryset, markers)
        if self._row_lock:
            if queryset.query.select_for_update:
                raise ImproperlyConfigured("a compiled query takes one lock: select_for_update() or row_lock")
            rows = _Sql(text=f"{rows.text} {self._row_lock}", names=rows.names)
        # values() leaves out the related rows' columns and joins; a marker only they used is not needed.
        _compiler, counted = _sql(queryset.order_by().values("pk"), markers, every_marker=False)
        count = _Sql(text=f"SELECT COUNT(*) FROM ({counted.text}) AS counted",  # noqa: S608 - the ORM's SQL, values as parameters
                     names=counted.names)
        return _Built(queryset=queryset, compiler=compiler, rows=rows, count=count, reading=_Reading.of(compiler))

    def _ready(self, values: dict) -> _Built:
        if set(values) != set(self._kinds):
            raise TypeError(f"this compiled query takes {sorted(self._kinds)}, not {sorted(values)}")
        if self._built is None:
            with self._lock:
                if self._built is None:
                    self._built = self._compiled()
        return self._built

    def _counted_ready(self, values: dict, total: str) -> _Counted:
        """The rows' SQL with the list's length beside each row as ``total``, built once."""
        self._ready(values)
        if self._counted is None:
            with self._lock:
                if self._counted is None:
                    markers = {name: _marker(kind) for name, kind in self._kinds.items()}
                    queryset = self._build(**markers).annotate(**{total: Window(Count("*"))})
                    compiler, rows = _sql(queryset, markers)
                    self._counted = _Counted(queryset=queryset, compiler=compiler, rows=rows, total=total,
                                             reading=_Reading.of(compiler))
        if self._counted.total != total:
            raise ImproperlyConfigured("a compiled query counts its rows under one name")
        return self._counted

    def rows(self, **values) -> list:
        return self._rows(values)

    def read(self, **values) -> "Read":
        """Its rows for these values, to be read with other queries' in one round trip (``together``)."""
        return Read(self, values, list)

    def first_read(self, **values) -> "Read":
        """Its first row for these values or None, to be read with others (``together``)."""
        return Read(self, values, _first)

    def _statement(self, values: dict, *, window: tuple[int, int] | None = None, total: str = "") -> "_Statement":
        built = self._counted_ready(values, total) if total else self._ready(values)
        sql, params = built.rows.text, built.rows.params_for(values)
        if window is not None:
            sql, params = f"{sql} LIMIT %s OFFSET %s", (*params, window[1] - window[0], window[0])
        return _Statement(built, sql, params)

    def _rows(self, values: dict, *, window: tuple[int, int] | None = None, total: str = "") -> list:
        return self._statement(values, window=window, total=total).made()

    def count(self, **values) -> int:
        """How many rows it finds for these values."""
        built = self._ready(values)
        with prepared_cursor(connections[built.queryset.db]) as cursor:
            cursor.execute(built.count.text, built.count.params_for(values))
            return cursor.fetchone()[0]

    def count_sql(self, **values) -> tuple[str, tuple]:
        """The SQL counting its rows and its parameters for these values, to be asked as a
        column of another query (the text is the same for every value)."""
        built = self._ready(values)
        return built.count.text, built.count.params_for(values)

    def listing(self, **values) -> "Listing":
        """Its rows for these values, for a ``Paginator`` to count and page through."""
        if self._row_lock:
            raise ImproperlyConfigured("rows read under a lock are not paged")
        self._ready(values)
        return Listing(self, values)

    def first(self, **values):
        found = self.rows(**values)
        return found[0] if found else None


class Listing:
    """What ``Paginator`` asks of a list: ``count()`` and a slice, each one query of SQL built once."""

    def __init__(self, compiled: CompiledQuery, values: dict):
        self._compiled, self._values = compiled, values

    def count(self) -> int:
        return self._compiled.count(**self._values)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list:
        if not isinstance(window, slice) or window.step is not None or window.start is None or window.stop is None:
            raise TypeError("a listing is read a page at a time: listing[start:stop]")
        return self._compiled._rows(self._values, window=(window.start, window.stop))

    def counted(self, start: int, stop: int, *, total: str) -> list:
        """Rows ``start:stop``, each with the list's length as ``total``, in one query
        (``counted_pages.counted_page``)."""
        return self.counted_read(start, stop, total=total).statement().made()

    def read(self, start: int, stop: int) -> Read:
        """Rows ``start:stop``, to be read with other queries in one round trip (``together``)."""
        return Read(self._compiled, self._values, list, window=(start, stop))

    def counted_read(self, start: int, stop: int, *, total: str) -> Read:
        """``counted``, to be read with other queries in one round trip (``together``)."""
        return Read(self._compiled, self._values, list, window=(start, stop), total=total)
