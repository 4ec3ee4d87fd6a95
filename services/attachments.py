"""Inbox attachments: images and PDFs, through the file gate's ATTACHMENT use.

Images are re-encoded (EXIF and anything hidden in the file are dropped); PDFs must look like
PDFs from their first and last bytes. Files are kept in private storage and served only to the
ticket's member and to staff. Several files share one form field, so each refusal names the
file it is about.
"""

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from xiangcheng.core.files import ATTACHMENT, MB, FileRejected, file_check

MAX_BYTES = ATTACHMENT.max_bytes
MAX_FILES = 3


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


def _refusal(exc: FileRejected, name: str) -> str:
    if exc.code == "too_large":
        return (_("%(name)s is too large; each file may be at most %(limit)d MB.")
                % {"name": name, "limit": MAX_BYTES // MB})
    if exc.code == "incomplete_pdf":
        return _("%(name)s is not a complete PDF file.") % {"name": name}
    if exc.code == "too_many_pixels":
        return _("%(name)s: %(reason)s") % {"name": name, "reason": exc}
    return _("%(name)s is not an image (JPEG, PNG, WebP, GIF) or a PDF.") % {"name": name}


def attachment_check(upload) -> CheckedFile:
    try:
        checked = file_check(upload, use=ATTACHMENT)
    except FileRejected as exc:
        raise AttachmentRejected(_refusal(exc, upload.name)) from None
    return CheckedFile(checked.content, _display_name(upload, checked.extension), checked.content_type)


def attachments_check(uploads) -> list[CheckedFile]:
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_FILES:
        raise AttachmentRejected(_("Attach at most %(n)d files.") % {"n": MAX_FILES})
    return [attachment_check(u) for u in uploads]
