"""The nightly refresh runs on several worker processes at once: a refresh must not wait for (and
so deadlock with) another refresh whose profile it suggests."""

import threading

import pytest
from django.db import connection, transaction

from matching import suggestions
from matching.models import Suggestion
from tests.concurrency import pool_for_threads, wait_until_a_lock_is_awaited
from tests.factories import MemberProfileFactory

from .helpers import opted_in

pytestmark = pytest.mark.django_db(transaction=True)
_pool_for_every_thread = pool_for_threads(2)
HELD_SECONDS = 30


def approved():
    return MemberProfileFactory(status="approved").user


def refresh_while_her_candidate_is_being_refreshed(her, candidate) -> tuple[bool, list]:
    """Hold the candidate's refresh lock in one thread, refresh her in another; whether her refresh
    had to wait for the lock, and her suggestions once both are done."""
    held, release = threading.Event(), threading.Event()
    errors = []

    def holder():
        try:
            with transaction.atomic():
                suggestions.profile_locked(candidate.pk)
                held.set()
                release.wait(HELD_SECONDS)
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    def refresher():
        try:
            suggestions.suggestions_refresh(profile=her)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=refresher)]
    threads[0].start()
    assert held.wait(HELD_SECONDS)
    threads[1].start()
    waited = wait_until_a_lock_is_awaited(seconds=3)
    threads[1].join(timeout=0 if waited else HELD_SECONDS)
    release.set()
    for thread in threads:
        thread.join(timeout=HELD_SECONDS)
    assert not errors
    return waited, list(Suggestion.objects.filter(profile=her).values_list("candidate_id", flat=True))


def test_a_refresh_does_not_wait_for_the_refresh_of_the_profile_it_suggests():
    her, candidate = opted_in(approved()), opted_in(approved())

    waited, suggested = refresh_while_her_candidate_is_being_refreshed(her, candidate)

    assert waited is False
    assert suggested == [candidate.pk]


def test_with_a_full_row_lock_the_refresh_waits_which_deadlocks_two_workers(monkeypatch):
    monkeypatch.setattr(suggestions, "LOCK_NO_KEY", False)
    her, candidate = opted_in(approved()), opted_in(approved())

    waited, suggested = refresh_while_her_candidate_is_being_refreshed(her, candidate)

    assert waited is True
    assert suggested == [candidate.pk]
