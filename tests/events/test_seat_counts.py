"""The database keeps each event's seat and childcare counts, whatever writes the registrations."""

from datetime import timedelta

import pytest
from django.db import connection

from events.models import Event, EventSeats, Registration, RegistrationStatus

from .factories import EventFactory, RegistrationFactory
from .helpers import seat_counts

S = RegistrationStatus
pytestmark = pytest.mark.django_db


def row_version(event) -> int:
    """The counter row's transaction id: it changes only when the row is written (and locked)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text::bigint FROM events_eventseats WHERE event_id = %s", [event.pk])
        return cursor.fetchone()[0]


def test_every_new_event_has_empty_counts_even_when_many_are_inserted_at_once():
    single = EventFactory()
    copies = Event.objects.bulk_create([
        Event(**{f.attname: getattr(single, f.attname) for f in Event._meta.concrete_fields if not f.primary_key})
        for _ in range(3)])

    assert seat_counts(single) == (0, 0)
    assert sorted(EventSeats.objects.filter(pk__in=[e.pk for e in copies]).values_list("confirmed", "children")) \
        == [(0, 0)] * 3


def test_one_statement_inserting_many_registrations_counts_only_the_confirmed():
    event = EventFactory(capacity=10, childcare_offered=True, childcare_places=6)
    users = [RegistrationFactory.build(event=event).user for _ in range(5)]
    for user in users:
        user.save()
    Registration.objects.bulk_create([
        Registration(event=event, user=users[0], status=S.CONFIRMED, children_count=2),
        Registration(event=event, user=users[1], status=S.CONFIRMED, children_count=1),
        Registration(event=event, user=users[2], status=S.CONFIRMED),
        Registration(event=event, user=users[3], status=S.WAITLISTED, children_count=3),
        Registration(event=event, user=users[4], status=S.PENDING),
    ])

    assert seat_counts(event) == (3, 3)


def test_updates_move_the_counts_in_both_directions_and_between_events():
    event, other = EventFactory(capacity=10), EventFactory(capacity=10)
    confirmed = [RegistrationFactory(event=event, status=S.CONFIRMED, children_count=1) for _ in range(3)]
    waiting = RegistrationFactory(event=event, status=S.WAITLISTED, children_count=2)
    assert seat_counts(event) == (3, 3)

    Registration.objects.filter(pk__in=[confirmed[0].pk, confirmed[1].pk]).update(status=S.CANCELLED)
    assert seat_counts(event) == (1, 1)

    Registration.objects.filter(pk=waiting.pk).update(status=S.CONFIRMED)
    assert seat_counts(event) == (2, 3)

    Registration.objects.filter(pk=waiting.pk).update(children_count=0)
    assert seat_counts(event) == (2, 1)

    Registration.objects.filter(pk=confirmed[2].pk).update(event=other)
    assert (seat_counts(event), seat_counts(other)) == ((1, 0), (1, 1))


def test_deleting_registrations_gives_their_seats_back():
    event = EventFactory(capacity=10)
    registrations = [RegistrationFactory(event=event, status=S.CONFIRMED, children_count=1) for _ in range(2)]
    RegistrationFactory(event=event, status=S.WAITLISTED)

    registrations[0].delete()
    assert seat_counts(event) == (1, 1)

    event.delete()
    assert not EventSeats.objects.filter(pk=event.pk).exists()


def test_a_change_that_moves_no_seat_leaves_the_counter_row_alone():
    """A check-in or a waitlisted sign-up writes (and so locks) nothing in the counter row."""
    event = EventFactory(capacity=10, starts_at=EventFactory.build().starts_at + timedelta(days=1))
    registration = RegistrationFactory(event=event, status=S.CONFIRMED)
    before = row_version(event)

    Registration.objects.filter(pk=registration.pk).update(checked_in_at=event.starts_at)
    RegistrationFactory(event=event, status=S.WAITLISTED)
    Registration.objects.filter(event=event, status=S.WAITLISTED).update(status=S.CANCELLED)

    assert row_version(event) == before
    assert seat_counts(event) == (1, 0)
