"""The retention job, run by a real Celery worker from the beat entry's task, as each night."""

import re
from datetime import timedelta

from django.utils import timezone

from tests.factories import UserFactory
from xiangcheng.core.models import Notice
from xiangcheng.core.tasks import run_retention

WORKER_DEADLINE_SECONDS = 60
SUCCEEDED = re.compile(r"Task xiangcheng\.core\.tasks\.run_retention\[[0-9a-f-]+\] succeeded in [0-9.]+s: "
                       r"\{'notices': 1, ")


def test_a_real_worker_runs_the_retention_job(workers, settings):
    worker = workers("retention", pool="solo", concurrency=1)
    her = UserFactory()
    old = Notice.objects.create(recipient=her, kind="test.kind", key="old", state=Notice.State.SENT)
    Notice.objects.create(recipient=her, kind="test.kind", key="new", state=Notice.State.SENT)
    Notice.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.RETENTION["notices_days"], minutes=1))

    run_retention.delay()

    worker.wait_for(lambda: SUCCEEDED.search(worker.log_path.read_text()),
                    timeout=WORKER_DEADLINE_SECONDS, what="the retention job to finish")
    assert list(Notice.objects.values_list("key", flat=True)) == ["new"]
