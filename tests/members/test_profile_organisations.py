"""A member's profile and her directory card point at the verified organisations she represents:
only verified ones, only where she shows her organisation, only to whom the directory is shown."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from members.models import OrganisationStatus, Status, VisibleField
from members.organisations import verified_organisations_of
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import queries_for
from tests.members.organisation_factories import organisation_with

pytestmark = pytest.mark.django_db

DIRECTORY = "/members/directory/"
PROFILE = "/members/profile/"
ALL_FIELDS = [v.value for v in VisibleField]


@pytest.fixture
def viewer(client):
    """An approved member who is not listed herself, logged in."""
    profile = MemberProfileFactory(real_name="观察者", status=Status.APPROVED, listed_in_directory=False)
    client.force_login(profile.user)
    return profile


def cards(html: str) -> dict[str, str]:
    """Each directory card's HTML by the member's name."""
    found = re.findall(r'<li class="member-card">.*?<strong class="member-name">(.*?)</strong>(.*?)</li>', html, re.S)
    return dict(found)


def shown_organisations(html: str) -> list[tuple[str, str, str]]:
    """The verified organisations a card or page shows: (name, mark, women-led badge or "")."""
    return re.findall(r'<span class="verified-org">([^<]*)<span class="badge badge-success">([^<]*)</span>'
                      r'(?:<span class="badge">([^<]*)</span>)?</span>', html)


def mark() -> str:
    with translation.override("zh-hans"):
        return gettext("Verified organisation")


def test_her_card_shows_her_verified_organisations_with_the_mark_and_the_confirmed_badge(client, viewer):
    member = MemberProfileFactory(real_name="王静怡")
    organisation_with(member.user, name="苏州相城新材料有限公司", status=OrganisationStatus.VERIFIED,
                      women_led="founder", women_led_confirmed=True)
    organisation_with(member.user, name="苏州元和智能科技有限公司", status=OrganisationStatus.VERIFIED,
                      women_led="executive", women_led_confirmed=False)  # claimed, not confirmed: no badge
    MemberProfileFactory(real_name="李梦琪")  # represents nothing

    shown = cards(client.get(DIRECTORY).content.decode())

    assert sorted(shown_organisations(shown["王静怡"])) == sorted([("苏州相城新材料有限公司", mark(), "女性创办"),
                                                               ("苏州元和智能科技有限公司", mark(), "")])
    assert "verified-org" not in shown["李梦琪"]


@pytest.mark.parametrize("status", [OrganisationStatus.PENDING, OrganisationStatus.REJECTED])
def test_an_organisation_not_verified_is_shown_nowhere(client, viewer, status):
    member = MemberProfileFactory(real_name="王静怡")
    organisation_with(member.user, name="苏州待定科技有限公司", status=status)

    html = client.get(DIRECTORY).content.decode()
    assert "王静怡" in html
    assert "苏州待定科技有限公司" not in html
    assert "verified-org" not in html

    client.force_login(member.user)
    html = client.get(PROFILE).content.decode()
    assert "苏州待定科技有限公司" not in html
    assert "verified-org" not in html


def test_a_member_who_hides_her_organisation_shows_none_and_none_is_read(client, viewer):
    member = MemberProfileFactory(real_name="王静怡", visible_fields=[f for f in ALL_FIELDS if f != "organisation"])
    organisation_with(member.user, name="苏州隐私科技有限公司", status=OrganisationStatus.VERIFIED,
                      women_led="founder", women_led_confirmed=True)

    response = client.get(DIRECTORY)

    html = response.content.decode()
    assert "王静怡" in cards(html)
    assert "苏州隐私科技有限公司" not in html
    assert "verified-org" not in html
    # Not merely left out of the HTML: never given to the page at all.
    assert [p.verified_organisations for p in response.context["page"]] == [[]]


def test_visitors_and_members_not_yet_approved_see_no_directory_and_no_organisation(client):
    member = MemberProfileFactory(real_name="王静怡")
    organisation_with(member.user, name="苏州相城新材料有限公司", status=OrganisationStatus.VERIFIED)

    anonymous = client.get(DIRECTORY)
    assert (anonymous.status_code, anonymous["Location"]) == (302, f"/accounts/login/?next={DIRECTORY}")

    pending = MemberProfileFactory(status=Status.PENDING, listed_in_directory=False)
    client.force_login(pending.user)
    html = client.get(DIRECTORY).content.decode()
    assert "王静怡" not in html
    assert "苏州相城新材料有限公司" not in html

    representative = UserFactory()  # represents an organisation, no membership at all
    organisation_with(representative, name="苏州另一家科技有限公司", status=OrganisationStatus.VERIFIED)
    client.force_login(representative)
    html = client.get(DIRECTORY).content.decode()
    assert "王静怡" not in html
    assert "苏州相城新材料有限公司" not in html


def test_her_own_profile_page_shows_her_verified_organisations(client):
    member = MemberProfileFactory(real_name="王静怡", visible_fields=[])  # hidden from others, not from her
    organisation_with(member.user, name="苏州相城新材料有限公司", status=OrganisationStatus.VERIFIED,
                      women_led="founder", women_led_confirmed=True)
    organisation_with(member.user, name="苏州待定科技有限公司")
    organisation_with(name="别人的单位有限公司", status=OrganisationStatus.VERIFIED)
    client.force_login(member.user)

    html = client.get(PROFILE).content.decode()

    assert shown_organisations(html) == [("苏州相城新材料有限公司", mark(), "女性创办")]
    assert "苏州待定科技有限公司" not in html
    assert "别人的单位有限公司" not in html


def test_one_query_answers_for_a_whole_page_of_people():
    first, second, none = UserFactory(), UserFactory(), UserFactory()
    a = organisation_with(first, second, name="B 单位", status=OrganisationStatus.VERIFIED)
    b = organisation_with(first, name="A 单位", status=OrganisationStatus.VERIFIED)
    organisation_with(second, name="C 单位", status=OrganisationStatus.REJECTED)

    with CaptureQueriesContext(connection) as queries:
        found = verified_organisations_of(user_ids=[first.pk, second.pk, none.pk])
    assert len(queries.captured_queries) == 1
    assert {user: [o.pk for o in orgs] for user, orgs in found.items()} == {first.pk: [b.pk, a.pk],
                                                                           second.pk: [a.pk]}
    assert verified_organisations_of(user_ids=[]) == {}


def test_the_directory_keeps_its_number_of_queries_with_organisations_shown(client, viewer, media_root):
    def members(count: int) -> None:
        for profile in MemberProfileFactory.create_batch(count):
            organisation_with(profile.user, name=f"{profile.real_name}的单位", status=OrganisationStatus.VERIFIED,
                              women_led="founder", women_led_confirmed=True)
        MemberProfileFactory(visible_fields=[])  # hides everything, her organisation too

    members(5)
    assert len(client.get(DIRECTORY).context["page"]) == 6
    with_five = queries_for(client, DIRECTORY)

    members(45)
    page = client.get(DIRECTORY).context["page"]
    assert len(page) == 20
    assert [bool(p.verified_organisations) for p in page] == [p.shows("organisation") for p in page]
    assert any(p.verified_organisations for p in page)
    with_fifty = queries_for(client, DIRECTORY)
    assert with_five == with_fifty
