"""Uploaded photos: verified by Pillow, re-encoded, EXIF stripped, thumbnailed.

Used for member avatars now and for event posters later. The upload's bytes never reach
storage as they came: only the re-encoded JPEG does.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# MPO is how Pillow names a JPEG that embeds a second picture, as many phone cameras write.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF"}
MAX_SIDE = 1024
THUMB_SIDE = 200


class ImageRejected(Exception):
    """The upload is not an image we accept; the message says why, in the user's language."""


@dataclass(frozen=True)
class ProcessedImage:
    image: ContentFile
    thumbnail: ContentFile


def _jpeg(img: Image.Image, side: int) -> ContentFile:
    copy = img.copy()
    copy.thumbnail((side, side))
    # Pillow carries some of the source's metadata into a new JPEG on its own (a COM comment,
    # which may name the owner); with no info and no exif= argument the file carries none.
    copy.info = {}
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name="image.jpg")


def image_process(upload, *, max_side: int = MAX_SIDE) -> ProcessedImage:
    """Check an uploaded file and return the re-encoded image and its thumbnail."""
    if upload.size > settings.AVATAR_MAX_BYTES:
        raise ImageRejected(
            _("The image is too large (%(size).1f MB); the limit is %(limit)d MB.")
            % {"size": upload.size / 1024 / 1024, "limit": settings.AVATAR_MAX_BYTES // 1024 // 1024}
        )
    upload.seek(0)
    data = upload.read()
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x its pixel limit; a warning is a refusal here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise ImageRejected(_("Upload a JPEG, PNG, WebP or GIF image."))
                if probe.width * probe.height > settings.AVATAR_MAX_PIXELS:
                    raise ImageRejected(_("The image has too many pixels to be processed safely."))
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                img = ImageOps.exif_transpose(img)
                if img.mode != "RGB":
                    background = Image.new("RGB", img.size, "white")
                    rgba = img.convert("RGBA")
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    img = background
                return ProcessedImage(image=_jpeg(img, max_side), thumbnail=_jpeg(img, THUMB_SIDE))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(_("The image has too many pixels to be processed safely.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRejected(_("The file is not an image we can read. SVG files are not accepted.")) from None
