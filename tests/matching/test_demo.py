"""`make run` shows 遇见: two demo members opted in for networking, one in the 交友 circle, each with
her consents; a second load creates nothing."""

import pytest
from django.core.management import call_command

from matching.models import MatchProfile, Suggestion
from matching.scoring import Reason
from members.models import Consent, User
from xiangcheng.core.roles import MATCH_MODERATOR

pytestmark = pytest.mark.django_db

MEMBERS = ["linxiaowen", "sunyue", "zhouyiran"]


def test_the_demo_opts_members_in_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    call_command("seed_demo")

    moderator = User.objects.get(username="yujian")
    assert list(moderator.groups.values_list("name", flat=True)) == [MATCH_MODERATOR.name]
    # The members' demo's three (matching.introduction_demo adds participants of its own).
    profiles = {p.user.username: p for p in MatchProfile.objects.filter(user__username__in=MEMBERS)
                .select_related("user")}
    assert sorted(profiles) == ["linxiaowen", "sunyue", "zhouyiran"]
    assert profiles["linxiaowen"].interests == ["新材料", "专利转化", "成果落地"]
    assert [name for name, p in sorted(profiles.items()) if p.in_friendship_circle] == ["sunyue"]
    assert (profiles["sunyue"].age_min, profiles["sunyue"].age_max) == (28, 36)
    assert sorted(Consent.objects.filter(kind__startswith="matching", user__username__in=MEMBERS)
                  .values_list("user__username", "kind")) == [
        ("linxiaowen", "matching"), ("sunyue", "matching"), ("sunyue", "matching_friends"), ("zhouyiran", "matching")]


def test_the_demo_members_have_their_suggestions():
    call_command("seed_demo")

    # The members' demo's three and jiangyifan, who joined 交友 alone (matching.alone_demo).
    people = [*MEMBERS, "jiangyifan"]
    rows = sorted((s.profile.user.username, s.candidate.user.username, s.score,
                   [Reason.from_json(r) for r in s.reasons])
                  for s in Suggestion.objects.filter(profile__user__username__in=people,
                                                     candidate__user__username__in=people)
                  .select_related("profile__user", "candidate__user"))
    friends = [Reason("city", ("suzhou",)), Reason("interests", ("徒步", "摄影")), Reason("purposes", ("friendship",))]
    assert rows == [
        ("jiangyifan", "sunyue", 9, friends),
        ("linxiaowen", "zhouyiran", 8, [Reason("city", ("suzhou",)), Reason("purposes", ("networking",)),
                                        Reason("she_seeks_mentor")]),
        ("sunyue", "jiangyifan", 9, friends),
        ("zhouyiran", "linxiaowen", 8, [Reason("city", ("suzhou",)), Reason("purposes", ("networking",)),
                                        Reason("she_mentors")]),
    ]  # 交友 participants (sunyue, and jiangyifan verified; guqing still waits) meet only each other
