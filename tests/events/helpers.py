"""Readers of rendered event pages, event email subjects and the event admin's form data.

The site-wide ones (zh, zh_n, messages_of, squash, …) are in tests/helpers.py.
"""

import html
import re

from tests.helpers import email_subject, squash


def mail_subject(msgid: str, title: str) -> str:
    """An event message's email subject: the site prefix and the translated line."""
    return email_subject(msgid, t=title)


def booking_box(response) -> str:
    """The sign-up / waitlist / cancel box of an event page (raw HTML)."""
    match = re.search(r'<section class="card booking" id="booking">(.*?)</section>',
                      response.content.decode(), re.S)
    assert match is not None, "the event page has no booking box"
    return match.group(1)


def buttons(fragment: str) -> list[str]:
    return [squash(b) for b in re.findall(r"<button[^>]*>(.*?)</button>", fragment, re.S)]


def links(fragment: str) -> list[tuple[str, str]]:
    """(text, href) of each link."""
    return [(squash(text), html.unescape(href))
            for href, text in re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', fragment, re.S)]


def admin_event_data(event, **changes) -> dict:
    """The POST body of the event admin's change form, as the browser sends it unchanged.

    ``changes`` override fields; datetimes are given as aware datetimes.
    """
    from django.utils import timezone

    values = {
        "programme": event.programme_id, "title": event.title, "kind": event.kind,
        "description": event.description, "venue": event.venue_id or "", "online_url": event.online_url,
        "starts_at": event.starts_at, "ends_at": event.ends_at,
        "registration_opens_at": event.registration_opens_at,
        "registration_closes_at": event.registration_closes_at,
        "cancellation_deadline": event.cancellation_deadline,
        "capacity": event.capacity, "audience": event.audience,
        "requires_approval": event.requires_approval, "waitlist_enabled": event.waitlist_enabled,
        "reminder_offsets": ",".join(str(o) for o in event.reminder_offsets),
        "childcare_offered": event.childcare_offered, "childcare_places": event.childcare_places,
        "status": event.status,
    }
    values.update(changes)
    data = {}
    for name, value in values.items():
        if hasattr(value, "tzinfo"):
            local = timezone.localtime(value)
            data[f"{name}_0"] = local.strftime("%Y-%m-%d")
            data[f"{name}_1"] = local.strftime("%H:%M:%S")
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    registrations = list(event.registrations.order_by("created_at", "pk").values_list("pk", flat=True))
    data.update({
        "registrations-TOTAL_FORMS": len(registrations), "registrations-INITIAL_FORMS": len(registrations),
        "registrations-MIN_NUM_FORMS": 0, "registrations-MAX_NUM_FORMS": 1000,
    })
    for i, pk in enumerate(registrations):
        data[f"registrations-{i}-id"] = pk
        data[f"registrations-{i}-event"] = event.pk
    return data


def event_notices(*, kind: str = "", registration=None, event=None):
    """The outbox's notices about registrations, by short kind ("confirmed"), registration or event."""
    from xiangcheng.core.models import Notice

    qs = Notice.objects.filter(kind__startswith="events.")
    if kind:
        qs = qs.filter(kind=f"events.{kind}")
    if registration is not None:
        qs = qs.filter(target_id=registration.pk)
    if event is not None:
        qs = qs.filter(target_id__in=event.registrations.values("pk"))
    return qs


def notice_suffix(notice) -> str:
    """What tells two notices of a kind for one registration apart (e.g. which reminder)."""
    return notice.key.split(":", 2)[2]


def seat_counts(event) -> tuple[int, int]:
    """(seats confirmed, childcare places booked) as the database's counter row holds them, after
    checking that they are what counting the event's confirmed registrations gives."""
    from django.db.models import Count, Sum

    from events.models import EventSeats, RegistrationStatus

    counted = event.registrations.filter(status=RegistrationStatus.CONFIRMED).aggregate(
        seats=Count("pk"), children=Sum("children_count"))
    kept = EventSeats.objects.get(pk=event.pk)
    assert (kept.confirmed, kept.children) == (counted["seats"], counted["children"] or 0)
    return kept.confirmed, kept.children
