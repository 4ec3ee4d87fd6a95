"""遇见's two circles for the federation's mixers (the kernel's registry of closed audiences): an
event kept to "遇见 participants" is seen and booked only by accounts taking part in 遇见 now, one
kept to "交友 circle" only by those who also take part in 交友. Leaving 遇见 (or being suspended
from it, or dropping 交友) hides such events at once: membership is read with every page.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from members.models import User
from xiangcheng.core.audiences import restricted_audience

from .models import MatchStatus, Purpose

PARTICIPANTS = "meet"
FRIENDSHIP_CIRCLE = "friends"


def participants() -> QuerySet[User]:
    """Accounts taking part in 遇见 now: an active match profile on an active account."""
    return User.objects.filter(is_active=True, match_profile__status=MatchStatus.ACTIVE)


def friendship_circle() -> QuerySet[User]:
    """Participants who take part in 交友 (the purpose is kept only with its consent)."""
    return participants().filter(match_profile__purposes__contains=[Purpose.FRIENDSHIP])


def register() -> None:
    restricted_audience(key=PARTICIPANTS, label=_("遇见 participants"), members=participants, order=10)
    restricted_audience(key=FRIENDSHIP_CIRCLE, label=_("交友 circle members"), members=friendship_circle, order=20)
