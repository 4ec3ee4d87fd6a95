"""The file gate: images verified, decoded economically, re-encoded, stripped, scaled; limits per
use; PDFs only where a use takes them; bad files and pixel bombs refused with a reason."""

import dataclasses
import json
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.utils.translation import gettext
from PIL import ExifTags, Image

from tests.images import (
    assert_no_metadata,
    encode,
    flat_png,
    jpeg_with_gps,
    one_bit_png,
    opened,
    phone_jpeg,
    upload,
)
from tests.services.helpers import minimal_pdf
from xiangcheng.core.files import ATTACHMENT, AVATAR, POSTER, FileRejected, file_check, image_process

NOT_READABLE = "The file is not an image we can read. SVG files are not accepted."
TOO_MANY_PIXELS = "The image has too many pixels to be processed safely."
OVER_THE_USE_LIMIT = ("The image is %(width)d × %(height)d pixels; here the limit is %(limit)s megapixels. "
                      "Please upload a smaller image.")
WRONG_FORMAT = "Upload a JPEG, PNG, WebP or GIF image."
ROOT = Path(__file__).resolve().parents[2]


def over_the_limit(width: int, height: int, limit: str) -> str:
    return gettext(OVER_THE_USE_LIMIT) % {"width": width, "height": height, "limit": limit}


# --- the uses ---------------------------------------------------------------------------------


def test_each_use_has_its_own_limits():
    assert (AVATAR.max_bytes, AVATAR.max_pixels, AVATAR.max_side, AVATAR.thumb_side, AVATAR.accepts_pdf) == (
        5 * 1024 * 1024, 12_000_000, 1024, 200, False)
    assert (POSTER.max_bytes, POSTER.max_pixels, POSTER.max_side, POSTER.thumb_side, POSTER.accepts_pdf) == (
        5 * 1024 * 1024, 40_000_000, 1024, 200, False)
    assert (ATTACHMENT.max_bytes, ATTACHMENT.max_pixels, ATTACHMENT.max_side, ATTACHMENT.thumb_side,
            ATTACHMENT.accepts_pdf) == (5 * 1024 * 1024, 40_000_000, 2048, None, True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        AVATAR.max_pixels = 10**9


# --- metadata ---------------------------------------------------------------------------------


def test_the_source_really_carries_gps_data():
    # Guards the tests below: the file we feed in does have what must be removed.
    source = opened(jpeg_with_gps())
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert source.info["comment"] == b"owner: Lin Xiaowen 13812345678"


@pytest.mark.parametrize("use", [AVATAR, POSTER, ATTACHMENT], ids=["avatar", "poster", "attachment"])
def test_exif_gps_and_comments_are_stripped(use):
    result = image_process(upload(jpeg_with_gps()), use=use)
    for content in filter(None, (result.image, result.thumbnail)):
        img = opened(content)
        assert img.format == "JPEG"
        assert_no_metadata(img)


def test_stripped_bytes_do_not_contain_the_owner_or_the_camera():
    result = image_process(upload(jpeg_with_gps()), use=AVATAR)
    for content in (result.image, result.thumbnail):
        content.seek(0)
        data = content.read()
        assert b"13812345678" not in data
        assert b"PhoneMaker" not in data
        assert b"Exif\x00\x00" not in data


@pytest.mark.parametrize(("size", "stored"), [((120, 90), (90, 120)), ((4000, 3000), (768, 1024))],
                         ids=["small", "decoded-at-reduced-scale"])
def test_a_photo_taken_sideways_is_stored_upright(size, stored):
    # The camera wrote the pixels landscape and the tag "rotate 90° clockwise to view".
    img = Image.new("RGB", size, "white")
    img.paste((200, 0, 0), (0, 0, size[0] // 4, size[1]))  # the left quarter is red
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    result = image_process(upload(encode(img, "JPEG", exif=exif)), use=AVATAR)
    out = opened(result.image)
    assert out.size == stored
    assert dict(out.getexif()) == {}
    # Turned clockwise, the red left edge is now at the top.
    top, bottom = out.getpixel((stored[0] // 2, 2)), out.getpixel((stored[0] // 2, stored[1] - 3))
    assert top[0] > 150 and top[1] < 60
    assert min(bottom) > 230


# --- what is accepted -------------------------------------------------------------------------


def test_a_jpeg_from_a_phone_camera_in_mpo_form_is_accepted():
    # Many phones write MPO (a JPEG with a second, embedded picture); Pillow calls it "MPO".
    data = encode(Image.new("RGB", (300, 200), "navy"), "MPO", save_all=True,
                  append_images=[Image.new("RGB", (60, 40), "white")])
    assert opened(data).format == "MPO"
    img = opened(image_process(upload(data), use=AVATAR).image)
    assert (img.format, img.size) == ("JPEG", (300, 200))


def test_png_with_alpha_becomes_a_jpeg_on_white():
    img = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    img.paste((200, 0, 0, 255), (0, 0, 50, 100))
    result = image_process(upload(encode(img, "PNG"), "logo.png", "image/png"), use=AVATAR)
    out = opened(result.image)
    assert (out.format, out.mode, out.size) == ("JPEG", "RGB", (100, 100))
    red, white = out.getpixel((10, 50)), out.getpixel((90, 50))
    assert red[0] > 180 and red[1] < 40 and red[2] < 40
    assert min(white) > 240


def transparent_gif() -> bytes:
    img = Image.new("P", (60, 40), 0)
    img.putpalette([0, 0, 0, 200, 0, 0] + [0] * 762)
    img.paste(1, (0, 0, 30, 40))
    return encode(img, "GIF", transparency=0)


@pytest.mark.parametrize(("fmt", "mode"), [("GIF", "P"), ("WEBP", "RGB"), ("JPEG", "L"), ("JPEG", "CMYK"),
                                           ("PNG", "1"), ("PNG", "LA"), ("PNG", "I;16"), ("PNG", "P")])
def test_other_accepted_formats_and_modes_become_rgb_jpeg(fmt, mode):
    result = image_process(upload(encode(Image.new(mode, (40, 30)), fmt), f"a.{fmt.lower()}"), use=AVATAR)
    out = opened(result.image)
    assert (out.format, out.mode, out.size) == ("JPEG", "RGB", (40, 30))


def test_a_transparent_gif_is_flattened_onto_white():
    out = opened(image_process(upload(transparent_gif(), "a.gif", "image/gif"), use=AVATAR).image)
    red, white = out.getpixel((10, 20)), out.getpixel((50, 20))
    assert red[0] > 170 and red[1] < 50
    assert min(white) > 240


def test_large_photos_are_scaled_and_the_thumbnail_is_at_most_200px():
    result = image_process(upload(encode(Image.new("RGB", (1600, 900), "olive"), "JPEG")), use=AVATAR)
    assert opened(result.image).size == (1024, 576)
    assert opened(result.thumbnail).size == (200, 113)
    tall = image_process(upload(encode(Image.new("RGB", (300, 900), "olive"), "JPEG")), use=AVATAR)
    assert opened(tall.thumbnail).size == (67, 200)


def test_attachments_keep_more_pixels_and_have_no_thumbnail():
    result = image_process(upload(encode(Image.new("RGB", (3000, 1500), "olive"), "JPEG")), use=ATTACHMENT)
    assert opened(result.image).size == (2048, 1024)
    assert result.thumbnail is None


def test_a_big_picture_reduced_strip_by_strip_matches_a_plain_resize():
    # A PNG (decoded whole) much larger than the stored side goes through the strip-by-strip
    # reduction: no seams, no shift, the same picture a plain resize gives.
    gradient = Image.linear_gradient("L").resize((3000, 2600))
    source = Image.merge("RGBA", (gradient, gradient.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
                                  Image.linear_gradient("L").rotate(90).resize((3000, 2600)),
                                  Image.new("L", (3000, 2600), 255)))
    result = opened(image_process(upload(encode(source, "PNG"), "big.png", "image/png"), use=POSTER).image)
    expected = source.convert("RGB").resize(result.size, Image.Resampling.BICUBIC)
    assert result.size == (1024, 887)
    worst = max(abs(a - b) for y in range(0, 887, 7) for x in range(0, 1024, 7)
                for a, b in zip(result.getpixel((x, y)), expected.getpixel((x, y)), strict=True))
    assert worst <= 12  # JPEG at quality 85 and a box-then-bicubic reduction; a seam would be ~255


def test_a_48_megapixel_phone_photo_is_accepted_for_every_use():
    data = phone_jpeg()
    assert opened(data).size == (8000, 6000)
    assert len(data) < AVATAR.max_bytes
    assert opened(image_process(upload(data), use=AVATAR).image).size == (1024, 768)
    assert opened(image_process(upload(data), use=POSTER).image).size == (1024, 768)
    assert opened(image_process(upload(data), use=ATTACHMENT).image).size == (2048, 1536)


# --- what is refused --------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_with_the_size_message():
    too_big = upload(b"\xff\xd8" + b"\x00" * (6 * 1024 * 1024))
    with pytest.raises(FileRejected) as exc:
        image_process(too_big, use=AVATAR)
    assert str(exc.value) == gettext(
        "The image is too large (%(size).1f MB); the limit is %(limit)d MB."
    ) % {"size": 6.0, "limit": 5}
    assert exc.value.code == "too_large"


def test_a_file_exactly_at_the_limit_is_not_refused_for_size():
    data = jpeg_with_gps()
    use = dataclasses.replace(AVATAR, max_bytes=len(data))
    assert opened(image_process(upload(data), use=use).image).format == "JPEG"
    with pytest.raises(FileRejected):
        image_process(upload(data), use=dataclasses.replace(AVATAR, max_bytes=len(data) - 1))


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("notes.txt", "这不是图片，只是一段文字。\n".encode(), "text/plain"),
    ("logo.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                 b'<script>alert(1)</script><rect width="10" height="10"/></svg>', "image/svg+xml"),
    ("photo.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/jpeg"),
    ("empty.png", b"", "image/png"),
])
def test_text_and_svg_are_refused(name, data, content_type):
    with pytest.raises(FileRejected) as exc:
        image_process(upload(data, name, content_type), use=AVATAR)
    assert str(exc.value) == gettext(NOT_READABLE)
    assert exc.value.code == "unreadable"


def test_a_truncated_jpeg_is_refused():
    data = encode(Image.effect_noise((400, 300), 64).convert("RGB"), "JPEG")
    with pytest.raises(FileRejected) as exc:
        image_process(upload(data[: len(data) // 2]), use=AVATAR)
    assert str(exc.value) == gettext(NOT_READABLE)


def test_an_image_format_we_do_not_take_is_refused():
    with pytest.raises(FileRejected) as exc:
        image_process(upload(encode(Image.new("RGB", (20, 20)), "TIFF"), "scan.tif", "image/tiff"), use=AVATAR)
    assert str(exc.value) == gettext(WRONG_FORMAT)


@pytest.mark.parametrize(("width", "height"), [
    (10_000, 10_000),   # 100 Mpx: Pillow warns (the warning is a refusal)
    (20_000, 20_000),   # 400 Mpx: Pillow raises DecompressionBombError
])
@pytest.mark.parametrize("use", [AVATAR, POSTER, ATTACHMENT], ids=["avatar", "poster", "attachment"])
def test_a_decompression_bomb_is_refused_for_every_use(width, height, use):
    data = one_bit_png(width, height)
    assert len(data) < 100_000
    assert struct.unpack(">II", data[16:24]) == (width, height)
    with pytest.raises(FileRejected) as exc:
        image_process(upload(data, "bomb.png", "image/png"), use=use)
    assert str(exc.value) == gettext(TOO_MANY_PIXELS)


def test_the_6300_png_is_refused_for_avatars_with_its_size_and_the_limit():
    data = flat_png(6300, 6300, colour_type=6, depth=8)  # RGBA, ~150 KB
    assert len(data) < 170_000
    with pytest.raises(FileRejected) as exc:
        image_process(upload(data, "big.png", "image/png"), use=AVATAR)
    assert str(exc.value) == over_the_limit(6300, 6300, "12")
    assert exc.value.code == "too_many_pixels"
    # Posters and attachments take it, scaled down.
    assert opened(image_process(upload(data, "big.png", "image/png"), use=POSTER).image).size == (1024, 1024)


def test_the_pixel_limit_is_the_uses_and_counts_a_jpegs_reduced_decoding():
    small = dataclasses.replace(AVATAR, max_pixels=100 * 100, max_side=100)
    ok = image_process(upload(encode(Image.new("RGB", (100, 100)), "PNG"), "a.png", "image/png"), use=small)
    assert opened(ok.image).size == (100, 100)
    with pytest.raises(FileRejected) as exc:
        image_process(upload(encode(Image.new("RGB", (101, 100)), "PNG"), "b.png", "image/png"), use=small)
    assert str(exc.value) == over_the_limit(101, 100, "0.01")
    # A JPEG is decoded at 1/2, 1/4 or 1/8 of its side while that still covers the stored
    # side: 800 × 800 decodes as 100 × 100 and passes; 404 × 400 decodes as 101 × 100.
    assert opened(image_process(upload(encode(Image.new("RGB", (800, 800)), "JPEG")), use=small).image).size == (
        100, 100)
    with pytest.raises(FileRejected) as exc:
        image_process(upload(encode(Image.new("RGB", (404, 400)), "JPEG")), use=small)
    assert str(exc.value) == over_the_limit(404, 400, "0.01")


# --- PDFs -------------------------------------------------------------------------------------


def test_a_pdf_is_kept_as_it_is_where_the_use_takes_pdfs():
    pdf = minimal_pdf()
    checked = file_check(upload(pdf, "a.pdf", "application/pdf"), use=ATTACHMENT)
    assert (checked.content_type, checked.extension, checked.thumbnail) == ("application/pdf", "pdf", None)
    assert checked.content.read() == pdf


def test_a_pdf_is_refused_where_the_use_takes_images_only():
    with pytest.raises(FileRejected) as exc:
        file_check(upload(minimal_pdf(), "a.pdf", "application/pdf"), use=AVATAR)
    assert str(exc.value) == gettext(NOT_READABLE)


def test_a_pdf_cut_short_is_refused():
    with pytest.raises(FileRejected) as exc:
        file_check(upload(minimal_pdf()[:-7], "a.pdf", "application/pdf"), use=ATTACHMENT)
    assert (str(exc.value), exc.value.code) == (gettext("The file is not a complete PDF file."), "incomplete_pdf")


def test_a_file_too_large_for_a_use_that_takes_pdfs_is_called_a_file():
    with pytest.raises(FileRejected) as exc:
        file_check(upload(b"%PDF-" + b" " * (5 * 1024 * 1024)), use=ATTACHMENT)
    assert str(exc.value) == gettext(
        "The file is too large (%(size).1f MB); the limit is %(limit)d MB.") % {"size": 5.0, "limit": 5}


def test_an_image_through_file_check_is_re_encoded():
    checked = file_check(upload(jpeg_with_gps()), use=ATTACHMENT)
    assert (checked.content_type, checked.extension) == ("image/jpeg", "jpg")
    assert_no_metadata(opened(checked.content))


# --- memory -----------------------------------------------------------------------------------

# Processes one file in a fresh interpreter and reports how much its peak resident memory grew
# (ru_maxrss, in KiB on Linux) from just before the call to just after it.
MEASURE = textwrap.dedent("""
    import json, resource, sys
    from django.conf import settings
    settings.configure(USE_I18N=False)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from xiangcheng.core import files
    use = getattr(files, sys.argv[1])
    upload = SimpleUploadedFile("upload", open(sys.argv[2], "rb").read())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        processed = files.image_process(upload, use=use)
        outcome = list(files.Image.open(processed.image).size)
    except files.FileRejected as exc:
        outcome = exc.code
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(json.dumps({"outcome": outcome, "grown_mb": grown / 1024}))
""")


@pytest.fixture(scope="module")
def big_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    files = {
        "rgba-6300.png": flat_png(6300, 6300, colour_type=6, depth=8),
        "bw-6300.png": one_bit_png(6300, 6300),
        "phone-48mp.jpg": phone_jpeg(),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def peak_growth(use: str, path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run([sys.executable, "-c", MEASURE, use, str(path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


# Bounds: the decoded picture is the one large allocation (Pillow holds RGB and RGBA at 4 bytes
# a pixel, 1-bit at 1); on top come the reduced picture (under twice the stored side), its
# scaled copy, one strip of ~1 MP and the JPEG encoder — tens of MB. The code this replaced
# needed 3-4 times the decoded size (490 MB for the 6300 × 6300 PNG, 640 MB in RGBA) and
# refused 48 MP phone photos outright.
@pytest.mark.parametrize(("use", "name", "outcome", "bound_mb"), [
    # Refused from its header: nothing is decoded.
    ("AVATAR", "rgba-6300.png", "too_many_pixels", 5),
    # Decoded at 1/4 scale: 2000 × 1500 × 4 B = 12 MB.
    ("AVATAR", "phone-48mp.jpg", [1024, 768], 40),
    # Decoded at 1/2 scale: 4000 × 3000 × 4 B = 48 MB, and a 2048 px copy of 12.6 MB.
    ("ATTACHMENT", "phone-48mp.jpg", [2048, 1536], 100),
    # Decoded whole: 6300² × 4 B = 159 MB; reduced to 2100 px (18 MB), scaled to 2048 px (17 MB).
    ("ATTACHMENT", "rgba-6300.png", [2048, 2048], 240),
    # One byte a pixel: 40 MB; reduced to 1050 px.
    ("POSTER", "bw-6300.png", [1024, 1024], 80),
])
def test_peak_memory_stays_near_the_decoded_size(big_files, use, name, outcome, bound_mb):
    measured = peak_growth(use, big_files / name)
    assert measured["outcome"] == outcome
    assert measured["grown_mb"] < bound_mb, measured
