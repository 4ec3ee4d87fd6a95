"""Calendar files: one .ics per event, and a member's secret subscription feed."""

import secrets

from django.conf import settings
from django.utils.translation import gettext
from icalendar import Calendar
from icalendar import Event as VEvent

from members.models import User

from .models import CalendarFeed, Event, EventStatus, RegistrationStatus


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Xiangcheng Women in S&T Alliance//Portal//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    return cal


def _vevent(event: Event) -> VEvent:
    item = VEvent()
    item.add("uid", f"event-{event.pk}@xiangcheng-portal")
    item.add("summary", event.title)
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("dtstamp", event.updated_at)
    item.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    place = f"{event.venue.name} {event.venue.address}" if event.venue else event.online_url
    item.add("location", place)
    item.add("description", event.description[:1000])
    item.add("url", settings.SITE_URL + event.get_absolute_url())
    return item


def event_ics(event: Event) -> bytes:
    cal = _calendar(event.title)
    cal.add_component(_vevent(event))
    return cal.to_ical()


def feed_ics(user: User) -> bytes:
    """Her confirmed events, for a calendar app to subscribe to."""
    cal = _calendar(gettext("Xiangcheng Women in S&T · My events"))
    events = Event.objects.filter(
        registrations__user=user, registrations__status=RegistrationStatus.CONFIRMED,
        status=EventStatus.PUBLISHED,  # a cancelled event leaves her calendar
    ).select_related("venue").order_by("starts_at")
    for event in events:
        cal.add_component(_vevent(event))
    return cal.to_ical()


def feed_token(user: User) -> str:
    feed, _ = CalendarFeed.objects.get_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return feed.token


def feed_reset(user: User) -> str:
    """A new secret URL; the old one stops working at once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token": token})
    return token


def feed_user(token: str) -> User | None:
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    return feed.user if feed else None
