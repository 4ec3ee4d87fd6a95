"""Calls (相创她数智) in a real Chromium at 375 px: a visitor finds an open call, logs in to apply,
attaches a PDF, submits, and sees 已提交 on 我的申报."""

import pytest
from playwright.sync_api import Page, expect

from services.call_forms import CallApplicationForm
from services.models import CallApplication, CallApplicationStatus
from tests.services.call_helpers import a_call, approved
from tests.services.helpers import minimal_pdf

from .ui import label, log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATEMENT = "我在功能薄膜材料方向从事研发十年，牵头完成两项成果转化，希望代表相城区参加评选。"


def test_member_applies_with_a_pdf_and_sees_it_submitted(page: Page, tmp_path):
    call = a_call(title="2027年度青年女科学家推荐", places=2)
    a_call(title="相城区互联网营销师大赛", kind="contest", level="district", field="digital_finance")
    she = approved("linxiaowen", "林晓雯")
    proof = tmp_path / "成果证明.pdf"
    proof.write_bytes(minimal_pdf())

    # A visitor sees the open calls, no login needed.
    page.goto("/calls/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Calls and nominations"))
    expect(page.locator(".call-card")).to_have_count(2)
    screenshot(page, "calls-list")
    page.get_by_role("link", name="2027年度青年女科学家推荐").click()
    page.wait_for_url(f"**/calls/{call.pk}/")
    expect(page.locator(".facts")).to_contain_text(call.closes_on.isoformat())
    screenshot(page, "calls-detail")
    page.get_by_role("link", name=t("Log in to apply")).click()

    # She logs in, lands on the apply page, writes her statement and attaches her PDF.
    log_in(page, she.email)
    page.wait_for_url(f"**/calls/{call.pk}/apply/")
    page.get_by_label(label(CallApplicationForm, "statement")).fill(STATEMENT)
    page.get_by_label(label(CallApplicationForm, "files")).set_input_files(proof)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "calls-apply")
    page.get_by_role("button", name=t("Submit my application")).click()
    application = CallApplication.objects.get()
    page.wait_for_url(f"**/calls/applications/{application.pk}/")
    expect(page.locator(".attachments")).to_contain_text("成果证明.pdf")
    screenshot(page, "calls-application")

    # 我的申报 shows it submitted.
    page.get_by_role("link", name=t("My applications")).first.click()
    page.wait_for_url("**/calls/mine/")
    expect(page.locator(".registration-status")).to_have_text(t(CallApplicationStatus.SUBMITTED.label))
    screenshot(page, "calls-mine")
    application.refresh_from_db()
    assert (application.status, application.statement) == (CallApplicationStatus.SUBMITTED, STATEMENT)
    assert [a.name for a in application.attachments.all()] == ["成果证明.pdf"]
