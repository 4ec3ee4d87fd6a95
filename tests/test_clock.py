"""The tests' clock. `make test-midnight` runs the suite with it pinned just after and just before
midnight in Xiangcheng; every process that loads the test settings shares that one running clock
(docs/architecture.md, "Time"). These hold on the real clock and on a pinned one alike.
"""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from django.utils import timezone

from members.membership import profiles_approve
from members.models import Status
from tests.factories import MemberProfileFactory, UserFactory
from tests.worker_support import messages
from xiangcheng.core.models import Notice
from xiangcheng.devstack import pinned_clock

WORKER_DEADLINE_SECONDS = 60


def test_a_pinned_time_is_read_in_xiangcheng():
    assert pinned_clock("2027-01-01 00:20") == datetime(2026, 12, 31, 16, 20, tzinfo=UTC).timestamp()
    assert pinned_clock("2026-12-31 23:50") == datetime(2026, 12, 31, 15, 50, tzinfo=UTC).timestamp()


def test_a_celery_worker_reads_the_same_clock_as_the_tests(workers, mail_dir):
    """The worker stamps the email it sends with its own clock: that stamp falls between two
    readings of this process's clock (a worker left on the real clock would be days away)."""
    worker = workers("clock", pool="solo", concurrency=1)
    profile = MemberProfileFactory(status=Status.PENDING, user=UserFactory(email="clock@example.cn"))
    before = timezone.now().replace(microsecond=0)  # the Date header counts whole seconds

    profiles_approve(profile_ids=[profile.pk], reviewer=UserFactory(username="reviewer", is_staff=True))
    decision = Notice.objects.filter(kind="members.decision", target_id=profile.pk, state=Notice.State.SENT)
    worker.wait_for(decision.exists,
                    timeout=WORKER_DEADLINE_SECONDS, what="the review notice to be sent")
    after = timezone.now()

    [message] = messages(mail_dir)
    # Django writes the Date header in UTC, as "-0000".
    assert before <= parsedate_to_datetime(message["Date"]).replace(tzinfo=UTC) <= after
    sent_at = decision.get().sent_at
    assert before <= sent_at <= after
