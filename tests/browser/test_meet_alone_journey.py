"""交友 alone at 375 px: a single talent who is not a member (a verified mobile number) joins 遇见
交友 with her real name and waits; a 遇见审核 moderator verifies the name in admin; she then takes part."""

import pytest
from playwright.sync_api import Page, expect

from matching.alone_forms import AloneJoinForm
from matching.models import MatchProfile, MatchStatus, NameCheck, Purpose
from members.models import City
from tests.factories import UserFactory
from xiangcheng.core.roles import MATCH_MODERATOR

from .ui import admin_action, admin_log_in, label, log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_single_talent_joins_friendship_alone_and_is_verified(page: Page, new_page, staff_in_group):
    her = UserFactory(phone="13912345670", phone_verified=True)
    staff_in_group("yujian", MATCH_MODERATOR.name)

    page.goto("/accounts/login/?next=/meet/")
    log_in(page, her.email)
    page.wait_for_url("**/meet/")
    page.locator("#match-alone").get_by_role("link", name=t("Join 遇见 交友")).click()
    page.wait_for_url("**/meet/alone/join/")
    expect(page.locator("#alone-consent")).to_be_visible()
    page.get_by_label(label(AloneJoinForm, "real_name")).fill("顾清")
    page.get_by_label(str(t(Purpose.FRIENDSHIP.label)), exact=True).check()
    page.get_by_label(label(AloneJoinForm, "interests")).fill("徒步、摄影")
    page.locator("#id_cities").get_by_label(str(t(City.SUZHOU.label)), exact=True).check()
    page.get_by_label(label(AloneJoinForm, "introduction")).fill("在相城做生物医药研发，想认识聊得来的朋友。")
    page.get_by_label(label(AloneJoinForm, "friendship_consent")).check()
    page.get_by_label(label(AloneJoinForm, "single")).check()
    page.get_by_label(label(AloneJoinForm, "consent")).check()
    screenshot(page, "meet-alone-join")
    page.get_by_role("button", name=t("Join 遇见 交友")).click()
    page.wait_for_url("**/meet/alone/profile/")
    expect(page.locator("#alone-awaiting")).to_be_visible()
    screenshot(page, "meet-alone-waiting")
    profile = MatchProfile.objects.get(user=her)
    assert (profile.status, profile.real_name) == (MatchStatus.AWAITING_CHECK, "顾清")

    staff = new_page()
    admin_log_in(staff, "yujian")
    admin_action(staff, NameCheck, "顾清", "verify")
    expect(staff.locator(".messagelist")).to_be_visible()
    profile.refresh_from_db()
    assert profile.status == MatchStatus.ACTIVE

    page.reload()
    expect(page.locator("#alone-awaiting")).to_have_count(0)
