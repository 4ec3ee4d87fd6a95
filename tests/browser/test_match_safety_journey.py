"""遇见 safety at 375 px: a member reports someone suggested to her (a forgotten reason keeps what
she wrote), blocks her after a confirmation page, finds her on the list of people she blocked and
lifts the block after another confirmation."""

import pytest
from playwright.sync_api import Page, expect

from matching.models import Block, Report, ReportReason
from matching.safety_forms import ReportForm
from matching.suggestions import suggestions_refresh
from members.models import City, Field
from tests.factories import MemberProfileFactory
from tests.matching.helpers import opted_in

from .ui import label, log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DETAILS = "她在相遇请求里反复要求我转账投资，说是稳赚的项目。"


def test_a_member_reports_and_blocks_someone_then_lifts_the_block(page: Page):
    her = opted_in(MemberProfileFactory(real_name="许静").user, interests=["人工智能"], fields=[Field.AI],
                   cities=[City.SUZHOU])
    other = opted_in(MemberProfileFactory(real_name="顾岚").user, interests=["人工智能"], fields=[Field.AI],
                     cities=[City.SUZHOU])
    suggestions_refresh(profile=her)

    page.goto("/accounts/login/?next=/meet/suggestions/")
    log_in(page, her.user.email)
    page.wait_for_url("**/meet/suggestions/")
    card = page.locator(f"#suggestion-{other.pk}")
    expect(card).to_contain_text("顾岚")
    screenshot(page, "meet-suggestion-safety")

    card.get_by_role("link", name=t("Report"), exact=True).click()
    page.wait_for_url(f"**/meet/report/{other.pk}/")
    page.get_by_label(label(ReportForm, "details")).fill(DETAILS)
    page.get_by_role("button", name=t("Send the report")).click()
    expect(page.get_by_text(t("Choose a reason."))).to_be_visible()
    expect(page.get_by_label(label(ReportForm, "details"))).to_have_value(DETAILS)
    assert Report.objects.count() == 0
    page.get_by_label(t(ReportReason.FRAUD.label), exact=True).check()
    screenshot(page, "meet-report")
    page.get_by_role("button", name=t("Send the report")).click()
    page.wait_for_url("**/meet/suggestions/")
    expect(page.get_by_text(t("Thank you. The 遇见 moderators will look into your report."))).to_be_visible()
    assert list(Report.objects.values_list("reporter", "reported", "reason", "details")) == [
        (her.user_id, other.user_id, "fraud", DETAILS)]

    card.get_by_role("link", name=t("Block"), exact=True).click()
    page.wait_for_url(f"**/meet/block/{other.pk}/")
    expect(page.locator("#block-confirm")).to_contain_text("顾岚")
    screenshot(page, "meet-block")
    assert Block.objects.count() == 0
    page.get_by_role("button", name=t("Yes, block")).click()
    page.wait_for_url("**/meet/suggestions/")
    expect(page.locator(f"#suggestion-{other.pk}")).to_have_count(0)

    page.get_by_role("link", name=t("People I blocked")).click()
    page.wait_for_url("**/meet/blocked/")
    expect(page.locator(".blocked-list")).to_contain_text("顾岚")
    screenshot(page, "meet-blocked")
    page.get_by_role("link", name=t("Lift the block")).click()
    expect(page.locator("#unblock-confirm")).to_contain_text("顾岚")
    page.get_by_role("button", name=t("Yes, lift the block")).click()
    page.wait_for_url("**/meet/blocked/")
    expect(page.get_by_text(t("You have not blocked anyone."))).to_be_visible()
    assert Block.objects.count() == 0
