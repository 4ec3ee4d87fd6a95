"""遇见 联谊活动: events kept to "遇见 participants" or to the 交友 circle are listed, shown and booked
only by that circle (and by the staff who run events); everyone else gets 404 and never sees them
in a list, a section, a search or a calendar."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from events import booking
from events.audiences import seen_by
from events.calendar import feed_token
from events.models import Audience, Event, Registration, RegistrationStatus, audience_choices
from events.queries import event_page, events_visible
from matching.audiences import FRIENDSHIP_CIRCLE, PARTICIPANTS
from matching.models import MatchProfile, MatchStatus, Purpose
from matching.profiles import MatchDetails, match_edit, match_leave
from members.models import City, Field, Status
from tests.events.factories import EventFactory, RegistrationFactory, VenueFactory, programme
from tests.factories import EVENT_MANAGER_GROUP, REVIEWER_GROUP, MemberProfileFactory
from tests.helpers import queries_for

from .helpers import opted_in, zh

pytestmark = pytest.mark.django_db

OPEN_TITLE, MEET_TITLE, FRIENDS_TITLE = "产业资源对接沙龙", "遇见·行业交流下午茶", "遇见·太湖边徒步联谊"
MEET_LABEL, FRIENDS_LABEL = "遇见 participants", "交友 circle members"


def only_for(label: str) -> str:
    """The refusal she reads, in Chinese."""
    return zh("This event is only for %(audience)s.") % {"audience": zh(label)}


@pytest.fixture
def events():
    """An open salon and the two mixers, all on 相聚她平台 and open for sign-up."""
    soon = (timezone.now() + timedelta(days=5)).replace(microsecond=0)
    return {
        "open": EventFactory(title=OPEN_TITLE, starts_at=soon, description="对接沙龙"),
        "meet": EventFactory(title=MEET_TITLE, starts_at=soon + timedelta(hours=1), audience=PARTICIPANTS,
                             description="联谊活动 行业交流"),
        "friends": EventFactory(title=FRIENDS_TITLE, starts_at=soon + timedelta(hours=2),
                                audience=FRIENDSHIP_CIRCLE, description="联谊活动 徒步"),
    }


def networking(user):
    return opted_in(user)


def friendship(user):
    return opted_in(user, purposes=[Purpose.NETWORKING, Purpose.FRIENDSHIP])


@pytest.fixture
def viewers(staff_in_group):
    """Each kind of account the matrix asks about (None: a visitor)."""
    meet = MemberProfileFactory(real_name="许静").user
    networking(meet)
    friends = MemberProfileFactory(real_name="孙悦").user
    friendship(friends)
    return {
        "visitor": None,
        "pending member": MemberProfileFactory(status=Status.PENDING).user,
        "member not in 遇见": MemberProfileFactory().user,
        "遇见 participant": meet,
        "交友 participant": friends,
        "event staff": staff_in_group("huodong", EVENT_MANAGER_GROUP),
        "other staff": staff_in_group("shenhe", REVIEWER_GROUP),
    }


# Who sees which mixer: everyone sees the open salon.
SEES = {
    "visitor": set(),
    "pending member": set(),
    "member not in 遇见": set(),
    "遇见 participant": {"meet"},
    "交友 participant": {"meet", "friends"},
    "event staff": {"meet", "friends"},
    "other staff": set(),
}
TITLES = {"open": OPEN_TITLE, "meet": MEET_TITLE, "friends": FRIENDS_TITLE}


def as_viewer(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def listed(response) -> list[str]:
    return [e.title for e in response.context["page"]]


def section_titles(response, key: str = "events") -> list[str]:
    [section] = [s for s in response.context["sections"] if s.key == key]
    return [e.title for e in section.context["events"]]


def ics_titles(content: bytes) -> list[str]:
    return [str(c.get("summary")) for c in Calendar.from_ical(content).walk("VEVENT")]


@pytest.mark.parametrize("who", list(SEES))
def test_each_viewer_sees_exactly_the_mixers_of_her_circles_everywhere(client, events, viewers, who):
    user = viewers[who]
    client = as_viewer(client, user)
    expected = [TITLES[k] for k in ("open", "meet", "friends") if k == "open" or k in SEES[who]]

    # The list, its search and the programme filter, the home page, 相聚她平台's page.
    response = client.get(reverse("events:list"))
    assert listed(response) == expected
    assert listed(client.get(reverse("events:list"), {"q": "联谊活动"})) == expected[1:]
    assert listed(client.get(reverse("events:list"), {"programme": "gather"})) == expected
    assert section_titles(client.get(reverse("home"))) == expected
    assert section_titles(client.get(reverse("programmes:detail", args=["gather"]))) == expected
    # The cards are kept rendered: a card another viewer's page rendered never reaches this page.
    content = response.content.decode()
    for key, title in TITLES.items():
        assert (title in content) is (title in expected), key

    # The page and its calendar file: shown, or 404 as if the event did not exist.
    for key, event in events.items():
        seen = key == "open" or key in SEES[who]
        page = client.get(reverse("events:detail", args=[event.pk]))
        assert page.status_code == (200 if seen else 404), key
        ics = client.get(reverse("events:ics", args=[event.pk]))
        assert ics.status_code == (200 if seen else 404), key
        if seen:
            assert ics_titles(ics.content) == [event.title]

    # The one-event check the event's page makes agrees with the lists' rule for every event.
    viewer = user or AnonymousUser()
    listed_pks = set(events_visible(viewer=viewer).values_list("pk", flat=True))
    for key, event in events.items():
        assert (event_page(pk=event.pk, viewer=viewer)[0] is not None) is (event.pk in listed_pks), key
        assert (event.pk in listed_pks) is (key == "open" or key in SEES[who]), key


def test_the_event_staff_see_every_mixer_in_admin_and_choose_the_circle(client, events, viewers):
    client.force_login(viewers["event staff"])
    response = client.get(reverse("admin:events_event_changelist"))
    assert sorted(e.title for e in response.context["cl"].result_list) == sorted(TITLES.values())

    form = client.get(reverse("admin:events_event_change", args=[events["friends"].pk])).context["adminform"].form
    assert [value for value, _label in form.fields["audience"].choices] == [
        Audience.MEMBERS, Audience.VERIFIED, PARTICIPANTS, FRIENDSHIP_CIRCLE]
    assert form.initial["audience"] == FRIENDSHIP_CIRCLE


def test_the_audiences_have_their_labels_and_the_page_says_who_may_come(client, events, viewers):
    with translation.override("en"):
        assert [(key, str(label)) for key, label in audience_choices()][2:] == [
            (PARTICIPANTS, MEET_LABEL), (FRIENDSHIP_CIRCLE, FRIENDS_LABEL)]
    client.force_login(viewers["交友 participant"])
    page = client.get(reverse("events:detail", args=[events["friends"].pk])).content.decode()
    assert f"<dt>{zh('Who')}</dt><dd>{zh(FRIENDS_LABEL)}</dd>" in page
    listing = client.get(reverse("events:list")).content.decode()
    for label in (MEET_LABEL, FRIENDS_LABEL):
        assert listing.count(zh("Only for %(audience)s") % {"audience": zh(label)}) == 1


# Sign-up ---------------------------------------------------------------------------------


def test_a_circle_member_signs_up_for_her_mixer(client, events, viewers):
    her = viewers["交友 participant"]
    client.force_login(her)
    response = client.post(reverse("events:sign_up", args=[events["friends"].pk]))
    assert response.status_code == 302
    assert list(Registration.objects.filter(user=her).values_list("event__title", "status")) == [
        (FRIENDS_TITLE, RegistrationStatus.CONFIRMED)]


@pytest.mark.parametrize("who", ["member not in 遇见", "遇见 participant", "pending member", "other staff"])
def test_an_outsider_cannot_sign_up_for_the_friendship_mixer(client, events, viewers, who):
    user = viewers[who]
    with pytest.raises(booking.BookingError) as refused:
        booking.sign_up(event_id=events["friends"].pk, user=user)
    assert str(refused.value) == only_for(FRIENDS_LABEL)

    # Through the site the event does not exist for her.
    client.force_login(user)
    assert client.post(reverse("events:sign_up", args=[events["friends"].pk])).status_code == 404
    assert Registration.objects.count() == 0


def test_the_meet_mixer_refuses_a_member_not_in_meet_with_the_reason(events, viewers):
    with pytest.raises(booking.BookingError) as refused:
        booking.sign_up(event_id=events["meet"].pk, user=viewers["member not in 遇见"])
    assert str(refused.value) == only_for(MEET_LABEL)


def test_event_staff_outside_the_circle_see_the_page_with_the_reason_instead_of_a_button(client, events, viewers):
    client.force_login(viewers["event staff"])
    response = client.get(reverse("events:detail", args=[events["friends"].pk]))
    assert response.context["reason"] == only_for(FRIENDS_LABEL)
    response = client.post(reverse("events:sign_up", args=[events["friends"].pk]))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [only_for(FRIENDS_LABEL)]
    assert Registration.objects.count() == 0


# Leaving, suspension, dropping 交友 ---------------------------------------------------------


def test_leaving_meet_hides_the_mixers_again_everywhere_including_her_calendar(client, events, viewers):
    her = viewers["交友 participant"]
    booking.sign_up(event_id=events["friends"].pk, user=her)
    booking.sign_up(event_id=events["open"].pk, user=her)
    client.force_login(her)
    feed = reverse("events:feed", args=[feed_token(her)])
    assert ics_titles(client.get(feed).content) == [OPEN_TITLE, FRIENDS_TITLE]

    assert match_leave(user=her) is True

    assert listed(client.get(reverse("events:list"))) == [OPEN_TITLE]
    assert section_titles(client.get(reverse("home"))) == [OPEN_TITLE]
    assert client.get(reverse("events:detail", args=[events["friends"].pk])).status_code == 404
    assert client.get(reverse("events:ics", args=[events["friends"].pk])).status_code == 404
    assert ics_titles(client.get(feed).content) == [OPEN_TITLE]
    with pytest.raises(booking.BookingError):
        booking.sign_up(event_id=events["meet"].pk, user=her)


def test_a_suspension_hides_the_mixers_and_dropping_friendship_hides_only_the_friendship_one(client, events, viewers):
    her, other = viewers["交友 participant"], viewers["遇见 participant"]
    match_edit(user=her, details=MatchDetails(purposes=[Purpose.NETWORKING], cities=[City.SUZHOU],
                                              interests=["人工智能"], fields=[Field.AI]))
    client.force_login(her)
    assert listed(client.get(reverse("events:list"))) == [OPEN_TITLE, MEET_TITLE]

    MatchProfile.objects.filter(user=other).update(status=MatchStatus.SUSPENDED)
    client.force_login(other)
    assert listed(client.get(reverse("events:list"))) == [OPEN_TITLE]
    assert client.get(reverse("events:detail", args=[events["meet"].pk])).status_code == 404


def test_a_waitlisted_member_who_left_the_circle_is_not_given_the_seat(events, viewers):
    mixer = events["friends"]
    Event.objects.filter(pk=mixer.pk).update(capacity=1)
    mixer.refresh_from_db()
    first, left, next_in_line = viewers["交友 participant"], MemberProfileFactory().user, MemberProfileFactory().user
    friendship(left)
    friendship(next_in_line)
    seated = booking.sign_up(event_id=mixer.pk, user=first)
    waiting_left = booking.sign_up(event_id=mixer.pk, user=left)
    waiting_next = booking.sign_up(event_id=mixer.pk, user=next_in_line)
    assert [r.status for r in (seated, waiting_left, waiting_next)] == ["confirmed", "waitlisted", "waitlisted"]

    match_leave(user=left)
    booking.cancel(registration=seated, user=first)

    statuses = dict(Registration.objects.filter(event=mixer).values_list("user", "status"))
    assert statuses == {first.pk: "cancelled", left.pk: "waitlisted", next_in_line.pk: "confirmed"}


def test_the_rule_is_one_condition_open_events_need_no_circle(viewers):
    # A visitor: only the open audiences; a member of staff who runs events: no condition at all.
    from django.contrib.auth.models import AnonymousUser

    assert seen_by(user=AnonymousUser()) == ~Q(audience__in=[PARTICIPANTS, FRIENDSHIP_CIRCLE])
    assert seen_by(user=viewers["event staff"]) == Q()


# Query counts ----------------------------------------------------------------------------


def make_mixers(n: int) -> None:
    audiences = [Audience.MEMBERS, PARTICIPANTS, FRIENDSHIP_CIRCLE, Audience.VERIFIED]
    slugs = ["gather", "support", "alliance", "link", "create"]
    start = timezone.now() + timedelta(days=3)
    for i in range(n):
        event = EventFactory(programme=programme(slugs[i % 5]), starts_at=start + timedelta(minutes=i),
                             audience=audiences[i % 4], venue=VenueFactory())
        RegistrationFactory.create_batch(i % 2, event=event)


@pytest.mark.parametrize("who", ["交友 participant", "遇见 participant", "member not in 遇见", "visitor",
                                 "event staff"])
def test_the_lists_keep_their_queries_at_5_and_50_mixers(client, viewers, who):
    client = as_viewer(client, viewers[who])
    pages = [reverse("events:list"), reverse("home"), reverse("programmes:detail", args=["gather"])]
    make_mixers(5)
    for url in pages:
        client.get(url)  # sessions, calendar tokens and the like settle first
    at_5 = [queries_for(client, url) for url in pages]
    make_mixers(45)
    at_50 = [queries_for(client, url) for url in pages]
    assert at_50 == at_5
    shown = client.get(reverse("events:list")).context["page"].paginator.count
    # 50 events: 26 open (14 for members, 12 for verified accounts), 12 for 遇见, 12 for 交友.
    assert shown == {"交友 participant": 50, "遇见 participant": 38, "member not in 遇见": 26,
                     "visitor": 26, "event staff": 50}[who]


# The demo ----------------------------------------------------------------------------------


def test_the_demo_mixers_are_seen_by_their_circles_only(client):
    from django.core.management import call_command

    from members.models import User

    call_command("seed_demo")
    call_command("seed_demo")
    mixers = dict(Event.objects.filter(audience__in=[PARTICIPANTS, FRIENDSHIP_CIRCLE]).values_list("audience", "title"))
    assert mixers == {PARTICIPANTS: "遇见·行业交流下午茶", FRIENDSHIP_CIRCLE: "遇见·太湖边徒步联谊"}
    assert set(Event.objects.filter(title__in=mixers.values()).values_list("programme__slug", flat=True)) == {"gather"}

    def mixers_seen(username: str | None) -> list[str]:
        as_viewer(client, User.objects.get(username=username) if username else None)
        return [title for title in listed(client.get(reverse("events:list"))) if title in mixers.values()]

    assert mixers_seen("sunyue") == ["遇见·行业交流下午茶", "遇见·太湖边徒步联谊"]
    assert mixers_seen("zhouyiran") == ["遇见·行业交流下午茶"]
    assert mixers_seen("chenmengqi") == []
    assert mixers_seen(None) == []
