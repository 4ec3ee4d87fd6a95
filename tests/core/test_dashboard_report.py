"""The monthly report: built by Celery (a real worker), one sheet per area, downloaded by the
staff member who asked for it until its link expires, each download in the audit trail."""

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from members.models import MemberProfile
from services.models import Category, Ticket
from tests.factories import MemberProfileFactory
from tests.helpers import messages_of, zh
from xiangcheng.core.figures import figure_sources
from xiangcheng.core.models import DashboardReport, Notice
from xiangcheng.core.reports import (
    REPORT_KEPT,
    REPORTS_IN_FLIGHT,
    ReportError,
    link_expired,
    report_build,
    report_request,
    reports_expire,
)
from xiangcheng.core.roles import ADMINISTRATOR

from .dashboard_support import DECEMBER, FIRST, LAST, NOW, pinned

Status = DashboardReport.Status
NEW = "/admin/dashboard/reports/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _private(settings, folder):
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(folder), "base_url": None}}}
    return folder


@pytest.fixture
def private(settings, tmp_path):
    return _private(settings, tmp_path / "private")


@pytest.fixture
def administrator(staff_in_group):
    return staff_in_group("guanli", ADMINISTRATOR.name)


def _tickets() -> None:
    """A member approved on 1 December, who submits two tickets: one answered in 3 hours, one not."""
    member = MemberProfileFactory().user
    MemberProfile.objects.filter(user=member).update(created_at=FIRST, reviewed_at=FIRST)
    for number, (created, category, answered) in enumerate([
            (FIRST, Category.FINANCE, FIRST + timedelta(hours=3)), (LAST, Category.POLICY, None)], start=1):
        ticket = Ticket.objects.create(reference=f"JG-2026-{number:06d}", year=2026, number=number, member=member,
                                       category=category, subject="贴息", description="说明",
                                       due_at=created + timedelta(days=2), first_response_at=answered)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=created)


def _built(administrator, committed) -> DashboardReport:
    """A December report asked for and built (the task runs inline in these tests)."""
    with committed():
        report = report_request(user=administrator, period=DECEMBER)
    report.refresh_from_db()
    return report


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _rows(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.django_db
def test_the_report_has_a_sheet_per_area_with_its_figures(administrator, private, committed):
    with pinned():
        _tickets()
        report = _built(administrator, committed)

    assert (report.status, report.progress, report.finished_at, report.expires_at) == (
        Status.READY, 100, NOW, NOW + REPORT_KEPT)
    with report.file.open("rb") as stored:
        book = load_workbook(io.BytesIO(stored.read()))
    assert book.sheetnames == [str(s.label) for s in figure_sources()]
    inbox = _rows(book[zh("巾帼管家 inbox")])
    assert inbox[:4] == [(zh("巾帼管家 inbox"), None), (zh("Period"), "2026-12-01 – 2026-12-31"), (None, None),
                         (zh("Figure"), zh("Value"))]
    assert inbox[4:10] == [(zh("Tickets submitted"), 2), (zh("Tickets answered"), 1),
                           (zh("Median wait for the first answer (hours)"), 3), (zh("Answered within the deadline"), 1),
                           (zh("Average rating (1–5)"), None), (zh("Ratings given"), 0)]
    assert book[zh("巾帼管家 inbox")]["B8"].number_format == "0%"
    by_category = inbox[inbox.index((zh("Tickets by category"), None)) + 1:]
    assert by_category == [(str(label), {"finance": 1, "policy": 1}.get(value, 0)) for value, label in Category.choices]
    members = _rows(book[zh("Members")])
    assert members[4] == (zh("Approved members at the end of the period"), 1)
    assert members[-1] == ("2026-12", 1)  # the one month of the period, at the end of its series
    # She is told through the outbox (staff only, no SMS), with the report's page.
    notice = Notice.objects.get(kind="dashboard.report_ready")
    assert (notice.recipient, notice.staff_only, notice.target_id) == (administrator, True, report.pk)


@pytest.mark.django_db
def test_a_download_is_recorded_and_the_link_expires(client, administrator, staff_in_group, private, committed):
    with pinned():
        report = _built(administrator, committed)
    client.force_login(administrator)
    file_url = reverse("dashboard:report_file", args=[report.pk])

    with time_machine.travel(report.expires_at - timedelta(seconds=1), tick=False):
        page = client.get(reverse("dashboard:report", args=[report.pk]))
        response = client.get(file_url)
    assert file_url in page.content.decode()
    assert (response.status_code, response["Content-Type"], response["Content-Disposition"]) == (
        200, XLSX, 'attachment; filename="report-20261201-20261231.xlsx"')
    assert load_workbook(io.BytesIO(response.content)).sheetnames == [str(s.label) for s in figure_sources()]
    downloads = [(e.pgh_context["user"], e.pgh_context["what"], e.pgh_context["format"])
                 for e in report.audit_events.filter(pgh_label="exported")]
    assert downloads == [(administrator.pk, "monthly report", "xlsx")]

    # Another administrator does not see it at all.
    client.force_login(staff_in_group("guanli2", ADMINISTRATOR.name))
    assert (client.get(file_url).status_code, client.get(reverse("dashboard:report", args=[report.pk])).status_code) \
        == (404, 404)

    # Once its time has come, the link refuses with a reason, and the clean-up deletes the file.
    client.force_login(administrator)
    stored = private / report.file.name
    with time_machine.travel(report.expires_at, tick=False):
        assert link_expired(report=report)
        refused = client.get(file_url, follow=True)
        assert messages_of(refused) == [zh("This report's link has expired. Ask for the report again.")]
        assert stored.exists()
        with committed():
            assert reports_expire() == 1
        assert reports_expire() == 0
    report.refresh_from_db()
    assert (report.status, report.file.name, stored.exists()) == (Status.EXPIRED, "", False)
    assert report.audit_events.filter(pgh_label="exported").count() == 1
    assert zh("This report's link has expired. Ask for the report again.") in client.get(
        reverse("dashboard:report", args=[report.pk])).content.decode()


@pytest.mark.django_db
def test_a_report_is_built_once_however_often_its_task_runs(administrator, private, committed):
    with pinned():
        report = _built(administrator, committed)

        assert report_build(report_id=report.pk) == "nothing to build"

    assert DashboardReport.objects.get().file.name == report.file.name
    assert Notice.objects.filter(kind="dashboard.report_ready").count() == 1


@pytest.mark.django_db
def test_at_most_three_reports_wait_at_once_and_a_fourth_is_refused_with_a_reason(client, administrator, private):
    client.force_login(administrator)
    for _ in range(REPORTS_IN_FLIGHT):
        report_request(user=administrator, period=DECEMBER)  # no commit here: they stay waiting

    with pytest.raises(ReportError):
        report_request(user=administrator, period=DECEMBER)
    response = client.post(NEW, {"first": "2026-12-01", "last": "2026-12-31"}, follow=True)

    assert messages_of(response) == [zh("You already have %(n)d reports being built; wait until one is ready.",
                                        n=REPORTS_IN_FLIGHT)]
    assert DashboardReport.objects.count() == REPORTS_IN_FLIGHT


@pytest.mark.django_db
def test_a_report_for_a_reversed_period_is_not_started_and_the_dashboard_keeps_the_dates(client, administrator):
    client.force_login(administrator)

    response = client.post(NEW, {"first": "2026-12-31", "last": "2026-12-01"}, follow=True)

    assert response.redirect_chain == [("/admin/dashboard/?first=2026-12-31&last=2026-12-01", 302)]
    assert messages_of(response) == [zh("The report was not started: check the period.")]
    assert zh("The last day is before the first day.") in response.content.decode()
    assert DashboardReport.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_builds_the_report_she_asked_for_and_she_sees_its_progress(
        client, administrator, workers, settings, tmp_path):
    folder = _private(settings, tmp_path / "shared-private")
    worker = workers("reports", pool="solo", concurrency=1, env={"DJANGO_PRIVATE_MEDIA_ROOT": str(folder)})
    client.force_login(administrator)

    response = client.post(NEW, {"first": "2026-12-01", "last": "2026-12-31"})

    report = DashboardReport.objects.get()
    assert response["Location"] == reverse("dashboard:report", args=[report.pk])
    worker.wait_for(lambda: DashboardReport.objects.get().status == Status.READY, timeout=60,
                    what="the report to be built")
    report.refresh_from_db()
    assert (report.progress, (folder / report.file.name).exists()) == (100, True)
    page = client.get(response["Location"]).content.decode()
    assert re.search(r'<meta http-equiv="refresh"', page) is None
    assert reverse("dashboard:report_file", args=[report.pk]) in page
    assert Notice.objects.filter(kind="dashboard.report_ready", recipient=administrator).count() == 1
    download = client.get(reverse("dashboard:report_file", args=[report.pk]))
    assert load_workbook(io.BytesIO(download.content)).sheetnames == [str(s.label) for s in figure_sources()]


@pytest.mark.django_db
def test_a_waiting_report_shows_its_progress_and_refreshes_itself(client, administrator):
    client.force_login(administrator)
    report = report_request(user=administrator, period=DECEMBER)
    DashboardReport.objects.filter(pk=report.pk).update(status=Status.BUILDING, progress=42)

    page = client.get(reverse("dashboard:report", args=[report.pk])).content.decode()

    assert '<meta http-equiv="refresh" content="3">' in page
    assert '<progress max="100" value="42">' in page
    assert reverse("dashboard:report_file", args=[report.pk]) not in page
