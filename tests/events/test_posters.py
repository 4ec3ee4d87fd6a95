"""Event posters follow the avatar rules: verified, re-encoded, EXIF stripped, thumbnailed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from events.models import Event

from .factories import EventFactory
from .helpers import admin_event_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (1600, 900), "#c2185b")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (31.0, 25.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_poster_is_stored_re_encoded_without_exif_with_a_thumbnail(client, event_manager, media_root):
    event = EventFactory()
    client.force_login(event_manager)
    data = admin_event_data(event)
    data["poster"] = SimpleUploadedFile("活动海报-张三手机拍摄.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert response.status_code == 302

    event.refresh_from_db()
    assert event.poster.name.startswith("posters/") and "张三" not in event.poster.name
    assert event.poster_thumb.name.startswith("posters/thumbs/")
    with Image.open(event.poster.path) as stored:
        assert (stored.format, stored.size, dict(stored.getexif())) == ("JPEG", (1024, 576), {})
    with Image.open(event.poster_thumb.path) as thumb:
        assert max(thumb.size) == 200
    page = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert event.poster.url in page


def test_an_svg_poster_is_refused_next_to_the_field_and_nothing_is_saved(client, event_manager, media_root):
    event = EventFactory(title="数字化发展培训")
    client.force_login(event_manager)
    data = admin_event_data(event, title="数字化发展培训（改）")
    data["poster"] = SimpleUploadedFile(
        "poster.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>',
        content_type="image/svg+xml")
    response = client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["poster"]
    assert Event.objects.get(pk=event.pk).title == "数字化发展培训"
    assert list(media_root.rglob("*.*")) == []
