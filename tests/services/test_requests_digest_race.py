"""Two digest runs at once: the second starts while the first holds this week's claim, uncommitted.

It waits on the unique week, then finds the week taken and sends nothing. With the claim switched
off (``request_digest.CLAIM_WEEK``) the same meeting fails on the unique week, which proves the
test would catch it.
"""

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction

from services import request_digest
from services.models import RequestDigestRun
from tests.concurrency import JOIN_SECONDS, pool_for_threads, wait_until_a_lock_is_awaited

pytestmark = pytest.mark.django_db(transaction=True)
_pool_for_every_thread = pool_for_threads(1)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI)
FIRST_RUN_UNTIL = datetime(2027, 3, 1, 8, 59, tzinfo=SHANGHAI)
WAIT_SECONDS = 30


def second_run_while_the_first_commits() -> tuple[list, list]:
    results, errors = [], []

    def second_run():
        try:
            results.append(request_digest.digest_send(now=MONDAY))
        except Exception as exc:  # the test reports it
            errors.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        # The first run has claimed the week and is still sending.
        RequestDigestRun.objects.create(week=date(2027, 3, 1), since=datetime(2027, 2, 22, tzinfo=SHANGHAI),
                                        until=FIRST_RUN_UNTIL)
        thread = threading.Thread(target=second_run)
        thread.start()
        assert wait_until_a_lock_is_awaited(seconds=WAIT_SECONDS), "the second run never waited for the first one's claim"
    thread.join(timeout=JOIN_SECONDS)
    assert not thread.is_alive()
    return results, errors


def test_a_second_run_meeting_the_first_skips_the_week():
    results, errors = second_run_while_the_first_commits()
    assert (results, errors) == ([0], [])
    assert list(RequestDigestRun.objects.values_list("week", "until")) == [(date(2027, 3, 1), FIRST_RUN_UNTIL)]


def test_without_the_claim_the_second_run_fails_on_the_unique_week(monkeypatch):
    """Proves the test above detects the race."""
    monkeypatch.setattr(request_digest, "CLAIM_WEEK", False)
    results, errors = second_run_while_the_first_commits()
    assert results == []
    assert [type(error) for error in errors] == [IntegrityError]
    assert RequestDigestRun.objects.count() == 1
