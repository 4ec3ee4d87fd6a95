"""Shared by the 遇见 tests: a valid join form and a member opted in."""

from matching.models import MatchProfile, Purpose
from matching.profiles import MatchDetails, match_join
from members.models import City, Field

JOIN = {
    "purposes": [Purpose.NETWORKING, Purpose.SEEK_MENTOR],
    "interests": "人工智能、专利转化",
    "fields": [Field.AI],
    "cities": [City.SUZHOU, City.SHANGHAI],
    "introduction": "做大模型应用，想认识材料方向的前辈。",
    "age_visibility": "connected",
    "hometown_visibility": "connected",
    "consent": "on",
}


def opted_in(user, **overrides) -> MatchProfile:
    details = {"purposes": [Purpose.NETWORKING], "cities": [City.SUZHOU], "interests": ["人工智能"],
               "fields": [Field.AI], **overrides}
    friendship = Purpose.FRIENDSHIP in details["purposes"]
    return match_join(user=user, details=MatchDetails(**details), consent=True, friendship_consent=friendship,
                      single=friendship)


def zh(message: str) -> str:
    """The message as she reads it (the site speaks Chinese)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(message)
