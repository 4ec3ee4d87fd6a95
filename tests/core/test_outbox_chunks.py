"""The outbox delivers a chunk of notices at a time: one claim, one SMTP connection, one failing
row never failing or resending the others. The mail server is a real one on loopback
(tests.channel_stand_ins) that counts its connections; Celery runs eagerly here, the real
workers are in tests/events/test_worker.py."""

import logging
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from events import notices as event_notices
from events.notices import notify_registrations
from events.reminders import reminders_scan
from tests.events.factories import EventFactory, RegistrationFactory
from tests.events.helpers import mail_subject
from tests.factories import MemberProfileFactory, UserFactory
from xiangcheng.core import outbox
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import MAX_ATTEMPTS, deliver_many, retry_unsent
from xiangcheng.core.sms import outbox as sms_outbox

State = Notice.State
ROUNDS_WITHOUT_CLAIM = 20


@pytest.fixture
def no_grace(settings):
    settings.OUTBOX_GRACE_SECONDS = 0


def confirmations(registrations) -> list[int]:
    return notify_registrations(registrations=[(r.pk, r.user_id) for r in registrations],
                                kind=event_notices.CONFIRMED)


def rows() -> list[tuple[int, str, int, list[str]]]:
    return list(Notice.objects.order_by("pk").values_list("pk", "state", "attempts", "channels_sent"))


@pytest.mark.django_db
def test_a_chunk_with_one_refused_recipient_sends_the_others_once_and_retries_that_one(
        no_grace, smtp_server, caplog):
    event = EventFactory(title="数字技能训练营")
    registrations = [RegistrationFactory(event=event) for _ in range(5)]
    pks = confirmations(registrations)
    refused = registrations[2].user.email
    smtp_server.refused.add(refused)
    subject = mail_subject("You are signed up: %(t)s", event.title)

    with caplog.at_level(logging.WARNING, logger="xiangcheng.core.outbox"):
        outcome = deliver_many(notice_ids=pks)
        caplog.handler.flush()
        warnings = [(r.levelname, r.getMessage()) for r in caplog.records]

    assert (outcome.sent, list(outcome.failed), outcome.skipped) == ([p for p in pks if p != pks[2]], [pks[2]], [])
    assert smtp_server.connections == 1  # the refusal did not drop the connection
    assert sorted(smtp_server.messages) == sorted((r.user.email, subject) for r in registrations if r.user.email
                                                  != refused)
    error = f"SMTPRecipientsRefused: {{'{refused}': (550, b'5.1.1 mailbox unavailable')}}"
    assert warnings == [(
        "WARNING", f"notice {pks[2]} (events.confirmed) to user {registrations[2].user_id} failed "
                   f"(attempt 1 of {MAX_ATTEMPTS}), will retry: {error}")]
    assert rows() == [(pk, State.PENDING if pk == pks[2] else State.SENT, 1, [] if pk == pks[2] else ["email"])
                      for pk in pks]
    assert Notice.objects.get(pk=pks[2]).last_error == error

    # The same chunk delivered again (the broker handed the task out twice): only the failed
    # row, given back at once, is tried again; nothing sent is resent.
    assert str(deliver_many(notice_ids=pks)) == "0 sent, 0 skipped, 1 failed, 0 given back"
    assert smtp_server.recipients_tried[refused] == 2

    smtp_server.refused.clear()
    assert retry_unsent() == 1
    assert smtp_server.per_recipient() == Counter({r.user.email: 1 for r in registrations})
    assert rows() == [(pk, State.SENT, 3 if pk == pks[2] else 1, ["email"]) for pk in pks]
    assert smtp_server.connections == 3


@pytest.mark.django_db
def test_an_sms_refused_for_one_member_is_retried_alone_and_her_email_is_not_resent(no_grace, refused_phones):
    users = [UserFactory(phone=f"1391234567{i}", phone_verified=True) for i in range(3)]
    for user in users:
        MemberProfileFactory(user=user)
    event = EventFactory()
    pks = confirmations([RegistrationFactory(event=event, user=user) for user in users])
    refused_phones.add("13912345671")

    outcome = deliver_many(notice_ids=pks)

    assert (outcome.sent, list(outcome.failed)) == ([pks[0], pks[2]], [pks[1]])
    assert rows() == [(pks[0], State.SENT, 1, ["email", "sms"]), (pks[1], State.PENDING, 1, ["email"]),
                      (pks[2], State.SENT, 1, ["email", "sms"])]
    assert [m.phone for m in sms_outbox] == ["13912345670", "13912345672"]

    refused_phones.clear()
    assert retry_unsent() == 1
    assert rows()[1] == (pks[1], State.SENT, 2, ["email", "sms"])
    assert [m.phone for m in sms_outbox] == ["13912345670", "13912345672", "13912345671"]


@pytest.mark.django_db
def test_many_reminders_go_over_one_smtp_connection_per_chunk(
        monkeypatch, smtp_server, django_capture_on_commit_callbacks):
    monkeypatch.setattr(outbox, "CHUNK", 10)
    starts_at = (timezone.now() + timedelta(minutes=90)).replace(microsecond=0)
    event = EventFactory(starts_at=starts_at, capacity=30, title="女性科技人才圆桌论坛")
    registrations = [RegistrationFactory(event=event) for _ in range(25)]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert reminders_scan() == 25

    assert len(callbacks) == 1  # one enqueue for the scan, three tasks of 10, 10 and 5 rows
    assert smtp_server.connections == 3
    assert smtp_server.per_recipient() == Counter({r.user.email: 1 for r in registrations})
    assert {subject for _, subject in smtp_server.messages} == {mail_subject("Reminder: %(t)s", event.title)}
    assert list(Notice.objects.order_by().values_list("state", "attempts").distinct()) == [(State.SENT, 1)]


@pytest.mark.django_db
def test_a_chunk_that_runs_out_of_its_lease_gives_the_rest_back_uncounted(settings, smtp_server, caplog):
    settings.OUTBOX_LEASE_SECONDS = 1e-6  # half of it is over once the first row is sent
    event = EventFactory()
    registrations = [RegistrationFactory(event=event) for _ in range(4)]
    pks = confirmations(registrations)

    with caplog.at_level(logging.WARNING, logger="xiangcheng.core.outbox"):
        outcome = deliver_many(notice_ids=pks)

    # Each given-back rest is enqueued again (run inline here) and sends its first row.
    assert (outcome.sent, outcome.given_back) == ([pks[0]], pks[1:])
    assert [r.getMessage() for r in caplog.records] == [
        f"a delivery ran out of time; {n} notices enqueued again" for n in (3, 2, 1)]
    assert rows() == [(pk, State.SENT, 1, ["email"]) for pk in pks]
    assert smtp_server.per_recipient() == Counter({r.user.email: 1 for r in registrations})
    assert smtp_server.connections == 4
