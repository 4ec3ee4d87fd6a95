"""The one outbox: a notice is recorded once, claimed once, skipped when it no longer applies or
her account is closed, retried (up to MAX_ATTEMPTS) when sending fails, then marked failed for
staff to retry. Event confirmations serve as the example kind. Eager Celery; on_commit
callbacks of these non-transactional tests run only where a test captures them."""

import logging
import smtplib
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events import notices as event_notices
from events.models import Registration
from events.notices import notify_registration
from tests import channel_stand_ins
from tests.events.factories import EventFactory, RegistrationFactory
from tests.events.helpers import mail_subject
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import zh
from xiangcheng.core import outbox
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import MAX_ATTEMPTS, deliver, retry_unsent
from xiangcheng.core.sms import SmsRejected
from xiangcheng.core.sms import outbox as sms_outbox

State = Notice.State


@pytest.fixture
def no_grace(settings):
    """retry_unsent may take rows created a moment ago (the default grace is 30 s)."""
    settings.OUTBOX_GRACE_SECONDS = 0


@pytest.fixture
def refusing(smtp_server):
    """The mail server refuses every recipient the test adds to this set (until it clears it)."""
    return smtp_server.refused


def refused_error(address: str) -> str:
    return f"SMTPRecipientsRefused: {{'{address}': (550, b'5.1.1 mailbox unavailable')}}"


def confirm(registration: Registration) -> int:
    return notify_registration(registration=registration, kind=event_notices.CONFIRMED)[0]


@pytest.mark.django_db
def test_a_notice_is_recorded_once_per_kind_and_key():
    registration = RegistrationFactory()
    first = notify_registration(registration=registration, kind=event_notices.CONFIRMED)
    again = notify_registration(registration=registration, kind=event_notices.CONFIRMED)
    changed_1 = notify_registration(registration=registration, kind=event_notices.CHANGED, key="20310101120000")
    changed_2 = notify_registration(registration=registration, kind=event_notices.CHANGED, key="20310102120000")

    assert (first[1], again) == (True, (first[0], False))
    assert len({first[0], changed_1[0], changed_2[0]}) == 3
    r = registration.pk
    assert sorted(Notice.objects.values_list("kind", "key", "target_type", "target_id", "recipient")) == [
        ("events.changed", f"events.changed:{r}:20310101120000", ContentType.objects.get_for_model(Registration).pk,
         r, registration.user_id),
        ("events.changed", f"events.changed:{r}:20310102120000", ContentType.objects.get_for_model(Registration).pk,
         r, registration.user_id),
        ("events.confirmed", f"events.confirmed:{r}:", ContentType.objects.get_for_model(Registration).pk,
         r, registration.user_id),
    ]


@pytest.mark.django_db
def test_deliver_claims_once_so_two_calls_send_one_email_and_keep_the_text():
    registration = RegistrationFactory()
    pk = confirm(registration)

    assert deliver(notice_id=pk) is True
    assert deliver(notice_id=pk) is False
    assert retry_unsent() == 0

    assert [m.to for m in mail.outbox] == [[registration.user.email]]
    notice = Notice.objects.get(pk=pk)
    assert (notice.state, notice.attempts, notice.last_error, notice.channels_sent) == (State.SENT, 1, "", ["email"])
    # What she was sent is kept for 我的消息.
    assert (notice.subject, notice.body, notice.url) == (
        mail.outbox[0].subject.removeprefix("[相城区女科技工作者联盟] "), mail.outbox[0].body,
        reverse("events:detail", args=[registration.event_id]))


@pytest.mark.django_db
def test_a_claim_held_by_another_worker_is_respected_until_its_lease_ends(settings):
    settings.OUTBOX_LEASE_SECONDS = 300
    registration = RegistrationFactory()
    pk = confirm(registration)
    Notice.objects.filter(pk=pk).update(claimed_at=timezone.now() - timedelta(seconds=299), attempts=1)

    assert deliver(notice_id=pk) is False  # another worker is sending it
    assert mail.outbox == []

    Notice.objects.filter(pk=pk).update(claimed_at=timezone.now() - timedelta(seconds=301))
    assert deliver(notice_id=pk) is True  # that worker died; its lease ran out
    assert [m.to for m in mail.outbox] == [[registration.user.email]]
    assert Notice.objects.get(pk=pk).attempts == 2


@pytest.mark.django_db
def test_a_failed_send_is_logged_releases_the_claim_and_the_retry_job_sends_it(
        no_grace, smtp_server, refusing, caplog):
    registration = RegistrationFactory()
    address = registration.user.email
    refusing.add(address)
    pk = confirm(registration)

    with caplog.at_level(logging.WARNING, logger="xiangcheng.core.outbox"), \
            pytest.raises(smtplib.SMTPRecipientsRefused):
        deliver(notice_id=pk)

    error = refused_error(address)
    notice = Notice.objects.get(pk=pk)
    assert (notice.state, notice.claimed_at, notice.sent_at, notice.attempts, notice.last_error) == (
        State.PENDING, None, None, 1, error)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [(
        "WARNING", f"notice {pk} (events.confirmed) to user {registration.user_id} failed (attempt 1 of 5), "
                   f"will retry: {error}")]
    assert retry_unsent() == 0  # still failing: recorded, not raised
    assert smtp_server.recipients_tried[address] == 2

    refusing.clear()  # the mailbox is back
    assert retry_unsent() == 1
    assert retry_unsent() == 0

    assert smtp_server.messages == [(address, mail_subject("You are signed up: %(t)s", registration.event.title))]
    notice.refresh_from_db()
    assert (notice.state, notice.attempts, notice.last_error) == (State.SENT, 3, "")


@pytest.mark.django_db
def test_a_notice_that_keeps_failing_gives_up_logs_an_error_and_staff_can_retry_it(
        no_grace, smtp_server, refusing, caplog, django_capture_on_commit_callbacks):
    registration = RegistrationFactory()
    address = registration.user.email
    refusing.add(address)
    pk = confirm(registration)

    with caplog.at_level(logging.ERROR, logger="xiangcheng.core.outbox"):
        results = [retry_unsent() for _ in range(MAX_ATTEMPTS + 3)]

    assert results == [0] * (MAX_ATTEMPTS + 3)
    assert smtp_server.recipients_tried[address] == MAX_ATTEMPTS == 5
    notice = Notice.objects.get(pk=pk)
    assert (notice.state, notice.attempts, notice.sent_at, notice.claimed_at) == (State.FAILED, 5, None, None)
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.ERROR] == [(
        "ERROR", f"notice {pk} (events.confirmed) to user {registration.user_id} failed 5 times and gave up: "
                 f"{refused_error(address)}")]

    refusing.clear()
    assert deliver(notice_id=pk) is False  # given up: only staff bring it back
    assert smtp_server.messages == []

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.notices_retry(notice_ids=[pk, pk + 1000]) == 1
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == (State.SENT, 1)
    assert smtp_server.per_recipient() == {address: 1}


@pytest.mark.django_db
def test_a_fresh_row_is_left_to_its_own_task_during_the_grace_period(settings):
    settings.OUTBOX_GRACE_SECONDS = 30
    registration = RegistrationFactory()
    pk = confirm(registration)

    assert retry_unsent() == 0
    Notice.objects.filter(pk=pk).update(created_at=timezone.now() - timedelta(seconds=31))
    assert retry_unsent() == 1
    assert [m.to for m in mail.outbox] == [[registration.user.email]]


@pytest.mark.django_db
def test_when_the_sms_fails_after_the_email_the_retry_sends_only_the_sms(no_grace, refused_phones):
    user = UserFactory(phone="13912345678", phone_verified=True)  # a verified email too
    MemberProfileFactory(user=user)
    pk = confirm(RegistrationFactory(event=EventFactory(), user=user))

    refused_phones.add("13912345678")
    with pytest.raises(SmsRejected):
        deliver(notice_id=pk)
    # The email was written on the row before the SMS was tried, not only when the SMS failed.
    assert channel_stand_ins.ROWS_AT_SMS == [[["email"]]]
    notice = Notice.objects.get(pk=pk)
    assert (notice.channels_sent, notice.state, notice.last_error) == (
        ["email"], State.PENDING, "SmsRejected: isv.MOBILE_NUMBER_ILLEGAL: 13912345678")
    assert (len(mail.outbox), sms_outbox) == (1, [])

    refused_phones.clear()
    assert retry_unsent() == 1
    notice.refresh_from_db()
    assert (notice.channels_sent, notice.state) == (["email", "sms"], State.SENT)
    # Her email came once; the SMS came on the retry.
    assert (len(mail.outbox), [m.phone for m in sms_outbox]) == (1, ["13912345678"])


@pytest.mark.django_db
def test_a_member_with_no_verified_contact_still_finds_it_in_her_messages():
    user = UserFactory(email="")
    pk = confirm(RegistrationFactory(user=user))

    assert deliver(notice_id=pk) is True

    notice = Notice.objects.get(pk=pk)
    assert (notice.state, notice.channels_sent, mail.outbox, sms_outbox) == (State.SENT, [], [], [])
    assert notice.subject == zh("You are signed up: %(t)s", t=notice.target.event.title)


@pytest.mark.django_db
def test_notices_to_a_deactivated_account_stop():
    registration = RegistrationFactory()
    pk = confirm(registration)
    type(registration.user).objects.filter(pk=registration.user_id).update(is_active=False)

    assert deliver(notice_id=pk) is False

    assert (Notice.objects.get(pk=pk).state, mail.outbox) == (State.SKIPPED, [])


@pytest.mark.django_db
def test_every_declared_kind_names_a_permission_and_a_label():
    assert outbox.KINDS  # the apps declared theirs at start-up
    assert {name: (bool(kind.permission), bool(str(kind.label))) for name, kind in outbox.KINDS.items()} == {
        name: (True, True) for name in outbox.KINDS}
    assert {name.split(".")[0] for name in outbox.KINDS} == {"calls", "dashboard", "events", "inbox", "jobs", "matching",
                                                          "members", "offerings", "requests"}


@pytest.mark.django_db
def test_a_row_left_pending_with_no_attempt_remaining_is_marked_failed(no_grace, caplog):
    lost = confirm(RegistrationFactory())
    waiting = confirm(RegistrationFactory())
    long_ago = timezone.now() - timedelta(hours=1)
    Notice.objects.filter(pk=lost).update(attempts=MAX_ATTEMPTS, claimed_at=long_ago)  # its worker died
    Notice.objects.filter(pk=waiting).update(attempts=1)

    with caplog.at_level(logging.ERROR, logger="xiangcheng.core.outbox"):
        assert retry_unsent() == 1

    assert Notice.objects.get(pk=lost).state == State.FAILED
    assert Notice.objects.get(pk=lost).last_error == f"no outcome after {MAX_ATTEMPTS} attempts"
    assert Notice.objects.get(pk=waiting).state == State.SENT
    assert "1 notices had no outcome after 5 attempts and are marked failed" in caplog.text


def test_the_fan_out_insert_names_every_column_of_the_notice_table():
    """notify_many writes rows with its own INSERT: a required field added to Notice must be
    added there (the nullable ones it leaves out start empty)."""
    columns = outbox._INSERT.split("(", 1)[1].split(")", 1)[0]
    named = {column.strip() for column in columns.split(",")}
    fields = [f for f in Notice._meta.concrete_fields if not f.primary_key]
    assert {f.column for f in fields if not f.null} <= named <= {f.column for f in fields}
    assert {f.column for f in fields} - named == {"claimed_at", "read_at", "sent_at"}


def test_a_hidden_part_of_the_body_is_sent_but_kept_masked_on_the_row():
    """An invitation's link is its key: the row staff read in admin keeps the body without it."""
    message = outbox.Message(subject="s", body="Open https://x/k3y/ within 7 days.", hidden="https://x/k3y/")
    assert message.body_kept() == f"Open {outbox.HIDDEN_MARK} within 7 days."
    assert outbox.Message(subject="s", body="plain").body_kept() == "plain"
