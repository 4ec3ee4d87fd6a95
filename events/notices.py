"""What members are told about their registrations, as kinds of the kernel's one outbox.

Each message is written by ``notify_registration`` (or ``notify_registrations`` for a fan-out) in
the transaction that decided it, once per registration, kind and key, and composed when it is sent: by then it must still be true (her
registration still in that state, the event not cancelled since, a reminder still for the
current start time), or it is dropped.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import CharField, Expression, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import (
    Addressed,
    Message,
    NoticeKind,
    notice_key,
    notice_kind,
    notify,
    notify_many,
)
from xiangcheng.core.sms import sms_template

from .models import ACTIVE_STATUSES, EventStatus, Registration, RegistrationStatus

EVENT_NOTICE = sms_template(
    "event_notice", _("{subject}. {time}, {place}. Details on the portal."), ["subject", "time", "place"])

# The message kinds, by the short name booking uses, with what her registration must be then.
CONFIRMED, WAITLISTED, PENDING, PROMOTED = "confirmed", "waitlisted", "pending", "promoted"
APPROVED, REJECTED, CHANGED, CANCELLED, REMINDER = "approved", "rejected", "changed", "cancelled", "reminder"
_EXPECTED_STATUS = {
    CONFIRMED: RegistrationStatus.CONFIRMED, PROMOTED: RegistrationStatus.CONFIRMED,
    APPROVED: RegistrationStatus.CONFIRMED, WAITLISTED: RegistrationStatus.WAITLISTED,
    PENDING: RegistrationStatus.PENDING, REJECTED: RegistrationStatus.REJECTED,
}
_LABELS = {
    CONFIRMED: _("Event: confirmation"), WAITLISTED: _("Event: waitlisted"), PENDING: _("Event: awaiting approval"),
    PROMOTED: _("Event: promoted from the waitlist"), APPROVED: _("Event: sign-up approved"),
    REJECTED: _("Event: sign-up not approved"), CHANGED: _("Event: time or place changed"),
    CANCELLED: _("Event: cancelled"), REMINDER: _("Event: reminder"),
}


def start_stamp(starts_at: datetime) -> str:
    """The start time a reminder was computed for, as it appears in the reminder's key."""
    return starts_at.astimezone(UTC).strftime("%Y%m%d%H%M")


def _with_event():
    """Registrations as a message needs them: the event, its venue and programme, her profile."""
    return Registration.objects.select_related("event__venue", "event__programme", "user__profile")


def _registration(notice: Notice) -> Registration | None:
    if Notice.target.is_cached(notice):  # the outbox loaded a chunk's registrations at once
        return notice.target
    return _with_event().filter(pk=notice.target_id).first()


def _short(notice: Notice) -> str:
    return notice.kind.removeprefix("events.")


def _applies(notice: Notice) -> bool:
    registration = _registration(notice)
    if registration is None:
        return False
    event = registration.event
    short = _short(notice)
    if short == CANCELLED:
        return True
    if event.status == EventStatus.CANCELLED:
        return False  # only the cancellation is news now
    if short == REMINDER:
        for_this_start = notice.key.endswith("@" + start_stamp(event.starts_at))
        return (registration.status == RegistrationStatus.CONFIRMED and for_this_start
                and event.status == EventStatus.PUBLISHED and timezone.now() < event.starts_at)
    if short == CHANGED:
        return registration.status in ACTIVE_STATUSES
    return registration.status == _EXPECTED_STATUS[short]


def _compose(notice: Notice) -> Message:
    registration = _registration(notice)
    event = registration.event
    context = {"kind": _short(notice), "registration": registration, "event": event, "site_url": settings.SITE_URL,
               # The online link is for confirmed participants only, as on the event's page.
               "show_online_link": registration.status == RegistrationStatus.CONFIRMED}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("events/messages/subject.txt", context).strip()
        body = render_to_string("events/messages/body.txt", context)
        place = event.venue.name if event.venue else gettext("online")
    when = timezone.localtime(event.starts_at).strftime("%-m/%-d %H:%M")
    return Message(subject=subject, body=body, sms=(EVENT_NOTICE, {"subject": subject, "time": when, "place": place}),
                   url=event.get_absolute_url())


KINDS: dict[str, NoticeKind] = {
    short: notice_kind(f"events.{short}", label=label, compose=_compose, applies=_applies,
                       permission="events.view_registration", targets=_with_event)
    for short, label in _LABELS.items()
}


def registration_key(registration_id: int, key: str = "") -> str:
    """What tells a registration's notices of one kind apart (the kind's own prefix aside)."""
    return f"{registration_id}:{key}"


def notify_registration(*, registration: Registration, kind: str, key: str = "") -> tuple[int, bool]:
    """Record one message for her (once per registration, kind and key); it is sent after commit."""
    return notify(kind=KINDS[kind], recipient=registration.user, key=registration_key(registration.pk, key),
                  target=registration)


def notify_registrations(*, registrations: Iterable[tuple[int, int]], kind: str, key: str = "") -> list[int]:
    """``notify_registration`` for many: (registration pk, her user pk) pairs, written with one
    INSERT a thousand and delivered a chunk to a task. Returns the pks of the rows created."""
    return notify_many(kind=KINDS[kind], target_model=Registration, items=[
        Addressed(recipient_id=user_id, key=registration_key(registration_id, key), target_id=registration_id)
        for registration_id, user_id in registrations])


def registration_notice_key(registration_id: Expression, *, kind: str, key: str = "") -> Concat:
    """The outbox key ``notify_registration`` writes, as an SQL expression over a registration's
    pk (the reminder scan skips registrations whose reminder exists)."""
    return Concat(Value(notice_key(KINDS[kind], "")), Cast(registration_id, CharField()), Value(f":{key}"))
