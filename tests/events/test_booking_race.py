"""Real concurrency: many members press "sign up" at the same moment, each on her own connection.

Each race run with the locks switched off (``booking.LOCK_SEATS``) must go wrong — oversell, or
let a sign-up slip past a cancellation — which proves that the test would catch a missing lock.
"""

from collections import Counter

import pytest

from events import booking, changes
from events.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from tests.concurrency import pool_for_threads, race
from tests.factories import MemberProfileFactory

from .factories import EventFactory, RegistrationFactory
from .helpers import event_notices, seat_counts

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
    results, errors = race(lambda user: booking.sign_up(event_id=event.pk, user=user).status, [(u,) for u in users])
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
    monkeypatch.setattr(booking, "LOCK_SEATS", False)
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
    monkeypatch.setattr(booking, "LOCK_SEATS", locked)
    event = EventFactory(capacity=CAPACITY)
    user = MemberProfileFactory().user

    results, errors = race(lambda: booking.sign_up(event_id=event.pk, user=user).pk, [()] * 10)

    assert errors == []
    registration = Registration.objects.get(event=event, user=user)
    assert results == [registration.pk] * 10
    assert registration.status == S.CONFIRMED
    assert list(event_notices(registration=registration).values_list("kind", flat=True)) == ["events.confirmed"]


# Staff cancel the event while members sign up --------------------------------------------------

def _sign_up_or_refused(event, user) -> str:
    try:
        return booking.sign_up(event_id=event.pk, user=user).status
    except booking.BookingError:
        return "refused"


def untold_after_cancelling_during_a_rush(users) -> tuple[list, Counter]:
    """Active registrations of the cancelled event that were not told it is cancelled."""
    event = EventFactory(capacity=CAPACITY)
    results, errors = race(lambda user: _sign_up_or_refused(event, user), [(u,) for u in users],
                           alongside=lambda: changes.event_cancel(event=event))
    assert errors == []
    told = set(event_notices(kind="cancelled", event=event).values_list("target_id", flat=True))
    active = Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES)
    return [r.pk for r in active if r.pk not in told], Counter(results)


def test_a_sign_up_racing_the_cancellation_is_refused_or_told():
    users = [MemberProfileFactory().user for _ in range(THREADS)]

    untold, outcomes = untold_after_cancelling_during_a_rush(users)

    assert untold == []
    assert sum(outcomes.values()) == THREADS
    assert set(outcomes) <= {S.CONFIRMED, S.WAITLISTED, "refused"}


def test_without_the_locks_a_sign_up_slips_past_the_cancellation(monkeypatch):
    """Proves the test above detects it: without holding the event, a sign-up that read it as
    published lands after the cancellation listed whom to tell."""
    monkeypatch.setattr(booking, "LOCK_SEATS", False)
    missed = []
    for _ in range(UNLOCKED_ROUNDS * 2):
        untold, _outcomes = untold_after_cancelling_during_a_rush(
            [MemberProfileFactory().user for _ in range(THREADS)])
        if untold:
            missed = untold
            break
    assert missed != []


# Cancellations, promotions and new sign-ups at once --------------------------------------------

def test_cancellations_and_sign_ups_at_once_keep_every_seat_filled_and_counted():
    """Members cancelling (which promotes the waitlist, event and counter locked) and new
    sign-ups (event held, counter claimed) take the locks in one order: no deadlock, no
    oversold or idle seat, and the database's counts agree with the rows."""
    event = EventFactory(capacity=CAPACITY)
    seated = [RegistrationFactory(event=event, status=S.CONFIRMED) for _ in range(CAPACITY)]
    waiting = [RegistrationFactory(event=event, status=S.WAITLISTED) for _ in range(3)]
    newcomers = [MemberProfileFactory().user for _ in range(THREADS - CAPACITY)]

    def act(kind, who):
        if kind == "cancel":
            return booking.cancel(registration=who, user=who.user).status
        return booking.sign_up(event_id=event.pk, user=who).status

    results, errors = race(act, [("cancel", r) for r in seated] + [("sign up", u) for u in newcomers])

    assert errors == []
    assert Counter(results)[S.CANCELLED] == CAPACITY
    assert seat_counts(event) == (CAPACITY, 0)
    # Every seat freed went to the first in line: the three who were waiting, then newcomers.
    assert Registration.objects.filter(event=event, status=S.CONFIRMED).count() == CAPACITY
    assert set(Registration.objects.filter(pk__in=[r.pk for r in waiting]).values_list("status", flat=True)) \
        == {S.CONFIRMED}
    assert Registration.objects.filter(event=event, user__in=newcomers).count() == len(newcomers)
