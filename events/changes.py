"""Staff changing an event: publish it, edit it, cancel it. An event's status moves only here.

Each change takes the event's row lock (as sign-ups do), so an edit of the seats and a sign-up,
or a cancellation and a promotion, never interleave. A published event's registrants are told
when its time or place changes or it is cancelled; new seats go to its waitlist first.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiangcheng.core.files import ProcessedImage

from . import notices
from .booking import locked_event, promote_waitlist
from .models import ACTIVE_STATUSES, Event, EventStatus
from .notices import notify_registrations

# A change to one of these is news for everyone signed up (and moves the reminders).
ANNOUNCED_FIELDS = frozenset({"starts_at", "ends_at", "venue", "online_url"})
# More of these may let people on the waitlist in.
SEAT_FIELDS = frozenset({"capacity", "childcare_places"})


class EventChangeError(Exception):
    """The change is not possible in the event's state; the message says why."""


def event_save(*, event: Event, changed: set[str], poster: ProcessedImage | None = None) -> int:
    """Save staff's new event or their edit of one. Returns how many registrants are told.

    The status is not theirs to edit here: a new event is a draft, an edit keeps the status the
    event has (publish and cancel are their own actions).
    """
    with transaction.atomic():
        if event.pk is None:
            event.status = EventStatus.DRAFT
        else:
            event.status = locked_event(event.pk).status
        if poster is not None:
            event.poster.save("poster.jpg", poster.image, save=False)
            event.poster_thumb.save("thumb.jpg", poster.thumbnail, save=False)
        is_new = event.pk is None
        event.save()
        if is_new or event.status != EventStatus.PUBLISHED:
            return 0
        if SEAT_FIELDS & changed:
            promote_waitlist(event=event)
        if ANNOUNCED_FIELDS & changed:
            return event_change_announce(event=event, key=timezone.now().strftime("%Y%m%d%H%M%S"))
    return 0


def event_publish(*, event: Event) -> Event:
    """A draft goes live: it is listed and takes sign-ups from its registration window."""
    with transaction.atomic():
        event = locked_event(event.pk)
        if event.status != EventStatus.DRAFT:
            raise EventChangeError(_("Only a draft can be published."))
        event.status = EventStatus.PUBLISHED
        event.save(update_fields=["status", "updated_at"])
    return event


def event_cancel(*, event: Event) -> int:
    """Staff cancel a published event: every active registrant is told. Returns how many."""
    with transaction.atomic():
        event = locked_event(event.pk)
        if event.status != EventStatus.PUBLISHED:
            raise EventChangeError(_("Only a published event can be cancelled."))
        event.status = EventStatus.CANCELLED
        event.save(update_fields=["status", "updated_at"])
        registrations = list(event.registrations.filter(status__in=ACTIVE_STATUSES).values_list("pk", "user_id"))
        notify_registrations(registrations=registrations, kind=notices.CANCELLED)
    return len(registrations)


def event_change_announce(*, event: Event, key: str) -> int:
    """Tell every active registrant that the time or place changed (key: which change, when)."""
    registrations = list(event.registrations.filter(status__in=ACTIVE_STATUSES).values_list("pk", "user_id"))
    notify_registrations(registrations=registrations, kind=notices.CHANGED, key=key)
    return len(registrations)
