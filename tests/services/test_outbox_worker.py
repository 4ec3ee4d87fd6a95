"""A submission is never lost: with the broker down it is saved and its acknowledgement waits in
the outbox; a real Celery worker on the real (embedded) Redis delivers it when the periodic retry
runs. Nothing sleeps: the test polls with a deadline."""

import logging
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from services.history import Step, ticket_history
from services.models import Ticket, TicketStatus
from tests.factories import UserFactory
from tests.helpers import zh
from tests.worker_support import Worker, broker_unreachable, mails, queue_length
from xiangcheng import celery_app
from xiangcheng.core.models import Notice
from xiangcheng.core.tasks import retry_unsent_notices

from .helpers import mail_subject, reference

DEADLINE = 30.0

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def real_broker(publish_to_redis):
    """This process publishes to Redis instead of running tasks inline; publishing gives up fast."""
    conf = celery_app.conf
    saved = (conf.task_publish_retry_policy, conf.broker_connection_timeout)
    conf.task_publish_retry_policy = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1,
                                      "interval_max": 0.1}
    conf.broker_connection_timeout = 1
    yield
    conf.task_publish_retry_policy, conf.broker_connection_timeout = saved


@pytest.fixture
def start_worker(workers):
    """One solo worker on the test database and the test Redis database (tests/conftest.py)."""
    return lambda: workers("inbox", pool="solo", concurrency=1)


def _finished(worker: Worker, task_id: str) -> str | None:
    """What the worker logged as the task's return value, once it has run."""
    match = re.search(rf"\[{re.escape(task_id)}\] succeeded in [0-9.e-]+s: (.*)", worker.log())
    return match.group(1) if match else None


@pytest.fixture
def member(db):
    """A member reached by email only (the worker's SMS backend is in its own process)."""
    return UserFactory(username="linxiaowen", email="linxiaowen@example.cn")


def test_a_submission_with_the_broker_down_is_saved_and_delivered_once_the_worker_retries(
        client, member, real_broker, start_worker, mail_dir, tmp_path, outbox, caplog):
    client.force_login(member)
    data = {"category": "finance", "subject": "贷款贴息", "description": "想了解贴息政策。", "preferred_contact": "email"}

    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"), broker_unreachable(celery_app, tmp_path):
        response = client.post(reverse("services:new"), data)

    # She is thanked and sent to her ticket as usual. The failed publish takes seconds, long enough
    # to cross a local midnight, so the reference's year is the one she submitted in.
    ticket = Ticket.objects.get()
    first = reference(1, year=timezone.localtime(ticket.created_at).year)
    assert (response.status_code, response["Location"]) == (302, f"/inbox/{first}/")
    assert (ticket.reference, ticket.status, ticket.member) == (first, TicketStatus.NEW, member)
    assert [s.step for s in ticket_history(ticket)] == [Step.SUBMITTED]
    # The enqueue failed after commit, was logged, and did not reach her.
    assert [(r.levelname, r.exc_info[0].__name__) for r in caplog.records
            if r.name == "django.db.backends.base"] == [("ERROR", "OperationalError")]
    notice = Notice.objects.get()
    assert (notice.recipient, notice.kind, notice.state, notice.claimed_at, notice.attempts) == (
        member, "inbox.acknowledged", Notice.State.PENDING, None, 0)
    assert outbox == []
    assert queue_length() == 0

    # The worker is back; the periodic retry (enqueued on the real broker) sends the acknowledgement.
    worker = start_worker()
    retry = retry_unsent_notices.delay()
    worker.wait_for(lambda: _finished(worker, retry.id), timeout=DEADLINE, what="the retry task to finish")

    assert _finished(worker, retry.id) == "1"
    subject = mail_subject("We received your message %(ref)s", ticket)
    assert mails(mail_dir) == [(member.email, subject)]
    notice.refresh_from_db()
    assert (notice.state, notice.attempts, notice.last_error) == (Notice.State.SENT, 1, "")
    assert notice.subject == zh("We received your message %(ref)s", ref=ticket.reference)

    # Running the retry again sends nothing more.
    again = retry_unsent_notices.delay()
    worker.wait_for(lambda: _finished(worker, again.id), timeout=DEADLINE, what="the second retry to finish")
    assert _finished(worker, again.id) == "0"
    assert mails(mail_dir) == [(member.email, subject)]
    assert outbox == []


def test_with_the_broker_up_the_worker_sends_the_acknowledgement_right_after_commit(
        client, member, real_broker, start_worker, mail_dir, outbox):
    worker = start_worker()
    client.force_login(member)

    response = client.post(reverse("services:new"), {
        "category": "policy", "subject": "政策咨询", "description": "请介绍人才政策。", "preferred_contact": "site"})

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    subject = mail_subject("We received your message %(ref)s", ticket)
    worker.wait_for(lambda: mails(mail_dir), timeout=DEADLINE, what="the acknowledgement email")
    notice = Notice.objects.get()
    worker.wait_for(lambda: Notice.objects.filter(pk=notice.pk, state=Notice.State.SENT).exists(), timeout=DEADLINE,
                    what="the notice to be marked sent")
    assert mails(mail_dir) == [(member.email, subject)]
    assert Notice.objects.filter(pk=notice.pk).values_list("attempts", flat=True).get() == 1
    assert outbox == []  # sent by the worker, not by this process
