"""Celery queues: each task goes to the queue docs/operations.md names for it, over the real broker,
and a worker that consumes only the notifications queue delivers the outbox's notices."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from events.booking import sign_up
from tests.events.factories import EventFactory
from tests.events.helpers import mail_subject
from tests.factories import MemberProfileFactory
from tests.worker_support import mails, queue_length
from xiangcheng import celery_app
from xiangcheng.core.models import Notice

OPERATIONS = Path(__file__).resolve().parent.parent.parent / "docs" / "operations.md"
PROJECT_TASKS = ("xiangcheng.", "members.", "events.", "services.", "matching.")
DEADLINE = 30.0


def documented_routes() -> dict[str, str]:
    """task name → queue, from the table in the operations guide's "Celery queues" section."""
    section = OPERATIONS.read_text().split("### Celery queues", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `([\w.]+)` \| `(\w+)` \|", section, re.M))


def project_tasks() -> set[str]:
    celery_app.loader.import_default_modules()  # every app's tasks module, as a worker imports them
    return {name for name in celery_app.tasks if name.startswith(PROJECT_TASKS)}


def test_the_operations_guide_names_a_queue_for_every_task_and_only_configured_queues():
    routes = documented_routes()

    assert set(routes) == project_tasks()
    assert set(routes.values()) <= {q.name for q in settings.CELERY_TASK_QUEUES}


@pytest.mark.usefixtures("publish_to_redis")
def test_each_task_is_published_to_the_queue_the_guide_names():
    queues = [q.name for q in settings.CELERY_TASK_QUEUES]
    try:
        for task, queue in documented_routes().items():
            before = {name: queue_length(name) for name in queues}
            celery_app.send_task(task)  # by name, as beat and the outbox send them
            after = {name: queue_length(name) for name in queues}
            assert after == {**before, queue: before[queue] + 1}, task
    finally:
        celery_app.control.purge()  # no worker should ever run these


def test_a_worker_on_the_notifications_queue_alone_delivers_a_notice(workers, mail_dir):
    event = EventFactory(title="产业资源对接沙龙")
    member = MemberProfileFactory().user

    sign_up(event_id=event.pk, user=member)

    # With no worker running, the delivery waits in its own queue, nowhere else.
    assert {q.name: queue_length(q.name) for q in settings.CELERY_TASK_QUEUES} == {
        "default": 0, "notifications": 1, "reports": 0, "matching": 0}
    worker = workers("notifications", pool="solo", concurrency=1, queues=("notifications",))
    notice = Notice.objects.get()
    worker.wait_for(lambda: Notice.objects.filter(pk=notice.pk, state=Notice.State.SENT).exists(),
                    timeout=DEADLINE, what="the notice to be sent")

    assert mails(mail_dir) == [(member.email, mail_subject("You are signed up: %(t)s", event.title))]
    assert queue_length() == 0
    assert re.findall(r"^\s*\.> (\w+)\s+exchange=(\w+)\(direct\) key=(\w+)$", worker.log(), re.M) == [
        ("notifications", "notifications", "notifications")]
