"""Single notices — one request's sign-up confirmation — share drain tasks: the first one since the
last drain publishes a drain that waits a moment for others, the rest join the fresh list it
takes, a chunk at a time, over one SMTP connection. This process publishes to the real Redis
broker here and plays the worker by running the drain itself; tests/events/test_worker.py has
real workers."""

from datetime import datetime, timedelta

import pytest
import time_machine
from celery.signals import before_task_publish
from django.utils import timezone

from events.booking import sign_up
from tests.events.factories import EventFactory
from tests.factories import MemberProfileFactory
from tests.worker_support import broker_unreachable, queue_length
from xiangcheng import celery_app
from xiangcheng.core import outbox
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import DRAIN_TASK, FRESH_GATHER_SECONDS, fresh_drain

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_up(django_capture_on_commit_callbacks):
    """``signed_up(n)``: n members sign up for one event, each in her own transaction, as n
    requests would; returns the pks of their notices."""
    event = EventFactory(capacity=50, title="产业资源对接沙龙")

    def sign_ups(n: int) -> list[int]:
        before = set(Notice.objects.values_list("pk", flat=True))
        for _ in range(n):
            member = MemberProfileFactory().user
            with django_capture_on_commit_callbacks(execute=True):
                sign_up(event_id=event.pk, user=member)
        return sorted(set(Notice.objects.values_list("pk", flat=True)) - before)

    return sign_ups


def test_the_notices_of_five_sign_ups_wait_for_one_drain_and_go_over_one_connection(
        published_tasks, signed_up, smtp_server):
    pks = signed_up(5)

    assert (published_tasks, queue_length("notifications")) == ([DRAIN_TASK], 1)
    outcome = fresh_drain()  # the worker's turn

    assert (outcome.sent, outcome.failed, outcome.skipped) == (pks, {}, [])
    assert smtp_server.connections == 1
    assert sorted(to for to, _ in smtp_server.messages) == sorted(
        Notice.objects.filter(pk__in=pks).values_list("recipient__email", flat=True))
    # The drain took the kick away: the next sign-up's notice publishes the next drain.
    assert signed_up(1) and published_tasks == [DRAIN_TASK, DRAIN_TASK]


def test_a_drain_takes_a_chunk_and_kicks_the_next_drain_for_the_rest(published_tasks, signed_up, monkeypatch, smtp_server):
    monkeypatch.setattr(outbox, "CHUNK", 2)
    pks = signed_up(5)
    assert published_tasks == [DRAIN_TASK]

    taken = [fresh_drain().sent for _ in range(3)]

    assert taken == [pks[:2], pks[2:4], pks[4:]]
    # Each drain that left notices behind published the next one; the last left none.
    assert published_tasks == [DRAIN_TASK] * 3
    assert fresh_drain().sent == []
    assert set(Notice.objects.values_list("state", flat=True)) == {Notice.State.SENT}


def test_a_notice_added_while_a_drain_delivers_kicks_a_new_drain(published_tasks, signed_up, monkeypatch, smtp_server):
    first = signed_up(1)
    deliver_many = outbox.deliver_many
    during: list[int] = []

    def deliver_while_another_request_signs_up(*, notice_ids):
        during.extend(signed_up(1))  # after this drain took its ids
        return deliver_many(notice_ids=notice_ids)

    monkeypatch.setattr(outbox, "deliver_many", deliver_while_another_request_signs_up)
    assert fresh_drain().sent == first
    monkeypatch.setattr(outbox, "deliver_many", deliver_many)

    # Not stranded behind a kick nobody will drain: it published its own drain, which sends it.
    assert published_tasks == [DRAIN_TASK, DRAIN_TASK]
    assert fresh_drain().sent == during


def test_with_the_broker_down_the_notice_waits_in_the_list_and_the_next_one_kicks_again(
        published_tasks, signed_up, tmp_path, smtp_server, caplog):
    with broker_unreachable(celery_app, tmp_path):
        stranded = signed_up(1)  # the sign-up stands; the failed publish is logged after commit
    assert queue_length("notifications") == 0
    assert Notice.objects.get(pk=stranded[0]).state == Notice.State.PENDING
    tried = len(published_tasks)

    later = signed_up(1)

    # The failed publish let go of the kick, so this notice published a drain at once, which
    # takes both.
    assert (published_tasks[tried:], queue_length("notifications")) == ([DRAIN_TASK], 1)
    assert fresh_drain().sent == stranded + later


def test_the_first_drain_waits_two_seconds_to_gather_others_and_a_drain_leaving_some_kicks_at_once(
        published_tasks, signed_up, monkeypatch, smtp_server):
    """A rush's confirmations leave its sign-ups the machine's CPU while they arrive, and go out
    together a moment later; notices already waiting are not held back."""
    now = timezone.now()  # the event's sign-up is open now; the clock is held here
    published: list[tuple[str, datetime | None]] = []

    def record(sender=None, headers=None, **kwargs):
        eta = headers.get("eta")
        published.append((sender, datetime.fromisoformat(eta) if eta else None))

    monkeypatch.setattr(outbox, "CHUNK", 2)
    before_task_publish.connect(record, weak=False)
    try:
        with time_machine.travel(now, tick=False):
            pks = signed_up(3)
            taken = fresh_drain().sent
    finally:
        before_task_publish.disconnect(record)

    assert FRESH_GATHER_SECONDS == 2
    assert published == [(DRAIN_TASK, now + timedelta(seconds=2)), (DRAIN_TASK, None)]
    assert taken == pks[:2]
