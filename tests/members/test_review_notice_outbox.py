"""The decision notice goes through the one outbox: never lost with the broker down, never sent
twice, dropped if she has moved past it, and kept in her messages even with no contact verified."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members.membership import profile_apply, profiles_approve, profiles_reject
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import zh
from tests.worker_support import broker_unreachable
from xiangcheng.celery import app as celery_app
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import deliver, retry_unsent

pytestmark = pytest.mark.django_db


def test_sending_the_same_decision_twice_sends_one_email(reviewer, pending_profile, outbox,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        profiles_approve(profile_ids=[pending_profile.pk], reviewer=reviewer)
    notice = Notice.objects.get()
    pending_profile.refresh_from_db()
    stamp = pending_profile.reviewed_at.strftime("%Y%m%d%H%M%S%f")
    assert (notice.kind, notice.key, notice.target_id, notice.data) == (
        "members.decision", f"members.decision:{pending_profile.pk}:{stamp}", pending_profile.pk,
        {"decision": "approved", "reason": ""})
    assert deliver(notice_id=notice.pk) is True
    assert deliver(notice_id=notice.pk) is False
    assert len(outbox) == 1
    notice.refresh_from_db()
    assert (notice.attempts, notice.state) == (1, Notice.State.SENT)


def test_with_the_broker_down_the_decision_stands_and_the_retry_sends_it(
        reviewer, pending_profile, outbox, django_capture_on_commit_callbacks, tmp_path):
    celery_app.conf.task_always_eager = False
    try:
        with broker_unreachable(celery_app, tmp_path), django_capture_on_commit_callbacks(execute=True):
            assert profiles_approve(profile_ids=[pending_profile.pk], reviewer=reviewer) == 1
    finally:
        celery_app.conf.task_always_eager = True
    pending_profile.refresh_from_db()
    assert pending_profile.status == "approved"
    assert (Notice.objects.get().state, outbox) == (Notice.State.PENDING, [])

    # Too recent for the retry (a delivery may still be on its way) …
    assert retry_unsent() == 0
    # … but once the grace period has passed, the periodic job sends it, once.
    Notice.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert retry_unsent() == 1
    assert retry_unsent() == 0
    assert [m.to for m in outbox] == [[pending_profile.user.email]]


def test_a_rejection_she_has_moved_past_is_not_sent(reviewer, pending_profile, outbox,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        profiles_reject(profile_ids=[pending_profile.pk], reviewer=reviewer, reason="单位信息不完整")
        profile_apply(profile=pending_profile)
        profiles_approve(profile_ids=[pending_profile.pk], reviewer=reviewer)
    rejection, approval = Notice.objects.order_by("pk")

    assert deliver(notice_id=rejection.pk) is False
    assert deliver(notice_id=approval.pk) is True

    assert [n.state for n in Notice.objects.order_by("pk")] == [Notice.State.SKIPPED, Notice.State.SENT]
    assert len(outbox) == 1


def test_a_member_with_no_verified_contact_reads_it_in_her_messages(reviewer, outbox, sms_outbox,
                                                                   django_capture_on_commit_callbacks):
    user = UserFactory(email="", phone="13912345600", phone_verified=False)
    profile = MemberProfileFactory(user=user, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        profiles_approve(profile_ids=[profile.pk], reviewer=reviewer)
    notice = Notice.objects.get()
    assert (outbox, sms_outbox) == ([], [])
    assert (notice.state, notice.channels_sent, notice.attempts) == (Notice.State.SENT, [], 1)
    assert notice.subject == zh("Your membership is approved")
