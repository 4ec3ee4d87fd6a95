"""Image files built in memory for the upload tests of every app (the file gate's users)."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image


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


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def flat_png(width: int, height: int, *, colour_type: int = 0, depth: int = 1) -> bytes:
    """A valid all-zero PNG written by hand, row by row, never held in memory as pixels:
    10000 × 10000 in 1 bit is ~12 KB, 6300 × 6300 RGBA ~150 KB.

    colour_type 0 is grey (depth 1: one bit a pixel), 2 is RGB, 6 is RGBA (depth 8)."""
    channels = {0: 1, 2: 3, 6: 4}[colour_type]
    row = b"\x00" + b"\x00" * ((width * depth * channels + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


def one_bit_png(width: int, height: int) -> bytes:
    return flat_png(width, height)


def phone_jpeg(width: int = 8000, height: int = 6000) -> bytes:
    """A 48-megapixel camera JPEG (smooth, so it stays well under 5 MB)."""
    ramp = Image.linear_gradient("L").resize((width, height))
    photo = Image.merge("RGB", (ramp, ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT), ramp))
    del ramp
    return encode(photo, "JPEG", quality=85)


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def opened(content) -> Image.Image:
    if hasattr(content, "read"):
        content.seek(0)
        content = content.read()
    return Image.open(io.BytesIO(content))


def assert_no_metadata(img: Image.Image) -> None:
    assert dict(img.getexif()) == {}
    assert "exif" not in img.info
    assert "comment" not in img.info
    assert "xmp" not in img.info
    assert "icc_profile" not in img.info
