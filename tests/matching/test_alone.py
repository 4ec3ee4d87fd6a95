"""交友 alone: single talents who are not members sign up for 遇见 only, with a verified mobile
number and their real name; their profile waits, seen by nobody, until 遇见审核 verifies the name
(or rejects it with a reason, and she corrects it); members' rules still keep them out of
members-only pages."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import alone_demo, demo
from matching.cards import cards_of
from matching.models import MatchProfile, MatchStatus, Purpose
from matching.name_checks import VERIFIED_REASON, names_reject, names_verify
from matching.profiles import (
    FRIENDSHIP_CONSENT_VERSION,
    FRIENDSHIP_ONLY,
    MATCH_CONSENT_VERSION,
    MOBILE_FIRST,
    REAL_NAME_MISSING,
    MatchDetails,
    MatchError,
    match_join,
)
from matching.suggestions import active_profile_chunks, suggestions_refresh
from members.models import City, Consent, Status
from tests.factories import PASSWORD, MemberProfileFactory, UserFactory
from xiangcheng.core.audit import AuditEvent
from xiangcheng.core.models import Notice
from xiangcheng.core.roles import ADMINISTRATOR, MATCH_MODERATOR, REVIEWER

from ..members.test_signup import confirmation_link, sms_code
from .helpers import opted_in, zh

pytestmark = pytest.mark.django_db

JOIN_ALONE = reverse("matching:alone_join")
PROFILE_ALONE = reverse("matching:alone_profile")
QUEUE = "/admin/matching/namecheck/"

ALONE = {
    "real_name": "顾清", "purposes": [Purpose.FRIENDSHIP], "interests": "徒步、摄影", "cities": [City.SUZHOU],
    "introduction": "在相城做生物医药研发。", "age_min": "28", "age_max": "36", "age_visibility": "circle",
    "hometown": "江苏南通", "hometown_visibility": "connected", "friendship_consent": "on", "single": "on",
    "consent": "on",
}


def single(phone: str = "13912340001", **fields):
    """An account that is not a member, with a verified mobile number."""
    return UserFactory(phone=phone, phone_verified=True, **fields)


def joined_alone(user=None, **overrides) -> MatchProfile:
    user = user or single()
    details = {"purposes": [Purpose.FRIENDSHIP], "cities": [City.SUZHOU], "interests": ["徒步"], **overrides}
    return match_join(user=user, details=MatchDetails(**details), consent=True, friendship_consent=True,
                      single=True, real_name="顾清")


def consents(user):
    return list(Consent.objects.filter(user=user, kind__in=[Consent.Kind.MATCHING, Consent.Kind.MATCHING_FRIENDSHIP])
                .order_by("kind").values_list("kind", "version", "withdrawn_at"))


def suggested(profile: MatchProfile) -> list[int]:
    suggestions_refresh(profile=profile)
    return [card.candidate_id for card in cards_of(viewer=profile)]


@pytest.fixture
def moderator(staff_in_group):
    return staff_in_group("moderator", MATCH_MODERATOR.name)


def act(client, action: str, profiles: list[MatchProfile], **extra):
    return client.post(QUEUE, {"action": action, "_selected_action": [p.pk for p in profiles], **extra})


# --- the way in ------------------------------------------------------------------------------------


def test_an_email_sign_up_for_meet_alone_is_sent_to_verify_a_mobile_before_joining(client, outbox, sms_outbox):
    page = client.get("/accounts/signup/").content.decode()
    assert zh("take part only in 遇见交友 (single talents who are not members)") in page
    response = client.post("/accounts/signup/", {"email": "guqing@example.cn", "phone": "", "password1": PASSWORD,
                                                 "password2": PASSWORD, "accept_privacy": "on", "joining_as": "meet"})
    assert (response.status_code, response.url) == (302, reverse("account_email_verification_sent"))
    response = client.post(confirmation_link(outbox[-1]))
    assert (response.status_code, response.url) == (302, JOIN_ALONE)

    # Email only: refused until a mobile number is verified, and nothing is saved.
    page = client.get(JOIN_ALONE)
    assert [t.name for t in page.templates][0] == "matching/alone/mobile_first.html"
    assert reverse("account_change_phone") in page.content.decode()
    refused = client.post(JOIN_ALONE, ALONE)
    assert [t.name for t in refused.templates][0] == "matching/alone/mobile_first.html"
    user = refused.wsgi_request.user
    with pytest.raises(MatchError, match=re.escape(zh(MOBILE_FIRST))):
        match_join(user=user, details=MatchDetails(purposes=[Purpose.FRIENDSHIP], cities=[City.SUZHOU]),
                   consent=True, friendship_consent=True, single=True, real_name="顾清")
    assert (MatchProfile.objects.count(), consents(user)) == (0, [])

    client.post(reverse("account_change_phone"), {"phone": "13912340009"})
    client.post(reverse("account_verify_phone"), {"code": sms_code(sms_outbox[-1].text)})
    assert 'name="real_name"' in client.get(JOIN_ALONE).content.decode()
    assert (client.post(JOIN_ALONE, ALONE).status_code, MatchProfile.objects.get().user) == (302, user)


def test_a_mobile_sign_up_for_meet_alone_lands_on_the_join_form(client, sms_outbox):
    client.post("/accounts/signup/", {"phone": "13912340002", "password1": PASSWORD, "password2": PASSWORD,
                                      "accept_privacy": "on", "joining_as": "meet"})
    response = client.post(reverse("account_verify_phone"), {"code": sms_code(sms_outbox[-1].text)})
    assert (response.status_code, response.url) == (302, JOIN_ALONE)
    page = client.get(JOIN_ALONE)
    assert [t.name for t in page.templates][0] == "matching/alone/join.html"


def test_the_meet_pages_lead_her_to_the_alone_path(client):
    user = single()
    client.force_login(user)
    assert 'id="match-alone"' in client.get(reverse("matching:landing")).content.decode()
    assert client.get(reverse("matching:join")).url == JOIN_ALONE
    joined_alone(user)
    assert client.get(reverse("matching:profile")).url == PROFILE_ALONE


def test_an_applicant_waiting_for_membership_is_not_offered_the_alone_path(client):
    applicant = MemberProfileFactory(status=Status.PENDING, user=single()).user
    client.force_login(applicant)
    for url in (JOIN_ALONE, PROFILE_ALONE, reverse("matching:join")):
        response = client.post(url, ALONE)
        assert [t.name for t in response.templates][0] == "members/awaiting_approval.html"
    assert MatchProfile.objects.count() == 0


@pytest.mark.parametrize("url", ["/members/directory/", "/offerings/", "/offerings/bookings/", "/requests/"])
def test_members_only_pages_stay_closed_to_a_participant_who_is_not_a_member(client, url):
    profile = joined_alone()
    names_verify(profile_ids=[profile.pk], moderator=UserFactory(is_staff=True, is_superuser=True))
    client.force_login(profile.user)
    response = client.get(url)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "members/awaiting_approval.html"


# --- joining: the form, the consents, the rules ----------------------------------------------------


def test_joining_alone_records_the_consents_and_waits_for_the_check(client):
    user = single()
    client.force_login(user)
    page = client.get(JOIN_ALONE).content.decode()
    assert zh("Real name (as on your ID card)") in page and 'id="alone-consent"' in page
    assert 'name="show_photo"' not in page and 'value="networking"' not in page

    response = client.post(JOIN_ALONE, ALONE)
    assert (response.status_code, response.url) == (302, PROFILE_ALONE)
    profile = MatchProfile.objects.get(user=user)
    assert (profile.status, profile.real_name, profile.purposes, profile.interests, profile.age_min,
            profile.show_photo, profile.fields) == (
        MatchStatus.AWAITING_CHECK, "顾清", ["friendship"], ["徒步", "摄影"], 28, False, [])
    assert consents(user) == [(Consent.Kind.MATCHING, MATCH_CONSENT_VERSION, None),
                              (Consent.Kind.MATCHING_FRIENDSHIP, FRIENDSHIP_CONSENT_VERSION, None)]
    for url in (PROFILE_ALONE, reverse("matching:suggestions"), reverse("matching:landing")):
        assert 'id="alone-awaiting"' in client.get(url).content.decode()


def test_a_member_joining_friendship_is_not_queued():
    profile = opted_in(MemberProfileFactory(user=single()).user, purposes=[Purpose.FRIENDSHIP])
    assert (profile.status, profile.real_name) == (MatchStatus.ACTIVE, "")


@pytest.mark.parametrize("purposes", [[Purpose.NETWORKING], [Purpose.FRIENDSHIP, Purpose.SEEK_MENTOR]])
def test_purposes_other_than_friendship_are_refused_without_membership(client, purposes):
    user = single()
    client.force_login(user)
    response = client.post(JOIN_ALONE, {**ALONE, "purposes": purposes})
    assert response.status_code == 200
    assert response.context["form"].errors == {"purposes": [zh(FRIENDSHIP_ONLY)]}
    assert response.context["form"]["real_name"].value() == "顾清"
    with pytest.raises(MatchError) as refused:
        joined_alone(user, purposes=purposes)
    assert (str(refused.value), refused.value.field) == (zh(FRIENDSHIP_ONLY), "purposes")
    assert (MatchProfile.objects.count(), consents(user)) == (0, [])


def test_an_alone_participant_cannot_add_networking_by_editing(client):
    profile = joined_alone()
    client.force_login(profile.user)
    response = client.post(PROFILE_ALONE, {**ALONE, "purposes": [Purpose.FRIENDSHIP, Purpose.NETWORKING]})
    assert response.context["form"].errors == {"purposes": [zh(FRIENDSHIP_ONLY)]}
    profile.refresh_from_db()
    assert profile.purposes == ["friendship"]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"real_name": "顾" * 41}, "real_name", "The real name may have at most %(count)d characters."),
    ({"real_name": "   "}, "real_name", REAL_NAME_MISSING),
    ({"consent": ""}, "consent", "To join 遇见, tick the box to show you agree."),
    ({"single": ""}, "friendship_consent",
     "交友 needs its own consent and your confirmation that you are single. Tick both, or leave 交友 out."),
])
def test_bad_input_keeps_the_form_and_adds_nothing(client, change, field, message):
    user = single()
    client.force_login(user)
    response = client.post(JOIN_ALONE, {**ALONE, **change})
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [zh(message) % {"count": 40} if "%" in message else zh(message)]}
    assert response.context["form"]["introduction"].value() == ALONE["introduction"]
    assert response.context["form"]["hometown"].value() == ALONE["hometown"]
    assert (MatchProfile.objects.count(), consents(user)) == (0, [])


# --- the queue: waiting, verified, rejected and resubmitted ----------------------------------------


def test_waiting_she_is_suggested_to_nobody_and_once_verified_only_to_the_friendship_circle(client, moderator):
    friend = opted_in(MemberProfileFactory(real_name="孙悦").user, purposes=[Purpose.FRIENDSHIP],
                      interests=["徒步"])
    networker = opted_in(MemberProfileFactory().user, purposes=[Purpose.NETWORKING], interests=["徒步"])
    alone = joined_alone()
    assert (suggested(friend), suggested(networker), suggested(alone)) == ([], [], [])
    assert alone.pk not in sum(active_profile_chunks(), [])

    client.force_login(moderator)
    queue = client.get(QUEUE).content.decode()
    assert "顾清" in queue and "孙悦" not in queue and alone.user.phone not in queue
    assert alone.user.phone in client.get(f"{QUEUE}{alone.pk}/change/").content.decode()
    assert act(client, "verify", [alone]).status_code == 302

    alone.refresh_from_db()
    assert alone.status == MatchStatus.ACTIVE
    event = AuditEvent.objects.tracks(alone).get(pgh_label="active")
    assert (event.pgh_context["user"], event.pgh_context["reason"]) == (moderator.pk, VERIFIED_REASON)
    notice = Notice.objects.get(kind="matching.name_check")
    assert (notice.recipient_id, notice.data) == (alone.user_id, {"decision": "active", "reason": ""})

    assert (suggested(friend), suggested(networker), suggested(alone)) == ([alone.pk], [], [friend.pk])
    card = cards_of(viewer=friend)[0]
    assert (card.name, card.job_title, card.photo_url) == ("顾清", "", "")
    page = client.get(QUEUE).content.decode()
    assert "顾清" not in page  # the queue shows who still waits


def test_rejected_with_a_reason_she_corrects_her_name_and_is_checked_again(client, moderator):
    alone = joined_alone()
    client.force_login(moderator)
    empty = act(client, "reject", [alone], reason="  ")
    assert empty.status_code == 200 and empty.context["form"].errors["reason"]
    alone.refresh_from_db()
    assert alone.status == MatchStatus.AWAITING_CHECK

    assert act(client, "reject", [alone], reason="与手机号登记的姓名不一致").status_code == 302
    alone.refresh_from_db()
    assert (alone.status, alone.check_reason) == (MatchStatus.REJECTED, "与手机号登记的姓名不一致")
    event = AuditEvent.objects.tracks(alone).get(pgh_label="rejected")
    assert (event.pgh_context["user"], event.pgh_context["reason"]) == (moderator.pk, "与手机号登记的姓名不一致")
    notice = Notice.objects.get(kind="matching.name_check")
    assert notice.data == {"decision": "rejected", "reason": "与手机号登记的姓名不一致"}
    assert suggested(alone) == []

    client.force_login(alone.user)
    page = client.get(PROFILE_ALONE).content.decode()
    assert 'id="alone-rejected"' in page and "与手机号登记的姓名不一致" in page
    assert client.post(PROFILE_ALONE, {**ALONE, "real_name": "顾晴"}).status_code == 302
    alone.refresh_from_db()
    assert (alone.status, alone.real_name, alone.check_reason) == (MatchStatus.AWAITING_CHECK, "顾晴", "")

    assert names_verify(profile_ids=[alone.pk], moderator=moderator) == 1
    alone.refresh_from_db()
    assert alone.status == MatchStatus.ACTIVE
    # A verified participant who changes her name is checked again; other edits keep her taking part.
    client.post(PROFILE_ALONE, {**ALONE, "real_name": "顾晴", "introduction": "喜欢徒步。"})
    alone.refresh_from_db()
    assert (alone.status, alone.introduction) == (MatchStatus.ACTIVE, "喜欢徒步。")
    client.post(PROFILE_ALONE, {**ALONE, "real_name": "顾清"})
    alone.refresh_from_db()
    assert alone.status == MatchStatus.AWAITING_CHECK


@pytest.mark.parametrize("role", [ADMINISTRATOR, REVIEWER])
def test_staff_without_the_meet_permission_cannot_verify(client, staff_in_group, role):
    alone = joined_alone()
    staff = staff_in_group("other", role.name)
    client.force_login(staff)
    assert client.get(QUEUE).status_code == 403
    assert act(client, "verify", [alone]).status_code == 403
    assert client.get(f"{QUEUE}{alone.pk}/change/").status_code == 403
    with pytest.raises(MatchError):
        names_verify(profile_ids=[alone.pk], moderator=staff)
    with pytest.raises(MatchError):
        names_reject(profile_ids=[alone.pk], moderator=staff, reason="不一致")
    alone.refresh_from_db()
    assert alone.status == MatchStatus.AWAITING_CHECK


def test_the_moderator_role_holds_the_queue_and_its_decision():
    perms = Group.objects.get(name=MATCH_MODERATOR.name).permissions.filter(codename__endswith="namecheck")
    assert sorted(p.codename for p in perms) == ["check_namecheck", "view_namecheck"]


def test_the_queue_costs_the_same_queries_for_5_and_50_waiting(client, moderator):
    client.force_login(moderator)
    counts = []
    for n, total in ((0, 5), (5, 50)):
        for i in range(n, total):
            joined_alone(single(phone=f"139123{i:05d}"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUEUE).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_leaving_deletes_her_real_name_with_her_profile(client):
    alone = joined_alone()
    client.force_login(alone.user)
    assert client.post(reverse("matching:leave")).status_code == 302
    assert not MatchProfile.objects.filter(real_name="顾清").exists()


def test_the_demo_has_one_verified_and_one_waiting_participant_once():
    for _ in range(2):
        demo.demo_load()
        alone_demo.demo_load()
    rows = sorted(MatchProfile.objects.exclude(real_name="").values_list("user__username", "status"))
    assert rows == [("guqing", MatchStatus.AWAITING_CHECK), ("jiangyifan", MatchStatus.ACTIVE)]


def test_she_logs_in_to_her_meet_page_not_to_the_membership_application(client):
    alone = joined_alone(single())
    response = client.post("/accounts/login/", {"login": alone.user.email, "password": PASSWORD})
    assert (response.status_code, response.url) == (302, PROFILE_ALONE)
