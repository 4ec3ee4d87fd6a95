"""我的消息 in a real Chromium at 375 px: the unread count on the menu, the list, one message,
and "mark all as read"."""

import pytest
from playwright.sync_api import Page, expect

from events import booking
from tests.events.factories import EventFactory
from tests.factories import MemberProfileFactory

from .ui import log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_she_reads_her_messages_and_the_count_goes_down(page: Page):
    member = MemberProfileFactory(real_name="苏若兰").user
    salon = EventFactory(title="产业资源对接沙龙", capacity=5)
    training = EventFactory(title="数字化发展培训", capacity=5)
    for event in (salon, training):
        booking.sign_up(event_id=event.pk, user=member)  # each confirmation is sent after its commit

    page.goto("/accounts/login/")
    log_in(page, member.email)
    menu = page.locator("summary")
    expect(menu.locator(".nav-count")).to_have_text("2")
    menu.click()
    page.get_by_role("link", name=t("My messages")).click()
    page.wait_for_url("**/messages/")

    rows = page.locator(".notice-row")
    expect(rows).to_have_count(2)
    newest = t("You are signed up: %(t)s") % {"t": training.title}
    expect(rows.nth(0).locator(".notice-subject")).to_have_text(newest)
    expect(page.locator(".notice-unread")).to_have_count(2)
    screenshot(page, "messages")

    rows.nth(0).locator(".notice-subject").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(newest)
    expect(page.locator(".notice-body")).to_contain_text(training.title)
    screenshot(page, "message")
    page.get_by_role("link", name=t("See the details")).click()
    page.wait_for_url(f"**/events/{training.pk}/")

    page.goto("/messages/")
    expect(page.locator(".notice-unread")).to_have_count(1)
    expect(page.locator("summary .nav-count")).to_have_text("1")
    page.get_by_role("button", name=t("Mark all as read")).click()
    expect(page.get_by_text(t("All messages are marked as read."))).to_be_visible()
    expect(page.locator(".notice-unread")).to_have_count(0)
    expect(page.locator("summary .nav-count")).to_have_count(0)
