"""Event messages: written as Notification rows inside the deciding transaction, delivered once.

``notify`` records the message and enqueues its delivery after commit. ``deliver`` claims the
row atomically (only one worker wins), re-checks that the message still applies, sends it by
email and SMS, and marks it sent. A periodic job (``deliver_unsent``) retries rows whose
delivery never happened, e.g. when the broker was down or a worker died mid-batch.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiangcheng.core import outbox
from xiangcheng.core.sms import sms_template

from .models import ACTIVE_STATUSES, EventStatus, Notification, Registration, RegistrationStatus

MAX_ATTEMPTS = outbox.MAX_ATTEMPTS

EVENT_NOTICE = sms_template(
    "event_notice", _("{subject}. {time}, {place}. Details on the portal."), ["subject", "time", "place"])


def start_stamp(starts_at: datetime) -> str:
    """The start time a reminder was computed for, as it appears in the reminder's key."""
    return starts_at.astimezone(UTC).strftime("%Y%m%d%H%M")


def record(*, registration: Registration, kind: str, key: str = "") -> tuple[int, bool]:
    """Write the message once (per registration, kind and key), deliver it after commit.

    Returns the row's pk and whether this call created it. Concurrent callers wait on the
    unique constraint; the one that loses finds the winner's row.
    """
    notification, created = Notification.objects.get_or_create(registration=registration, kind=kind, key=key)
    pk = notification.pk
    transaction.on_commit(lambda: _enqueue(pk), robust=True)
    return pk, created


def notify(*, registration: Registration, kind: str, key: str = "") -> int:
    """Record one message for her (once per registration, kind and key) and send it after commit."""
    return record(registration=registration, kind=kind, key=key)[0]


def _enqueue(pk: int) -> None:
    from .tasks import deliver_notification

    # If the broker is down the row stays unsent and deliver_unsent picks it up later.
    deliver_notification.delay(notification_id=pk)


def _still_applies(notification: Notification) -> bool:
    registration = notification.registration
    event = registration.event
    kind = notification.kind
    if kind == Notification.Kind.CANCELLED:
        return True
    if event.status == EventStatus.CANCELLED:
        return False  # only the cancellation is news now
    if kind == Notification.Kind.REMINDER:
        for_this_start = notification.key.endswith("@" + start_stamp(event.starts_at))
        return (registration.status == RegistrationStatus.CONFIRMED and for_this_start
                and event.status == EventStatus.PUBLISHED and timezone.now() < event.starts_at)
    if kind == Notification.Kind.CHANGED:
        return registration.status in ACTIVE_STATUSES
    # Status messages: still true only if her registration is still in that state.
    expected = {
        Notification.Kind.CONFIRMED: RegistrationStatus.CONFIRMED,
        Notification.Kind.PROMOTED: RegistrationStatus.CONFIRMED,
        Notification.Kind.APPROVED: RegistrationStatus.CONFIRMED,
        Notification.Kind.WAITLISTED: RegistrationStatus.WAITLISTED,
        Notification.Kind.PENDING: RegistrationStatus.PENDING,
        Notification.Kind.REJECTED: RegistrationStatus.REJECTED,
    }
    return registration.status == expected.get(kind)


def render(notification: Notification) -> tuple[str, str, dict[str, str]]:
    """Subject, email body and the SMS template's parameters, in the site's language."""
    registration = notification.registration
    event = registration.event
    context = {"n": notification, "registration": registration, "event": event,
               "site_url": getattr(settings, "SITE_URL", "")}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("events/messages/subject.txt", context).strip()
        body = render_to_string("events/messages/body.txt", context)
        place = event.venue.name if event.venue else gettext("online")
    when = timezone.localtime(event.starts_at).strftime("%-m/%-d %H:%M")
    return subject, body, {"subject": subject, "time": when, "place": place}


def _compose(notification: Notification) -> outbox.Message:
    subject, body, params = render(notification)
    return outbox.Message(notification.registration.user, subject, body, (EVENT_NOTICE, params))


def deliver(*, notification_id: int) -> bool:
    """Send one message if it is still unsent, still applies and this worker wins the claim."""
    return outbox.deliver_once(Notification, notification_id, _compose, applies=_still_applies,
                               related=["registration__event__venue", "registration__user__profile"])


def deliver_unsent() -> int:
    """Deliver rows nobody delivered: broker was down, or a worker died holding the claim."""
    return outbox.retry_unsent(Notification, lambda pk: deliver(notification_id=pk))
