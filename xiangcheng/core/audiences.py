"""Closed audiences: circles of accounts that an event can be kept to.

An app that owns a circle of people registers it once (in its AppConfig's ``ready``): a key, the
label staff pick in the event form, and ``members()`` — the accounts in the circle as a queryset
of the user model, the app's one rule of who belongs. The events engine asks this registry and
knows no app:

    restricted_audience(key="meet", label=_("遇见 participants"), members=participants)

An event kept to such an audience is listed, shown and booked only by the circle's members.
``members()`` is read as a subquery inside the query that lists the events (``includes``), so a
page costs the same number of queries whether it shows 5 events or 50, and membership is never
cached: leaving the circle hides its events at the next request.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Exists, QuerySet

from xiangcheng.core.prepared_statements import prepared_cursor


@dataclass(frozen=True)
class RestrictedAudience:
    key: str  # stored on the event (at most 10 characters)
    label: object  # lazily translated
    members: Callable[[], QuerySet]  # the accounts in the circle (a queryset of the user model)
    order: int = 100


KEY_MAX = 10

_audiences: dict[str, RestrictedAudience] = {}


def restricted_audience(*, key: str, label, members: Callable[[], QuerySet], order: int = 100) -> None:
    """Register a circle events can be kept to (once, at start-up)."""
    if len(key) > KEY_MAX:
        raise ValueError(f"audience key {key!r} is longer than {KEY_MAX} characters")
    _audiences[key] = RestrictedAudience(key=key, label=label, members=members, order=order)


def restricted_audiences() -> list[RestrictedAudience]:
    return sorted(_audiences.values(), key=lambda a: (a.order, a.key))


def restricted_keys() -> list[str]:
    return [a.key for a in restricted_audiences()]


def restricted(key: str) -> RestrictedAudience | None:
    """The circle registered under ``key``; ``None`` for an open audience."""
    return _audiences.get(key)


def includes(*, key: str, user) -> Exists:
    """A condition, true when ``user`` is in the circle ``key``, to put into another query (it
    does not depend on that query's rows, so the database evaluates it once)."""
    return Exists(_audiences[key].members().filter(pk=user.pk))


def is_member(*, key: str, user) -> bool:
    """Whether ``user`` is in the circle ``key`` now (one query; visitors never are)."""
    if not user.is_authenticated:
        return False
    return _audiences[key].members().filter(pk=user.pk).exists()


# The query that asks which circles an account is in, per database and registry: each circle's
# members() is compiled once per process (the ORM's compiling of the circles' subqueries cost more
# than the shared page it decides). Circles never change after start-up; tests that register one
# get a query of their own.
_circles_sql: dict[tuple, tuple[str, list]] = {}


def _circles_query(audiences: list[RestrictedAudience]) -> tuple[str, list, str]:
    model = audiences[0].members().model
    db = router.db_for_read(model)
    key = (db, tuple((audience.key, audience.members) for audience in audiences))
    kept = _circles_sql.get(key)
    if kept is None:
        asked, params = [], []
        for audience in audiences:
            sql, sub_params = audience.members().values_list("pk").query.sql_with_params()
            # PostgreSQL pulls the circle's query up into this one: her id is looked up by index.
            asked.append(f"EXISTS (SELECT 1 FROM ({sql}) AS circle (id) WHERE circle.id = %s)")  # noqa: S608 - SQL the ORM compiled
            params.append(list(sub_params))
        kept = _circles_sql[key] = ("SELECT " + ", ".join(asked), params)
    return kept[0], kept[1], db


def circles_of(user) -> tuple[str, ...]:
    """The keys of the circles ``user`` is in now, in the registry's order (one query; none for
    a visitor). Pages that differ between members only by their circles are kept once per set
    (xiangcheng.core.shared_pages)."""
    audiences = restricted_audiences()
    if not user.is_authenticated or not audiences:
        return ()
    sql, params, db = _circles_query(audiences)
    with prepared_cursor(connections[db]) as cursor:
        cursor.execute(sql, [value for sub_params in params for value in (*sub_params, user.pk)])
        row = cursor.fetchone()
    return tuple(audience.key for audience, inside in zip(audiences, row, strict=True) if inside)
