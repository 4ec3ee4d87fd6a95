"""Her photo: uploaded through the file gate, kept privately, served only to whom she lets see it,
removed when she asks. (The gate itself — formats, metadata, limits — is tests/core/test_files.py.)"""

import importlib
import re

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.urls import reverse
from PIL import Image

from members.forms import ProfileForm
from members.models import MemberProfile, Status, VisibleField
from members.profiles import profile_photo_remove
from tests.factories import REVIEWER_GROUP, MemberProfileFactory, UserFactory
from tests.helpers import messages_of, zh
from tests.images import assert_no_metadata, encode, flat_png, jpeg_with_gps, upload

from .test_approval import profile_form_data

NOT_READABLE = "The file is not an image we can read. SVG files are not accepted."
ALL_FIELDS = [v.value for v in VisibleField]


def stored_files(root) -> list[str]:
    if not root.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def jpeg(colour: str = "red", size=(50, 50)) -> bytes:
    return encode(Image.new("RGB", size, colour), "JPEG")


def with_photo(**kwargs) -> MemberProfile:
    """A member with a photo saved through the real form (files in the private storage)."""
    profile = MemberProfileFactory(**kwargs)
    form = ProfileForm(profile_form_data(profile), {"avatar_upload": upload(jpeg())}, instance=profile)
    assert form.is_valid(), form.errors
    photo = form.cleaned_data["avatar_upload"]
    profile.avatar.save("a.jpg", photo.image, save=False)
    profile.avatar_thumb.save("t.jpg", photo.thumbnail, save=False)
    profile.save()
    return profile


# --- uploading through the profile page -------------------------------------------------------


def test_profile_form_reports_a_bad_file_on_the_photo_field():
    template = MemberProfileFactory.build()
    form = ProfileForm(profile_form_data(template), {"avatar_upload": upload(b"plain text", "me.txt", "text/plain")})
    assert form.is_valid() is False
    assert form.errors == {"avatar_upload": [zh(NOT_READABLE)]}


@pytest.mark.django_db
def test_bad_upload_rerenders_the_page_with_the_error_at_the_field_and_keeps_the_input(
        client, media_root, private_root):
    user = UserFactory()
    client.force_login(user)
    template = MemberProfileFactory.build(real_name="林晓雯", organisation="苏州实验室", expertise=["新材料", "薄膜"])
    data = profile_form_data(template, avatar_upload=upload(b"GIF89a-not-really", "me.gif", "image/gif"))
    response = client.post(reverse("members:profile"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"avatar_upload": [zh(NOT_READABLE)]}
    html = response.content.decode()
    message = zh(NOT_READABLE)
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
    assert stored_files(media_root) == stored_files(private_root) == []


@pytest.mark.django_db
def test_a_huge_png_is_refused_for_a_photo_with_its_size_and_the_limit(client, private_root):
    user = UserFactory()
    client.force_login(user)
    template = MemberProfileFactory.build(real_name="林晓雯")
    data = profile_form_data(template, avatar_upload=upload(flat_png(6300, 6300, colour_type=6, depth=8),
                                                            "poster.png", "image/png"))
    response = client.post(reverse("members:profile"), data)

    expected = zh("The image is %(width)d × %(height)d pixels; here the limit is %(limit)s megapixels. "
                  "Please upload a smaller image.", width=6300, height=6300, limit="12")
    assert response.context["form"].errors == {"avatar_upload": [expected]}
    assert 'value="林晓雯"' in response.content.decode()
    assert stored_files(private_root) == []


@pytest.mark.django_db
def test_good_upload_is_stored_privately_under_a_generated_name_without_metadata(client, media_root, private_root):
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
    assert stored_files(private_root) == sorted([profile.avatar.name, profile.avatar_thumb.name])
    assert stored_files(media_root) == []  # nothing a public /media/ URL could reach
    for path in stored_files(private_root):
        assert "13812345678" not in path and "林晓雯" not in path
        assert_no_metadata(Image.open(private_root / path))
    assert Image.open(private_root / profile.avatar.name).size == (120, 90)
    assert Image.open(private_root / profile.avatar_thumb.name).size == (120, 90)  # never enlarged
    assert profile.avatar_thumb.url == f"/members/photos/{profile.avatar_thumb.name}"


@pytest.mark.django_db
def test_replacing_the_photo_removes_the_old_files(client, private_root, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    template = MemberProfileFactory.build()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:profile"), profile_form_data(template, avatar_upload=upload(jpeg("red"))))
    old = MemberProfile.objects.get(user=user)
    old_names = [old.avatar.name, old.avatar_thumb.name]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:profile"),
                               profile_form_data(old, avatar_upload=upload(jpeg("blue", (60, 60)))))
    assert response.status_code == 302
    new = MemberProfile.objects.get(user=user)
    assert new.avatar.name not in old_names
    assert stored_files(private_root) == sorted([new.avatar.name, new.avatar_thumb.name])
    assert Image.open(private_root / new.avatar.name).size == (60, 60)

    # Saving again without a new photo keeps the current one.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:profile"), profile_form_data(new, job_title="研究员"))
    kept = MemberProfile.objects.get(user=user)
    assert (kept.avatar.name, kept.job_title) == (new.avatar.name, "研究员")
    assert (private_root / kept.avatar.name).is_file()


# --- who sees it ------------------------------------------------------------------------------


def fetch(client, user, url: str, **headers):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url, **headers)


@pytest.mark.django_db
def test_her_photo_is_served_to_her_privately_and_revalidated(client, private_root):
    profile = with_photo()
    response = fetch(client, profile.user, profile.avatar.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-cache"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == (private_root / profile.avatar.name).read_bytes()
    etag = response["ETag"]
    assert etag == f'"{profile.avatar.name.rsplit("/", 1)[1]}"'
    again = client.get(profile.avatar.url, HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again.content) == (304, b"")


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 404), ("herself", 200), ("approved-member", 200), ("pending-member", 404),
    ("account-without-profile", 404), ("reviewer", 200), ("staff-without-permission", 404),
])
def test_a_listed_members_shown_photo_is_served_to_approved_members_and_reviewers(
        client, private_root, staff_in_group, who, status):
    profile = with_photo()
    viewers = {
        "anonymous": None,
        "herself": profile.user,
        "approved-member": MemberProfileFactory().user,
        "pending-member": MemberProfileFactory(status=Status.PENDING).user,
        "account-without-profile": UserFactory(),
        "reviewer": staff_in_group("shenhe", REVIEWER_GROUP),
        "staff-without-permission": staff_in_group("clerk"),
    }
    for url in (profile.avatar.url, profile.avatar_thumb.url):
        assert fetch(client, viewers[who], url).status_code == status


HIDDEN = {
    "not-showing-her-photo": {"visible_fields": [f for f in ALL_FIELDS if f != "avatar"]},
    "not-listed": {"listed_in_directory": False},
    "pending": {"status": Status.PENDING},
    "rejected": {"status": Status.REJECTED, "rejection_reason": "资料不全"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(HIDDEN))
def test_a_hidden_photo_is_served_to_nobody_but_her_and_reviewers(client, private_root, staff_in_group, state):
    profile = with_photo(**HIDDEN[state])
    other = MemberProfileFactory().user
    assert fetch(client, other, profile.avatar_thumb.url).status_code == 404
    assert fetch(client, profile.user, profile.avatar_thumb.url).status_code == 200
    assert fetch(client, staff_in_group("shenhe", REVIEWER_GROUP), profile.avatar_thumb.url).status_code == 200


@pytest.mark.django_db
def test_a_deactivated_members_photo_is_not_served_to_members(client, private_root):
    profile = with_photo()
    other = MemberProfileFactory().user
    assert fetch(client, other, profile.avatar_thumb.url).status_code == 200
    profile.user.is_active = False
    profile.user.save(update_fields=["is_active"])
    assert fetch(client, other, profile.avatar_thumb.url).status_code == 404


@pytest.mark.django_db
def test_hiding_her_photo_stops_it_at_once_even_for_a_browser_that_cached_it(client, private_root):
    profile = with_photo()
    other = MemberProfileFactory().user
    seen = fetch(client, other, profile.avatar_thumb.url)
    assert seen.status_code == 200

    client.force_login(profile.user)
    data = profile_form_data(profile, visible_fields=["organisation"])
    assert client.post(reverse("members:profile"), data).status_code == 302

    hidden = fetch(client, other, profile.avatar_thumb.url, HTTP_IF_NONE_MATCH=seen["ETag"])
    assert hidden.status_code == 404


@pytest.mark.django_db
def test_photos_are_not_reachable_under_media(client, settings, private_root):
    profile = with_photo()
    assert not (settings.MEDIA_ROOT / profile.avatar.name).exists()
    assert fetch(client, profile.user, f"/media/{profile.avatar.name}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", [
    "/members/photos/avatars/" + "0" * 32 + ".jpg",      # no such photo
    "/members/photos/inbox/1/" + "0" * 32,                # another private file's kind of name
    "/members/photos/avatars/../../settings.py",
])
def test_other_names_answer_404(client, private_root, path):
    with_photo()
    assert fetch(client, MemberProfileFactory().user, path).status_code == 404


# --- removing it ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_profile_page_offers_removal_only_when_she_has_a_photo(client, private_root):
    remove = reverse("members:photo_remove")
    without = MemberProfileFactory()
    assert remove not in fetch(client, without.user, reverse("members:profile")).content.decode()
    assert fetch(client, without.user, remove)["Location"] == reverse("members:profile")

    profile = with_photo()
    html = fetch(client, profile.user, reverse("members:profile")).content.decode()
    assert f'href="{remove}"' in html
    assert zh("Remove photo") in html


@pytest.mark.django_db
def test_she_confirms_and_her_photo_is_gone_with_its_files_after_commit(
        client, private_root, django_capture_on_commit_callbacks):
    profile = with_photo()
    names = [profile.avatar.name, profile.avatar_thumb.name]
    url = profile.avatar_thumb.url
    client.force_login(profile.user)

    confirm = client.get(reverse("members:photo_remove"))
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert zh("Remove your photo?") in html
    assert zh("Yes, remove it") in html
    assert f'src="{url}"' in html
    assert stored_files(private_root) == sorted(names)  # asking changes nothing

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("members:photo_remove"), follow=True)
        # Decided, not yet committed: the files are still there.
        assert stored_files(private_root) == sorted(names)
    for callback in callbacks:
        callback()
    assert stored_files(private_root) == []
    assert response.redirect_chain == [(reverse("members:profile"), 302)]
    assert messages_of(response) == [zh("Your photo is removed.")]
    profile.refresh_from_db()
    assert (profile.avatar.name, profile.avatar_thumb.name) == ("", "")
    assert client.get(url).status_code == 404
    # A second click (another tab) changes nothing and says nothing.
    again = client.post(reverse("members:photo_remove"), follow=True)
    assert (again.redirect_chain, messages_of(again)) == ([(reverse("members:profile"), 302)], [])


@pytest.mark.django_db(transaction=True)
def test_files_stay_when_the_removal_is_rolled_back(private_root):
    profile = with_photo()
    names = sorted([profile.avatar.name, profile.avatar_thumb.name])
    with pytest.raises(RuntimeError), transaction.atomic():
        assert profile_photo_remove(user=profile.user) is True
        raise RuntimeError("something later in the same transaction failed")
    profile.refresh_from_db()
    assert sorted([profile.avatar.name, profile.avatar_thumb.name]) == names
    assert stored_files(private_root) == names


@pytest.mark.django_db
def test_removal_needs_a_login(client):
    response = client.post(reverse("members:photo_remove"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- existing photos move out of public media ------------------------------------------------


@pytest.mark.django_db
def test_the_migration_moves_existing_photos_to_private_storage_and_back(media_root, private_root):
    migration = importlib.import_module("members.migrations.0006_photos_in_private_storage")
    profile = MemberProfileFactory(avatar="avatars/" + "a" * 32 + ".jpg",
                                   avatar_thumb="avatars/thumbs/" + "a" * 32 + ".jpg")
    MemberProfileFactory(avatar="avatars/" + "b" * 32 + ".jpg")  # its file went missing long ago
    for name in (profile.avatar.name, profile.avatar_thumb.name):
        storages["default"].save(name, ContentFile(name.encode()))
    assert stored_files(media_root) == sorted([profile.avatar.name, profile.avatar_thumb.name])

    forwards = migration._move_photos("default", "private")
    forwards(apps, None)
    assert stored_files(media_root) == []
    assert stored_files(private_root) == sorted([profile.avatar.name, profile.avatar_thumb.name])
    assert (private_root / profile.avatar.name).read_bytes() == profile.avatar.name.encode()
    forwards(apps, None)  # again: nothing to do, nothing lost
    assert stored_files(private_root) == sorted([profile.avatar.name, profile.avatar_thumb.name])

    migration._move_photos("private", "default")(apps, None)
    assert stored_files(private_root) == []
    assert stored_files(media_root) == sorted([profile.avatar.name, profile.avatar_thumb.name])


def test_staff_cannot_upload_a_photo_past_the_file_gate_in_admin(db, client):
    """Staff who may edit profiles see her photo but get no upload field that would skip the gate."""
    from django.contrib.auth.models import Permission

    from tests.factories import MemberProfileFactory, StaffFactory

    profile = MemberProfileFactory()
    staff = StaffFactory(username="bianji")
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_memberprofile", "change_memberprofile"]))
    client.force_login(staff)

    response = client.get(f"/admin/members/memberprofile/{profile.pk}/change/")

    assert response.status_code == 200
    assert 'type="file"' not in response.content.decode()
