"""The events issue's journey, in a real Chromium at 375 px.

A member signs up for a full salon and lands on the waitlist; the member holding the only seat
cancels from 我的活动; the first is promoted and told by email, adds the event to her calendar,
opens her ticket, and an event manager scans the ticket's QR URL at the door.
"""

from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from events import booking, checkin
from events.models import Registration, RegistrationStatus
from tests.events.factories import EventFactory, VenueFactory
from tests.events.helpers import mail_subject
from tests.factories import MemberProfileFactory

from .ui import log_in, screenshot, t, wait_for_mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_waitlisted_member_is_promoted_gets_her_ticket_and_is_checked_in(
    page: Page, new_page, event_manager, outbox
):
    su = MemberProfileFactory(real_name="苏若兰")
    gu = MemberProfileFactory(real_name="顾晓岚")
    venue = VenueFactory(name="LADIES 聚力空间", address="苏州市相城区北河泾街道新时代文明实践所")
    event = EventFactory(title="产业资源对接沙龙·新材料专场", capacity=1, waitlist_enabled=True, venue=venue)

    # 顾晓岚 took the only seat a moment ago (through the booking rules, so she was told).
    seat = booking.sign_up(event_id=event.pk, user=gu.user)
    assert seat.status == RegistrationStatus.CONFIRMED
    assert [(m.to, m.subject) for m in outbox] == [
        ([gu.user.email], mail_subject("You are signed up: %(t)s", event.title))
    ]

    # 苏若兰 on her phone: the list says the salon is full but has a waitlist.
    page.goto("/events/")
    card = page.get_by_role("listitem").filter(has_text=event.title)
    expect(card).to_have_count(1)
    expect(card).to_contain_text(t("Full · waitlist open"))
    expect(card).to_contain_text(venue.name)
    screenshot(page, "events-list")
    card.get_by_role("link").click()
    page.wait_for_url(f"**/events/{event.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)

    # She logs in from the event page and comes back to it.
    page.get_by_role("link", name=t("Log in to sign up")).click()
    page.wait_for_url("**/accounts/login/**")
    log_in(page, su.user.email)
    page.wait_for_url(f"**/events/{event.pk}/")
    expect(page.get_by_role("link", name=t("Log in to sign up"))).to_have_count(0)

    page.get_by_role("button", name=t("Join the waitlist"), exact=True).click()
    page.wait_for_url(f"**/events/{event.pk}/")
    expect(page.get_by_text(t("The event is full: you are on the waitlist."))).to_be_visible()
    expect(page.locator(".registration-status")).to_have_text(
        t("You are number %(n)s on the waitlist.") % {"n": 1}
    )
    expect(page.get_by_role("button", name=t("Join the waitlist"))).to_have_count(0)
    expect(page.get_by_role("link", name=t("My ticket"))).to_have_count(0)
    screenshot(page, "event-detail")

    waiting = Registration.objects.get(event=event, user=su.user)
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert booking.waitlist_position(waiting) == 1
    waitlisted_mail = mail_subject("You are on the waitlist: %(t)s", event.title)
    assert len(wait_for_mail(page, outbox, to=su.user.email, subject=waitlisted_mail)) == 1

    # 顾晓岚 cancels from 我的活动 (her own phone), after a confirmation page.
    gu_page = new_page()
    gu_page.goto("/events/mine/")
    gu_page.wait_for_url("**/accounts/login/**")
    log_in(gu_page, gu.user.email)
    gu_page.wait_for_url("**/events/mine/")
    row = gu_page.locator(".registration").filter(has_text=event.title)
    expect(row.locator(".registration-status")).to_have_text(t("Confirmed"))
    screenshot(gu_page, "my-events")
    row.get_by_role("link", name=t("Cancel"), exact=True).click()
    gu_page.wait_for_url(f"**/events/registrations/{seat.pk}/cancel/")
    expect(gu_page.get_by_role("heading", level=1)).to_have_text(t("Cancel your registration?"))
    gu_page.get_by_role("button", name=t("Yes, cancel it")).click()
    gu_page.wait_for_url("**/events/mine/")
    expect(gu_page.get_by_text(t("Your registration is cancelled."))).to_be_visible()
    expect(row.locator(".registration-status")).to_have_text(t("Cancelled"))
    expect(row.get_by_role("link", name=t("Ticket"), exact=True)).to_have_count(0)

    # The seat went to 苏若兰 in the same transaction, and she is told by email.
    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert (seat.status, waiting.status) == (RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED)
    promoted_mail = wait_for_mail(
        page, outbox, to=su.user.email, subject=mail_subject("A seat is yours: %(t)s", event.title)
    )
    assert len(promoted_mail) == 1
    assert event.title in promoted_mail[0].body
    assert sorted((m.to[0], m.subject) for m in outbox) == sorted([
        (gu.user.email, mail_subject("You are signed up: %(t)s", event.title)),
        (su.user.email, waitlisted_mail),
        (su.user.email, mail_subject("A seat is yours: %(t)s", event.title)),
    ])

    # Her event page now says she has a seat; she adds it to her calendar.
    page.reload()
    expect(page.locator(".registration-status")).to_have_text(t("You are signed up."))
    with page.expect_download() as download_info:
        page.get_by_role("link", name=t("Add to calendar")).click()
    download = download_info.value
    assert download.suggested_filename == f"event-{event.pk}.ics"
    with open(download.path(), "rb") as ics:
        calendar = Calendar.from_ical(ics.read())
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == event.title
    assert vevent.decoded("DTSTART") == event.starts_at
    assert venue.name in str(vevent["LOCATION"])

    # Her ticket, with the QR code staff will scan.
    page.get_by_role("link", name=t("My ticket")).click()
    page.wait_for_url(f"**/events/registrations/{waiting.pk}/ticket/")
    qr = page.locator(".qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["width"] == box["height"], box  # large enough to scan
    expect(page.locator(".ticket")).to_contain_text(su.real_name)
    expect(page.get_by_text(t("Show this code at the door."))).to_be_visible()
    screenshot(page, "ticket")

    # At the door: the event manager's phone opens the QR URL, she logs in and checks her in.
    scan = urlsplit(checkin.checkin_url(waiting)).path
    staff = new_page()
    staff.goto(scan)
    staff.wait_for_url("**/accounts/login/**")
    log_in(staff, event_manager.email)
    staff.wait_for_url(f"**{scan}")
    expect(staff.get_by_role("heading", level=1)).to_have_text(su.real_name)
    expect(staff.locator(".checkin")).to_contain_text(event.title)
    staff.get_by_role("button", name=t("Confirm check-in")).click()
    expect(staff.locator(".checkin .status")).to_have_text(t("Checked in. Welcome!"))
    screenshot(staff, "checkin")

    waiting.refresh_from_db()
    assert waiting.checked_in_by == event_manager
    assert waiting.checked_in_at is not None

    # A second scan of the same code says when she arrived, and changes nothing.
    staff.goto(scan)
    arrived = timezone.localtime(waiting.checked_in_at).strftime("%Y-%m-%d %H:%M")
    expect(staff.locator(".checkin .status")).to_have_text(
        t("Already checked in at %(at)s.") % {"at": arrived}
    )
    expect(staff.get_by_role("button", name=t("Confirm check-in"))).to_have_count(0)
    at = waiting.checked_in_at
    waiting.refresh_from_db()
    assert waiting.checked_in_at == at

    # Her ticket shows the check-in too.
    page.reload()
    expect(page.locator(".ticket .status")).to_have_text(
        t("Checked in at %(at)s") % {"at": timezone.localtime(at).strftime("%H:%M")}
    )
