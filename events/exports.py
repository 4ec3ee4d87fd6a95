"""Attendee lists for staff, as Excel (.xlsx) or CSV, childcare included."""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from xiangcheng.core.spreadsheets import row_text

from .models import Event, Registration


def _rows(event: Event):
    header = [_("Name"), _("Organisation"), _("Status"), _("Signed up at"), _("Children"),
              _("Children's ages"), _("Checked in at")]
    yield header
    registrations = (Registration.objects.filter(event=event).select_related("user__profile")
                     .order_by("status", "created_at", "pk"))
    for r in registrations:
        profile = getattr(r.user, "profile", None)
        yield [
            profile.real_name if profile else str(r.user),
            profile.organisation if profile else "",
            r.get_status_display(),
            timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
            r.children_count,
            ", ".join(str(a) for a in r.children_ages),
            timezone.localtime(r.checked_in_at).strftime("%Y-%m-%d %H:%M") if r.checked_in_at else "",
        ]


def attendees_csv(event: Event) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in _rows(event):
        writer.writerow(row_text(row))
    # A BOM so Excel on Windows opens the Chinese text as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def attendees_xlsx(event: Event) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Attendees")
    for row in _rows(event):
        sheet.append(row_text(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text as typed, never a formula (openpyxl makes "=…" one)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
