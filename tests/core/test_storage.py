"""One private storage for every app's private files, looked up lazily, never under /media/."""

import pytest
from django.core.files.base import ContentFile

from members.models import MemberProfile
from services.models import Attachment
from xiangcheng.core.storage import private_storage, served_privately


def private_at(settings, folder) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(folder), "base_url": None}},
    }


def test_member_photos_and_inbox_attachments_share_the_one_private_storage(settings, tmp_path):
    private_at(settings, tmp_path / "private")
    photos = MemberProfile._meta.get_field("avatar").storage
    thumbs = MemberProfile._meta.get_field("avatar_thumb").storage
    files = Attachment._meta.get_field("file").storage
    assert photos is thumbs is served_privately("members:photo")
    assert files is private_storage()
    assert photos.location == files.location == str(tmp_path / "private")


def test_the_location_follows_the_setting_when_it_changes(settings, tmp_path):
    private_at(settings, tmp_path / "first")
    storage = private_storage()
    storage.save("a.txt", ContentFile(b"first"))
    private_at(settings, tmp_path / "second")
    storage.save("a.txt", ContentFile(b"second"))
    assert (tmp_path / "first" / "a.txt").read_bytes() == b"first"
    assert (tmp_path / "second" / "a.txt").read_bytes() == b"second"
    assert served_privately("members:photo").location == str(tmp_path / "second")


def test_a_private_file_has_no_url_unless_a_view_serves_it():
    with pytest.raises(ValueError, match="no public URL"):
        private_storage().url("inbox/1/abc")
    name = "avatars/" + "0" * 32 + ".jpg"
    assert served_privately("members:photo").url(name) == f"/members/photos/{name}"


def test_the_storage_outlives_old_migrations_names():
    # The first inbox migrations name the storage callable by its old home.
    from services.models import attachment_storage

    assert attachment_storage is private_storage
