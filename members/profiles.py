"""Saving a member's own profile and her photo.

Only what she edits is written, on her profile row locked for the transaction: a reviewer
approving or rejecting her at the same moment (status, reviewed_at, reviewed_by,
rejection_reason) waits for the lock or is waited for, and neither overwrites the other.
Consent to the directory is recorded separately when she opts in or out. Photo files nobody
can reach any more are deleted once the change is committed.
"""

from functools import partial

from django.core.files.storage import Storage
from django.db import transaction
from django.forms.models import construct_instance

from xiangcheng.core.files import ProcessedImage

from .consents import consent_grant, consent_withdraw
from .forms import ProfileForm
from .membership import profile_apply
from .models import Consent, MemberProfile, Status, User

PHOTO_FIELDS = ["avatar", "avatar_thumb"]


def profile_for(user: User) -> MemberProfile | None:
    """Her profile, or None; the one loaded with the signed-in account when it is there."""
    if User.profile.is_cached(user):
        return getattr(user, "profile", None)
    return MemberProfile.objects.filter(user=user).first()


def person_name(user: User | None, *, masked_contact: bool = False) -> str:
    """How a page names a person without showing how to reach her: her member name; else her
    account's username or, for colleagues who know her by it, her email or mobile masked.
    Never the account's ``str()``, which is a contact."""
    if user is None:
        return "—"
    profile = getattr(user, "profile", None)
    if profile is not None and profile.real_name:
        return profile.real_name
    if masked_contact and user.email:
        local, _at, domain = user.email.partition("@")
        return f"{local[:2]}***@{domain}"
    if masked_contact and user.phone:
        return f"{user.phone[:3]}****{user.phone[-4:]}"
    return user.username


def trail_name(user: User) -> str:
    """How the audit trail names an account: staff by their account, as colleagues know them; a
    member or anyone else by ``person_name``, her contact masked — the trail is read on every
    audited record's admin page, by staff who may not see her contacts."""
    return str(user) if user.is_staff else person_name(user, masked_contact=True)


def is_approved_member(user: User) -> bool:
    """She is an approved member of the alliance (``MemberProfile.is_approved`` on her profile)."""
    profile = profile_for(user)
    return profile is not None and profile.is_approved


def _locked_profile(user: User) -> MemberProfile | None:
    if profile := MemberProfile.objects.select_for_update().filter(user=user).first():
        return profile
    # No profile yet: her account's row serialises two first saves (a double click), so the
    # second finds the first's profile instead of failing on the one-profile-per-account rule.
    User.objects.select_for_update().filter(pk=user.pk).first()
    return MemberProfile.objects.select_for_update().filter(user=user).first()


def _photo_files(profile: MemberProfile) -> list[str]:
    return [f.name for f in (profile.avatar, profile.avatar_thumb) if f]


def _files_delete(storage: Storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def _photos_forget(profile: MemberProfile, names: list[str]) -> None:
    if names:
        transaction.on_commit(partial(_files_delete, MemberProfile._meta.get_field("avatar").storage, names))


@transaction.atomic
def profile_save(*, user: User, form: ProfileForm) -> MemberProfile:
    """Save a valid profile form; a member not yet approved (re-)applies by saving."""
    profile = _locked_profile(user)
    was_listed = bool(profile and profile.listed_in_directory)
    old_photos = _photo_files(profile) if profile else []
    if profile is None:
        profile = form.instance
        profile.user = user
    else:
        construct_instance(form, profile, fields=ProfileForm.Meta.fields)
    photo: ProcessedImage | None = form.cleaned_data.get("avatar_upload")
    if photo:
        profile.avatar.save("avatar.jpg", photo.image, save=False)
        profile.avatar_thumb.save("thumb.jpg", photo.thumbnail, save=False)
    if profile.pk is None:
        profile.save()
    else:
        # The review fields are not in the list: a decision committed meanwhile stands.
        profile.save(update_fields=[*ProfileForm.Meta.fields, *(PHOTO_FIELDS if photo else []), "updated_at"])
    # A replaced photo is personal data nobody can reach any more: remove it once saved.
    _photos_forget(profile, [name for name in old_photos if name not in _photo_files(profile)])
    if profile.listed_in_directory and not was_listed:
        consent_grant(user=user, kind=Consent.Kind.DIRECTORY)
    elif was_listed and not profile.listed_in_directory:
        consent_withdraw(user=user, kind=Consent.Kind.DIRECTORY)
    if profile.status != Status.APPROVED:
        profile_apply(profile=profile)
    return profile


@transaction.atomic
def profile_photo_remove(*, user: User) -> bool:
    """Remove her photo and its thumbnail; the files are deleted after commit.

    Returns False when she had no photo (a second click, another tab).
    """
    profile = MemberProfile.objects.select_for_update().filter(user=user).first()
    if profile is None or not _photo_files(profile):
        return False
    names = _photo_files(profile)
    profile.avatar = profile.avatar_thumb = ""
    profile.save(update_fields=[*PHOTO_FIELDS, "updated_at"])
    _photos_forget(profile, names)
    return True


# --- 我的授权: withdrawing the directory consent (members.consent_sources) ----------------------

@transaction.atomic
def profile_directory_leave(*, user: User) -> bool:
    """She leaves the member directory at once: unlisted, and her consent withdrawn. False when she
    was not listed (a second click, another tab)."""
    profile = _locked_profile(user)
    consent_withdraw(user=user, kind=Consent.Kind.DIRECTORY)
    if profile is None or not profile.listed_in_directory:
        return False
    profile.listed_in_directory = False
    profile.save(update_fields=["listed_in_directory", "updated_at"])
    return True
