"""The outbox: a message is recorded once, claimed once, skipped when it no longer applies,
and retried (up to MAX_ATTEMPTS) when sending fails. Eager Celery; on_commit callbacks of
these non-transactional tests run only where a test captures them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events import outbox
from events.booking import cancel, sign_up
from events.models import Notification, RegistrationStatus
from events.outbox import MAX_ATTEMPTS, deliver, deliver_unsent, notify
from tests.events.factories import EventFactory, RegistrationFactory
from tests.events.helpers import mail_subject
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import zh
from xiangcheng.core import sms


@pytest.fixture
def no_grace(settings):
    """deliver_unsent may take rows created a moment ago (the default grace is 30 s)."""
    settings.OUTBOX_GRACE_SECONDS = 0


class FailingSend:
    """Stands in for django.core.mail.send_mail as imported by xiangcheng.core.channels."""

    def __init__(self):
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        raise ConnectionRefusedError("smtp.example.cn:587 refused the connection")


@pytest.fixture
def failing_send(monkeypatch):
    """The mail server refuses every message until the test calls monkeypatch.undo()."""
    failing = FailingSend()
    monkeypatch.setattr("xiangcheng.core.channels.send_mail", failing)
    return failing


@pytest.mark.django_db
def test_notify_records_a_message_once_per_registration_kind_and_key():
    registration = RegistrationFactory()
    first = notify(registration=registration, kind=Notification.Kind.CONFIRMED)
    again = notify(registration=registration, kind=Notification.Kind.CONFIRMED)
    changed_1 = notify(registration=registration, kind=Notification.Kind.CHANGED, key="20310101120000")
    changed_2 = notify(registration=registration, kind=Notification.Kind.CHANGED, key="20310102120000")

    assert first == again
    assert len({first, changed_1, changed_2}) == 3
    assert sorted(Notification.objects.values_list("kind", "key")) == [
        ("changed", "20310101120000"), ("changed", "20310102120000"), ("confirmed", "")]
    assert outbox.record(registration=registration, kind=Notification.Kind.CONFIRMED) == (first, False)


@pytest.mark.django_db
def test_sign_up_delivers_her_confirmation_after_commit(django_capture_on_commit_callbacks):
    event = EventFactory(title="产业资源对接沙龙 第9期")
    member = MemberProfileFactory().user

    with django_capture_on_commit_callbacks() as callbacks:
        registration = sign_up(event=event, user=member)
        assert mail.outbox == []  # nothing is sent inside the transaction
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()

    assert registration.status == RegistrationStatus.CONFIRMED
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([member.email], mail_subject("You are signed up: %(t)s", event.title))]
    notification = Notification.objects.get()
    assert (notification.kind, notification.attempts, notification.sent_at is not None) == ("confirmed", 1, True)


@pytest.mark.django_db
def test_deliver_claims_once_so_two_calls_send_one_email():
    registration = RegistrationFactory()
    pk = notify(registration=registration, kind=Notification.Kind.CONFIRMED)

    assert deliver(notification_id=pk) is True
    assert deliver(notification_id=pk) is False
    assert deliver_unsent() == 0

    assert [m.to for m in mail.outbox] == [[registration.user.email]]
    notification = Notification.objects.get(pk=pk)
    assert (notification.attempts, notification.skipped, notification.last_error) == (1, False, "")


@pytest.mark.django_db
def test_a_claim_held_by_another_worker_is_respected_until_its_lease_ends(settings):
    settings.OUTBOX_LEASE_SECONDS = 300
    registration = RegistrationFactory()
    pk = notify(registration=registration, kind=Notification.Kind.CONFIRMED)
    Notification.objects.filter(pk=pk).update(claimed_at=timezone.now() - timedelta(seconds=299), attempts=1)

    assert deliver(notification_id=pk) is False  # another worker is sending it
    assert mail.outbox == []

    Notification.objects.filter(pk=pk).update(claimed_at=timezone.now() - timedelta(seconds=301))
    assert deliver(notification_id=pk) is True  # that worker died; its lease ran out
    assert [m.to for m in mail.outbox] == [[registration.user.email]]
    assert Notification.objects.get(pk=pk).attempts == 2


@pytest.mark.django_db
def test_a_confirmation_she_cancelled_before_delivery_is_skipped():
    event = EventFactory()
    member = MemberProfileFactory().user
    registration = sign_up(event=event, user=member)  # its after-commit delivery has not run
    cancel(registration=registration, user=member)

    pk = Notification.objects.get(registration=registration, kind=Notification.Kind.CONFIRMED).pk
    assert deliver(notification_id=pk) is False

    notification = Notification.objects.get(pk=pk)
    assert (notification.skipped, notification.sent_at is not None, notification.attempts) == (True, True, 1)
    assert mail.outbox == []
    assert deliver_unsent() == 0  # a skipped message is done, not retried


@pytest.mark.django_db
def test_a_failed_send_releases_the_claim_and_the_retry_job_sends_it(monkeypatch, no_grace, failing_send):
    registration = RegistrationFactory()
    pk = notify(registration=registration, kind=Notification.Kind.CONFIRMED)

    with pytest.raises(ConnectionRefusedError):
        deliver(notification_id=pk)

    notification = Notification.objects.get(pk=pk)
    assert (notification.claimed_at, notification.sent_at, notification.attempts, notification.last_error) == (
        None, None, 1, "smtp.example.cn:587 refused the connection")
    assert deliver_unsent() == 0  # still failing: recorded, not raised
    assert failing_send.calls == 2

    monkeypatch.undo()  # the mail server is back
    assert deliver_unsent() == 1
    assert deliver_unsent() == 0

    assert [m.to for m in mail.outbox] == [[registration.user.email]]
    notification.refresh_from_db()
    assert (notification.attempts, notification.last_error, notification.sent_at is not None) == (3, "", True)


@pytest.mark.django_db
def test_a_message_that_keeps_failing_is_tried_max_attempts_times(monkeypatch, no_grace, failing_send):
    registration = RegistrationFactory()
    pk = notify(registration=registration, kind=Notification.Kind.CONFIRMED)

    results = [deliver_unsent() for _ in range(MAX_ATTEMPTS + 3)]

    assert results == [0] * (MAX_ATTEMPTS + 3)
    assert failing_send.calls == MAX_ATTEMPTS == 5
    notification = Notification.objects.get(pk=pk)
    assert (notification.attempts, notification.sent_at, notification.claimed_at) == (MAX_ATTEMPTS, None, None)

    monkeypatch.undo()
    assert deliver(notification_id=pk) is False  # given up: staff see last_error in the admin
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_fresh_row_is_left_to_its_own_task_during_the_grace_period(settings):
    settings.OUTBOX_GRACE_SECONDS = 30
    registration = RegistrationFactory()
    pk = notify(registration=registration, kind=Notification.Kind.CONFIRMED)

    assert deliver_unsent() == 0
    Notification.objects.filter(pk=pk).update(created_at=timezone.now() - timedelta(seconds=31))
    assert deliver_unsent() == 1
    assert [m.to for m in mail.outbox] == [[registration.user.email]]


@pytest.mark.django_db
def test_a_member_who_joined_by_phone_gets_an_sms_and_no_email():
    user = UserFactory(email="", phone="13912345678", phone_verified=True)
    MemberProfileFactory(user=user)
    event = EventFactory(title="女科技工作者创新训练营")
    registration = RegistrationFactory(event=event, user=user)
    pk = notify(registration=registration, kind=Notification.Kind.CONFIRMED)

    assert deliver(notification_id=pk) is True
    assert deliver(notification_id=pk) is False

    assert mail.outbox == []
    assert [m.phone for m in sms.outbox] == ["13912345678"]
    when = timezone.localtime(event.starts_at).strftime("%-m/%-d %H:%M")
    subject = zh("You are signed up: %(t)s", t=event.title)
    assert (sms.outbox[0].template, sms.outbox[0].params) == (
        "event_notice", {"subject": subject, "time": when, "place": event.venue.name})
    assert sms.outbox[0].text == zh("{subject}. {time}, {place}. Details on the portal.").format(
        subject=subject, time=when, place=event.venue.name)



@pytest.mark.django_db
def test_when_the_sms_fails_after_the_email_the_retry_sends_only_the_sms(monkeypatch, no_grace):
    user = UserFactory(phone="13912345678", phone_verified=True)  # a verified email too
    MemberProfileFactory(user=user)
    registration = RegistrationFactory(event=EventFactory(), user=user)
    pk = notify(registration=registration, kind=Notification.Kind.CONFIRMED)

    def gateway_down(*, phone, template, params):
        raise ConnectionError("sms gateway down")

    monkeypatch.setattr("xiangcheng.core.channels.send_sms", gateway_down)
    with pytest.raises(ConnectionError):
        deliver(notification_id=pk)
    notification = Notification.objects.get(pk=pk)
    assert (notification.channels_sent, notification.sent_at, notification.last_error) == (
        ["email"], None, "sms gateway down")
    assert (len(mail.outbox), sms.outbox) == (1, [])

    monkeypatch.undo()
    assert deliver_unsent() == 1
    notification.refresh_from_db()
    assert notification.channels_sent == ["email", "sms"] and notification.sent_at is not None
    # Her email came once; the SMS came on the retry.
    assert (len(mail.outbox), [m.phone for m in sms.outbox]) == (1, ["13912345678"])
