"""Uploaded photos: verified, re-encoded, stripped of metadata, thumbnailed; bad files refused."""

import io
import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext
from PIL import ExifTags, Image

from members.avatars import ImageRejected, image_process
from members.forms import ProfileForm
from members.models import MemberProfile
from tests.factories import MemberProfileFactory, UserFactory

from .test_approval import profile_form_data

NOT_READABLE = "The file is not an image we can read. SVG files are not accepted."
TOO_MANY_PIXELS = "The image has too many pixels to be processed safely."
WRONG_FORMAT = "Upload a JPEG, PNG, WebP or GIF image."


# --- building files in memory -----------------------------------------------------------------


def encode(img: Image.Image, fmt: str, **kwargs) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **kwargs)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A phone photo: camera make, GPS position and a comment naming the owner."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "X100"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (31.0, 26.0, 10.0),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (120.0, 38.0, 5.0),
    })
    return encode(Image.new("RGB", (120, 90), "teal"), "JPEG", exif=exif,
                  comment=b"owner: Lin Xiaowen 13812345678")


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def one_bit_png(width: int, height: int) -> bytes:
    """A valid black 1-bit PNG of the given size, written by hand: 10000x10000 is ~12 KB."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat)
            + png_chunk(b"IEND", b""))


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def opened(content) -> Image.Image:
    if hasattr(content, "read"):
        content.seek(0)
        content = content.read()
    return Image.open(io.BytesIO(content))


def stored_files(media_root) -> list[str]:
    if not media_root.exists():
        return []
    return sorted(p.relative_to(media_root).as_posix() for p in media_root.rglob("*") if p.is_file())


def assert_no_metadata(img: Image.Image) -> None:
    assert dict(img.getexif()) == {}
    assert "exif" not in img.info
    assert "comment" not in img.info
    assert "xmp" not in img.info
    assert "icc_profile" not in img.info


# --- image_process ----------------------------------------------------------------------------


def test_the_source_really_carries_gps_data():
    # Guards the test below: the file we feed in does have what must be removed.
    source = opened(jpeg_with_gps())
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert source.info["comment"] == b"owner: Lin Xiaowen 13812345678"


def test_exif_gps_and_comments_are_stripped():
    result = image_process(upload(jpeg_with_gps()))
    for content in (result.image, result.thumbnail):
        img = opened(content)
        assert img.format == "JPEG"
        assert_no_metadata(img)


def test_stripped_bytes_do_not_contain_the_owner_or_the_camera():
    result = image_process(upload(jpeg_with_gps()))
    for content in (result.image, result.thumbnail):
        content.seek(0)
        data = content.read()
        assert b"13812345678" not in data
        assert b"PhoneMaker" not in data
        assert b"Exif\x00\x00" not in data


def test_a_jpeg_from_a_phone_camera_in_mpo_form_is_accepted():
    # Many phones write MPO (a JPEG with a second, embedded picture); Pillow calls it "MPO".
    data = encode(Image.new("RGB", (300, 200), "navy"), "MPO", save_all=True,
                  append_images=[Image.new("RGB", (60, 40), "white")])
    assert opened(data).format == "MPO"
    result = image_process(upload(data))
    img = opened(result.image)
    assert (img.format, img.size) == ("JPEG", (300, 200))


def test_a_file_over_the_size_limit_is_refused_with_the_size_message():
    too_big = upload(b"\xff\xd8" + b"\x00" * (6 * 1024 * 1024))
    with pytest.raises(ImageRejected) as exc:
        image_process(too_big)
    assert str(exc.value) == gettext(
        "The image is too large (%(size).1f MB); the limit is %(limit)d MB."
    ) % {"size": 6.0, "limit": 5}


def test_a_file_exactly_at_the_limit_is_not_refused_for_size(settings):
    data = jpeg_with_gps()
    settings.AVATAR_MAX_BYTES = len(data)
    assert opened(image_process(upload(data)).image).format == "JPEG"


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("notes.txt", "这不是图片，只是一段文字。\n".encode(), "text/plain"),
    ("logo.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                 b'<script>alert(1)</script><rect width="10" height="10"/></svg>', "image/svg+xml"),
    ("photo.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/jpeg"),
    ("empty.png", b"", "image/png"),
])
def test_text_and_svg_are_refused(name, data, content_type):
    with pytest.raises(ImageRejected) as exc:
        image_process(upload(data, name, content_type))
    assert str(exc.value) == gettext(NOT_READABLE)


def test_a_truncated_jpeg_is_refused():
    data = encode(Image.effect_noise((400, 300), 64).convert("RGB"), "JPEG")
    with pytest.raises(ImageRejected) as exc:
        image_process(upload(data[: len(data) // 2]))
    assert str(exc.value) == gettext(NOT_READABLE)


def test_an_image_format_we_do_not_take_is_refused():
    with pytest.raises(ImageRejected) as exc:
        image_process(upload(encode(Image.new("RGB", (20, 20)), "TIFF"), "scan.tif", "image/tiff"))
    assert str(exc.value) == gettext(WRONG_FORMAT)


@pytest.mark.parametrize(("width", "height"), [
    (8_000, 8_000),     # 64 Mpx: over AVATAR_MAX_PIXELS, under Pillow's own limit
    (10_000, 10_000),   # 100 Mpx: Pillow warns (the warning is a refusal)
    (20_000, 20_000),   # 400 Mpx: Pillow raises DecompressionBombError
])
def test_a_decompression_bomb_is_refused_with_the_pixel_message(width, height):
    data = one_bit_png(width, height)
    assert len(data) < 100_000
    assert struct.unpack(">II", data[16:24]) == (width, height)
    with pytest.raises(ImageRejected) as exc:
        image_process(upload(data, "bomb.png", "image/png"))
    assert str(exc.value) == gettext(TOO_MANY_PIXELS)


def test_the_pixel_limit_comes_from_settings(settings):
    settings.AVATAR_MAX_PIXELS = 100 * 100
    ok = image_process(upload(encode(Image.new("RGB", (100, 100)), "PNG"), "a.png", "image/png"))
    assert opened(ok.image).size == (100, 100)
    with pytest.raises(ImageRejected) as exc:
        image_process(upload(encode(Image.new("RGB", (101, 100)), "PNG"), "b.png", "image/png"))
    assert str(exc.value) == gettext(TOO_MANY_PIXELS)


def test_png_with_alpha_becomes_a_jpeg_on_white():
    img = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    img.paste((200, 0, 0, 255), (0, 0, 50, 100))
    result = image_process(upload(encode(img, "PNG"), "logo.png", "image/png"))
    out = opened(result.image)
    assert (out.format, out.mode, out.size) == ("JPEG", "RGB", (100, 100))
    red, white = out.getpixel((10, 50)), out.getpixel((90, 50))
    assert red[0] > 180 and red[1] < 40 and red[2] < 40
    assert min(white) > 240


@pytest.mark.parametrize(("fmt", "mode"), [("GIF", "P"), ("WEBP", "RGB"), ("JPEG", "L"), ("JPEG", "CMYK")])
def test_other_accepted_formats_and_modes_become_rgb_jpeg(fmt, mode):
    result = image_process(upload(encode(Image.new(mode, (40, 30)), fmt), f"a.{fmt.lower()}"))
    out = opened(result.image)
    assert (out.format, out.mode, out.size) == ("JPEG", "RGB", (40, 30))


def test_large_photos_are_scaled_and_the_thumbnail_is_at_most_200px():
    result = image_process(upload(encode(Image.new("RGB", (1600, 900), "olive"), "JPEG")))
    assert opened(result.image).size == (1024, 576)
    assert opened(result.thumbnail).size == (200, 113)
    tall = image_process(upload(encode(Image.new("RGB", (300, 900), "olive"), "JPEG")))
    assert max(opened(tall.thumbnail).size) == 200
    assert opened(tall.thumbnail).size == (67, 200)


# --- through the profile form and page --------------------------------------------------------


def test_profile_form_reports_a_bad_file_on_the_photo_field():
    template = MemberProfileFactory.build()
    form = ProfileForm(profile_form_data(template),
                       {"avatar_upload": upload(b"plain text", "me.txt", "text/plain")})
    assert form.is_valid() is False
    assert form.errors == {"avatar_upload": [gettext(NOT_READABLE)]}


@pytest.mark.django_db
def test_bad_upload_rerenders_the_page_with_the_error_at_the_field_and_keeps_the_input(client, media_root):
    user = UserFactory()
    client.force_login(user)
    template = MemberProfileFactory.build(real_name="林晓雯", organisation="苏州实验室", expertise=["新材料", "薄膜"])
    data = profile_form_data(template, avatar_upload=upload(b"GIF89a-not-really", "me.gif", "image/gif"))
    response = client.post(reverse("members:profile"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"avatar_upload": [gettext(NOT_READABLE)]}
    html = response.content.decode()
    message = gettext(NOT_READABLE)
    assert html.count(message) == 1
    # The message is rendered in the photo field's block (between the field before it and the
    # photo input), and the photo input is marked invalid.
    assert html.rindex('name="visible_fields"') < html.index(message) < html.index('name="avatar_upload"')
    photo_input = re.search(r'<input[^>]*name="avatar_upload"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in photo_input
    # What she typed is still there.
    assert 'value="林晓雯"' in html
    assert 'value="苏州实验室"' in html
    assert 'value="新材料、薄膜"' in html
    assert MemberProfile.objects.filter(user=user).exists() is False
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_good_upload_is_stored_under_a_generated_name_without_metadata(client, media_root):
    user = UserFactory()
    client.force_login(user)
    template = MemberProfileFactory.build()
    original_name = "林晓雯-工作证-13812345678.jpg"
    data = profile_form_data(template, avatar_upload=upload(jpeg_with_gps(), original_name))
    response = client.post(reverse("members:profile"), data)
    assert response.status_code == 302

    profile = MemberProfile.objects.get(user=user)
    assert re.fullmatch(r"avatars/[0-9a-f]{32}\.jpg", profile.avatar.name)
    assert re.fullmatch(r"avatars/thumbs/[0-9a-f]{32}\.jpg", profile.avatar_thumb.name)
    stored = stored_files(media_root)
    assert stored == sorted([profile.avatar.name, profile.avatar_thumb.name])
    for path in stored:
        assert "13812345678" not in path and "林晓雯" not in path
        img = Image.open(media_root / path)
        assert_no_metadata(img)
    assert Image.open(media_root / profile.avatar.name).size == (120, 90)
    assert max(Image.open(media_root / profile.avatar_thumb.name).size) <= 200


@pytest.mark.django_db
def test_replacing_the_photo_removes_the_old_files(client, media_root, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    template = MemberProfileFactory.build()
    first = encode(Image.new("RGB", (50, 50), "red"), "JPEG")
    second = encode(Image.new("RGB", (60, 60), "blue"), "JPEG")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:profile"), profile_form_data(template, avatar_upload=upload(first)))
    old = MemberProfile.objects.get(user=user)
    old_names = [old.avatar.name, old.avatar_thumb.name]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:profile"),
                               profile_form_data(old, avatar_upload=upload(second)))
    assert response.status_code == 302
    new = MemberProfile.objects.get(user=user)
    assert new.avatar.name not in old_names
    stored = stored_files(media_root)
    assert stored == sorted([new.avatar.name, new.avatar_thumb.name])
    assert Image.open(media_root / new.avatar.name).size == (60, 60)

    # Saving again without a new photo keeps the current one.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:profile"), profile_form_data(new, job_title="研究员"))
    kept = MemberProfile.objects.get(user=user)
    assert (kept.avatar.name, kept.job_title) == (new.avatar.name, "研究员")
    assert (media_root / kept.avatar.name).is_file()

