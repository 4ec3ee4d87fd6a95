"""Joining 遇见, editing her match profile and leaving: consents, refusals, bad input, the audit trail."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import MatchProfile, MatchStatus, Purpose, Visibility
from matching.profiles import (
    FRIENDSHIP_CONSENT_VERSION,
    FRIENDSHIP_REFUSED,
    LEAVE_REASON,
    MATCH_CONSENT_VERSION,
    MatchDetails,
    MatchError,
    match_join,
)
from members.models import City, Consent, Field, Status
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import statements_of
from xiangcheng.core.audit import AuditEvent

from .helpers import JOIN, opted_in, zh

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def member(client):
    user = MemberProfileFactory(real_name="许静").user
    client.force_login(user)
    return user


def consents(user):
    return list(Consent.objects.filter(user=user, kind__in=[Consent.Kind.MATCHING, Consent.Kind.MATCHING_FRIENDSHIP])
                .order_by("kind").values_list("kind", "version", "granted_at", "withdrawn_at"))


def test_joining_records_her_consent_with_its_version_and_time_and_saves_her_profile(client, member):
    moment = datetime(2026, 12, 3, 9, 30, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        response = client.post(reverse("matching:join"), JOIN)
    assert response.status_code == 302
    assert response.url == reverse("matching:profile")
    profile = MatchProfile.objects.get(user=member)
    assert (profile.purposes, profile.interests, profile.fields, profile.cities, profile.status) == (
        ["networking", "seek_mentor"], ["人工智能", "专利转化"], ["ai"], ["suzhou", "shanghai"], MatchStatus.ACTIVE)
    assert profile.introduction == JOIN["introduction"]
    assert (profile.age_min, profile.age_max, profile.hometown) == (None, None, "")
    assert consents(member) == [(Consent.Kind.MATCHING, MATCH_CONSENT_VERSION, moment, None)]


def test_the_join_page_shows_the_consent_text_unticked(client, member):
    page = client.get(reverse("matching:join")).content.decode()
    assert 'id="match-consent"' in page
    assert zh("Suggestions of whom to meet are computed automatically from your purposes, interests, fields "
              "and cities.") in page
    assert zh("You can leave 遇见 at any time: your match profile is deleted at once.") in page
    assert 'id="friendship-consent"' in page
    assert 'name="consent" id="id_consent"' in page and 'name="consent" id="id_consent" checked' not in page


def test_without_the_consent_nothing_is_saved_and_her_input_is_kept(client, member):
    response = client.post(reverse("matching:join"), {**JOIN, "consent": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {"consent": [zh("To join 遇见, tick the box to show you agree.")]}
    assert response.context["form"]["introduction"].value() == JOIN["introduction"]
    assert MatchProfile.objects.count() == 0
    assert consents(member) == []


@pytest.mark.parametrize("ticked", [{}, {"friendship_consent": "on"}, {"single": "on"}])
def test_friendship_is_refused_without_its_own_consent_and_being_single(client, member, ticked):
    data = {**JOIN, "purposes": [Purpose.NETWORKING, Purpose.FRIENDSHIP], "age_min": "28", "age_max": "35",
            "hometown": "南通", **ticked}
    response = client.post(reverse("matching:join"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"friendship_consent": [zh(FRIENDSHIP_REFUSED)]}
    assert response.context["form"]["hometown"].value() == "南通"
    assert MatchProfile.objects.count() == 0
    assert consents(member) == []


def test_friendship_with_both_ticks_records_its_own_consent(client, member):
    data = {**JOIN, "purposes": [Purpose.FRIENDSHIP], "age_min": "28", "age_max": "35", "hometown": "南通",
            "hometown_visibility": Visibility.NOBODY, "friendship_consent": "on", "single": "on"}
    assert client.post(reverse("matching:join"), data).status_code == 302
    profile = MatchProfile.objects.get(user=member)
    assert (profile.purposes, profile.age_min, profile.age_max, profile.hometown, profile.hometown_visibility) == (
        ["friendship"], 28, 35, "南通", "nobody")
    assert [(kind, version, withdrawn) for kind, version, _at, withdrawn in consents(member)] == [
        (Consent.Kind.MATCHING, MATCH_CONSENT_VERSION, None),
        (Consent.Kind.MATCHING_FRIENDSHIP, FRIENDSHIP_CONSENT_VERSION, None)]


def test_the_domain_refuses_friendship_without_consent_whatever_the_caller():
    user = MemberProfileFactory().user
    details = MatchDetails(purposes=[Purpose.FRIENDSHIP], cities=[City.SUZHOU])
    with pytest.raises(MatchError) as refused:
        match_join(user=user, details=details, consent=True, friendship_consent=True, single=False)
    assert (str(refused.value), refused.value.field) == (zh(FRIENDSHIP_REFUSED), "friendship_consent")
    assert MatchProfile.objects.count() == 0


def test_friendship_details_are_dropped_when_she_does_not_choose_friendship(client, member):
    data = {**JOIN, "age_min": "30", "age_max": "40", "hometown": "南通"}
    assert client.post(reverse("matching:join"), data).status_code == 302
    profile = MatchProfile.objects.get(user=member)
    assert (profile.age_min, profile.age_max, profile.hometown) == (None, None, "")


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"introduction": "长" * 301}, "introduction", zh("The introduction may have at most %(count)d characters.") % {"count": 300}),
    ({"purposes": ["networking", "dating"]}, "purposes", zh("Choose purposes from the list.")),
    ({"purposes": []}, "purposes", zh("Choose at least one purpose.")),
    ({"cities": ["atlantis"]}, "cities", zh("Choose cities from the list.")),
    ({"cities": []}, "cities", zh("Choose at least one city where you can meet.")),
    ({"fields": ["alchemy"]}, "fields", zh("Choose fields from the list.")),
    ({"interests": "、".join(f"兴趣{i}" for i in range(11))}, "interests", zh("At most %(count)d interests.") % {"count": 10}),
    ({"interests": "一" * 21}, "interests", zh("Each interest may have at most %(count)d characters.") % {"count": 20}),
    ({"purposes": ["friendship"], "age_min": "40", "age_max": "30", "friendship_consent": "on", "single": "on"},
     "age_min", zh("The age range must lie between %(low)d and %(high)d, the lower end first.") % {"low": 18, "high": 80}),
    ({"purposes": ["friendship"], "age_min": "30", "friendship_consent": "on", "single": "on"},
     "age_min", zh("Give both ends of the age range, or neither.")),
    ({"purposes": ["friendship"], "age_min": "12", "age_max": "30", "friendship_consent": "on", "single": "on"},
     "age_min", zh("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": 18}),
    ({"age_visibility": "everyone"}, "age_visibility",
     zh("Select a valid choice. %(value)s is not one of the available choices.") % {"value": "everyone"}),
])
def test_bad_input_gets_a_clear_error_keeps_her_input_and_saves_nothing(client, member, change, field, message):
    response = client.post(reverse("matching:join"), {**JOIN, **change})
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert response.context["form"]["introduction"].value() == change.get("introduction", JOIN["introduction"])
    assert MatchProfile.objects.count() == 0
    assert consents(member) == []


def test_a_second_join_goes_to_her_profile_and_changes_nothing(client, member):
    opted_in(member)
    response = client.post(reverse("matching:join"), JOIN)
    assert (response.status_code, response.url) == (302, reverse("matching:profile"))
    assert MatchProfile.objects.get(user=member).purposes == ["networking"]
    assert len(consents(member)) == 1


def test_editing_keeps_her_profile_and_adding_friendship_asks_its_consent(client, member):
    opted_in(member)
    data = {**JOIN, "purposes": ["networking", "friendship"], "age_min": "30", "age_max": "38"}
    del data["consent"]
    refused = client.post(reverse("matching:profile"), data)
    assert refused.context["form"].errors == {"friendship_consent": [zh(FRIENDSHIP_REFUSED)]}
    assert MatchProfile.objects.get(user=member).purposes == ["networking"]

    saved = client.post(reverse("matching:profile"), {**data, "friendship_consent": "on", "single": "on"})
    assert (saved.status_code, saved.url) == (302, reverse("matching:profile"))
    profile = MatchProfile.objects.get(user=member)
    assert (profile.purposes, profile.age_min, profile.age_max, profile.cities) == (
        ["networking", "friendship"], 30, 38, ["suzhou", "shanghai"])
    # Once given, the 交友 consent is not asked again.
    again = client.get(reverse("matching:profile"))
    assert "friendship_consent" not in again.context["form"].made().fields  # made only to render its fields
    assert 'id="friendship-consent"' not in again.content.decode()

    dropped = client.post(reverse("matching:profile"), {**data, "purposes": ["networking"]})
    assert dropped.status_code == 302
    friendship = Consent.objects.get(user=member, kind=Consent.Kind.MATCHING_FRIENDSHIP)
    assert friendship.withdrawn_at is not None
    assert MatchProfile.objects.get(user=member).age_min is None


def test_her_profile_page_reads_her_profile_and_her_friendship_consent_in_one_round_trip(client, member):
    opted_in(member)
    with CaptureQueriesContext(connection) as asked:
        assert client.get(reverse("matching:profile")).status_code == 200
    tables = [t for q in asked.captured_queries for t in ("members_user", "matching_matchprofile", "members_consent")
              if f'FROM "{t}"' in q["sql"]]
    # Her account, then the two reads of the page, sent together (compiled_queries.together).
    assert tables == ["members_user", "matching_matchprofile", "members_consent"]
    assert statements_of(client, reverse("matching:profile"), ("matching_matchprofile", "members_consent",
                                                                "members_user")) == [
        ("members_user", True), ("matching_matchprofile", False), ("members_consent", False)]


def test_leaving_asks_first_then_deletes_her_profile_withdraws_her_consents_and_is_audited(client, member):
    profile = opted_in(member, purposes=[Purpose.NETWORKING, Purpose.FRIENDSHIP])
    page = client.get(reverse("matching:leave"))
    assert page.status_code == 200
    assert MatchProfile.objects.filter(pk=profile.pk).exists()

    response = client.post(reverse("matching:leave"))
    assert (response.status_code, response.url) == (302, reverse("matching:landing"))
    assert not MatchProfile.objects.filter(user=member).exists()
    assert [withdrawn is not None for _kind, _version, _at, withdrawn in consents(member)] == [True, True]
    event = AuditEvent.objects.tracks(profile).get(pgh_label="deleted")
    assert (event.pgh_context["user"], event.pgh_context["reason"]) == (member.pk, LEAVE_REASON)

    # A second click (another tab) changes nothing and answers the landing page.
    again = client.post(reverse("matching:leave"))
    assert (again.status_code, again.url) == (302, reverse("matching:landing"))


def test_joining_is_audited_as_done_by_her(member):
    profile = opted_in(member)
    event = AuditEvent.objects.tracks(profile).get(pgh_label="created")
    assert (event.pgh_context["user"], event.pgh_data["status"]) == (member.pk, "active")


def test_her_profile_page_before_joining_leads_to_the_join_page(client, member):
    response = client.get(reverse("matching:profile"))
    assert (response.status_code, response.url) == (302, reverse("matching:join"))


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED, Status.DRAFT])
def test_members_not_approved_cannot_join(client, status):
    profile = MemberProfileFactory(status=status, rejection_reason="资料不全" if status == Status.REJECTED else "")
    client.force_login(profile.user)
    for name in ("matching:join", "matching:profile", "matching:leave"):
        response = client.post(reverse(name), JOIN)
        assert response.status_code == 200
        assert [t.name for t in response.templates][0] == "members/awaiting_approval.html"
    assert MatchProfile.objects.count() == 0
    landing = client.get(reverse("matching:landing")).content.decode()
    assert 'id="match-not-yet"' in landing and reverse("matching:join") not in landing
    with pytest.raises(MatchError, match=zh("Only approved members of the alliance can join 遇见.")):
        match_join(user=profile.user, details=MatchDetails(purposes=["networking"], cities=["suzhou"]), consent=True)


def test_an_account_without_a_member_profile_is_sent_to_join_friendship_alone(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("matching:join"), JOIN)
    assert (response.status_code, response.url) == (302, reverse("matching:alone_join"))
    assert MatchProfile.objects.count() == 0


def test_visitors_see_what_it_is_and_are_sent_to_log_in_for_the_rest(client):
    landing = client.get(reverse("matching:landing"))
    assert landing.status_code == 200
    assert 'id="match-visitor"' in landing.content.decode()
    for name in ("matching:join", "matching:profile", "matching:leave"):
        response = client.post(reverse(name), JOIN)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert MatchProfile.objects.count() == 0


def test_the_landing_page_offers_an_approved_member_the_join_button_then_her_profile(client, member):
    assert reverse("matching:join") in client.get(reverse("matching:landing")).content.decode()
    opted_in(member)
    page = client.get(reverse("matching:landing")).content.decode()
    assert reverse("matching:profile") in page and reverse("matching:leave") in page


@pytest.mark.parametrize("slug", ["gather", "support"])
def test_the_gather_and_support_programme_pages_point_to_meet(client, slug):
    page = client.get(f"/programmes/{slug}/").content.decode()
    assert 'id="section-matching"' in page and reverse("matching:landing") in page


def test_other_programme_pages_do_not(client):
    assert 'id="section-matching"' not in client.get("/programmes/link/").content.decode()


def test_the_database_refuses_a_broken_age_range(member):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        MatchProfile.objects.create(user=member, purposes=["friendship"], cities=["suzhou"], age_min=40, age_max=30,
                                    fields=[Field.AI])


def test_her_profile_form_is_rendered_once_and_what_she_saves_shows_at_once(client, member):
    from tests.helpers import renders_of

    form = "matching/_profile_form.html"
    url = reverse("matching:profile")
    opted_in(member, interests=["人工智能"])
    other = MemberProfileFactory().user
    opted_in(other, interests=["徒步"])

    assert renders_of(client, url, form)[0] == 1
    count, page = renders_of(client, url, form)
    assert (count, 'value="人工智能"' in page) == (0, True)

    data = {**JOIN, "interests": "专利转化"}
    del data["consent"]
    assert client.post(url, data).status_code == 302
    count, page = renders_of(client, url, form)
    assert (count, 'value="专利转化"' in page, 'value="人工智能"' in page) == (1, True, False)

    client.force_login(other)
    count, page = renders_of(client, url, form)
    assert (count, 'value="徒步"' in page, 'value="专利转化"' in page) == (1, True, False)
