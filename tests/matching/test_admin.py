"""遇见 in admin: the 遇见审核 role reads match profiles (a constant number of queries); staff without
the permission see nothing of 遇见; nobody changes a profile there."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import MatchProfile
from members.models import Consent
from tests.factories import MemberProfileFactory
from xiangcheng.core.roles import ADMINISTRATOR, MATCH_MODERATOR, REVIEWER

from .helpers import opted_in

pytestmark = pytest.mark.django_db

LIST = "/admin/matching/matchprofile/"


def test_the_match_moderator_role_holds_exactly_what_its_queues_need():
    perms = Group.objects.get(name=MATCH_MODERATOR.name).permissions.select_related("content_type")
    assert sorted((p.content_type.app_label, p.codename) for p in perms) == [
        ("matching", "check_namecheck"), ("matching", "moderate_report"), ("matching", "view_introduction"),
        ("matching", "view_matchprofile"), ("matching", "view_namecheck"), ("matching", "view_report")]


@pytest.mark.parametrize("role", [ADMINISTRATOR, REVIEWER])
def test_no_other_role_may_see_match_profiles(role):
    perms = Group.objects.get(name=role.name).permissions.filter(content_type__app_label="matching")
    assert list(perms) == []


def test_the_moderator_reads_the_list_and_a_profile_but_changes_nothing(client, staff_in_group):
    member = MemberProfileFactory(real_name="许静").user
    profile = opted_in(member)
    client.force_login(staff_in_group("moderator", MATCH_MODERATOR.name))
    page = client.get(LIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert "许静" in text and member.email not in text
    detail = client.get(f"{LIST}{profile.pk}/change/")
    assert detail.status_code == 200
    assert client.post(f"{LIST}{profile.pk}/delete/").status_code == 403
    assert client.get(f"{LIST}add/").status_code == 403
    assert MatchProfile.objects.filter(pk=profile.pk).exists()


def test_staff_without_the_permission_see_nothing_of_meet(client, staff_in_group):
    profile = opted_in(MemberProfileFactory().user)
    client.force_login(staff_in_group("admin", ADMINISTRATOR.name))
    assert "matching" not in client.get("/admin/").content.decode()
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{profile.pk}/change/").status_code == 403


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_5_and_50_profiles(client, staff_in_group):
    client.force_login(staff_in_group("moderator", MATCH_MODERATOR.name))
    for _ in range(5):
        opted_in(MemberProfileFactory().user)
    five = _queries(client)
    for _ in range(45):
        opted_in(MemberProfileFactory().user)
    assert _queries(client) == five


def test_the_consents_of_meet_are_listed_only_to_staff_who_may_see_meet(client, staff_in_group):
    member = MemberProfileFactory().user
    opted_in(member, purposes=["networking", "friendship"])
    Consent.objects.create(user=member, kind=Consent.Kind.PRIVACY_POLICY, version="2026-11")
    administrator = staff_in_group("admin", ADMINISTRATOR.name)
    client.force_login(administrator)
    listed = client.get("/admin/members/consent/").context["cl"].result_list
    assert [c.kind for c in listed] == [Consent.Kind.PRIVACY_POLICY]

    moderator = staff_in_group("moderator", MATCH_MODERATOR.name)
    moderator.user_permissions.add(Permission.objects.get(codename="view_consent"))
    client.force_login(moderator)
    listed = client.get("/admin/members/consent/").context["cl"].result_list
    assert sorted(c.kind for c in listed) == ["matching", "matching_friends", "privacy_policy"]
