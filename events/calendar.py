"""Calendar files: one .ics per event, and a member's secret subscription feed."""

import secrets

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext
from icalendar import Calendar
from icalendar import Event as VEvent

from members.models import User
from xiangcheng.core.compiled_queries import CompiledQuery, Read

from .audiences import seen_by
from .models import CalendarFeed, Event, EventStatus, RegistrationStatus


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Xiangcheng Women in S&T Alliance//Portal//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    return cal


def _vevent(event: Event, *, with_link: bool) -> VEvent:
    """One event. The online meeting link only with ``with_link`` (her confirmed seat): the
    public page hides it, so the public .ics does too."""
    item = VEvent()
    item.add("uid", f"event-{event.pk}@xiangcheng-portal")
    item.add("summary", event.title)
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("dtstamp", event.updated_at)
    item.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    link = event.online_url if with_link else ""
    if event.venue:
        item.add("location", f"{event.venue.name} {event.venue.address}")
    else:
        item.add("location", link or gettext("Online"))
    description = event.description[:1000]
    if link:
        description = gettext("Online: %(link)s") % {"link": link} + "\n\n" + description
    item.add("description", description)
    item.add("url", settings.SITE_URL + event.get_absolute_url())
    return item


def has_confirmed_seat(*, event: Event, user: User | AnonymousUser) -> bool:
    return user.is_authenticated and event.registrations.filter(
        user=user, status=RegistrationStatus.CONFIRMED).exists()


def event_ics(*, event: Event, user: User | AnonymousUser) -> bytes:
    """The event's .ics for whoever asks; the meeting link only for her confirmed seat."""
    cal = _calendar(event.title)
    cal.add_component(_vevent(event, with_link=has_confirmed_seat(event=event, user=user)))
    return cal.to_ical()


def feed_ics(user: User) -> bytes:
    """Her confirmed events, for a calendar app to subscribe to (with the meeting links); a
    circle's event leaves it when she leaves the circle, as it leaves every page."""
    cal = _calendar(gettext("Xiangcheng Women in S&T · My events"))
    events = Event.objects.filter(
        seen_by(user=user),
        registrations__user=user, registrations__status=RegistrationStatus.CONFIRMED,
        status=EventStatus.PUBLISHED,  # a cancelled event leaves her calendar
    ).select_related("venue").order_by("starts_at")
    for event in events:
        cal.add_component(_vevent(event, with_link=True))
    return cal.to_ical()


# 我的活动 shows her feed's link on every visit: its read by SQL built once per process.
_FEED_OF = CompiledQuery(lambda user_id: CalendarFeed.objects.filter(user_id=user_id), user_id=int)


def feed_read(user: User) -> Read:
    """Her feed, or None before her first visit to 我的活动, to be read with its rows."""
    return _FEED_OF.first_read(user_id=user.pk)


def feed_token(user: User, feed: CalendarFeed | None = None) -> str:
    """Her feed's secret (``feed``, if it was read already), made on her first visit."""
    feed = feed or _FEED_OF.first(user_id=user.pk)
    if feed is None:
        feed, _ = CalendarFeed.objects.get_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return feed.token


def feed_reset(user: User) -> str:
    """A new secret URL; the old one stops working at once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token": token})
    return token


def feed_user(token: str) -> User | None:
    """Whose feed this is; a deactivated account's feed no longer answers."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    return feed.user if feed else None
