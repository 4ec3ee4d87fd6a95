"""The decision notice is an outbox row: never lost with the broker down, never sent twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members import notices
from members.membership import profiles_approve
from members.models import ReviewDecision
from tests.factories import MemberProfileFactory, UserFactory
from tests.worker_support import broker_unreachable
from xiangcheng.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_sending_the_same_decision_twice_sends_one_email(reviewer, pending_profile, outbox,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        profiles_approve(profile_ids=[pending_profile.pk], reviewer=reviewer)
    decision = ReviewDecision.objects.get()
    assert notices.review_notice_deliver(decision_id=decision.pk) is True
    assert notices.review_notice_deliver(decision_id=decision.pk) is False
    assert len(outbox) == 1
    decision.refresh_from_db()
    assert (decision.attempts, decision.sent_at is not None) == (1, True)


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
    decision = ReviewDecision.objects.get()
    assert (decision.sent_at, outbox) == (None, [])

    # Too recent for the retry (a delivery may still be on its way) …
    assert notices.review_notices_retry() == 0
    # … but once the grace period has passed, the periodic job sends it, once.
    ReviewDecision.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert notices.review_notices_retry() == 1
    assert notices.review_notices_retry() == 0
    assert [m.to for m in outbox] == [[pending_profile.user.email]]


def test_a_failed_send_is_released_for_the_retry(reviewer, pending_profile, outbox, monkeypatch,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        profiles_approve(profile_ids=[pending_profile.pk], reviewer=reviewer)
    decision = ReviewDecision.objects.get()

    def refuse(**kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr("xiangcheng.core.outbox.notify_user", refuse)
    with pytest.raises(ConnectionError):
        notices.review_notice_deliver(decision_id=decision.pk)
    decision.refresh_from_db()
    assert (decision.claimed_at, decision.sent_at, decision.last_error) == (None, None, "smtp down")
    monkeypatch.undo()
    ReviewDecision.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert notices.review_notices_retry() == 1
    assert len(outbox) == 1


def test_a_member_with_no_verified_contact_is_recorded_as_not_reached(reviewer, outbox, sms_outbox,
                                                                     django_capture_on_commit_callbacks):
    user = UserFactory(email="", phone="13912345600", phone_verified=False)
    profile = MemberProfileFactory(user=user, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        profiles_approve(profile_ids=[profile.pk], reviewer=reviewer)
    decision = ReviewDecision.objects.get()
    assert (outbox, sms_outbox) == ([], [])
    assert (decision.sent_at is not None, decision.skipped, decision.attempts) == (True, True, 1)
