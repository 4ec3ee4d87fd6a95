"""Event messages sent exactly once by real Celery workers over the real Redis broker.

Workers are separate processes (tests/worker_support.py) on the test database and this
run's Redis database; they write each email to a file the test counts. Their outbox lease is
2 s and their grace 0 s, so the retry job can take over a dead worker's claims within a test.
The test process publishes for real too (task_always_eager is off here).
"""

import logging
import re
from collections import Counter
from datetime import timedelta

import pytest
from celery.signals import before_task_publish
from django.db import connection, transaction
from django.utils import timezone

from events.booking import sign_up
from events.models import RegistrationStatus
from events.reminders import reminder_key, reminders_scan
from events.tasks import scan_reminders
from tests.concurrency import race
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import MemberProfileFactory
from tests.worker_support import (
    Worker,
    broker_unreachable,
    inflight_ages,
    mails,
    mails_per_recipient,
    queue_length,
    wait_until,
)
from xiangcheng import celery_app
from xiangcheng.core.models import Notice
from xiangcheng.core.tasks import deliver_notices, retry_unsent_notices

from .helpers import mail_subject, notice_suffix

DELIVER = r"xiangcheng\.core\.tasks\.deliver_notices"
DRAIN = r"xiangcheng\.core\.tasks\.deliver_fresh_notices"
DRAIN_TASK = "xiangcheng.core.tasks.deliver_fresh_notices"
SCAN = r"events\.tasks\.scan_reminders"
RETRY = r"xiangcheng\.core\.tasks\.retry_unsent_notices"

DEADLINE = 30.0
WORKER_LEASE = timedelta(seconds=2)  # OUTBOX_LEASE_SECONDS given to the workers


@pytest.fixture
def published():
    """Names of the tasks this process publishes, and whether a transaction was open then."""
    seen: list[tuple[str, bool]] = []

    def record(sender=None, **kwargs):
        seen.append((sender, connection.in_atomic_block))

    before_task_publish.connect(record, weak=False)
    yield seen
    before_task_publish.disconnect(record)


def _task_lines(workers: list[Worker], task: str, outcome: str) -> list[str]:
    pattern = re.compile(rf"Task {task}\[[0-9a-f-]+\] {outcome}")
    return [line for worker in workers for line in worker.log_path.read_text().splitlines()
            if pattern.search(line)]


def _activity(workers: list[Worker]) -> tuple[int, int, int]:
    """(messages queued, tasks received, tasks finished)."""
    return (queue_length(), len(_task_lines(workers, r"[\w.]+", "received")),
            len(_task_lines(workers, r"[\w.]+", "(succeeded|raised|failed)")))


def _quiet(workers: list[Worker]) -> bool:
    """Nothing waiting in the queue and every task a worker received has finished."""
    queued, received, finished = _activity(workers)
    return queued == 0 and received == finished


def _wait_quiet(workers: list[Worker]) -> None:
    # Quiet at three polls in a row: a message just popped from the queue is logged as
    # received a moment later.
    streak = [0]

    def settled() -> bool:
        streak[0] = streak[0] + 1 if _quiet(workers) else 0
        return streak[0] >= 3

    wait_until(settled, timeout=DEADLINE, what="the workers to finish", state=lambda: _activity(workers))


def _sent_by_tasks(workers: list[Worker]) -> list[int]:
    """How many notices each finished delivery task sent, as its result line says."""
    return [int(re.search(r"'(\d+) sent", line).group(1))
            for line in _task_lines(workers, DELIVER, r"succeeded in [0-9.]+s: '\d+ sent")]


def _sent(**filters) -> int:
    return Notice.objects.filter(state=Notice.State.SENT, **filters).count()


def test_sign_ups_are_enqueued_after_commit_and_each_member_is_told_once(workers, published, mail_dir):
    worker = workers("signups")
    event = EventFactory(capacity=4, title="产业资源对接沙龙 第1期")
    members = [MemberProfileFactory().user for _ in range(6)]

    for member in members[:4]:
        sign_up(event_id=event.pk, user=member)
    with transaction.atomic():  # e.g. a view's request transaction
        for member in members[4:]:
            sign_up(event_id=event.pk, user=member)
        assert Notice.objects.count() == 6
        outside = list(published)
    # Each sign-up's notice joins the fresh list after its commit; the first since the last drain
    # publishes a drain (a drain may have run in between: then the next one publishes again).
    assert outside and set(outside) == {(DRAIN_TASK, False)}
    assert set(published[len(outside):]) <= {(DRAIN_TASK, False)}  # after the commit, if at all
    wait_until(lambda: _sent() == 6, timeout=DEADLINE, what="six messages sent")
    _wait_quiet([worker])

    assert mails_per_recipient(mail_dir) == Counter({member.email: 1 for member in members})
    assert sorted(mails(mail_dir)) == sorted(
        [(m.email, mail_subject("You are signed up: %(t)s", event.title)) for m in members[:4]]
        + [(m.email, mail_subject("You are on the waitlist: %(t)s", event.title)) for m in members[4:]])
    drained = [int(re.search(r"'(\d+) sent", line).group(1))
               for line in _task_lines([worker], DRAIN, r"succeeded in [0-9.]+s: '\d+ sent, 0 skipped, 0 failed")]
    assert sum(drained) == 6 and len(drained) <= len(published)
    assert sorted(Notice.objects.values_list("kind", "attempts", "state")) == (
        [("events.confirmed", 1, "sent")] * 4 + [("events.waitlisted", 1, "sent")] * 2)


def test_six_reminder_scans_at_once_send_each_reminder_once(workers, mail_dir):
    pool = [workers("scan-a"), workers("scan-b")]
    starts_at = (timezone.now() + timedelta(minutes=90)).replace(microsecond=0)
    event = EventFactory(starts_at=starts_at, title="女性科技人才圆桌论坛")
    registrations = [RegistrationFactory(event=event) for _ in range(12)]
    RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED)

    def beat_job_three_times():  # the beat job, three times at once, to two workers
        for _ in range(3):
            scan_reminders.delay()

    # Three scans here, released together with the three enqueued for the workers.
    created, errors = race(reminders_scan, [()] * 3, alongside=beat_job_three_times)

    assert errors == []
    wait_until(lambda: len(_task_lines(pool, SCAN, "succeeded")) == 3, timeout=DEADLINE,
               what="three scans in the workers")
    _wait_quiet(pool)

    key = reminder_key(offset_minutes=120, starts_at=starts_at)
    assert sorted((n.target_id, n.kind, notice_suffix(n)) for n in Notice.objects.all()) == sorted(
        (r.pk, "events.reminder", key) for r in registrations)
    assert mails_per_recipient(mail_dir) == Counter({r.user.email: 1 for r in registrations})
    assert {s for _, s in mails(mail_dir)} == {mail_subject("Reminder: %(t)s", event.title)}
    # Each scan that created rows enqueued them as one chunk; together they sent each row once.
    assert sum(_sent_by_tasks(pool)) == 12
    assert list(Notice.objects.order_by().values_list("attempts", "state").distinct()) == [(1, "sent")]
    in_workers = [int(line.rsplit(": ", 1)[1]) for line in _task_lines(pool, SCAN, "succeeded")]
    assert sum(created) + sum(in_workers) == 12  # each row created by exactly one of the six scans


def test_one_chunk_taken_by_four_worker_processes_at_once_sends_each_message_once(workers, mail_dir):
    """A broker may hand a task out more than once; the claim gives each row to one process."""
    pool = [workers("dup-a"), workers("dup-b")]
    event = EventFactory(title="科企对接会")
    registrations = [RegistrationFactory(event=event) for _ in range(10)]
    # Rows as notify writes them, but not enqueued: the test enqueues their chunk four times.
    pks = [Notice.objects.create(recipient=r.user, kind="events.confirmed", key=f"events.confirmed:{r.pk}:",
                                 target=r).pk for r in registrations]

    for _ in range(4):  # adjacent in the queue: the four pool processes take them together
        deliver_notices.delay(notice_ids=pks)
    wait_until(lambda: _sent() == 10, timeout=DEADLINE, what="ten messages sent")
    _wait_quiet(pool)

    assert mails_per_recipient(mail_dir) == Counter({r.user.email: 1 for r in registrations})
    sent_by_tasks = _sent_by_tasks(pool)
    assert (len(sent_by_tasks), sum(sent_by_tasks)) == (4, 10)
    assert list(Notice.objects.order_by().values_list("attempts", "state").distinct()) == [(1, "sent")]


def test_a_worker_killed_mid_chunk_still_sends_every_message_once(workers, mail_dir):
    pause = 0.25  # per message, in the first worker's email backend
    # Its lease is long enough for the whole chunk (a chunk gives rows back after half of it);
    # the rescuing worker's is 2 s, so it takes the dead worker's rows over within the test.
    first = workers("doomed", env={"DJANGO_EMAIL_BACKEND": "tests.worker_support.FileEmailBackend",
                                   "TEST_EMAIL_PAUSE_SECONDS": str(pause), "OUTBOX_LEASE_SECONDS": "60"})
    starts_at = (timezone.now() + timedelta(minutes=90)).replace(microsecond=0)
    event = EventFactory(starts_at=starts_at, capacity=40)
    registrations = [RegistrationFactory(event=event) for _ in range(30)]

    assert reminders_scan() == 30  # 30 rows; one chunk enqueued on commit

    def mid_chunk() -> bool:
        # Some sent, and the process early in the pause before its next message: far from the
        # instant between writing a message and recording it sent.
        ages = inflight_ages(mail_dir)
        return _sent() >= 4 and len(ages) == 1 and max(ages) < pause / 2

    wait_until(mid_chunk, timeout=DEADLINE, what="the first worker to be mid-chunk")
    first.kill()

    sent_before = _sent()
    orphans = list(Notice.objects.filter(state=Notice.State.PENDING, claimed_at__isnull=False)
                   .values_list("pk", flat=True))
    assert 4 <= sent_before < 30
    assert len(orphans) == 30 - sent_before  # the rest of the chunk: claimed, unsent
    assert len(mails(mail_dir)) == sent_before

    second = workers("rescue")
    wait_until(lambda: queue_length() == 0 and not Notice.objects.filter(
        state=Notice.State.PENDING, claimed_at__gte=timezone.now() - WORKER_LEASE).exists(),
        timeout=DEADLINE, what="the queue drained and the dead worker's claims expired")
    retry_unsent_notices.delay()  # the periodic retry job
    wait_until(lambda: _sent() == 30, timeout=DEADLINE, what="all thirty sent")
    _wait_quiet([second])

    assert mails_per_recipient(mail_dir) == Counter({r.user.email: 1 for r in registrations})
    assert len(mails(mail_dir)) == 30
    assert Notice.objects.filter(state=Notice.State.SENT).count() == 30
    attempts = dict(Notice.objects.values_list("pk", "attempts"))
    assert {pk: attempts[pk] for pk in orphans} == dict.fromkeys(orphans, 2)  # dead worker, then retry
    assert Counter(attempts.values()) == Counter({1: sent_before, 2: 30 - sent_before})


def test_with_the_broker_down_the_sign_up_succeeds_and_the_retry_job_sends_later(
        workers, mail_dir, tmp_path, caplog):
    event = EventFactory(title="巾帼创新创业训练营")
    member = MemberProfileFactory().user

    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"), \
            broker_unreachable(celery_app, tmp_path):
        registration = sign_up(event_id=event.pk, user=member)

    assert registration.status == RegistrationStatus.CONFIRMED
    # The enqueue failed after commit (logged, not raised into the sign-up).
    assert [(r.levelname, r.exc_info[0].__name__) for r in caplog.records
            if r.name == "django.db.backends.base"] == [("ERROR", "OperationalError")]
    notice = Notice.objects.get()
    assert (notice.kind, notice.state, notice.claimed_at, notice.attempts) == ("events.confirmed", "pending", None, 0)

    worker = workers("after-outage")
    retry_unsent_notices.delay()
    wait_until(lambda: _sent() == 1, timeout=DEADLINE, what="the confirmation sent")
    _wait_quiet([worker])

    assert mails(mail_dir) == [(member.email, mail_subject("You are signed up: %(t)s", event.title))]
    notice.refresh_from_db()
    assert (notice.attempts, notice.state) == (1, "sent")
