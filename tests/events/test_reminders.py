"""Reminders before an event: which one is due, created once per registration, delivered once,
and rescheduled when the event moves. Celery runs eagerly here (unit tests); the real worker
is in test_worker.py. ``now`` is driven explicitly through reminders_scan(now=...)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Event, EventStatus, RegistrationStatus
from events.reminders import due_offset, reminder_key, reminders_scan
from tests.concurrency import race
from tests.events.factories import EventFactory, RegistrationFactory
from tests.events.helpers import event_notices, notice_suffix
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import deliver

DAY, HOUR = 24 * 60, 60
START = datetime(2031, 5, 20, 6, 30, tzinfo=UTC)  # 14:30 in Suzhou


def _event(**fields) -> Event:
    return Event(starts_at=START, reminder_offsets=[DAY, 2 * HOUR], **fields)


# --- due_offset ------------------------------------------------------------------------------

@pytest.mark.parametrize(("before_start", "expected"), [
    (timedelta(days=3), None),                         # nothing reached yet
    (timedelta(hours=24, seconds=1), None),            # a second before the 24 h reminder
    (timedelta(hours=24), DAY),                        # the 24 h reminder is due
    (timedelta(hours=5), DAY),                         # still the 24 h one until 2 h before
    (timedelta(hours=2), 2 * HOUR),                    # the 2 h one supersedes it
    (timedelta(minutes=10), 2 * HOUR),
    (timedelta(0), None),                              # started: no reminder
    (-timedelta(hours=1), None),
])
def test_due_offset_is_the_smallest_offset_reached(before_start, expected):
    assert due_offset(event=_event(), now=START - before_start) == expected


def test_a_late_scan_skips_the_older_reminder():
    """A scan that first runs 1 h before the start sends only the 2 h reminder, never the 24 h one."""
    assert due_offset(event=_event(), now=START - timedelta(hours=1)) == 2 * HOUR


def test_offsets_in_any_order_and_none():
    assert due_offset(event=Event(starts_at=START, reminder_offsets=[30, 3 * DAY, HOUR]),
                      now=START - timedelta(minutes=45)) == HOUR
    assert due_offset(event=Event(starts_at=START, reminder_offsets=[]), now=START - timedelta(minutes=1)) is None


def test_reminder_key_names_the_offset_and_the_utc_start():
    suzhou = START.astimezone(timezone.get_fixed_timezone(8 * 60))
    assert reminder_key(offset_minutes=DAY, starts_at=suzhou) == "1440@203105200630"


# --- reminders_scan --------------------------------------------------------------------------

def _soon_event(**fields) -> Event:
    """Published, starting in 30 h (a real future: delivery checks the real clock)."""
    starts_at = (timezone.now() + timedelta(hours=30)).replace(second=0, microsecond=0)
    return EventFactory(starts_at=starts_at, **fields)


def _reminders(event: Event) -> list[tuple[int, str]]:
    return sorted((n.target_id, notice_suffix(n)) for n in event_notices(kind="reminder", event=event))


@pytest.mark.django_db
def test_scan_creates_one_reminder_per_confirmed_registration():
    event = _soon_event()
    confirmed = [RegistrationFactory(event=event) for _ in range(3)]
    RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)
    RegistrationFactory(event=event, status=RegistrationStatus.PENDING)
    now = event.starts_at - timedelta(hours=23)
    key = f"1440@{event.starts_at.astimezone(UTC):%Y%m%d%H%M}"

    assert reminders_scan(now=now - timedelta(hours=2)) == 0  # 25 h before: not due yet
    assert reminders_scan(now=now) == 3

    assert _reminders(event) == sorted((r.pk, key) for r in confirmed)
    assert set(Notice.objects.values_list("kind", flat=True)) == {"events.reminder"}


@pytest.mark.django_db
def test_scan_ignores_draft_cancelled_and_past_events():
    draft = _soon_event(status=EventStatus.DRAFT)
    cancelled = _soon_event(status=EventStatus.CANCELLED)
    past = EventFactory(starts_at=timezone.now() - timedelta(hours=1))
    for event in (draft, cancelled, past):
        RegistrationFactory(event=event)

    assert reminders_scan(now=draft.starts_at - timedelta(hours=1)) == 0
    assert reminders_scan() == 0  # the past event at the real now
    assert Notice.objects.count() == 0


@pytest.mark.django_db
def test_scan_three_times_still_one_reminder_each_sent_once(django_capture_on_commit_callbacks):
    event = _soon_event()
    registrations = [RegistrationFactory(event=event) for _ in range(4)]
    now = event.starts_at - timedelta(hours=20)

    with django_capture_on_commit_callbacks(execute=True):
        results = [reminders_scan(now=now) for _ in range(3)]

    assert results == [4, 0, 0]
    assert len(_reminders(event)) == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in registrations)
    assert list(Notice.objects.values_list("attempts", "state").order_by().distinct()) == [(1, Notice.State.SENT)]


@pytest.mark.django_db(transaction=True)
def test_three_scans_at_once_create_and_send_each_reminder_once():
    event = _soon_event()
    registrations = [RegistrationFactory(event=event) for _ in range(12)]
    now = event.starts_at - timedelta(hours=1, minutes=30)  # the 2 h reminder is due

    created, errors = race(lambda: reminders_scan(now=now), [()] * 3)

    assert errors == []
    assert sum(created) == 12  # each row was created by exactly one of the scans
    key = f"120@{event.starts_at.astimezone(UTC):%Y%m%d%H%M}"
    assert _reminders(event) == sorted((r.pk, key) for r in registrations)
    # Eager Celery delivers in the thread that committed; each message went out once.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in registrations)
    assert Notice.objects.filter(state=Notice.State.SENT).count() == 12


@pytest.mark.django_db
def test_moving_the_event_later_reschedules_its_reminders(django_capture_on_commit_callbacks):
    event = _soon_event()
    registration = RegistrationFactory(event=event)
    old_start = event.starts_at
    old_key = reminder_key(offset_minutes=DAY, starts_at=old_start)

    # 23 h before the old start the 24 h reminder is written; its delivery has not run yet.
    assert reminders_scan(now=old_start - timedelta(hours=23)) == 1
    old = event_notices(registration=registration, kind="reminder").get()
    assert notice_suffix(old) == old_key

    # Staff move the event two days later.
    new_start = old_start + timedelta(days=2)
    Event.objects.filter(pk=event.pk).update(starts_at=new_start, ends_at=new_start + timedelta(hours=2))

    # The old reminder no longer applies: skipped at delivery, nothing sent.
    assert deliver(notice_id=old.pk) is False
    old.refresh_from_db()
    assert (old.state, old.sent_at is not None) == (Notice.State.SKIPPED, True)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        # At the old reminder times nothing is due for the new start.
        assert reminders_scan(now=old_start - timedelta(hours=1)) == 0
        assert reminders_scan(now=new_start - timedelta(hours=24, minutes=1)) == 0
        # At the new due times the new reminders are created and sent.
        assert reminders_scan(now=new_start - timedelta(hours=24)) == 1
        assert reminders_scan(now=new_start - timedelta(hours=2)) == 1
        assert reminders_scan(now=new_start - timedelta(hours=1)) == 0

    rows = [(notice_suffix(n), n.state, n.attempts) for n in event_notices(registration=registration).order_by("pk")]
    assert rows == [
        (old_key, Notice.State.SKIPPED, 1),
        (reminder_key(offset_minutes=DAY, starts_at=new_start), Notice.State.SENT, 1),
        (reminder_key(offset_minutes=2 * HOUR, starts_at=new_start), Notice.State.SENT, 1),
    ]
    assert [m.to for m in mail.outbox] == [[registration.user.email], [registration.user.email]]


@pytest.mark.django_db
def test_a_reminder_for_an_event_cancelled_meanwhile_is_skipped():
    event = _soon_event()
    registration = RegistrationFactory(event=event)
    reminders_scan(now=event.starts_at - timedelta(hours=1))
    reminder = event_notices(registration=registration).get()
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)

    assert deliver(notice_id=reminder.pk) is False
    reminder.refresh_from_db()
    assert (reminder.state, mail.outbox) == (Notice.State.SKIPPED, [])
