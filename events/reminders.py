"""Reminders before an event, at each of its offsets (default 24 h and 2 h).

A beat job scans for due reminders every minute. Each reminder is one outbox notice whose key
names the registration, the offset and the start time it was computed for, so: running the scan
several times at once still creates it once (unique key; an event's reminders are written
together, ``notify_registrations``); moving the event creates new reminders
for the new time and the old ones are skipped at delivery.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from xiangcheng.core.models import Notice

from . import notices
from .models import Event, EventStatus, Registration, RegistrationStatus
from .notices import notify_registrations, registration_notice_key, start_stamp

# Reminders are at most a week ahead (offsets are validated against this).
HORIZON = timedelta(days=7)


def reminder_key(*, offset_minutes: int, starts_at: datetime) -> str:
    return f"{offset_minutes}@{start_stamp(starts_at)}"


def due_offset(*, event: Event, now: datetime) -> int | None:
    """The reminder due now: the smallest offset already reached (a late scan skips older ones)."""
    if now >= event.starts_at:
        return None
    reached = [o for o in event.reminder_offsets if event.starts_at - timedelta(minutes=o) <= now]
    return min(reached) if reached else None


def reminders_scan(*, now: datetime | None = None) -> int:
    """Create (once) and enqueue every reminder due now. Returns how many rows this call created."""
    now = now or timezone.now()
    created = 0
    events = Event.objects.filter(status=EventStatus.PUBLISHED, starts_at__gt=now, starts_at__lte=now + HORIZON)
    for event in events:
        offset = due_offset(event=event, now=now)
        if offset is None:
            continue
        key = reminder_key(offset_minutes=offset, starts_at=event.starts_at)
        already = Notice.objects.filter(key=registration_notice_key(OuterRef("pk"), kind=notices.REMINDER, key=key))
        with transaction.atomic():
            registrations = Registration.objects.filter(
                event=event, status=RegistrationStatus.CONFIRMED).exclude(Exists(already)).values_list("pk", "user_id")
            created += len(notify_registrations(registrations=registrations, kind=notices.REMINDER, key=key))
    return created
