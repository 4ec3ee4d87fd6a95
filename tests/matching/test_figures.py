"""遇见's dashboard figures: participants and introductions, around the period's local midnights."""

import pytest

from matching.figures import meet_figures
from matching.models import Introduction, IntroductionStatus, MatchProfile, MatchStatus
from tests.core.dashboard_support import AFTER, BEFORE, DECEMBER, FIRST, LAST, by_label, pinned
from tests.factories import MemberProfileFactory
from tests.helpers import zh

from .helpers import opted_in

pytestmark = pytest.mark.django_db


def _participant(joined, **fields) -> MatchProfile:
    profile = opted_in(MemberProfileFactory().user)
    MatchProfile.objects.filter(pk=profile.pk).update(joined_at=joined, **fields)
    return profile


def _introduction(sender, recipient, *, created, status=IntroductionStatus.PENDING, answered=None) -> None:
    introduction = Introduction.objects.create(sender=sender.user, recipient=recipient.user, message="你好，想认识你。",
                                               status=status, answered_at=answered)
    Introduction.objects.filter(pk=introduction.pk).update(created_at=created)


def test_participants_and_introductions_in_the_period():
    with pinned():
        early = _participant(BEFORE)
        first = _participant(FIRST)
        last = _participant(LAST)
        _participant(FIRST, status=MatchStatus.SUSPENDED)
        late = _participant(AFTER)
        _introduction(early, first, created=BEFORE, status=IntroductionStatus.ACCEPTED, answered=FIRST)
        _introduction(first, last, created=LAST)
        _introduction(last, early, created=FIRST, status=IntroductionStatus.ACCEPTED, answered=AFTER)
        _introduction(late, first, created=AFTER)

        values = by_label(meet_figures(period=DECEMBER, using="default"))

    assert values == {
        zh("Participants at the end of the period"): 3,
        zh("Joined in the period"): 3,
        zh("Introductions requested"): 2,
        zh("Introductions accepted"): 1,
        zh("Introductions"): [(zh("Requested"), 2), (zh("Accepted"), 1)],
    }
