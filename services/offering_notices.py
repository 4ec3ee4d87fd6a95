"""What a member is told about her slot bookings, as kinds of the kernel's one outbox.

Each notice is written in the transaction that booked or cancelled, once per booking and kind,
and composed when it is sent: by then the booking must still be in that state, or it is dropped
(booked and cancelled at once: only the cancellation is news). Appointment requests are inbox
tickets and are told through the inbox's own notices.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import Message, NoticeKind, notice_kind, notify
from xiangcheng.core.sms import sms_template

from .models import SlotBooking, SlotBookingStatus

OFFERING_NOTICE = sms_template("offering_notice", _("{subject}. {time}. Details on the portal."), ["subject", "time"])

BOOKED, CANCELLED = "booked", "cancelled"
_EXPECTED_STATUS = {BOOKED: SlotBookingStatus.BOOKED, CANCELLED: SlotBookingStatus.CANCELLED}
_LABELS = {BOOKED: _("Offering: slot booked"), CANCELLED: _("Offering: booking cancelled")}


def _with_slot():
    """Bookings as a message needs them: the slot and its offering."""
    return SlotBooking.objects.select_related("slot__offering")


def _booking(notice: Notice) -> SlotBooking | None:
    if Notice.target.is_cached(notice):  # the outbox loaded a chunk's bookings at once
        return notice.target
    return _with_slot().filter(pk=notice.target_id).first()


def _short(notice: Notice) -> str:
    return notice.kind.removeprefix("offerings.")


def _applies(notice: Notice) -> bool:
    booking = _booking(notice)
    return booking is not None and booking.status == _EXPECTED_STATUS[_short(notice)]


def _compose(notice: Notice) -> Message:
    booking = _booking(notice)
    offering = booking.slot.offering
    starts = timezone.localtime(booking.slot.starts_at)
    ends = timezone.localtime(booking.slot.ends_at)
    when = f"{starts:%Y-%m-%d %H:%M}–{ends:%H:%M}"
    with translation.override(settings.LANGUAGE_CODE):
        if _short(notice) == BOOKED:
            subject = gettext("Booked: %(title)s") % {"title": offering.title}
            lead = gettext("Your place is booked. If you cannot come, please cancel it on the portal "
                           "before the time begins, so that someone else can have it.")
        else:
            subject = gettext("Booking cancelled: %(title)s") % {"title": offering.title}
            lead = gettext("Your booking is cancelled and the place is free for others.")
        lines = [lead, "", f"{offering.title} · {offering.provider}", when, "",
                 gettext("My bookings: %(url)s") % {"url": settings.SITE_URL.rstrip("/") + reverse("offerings:mine")}]
    return Message(subject=subject, body="\n".join(lines) + "\n",
                   sms=(OFFERING_NOTICE, {"subject": subject, "time": when}), url=offering.get_absolute_url())


KINDS: dict[str, NoticeKind] = {
    short: notice_kind(f"offerings.{short}", label=label, compose=_compose, applies=_applies,
                       permission="services.view_slotbooking", targets=_with_slot)
    for short, label in _LABELS.items()
}


def notify_booking(*, booking: SlotBooking, kind: str) -> tuple[int, bool]:
    """Record one message for her about this booking (once per booking and kind); sent after commit."""
    return notify(kind=KINDS[kind], recipient=booking.member, key=str(booking.pk), target=booking)
