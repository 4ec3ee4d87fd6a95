"""The monthly report: every dashboard area's figures for a period as an Excel workbook.

A member of staff asks for it on the dashboard (``report_request``): a ``DashboardReport`` row
is written and, after commit, the ``build_dashboard_report`` task (on the reports queue) claims
it, writes one sheet per area — the row's ``progress`` moving on after each —, keeps the file in
the private storage and tells her through the outbox that it is ready. She downloads it from the
report's page until the link expires (``link_expired``, the one rule, which the page, the
download and the clean-up job ask); each download is in the audit trail (``record_access``).
The beat job ``expire_dashboard_reports`` deletes the files of expired reports.
"""

import io
import logging
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .audit import EXPORTED, audit_context, record_access
from .compiled_queries import CompiledQuery
from .figures import Area, Period, area_figures, figure_sources
from .models import DashboardReport, Notice
from .outbox import Message, notice_kind, notify
from .spreadsheets import cell_text

logger = logging.getLogger(__name__)

BUILD_TASK = "xiangcheng.core.tasks.build_dashboard_report"
# How long a finished report may be downloaded; then its file is deleted.
REPORT_KEPT = timedelta(days=7)
# At most this many reports of one member of staff waiting or being built at once.
REPORTS_IN_FLIGHT = 3

Status = DashboardReport.Status


class ReportError(Exception):
    """A report that cannot be asked for or downloaded; the message is for staff."""


# --- the one expiry rule ----------------------------------------------------------------------------

def link_expired(*, report: DashboardReport, now: datetime | None = None) -> bool:
    """Whether the report's download link no longer works: expired by the job, or past its time."""
    if report.status == Status.EXPIRED:
        return True
    return report.expires_at is not None and report.expires_at <= (now or timezone.now())


def expired_q(now: datetime) -> Q:
    """``link_expired`` for a query: finished reports whose file is still kept past their time."""
    return Q(status=Status.READY, expires_at__lte=now)


def report_downloadable(*, report: DashboardReport, now: datetime | None = None) -> bool:
    return report.status == Status.READY and bool(report.file) and not link_expired(report=report, now=now)


# --- asking, building, downloading ------------------------------------------------------------------

# What the dashboard shows of her latest reports (their period and status): SQL built once.
_LATEST = CompiledQuery(lambda user_id: DashboardReport.objects.filter(requested_by_id=user_id).only(
    "first_day", "last_day", "status").order_by("-created_at", "-pk"), user_id=int)
LATEST_REPORTS = 5


def reports_of(*, user) -> "list[DashboardReport]":
    """Her latest reports, newest first (the dashboard lists them)."""
    return _LATEST.listing(user_id=user.pk)[0:LATEST_REPORTS]


def report_request(*, user, period: Period) -> DashboardReport:
    """Write the report's row and enqueue its building after commit."""
    with transaction.atomic():
        # Her account's row is the lock: two requests at once count the same waiting reports.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        in_flight = DashboardReport.objects.filter(requested_by=user, status__in=[Status.QUEUED, Status.BUILDING])
        if in_flight.count() >= REPORTS_IN_FLIGHT:
            raise ReportError(_("You already have %(n)d reports being built; wait until one is ready.")
                              % {"n": REPORTS_IN_FLIGHT})
        with audit_context(actor=user):
            report = DashboardReport.objects.create(requested_by=user, first_day=period.first, last_day=period.last)
        transaction.on_commit(lambda: current_app.tasks[BUILD_TASK].delay(report_id=report.pk), robust=True)
    return report


def _claim(report_id: int) -> DashboardReport | None:
    with transaction.atomic():
        report = DashboardReport.objects.select_for_update(skip_locked=True).filter(
            pk=report_id, status=Status.QUEUED).first()
        if report is None:
            return None
        report.status = Status.BUILDING
        report.save(update_fields=["status"])
    return report


def _progress(report: DashboardReport, done: int, total: int) -> None:
    report.progress = min(99, done * 100 // total)
    DashboardReport.objects.filter(pk=report.pk).update(progress=report.progress)


def report_build(*, report_id: int) -> str:
    """Build a waiting report (a second run finds nothing to do). Returns what happened."""
    report = _claim(report_id)
    if report is None:
        return "nothing to build"
    period = Period(first=report.first_day, last=report.last_day)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            sources = figure_sources()
            areas = []
            for done, source in enumerate(sources, start=1):
                areas.append(area_figures(source, period))
                _progress(report, done, len(sources) + 1)
            content = workbook_bytes(areas=areas, period=period)
    except Exception:
        logger.exception("dashboard report %s could not be built", report.pk)
        DashboardReport.objects.filter(pk=report.pk).update(status=Status.FAILED)
        raise
    with transaction.atomic():
        report.file.save(f"{report.pk}.xlsx", ContentFile(content), save=False)
        now = timezone.now()
        report.status, report.progress = Status.READY, 100
        report.finished_at, report.expires_at = now, now + REPORT_KEPT
        report.save(update_fields=["file", "status", "progress", "finished_at", "expires_at"])
        notify(kind=READY, recipient=report.requested_by, key=str(report.pk), target=report)
    return "ready"


def report_for(*, pk: int, user) -> DashboardReport | None:
    """Her report, or None: another's report is not hers to see (the page answers 404)."""
    return DashboardReport.objects.filter(pk=pk, requested_by=user).first()


def report_download(*, report: DashboardReport, user) -> bytes:
    """The workbook's bytes, the download recorded in the audit trail; ``ReportError`` once expired."""
    if not report_downloadable(report=report):
        raise ReportError(_("This report's link has expired. Ask for the report again."))
    with report.file.open("rb") as stored:
        content = stored.read()
    record_access(report, label=EXPORTED, actor=user, what=gettext_noop("monthly report"), format="xlsx")
    return content


def report_filename(report: DashboardReport) -> str:
    return f"report-{report.first_day:%Y%m%d}-{report.last_day:%Y%m%d}.xlsx"


def reports_expire(*, now: datetime | None = None) -> int:
    """Delete the files of reports past their time and mark them expired; returns how many."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic(), audit_context(reason=gettext_noop("download link expired")):
        for report in DashboardReport.objects.select_for_update(skip_locked=True).filter(expired_q(now)):
            name = report.file.name
            report.status, report.file = Status.EXPIRED, ""
            report.save(update_fields=["status", "file"])
            if name:
                stored = DashboardReport._meta.get_field("file").storage
                transaction.on_commit(lambda name=name, stored=stored: stored.delete(name))
            count += 1
    return count


# --- the workbook ---------------------------------------------------------------------------------

# Characters Excel refuses in a sheet's name, and its longest name.
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
_SHEET_LONGEST = 31


def workbook_bytes(*, areas: list[Area], period: Period) -> bytes:
    """One sheet per area: its title and period, its numbers, then each series as rows."""
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    period_text = f"{period.first:%Y-%m-%d} – {period.last:%Y-%m-%d}"
    for area in areas:
        sheet = book.create_sheet(title=area.label.translate(_SHEET_FORBIDDEN)[:_SHEET_LONGEST])
        sheet.append([area.label])
        sheet["A1"].font = bold
        sheet.append([gettext("Period"), period_text])
        sheet.append([])
        sheet.append([gettext("Figure"), gettext("Value")])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for figure in area.figures:
            if figure.is_series:
                continue
            sheet.append([figure.label, figure.value])
            if figure.text.endswith("%"):
                sheet.cell(row=sheet.max_row, column=2).number_format = "0%"
        for figure in area.figures:
            if not figure.is_series:
                continue
            sheet.append([])
            sheet.append([figure.label])
            sheet.cell(row=sheet.max_row, column=1).font = bold
            for name, value in figure.points:
                sheet.append([str(name), value])
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = cell_text(cell.value)
                    cell.data_type = "s"  # text as written, never a formula
        sheet.column_dimensions["A"].width = 40
        sheet.column_dimensions["B"].width = 24
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the notice -------------------------------------------------------------------------------------

def _compose(notice: Notice) -> Message:
    report = DashboardReport.objects.get(pk=notice.target_id)
    url = reverse("dashboard:report", args=[report.pk])
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Your report for %(period)s is ready") % {"period": str(report)}
        body = gettext("The monthly report for %(period)s is ready. Download it by %(until)s on the staff site: "
                       "%(url)s") % {"period": str(report), "url": settings.SITE_URL + url,
                                     "until": timezone.localtime(report.expires_at).strftime("%Y-%m-%d %H:%M")}
    return Message(subject=subject, body=body, url=url)  # no SMS: a report is read at a desk


def _applies(notice: Notice) -> bool:
    report = DashboardReport.objects.filter(pk=notice.target_id).first()
    return report is not None and report_downloadable(report=report)


READY = notice_kind("dashboard.report_ready", label=_("Dashboard: monthly report ready"), compose=_compose,
                    applies=_applies, staff_only=True, permission="core.view_dashboard")
