"""Two reviewers deciding the same application at the same moment: one decision, one notice."""

import threading

import pytest
from django.db import connections, transaction

from members.membership import profiles_approve, profiles_reject
from members.models import MemberProfile, Status
from tests.concurrency import lock_awaited
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import review_decisions

WAIT_SECONDS = 20



@pytest.mark.django_db(transaction=True)
def test_a_second_reviewer_waits_and_then_changes_nothing(outbox):
    first, second = UserFactory(username="reviewer-a"), UserFactory(username="reviewer-b")
    profile = MemberProfileFactory(status=Status.PENDING)
    outcome: dict = {}
    pid_known = threading.Event()

    def second_reviewer():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                outcome["pid"] = cursor.fetchone()[0]
            pid_known.set()
            outcome["rejected"] = profiles_reject(
                profile_ids=[profile.pk], reviewer=second, reason="同时审核"
            )
        except Exception as exc:  # reported by the main thread
            outcome["error"] = exc
        finally:
            pid_known.set()
            connections["default"].close()

    thread = threading.Thread(target=second_reviewer)
    with transaction.atomic():
        # The first reviewer's decision is made but not yet committed ...
        assert profiles_approve(profile_ids=[profile.pk], reviewer=first) == 1
        thread.start()
        assert pid_known.wait(WAIT_SECONDS)
        # ... and the second reviewer's transaction is made to wait for it (bounded poll;
        # the thread's join doubles as the pause and notices a thread that did not wait).
        for _ in range(WAIT_SECONDS * 20):
            if "pid" in outcome and lock_awaited(outcome["pid"]):
                break
            thread.join(timeout=0.05)
            assert thread.is_alive(), f"the second reviewer did not wait for the first: {outcome}"
        else:
            pytest.fail("the second reviewer never waited for the row lock")
    thread.join(timeout=WAIT_SECONDS)
    assert thread.is_alive() is False

    assert "error" not in outcome, outcome.get("error")
    assert outcome["rejected"] == 0
    assert MemberProfile.objects.get(pk=profile.pk).status == Status.APPROVED
    assert review_decisions() == [(profile.pk, "approved", "", first.pk)]
    assert len(outbox) == 1
