"""Inbox attachments: images and PDFs, recognised by their content, never by their name.

Images are re-encoded (EXIF and anything hidden in the file are dropped); PDFs must look like
PDFs from their first and last bytes. Files are kept in private storage and served only to the
ticket's member and to staff.
"""

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from members.avatars import ImageRejected, image_process

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 3
IMAGE_MAX_SIDE = 2048


class AttachmentRejected(Exception):
    """Not a file we accept; the message says why."""


@dataclass(frozen=True)
class CheckedFile:
    content: ContentFile
    name: str
    content_type: str


def _display_name(upload, extension: str) -> str:
    stem = (upload.name or "file").rsplit("/", 1)[-1].rsplit(".", 1)[0][:80]
    return f"{get_valid_filename(stem) or 'file'}.{extension}"


def attachment_check(upload) -> CheckedFile:
    if upload.size > MAX_BYTES:
        raise AttachmentRejected(
            _("%(name)s is too large; each file may be at most %(limit)d MB.")
            % {"name": upload.name, "limit": MAX_BYTES // 1024 // 1024})
    upload.seek(0)
    head = upload.read(5)
    if head == b"%PDF-":
        upload.seek(0)
        data = upload.read()
        if b"%%EOF" not in data[-1024:]:
            raise AttachmentRejected(_("%(name)s is not a complete PDF file.") % {"name": upload.name})
        return CheckedFile(ContentFile(data), _display_name(upload, "pdf"), "application/pdf")
    try:
        processed = image_process(upload, max_side=IMAGE_MAX_SIDE)
    except ImageRejected:
        raise AttachmentRejected(
            _("%(name)s is not an image (JPEG, PNG, WebP, GIF) or a PDF.") % {"name": upload.name}) from None
    return CheckedFile(processed.image, _display_name(upload, "jpg"), "image/jpeg")


def attachments_check(uploads) -> list[CheckedFile]:
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_FILES:
        raise AttachmentRejected(_("Attach at most %(n)d files.") % {"n": MAX_FILES})
    return [attachment_check(u) for u in uploads]
