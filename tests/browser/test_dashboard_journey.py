"""The staff dashboard in a real Chromium: the administrator opens it from the admin's home at
375 px, reads this month's figures and charts, asks for the monthly report, follows its page to
the download; the same dashboard on a desktop. Screenshots: dashboard, dashboard-desktop,
dashboard-report."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from events.models import Kind
from members.models import Category, City, Field, MemberProfile
from services.models import Category as TicketCategory
from services.models import Ticket
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import MemberProfileFactory, StaffFactory
from xiangcheng.core.models import DashboardReport
from xiangcheng.core.roles import ADMINISTRATOR

from .ui import admin_log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None}}}


@pytest.fixture
def activity():
    """This month: members in a few cities and categories, two events with sign-ups, tickets."""
    now = timezone.now()
    people = [(City.SUZHOU, Category.RESEARCHER, Field.ADVANCED_MATERIALS), (City.SUZHOU, Category.ENTREPRENEUR, Field.AI),
              (City.SHANGHAI, Category.RESEARCHER, Field.BIOMEDICINE), (City.NANJING, Category.STUDENT, Field.AI),
              (City.SUZHOU, Category.RESEARCHER, Field.AI)]
    members = []
    for city, category, field in people:
        profile = MemberProfileFactory(city=city, category=category, field=field)
        MemberProfile.objects.filter(pk=profile.pk).update(reviewed_at=now)
        members.append(profile.user)
    salon = EventFactory(starts_at=now, registration_opens_at=now - timedelta(days=5),
                         registration_closes_at=now - timedelta(hours=1), cancellation_deadline=now - timedelta(days=1))
    training = EventFactory(starts_at=now, kind=Kind.TRAINING, registration_opens_at=now - timedelta(days=5),
                            registration_closes_at=now - timedelta(hours=1),
                            cancellation_deadline=now - timedelta(days=1))
    for user in members[:4]:
        RegistrationFactory(event=salon, user=user, checked_in_at=now)
    RegistrationFactory(event=training, user=members[4], children_count=1)
    for number, category in enumerate([TicketCategory.FINANCE, TicketCategory.POLICY, TicketCategory.FINANCE], 1):
        Ticket.objects.create(reference=f"JG-{now.year}-{number:06d}", year=now.year, number=number,
                              member=members[number], category=category, subject="政策咨询", description="说明",
                              due_at=now + timedelta(days=3), first_response_at=now + timedelta(hours=number))


def test_the_administrator_reads_the_dashboard_and_downloads_the_monthly_report(page: Page, activity):
    StaffFactory(username="guanli", groups=[ADMINISTRATOR.name])
    admin_log_in(page, "guanli")

    page.locator("#dashboard-link").get_by_role("link", name=t("Figures, charts and the monthly report")).click()
    page.wait_for_url("**/admin/dashboard/")
    expect(page.locator("section.dashboard-area h2")).to_have_count(7)
    members = page.locator("#area-members")
    expect(members.locator("dd").first).to_have_text("5")
    expect(members.locator("svg.chart")).to_have_count(5)
    # Every chart fits the phone's width: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    widths = page.locator("svg.chart").evaluate_all("els => els.map(e => e.getBoundingClientRect().right)")
    assert max(widths) <= 375
    screenshot(page, "dashboard")

    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "dashboard-desktop")
    page.set_viewport_size({"width": 375, "height": 812})

    page.get_by_role("button", name=t("Build the Excel report for this period")).click()
    report = DashboardReport.objects.get()
    page.wait_for_url(f"**/admin/dashboard/reports/{report.pk}/")
    # Celery runs inline in the tests: the report is ready when its page opens.
    link = page.get_by_role("link", name=t("Download the report (.xlsx)"))
    expect(link).to_be_visible()
    screenshot(page, "dashboard-report")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == (
        f"report-{report.first_day:%Y%m%d}-{report.last_day:%Y%m%d}.xlsx")
    assert report.audit_events.filter(pgh_label="exported").count() == 1
