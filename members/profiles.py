"""Saving a member's own profile: consent to the directory is recorded separately."""

from functools import partial

from django.core.files.storage import Storage
from django.db import transaction

from .consents import consent_grant, consent_withdraw
from .forms import ProfileForm
from .membership import profile_apply
from .models import Consent, MemberProfile, Status, User


def profile_for(user: User) -> MemberProfile | None:
    return MemberProfile.objects.filter(user=user).first()


def _photo_files(profile: MemberProfile) -> list[str]:
    return [f.name for f in (profile.avatar, profile.avatar_thumb) if f]


def _files_delete(storage: Storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


@transaction.atomic
def profile_save(*, user: User, form: ProfileForm) -> MemberProfile:
    """Save a valid profile form; a member not yet approved (re-)applies by saving."""
    was_listed = bool(form.instance.pk and form.initial.get("listed_in_directory"))
    old_photos = _photo_files(form.instance) if form.instance.pk else []
    profile = form.save(commit=False)
    profile.user = user
    profile.save()
    # A replaced photo is personal data nobody can reach any more: remove it once saved.
    if replaced := [name for name in old_photos if name not in _photo_files(profile)]:
        transaction.on_commit(partial(_files_delete, profile.avatar.storage, replaced))
    if profile.listed_in_directory and not was_listed:
        consent_grant(user=user, kind=Consent.Kind.DIRECTORY)
    elif was_listed and not profile.listed_in_directory:
        consent_withdraw(user=user, kind=Consent.Kind.DIRECTORY)
    if profile.status != Status.APPROVED:
        profile_apply(profile=profile)
    return profile
