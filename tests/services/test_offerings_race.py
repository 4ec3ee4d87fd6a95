"""Real concurrency: many members book the last places of a slot at the same moment, each on her
own connection. Run with the slot lock switched off (``slot_booking.LOCK_SLOTS``) the same rush
must oversell, which proves that the test would catch a missing lock.
"""

from collections import Counter

import pytest

from services import slot_booking
from services.models import SlotBooking, SlotBookingStatus
from tests.concurrency import pool_for_threads, race
from tests.factories import MemberProfileFactory
from tests.helpers import zh

from .offering_factories import OfferingSlotFactory, SlotBookingFactory

B = SlotBookingStatus
THREADS = 20
CAPACITY = 5
PLACES_LEFT = 3
UNLOCKED_ROUNDS = 10
FULL = zh("This time slot is full. Please choose another time.")

pytestmark = pytest.mark.django_db(transaction=True)
_pool_for_every_thread = pool_for_threads(THREADS)


def slot_with_three_places_left():
    slot = OfferingSlotFactory(capacity=CAPACITY)
    for _ in range(CAPACITY - PLACES_LEFT):
        SlotBookingFactory(slot=slot)
    return slot


def _book_or_full(slot, member) -> str:
    try:
        return slot_booking.book(slot=slot, member=member).status
    except slot_booking.SlotBookingError as exc:
        return str(exc)


def rush(slot, members) -> tuple[Counter, list]:
    results, errors = race(lambda member: _book_or_full(slot, member), [(m,) for m in members])
    return Counter(results), errors


def booked(slot) -> int:
    return SlotBooking.objects.filter(slot=slot, status=B.BOOKED).count()


def test_concurrent_bookings_take_exactly_the_places_left(outbox):
    slot = slot_with_three_places_left()
    members = [MemberProfileFactory().user for _ in range(THREADS)]

    outcomes, errors = rush(slot, members)

    assert errors == []
    assert outcomes == Counter({B.BOOKED: PLACES_LEFT, FULL: THREADS - PLACES_LEFT})
    assert booked(slot) == CAPACITY
    winners = set(SlotBooking.objects.filter(slot=slot, member__in=members).values_list("member__email", flat=True))
    assert len(winners) == PLACES_LEFT
    # Each winner was told once; nobody who was refused was told anything.
    assert sorted(m.to[0] for m in outbox) == sorted(winners)


def test_without_the_lock_the_same_rush_oversells(monkeypatch):
    """Proves the test above detects the race: without the slot lock, capacity is exceeded."""
    monkeypatch.setattr(slot_booking, "LOCK_SLOTS", False)
    oversold = []
    for _ in range(UNLOCKED_ROUNDS):
        slot = slot_with_three_places_left()
        outcomes, errors = rush(slot, [MemberProfileFactory().user for _ in range(THREADS)])
        assert errors == []
        assert sum(outcomes.values()) == THREADS
        if booked(slot) > CAPACITY:
            oversold.append(booked(slot))
            break
    assert len(oversold) == 1
    assert oversold[0] > CAPACITY


def test_cancellations_and_bookings_at_once_free_exactly_one_place_each():
    """Members cancelling and others booking the full slot at the same moment: every place a
    cancellation freed is taken exactly once (during the rush or after it), and the slot never
    holds more than its capacity."""
    slot = OfferingSlotFactory(capacity=CAPACITY)
    seated = [SlotBookingFactory(slot=slot) for _ in range(CAPACITY)]
    cancelling = seated[:2]
    newcomers = [MemberProfileFactory().user for _ in range(THREADS - len(cancelling))]

    def act(kind, who):
        if kind == "cancel":
            return slot_booking.cancel(booking=who, member=who.member).status
        return _book_or_full(slot, who)

    results, errors = race(act, [("cancel", b) for b in cancelling] + [("book", m) for m in newcomers])

    assert errors == []
    outcomes = Counter(results)
    assert outcomes[B.CANCELLED] == len(cancelling)
    newly_booked = SlotBooking.objects.filter(slot=slot, member__in=newcomers, status=B.BOOKED).count()
    assert outcomes[B.BOOKED] == newly_booked
    assert outcomes[FULL] == len(newcomers) - newly_booked
    assert newly_booked <= len(cancelling)
    assert booked(slot) == CAPACITY - len(cancelling) + newly_booked
    # Every place a cancellation freed is bookable: the newcomers who came before it found the slot
    # full, and members booking afterwards fill it to exactly its capacity, no more.
    freed_left = len(cancelling) - newly_booked
    afterwards = [_book_or_full(slot, MemberProfileFactory().user) for _ in range(freed_left + 1)]
    assert afterwards == [B.BOOKED] * freed_left + [FULL]
    assert booked(slot) == CAPACITY


def test_a_cancellation_frees_exactly_one_place():
    slot = OfferingSlotFactory(capacity=2)
    first, _second = SlotBookingFactory(slot=slot), SlotBookingFactory(slot=slot)
    late = [MemberProfileFactory().user for _ in range(THREADS)]

    slot_booking.cancel(booking=first, member=first.member)
    outcomes, errors = rush(slot, late)

    assert errors == []
    assert outcomes[B.BOOKED] == 1
    assert booked(slot) == 2
