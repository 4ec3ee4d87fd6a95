"""Querysets whose SQL is built once per process (xiangcheng.core.compiled_queries)."""

import threading
from datetime import UTC, date, datetime
from unittest.mock import patch

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db import DataError, OperationalError, connection, connections, transaction
from django.db.models import JSONField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from events.models import Event, EventStatus, Registration, RegistrationStatus
from events.queries import with_waitlist_count
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import MemberProfileFactory
from xiangcheng.core.compiled_queries import CompiledQuery, together
from xiangcheng.core.models import Notice


def shown(pk):
    return with_waitlist_count(Event.objects.exclude(status=EventStatus.DRAFT).filter(pk=pk)
                               .select_related("programme", "venue", "seats"))


def fields(event: Event) -> dict:
    return {name: value for name, value in vars(event).items() if not name.startswith("_")}


@pytest.mark.django_db
def test_each_call_gives_the_rows_the_queryset_gives_for_its_value_in_one_query():
    events = [EventFactory(title="沙龙一"), EventFactory(title="沙龙二", capacity=1), EventFactory(status=EventStatus.DRAFT)]
    RegistrationFactory(event=events[1], status=RegistrationStatus.CONFIRMED)
    RegistrationFactory.create_batch(2, event=events[1], status=RegistrationStatus.WAITLISTED)
    compiled = CompiledQuery(shown, pk=int)

    for event in events:
        with CaptureQueriesContext(connection) as queries:
            got = compiled.rows(pk=event.pk)
        assert len(queries.captured_queries) == 1
        assert [fields(e) for e in got] == [fields(e) for e in shown(event.pk)]

    with CaptureQueriesContext(connection) as queries:
        second = compiled.first(pk=events[1].pk)
        related = (second.programme.slug, second.venue.name, second.seats.confirmed, second.waitlist_count)
    assert len(queries.captured_queries) == 1  # the related rows came with it
    assert related == (events[1].programme.slug, events[1].venue.name, 1, 2)
    assert compiled.first(pk=events[2].pk) is None  # a draft, as the queryset says
    assert compiled.first(pk=events[2].pk + 1000) is None


@pytest.mark.django_db
def test_the_queryset_is_built_once_however_many_calls():
    built = []

    def build(title):
        built.append(title)
        return Event.objects.filter(title=title).order_by("pk")

    compiled = CompiledQuery(build, title=str)
    first, second = EventFactory(title="创业沙龙"), EventFactory(title="读书会")

    assert [[e.pk for e in compiled.rows(title=t)] for t in ("创业沙龙", "读书会", "无此活动")] == [
        [first.pk], [second.pk], []]
    assert len(built) == 1


@pytest.mark.django_db
def test_a_value_the_sql_does_not_carry_as_a_parameter_is_refused():
    pattern = CompiledQuery(lambda title: Event.objects.filter(title__icontains=title), title=str)
    with pytest.raises(ImproperlyConfigured):
        pattern.rows(title="沙龙")  # the pattern around it makes the parameter another value
    with pytest.raises(ImproperlyConfigured):
        CompiledQuery(lambda when: Event.objects.filter(starts_at__gte=when), when=float).rows(when=1.0)
    with pytest.raises(TypeError):
        CompiledQuery(shown, pk=int).rows(id=1)
    # A parameter of its own once, and once more inside a pattern that would keep it for good.
    both = CompiledQuery(lambda title: Event.objects.filter(title=title, description__icontains=title), title=str)
    with pytest.raises(ImproperlyConfigured):
        both.rows(title="沙龙")


@pytest.mark.django_db
def test_a_moment_and_a_day_are_values_like_the_others():
    soon, later = EventFactory(title="近期沙龙"), EventFactory(title="下月沙龙")
    Event.objects.filter(pk=soon.pk).update(created_at=datetime(2026, 12, 5, 2, 0, tzinfo=UTC))
    Event.objects.filter(pk=later.pk).update(created_at=datetime(2027, 1, 5, 2, 0, tzinfo=UTC))
    after = CompiledQuery(lambda now: Event.objects.filter(created_at__gt=now, pk__in=[soon.pk, later.pk])
                          .order_by("created_at"), now=datetime)
    on_day = CompiledQuery(lambda day, pk: Event.objects.filter(created_at__date__gte=day, pk=pk), day=date, pk=int)

    assert [e.pk for e in after.rows(now=datetime(2026, 12, 1, tzinfo=UTC))] == [soon.pk, later.pk]
    assert [e.pk for e in after.rows(now=datetime(2026, 12, 5, 2, 0, tzinfo=UTC))] == [later.pk]
    assert [e.pk for e in after.rows(now=datetime(2027, 2, 1, tzinfo=UTC))] == []
    # created_at__date is the day in Asia/Shanghai: 02:00 UTC is 10:00 there, the same day.
    assert [e.pk for e in on_day.rows(day=date(2026, 12, 5), pk=soon.pk)] == [soon.pk]
    assert on_day.rows(day=date(2026, 12, 6), pk=soon.pk) == []
    with pytest.raises(ImproperlyConfigured):  # a day worked out from the moment is not the value passed
        CompiledQuery(lambda now: Event.objects.filter(created_at__date__gte=now.date()), now=datetime).rows(
            now=datetime(2026, 12, 1, tzinfo=UTC))


@pytest.mark.django_db(transaction=True)
def test_another_thread_runs_it_on_its_own_connection():
    event = EventFactory()
    compiled = CompiledQuery(shown, pk=int)
    assert compiled.first(pk=event.pk).pk == event.pk  # built on this thread's connection
    found = []

    def other_thread():
        try:
            with CaptureQueriesContext(connections["default"]) as queries:
                found.append((compiled.first(pk=event.pk).pk, len(queries.captured_queries)))
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert found == [(event.pk, 1)]


def hers(user_id):
    return (Registration.objects.filter(user_id=user_id).select_related("event__venue")
            .order_by("-event__starts_at", "-pk"))


@pytest.mark.django_db
def test_a_listing_pages_as_the_queryset_does_each_page_two_queries():
    her, other = MemberProfileFactory().user, MemberProfileFactory().user
    for _ in range(5):
        RegistrationFactory(user=her)
    RegistrationFactory(user=other)
    compiled = CompiledQuery(hers, user_id=int)

    for number in (1, 2, 3, "last", "x", 99):
        expected = Paginator(hers(her.pk), 2).get_page(number)
        with CaptureQueriesContext(connection) as queries:
            page = Paginator(compiled.listing(user_id=her.pk), 2).get_page(number)
            venues = [r.event.venue.name for r in page]  # the related rows came with the page
        assert len(queries.captured_queries) == 2  # the count, the page
        assert ([r.pk for r in page], page.number, page.paginator.count) == (
            [r.pk for r in expected], expected.number, 5)
        assert venues == [r.event.venue.name for r in expected]
    assert Paginator(compiled.listing(user_id=other.pk), 2).count == 1
    assert list(Paginator(compiled.listing(user_id=10 ** 9), 2).get_page(1)) == []


@pytest.mark.django_db
def test_a_listing_is_read_a_page_at_a_time_and_a_sliced_or_distinct_queryset_is_refused():
    with pytest.raises(TypeError):
        CompiledQuery(hers, user_id=int).listing(user_id=1)[0]
    with pytest.raises(ImproperlyConfigured):
        CompiledQuery(lambda user_id: hers(user_id)[:5], user_id=int).listing(user_id=1)
    with pytest.raises(ImproperlyConfigured):
        CompiledQuery(lambda user_id: hers(user_id).distinct(), user_id=int).listing(user_id=1)


def held(pk):
    return Event.objects.filter(pk=pk).order_by()


def in_another_transaction(read) -> str:
    """Run ``read`` on another connection, waiting at most a second for a lock: what it met."""
    met = []

    def other_thread():
        try:
            with transaction.atomic():
                connections["default"].cursor().execute("SET LOCAL lock_timeout = '1s'")
                read()
            met.append("read")
        except OperationalError:
            met.append("locked out")
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    return met[0]


@pytest.mark.django_db(transaction=True)
def test_a_row_lock_is_held_until_the_transaction_ends_and_shared_with_the_same_lock():
    event = EventFactory()
    compiled = CompiledQuery(held, pk=int, row_lock="FOR KEY SHARE")
    with transaction.atomic():
        assert compiled.first(pk=event.pk).pk == event.pk
        assert in_another_transaction(lambda: Event.objects.select_for_update().get(pk=event.pk)) == "locked out"
        assert in_another_transaction(lambda: compiled.first(pk=event.pk)) == "read"
    assert in_another_transaction(lambda: Event.objects.select_for_update().get(pk=event.pk)) == "read"
    # Without the lock, nothing is held.
    with transaction.atomic():
        CompiledQuery(held, pk=int).first(pk=event.pk)
        assert in_another_transaction(lambda: Event.objects.select_for_update().get(pk=event.pk)) == "read"


@pytest.mark.django_db
def test_a_row_lock_is_one_postgresql_names_never_paged_and_never_a_second_lock():
    with pytest.raises(ImproperlyConfigured):
        CompiledQuery(held, pk=int, row_lock="FOR KEY SHARE; DROP TABLE events_event")
    with pytest.raises(ImproperlyConfigured):
        CompiledQuery(held, pk=int, row_lock="FOR SHARE").listing(pk=1)
    with pytest.raises(ImproperlyConfigured), transaction.atomic():
        CompiledQuery(lambda pk: held(pk).select_for_update(), pk=int, row_lock="FOR SHARE").rows(pk=1)


@pytest.mark.django_db(transaction=True)
def test_columns_are_converted_as_the_queryset_converts_them_with_converters_worked_out_once():
    # A JSON column (the field's own converter) and an annotation's output converter.
    first, second = MemberProfileFactory().user, MemberProfileFactory().user
    Notice.objects.create(recipient=first, kind="k", key="k-1", data={"活动": ["沙龙", 2]})
    Notice.objects.create(recipient=second, kind="k", key="k-2", data={})

    def hers(user_id):
        return Notice.objects.filter(recipient_id=user_id).annotate(shown=Coalesce("data__活动", Value([]),
                                                                                   output_field=JSONField()))

    compiled = CompiledQuery(hers, user_id=int)
    with patch.object(SQLCompiler, "get_converters", autospec=True, side_effect=SQLCompiler.get_converters) as worked:
        got = [[(n.data, n.shown) for n in compiled.rows(user_id=user.pk)] for user in (first, second, first)]
    assert got == [[(n.data, n.shown) for n in hers(user.pk)] for user in (first, second, first)]
    assert got[0] == [({"活动": ["沙龙", 2]}, ["沙龙", 2])]  # decoded, not JSON text
    assert worked.call_count == 1  # once, when the SQL was built: not for each call

    found = []

    def other_thread():
        try:
            found.extend((n.data, n.shown) for n in compiled.rows(user_id=first.pk))
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert found == [({"活动": ["沙龙", 2]}, ["沙龙", 2])]


@pytest.mark.django_db
def test_a_list_of_ids_is_one_array_parameter_whatever_its_length():
    events = EventFactory.create_batch(4)
    compiled = CompiledQuery(lambda ids: Event.objects.filter(pk__any=ids).order_by("pk"), ids=list)
    for wanted in ([events[0].pk], [events[3].pk, events[1].pk], [e.pk for e in events] + [0], [0], []):
        with CaptureQueriesContext(connection) as queries:
            got = [e.pk for e in compiled.rows(ids=wanted)]
        assert got == [e.pk for e in Event.objects.filter(pk__in=wanted).order_by("pk")]
        assert len(queries.captured_queries) == 1
        assert "= ANY(" in queries.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_reads_sent_together_give_what_each_gives_alone_each_a_statement_of_its_own():
    events = [EventFactory(title="沙龙一"), EventFactory(title="沙龙二"), EventFactory(status=EventStatus.DRAFT)]
    registration = RegistrationFactory(event=events[1], status=RegistrationStatus.CONFIRMED)
    compiled = CompiledQuery(shown, pk=int)
    hers = CompiledQuery(lambda event_id, user_id: Registration.objects.filter(event_id=event_id, user_id=user_id),
                         event_id=int, user_id=int)

    with CaptureQueriesContext(connection) as queries:
        first, draft, second, found = together(
            compiled.first_read(pk=events[0].pk), compiled.first_read(pk=events[2].pk),
            compiled.read(pk=events[1].pk).then(lambda rows: [event.title for event in rows]),
            hers.first_read(event_id=events[1].pk, user_id=registration.user_id))
    assert len(queries.captured_queries) == 4
    assert fields(first) == fields(compiled.first(pk=events[0].pk))
    assert (draft, second, found) == (None, ["沙龙二"], registration)
    assert first.programme.slug == events[0].programme.slug  # the related rows came with it
    assert together(compiled.first_read(pk=events[1].pk))[0].title == "沙龙二"  # one read runs alone


@pytest.mark.django_db
def test_reads_together_are_all_sent_before_postgresql_answers_any():
    events = EventFactory.create_batch(3)
    compiled = CompiledQuery(shown, pk=int)
    answered_when_sent = []

    def sent(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        answered_when_sent.append(context["cursor"].cursor.pgresult is not None)
        return result

    with connection.execute_wrapper(sent):
        got = together(*(compiled.first_read(pk=event.pk) for event in events))
        assert [event.pk for event in got] == [event.pk for event in events]
        assert answered_when_sent == [False, False, False]  # one round trip for the three
        compiled.first(pk=events[0].pk)
        assert answered_when_sent[-1] is True  # alone, it waits for its answer


@pytest.mark.django_db
def test_a_read_that_fails_together_raises_a_database_error_and_the_connection_goes_on():
    event = EventFactory()
    compiled = CompiledQuery(shown, pk=int)
    failing = CompiledQuery(lambda pk: Event.objects.filter(pk=pk).annotate(
        broken=RawSQL("1 / (id - id)", [])), pk=int)  # division by zero, in PostgreSQL

    with pytest.raises(DataError), transaction.atomic():
        together(compiled.first_read(pk=event.pk), failing.first_read(pk=event.pk))
    assert together(compiled.first_read(pk=event.pk), compiled.first_read(pk=event.pk))[1].pk == event.pk
