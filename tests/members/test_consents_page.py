"""我的授权: every consent she gave (hers only), and what withdrawing each one stops at once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import booking
from events.childcare_consent import CHILDCARE_CONSENT_VERSION
from events.models import EventSeats, Registration, RegistrationStatus
from matching import introductions as intro_rules
from matching.models import MatchProfile, Purpose
from matching.profiles import FRIENDSHIP_CONSENT_VERSION, MATCH_CONSENT_VERSION
from members.consents import consent_grant
from members.models import Consent
from members.story_feature_models import StoryFeatureStatus
from members.story_features import story_feature_ask, story_feature_consent
from services import responses
from services.models import RequestResponse
from tests.core.story_helpers import story
from tests.events.factories import EventFactory
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import email_subject, messages_of, zh, zh_n
from tests.matching.helpers import opted_in
from tests.services.request_support import organisation, published, representative
from xiangcheng.core import audit
from xiangcheng.core.models import Notice

pytestmark = pytest.mark.django_db

URL = "/members/consents/"
HER_EMAIL, HER_PHONE = "lin.consents@example.cn", "13912340001"


def member(real_name: str, **user_fields):
    user = UserFactory(**user_fields)
    MemberProfileFactory(user=user, real_name=real_name)
    consent_grant(user=user, kind=Consent.Kind.PRIVACY_POLICY)
    consent_grant(user=user, kind=Consent.Kind.DIRECTORY)
    return user


def listed(response) -> list[tuple[str, str]]:
    return [(source.key, item.title) for source, item in response.context["page"]]


def withdraw_url(source: str, item: str) -> str:
    return reverse("members:consent_withdraw", args=[source, item])


def responded(user, service_request, **shares) -> RequestResponse:
    return responses.response_create(service_request=service_request, member=user, message="我有相关经验。", **shares)


def childcare_event(**fields):
    return EventFactory(childcare_offered=True, childcare_places=2, capacity=5, **fields)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs what the block left for after commit (the notice's delivery)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def her(db):
    return member("林晓雯", email=HER_EMAIL, phone=HER_PHONE, phone_verified=True)


@pytest.fixture
def org():
    return organisation(name="苏州相城薄膜新材料有限公司")


@pytest.fixture
def rep(org):
    return representative(org, username="hr")


def test_the_page_lists_exactly_her_consents_with_version_and_time(client, her, org, rep):
    opted_in(her, purposes=[Purpose.NETWORKING, Purpose.FRIENDSHIP])
    other = member("周怡然")
    opted_in(other, purposes=[Purpose.NETWORKING, Purpose.FRIENDSHIP])
    request = published(org, author=rep, title="薄膜表征合作")
    responded(her, request, share_email=True)
    responded(other, published(org, author=rep, title="另一项需求"), share_email=True)
    friend = opted_in(member("宋薇"), purposes=[Purpose.NETWORKING, Purpose.FRIENDSHIP])
    connection = intro_rules.introduction_send(sender=friend.user, profile_id=MatchProfile.objects.get(user=her).pk,
                                               message="你好", shares=[intro_rules.SHARE_EMAIL])
    intro_rules.introduction_accept(pk=connection.pk, user=her, shares=[intro_rules.SHARE_PHONE])
    event = childcare_event(title="周末亲子科普沙龙", starts_at=timezone.now() + timedelta(days=10))
    booking.sign_up(event_id=event.pk, user=her, children_ages=[4, 7], children_consent=True)
    booking.sign_up(event_id=childcare_event().pk, user=other, children_ages=[5], children_consent=True)

    client.force_login(her)
    response = client.get(URL)

    assert response.status_code == 200
    assert listed(response) == [
        ("privacy", zh("Privacy policy")),
        ("directory", zh("Listing in the member directory")),
        ("meet", zh("Taking part in 遇见")),
        ("friendship", zh("The 交友 circle (and being single)")),
        ("connections", "宋薇"),
        ("organisations", "苏州相城薄膜新材料有限公司"),
        ("childcare", zh("Children's data for childcare")),
    ]
    items = {source.key: item for source, item in response.context["page"]}
    assert [items[key].version for key in ("privacy", "meet", "friendship", "childcare")] == [
        "2026-11", MATCH_CONSENT_VERSION, FRIENDSHIP_CONSENT_VERSION, CHILDCARE_CONSENT_VERSION]
    assert items["childcare"].detail == zh_n("%(event)s: %(count)d child", "%(event)s: %(count)d children", 2,
                                            event="周末亲子科普沙龙", count=2)
    html = response.content.decode()
    assert "另一项需求" not in html and "周怡然" not in html
    # Every one can be withdrawn, but the privacy policy, which says why.
    assert html.count('class="button button-small button-danger"') == 6
    assert withdraw_url("privacy", "current") not in html
    assert items["privacy"].note == zh("It cannot be withdrawn while you keep an account: the portal cannot run your "
                                       "account without it. To stop all processing, delete your account (注销账号) "
                                       "under Account.")


def test_the_privacy_policy_cannot_be_withdrawn_and_another_members_consents_answer_404(client, her, org, rep):
    other = member("周怡然")
    theirs = responded(other, published(org, author=rep), share_email=True)
    client.force_login(her)

    assert client.get(withdraw_url("privacy", "current")).status_code == 404
    assert client.get(withdraw_url("organisations", f"response-{theirs.pk}")).status_code == 404
    assert client.get(withdraw_url("nothing", "here")).status_code == 404
    response = client.post(withdraw_url("organisations", f"response-{theirs.pk}"), follow=True)
    assert messages_of(response) == [zh("This consent is not among yours, or it is already withdrawn.")]
    theirs.refresh_from_db()
    assert (theirs.share_email, Notice.objects.filter(kind="members.consent_withdrawn").count()) == (True, 0)


def test_withdrawing_the_directory_asks_first_and_she_leaves_the_directory_at_once(client, her, committed, outbox):
    viewer = MemberProfileFactory(real_name="观察者", listed_in_directory=False).user
    client.force_login(viewer)
    assert [p.real_name for p in client.get("/members/directory/", {"q": "林晓"}).context["page"]] == ["林晓雯"]

    client.force_login(her)
    confirm = client.get(withdraw_url("directory", "listing"))
    assert confirm.status_code == 200
    assert zh("You disappear from the member directory at once. You can list yourself again from your profile at "
              "any time.") in confirm.content.decode()
    assert her.profile.listed_in_directory  # asking is not withdrawing
    with committed():
        response = client.post(withdraw_url("directory", "listing"), follow=True)

    assert messages_of(response) == [zh("Withdrawn: %(what)s. That processing has stopped.") % {
        "what": zh("Listing in the member directory")}]
    assert [source.key for source, _item in response.context["page"]] == ["privacy"]
    her.profile.refresh_from_db()
    assert her.profile.listed_in_directory is False
    assert Consent.objects.get(user=her, kind=Consent.Kind.DIRECTORY).withdrawn_at is not None
    client.force_login(viewer)
    assert list(client.get("/members/directory/", {"q": "林晓"}).context["page"]) == []
    # She is told, by email.
    notice = Notice.objects.get(kind="members.consent_withdrawn")
    assert (notice.recipient_id, notice.data["what"]) == (her.pk, f"{zh('Member directory')} · "
                                                                  f"{zh('Listing in the member directory')}")
    assert [(m.to, m.subject) for m in outbox] == [([HER_EMAIL], email_subject("You withdrew a consent"))]
    assert notice.data["what"] in outbox[0].body


def named(client, shown) -> list[str]:
    """The members the story's page names."""
    sections = client.get(reverse("stories:detail", args=[shown.pk])).context["sections"]
    return [person.name for section in sections if section.key == "featured_members"
            for person in section.context["people"]]


def test_withdrawing_her_consent_to_a_story_stops_it_naming_her_at_once(client, her):
    shown = story("把成果带进车间")
    feature = story_feature_consent(feature_id=story_feature_ask(story=shown, member=her).pk, member=her)
    client.force_login(her)
    assert ("stories", "把成果带进车间") in listed(client.get(URL))
    assert named(client, shown) == ["林晓雯"]

    response = client.post(withdraw_url("stories", f"story-{feature.pk}"), follow=True)

    assert messages_of(response) == [zh("Withdrawn: %(what)s. That processing has stopped.") % {
        "what": "把成果带进车间"}]
    feature.refresh_from_db()
    assert feature.status == StoryFeatureStatus.WITHDRAWN
    assert Consent.objects.get(user=her, kind=Consent.Kind.STORY_FEATURE).withdrawn_at is not None
    assert named(client, shown) == []
    assert client.get(withdraw_url("stories", f"story-{feature.pk}")).status_code == 404


def test_withdrawing_meet_deletes_her_match_profile(client, her):
    opted_in(her, purposes=[Purpose.NETWORKING, Purpose.FRIENDSHIP])
    client.force_login(her)
    client.post(withdraw_url("meet", "taking-part"))

    assert not MatchProfile.objects.filter(user=her).exists()
    assert list(Consent.objects.filter(user=her, kind__in=[Consent.Kind.MATCHING, Consent.Kind.MATCHING_FRIENDSHIP],
                                       withdrawn_at__isnull=True)) == []
    assert client.get("/meet/profile/").status_code in (200, 302)
    assert [source.key for source, _item in client.get(URL).context["page"]] == ["privacy", "directory"]


def test_withdrawing_friendship_keeps_her_other_purposes_or_ends_her_part_when_it_was_the_only_one(client, her):
    opted_in(her, purposes=[Purpose.NETWORKING, Purpose.FRIENDSHIP], age_min=28, age_max=38, hometown="苏州")
    only_friends = member("高丽")
    opted_in(only_friends, purposes=[Purpose.FRIENDSHIP])

    client.force_login(her)
    client.post(withdraw_url("friendship", "circle"))
    profile = MatchProfile.objects.get(user=her)
    assert (profile.purposes, profile.age_min, profile.hometown) == ([Purpose.NETWORKING], None, "")
    assert Consent.objects.filter(user=her, kind=Consent.Kind.MATCHING, withdrawn_at__isnull=True).count() == 1
    assert Consent.objects.filter(user=her, kind=Consent.Kind.MATCHING_FRIENDSHIP, withdrawn_at__isnull=True).count() == 0

    client.force_login(only_friends)
    client.post(withdraw_url("friendship", "circle"))
    assert not MatchProfile.objects.filter(user=only_friends).exists()


def test_withdrawing_contacts_from_an_organisation_hides_them_on_its_response_page(client, her, org, rep):
    answer = responded(her, published(org, author=rep), share_email=True, share_phone=True)
    responses.response_accept(response=answer, representative=rep)
    page_url = reverse("services:organisation_request", args=[org.pk, answer.request_id])
    client.force_login(rep)
    page = client.get(page_url).content.decode()
    assert HER_EMAIL in page and HER_PHONE in page

    client.force_login(her)
    confirm = client.get(withdraw_url("organisations", f"response-{answer.pk}")).content.decode()
    assert "苏州相城薄膜新材料有限公司" in confirm
    client.post(withdraw_url("organisations", f"response-{answer.pk}"))

    answer.refresh_from_db()
    assert (answer.share_email, answer.share_phone, answer.status) == (False, False, "accepted")
    client.force_login(rep)
    page = client.get(page_url).content.decode()
    assert HER_EMAIL not in page and HER_PHONE not in page
    # The trail says she did it, and why.
    last = audit.history(answer)[-1]
    assert (last.actor_id, last.reason) == (her.pk, "Withdrew a consent (我的授权)")


def test_withdrawing_contacts_from_a_connection_hides_them_from_that_connection(client, her):
    friend = opted_in(member("宋薇"))
    opted_in(her)
    connection = intro_rules.introduction_send(sender=her, profile_id=MatchProfile.objects.get(user=friend.user).pk,
                                               message="你好", shares=[intro_rules.SHARE_EMAIL, intro_rules.SHARE_PHONE])
    intro_rules.introduction_accept(pk=connection.pk, user=friend.user)
    rows = list(intro_rules.introductions_listed(user=friend.user, tab=intro_rules.CONNECTED))
    assert [c.value for c in intro_rules.contacts_shown(introductions=rows, viewer=friend.user)[connection.pk]] == [
        HER_EMAIL, HER_PHONE]

    client.force_login(her)
    client.post(withdraw_url("connections", f"connection-{connection.pk}"))

    rows = list(intro_rules.introductions_listed(user=friend.user, tab=intro_rules.CONNECTED))
    assert intro_rules.contacts_shown(introductions=rows, viewer=friend.user) == {connection.pk: []}
    assert [rule.status_seen(rows[0], viewer=friend.user) for rule in [intro_rules]] == [intro_rules.CONNECTED_SEEN]


def test_withdrawing_childcare_erases_the_childrens_data_on_coming_registrations_and_frees_the_places(client, her):
    coming = childcare_event(starts_at=timezone.now() + timedelta(days=7))
    mine = booking.sign_up(event_id=coming.pk, user=her, children_ages=[4, 7], children_consent=True)
    past_event = childcare_event(starts_at=timezone.now() - timedelta(days=7),
                                 registration_opens_at=timezone.now() - timedelta(days=20))
    past = Registration.objects.create(event=past_event,
                                       user=her, status=RegistrationStatus.CONFIRMED, children_count=1,
                                       children_ages=[6], decided_at=timezone.now())
    other = member("王芳")
    with pytest.raises(booking.BookingError):  # childcare is full
        booking.sign_up(event_id=coming.pk, user=other, children_ages=[5], children_consent=True)

    client.force_login(her)
    client.post(withdraw_url("childcare", "children"))

    mine.refresh_from_db()
    past.refresh_from_db()
    assert (mine.status, mine.children_count, mine.children_ages) == (RegistrationStatus.CONFIRMED, 0, [])
    assert (past.children_count, past.children_ages) == (1, [6])
    assert EventSeats.objects.get(pk=coming.pk).children == 0
    assert Consent.objects.get(user=her, kind=Consent.Kind.CHILDCARE_CHILDREN).withdrawn_at is not None
    assert booking.sign_up(event_id=coming.pk, user=other, children_ages=[5], children_consent=True).status == (
        RegistrationStatus.CONFIRMED)
    last = audit.history(mine)[-1]
    assert (last.actor_id, last.reason) == (her.pk, "Withdrew a consent (我的授权)")


@pytest.mark.parametrize("rows", [5, 50])
def test_the_page_reads_a_constant_number_of_queries(client, her, org, rep, rows, django_assert_num_queries):
    for n in range(rows):
        responded(her, published(org, author=rep, title=f"需求{n}"), share_email=True)
    client.force_login(her)
    client.get(URL)  # the session and the site's caches warmed
    with django_assert_num_queries(QUERIES):
        response = client.get(URL, {"page": 2 if rows == 50 else 1})
    assert len(response.context["page"]) == (20 if rows == 50 else 7)


# Her account (with her unread count), every consent she has in force (one query for all kinds),
# and one for each source with rows of its own: the directory listing, stories, childcare bookings,
# contacts shared with organisations and with 遇见 connections. All but her account travel together.
QUERIES = 8


def test_every_source_with_a_query_of_its_own_is_read_with_her_consents_in_one_round_trip(her, monkeypatch):
    from members import consent_kinds

    trips = []
    sent = consent_kinds.together
    monkeypatch.setattr(consent_kinds, "together", lambda *reads: trips.append(len(reads)) or sent(*reads))
    consent_kinds.consents_of(user=her)
    assert trips == [6]


def test_each_kind_shows_her_latest_consent_in_force_read_with_the_others(her):
    from members.consent_kinds import consents_of
    from members.consents import consent_grant, consent_in_force, consent_withdraw, consents_read_together

    consent_grant(user=her, kind=Consent.Kind.MATCHING, version="2026-10")
    newer = consent_grant(user=her, kind=Consent.Kind.MATCHING, version="2026-11")
    consent_grant(user=her, kind=Consent.Kind.DIRECTORY)
    consent_withdraw(user=her, kind=Consent.Kind.DIRECTORY)

    alone = consent_in_force(user=her, kind=Consent.Kind.MATCHING)
    with consents_read_together(user=her):
        together = consent_in_force(user=her, kind=Consent.Kind.MATCHING)
        withdrawn = consent_in_force(user=her, kind=Consent.Kind.DIRECTORY)

    assert alone == together == newer
    assert withdrawn is None
    assert consent_in_force(user=her, kind=Consent.Kind.DIRECTORY) is None
    assert [item.version for source, items in consents_of(user=her) if source.key == "meet" for item in items] == [
        "2026-11"]


def test_her_rows_are_rendered_once_with_each_kinds_heading_and_a_withdrawal_shows_at_once(client, her):
    import re

    from members.consent_rows import ROW_TEMPLATE
    from tests.helpers import renders_of

    opted_in(her, purposes=[Purpose.NETWORKING, Purpose.FRIENDSHIP])
    client.force_login(her)

    first, page = renders_of(client, URL, ROW_TEMPLATE)
    again, page_again = renders_of(client, URL, ROW_TEMPLATE)
    headings = re.findall(r'<li class="consent-group"><h2>([^<]+)</h2></li>', page)
    assert (first, again) == (4, 0)
    assert headings == [zh("Privacy policy"), zh("Member directory"), zh("遇见"), zh("交友")]
    assert re.findall(r'<li class="consent-group"><h2>([^<]+)</h2></li>', page_again) == headings

    assert client.post(withdraw_url("friendship", "circle")).status_code == 302
    count, page = renders_of(client, URL, ROW_TEMPLATE)
    assert count == 0  # the rows still in force are the same rows
    assert zh("交友") not in re.findall(r'<li class="consent-group"><h2>([^<]+)</h2></li>', page)
    assert page.count('class="card consent"') == 3
