"""Federation offerings at 375 px: a member finds 女企业家专属金融服务, books a 1:1 time, sees it
in 我的预约 and is told by email; the slot is then full for the next member."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from services.models import Category, OfferingMode, SlotBooking, SlotBookingStatus
from tests.factories import MemberProfileFactory
from tests.helpers import email_subject
from tests.services.offering_factories import OfferingFactory, OfferingSlotFactory, programme

from .ui import log_in, screenshot, t, tn, wait_for_mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "女企业家专属金融服务"


def test_a_member_books_a_finance_consultation_and_sees_it_in_my_bookings(page: Page, new_page, outbox):
    member = MemberProfileFactory(real_name="陈静怡").user
    offering = OfferingFactory(
        title=TITLE, provider="合作银行相城支行 · 女企业家 VIP 通道", programme=programme("link"),
        description="合作银行的专属客户经理一对一面谈，帮助女企业家梳理融资需求，介绍贴息贷款、科技贷和个人金融服务。")
    OfferingFactory(title="儿童公益托管中心", provider="相城区妇联 · 儿童公益托管中心", programme=programme("support"),
                    mode=OfferingMode.APPOINTMENT, category=Category.CHILDCARE,
                    description="为参加联盟活动的女科技工作者提供临时儿童托管。")
    OfferingFactory(title="LADIES 聚力空间", provider="北河泾街道新时代文明实践所", programme=programme("support"),
                    category=Category.SPACE, description="共享办公桌、小型会议角和母婴室，按半天预约。")
    tomorrow = timezone.localtime() + timedelta(days=1)
    first_at = tomorrow.replace(hour=10, minute=0, second=0, microsecond=0)
    first = OfferingSlotFactory(offering=offering, starts_at=first_at, ends_at=first_at + timedelta(minutes=45),
                                capacity=1)
    OfferingSlotFactory(offering=offering, starts_at=first_at + timedelta(hours=4, minutes=30),
                        ends_at=first_at + timedelta(hours=5, minutes=15), capacity=2)

    page.goto("/offerings/")
    page.wait_for_url("**/accounts/login/**")
    log_in(page, member.email)
    page.wait_for_url("**/offerings/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Federation offerings"))
    expect(page.locator(".offering-title")).to_have_count(3)
    screenshot(page, "offering-list")

    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"**/offerings/{offering.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    slots = page.locator(".slot")
    expect(slots).to_have_count(2)
    expect(slots.nth(0).locator(".slot-left")).to_have_text(tn("%(n)s place left", "%(n)s places left", 1))
    screenshot(page, "offering-booking")

    slots.nth(0).get_by_role("button", name=t("Book")).click()
    page.wait_for_url("**/offerings/bookings/")
    expect(page.get_by_text(t("Your place is booked. We have sent you a confirmation."))).to_be_visible()
    rows = page.locator(".booking-row")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".event-title")).to_have_text(TITLE)
    expect(rows.first.locator(".registration-status")).to_have_text(t(SlotBookingStatus.BOOKED.label))
    expect(rows.first).to_contain_text(f"{timezone.localtime(first.starts_at):%Y-%m-%d}")
    screenshot(page, "offering-mine")
    assert len(wait_for_mail(page, outbox, to=member.email, subject=email_subject("Booked: %(title)s", title=TITLE))) == 1
    assert list(SlotBooking.objects.values_list("slot", "member", "status")) == [
        (first.pk, member.pk, SlotBookingStatus.BOOKED)]

    # The next member finds that time full, and the other one still open.
    other = new_page()
    other.goto(f"/offerings/{offering.pk}/")
    log_in(other, MemberProfileFactory().user.email)
    other.wait_for_url(f"**/offerings/{offering.pk}/")
    expect(other.locator(".slot").nth(0).locator(".slot-left")).to_have_text(t("Full"))
    expect(other.locator(".slot").nth(0).get_by_role("button")).to_have_count(0)
    expect(other.locator(".slot").nth(1).get_by_role("button", name=t("Book"))).to_be_visible()
