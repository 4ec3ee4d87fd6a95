"""The SQL written once per process runs as statements PostgreSQL plans once per connection
(xiangcheng.core.prepared_statements); the ORM's other SQL keeps Django's cursor."""

import pytest
from django.db import ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext

from events.models import Event, EventStatus, RegistrationStatus
from events.queries import with_waitlist_count
from members.backends import signed_in_account
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import MemberProfileFactory
from xiangcheng.core.audiences import circles_of
from xiangcheng.core.compiled_queries import CompiledQuery
from xiangcheng.core.prepared_statements import prepared_cursor


def prepared() -> dict[str, int]:
    """The statements prepared on this connection: their text, and how many times each ran."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def ran_since(before: dict[str, int]) -> dict[str, int]:
    return {sql: runs - before.get(sql, 0) for sql, runs in prepared().items() if runs != before.get(sql, 0)}


@pytest.mark.django_db
def test_a_compiled_query_is_prepared_at_its_first_run_and_planned_from_it_afterwards():
    events = EventFactory.create_batch(3)
    compiled = CompiledQuery(lambda pk: Event.objects.filter(pk=pk).order_by("pk"), pk=int)
    before = prepared()

    assert [compiled.first(pk=event.pk) for event in events] == events
    assert compiled.count(pk=events[0].pk) == 1

    runs = ran_since(before)
    # One statement for the rows, run three times, and one for the count; their values are $n.
    assert sorted(runs.values()) == [1, 3]
    rows_sql = next(sql for sql, n in runs.items() if n == 3)
    assert rows_sql.startswith('SELECT "events_event"."id"') and 'WHERE "events_event"."id" = $1' in rows_sql


def plans() -> dict[str, tuple[int, int]]:
    """The statements prepared on this connection: how many runs were planned once for every
    value (a generic plan) and how many afresh for their own values (a custom plan)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return {sql: (generic, custom) for sql, generic, custom in cursor.fetchall()}


@pytest.mark.django_db
def test_a_compiled_querys_constants_are_in_its_text_so_it_is_planned_once_for_every_value():
    events = EventFactory.create_batch(2)
    RegistrationFactory(event=events[0], status=RegistrationStatus.WAITLISTED)
    compiled = CompiledQuery(lambda pk: with_waitlist_count(
        Event.objects.exclude(status=EventStatus.DRAFT).filter(pk=pk).select_related("programme", "venue")), pk=int)
    before = plans()

    counts = [compiled.first(pk=events[turn % 2].pk).waitlist_count for turn in range(12)]

    [(sql, runs)] = [(sql, runs) for sql, runs in plans().items() if sql not in before]
    assert counts == [1, 0] * 6
    # The statuses are in the text; the event's id is its only parameter.
    assert ("\"status\" = 'waitlisted'" in sql, "\"status\" = 'draft'" in sql, "$1" in sql, "$2" in sql) == (
        True, True, True, False)
    # PostgreSQL plans the first five runs for their values, then once for all the others.
    assert runs == (7, 5)


@pytest.mark.django_db
def test_a_percent_sign_in_a_constant_is_written_as_such():
    wanted, other = EventFactory(title="满减50%沙龙"), EventFactory(title="满减500沙龙")
    compiled = CompiledQuery(lambda first: Event.objects.filter(title__contains="50%", pk__gte=first).order_by("pk"),
                             first=int)

    assert compiled.rows(first=min(wanted.pk, other.pk)) == [wanted]


@pytest.mark.django_db
def test_her_account_and_her_circles_are_prepared_statements_too():
    profile = MemberProfileFactory()
    before = prepared()

    for _ in range(2):
        user = signed_in_account(profile.user_id)
        circles_of(user)

    runs = ran_since(before)
    assert len(runs) == 2 and set(runs.values()) == {2}
    assert user.profile.real_name == profile.real_name


@pytest.mark.django_db
def test_the_orms_own_queries_and_writes_are_not_prepared():
    event = EventFactory()
    before = prepared()

    assert Event.objects.filter(pk=event.pk).get() == event
    Event.objects.filter(pk=event.pk).update(title="新标题")

    assert ran_since(before) == {}


@pytest.mark.django_db
def test_a_prepared_statement_is_logged_with_its_values_as_djangos_own():
    with CaptureQueriesContext(connection) as queries, prepared_cursor(connection) as cursor:
        cursor.execute("SELECT %s::int + %s, %s::text", [40, 2, "相城"])
        assert cursor.fetchone() == (42, "相城")

    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 40::int + 2, '相城'::text"]


@pytest.mark.django_db
def test_an_error_is_djangos_and_leaves_the_transaction_as_djangos_would():
    with pytest.raises(ProgrammingError), transaction.atomic(), prepared_cursor(connection) as cursor:
        cursor.execute("SELECT no_such_column FROM events_event WHERE id = %s", [1])

    # The failed statement is not kept, and the connection goes on.
    with prepared_cursor(connection) as cursor:
        cursor.execute("SELECT %s::int", [7])
        assert cursor.fetchone() == (7,)
