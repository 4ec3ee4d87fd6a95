"""Federation offerings: which are shown to members, their upcoming slots, publishing, and
appointment requests (which become 巾帼管家 inbox tickets through the inbox's own submit).

Staff publish offerings under a programme (女企业家专属金融服务 and 创业辅导 under 相链她科企,
儿童公益托管中心 and LADIES 聚力空间 under 相助她空间). An offering either has time slots that members
book one place at a time (services.slot_booking) or is "by appointment": her request is a ticket
in the offering's inbox category, answered by the inbox staff, and linked to the offering.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User
from xiangcheng.core.audit import audit_context
from xiangcheng.core.compiled_queries import CompiledQuery, Listing
from xiangcheng.core.related_counts import related_count

from . import inbox
from .models import (
    Offering,
    OfferingAppointment,
    OfferingMode,
    OfferingSlot,
    SlotBooking,
    SlotBookingStatus,
    Ticket,
)
from .slot_booking import SlotBookingError, member_may_book, places_left, slot_open, slot_open_q

# Offering link / support programmes (xiangcheng.core.programmes).
OFFERING_PROGRAMMES = ("link", "support")


class OfferingError(Exception):
    """An offering rule was broken; the message is shown to the member."""


def offerings_listed(*, programme: str = "") -> QuerySet[Offering]:
    """Published offerings, by programme then title; optionally of one programme (its slug)."""
    offerings = Offering.objects.filter(published=True).select_related("programme")
    if programme:
        offerings = offerings.filter(programme__slug=programme)
    return offerings.order_by("programme__order", "title", "pk")


# An offering's page: the offering, its upcoming slots and her bookings, by SQL built once per process.
_VISIBLE = CompiledQuery(lambda pk: offerings_listed().filter(pk=pk), pk=int)
# Each listed slot's bookings counted by a subquery: a join counted every upcoming slot's.
_UPCOMING = CompiledQuery(lambda offering_id, now: OfferingSlot.objects.filter(
    slot_open_q(now=now), offering_id=offering_id).annotate(
    booked=related_count(SlotBooking.objects.filter(status=SlotBookingStatus.BOOKED), to="slot"))
    .order_by("starts_at", "pk"),
    offering_id=int, now=datetime)
_HERS = CompiledQuery(lambda member_id, offering_id: SlotBooking.objects.filter(
    member_id=member_id, slot__offering_id=offering_id, status=SlotBookingStatus.BOOKED).values_list("slot_id", "pk"),
    member_id=int, offering_id=int)


def offering_visible(*, pk: int) -> Offering | None:
    """The offering if members may see it (published), else None (the page answers 404)."""
    return _VISIBLE.first(pk=pk)


def upcoming_slots(*, offering: Offering, now: datetime | None = None) -> Listing:
    """The slots that have not begun, each with ``booked`` (its active bookings), soonest first,
    for ``counted_page``."""
    return _UPCOMING.listing(offering_id=offering.pk, now=now or timezone.now())


def holds_a_place(*, offering_id: int, member: User) -> bool:
    """Whether she holds a place at one of the offering's times (its page then shows hers)."""
    return _HERS.count(member_id=member.pk, offering_id=offering_id) > 0


def slots_shown(slots: Iterable[OfferingSlot], *, offering: Offering, member: User) -> list[OfferingSlot]:
    """The offering's slots as a page shows them: places left and whether she holds one (one
    query: her bookings of the offering, a handful)."""
    slots = list(slots)
    mine = dict(_HERS.rows(member_id=member.pk, offering_id=offering.pk))
    for slot in slots:
        slot.left = places_left(capacity=slot.capacity, booked=slot.booked)
        slot.my_booking = mine.get(slot.pk)
    return slots


_BOOKINGS_OF = CompiledQuery(lambda member_id: SlotBooking.objects.filter(member_id=member_id).select_related(
    "slot__offering__programme").order_by("-created_at", "-pk"), member_id=int)


def bookings_of(*, member: User) -> Listing:
    """Her bookings (我的预约), newest first, with what a list shows of each, for ``counted_page``
    (its SQL built once per process)."""
    return _BOOKINGS_OF.listing(member_id=member.pk)


def booking_cancellable(booking: SlotBooking) -> bool:
    return booking.status == SlotBookingStatus.BOOKED and slot_open(booking.slot)


def offerings_publish(*, offering_ids: Iterable[int], published: bool, actor: User) -> int:
    """Staff publish or withdraw offerings; returns how many changed."""
    with transaction.atomic(), audit_context(actor=actor):
        return (Offering.objects.filter(pk__in=list(offering_ids)).exclude(published=published)
                .update(published=published))


def appointment_request(*, offering: Offering, member: User, message: str, preferred_contact: str) -> Ticket:
    """Her request for an appointment: an inbox ticket in the offering's category, linked to it."""
    try:
        member_may_book(member)
    except SlotBookingError as exc:
        raise OfferingError(str(exc)) from None
    if not offering.published or offering.mode != OfferingMode.APPOINTMENT:
        raise OfferingError(_("This offering does not take appointment requests."))
    subject = (_("Appointment: %(title)s") % {"title": offering.title})[:100]
    with transaction.atomic():
        try:
            ticket = inbox.ticket_submit(member=member, category=offering.category, subject=subject,
                                         description=message, preferred_contact=preferred_contact)
        except inbox.InboxError as exc:
            raise OfferingError(str(exc)) from None
        with audit_context(actor=member):
            OfferingAppointment.objects.create(offering=offering, ticket=ticket)
    return ticket


def offering_slots_counted(slots: QuerySet[OfferingSlot]) -> QuerySet[OfferingSlot]:
    """Slots with ``booked_n``, their active bookings, counted in the same query (staff lists):
    by a subquery for each slot listed, not by grouping every booking before the page is cut."""
    return slots.annotate(booked_n=related_count(SlotBooking.objects.filter(status=SlotBookingStatus.BOOKED),
                                                 to="slot"))
