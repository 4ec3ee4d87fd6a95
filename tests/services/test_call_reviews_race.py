"""Real concurrency: two members of staff recommend for a call's last place at the same moment,
each on her own connection. With the call locked while the recommendations are counted exactly
one succeeds; with the lock switched off (``call_reviews.LOCK_CALL``) both do — which proves that
the test would catch a missing lock."""

import pytest

from services import call_reviews
from services.call_reviews import CallReviewError
from services.models import CallApplication
from tests.concurrency import pool_for_threads, race
from xiangcheng.core.models import Notice

from .call_review_support import S, application, call, reviewer

THREADS = 2
UNLOCKED_ROUNDS = 20

pytestmark = pytest.mark.django_db(transaction=True)
_pool_for_every_thread = pool_for_threads(THREADS)


def last_place_contested(round_no: int):
    """A call with two places, one taken, and two shortlisted applications; each staff member
    recommends one of them at the same moment."""
    the_call = call(title=f"青年女科学家推荐 {round_no}", places=2)
    application(the_call, status=S.RECOMMENDED)
    contenders = [application(the_call, status=S.SHORTLISTED) for _ in range(THREADS)]
    staff = [reviewer(f"shenbao{round_no}-{n}") for n in range(THREADS)]

    def recommend(target, actor):
        try:
            call_reviews.application_recommend(application=target, actor=actor)
        except CallReviewError:
            return "refused"
        return "recommended"

    results, errors = race(recommend, list(zip(contenders, staff, strict=True)))
    assert errors == []
    recommended = CallApplication.objects.filter(call=the_call, status=S.RECOMMENDED).count()
    return the_call, sorted(results), recommended


def test_two_recommendations_for_the_last_place_one_wins():
    the_call, results, recommended = last_place_contested(0)
    assert results == ["recommended", "refused"]
    assert recommended == 2 == the_call.places
    # Only the one recommended was told.
    assert Notice.objects.filter(kind="calls.status", data__status="recommended").count() == 1


def test_without_the_lock_both_take_the_last_place(monkeypatch):
    """Proves the test above detects the race: without the call's lock both count one place left."""
    monkeypatch.setattr(call_reviews, "LOCK_CALL", False)
    exceeded = None
    for round_no in range(1, UNLOCKED_ROUNDS + 1):
        the_call, results, recommended = last_place_contested(round_no)
        if results == ["recommended", "recommended"]:
            exceeded = (recommended, the_call.places)
            break
    assert exceeded == (3, 2)
