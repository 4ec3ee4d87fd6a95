"""A call from start to end in a real Chromium at 375 px: 申报评审 publishes a draft call in admin,
a member applies with a PDF from her phone, the reviewer starts the review, passes her first review
and recommends her, and she sees 已推荐 on 我的申报 and on her application's page."""

import pytest
from playwright.sync_api import Page, expect

from services.call_forms import CallApplicationForm
from services.models import Call, CallApplication, CallApplicationStatus, CallStatus
from tests.services.call_helpers import a_call, approved
from tests.services.call_review_support import reviewer
from tests.services.helpers import minimal_pdf
from xiangcheng.core.models import Notice

from .ui import admin_action, admin_log_in, label, log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATEMENT = "我在功能薄膜材料方向从事研发十年，牵头完成两项成果转化，希望代表相城区参加评选。"


def staff_step(page: Page, model, selected, action: str, done: str) -> None:
    """From the admin index, run one action on one row and see its message."""
    page.goto("/admin/")
    admin_action(page, model, selected, action)
    expect(page.locator(".messagelist")).to_contain_text(done)


def test_staff_publishes_she_applies_and_is_recommended(new_page, tmp_path):
    draft = a_call(title="2027年度青年女科学家推荐", places=1, status=CallStatus.DRAFT)
    she = approved("linxiaowen", "林晓雯")
    proof = tmp_path / "成果证明.pdf"
    proof.write_bytes(minimal_pdf())

    # 申报评审 publishes the draft call.
    staff = new_page()
    admin_log_in(staff, reviewer().username)
    staff_step(staff, Call, "2027年度青年女科学家推荐", "publish", t("Calls published: %(n)d.") % {"n": 1})
    draft.refresh_from_db()
    assert draft.status == CallStatus.PUBLISHED

    # She finds it on her phone, logs in to apply and submits her statement with a PDF.
    member = new_page()
    member.goto("/calls/")
    member.get_by_role("link", name="2027年度青年女科学家推荐").click()
    member.get_by_role("link", name=t("Log in to apply")).click()
    log_in(member, she.email)
    member.wait_for_url(f"**/calls/{draft.pk}/apply/")
    member.get_by_label(label(CallApplicationForm, "statement")).fill(STATEMENT)
    member.get_by_label(label(CallApplicationForm, "files")).set_input_files(proof)
    member.get_by_role("button", name=t("Submit my application")).click()
    application = CallApplication.objects.get()
    member.wait_for_url(f"**/calls/applications/{application.pk}/")

    # The reviewer starts the review, passes her first review, then recommends her.
    steps = [
        ("start_review", t("The review of %(n)d call has started.") % {"n": 1}),
        ("shortlist", t("%(n)d application is now %(status)s.") % {
            "n": 1, "status": t(CallApplicationStatus.SHORTLISTED.label)}),
        ("recommend", t("%(n)d application is now %(status)s.") % {
            "n": 1, "status": t(CallApplicationStatus.RECOMMENDED.label)}),
    ]
    for action, done in steps:
        staff_step(staff, CallApplication, str(application), action, done)
    application.refresh_from_db()
    assert application.status == CallApplicationStatus.RECOMMENDED

    # She sees 已推荐 on 我的申报 and on her application, with her file; she was told at each step.
    member.goto("/calls/mine/")
    expect(member.locator(".registration-status")).to_have_text(t(CallApplicationStatus.RECOMMENDED.label))
    screenshot(member, "calls-recommended-mine")
    member.get_by_role("link", name="2027年度青年女科学家推荐").first.click()
    expect(member.locator(".registration-status").first).to_have_text(t(CallApplicationStatus.RECOMMENDED.label))
    expect(member.locator(".attachments")).to_contain_text("成果证明.pdf")
    screenshot(member, "calls-recommended-application")
    assert sorted(Notice.objects.filter(recipient=she, kind="calls.status").values_list("data__status", flat=True)) == [
        CallApplicationStatus.RECOMMENDED, CallApplicationStatus.SHORTLISTED]
