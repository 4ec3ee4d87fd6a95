"""遇见 introductions at 375 px: two approved members take part; 许静 sees 周怡然 among her suggestions
with the reasons, asks to meet her sharing her email; 周怡然 accepts sharing her mobile; each then
sees the contact the other shared in 我的相遇 — and nothing before."""

import pytest
from playwright.sync_api import Page, expect

from matching.introduction_forms import RequestForm
from matching.models import Introduction, IntroductionStatus, Purpose
from members.models import City, Field
from tests.factories import MemberProfileFactory
from tests.matching.helpers import opted_in

from .ui import label, log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGE = "周老师好，我在做大模型应用落地，想请教早期融资和团队管理的经验，方便时聊聊吗？"
PHONE = "13912340000"


def test_she_asks_to_meet_a_suggested_member_who_accepts_and_both_see_the_shared_contacts(page: Page, new_page):
    asker = MemberProfileFactory(real_name="许静", job_title="算法工程师").user
    mentor = MemberProfileFactory(real_name="周怡然", job_title="创始人").user
    mentor.phone, mentor.phone_verified = PHONE, True
    mentor.save()
    # Both take part (joining is the join journey's); her suggestions are computed after she joins.
    opted_in(mentor, purposes=[Purpose.NETWORKING, Purpose.OFFER_MENTORING], interests=["人工智能", "融资"],
             fields=[Field.AI], cities=[City.SUZHOU], introduction="车联网创业第五年，乐意分享融资经验。")
    opted_in(asker, purposes=[Purpose.NETWORKING, Purpose.SEEK_MENTOR], interests=["人工智能"],
             fields=[Field.AI], cities=[City.SUZHOU, City.SHANGHAI])

    # She finds 周怡然 among her suggestions, with the reasons.
    page.goto("/accounts/login/?next=/meet/suggestions/")
    log_in(page, asker.email)
    page.wait_for_url("**/meet/suggestions/")
    card = page.locator(".suggestion", has_text="周怡然")
    expect(card).to_be_visible()
    expect(card.locator(".suggestion-reasons")).to_contain_text(
        t("She is willing to mentor; you are looking for a mentor"))
    expect(card).not_to_contain_text(PHONE)
    screenshot(page, "meet-suggestions")

    # She asks to meet her, sharing her email only.
    card.get_by_role("link", name=t("Ask to meet")).click()
    page.wait_for_url("**/meet/request/**")
    page.get_by_label(label(RequestForm, "message")).fill(MESSAGE)
    email_choice = page.get_by_label(asker.email, exact=False)
    expect(email_choice).not_to_be_checked()
    email_choice.check()
    screenshot(page, "meet-request")
    page.get_by_role("button", name=t("Send the 相遇 request")).click()
    page.wait_for_url("**/meet/introductions/?tab=sent")
    row = page.locator(".introduction", has_text="周怡然")
    expect(row).to_contain_text(t("Waiting for an answer"))
    expect(row).not_to_contain_text(PHONE)

    # 周怡然 reads the request in 我的相遇 and accepts, sharing her mobile.
    hers = new_page()
    hers.goto("/meet/introductions/")
    hers.wait_for_url("**/accounts/login/**")
    log_in(hers, mentor.email)
    hers.wait_for_url("**/meet/introductions/")
    request = hers.locator(".introduction", has_text="许静")
    expect(request).to_contain_text(MESSAGE)
    expect(request).not_to_contain_text(asker.email)
    request.get_by_role("link", name=t("Accept")).click()
    hers.wait_for_url("**/accept/")
    hers.get_by_label(PHONE, exact=False).check()
    hers.get_by_role("button", name=t("Accept and connect")).click()
    hers.wait_for_url("**/meet/introductions/?tab=connected")
    connected = hers.locator(".introduction", has_text="许静")
    expect(connected.locator(".introduction-contacts")).to_contain_text(asker.email)
    expect(connected).to_contain_text(t("Connected"))

    # She sees the mobile number 周怡然 shared — and not her email, which she did not share.
    page.goto("/meet/introductions/?tab=connected")
    mine = page.locator(".introduction", has_text="周怡然")
    expect(mine.locator(".introduction-contacts")).to_contain_text(PHONE)
    expect(mine).not_to_contain_text(mentor.email)
    screenshot(page, "meet-introductions")

    introduction = Introduction.objects.get()
    assert (introduction.status, introduction.sender_shares_email, introduction.sender_shares_phone,
            introduction.recipient_shares_email, introduction.recipient_shares_phone) == (
        IntroductionStatus.ACCEPTED, True, False, False, True)
