"""What members are told about their registrations: after commit, only while still true, by SMS
from the approved template, and the online link only to confirmed participants."""

import pytest
from django.core import mail
from django.utils import timezone

from events import notices
from events.booking import cancel, sign_up
from events.models import RegistrationStatus
from events.notices import notify_registration
from tests.events.factories import EventFactory, RegistrationFactory
from tests.events.helpers import mail_subject
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import zh
from xiangcheng.core import sms
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import deliver, retry_unsent


@pytest.mark.django_db
def test_sign_up_delivers_her_confirmation_after_commit(django_capture_on_commit_callbacks):
    event = EventFactory(title="产业资源对接沙龙 第9期")
    member = MemberProfileFactory().user

    with django_capture_on_commit_callbacks() as callbacks:
        registration = sign_up(event_id=event.pk, user=member)
        assert mail.outbox == []  # nothing is sent inside the transaction
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()

    assert registration.status == RegistrationStatus.CONFIRMED
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([member.email], mail_subject("You are signed up: %(t)s", event.title))]
    notice = Notice.objects.get()
    assert (notice.kind, notice.attempts, notice.state) == ("events.confirmed", 1, Notice.State.SENT)


@pytest.mark.django_db
def test_a_confirmation_she_cancelled_before_delivery_is_skipped():
    event = EventFactory()
    member = MemberProfileFactory().user
    registration = sign_up(event_id=event.pk, user=member)  # its after-commit delivery has not run
    cancel(registration=registration, user=member)

    pk = Notice.objects.get(kind="events.confirmed", target_id=registration.pk).pk
    assert deliver(notice_id=pk) is False

    notice = Notice.objects.get(pk=pk)
    assert (notice.state, notice.sent_at is not None, notice.attempts) == (Notice.State.SKIPPED, True, 1)
    assert mail.outbox == []
    assert retry_unsent() == 0  # a skipped message is done, not retried


@pytest.mark.django_db
def test_a_member_who_joined_by_phone_gets_the_event_sms_template_and_no_email():
    user = UserFactory(email="", phone="13912345678", phone_verified=True)
    MemberProfileFactory(user=user)
    event = EventFactory(title="女科技工作者创新训练营")
    pk = notify_registration(registration=RegistrationFactory(event=event, user=user), kind=notices.CONFIRMED)[0]

    assert deliver(notice_id=pk) is True
    assert deliver(notice_id=pk) is False

    assert mail.outbox == []
    assert [m.phone for m in sms.outbox] == ["13912345678"]
    when = timezone.localtime(event.starts_at).strftime("%-m/%-d %H:%M")
    subject = zh("You are signed up: %(t)s", t=event.title)
    assert (sms.outbox[0].template, sms.outbox[0].params) == (
        "event_notice", {"subject": subject, "time": when, "place": event.venue.name})
    assert sms.outbox[0].text == zh("{subject}. {time}, {place}. Details on the portal.").format(
        subject=subject, time=when, place=event.venue.name)


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "kind", "gets_link"), [
    (RegistrationStatus.CONFIRMED, notices.CONFIRMED, True),
    (RegistrationStatus.WAITLISTED, notices.WAITLISTED, False),
    (RegistrationStatus.PENDING, notices.PENDING, False),
    (RegistrationStatus.REJECTED, notices.REJECTED, False),
])
def test_only_a_confirmed_participant_is_sent_the_online_link(status, kind, gets_link):
    event = EventFactory(venue=None, online_url="https://meeting.example.cn/j/8842")
    registration = RegistrationFactory(event=event, status=status)
    pk = notify_registration(registration=registration, kind=kind)[0]

    assert deliver(notice_id=pk) is True

    [email] = mail.outbox
    assert ("https://meeting.example.cn/j/8842" in email.body) is gets_link
    assert ("https://meeting.example.cn/j/8842" in Notice.objects.get(pk=pk).body) is gets_link
    assert (zh("Online: the link is sent to confirmed participants.") in email.body) is not gets_link
