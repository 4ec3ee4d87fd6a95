"""Real concurrency: many members press "sign up" at the same moment, each on her own connection.

The same race run with the event-row lock switched off must oversell, which proves that the
test would catch a missing lock.
"""

from collections import Counter

import pytest

from events import booking
from events.models import Registration, RegistrationStatus
from tests.concurrency import pool_for_threads, race
from tests.factories import MemberProfileFactory

from .factories import EventFactory, RegistrationFactory
from .helpers import event_notices

S = RegistrationStatus
THREADS = 20
SEATS_LEFT = 3
CAPACITY = 5
UNLOCKED_ROUNDS = 10

pytestmark = pytest.mark.django_db(transaction=True)
_pool_for_every_thread = pool_for_threads(THREADS)


def event_with_three_seats_left():
    event = EventFactory(capacity=CAPACITY)
    for _ in range(CAPACITY - SEATS_LEFT):
        RegistrationFactory(event=event, status=S.CONFIRMED)
    return event


def rush(event, users) -> tuple[Counter, list]:
    results, errors = race(lambda user: booking.sign_up(event=event, user=user).status, [(u,) for u in users])
    return Counter(results), errors


def test_concurrent_sign_ups_fill_exactly_the_seats_left_and_waitlist_the_rest(outbox):
    event = event_with_three_seats_left()
    users = [MemberProfileFactory().user for _ in range(THREADS)]

    statuses, errors = rush(event, users)

    assert errors == []
    assert statuses == Counter({S.CONFIRMED: SEATS_LEFT, S.WAITLISTED: THREADS - SEATS_LEFT})
    assert Registration.objects.filter(event=event, status=S.CONFIRMED).count() == CAPACITY
    assert Registration.objects.filter(event=event, user__in=users).count() == THREADS
    waitlisted = Registration.objects.filter(event=event, status=S.WAITLISTED)
    assert sorted(booking.waitlist_position(r) for r in waitlisted) == list(range(1, THREADS - SEATS_LEFT + 1))
    # Each of them was told her outcome once.
    assert sorted(m.to[0] for m in outbox) == sorted(u.email for u in users)


def test_without_the_lock_the_same_rush_oversells(monkeypatch):
    """Proves the test above detects the race: without the row lock, capacity is exceeded."""
    monkeypatch.setattr(booking, "LOCK_EVENT_ROW", False)
    oversold_rounds = []
    for _ in range(UNLOCKED_ROUNDS):
        event = event_with_three_seats_left()
        users = [MemberProfileFactory().user for _ in range(THREADS)]
        statuses, errors = rush(event, users)
        assert errors == []
        assert sum(statuses.values()) == THREADS
        confirmed = Registration.objects.filter(event=event, status=S.CONFIRMED).count()
        if confirmed > CAPACITY:
            oversold_rounds.append(confirmed)
            break
    assert len(oversold_rounds) == 1
    assert oversold_rounds[0] > CAPACITY


@pytest.mark.parametrize("locked", [True, False], ids=["locked", "unlocked"])
def test_one_member_signing_up_ten_times_at_once_gets_one_registration(monkeypatch, locked):
    """With the lock the second sign-up finds the first; without it the partial unique
    constraint refuses the duplicate and sign_up returns the registration that won."""
    monkeypatch.setattr(booking, "LOCK_EVENT_ROW", locked)
    event = EventFactory(capacity=CAPACITY)
    user = MemberProfileFactory().user

    results, errors = race(lambda: booking.sign_up(event=event, user=user).pk, [()] * 10)

    assert errors == []
    registration = Registration.objects.get(event=event, user=user)
    assert results == [registration.pk] * 10
    assert registration.status == S.CONFIRMED
    assert list(event_notices(registration=registration).values_list("kind", flat=True)) == ["events.confirmed"]
