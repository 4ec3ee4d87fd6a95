"""Booking a federation offering's time slot, and cancelling it.

A slot's places are kept by one lock: booking and cancelling lock the slot row
(``SELECT … FOR UPDATE``) in the transaction that writes the booking, so the members booking the
last places of a slot take turns and each counts the bookings the one before her committed.
``places_left`` is the one definition of "full" (pages and booking both call it), ``slot_open``
(``slot_open_q`` as a filter, for the lists) the one rule that a slot which has begun can be
neither booked nor cancelled. She is told the outcome through the kernel's outbox, written in the
same transaction.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User
from members.profiles import is_approved_member
from xiangcheng.core.audit import audit_context

from .models import OfferingMode, OfferingSlot, SlotBooking, SlotBookingStatus
from .offering_notices import BOOKED, CANCELLED, notify_booking

# The slot lock is what keeps capacity; tests switch it off once to prove the race test catches it.
LOCK_SLOTS = True


class SlotBookingError(Exception):
    """A booking rule was broken; the message is shown to the member."""


def places_left(*, capacity: int, booked: int) -> int:
    """Places not yet booked: the one definition of "full" (none left), for pages and booking."""
    return max(capacity - booked, 0)


def slot_open(slot: OfferingSlot, *, now: datetime | None = None) -> bool:
    """Whether the slot may still be booked or cancelled: only until it begins."""
    return (now or timezone.now()) < slot.starts_at


def slot_open_q(*, now: datetime | None = None) -> Q:
    """``slot_open`` as a filter: the slots that have not begun."""
    return Q(starts_at__gt=now or timezone.now())


def member_may_book(user: User) -> None:
    """Raise SlotBookingError unless she is an approved member of the alliance."""
    if not is_approved_member(user):
        raise SlotBookingError(_("Offerings are for approved members of the alliance."))


def booked_count(slot: OfferingSlot) -> int:
    return SlotBooking.objects.filter(slot=slot, status=SlotBookingStatus.BOOKED).count()


def _slot_for_update(pk: int) -> OfferingSlot:
    slots = OfferingSlot.objects.select_related("offering")
    if LOCK_SLOTS:
        slots = slots.select_for_update(of=("self",))
    return slots.get(pk=pk)


def _active_booking(*, slot_id: int, member: User) -> SlotBooking | None:
    return SlotBooking.objects.filter(slot_id=slot_id, member=member, status=SlotBookingStatus.BOOKED).first()


def book(*, slot: OfferingSlot, member: User) -> SlotBooking:
    """Book her a place in the slot; booking a slot she already holds returns that booking."""
    member_may_book(member)
    existing = _active_booking(slot_id=slot.pk, member=member)
    if existing is not None:
        return existing
    try:
        with transaction.atomic(), audit_context(actor=member):
            slot = _slot_for_update(slot.pk)
            offering = slot.offering
            if not offering.published or offering.mode != OfferingMode.SLOTS:
                raise SlotBookingError(_("This offering does not take bookings."))
            if not slot_open(slot):
                raise SlotBookingError(_("This time slot has already begun and can no longer be booked."))
            if places_left(capacity=slot.capacity, booked=booked_count(slot)) == 0:
                raise SlotBookingError(_("This time slot is full. Please choose another time."))
            booking = SlotBooking.objects.create(slot=slot, member=member)
            notify_booking(booking=booking, kind=BOOKED)
            return booking
    except IntegrityError:
        # She pressed twice at once: the partial unique constraint let one of the two in.
        existing = _active_booking(slot_id=slot.pk, member=member)
        if existing is None:
            raise
        return existing


def cancel(*, booking: SlotBooking, member: User) -> SlotBooking:
    """She cancels her own booking before the slot begins; the place is free again."""
    if booking.member_id != member.pk:
        raise SlotBookingError(_("This is not your booking."))
    with transaction.atomic(), audit_context(actor=member):
        # The slot first, then the booking: the order booking takes them in.
        slot = _slot_for_update(booking.slot_id)
        booking = SlotBooking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != SlotBookingStatus.BOOKED:
            raise SlotBookingError(_("This booking is already cancelled."))
        if not slot_open(slot):
            raise SlotBookingError(_("This time slot has already begun and can no longer be cancelled."))
        booking.status = SlotBookingStatus.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["status", "cancelled_at"])
        notify_booking(booking=booking, kind=CANCELLED)
    booking.slot = slot
    return booking
