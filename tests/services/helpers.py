"""Inbox tickets, their email texts, test files, and the values of a rendered form.

The site-wide ones (zh, label, messages_of, squash, …) are in tests/helpers.py.
"""

import io
from datetime import timedelta
from html.parser import HTMLParser

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from services import inbox
from services.models import Category, Contact, Ticket
from tests.helpers import email_subject, zh


def mail_subject(msgid: str, ticket: Ticket) -> str:
    """A ticket email's subject: the site prefix and the translated line naming its reference."""
    return email_subject(msgid, ref=ticket.reference)


def member_mail_body(ticket: Ticket, middle: str) -> str:
    """A ticket email to its member around ``middle``, as services/notices/body.txt writes it."""
    signature = zh("Xiangcheng District Women's Federation · 巾帼管家")
    return (f"{zh('Hello,')}\n\n{middle}\n\n{ticket.subject}\n"
            f"{settings.SITE_URL}/inbox/{ticket.reference}/\n\n{signature}\n\n")


def local_date(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d")


def reference(number: int, year: int | None = None) -> str:
    return f"JG-{year or timezone.localdate().year}-{number:06d}"


def due_in(ticket: Ticket, delta: timedelta, **fields) -> Ticket:
    """The ticket, its due date moved to now + ``delta`` (negative: late) and ``fields`` set,
    written directly (no rules, no history)."""
    Ticket.objects.filter(pk=ticket.pk).update(due_at=timezone.now() + delta, **fields)
    ticket.refresh_from_db()
    return ticket


def submit(member, *, subject: str = "贷款咨询", category: str = Category.FINANCE, files=()) -> Ticket:
    return inbox.ticket_submit(member=member, category=category, subject=subject, description="请介绍政策。",
                               preferred_contact=Contact.SITE, files=files)


# --- files ------------------------------------------------------------------------------------

def png_bytes(size=(40, 30), colour=(200, 30, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


OWNER_MARKER = "Lin Xiaowen, Xiangcheng"


def jpeg_with_exif() -> bytes:
    """A camera JPEG whose EXIF names its owner and the camera."""
    img = Image.new("RGB", (64, 48), (20, 120, 200))
    exif = Image.Exif()
    exif[0x013B] = OWNER_MARKER  # Artist
    exif[0x0110] = "Phone X1"  # Model
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def minimal_pdf() -> bytes:
    """A complete one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- forms ------------------------------------------------------------------------------------

class _FormReader(HTMLParser):
    """The values a browser would submit from the first form with a given id (or the first
    form with method=post): inputs, checked boxes, selected options, textareas."""

    def __init__(self, form_id: str | None):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.done = False
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done:
            wanted = a.get("id") == self.form_id if self.form_id else a.get("method", "").lower() == "post"
            self.inside = wanted
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.data.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
            self.done = True
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


def form_values(page: str, form_id: str | None = None) -> dict[str, list[str]]:
    reader = _FormReader(form_id)
    reader.feed(page)
    values: dict[str, list[str]] = {}
    for name, value in reader.data:
        values.setdefault(name, []).append(value)
    return values
