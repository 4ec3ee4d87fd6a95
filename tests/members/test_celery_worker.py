"""A review notice sent by a real Celery worker process over the real (embedded) Redis broker."""

import re

from django.conf import settings

from members.membership import profiles_approve
from members.models import Status
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import email_subject, review_decisions
from tests.worker_support import mails, messages
from xiangcheng.core.models import Notice

WORKER_DEADLINE_SECONDS = 60
# A single notice goes to the fresh list, which a drain task delivers (xiangcheng/core/outbox.py).
SUCCEEDED = re.compile(r"Task xiangcheng\.core\.tasks\.deliver_fresh_notices\[[0-9a-f-]+\] succeeded")


def test_review_notice_is_sent_by_a_real_worker(workers, mail_dir, outbox):
    worker = workers("review", pool="solo", concurrency=1)
    reviewer = UserFactory(username="reviewer", is_staff=True)
    profile = MemberProfileFactory(status=Status.PENDING, real_name="沈佳怡",
                                   user=UserFactory(email="jiayi.shen@example.cn"))

    assert profiles_approve(profile_ids=[profile.pk], reviewer=reviewer) == 1
    # Committed (no test transaction here), so the task is now on the Redis queue, not run inline.
    profile.refresh_from_db()
    assert profile.status == Status.APPROVED
    assert review_decisions(profile) == [(profile.pk, "approved", "", reviewer.pk)]

    # Marked sent once the worker's email backend has written the whole message; the task logged last.
    worker.wait_for(lambda: Notice.objects.filter(target_id=profile.pk, kind="members.decision",
                                                  state=Notice.State.SENT).exists()
                    and SUCCEEDED.search(worker.log_path.read_text()),
                    timeout=WORKER_DEADLINE_SECONDS, what="the review notice to be sent")
    sent = messages(mail_dir)
    assert len(sent) == 1
    message = sent[0]
    # The subject as sent (its encoded header decoded), and the rest as the member reads it.
    assert mails(mail_dir) == [("jiayi.shen@example.cn", email_subject("Your membership is approved"))]
    assert message["To"] == "jiayi.shen@example.cn"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert "沈佳怡" in message.get_content()
    # The worker ran the task that this process queued; this process sent nothing itself.
    assert outbox == []
    assert SUCCEEDED.search(worker.log_path.read_text())
