"""Member pages: event list and archive, detail and its button, sign-up form, 我的活动, tickets, calendar."""

import random
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events import booking, changes, checkin
from events.models import Audience, EventStatus, Kind, Registration, RegistrationStatus
from events.queries import MY_EVENTS_PAGE_SIZE
from tests.factories import MemberProfileFactory
from tests.helpers import messages_of, queries_for, squash, zh, zh_n

from .factories import EventFactory, RegistrationFactory, VenueFactory, programme
from .helpers import booking_box, buttons, links

pytestmark = pytest.mark.django_db

S = RegistrationStatus


def titles(response) -> list[str]:
    return [e.title for e in response.context["page"]]


def in_days(days: float):
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0)


def past_event(title: str, days_ago: float, **kwargs):
    start = in_days(-days_ago)
    return EventFactory(title=title, starts_at=start, ends_at=start + timedelta(hours=2),
                        registration_opens_at=start - timedelta(days=20),
                        registration_closes_at=start - timedelta(hours=1), **kwargs)


# The list -------------------------------------------------------------------------------


def test_upcoming_list_is_in_start_order_across_pages_and_the_archive_newest_first(client):
    days = list(range(1, 13))
    random.Random(3).shuffle(days)
    for d in days:
        EventFactory(title=f"活动{d:02d}", starts_at=in_days(d))
    past_event("往期A", 30)
    past_event("往期B", 3)
    EventFactory(title="草稿", status=EventStatus.DRAFT, starts_at=in_days(1))

    first = client.get(reverse("events:list"))
    second = client.get(reverse("events:list"), {"page": 2})
    assert titles(first) == [f"活动{d:02d}" for d in range(1, 11)]
    assert titles(second) == ["活动11", "活动12"]
    assert first.context["page"].paginator.count == 12

    archive = client.get(reverse("events:past"))
    assert titles(archive) == ["往期B", "往期A"]


def test_an_event_in_progress_is_still_upcoming(client):
    now = timezone.now()
    EventFactory(title="正在进行", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1),
                 registration_opens_at=now - timedelta(days=5), registration_closes_at=now - timedelta(hours=2))
    # Started before events that have ended since: still listed, first.
    EventFactory(title="长期展览", starts_at=now - timedelta(days=40), ends_at=now + timedelta(days=10),
                 registration_opens_at=now - timedelta(days=50), registration_closes_at=now - timedelta(days=41))
    past_event("往期", 20)
    assert titles(client.get(reverse("events:list"))) == ["长期展览", "正在进行"]
    assert titles(client.get(reverse("events:past"))) == ["往期"]


def test_filters_by_programme_kind_month_and_search(client):
    next_month = (timezone.localtime() + timedelta(days=40)).replace(day=15, hour=14, minute=0, second=0,
                                                                     microsecond=0)
    EventFactory(title="产业资源对接沙龙", programme=programme("gather"), kind=Kind.SALON, starts_at=in_days(2))
    EventFactory(title="科企会客厅", programme=programme("link"), kind=Kind.ROUNDTABLE, starts_at=in_days(3),
                 description="女性科技企业与投资机构面对面。")
    EventFactory(title="数字化发展培训", programme=programme("create"), kind=Kind.TRAINING, starts_at=next_month)
    EventFactory(title="互联网营销师培训", programme=programme("create"), kind=Kind.TRAINING,
                 starts_at=next_month + timedelta(days=1))
    url = reverse("events:list")

    assert titles(client.get(url, {"programme": "link"})) == ["科企会客厅"]
    assert titles(client.get(url, {"kind": "training"})) == ["数字化发展培训", "互联网营销师培训"]
    assert titles(client.get(url, {"month": next_month.strftime("%Y-%m")})) == ["数字化发展培训", "互联网营销师培训"]
    assert titles(client.get(url, {"q": "营销"})) == ["互联网营销师培训"]
    assert titles(client.get(url, {"q": "投资机构"})) == ["科企会客厅"]  # the description is searched too
    assert titles(client.get(url, {"programme": "create", "q": "数字化"})) == ["数字化发展培训"]
    assert titles(client.get(url, {"kind": "camp"})) == []


def test_the_month_filter_follows_the_calendar_in_xiangcheng(client):
    """00:30 on the 1st in Xiangcheng is still the last day of the month before in UTC."""
    first = (timezone.localdate().replace(day=1) + timedelta(days=62)).replace(day=1)  # all ahead
    following = (first + timedelta(days=32)).replace(day=1)

    def at(day: date, hour: int, minute: int) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())

    EventFactory(title="上月最后一晚", starts_at=at(first - timedelta(days=1), 23, 30))
    EventFactory(title="月初凌晨", starts_at=at(first, 0, 30))
    EventFactory(title="月末深夜", starts_at=at(following - timedelta(days=1), 23, 30))
    EventFactory(title="下月初凌晨", starts_at=at(following, 0, 30))

    response = client.get(reverse("events:list"), {"month": first.strftime("%Y-%m")})

    assert titles(response) == ["月初凌晨", "月末深夜"]


def test_pagination_ten_a_page_keeps_the_filters(client):
    for d in range(23):
        EventFactory(title=f"培训{d:02d}", kind=Kind.TRAINING, starts_at=in_days(1 + d))
    EventFactory(title="沙龙", kind=Kind.SALON, starts_at=in_days(1))
    url = reverse("events:list")

    pages = [client.get(url, {"kind": "training", "page": n}) for n in (1, 2, 3)]
    assert [len(titles(p)) for p in pages] == [10, 10, 3]
    assert sum((titles(p) for p in pages), []) == [f"培训{d:02d}" for d in range(23)]
    html = pages[1].content.decode()
    assert 'href="?kind=training&amp;page=1"' in html
    assert 'href="?kind=training&amp;page=3"' in html
    assert titles(client.get(url, {"kind": "training", "page": "99"})) == ["培训20", "培训21", "培训22"]


def test_cards_show_seats_left_or_full(client):
    roomy = EventFactory(title="有座", capacity=5, starts_at=in_days(1))
    RegistrationFactory.create_batch(2, event=roomy)
    RegistrationFactory(event=roomy, status=S.WAITLISTED)
    RegistrationFactory(event=roomy, status=S.CANCELLED)
    full = EventFactory(title="满员", capacity=1, starts_at=in_days(2))
    RegistrationFactory(event=full)
    closed_full = EventFactory(title="满员无候补", capacity=1, waitlist_enabled=False, starts_at=in_days(3))
    RegistrationFactory(event=closed_full)

    response = client.get(reverse("events:list"))
    cards = response.content.decode().split('<li class="event-card')[1:]
    seats = [squash(c.split('<span class="event-seats">')[1].split("</span>")[0]) for c in cards]
    assert seats == [zh_n("%(n)s seat left", "%(n)s seats left", 3), zh("Full · waitlist open"), zh("Full")]


def test_draft_events_are_never_listed_and_their_pages_answer_404(client, member):
    draft = EventFactory(title="未发布的沙龙", status=EventStatus.DRAFT, starts_at=in_days(1))
    past_event("未发布的往期", 2, status=EventStatus.DRAFT)
    client.force_login(member)

    assert titles(client.get(reverse("events:list"))) == []
    assert titles(client.get(reverse("events:past"))) == []
    assert list(programme_section(client.get(reverse("programmes:detail", args=["gather"])), "events")["events"]) == []
    assert client.get(reverse("events:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("events:ics", args=[draft.pk])).status_code == 404
    assert client.post(reverse("events:sign_up", args=[draft.pk])).status_code == 404
    assert Registration.objects.count() == 0


def test_programme_page_shows_its_next_six_events_in_order(client):
    days = list(range(1, 9))
    random.Random(5).shuffle(days)
    for d in days:
        EventFactory(title=f"链{d}", programme=programme("link"), starts_at=in_days(d))
    EventFactory(title="别的栏目", programme=programme("gather"), starts_at=in_days(1))
    response = client.get(reverse("programmes:detail", args=["link"]))
    assert [e.title for e in programme_section(response, "events")["events"]] == [f"链{d}" for d in range(1, 7)]


def programme_section(response, key: str) -> dict:
    """The context of one section of a programme (or home) page, by its registry key."""
    [section] = [s for s in response.context["sections"] if s.key == key]
    return section.context


# The detail page and its button ---------------------------------------------------------


def detail(client, event):
    response = client.get(reverse("events:detail", args=[event.pk]))
    assert response.status_code == 200
    return response


def test_button_for_a_visitor_is_log_in(client):
    event = EventFactory()
    box = booking_box(detail(client, event))
    assert buttons(box) == []
    assert links(box) == [(zh("Log in to sign up"), f"/accounts/login/?next=/events/{event.pk}/")]


def test_a_visitor_is_told_when_sign_up_has_closed_rather_than_asked_to_log_in(client):
    event = past_event("已结束", 1)
    box = booking_box(detail(client, event))
    assert (links(box), buttons(box)) == ([], [])
    assert squash(box) == zh("Sign-up for this event has closed.")


@pytest.mark.parametrize(("setup", "label"), [
    ({"capacity": 2}, "Sign up"),
    ({"capacity": 1, "fill": 1}, "Join the waitlist"),
    ({"capacity": 1, "requires_approval": True}, "Request a seat"),
    ({"capacity": 1, "fill": 1, "requires_approval": True}, "Request a seat"),
])
def test_button_label_for_a_member_who_may_sign_up(client, member, setup, label):
    setup = dict(setup)
    fill = setup.pop("fill", 0)
    event = EventFactory(**setup)
    RegistrationFactory.create_batch(fill, event=event)
    client.force_login(member)
    box = booking_box(detail(client, event))
    assert buttons(box) == [zh(label)]
    assert f'action="/events/{event.pk}/sign-up/"' in box


def test_full_event_without_waitlist_says_full_and_offers_no_button(client, member):
    event = EventFactory(capacity=1, waitlist_enabled=False)
    RegistrationFactory(event=event)
    client.force_login(member)
    box = booking_box(detail(client, event))
    assert buttons(box) == []
    assert squash(box) == zh("This event is full.")


def test_member_signed_up_sees_her_ticket_and_cancel(client, member):
    event = EventFactory()
    registration = booking.sign_up(event_id=event.pk, user=member)
    client.force_login(member)
    box = booking_box(detail(client, event))
    assert buttons(box) == []
    assert squash(box).startswith(zh("You are signed up."))
    assert links(box) == [
        (zh("My ticket"), f"/events/registrations/{registration.pk}/ticket/"),
        (zh("Add to calendar"), f"/events/{event.pk}/calendar.ics"),
        (zh("Cancel my registration"), f"/events/registrations/{registration.pk}/cancel/"),
    ]


def test_waitlisted_member_sees_her_position_and_cancel_but_no_ticket(client, member):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=S.WAITLISTED)
    registration = booking.sign_up(event_id=event.pk, user=member)
    client.force_login(member)
    box = booking_box(detail(client, event))
    assert squash(box).startswith(zh("You are number %(n)s on the waitlist.", n=2))
    assert links(box) == [
        (zh("Add to calendar"), f"/events/{event.pk}/calendar.ics"),
        (zh("Cancel my registration"), f"/events/registrations/{registration.pk}/cancel/"),
    ]


def test_after_the_cancellation_deadline_the_cancel_button_is_gone(client, member):
    event = EventFactory(cancellation_deadline=timezone.now() - timedelta(minutes=1))
    registration = booking.sign_up(event_id=event.pk, user=member)
    client.force_login(member)
    box = booking_box(detail(client, event))
    assert links(box) == [
        (zh("My ticket"), f"/events/registrations/{registration.pk}/ticket/"),
        (zh("Add to calendar"), f"/events/{event.pk}/calendar.ics"),
    ]


def test_pending_applicant_is_told_why_she_cannot_sign_up(client):
    event = EventFactory(audience=Audience.MEMBERS)
    client.force_login(MemberProfileFactory(status="pending").user)
    box = booking_box(detail(client, event))
    assert buttons(box) == []
    assert squash(box) == zh("This event is for approved members of the alliance.")


# The sign-up form -----------------------------------------------------------------------


def test_sign_up_post_confirms_and_redirects_with_a_message(client, member):
    event = EventFactory(childcare_offered=True, childcare_places=4)
    client.force_login(member)
    response = client.post(reverse("events:sign_up", args=[event.pk]), {"children_ages": "4，7", "children_consent": "on"},
                           follow=True)
    assert response.redirect_chain == [(f"/events/{event.pk}/", 302)]
    assert messages_of(response) == [zh("You are signed up. A confirmation is on its way.")]
    registration = Registration.objects.get(event=event, user=member)
    assert (registration.status, registration.children_ages) == (S.CONFIRMED, [4, 7])


def test_a_sign_up_reads_the_event_once_under_its_hold_and_her_registrations_not_at_all(client, member):
    event = EventFactory()
    client.force_login(member)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("events:sign_up", args=[event.pk]), {"children_ages": ""})

    assert (response.status_code, response["Location"]) == (302, f"/events/{event.pk}/")
    reads = [re.search(r'\bFROM "?(\w+)"?', q["sql"]).group(1) for q in queries.captured_queries
             if q["sql"].startswith("SELECT") and " FROM " in q["sql"]]
    assert [table for table in reads if table.startswith("events_")] == ["events_event", "events_eventseats"]
    assert Registration.objects.get(event=event, user=member).status == S.CONFIRMED


@pytest.mark.parametrize(("ages", "field_error", "form_error"), [
    ("4, x", "Enter ages as whole numbers separated by commas.", None),
    ("-3", "Enter ages as whole numbers separated by commas.", None),
    ("4, 20", None, "Childcare is for children aged 1 to 14."),
])
def test_sign_up_with_bad_children_ages_re_renders_with_the_error_and_keeps_the_input(
        client, member, ages, field_error, form_error):
    event = EventFactory(childcare_offered=True, childcare_places=4)
    client.force_login(member)
    response = client.post(reverse("events:sign_up", args=[event.pk]),
                           {"children_ages": ages, "children_consent": "on"})

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors.get("children_ages", []) == ([zh(field_error)] if field_error else [])
    assert form.non_field_errors() == ([zh(form_error)] if form_error else [])
    box = booking_box(response)
    assert zh(field_error or form_error) in squash(box)
    assert f'value="{ages}"' in box
    assert buttons(box) == [zh("Sign up")]
    assert Registration.objects.filter(event=event).count() == 0


def test_sign_up_needs_login_and_post(client, member):
    event = EventFactory()
    url = reverse("events:sign_up", args=[event.pk])
    response = client.post(url)
    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")
    client.force_login(member)
    assert client.get(url).status_code == 405
    assert Registration.objects.count() == 0


# Her registrations: ownership, 我的活动, ticket -----------------------------------------


def test_a_member_cannot_see_or_cancel_another_members_registration_or_ticket(client, member, other_member):
    event = EventFactory()
    theirs = booking.sign_up(event_id=event.pk, user=other_member)
    client.force_login(member)

    for url in (reverse("events:ticket", args=[theirs.pk]), reverse("events:cancel", args=[theirs.pk])):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.CONFIRMED
    assert zh("You are signed up.") not in squash(booking_box(detail(client, event)))


def test_her_own_ticket_shows_the_signed_check_in_code(client, member):
    event = EventFactory(childcare_offered=True, childcare_places=3)
    registration = booking.sign_up(event_id=event.pk, user=member, children_ages=[6], children_consent=True)
    client.force_login(member)
    response = client.get(reverse("events:ticket", args=[registration.pk]))
    assert response.status_code == 200
    assert response.context["qr_svg"] == checkin.ticket_qr_svg(registration)
    assert response.context["qr_svg"] in response.content.decode()
    assert "林晓雯" in squash(response.content.decode())


def test_no_ticket_for_a_waitlisted_registration(client, member):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    registration = booking.sign_up(event_id=event.pk, user=member)
    client.force_login(member)
    assert client.get(reverse("events:ticket", args=[registration.pk])).status_code == 404


def test_she_cancels_her_own_registration(client, member):
    event = EventFactory()
    registration = booking.sign_up(event_id=event.pk, user=member)
    client.force_login(member)
    url = reverse("events:cancel", args=[registration.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, follow=True)
    assert response.redirect_chain == [("/events/mine/", 302)]
    assert messages_of(response) == [zh("Your registration is cancelled.")]
    registration.refresh_from_db()
    assert registration.status == S.CANCELLED
    assert client.get(url).status_code == 404  # nothing left to cancel


def test_cancel_after_the_deadline_says_why(client, member):
    event = EventFactory(cancellation_deadline=timezone.now() - timedelta(minutes=1))
    registration = booking.sign_up(event_id=event.pk, user=member)
    client.force_login(member)
    response = client.post(reverse("events:cancel", args=[registration.pk]), follow=True)
    assert messages_of(response) == [zh("The cancellation deadline has passed. Please contact the organisers.")]
    registration.refresh_from_db()
    assert registration.status == S.CONFIRMED


def test_my_events_shows_status_and_waitlist_position(client, member):
    confirmed_event = EventFactory(title="确认的沙龙", starts_at=in_days(3))
    waiting_event = EventFactory(title="候补的培训", capacity=1, starts_at=in_days(5))
    RegistrationFactory(event=waiting_event)
    RegistrationFactory(event=waiting_event, status=S.WAITLISTED)
    pending_event = EventFactory(title="待审核的大赛", requires_approval=True, starts_at=in_days(7))
    gone_event = EventFactory(title="取消的分享会", starts_at=in_days(9))
    booking.sign_up(event_id=confirmed_event.pk, user=member)
    booking.sign_up(event_id=waiting_event.pk, user=member)
    booking.sign_up(event_id=pending_event.pk, user=member)
    booking.cancel(registration=booking.sign_up(event_id=gone_event.pk, user=member), user=member)
    RegistrationFactory(event=EventFactory(title="别人的活动"))
    client.force_login(member)

    response = client.get(reverse("events:mine"))
    assert response.status_code == 200
    rows = response.content.decode().split('<li class="card registration">')[1:]
    shown = [(squash(r.split('class="event-title"')[1].split("</a>")[0].split(">", 1)[1]),
              squash(r.split('class="registration-status')[1].split("</span>")[0].split(">", 1)[1]))
             for r in rows]
    assert shown == [
        ("取消的分享会", zh("Cancelled")),
        ("待审核的大赛", zh("Awaiting approval")),
        ("候补的培训", zh("On the waitlist") + " · " + zh("number %(n)s in line", n=2)),
        ("确认的沙龙", zh("Confirmed")),
    ]


def test_my_events_offers_cancel_only_before_the_deadline(client, member):
    open_event = EventFactory(title="还能取消", starts_at=in_days(3))
    late_event = EventFactory(title="已过期限", starts_at=in_days(5),
                              cancellation_deadline=timezone.now() - timedelta(minutes=1))
    open_reg = booking.sign_up(event_id=open_event.pk, user=member)
    late_reg = booking.sign_up(event_id=late_event.pk, user=member)
    client.force_login(member)
    html = client.get(reverse("events:mine")).content.decode()
    rows = html.split('<li class="card registration">')[1:]
    row_links = [links(r.split("</li>")[0]) for r in rows]
    assert row_links == [
        [("已过期限", f"/events/{late_event.pk}/"), (zh("Ticket"), f"/events/registrations/{late_reg.pk}/ticket/"),
         (zh("Add to calendar"), f"/events/{late_event.pk}/calendar.ics")],
        [("还能取消", f"/events/{open_event.pk}/"), (zh("Ticket"), f"/events/registrations/{open_reg.pk}/ticket/"),
         (zh("Add to calendar"), f"/events/{open_event.pk}/calendar.ics"),
         (zh("Cancel"), f"/events/registrations/{open_reg.pk}/cancel/")],
    ]


# Calendar -------------------------------------------------------------------------------


def test_event_ics_is_a_valid_calendar_with_the_event(client):
    event = EventFactory(title="女企业家产业分享会")
    response = client.get(reverse("events:ics", args=[event.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="event-{event.pk}.ics"'
    cal = Calendar.from_ical(response.content)
    items = cal.walk("VEVENT")
    assert len(items) == 1
    assert str(items[0]["SUMMARY"]) == "女企业家产业分享会"
    assert items[0].decoded("DTSTART") == event.starts_at
    assert items[0].decoded("DTEND") == event.ends_at
    assert str(items[0]["UID"]) == f"event-{event.pk}@xiangcheng-portal"
    assert str(items[0]["STATUS"]) == "CONFIRMED"


def test_event_ics_of_a_cancelled_event_says_cancelled(client):
    event = EventFactory()
    changes.event_cancel(event=event)
    response = client.get(reverse("events:ics", args=[event.pk]))
    assert [str(item["STATUS"]) for item in Calendar.from_ical(response.content).walk("VEVENT")] == ["CANCELLED"]


MEETING = "https://meeting.example.cn/j/8848-secret"


def only_vevent(response):
    assert response.status_code == 200
    items = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize("venue", [False, True], ids=["online", "online-and-in-a-room"])
def test_the_public_ics_never_carries_the_meeting_link(client, venue):
    event = EventFactory(online_url=MEETING, **({} if venue else {"venue": None}))
    response = client.get(reverse("events:ics", args=[event.pk]))
    item = only_vevent(response)
    assert b"meeting.example.cn" not in response.content
    assert str(item["LOCATION"]) == (f"{event.venue.name} {event.venue.address}" if venue else zh("Online"))
    assert str(item["DESCRIPTION"]) == event.description


@pytest.mark.parametrize("status", [S.WAITLISTED, S.PENDING, S.CANCELLED, S.REJECTED])
def test_a_registrant_without_a_confirmed_seat_does_not_get_the_link(client, member, status):
    event = EventFactory(online_url=MEETING, venue=None)
    RegistrationFactory(event=event, user=member, status=status)
    client.force_login(member)
    response = client.get(reverse("events:ics", args=[event.pk]))
    only_vevent(response)
    assert b"meeting.example.cn" not in response.content


def test_her_confirmed_seat_gets_the_link_in_the_ics_she_downloads(client, member, other_member):
    online = EventFactory(online_url=MEETING, venue=None)
    both = EventFactory(online_url=MEETING)
    for event in (online, both):
        RegistrationFactory(event=event, user=member, status=S.CONFIRMED)
    client.force_login(member)

    item = only_vevent(response := client.get(reverse("events:ics", args=[online.pk])))
    assert response["Cache-Control"] == "private"
    assert str(item["LOCATION"]) == MEETING
    assert str(item["DESCRIPTION"]) == zh("Online: %(link)s", link=MEETING) + "\n\n" + online.description
    item = only_vevent(client.get(reverse("events:ics", args=[both.pk])))
    assert str(item["LOCATION"]) == f"{both.venue.name} {both.venue.address}"
    assert str(item["DESCRIPTION"]).startswith(zh("Online: %(link)s", link=MEETING))
    # Someone else's seat is not hers.
    client.force_login(other_member)
    assert b"meeting.example.cn" not in client.get(reverse("events:ics", args=[online.pk])).content


def test_her_feed_carries_the_link_of_her_confirmed_events(client, member):
    event = EventFactory(title="线上分享会", online_url=MEETING, venue=None)
    booking.sign_up(event_id=event.pk, user=member)
    client.force_login(member)
    path = client.get(reverse("events:mine")).context["feed_url"].removeprefix("http://testserver")
    client.logout()
    item = only_vevent(client.get(path))
    assert (str(item["SUMMARY"]), str(item["LOCATION"])) == ("线上分享会", MEETING)


def test_a_deactivated_accounts_feed_stops_answering(client, member):
    booking.sign_up(event_id=EventFactory(title="我的沙龙").pk, user=member)
    client.force_login(member)
    path = client.get(reverse("events:mine")).context["feed_url"].removeprefix("http://testserver")
    client.logout()
    assert client.get(path).status_code == 200
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert client.get(path).status_code == 404


def feed_titles(response) -> list[str]:
    return [str(item["SUMMARY"]) for item in Calendar.from_ical(response.content).walk("VEVENT")]


def test_personal_feed_has_only_her_confirmed_events_and_a_reset_revokes_the_old_link(client, member, other_member):
    mine = EventFactory(title="我的沙龙", starts_at=in_days(2))
    booking.sign_up(event_id=mine.pk, user=member)
    waiting = EventFactory(title="我候补的", capacity=1, starts_at=in_days(3))
    RegistrationFactory(event=waiting)
    booking.sign_up(event_id=waiting.pk, user=member)
    dropped = EventFactory(title="我取消的", starts_at=in_days(4))
    booking.cancel(registration=booking.sign_up(event_id=dropped.pk, user=member), user=member)
    called_off = EventFactory(title="被取消的活动", starts_at=in_days(5))
    booking.sign_up(event_id=called_off.pk, user=member)
    changes.event_cancel(event=called_off)
    booking.sign_up(event_id=EventFactory(title="别人的", starts_at=in_days(6)).pk, user=other_member)
    client.force_login(member)

    feed_url = client.get(reverse("events:mine")).context["feed_url"]
    assert feed_url.startswith("http://testserver/events/feed/")
    path = feed_url.removeprefix("http://testserver")
    client.logout()  # a calendar app has no session: the token is the key
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert feed_titles(response) == ["我的沙龙"]

    client.force_login(member)
    assert client.post(reverse("events:feed_reset")).status_code == 302
    new_url = client.get(reverse("events:mine")).context["feed_url"]
    assert new_url != feed_url
    assert client.get(path).status_code == 404
    assert feed_titles(client.get(new_url.removeprefix("http://testserver"))) == ["我的沙龙"]


def test_unknown_feed_token_answers_404(client):
    assert client.get(reverse("events:feed", args=["no-such-token"])).status_code == 404


# Query counts ---------------------------------------------------------------------------


def make_listed_events(n: int, days_from: int) -> None:
    slugs = ["gather", "support", "alliance", "link", "create"]
    for i in range(n):
        event = EventFactory(programme=programme(slugs[i % 5]), starts_at=in_days(days_from + i * 0.01),
                             capacity=2, online_url="https://meeting.example.cn/x" if i % 3 else "",
                             venue=None if i % 3 else VenueFactory())
        RegistrationFactory.create_batch(i % 3, event=event)


def test_event_list_queries_do_not_grow_with_rows(client, member):
    client.force_login(member)
    make_listed_events(5, 1)
    at_5 = queries_for(client, reverse("events:list"))
    make_listed_events(45, 1)
    at_50 = queries_for(client, reverse("events:list"))
    assert at_50 == at_5
    for i in range(5):
        past_event(f"往期{i}", 2 + i)
    at_5_past = queries_for(client, reverse("events:past"))
    for i in range(45):
        past_event(f"往期更多{i}", 10 + i)
    assert queries_for(client, reverse("events:past")) == at_5_past


def register_for(user, n: int, days_from: int) -> None:
    for i in range(n):
        event = EventFactory(starts_at=in_days(days_from + i), capacity=1,
                             venue=None if i % 2 else VenueFactory(),
                             online_url="" if i % 2 == 0 else "https://meeting.example.cn/x")
        if i % 3 == 0:
            RegistrationFactory(event=event)
            RegistrationFactory(event=event, user=user, status=S.WAITLISTED)
        else:
            RegistrationFactory(event=event, user=user, status=S.CONFIRMED if i % 3 == 1 else S.CANCELLED)


def test_my_events_queries_do_not_grow_with_rows(client):
    five, fifty = MemberProfileFactory().user, MemberProfileFactory().user
    register_for(five, 5, 1)
    register_for(fifty, 50, 1)
    client.force_login(five)
    client.get(reverse("events:mine"))  # creates her calendar token once
    at_5 = queries_for(client, reverse("events:mine"))
    client.force_login(fifty)
    client.get(reverse("events:mine"))
    at_50 = queries_for(client, reverse("events:mine"))
    assert at_50 == at_5


def test_my_events_come_a_page_at_a_time_newest_event_first(client):
    member = MemberProfileFactory().user
    events = [EventFactory(title=f"沙龙{i:02d}", starts_at=in_days(i + 1)) for i in range(MY_EVENTS_PAGE_SIZE + 3)]
    for event in events:
        RegistrationFactory(event=event, user=member)
    client.force_login(member)

    def titles_on(page: int) -> list[str]:
        html = client.get(reverse("events:mine"), {"page": page}).content.decode()
        return [squash(r.split('class="event-title"')[1].split("</a>")[0].split(">", 1)[1])
                for r in html.split('<li class="card registration">')[1:]]

    newest_first = [e.title for e in reversed(events)]
    assert titles_on(1) == newest_first[:MY_EVENTS_PAGE_SIZE]
    assert titles_on(2) == newest_first[MY_EVENTS_PAGE_SIZE:]
    assert titles_on(99) == newest_first[MY_EVENTS_PAGE_SIZE:]  # past the end: the last page
    page_one = client.get(reverse("events:mine")).content.decode()
    assert zh("Page %(n)s of %(total)s", n=1, total=2) in page_one
