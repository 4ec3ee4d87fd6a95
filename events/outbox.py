"""Event messages: written as Notification rows inside the deciding transaction, delivered once.

``notify`` records the message and enqueues its delivery after commit. ``deliver`` claims the
row atomically (only one worker wins), re-checks that the message still applies, sends it by
email and SMS, and marks it sent. A periodic job (``deliver_unsent``) retries rows whose
delivery never happened, e.g. when the broker was down or a worker died mid-batch.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from xiangcheng.channels import notify_user

from .models import ACTIVE_STATUSES, EventStatus, Notification, Registration, RegistrationStatus

MAX_ATTEMPTS = 5


def start_stamp(starts_at: datetime) -> str:
    """The start time a reminder was computed for, as it appears in the reminder's key."""
    return starts_at.astimezone(UTC).strftime("%Y%m%d%H%M")


def _lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "EVENTS_OUTBOX_LEASE_SECONDS", 300))


def _grace() -> timedelta:
    """How long a fresh row is left to its own after-commit task before the periodic job takes it."""
    return timedelta(seconds=getattr(settings, "EVENTS_OUTBOX_GRACE_SECONDS", 30))


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


def _claim(pk: int) -> bool:
    now = timezone.now()
    return Notification.objects.filter(pk=pk, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - _lease())
    ).update(claimed_at=now, attempts=F("attempts") + 1) == 1


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


def render(notification: Notification) -> tuple[str, str, str]:
    """Subject, email body and SMS text, in the site's language."""
    registration = notification.registration
    context = {"n": notification, "registration": registration, "event": registration.event,
               "site_url": getattr(settings, "SITE_URL", "")}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("events/messages/subject.txt", context).strip()
        body = render_to_string("events/messages/body.txt", context)
        # One line: the subject template it includes ends with a newline.
        sms = " ".join(render_to_string("events/messages/sms.txt", context).split())
    return subject, body, sms


def deliver(*, notification_id: int) -> bool:
    """Send one message if it is still unsent and this worker wins the claim. True if sent."""
    if not _claim(notification_id):
        return False
    notification = Notification.objects.select_related(
        "registration__event__venue", "registration__user").get(pk=notification_id)
    if not _still_applies(notification):
        Notification.objects.filter(pk=notification_id).update(sent_at=timezone.now(), skipped=True)
        return False
    try:
        subject, body, sms = render(notification)
        notify_user(user=notification.registration.user, subject=subject, body=body, sms=sms)
    except Exception as exc:
        # Release the claim so the periodic job retries; keep the reason for staff.
        Notification.objects.filter(pk=notification_id).update(claimed_at=None, last_error=str(exc)[:500])
        raise
    Notification.objects.filter(pk=notification_id).update(sent_at=timezone.now(), last_error="")
    return True


def deliver_unsent(*, limit: int = 500) -> int:
    """Deliver rows nobody delivered: broker was down, or a worker died holding the claim."""
    now = timezone.now()
    pks = list(
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, created_at__lt=now - _grace())
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - _lease()))
        .order_by("pk").values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in pks:
        try:
            sent += deliver(notification_id=pk)
        except Exception:  # noqa: S112 - recorded on the row; the next run retries it
            continue
    return sent
