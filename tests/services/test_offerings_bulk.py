"""Bulk offerings for `make bench`: the scaled volumes, every slot within its capacity, the audit
trail written as the triggers would have."""

import pytest
from django.db.models import Count, F, Q

from services.models import Offering, OfferingMode, OfferingSlot, SlotBooking, SlotBookingStatus
from tests.core.test_bulk import seed
from xiangcheng.core import audit

pytestmark = pytest.mark.django_db


def test_bulk_offerings_keep_every_slot_within_its_capacity():
    seed()  # scale 0.005: the six kinds of offering, 25 slots, 250 bookings

    assert Offering.objects.count() == 6
    assert OfferingSlot.objects.count() == 25
    assert SlotBooking.objects.count() == 250
    assert set(OfferingSlot.objects.values_list("offering__mode", flat=True)) == {OfferingMode.SLOTS}
    over = (OfferingSlot.objects.annotate(n=Count("bookings", filter=Q(bookings__status=SlotBookingStatus.BOOKED)))
            .filter(n__gt=F("capacity")))
    assert list(over) == []
    assert not SlotBooking.objects.filter(member__profile__status__in=["pending", "rejected"]).exists()
    cancelled = SlotBooking.objects.filter(status=SlotBookingStatus.CANCELLED)
    assert cancelled.filter(cancelled_at__isnull=True).count() == 0
    assert SlotBooking.pgh_event_model.objects.filter(pgh_label=SlotBookingStatus.CANCELLED).count() == cancelled.count()
    for model in (Offering, OfferingSlot, SlotBooking):
        assert model.pgh_event_model.objects.filter(pgh_label=audit.CREATED).count() == model.objects.count()
