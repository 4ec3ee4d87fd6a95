"""The clean-up of stale unverified accounts, run by a real Celery worker from the beat entry's task."""

import re
from datetime import timedelta

from django.utils import timezone

from members.models import User
from members.tasks import clean_stale_unverified_accounts
from tests.factories import UserFactory

WORKER_DEADLINE_SECONDS = 60
SUCCEEDED = re.compile(r"Task members\.tasks\.clean_stale_unverified_accounts\[[0-9a-f-]+\] succeeded in "
                       r"[0-9.]+s: \(1, 0\)")


def test_a_real_worker_deletes_a_stale_unverified_account(workers, settings):
    worker = workers("cleanup", pool="solo", concurrency=1)
    stale = UserFactory(email="", phone="13800000001", phone_verified=False,
                        date_joined=timezone.now() - timedelta(days=settings.UNVERIFIED_ACCOUNT_DAYS + 1))
    fresh = UserFactory(email="", phone="13800000002", phone_verified=False)

    clean_stale_unverified_accounts.delay()

    worker.wait_for(lambda: SUCCEEDED.search(worker.log_path.read_text()),
                    timeout=WORKER_DEADLINE_SECONDS, what="the clean-up task to finish")
    assert not User.objects.filter(pk=stale.pk).exists()
    assert User.objects.filter(pk=fresh.pk, phone="13800000002").exists()
