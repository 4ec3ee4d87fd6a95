"""The applicants of calls, as Excel (.xlsx) for staff: one row per application with her name, the
status, an excerpt of her statement and the names of her attached files. Never her contact details.

Each export is recorded in the audit trail (``record_access``) on every call it covers.
"""

import io

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook

from members.profiles import person_name
from xiangcheng.core.audit import EXPORTED, record_access
from xiangcheng.core.spreadsheets import row_text

from .models import Call

EXCERPT = 200


def excerpt(text: str) -> str:
    """The statement's first EXCERPT characters, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT] + "…"


def _rows(applications: QuerySet):
    yield [_("Call"), _("Applicant"), _("Status"), _("Submitted at"), _("Reason"), _("Statement (excerpt)"),
           _("Attachments")]
    for application in (applications.select_related("call", "member__profile").prefetch_related("attachments")
                        .order_by("call__closes_on", "call_id", "status", "submitted_at", "pk")):
        yield [
            application.call.title,
            person_name(application.member),
            application.get_status_display(),
            timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M") if application.submitted_at else "",
            application.reason,
            excerpt(application.statement),
            "、".join(attachment.name for attachment in application.attachments.all()),
        ]


def applicants_xlsx(*, applications: QuerySet, actor) -> bytes:
    """The workbook of these applications; the export is recorded against each call it covers."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Applicants")
    for row in _rows(applications):
        sheet.append(row_text(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text as typed, never a formula (statements are members' words)
    out = io.BytesIO()
    book.save(out)
    for call in Call.objects.filter(pk__in=applications.values("call_id")).order_by("pk"):
        record_access(call, label=EXPORTED, actor=actor, what=gettext_noop("applicants"), format="xlsx")
    return out.getvalue()


def applicants_filename() -> str:
    return f"call-applicants-{timezone.localtime():%Y%m%d}.xlsx"

