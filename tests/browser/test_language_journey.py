"""Choosing the language in a real Chromium at 375 px: from the menu of the page she is reading to
the language page, and back to the same page (its search kept) in the language she chose."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.events.factories import EventFactory

from .ui import screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_reads_in_english_and_back_in_chinese_on_the_page_she_was_reading(page: Page):
    EventFactory(title="科创沙龙：新材料")
    reading = "/events/?q=%E6%B2%99%E9%BE%99"  # 沙龙
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(reading)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_text(t("Menu"), exact=True).click()
    page.get_by_role("link", name="中文 · English").click()

    page.wait_for_url(re.compile(r"/language/\?next=/events/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("语言 · Language")
    expect(page.get_by_role("button", name="中文")).to_be_disabled()
    screenshot(page, "language-chooser")
    page.get_by_role("button", name="English").click()

    page.wait_for_url(f"**{reading}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="科创沙龙：新材料")).to_be_visible()
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="中文 · English").click()
    expect(page.get_by_role("button", name="English")).to_be_disabled()
    page.get_by_role("button", name="中文").click()

    page.wait_for_url(f"**{reading}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert errors == []
