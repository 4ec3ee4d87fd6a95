"""The file gate: every upload of every app passes here before anything is stored.

Each kind of upload is a *use* with its own limits (a frozen ``FileUse``): how many bytes,
how many pixels may be decoded, the longest side of the stored image, the thumbnail's side,
whether a PDF is accepted. Images are recognised by their content, never by their name or
declared type; they are verified, decoded economically, re-encoded as JPEG (so EXIF, GPS,
comments and anything hidden in the file are dropped) and scaled. A PDF must look like a PDF
at both ends and is kept byte for byte. What the member uploaded never reaches storage as it
came, except a checked PDF.

Memory. Decoding is where a small file becomes large: a 170 KB PNG of 6300 × 6300 pixels is
40 million pixels, up to 160 MB once decoded. So, before any pixel is decoded, the header's
size is checked against the use's ``max_pixels`` (avatars far lower than posters and
attachments). A JPEG is decoded at 1/2, 1/4 or 1/8 scale when that still covers the stored
side (Pillow's ``draft``), so a 48-megapixel phone photo is decoded as 3 megapixels; it is this
reduced size that counts against ``max_pixels``. Other formats are decoded whole, then
converted and box-reduced a strip at a time into the small picture, so the decoded picture is
the one large allocation (conversions to RGBA and onto white at full size used to triple it).
Pillow's own decompression-bomb limit stays as the ceiling for every source, and its warning
counts as a refusal.

Adding a use (an organisation's logo, a CV, a call's attachment) is one more entry below, e.g.::

    LOGO = FileUse(max_bytes=2 * MB, max_pixels=8_000_000, max_side=512, thumb_side=128)
    ATTACHMENT = FileUse(max_bytes=5 * MB, max_pixels=40_000_000, max_side=2048, accepts_pdf=True)

and its form calls ``image_process(upload, use=LOGO)`` (images only) or
``file_check(upload, use=ATTACHMENT)`` (images or PDFs; a ``pdf_only`` use such as ``CV`` takes a
PDF and nothing else), turning ``FileRejected`` into a form error.
Files that only their owner and staff may read go to the private storage
(``xiangcheng.core.storage``) and are served by a view that checks who asks.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

MB = 1024 * 1024


@dataclass(frozen=True)
class FileUse:
    """What one kind of upload may be, and how it is stored."""

    max_bytes: int
    # Pixels that may be decoded: the header's size, or a JPEG's reduced decoding size.
    max_pixels: int
    # Longest side of the stored image; a larger one is scaled down.
    max_side: int
    # Side of the square the thumbnail fits in; None: no thumbnail.
    thumb_side: int | None = None
    accepts_pdf: bool = False
    # A PDF and nothing else (a CV): an image is refused, not re-encoded.
    pdf_only: bool = False


# A photo of her face needs few pixels; 12 MP still takes any phone's normal photo, and a
# JPEG from a 48 MP camera is decoded at a quarter of its side.
AVATAR = FileUse(max_bytes=5 * MB, max_pixels=12_000_000, max_side=1024, thumb_side=200)
POSTER = FileUse(max_bytes=5 * MB, max_pixels=40_000_000, max_side=1024, thumb_side=200)
ATTACHMENT = FileUse(max_bytes=5 * MB, max_pixels=40_000_000, max_side=2048, accepts_pdf=True)
# An organisation's logo: shown small on its pages and cards.
LOGO = FileUse(max_bytes=2 * MB, max_pixels=8_000_000, max_side=512, thumb_side=128)
# A job applicant's CV: a PDF only, kept as it is, in the private storage.
CV = FileUse(max_bytes=5 * MB, max_pixels=0, max_side=0, accepts_pdf=True, pdf_only=True)

# MPO is how Pillow names a JPEG that embeds a second picture, as many phone cameras write.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF"}
_REDUCIBLE_FORMATS = {"JPEG", "MPO"}


class FileRejected(Exception):
    """The upload is not a file we accept for this use; the message says why, in her language.

    ``code`` names the reason (too_large, too_many_pixels, wrong_format, unreadable,
    incomplete_pdf) for callers that word it their own way.
    """

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ProcessedImage:
    image: ContentFile
    thumbnail: ContentFile | None


@dataclass(frozen=True)
class CheckedFile:
    """An accepted file as it is to be stored: a re-encoded JPEG or a checked PDF."""

    content: ContentFile
    content_type: str
    extension: str
    thumbnail: ContentFile | None = None


def _too_many_pixels() -> FileRejected:
    return FileRejected(_("The image has too many pixels to be processed safely."), code="too_many_pixels")


def _unreadable() -> FileRejected:
    return FileRejected(_("The file is not an image we can read. SVG files are not accepted."), code="unreadable")


def _size_check(upload, use: FileUse) -> None:
    if upload.size > use.max_bytes:
        message = (_("The file is too large (%(size).1f MB); the limit is %(limit)d MB.") if use.accepts_pdf
                   else _("The image is too large (%(size).1f MB); the limit is %(limit)d MB."))
        raise FileRejected(message % {"size": upload.size / MB, "limit": use.max_bytes // MB}, code="too_large")


def _open(data: bytes, use: FileUse) -> Image.Image:
    """Open the image and set up its decoding: nothing is decoded yet, only the header read."""
    img = Image.open(io.BytesIO(data))
    if img.format not in ACCEPTED_FORMATS:
        img.close()
        raise FileRejected(_("Upload a JPEG, PNG, WebP or GIF image."), code="wrong_format")
    width, height = img.size
    if img.format in _REDUCIBLE_FORMATS:
        # Decode at the smallest 1/2^n scale that still covers the stored side.
        img.draft(None, (use.max_side, use.max_side))
    if img.width * img.height > use.max_pixels:
        img.close()
        raise FileRejected(
            _("The image is %(width)d × %(height)d pixels; here the limit is %(limit)s megapixels. "
              "Please upload a smaller image.")
            % {"width": width, "height": height, "limit": f"{use.max_pixels / 1_000_000:g}"},
            code="too_many_pixels",
        )
    return img


# Rows are converted and reduced a strip of about this many pixels at a time.
_STRIP_PIXELS = 1_000_000


def _on_white(piece: Image.Image) -> Image.Image:
    if piece.mode == "RGB":
        return piece
    rgba = piece.convert("RGBA")
    background = Image.new("RGB", piece.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _decoded_small(img: Image.Image, side: int) -> Image.Image:
    """Decode, then reduce to between ``side`` and twice it, flattened onto white, upright.

    The decoded picture is the one large allocation. It is converted and box-reduced a strip
    at a time into a small RGB image, so no full-size copy is ever made (a conversion to RGBA
    or onto white at full size would double or triple the memory).
    """
    img.load()
    width, height = img.size
    factor = max(1, max(width, height) // side)
    if factor == 1 and img.mode == "RGB":
        out = img  # already small (a JPEG decoded at reduced scale, or a small picture)
    else:
        out = Image.new("RGB", (-(-width // factor), -(-height // factor)), "white")
        rows = factor * max(1, _STRIP_PIXELS // (width * factor))
        for top in range(0, height, rows):
            piece = _on_white(img.crop((0, top, width, min(top + rows, height))))
            out.paste(piece.reduce(factor) if factor > 1 else piece, (0, top // factor))
    out.thumbnail((side, side))
    if (orientation := img.getexif().get(ExifTags.Base.Orientation, 1)) != 1:
        # Turned upright from the source's tag, on the small picture.
        out.getexif()[ExifTags.Base.Orientation] = orientation
        out = ImageOps.exif_transpose(out)
    return out


def _jpeg(img: Image.Image, side: int) -> ContentFile:
    if max(img.size) > side:
        img = img.copy()
        img.thumbnail((side, side))
    # Pillow carries some of the source's metadata into a new JPEG on its own (a COM comment,
    # which may name the owner); with no info and no exif= argument the file carries none.
    img.info = {}
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name="image.jpg")


def image_process(upload, *, use: FileUse) -> ProcessedImage:
    """Check an uploaded image for ``use``; return it re-encoded and its thumbnail."""
    _size_check(upload, use)
    upload.seek(0)
    data = upload.read()
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x its pixel limit; a warning is a refusal here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = _open(data, use)
            probe.verify()
            img = _open(data, use)
            small = _decoded_small(img, use.max_side)
            if small is not img:
                img.close()  # the full-size pixels go before the encoding starts
            del img
            return ProcessedImage(
                image=_jpeg(small, use.max_side),
                thumbnail=_jpeg(small, use.thumb_side) if use.thumb_side else None,
            )
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _unreadable() from None


def _pdf_check(upload) -> CheckedFile:
    upload.seek(0)
    data = upload.read()
    if b"%%EOF" not in data[-1024:]:
        raise FileRejected(_("The file is not a complete PDF file."), code="incomplete_pdf")
    return CheckedFile(content=ContentFile(data), content_type="application/pdf", extension="pdf")


def file_check(upload, *, use: FileUse) -> CheckedFile:
    """An image (re-encoded) or, where the use accepts one, a PDF (checked, kept as it is);
    a ``pdf_only`` use refuses anything but a PDF before any image is decoded."""
    _size_check(upload, use)
    upload.seek(0)
    if use.accepts_pdf and upload.read(5) == b"%PDF-":
        return _pdf_check(upload)
    if use.pdf_only:
        raise FileRejected(_("Upload a PDF file."), code="wrong_format")
    processed = image_process(upload, use=use)
    return CheckedFile(content=processed.image, content_type="image/jpeg", extension="jpg",
                       thumbnail=processed.thumbnail)


# --- Stories (科创故事): a story's cover, public like posters, wide enough for a phone's width ------
COVER = FileUse(max_bytes=5 * MB, max_pixels=40_000_000, max_side=1600, thumb_side=480)
