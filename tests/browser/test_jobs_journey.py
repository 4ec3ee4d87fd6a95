"""新城招聘 in a real Chromium at 375 px: a visitor browses the jobs page, a member applies with a
PDF CV, the organisation's representative shortlists her, and she sees her status."""

import pytest
from playwright.sync_api import Page, expect

from services import jobs
from services.job_forms import ApplicationForm
from services.models import Application, ApplicationStatus
from tests.services.helpers import minimal_pdf
from tests.services.job_helpers import applicant, job_data, organisation, representative
from xiangcheng.core.roles import ENTERPRISE_SERVICE

from .ui import label, log_in, screenshot, t, tn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGE = "我在功能薄膜方向做了十年研发，希望参与贵司的新材料项目。"


def test_visitor_browses_member_applies_with_a_pdf_and_is_shortlisted(page: Page, new_page, staff_in_group,
                                                                     tmp_path):
    org = organisation(name="苏州相城新创材料科技有限公司")
    hr = representative(org, "hr-xinchuang")
    moderator = staff_in_group("qiyefuwu", ENTERPRISE_SERVICE.name)
    posted = []
    for title, city, salary in [("新材料研发工程师", "suzhou", 15000), ("知识产权专员", "suzhou", None),
                                ("数字金融产品经理", "shanghai", 20000)]:
        job = jobs.job_create(organisation=org, author=hr, data=job_data(
            title=title, city=city, salary_min=salary, salary_max=salary * 2 if salary else None))
        jobs.job_submit(job=job, author=hr)
        posted.append(job)
    jobs.jobs_publish(job_ids=[j.pk for j in posted], reviewer=moderator)
    she = applicant("linxiaowen", "林晓雯", job_title="高级工程师")
    cv = tmp_path / "林晓雯简历.pdf"
    cv.write_bytes(minimal_pdf())

    # A visitor sees the jobs page, no login needed.
    page.goto("/jobs/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("新城招聘 · Jobs"))
    expect(page.locator(".job-card")).to_have_count(3)
    expect(page.locator(".job-card").first).to_contain_text("数字金融产品经理")
    screenshot(page, "jobs-list")
    page.get_by_role("link", name="新材料研发工程师").click()
    page.wait_for_url(f"**/jobs/{posted[0].pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("新材料研发工程师")
    page.get_by_role("link", name=t("Log in to apply")).click()

    # She logs in and applies with her PDF CV.
    log_in(page, she.email)
    page.wait_for_url(f"**/jobs/{posted[0].pk}/")
    page.get_by_label(label(ApplicationForm, "message")).fill(MESSAGE)
    page.get_by_label(label(ApplicationForm, "cv")).set_input_files(cv)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "job-detail")
    page.get_by_role("button", name=t("Send my application")).click()
    page.wait_for_url("**/jobs/mine/")
    expect(page.locator(".registration-status")).to_have_text(t(ApplicationStatus.SUBMITTED.label))

    # The representative reads it (never her contacts) and shortlists her.
    hr_page = new_page()
    hr_page.goto(f"/jobs/organisation/{org.pk}/")
    log_in(hr_page, hr.email)
    hr_page.wait_for_url(f"**/jobs/organisation/{org.pk}/")
    applied = hr_page.locator(".org-job", has_text=posted[0].title)
    expect(applied.locator(".status-pending")).to_have_text(tn("%(n)s not viewed yet", "%(n)s not viewed yet", 1))
    screenshot(hr_page, "organisation-jobs")
    applied.get_by_role("link", name=tn("%(n)s application", "%(n)s applications", 1)).click()
    hr_page.wait_for_url(f"**/jobs/organisation/{org.pk}/{posted[0].pk}/applications/")
    application = hr_page.locator(".application")
    expect(application).to_contain_text("林晓雯")
    expect(application).to_contain_text(MESSAGE)
    expect(application).not_to_contain_text(she.email)
    with hr_page.expect_download() as download:
        application.get_by_role("link", name=t("CV (PDF)")).click()
    assert download.value.path().read_bytes() == minimal_pdf()
    application.get_by_role("button", name=t("Shortlisted")).click()
    expect(hr_page.locator(".application .registration-status")).to_have_text(t(ApplicationStatus.SHORTLISTED.label))
    screenshot(hr_page, "job-applications")
    assert Application.objects.get().status == ApplicationStatus.SHORTLISTED

    # She sees the new status on 我的求职.
    page.reload()
    expect(page.locator(".registration-status")).to_have_text(t(ApplicationStatus.SHORTLISTED.label))
    screenshot(page, "my-applications")
