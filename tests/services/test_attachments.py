"""Attachments are recognised by their content, re-encoded or checked, and kept privately."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from services.attachments import MAX_BYTES
from services.models import Attachment, Ticket
from tests.helpers import zh
from tests.images import one_bit_png, phone_jpeg

from .helpers import OWNER_MARKER, jpeg_with_exif, minimal_pdf, png_bytes, upload


def _post(client, ticket_data, *files):
    return client.post(reverse("services:new"), {**ticket_data, "files": list(files)})


def _stored(attachment: Attachment) -> bytes:
    with attachment.file.open("rb") as f:
        return f.read()


def _files_under(folder) -> list:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_images_are_stored_re_encoded_as_jpeg_without_exif(member_client, ticket_data, file_dirs):
    camera = jpeg_with_exif()
    assert OWNER_MARKER.encode() in camera  # the fixture really carries the owner's name

    response = _post(member_client, ticket_data, upload("相机.jpg", camera, "image/jpeg"),
                     upload("截图.png", png_bytes(), "image/png"))

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    attachments = list(ticket.attachments.all())
    assert [(a.name, a.content_type) for a in attachments] == [("相机.jpg", "image/jpeg"), ("截图.jpg", "image/jpeg")]
    for attachment in attachments:
        data = _stored(attachment)
        assert attachment.size == len(data)
        with Image.open(io.BytesIO(data)) as img:
            assert img.format == "JPEG"
            assert dict(img.getexif()) == {}
        assert b"Exif" not in data
        assert OWNER_MARKER.encode() not in data
    with Image.open(io.BytesIO(_stored(attachments[1]))) as img:
        assert img.size == (40, 30)


def test_files_go_to_private_storage_not_media_root(member_client, ticket_data, file_dirs):
    response = _post(member_client, ticket_data, upload("a.png", png_bytes(), "image/png"),
                     upload("b.pdf", minimal_pdf(), "application/pdf"))

    assert response.status_code == 302
    stored = sorted(a.file.path for a in Attachment.objects.all())
    assert sorted(str(p) for p in _files_under(file_dirs["private"])) == stored
    assert len(stored) == 2
    assert _files_under(file_dirs["media"]) == []
    # Nothing in the file names says what she uploaded.
    assert [p.split("/")[-1].endswith((".png", ".pdf", ".jpg")) for p in stored] == [False, False]


def test_a_real_pdf_is_kept_byte_for_byte_and_served_as_a_download(member_client, ticket_data):
    pdf = minimal_pdf()
    response = _post(member_client, ticket_data, upload("营业执照.pdf", pdf, "application/pdf"))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type, attachment.size) == ("营业执照.pdf", "application/pdf", len(pdf))
    assert _stored(attachment) == pdf

    download = member_client.get(reverse("services:attachment", args=[attachment.ticket.reference, attachment.pk]))

    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment; ")
    assert b"".join(download.streaming_content) == pdf


def test_an_image_is_shown_inline_but_never_sniffed(member_client, ticket_data):
    _post(member_client, ticket_data, upload("a.png", png_bytes(), "image/png"))
    attachment = Attachment.objects.get()

    download = member_client.get(reverse("services:attachment", args=[attachment.ticket.reference, attachment.pk]))

    assert download["Content-Type"] == "image/jpeg"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("inline; ")


def _not_accepted(name: str) -> str:
    return zh("%(name)s is not an image (JPEG, PNG, WebP, GIF) or a PDF.", name=name)


@pytest.mark.parametrize(("name", "data", "error"), [
    ("说明.pdf", "这只是一段文字，不是 PDF。".encode(), lambda: _not_accepted("说明.pdf")),
    ("半截.pdf", minimal_pdf()[:-7], lambda: zh("%(name)s is not a complete PDF file.", name="半截.pdf")),
    ("page.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>", lambda: _not_accepted("page.jpg")),
    ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     lambda: _not_accepted("image.svg")),
    ("big.pdf", minimal_pdf() + b" " * MAX_BYTES, lambda: zh(
        "%(name)s is too large; each file may be at most %(limit)d MB.", name="big.pdf", limit=5)),
], ids=["text-named-pdf", "pdf-without-eof", "html-named-jpg", "svg", "over-5mb"])
def test_files_that_are_not_what_we_accept_are_refused_with_a_reason(
        member_client, ticket_data, file_dirs, name, data, error):
    response = _post(member_client, ticket_data, upload(name, data))

    assert response.status_code == 400
    assert response.context["form"].errors == {"files": [error()]}
    assert 'value="初创企业贷款咨询"' in response.content.decode()
    assert Ticket.objects.count() == 0
    assert _files_under(file_dirs["private"]) == []


def test_a_pixel_bomb_is_refused_with_its_own_reason(member_client, ticket_data, file_dirs):
    response = _post(member_client, ticket_data, upload("扫描件.png", one_bit_png(10_000, 10_000), "image/png"))

    assert response.status_code == 400
    reason = zh("The image has too many pixels to be processed safely.")
    assert response.context["form"].errors == {"files": [zh("%(name)s: %(reason)s", name="扫描件.png", reason=reason)]}
    assert Ticket.objects.count() == 0
    assert _files_under(file_dirs["private"]) == []


def test_a_48_megapixel_phone_photo_is_accepted_and_scaled(member_client, ticket_data):
    response = _post(member_client, ticket_data, upload("现场照片.jpg", phone_jpeg(), "image/jpeg"))

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    with Image.open(io.BytesIO(_stored(attachment))) as img:
        assert (img.format, img.size) == ("JPEG", (2048, 1536))


def test_exactly_5_mb_is_accepted(member_client, ticket_data):
    pdf = minimal_pdf()
    padded = pdf[:9] + b"%" + b" " * (MAX_BYTES - len(pdf) - 2) + b"\n" + pdf[9:]
    assert len(padded) == MAX_BYTES

    response = _post(member_client, ticket_data, upload("刚好.pdf", padded))

    assert response.status_code == 302
    assert Attachment.objects.get().size == MAX_BYTES


def test_four_files_are_refused_three_are_accepted(member_client, ticket_data):
    four = [upload(f"{i}.png", png_bytes(), "image/png") for i in range(4)]
    response = _post(member_client, ticket_data, *four)

    assert response.status_code == 400
    assert response.context["form"].errors == {"files": [zh("Attach at most %(n)d files.", n=3)]}
    assert Ticket.objects.count() == 0

    three = [upload(f"{i}.png", png_bytes(), "image/png") for i in range(3)]
    response = _post(member_client, ticket_data, *three)
    assert response.status_code == 302
    assert Attachment.objects.count() == 3


def test_she_can_add_a_file_to_her_reply(member_client, member, ticket_data):
    _post(member_client, ticket_data)
    ticket = Ticket.objects.get()

    response = member_client.post(reverse("services:reply", args=[ticket.reference]),
                                  {"body": "", "files": [upload("补充.pdf", minimal_pdf())]})

    assert response.status_code == 302
    assert [(a.name, a.uploaded_by) for a in ticket.attachments.all()] == [("补充.pdf", member)]
    assert list(ticket.messages.values_list("body", flat=True)) == ["—"]
