"""Bulk 相遇 requests for `make bench`: the scaled volume, each pair once and inside one circle,
none waiting past its expiry, each with its audit trail; a second run writes nothing."""

import pytest
import time_machine

from matching import introductions as rules
from matching.models import Introduction, IntroductionStatus, MatchProfile
from tests.core.test_bulk import NOON, seed
from xiangcheng.core import audit

pytestmark = pytest.mark.django_db


def test_bulk_introductions_pair_each_two_once_within_their_circle():
    seed()  # scale 0.005: 100 introductions among 100 match profiles

    rows = list(Introduction.objects.values_list("sender_id", "recipient_id", "status", "answered_at"))
    assert len(rows) == 100
    pairs = [frozenset((sender, recipient)) for sender, recipient, _status, _answered in rows]
    assert len(set(pairs)) == 100
    circle = set(MatchProfile.objects.filter(purposes__contains=["friendship"]).values_list("user_id", flat=True))
    assert all((sender in circle) == (recipient in circle) for sender, recipient, _status, _answered in rows)
    with time_machine.travel(NOON, tick=False):  # the data's "today"
        assert rules.introductions_expire() == 0  # nothing waits past its 14 days
    answered = {status for _s, _r, status, at in rows if at is not None}
    assert answered <= {IntroductionStatus.ACCEPTED, IntroductionStatus.DECLINED}
    events = Introduction.pgh_event_model.objects
    assert events.filter(pgh_label=audit.CREATED).count() == 100
    assert events.exclude(pgh_label=audit.CREATED).count() == sum(
        1 for _s, _r, status, _a in rows if status != IntroductionStatus.PENDING)

    seed()
    assert Introduction.objects.count() == 100
