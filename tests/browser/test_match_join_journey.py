"""遇见 at 375 px: an approved member reads what 遇见 is on 相助她空间's page, joins with its consent,
fills her match profile, and finds it again on her profile page."""

import pytest
from playwright.sync_api import Page, expect

from matching.forms import JoinForm
from matching.models import MatchProfile, Purpose
from matching.profiles import MATCH_CONSENT_VERSION
from members.models import City, Consent, Field
from tests.factories import MemberProfileFactory

from .ui import label, log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INTRODUCTION = "做大模型应用落地，想认识新材料方向的前辈，也愿意分享创业早期的经验。"


def test_a_member_joins_meet_and_fills_her_profile(page: Page):
    member = MemberProfileFactory(real_name="许静").user

    page.goto("/programmes/support/")
    section = page.locator("#section-matching")
    expect(section).to_be_visible()
    section.get_by_role("link", name=t("About 遇见")).click()
    page.wait_for_url("**/meet/")
    page.locator("#match-visitor").get_by_role("link", name=t("Log in")).click()
    log_in(page, member.email)
    page.wait_for_url("**/meet/")
    page.get_by_role("link", name=t("Join 遇见")).click()
    page.wait_for_url("**/meet/join/")
    expect(page.locator("#match-consent")).to_be_visible()
    expect(page.locator("#friendship-consent")).to_be_visible()

    consent = page.get_by_label(label(JoinForm, "consent"))
    expect(consent).not_to_be_checked()
    page.get_by_label(str(t(Purpose.NETWORKING.label)), exact=True).check()
    page.get_by_label(str(t(Purpose.SEEK_MENTOR.label)), exact=True).check()
    page.get_by_label(label(JoinForm, "interests")).fill("人工智能、专利转化")
    page.locator("#id_fields").get_by_label(str(t(Field.AI.label)), exact=True).check()
    page.locator("#id_cities").get_by_label(str(t(City.SUZHOU.label)), exact=True).check()
    page.get_by_label(label(JoinForm, "introduction")).fill(INTRODUCTION)
    # Forgetting the consent keeps everything she typed.
    page.get_by_role("button", name=t("Join 遇见")).click()
    expect(page.get_by_text(t("To join 遇见, tick the box to show you agree."))).to_be_visible()
    expect(page.get_by_label(label(JoinForm, "introduction"))).to_have_value(INTRODUCTION)
    assert MatchProfile.objects.count() == 0

    page.get_by_label(label(JoinForm, "consent")).check()
    screenshot(page, "match-join")
    page.get_by_role("button", name=t("Join 遇见")).click()
    page.wait_for_url("**/meet/profile/")
    expect(page.get_by_text(t("Welcome to 遇见. You can change or leave it at any time."))).to_be_visible()
    expect(page.get_by_label(label(JoinForm, "introduction"))).to_have_value(INTRODUCTION)
    # 交友 was not chosen: its consent is still offered, unticked.
    expect(page.locator("#friendship-consent")).to_be_visible()
    expect(page.get_by_label(label(JoinForm, "single"))).not_to_be_checked()
    screenshot(page, "match-profile")

    profile = MatchProfile.objects.get(user=member)
    assert (profile.purposes, profile.interests, profile.fields, profile.cities) == (
        ["networking", "seek_mentor"], ["人工智能", "专利转化"], ["ai"], ["suzhou"])
    assert list(Consent.objects.filter(user=member, kind=Consent.Kind.MATCHING)
                .values_list("version", "withdrawn_at")) == [(MATCH_CONSENT_VERSION, None)]
