"""She saves her profile while a reviewer approves it: the decision stands, and so does her edit."""

import threading
import time

import pytest
from django.db import connection, transaction

from members.forms import ProfileForm
from members.membership import profiles_approve
from members.models import MemberProfile, Status
from members.profiles import profile_save
from tests.concurrency import lock_awaited, pool_for_threads, race
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import review_decisions

from .test_approval import profile_form_data

WAIT_SECONDS = 20

_pool_for_every_thread = pool_for_threads(1)



@pytest.mark.django_db(transaction=True)
def test_an_approval_made_while_she_saves_is_not_overwritten():
    reviewer = UserFactory(username="reviewer")
    profile = MemberProfileFactory(status=Status.PENDING, job_title="工程师")
    # She opened her profile page while it was pending, and submits the form now.
    form = ProfileForm(profile_form_data(profile, job_title="高级工程师"), instance=profile)
    assert form.is_valid(), form.errors
    reviewer_holds_the_row = threading.Event()
    saver_pid: dict[str, int] = {}

    def she_saves():
        saver_pid["pid"] = connection.connection.info.backend_pid
        # The reviewer's decision is written but not committed before her save starts.
        assert reviewer_holds_the_row.wait(WAIT_SECONDS)
        return profile_save(user=profile.user, form=form).pk

    def reviewer_approves():
        with transaction.atomic():
            assert profiles_approve(profile_ids=[profile.pk], reviewer=reviewer) == 1
            reviewer_holds_the_row.set()
            # Commit only once her save waits for this transaction (polling pg_locks, bounded).
            deadline = time.monotonic() + WAIT_SECONDS
            while not ("pid" in saver_pid and lock_awaited(saver_pid["pid"])):
                if time.monotonic() > deadline:
                    pytest.fail("her save never waited for the reviewer's transaction")

    results, errors = race(she_saves, [()], alongside=reviewer_approves)

    assert errors == []
    assert results == [profile.pk]
    saved = MemberProfile.objects.get(pk=profile.pk)
    assert (saved.status, saved.reviewed_by, saved.job_title) == (Status.APPROVED, reviewer, "高级工程师")
    assert saved.reviewed_at is not None
    assert review_decisions() == [(profile.pk, "approved", "", reviewer.pk)]
