"""Querysets whose SQL is built once per process, for the queries every request of a page runs.

The ORM builds a query's SQL again on every request, and for a page's read of one row with its
related rows and a count (an event page, a request page) that building costs more than
PostgreSQL's running it. ``CompiledQuery`` builds the queryset once per process and database
with a marker in place of each value that changes between requests, keeps its SQL, and runs
that SQL with each request's values. The rows are made into objects by the ORM's own iterable
(related objects, annotations, prefetching), as for the queryset itself.

Only for querysets whose SQL depends on nothing but the named values: a value read while the
queryset is built (the time now, a setting, her circles) would be kept in the SQL for good.
"""

import copy
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet

# Values no request asks for, so that each can be found among the parameters of the built SQL.
_MARKERS = itertools.count(-7_301_000_000_001, -1)


def _marker(kind: type):
    number = next(_MARKERS)
    if kind is int:
        return number
    if kind is str:
        return f"compiled-query-marker{number}"
    raise ImproperlyConfigured(f"a compiled query's value must be an int or a str, not {kind.__name__}")


@dataclass(frozen=True)
class _Built:
    queryset: QuerySet
    compiler: object  # the SQLCompiler that built the SQL, with the columns it selects
    sql: str
    params: tuple
    slots: dict[int, str]  # the position of each marker among the parameters: its value's name


class CompiledQuery:
    """``build(**values)`` returns a queryset; ``rows(**values)`` runs its SQL, built once.

    ``kinds`` names each value and its type (int or str): ``CompiledQuery(build, pk=int)``."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: type):
        self._build, self._kinds = build, kinds
        self._built: _Built | None = None
        self._lock = threading.Lock()

    def _compiled(self) -> _Built:
        markers = {name: _marker(kind) for name, kind in self._kinds.items()}
        queryset = self._build(**markers)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        names = {value: name for name, value in markers.items()}
        slots = {i: names[value] for i, value in enumerate(params) if isinstance(value, int | str) and value in names}
        if set(slots.values()) != set(markers) or any(str(value) in sql for value in markers.values()):
            raise ImproperlyConfigured(f"a compiled query must pass {sorted(markers)} as parameters of its SQL")
        return _Built(queryset=queryset, compiler=compiler, sql=sql, params=tuple(params), slots=slots)

    def rows(self, **values) -> list:
        if set(values) != set(self._kinds):
            raise TypeError(f"this compiled query takes {sorted(self._kinds)}, not {sorted(values)}")
        if self._built is None:
            with self._lock:
                if self._built is None:
                    self._built = self._compiled()
        built = self._built
        params = tuple(values[built.slots[i]] if i in built.slots else value for i, value in enumerate(built.params))
        # A compiler of this call's own: this thread's connection, the SQL built once.
        compiler = copy.copy(built.compiler)
        compiler.connection = connections[built.queryset.db]
        compiler.as_sql = lambda *args, **kwargs: (built.sql, params)
        queryset = built.queryset._chain()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)

    def first(self, **values):
        found = self.rows(**values)
        return found[0] if found else None
