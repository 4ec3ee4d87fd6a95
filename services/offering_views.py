"""Federation offerings for approved members: the list, an offering's page, booking a slot,
cancelling it, 我的预约, and requesting an appointment. Each view calls one domain function."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.access import approved_member_required
from xiangcheng.core.counted_pages import counted_page
from xiangcheng.core.models import Programme
from xiangcheng.core.shared_pages import PERSONAL, kept_shared

from . import offerings, slot_booking
from .models import OfferingSlot, SlotBooking
from .offering_forms import AppointmentForm

OFFERINGS_PAGE_SIZE = 10
SLOTS_PAGE_SIZE = 20
BOOKINGS_PAGE_SIZE = 10


def _visible(pk: int):
    offering = offerings.offering_visible(pk=pk)
    if offering is None:
        raise Http404
    return offering


@approved_member_required
@kept_shared(members=True)
def offering_list(request):
    slug = request.GET.get("programme", "")
    programmes = list(Programme.objects.filter(slug__in=offerings.OFFERING_PROGRAMMES).order_by("order", "pk"))
    if slug not in {p.slug for p in programmes}:
        slug = ""
    page = counted_page(offerings.offerings_listed(programme=slug), OFFERINGS_PAGE_SIZE, request.GET.get("page"))
    return render(request, "services/offerings/offering_list.html", {
        "page": page, "programmes": programmes, "current": slug,
        "query": f"programme={slug}" if slug else "",
    })


def _until_she_books(request, pk: int):
    """Members share an offering's times with their "Book" buttons (kept a few seconds, like the
    list); once she holds a place, the page shows hers and is her own."""
    return PERSONAL if offerings.holds_a_place(offering_id=pk, member=request.user) else None


@approved_member_required
@kept_shared(members=_until_she_books, forms=True)
def offering_detail(request, pk: int):
    offering = _visible(pk)
    page = counted_page(offerings.upcoming_slots(offering=offering), SLOTS_PAGE_SIZE, request.GET.get("page"))
    return render(request, "services/offerings/offering_detail.html", {
        "offering": offering, "page": page, "slots": offerings.slots_shown(page, offering=offering, member=request.user),
    })


@approved_member_required
@require_POST
def slot_book(request, pk: int):
    slot = get_object_or_404(OfferingSlot.objects.select_related("offering"), pk=pk, offering__published=True)
    try:
        slot_booking.book(slot=slot, member=request.user)
    except slot_booking.SlotBookingError as exc:
        messages.error(request, str(exc))
        return redirect(slot.offering)
    messages.success(request, _("Your place is booked. We have sent you a confirmation."))
    return redirect("offerings:mine")


@approved_member_required
def my_bookings(request):
    page = counted_page(offerings.bookings_of(member=request.user), BOOKINGS_PAGE_SIZE, request.GET.get("page"))
    for booking in page:
        booking.can_cancel = offerings.booking_cancellable(booking)
    return render(request, "services/offerings/my_bookings.html", {"page": page})


@approved_member_required
def booking_cancel(request, pk: int):
    # Another member's booking answers 404, as if it did not exist.
    booking = get_object_or_404(SlotBooking.objects.select_related("slot__offering"), pk=pk, member=request.user)
    if request.method == "POST":
        try:
            slot_booking.cancel(booking=booking, member=request.user)
        except slot_booking.SlotBookingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your booking is cancelled; the place is free for others."))
        return redirect("offerings:mine")
    if not offerings.booking_cancellable(booking):
        messages.error(request, _("This booking can no longer be cancelled."))
        return redirect("offerings:mine")
    return render(request, "services/offerings/booking_cancel.html", {"booking": booking})


@approved_member_required
def appointment_new(request, pk: int):
    offering = _visible(pk)
    if not offering.by_appointment:
        raise Http404
    form = AppointmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = offerings.appointment_request(
                offering=offering, member=request.user, message=form.cleaned_data["message"],
                preferred_contact=form.cleaned_data["preferred_contact"])
        except offerings.OfferingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your request is sent as %(ref)s. We will answer you in the inbox.")
                             % {"ref": ticket.reference})
            return redirect(ticket)
    return render(request, "services/offerings/appointment_form.html", {"offering": offering, "form": form},
                  status=400 if form.errors else 200)
