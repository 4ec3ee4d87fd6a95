"""Saving a member's own profile: consent to the directory is recorded separately."""

from django.db import transaction

from .consents import consent_grant, consent_withdraw
from .forms import ProfileForm
from .membership import profile_apply
from .models import Consent, MemberProfile, Status, User


def profile_for(user: User) -> MemberProfile | None:
    return MemberProfile.objects.filter(user=user).first()


@transaction.atomic
def profile_save(*, user: User, form: ProfileForm) -> MemberProfile:
    """Save a valid profile form; a member not yet approved (re-)applies by saving."""
    was_listed = bool(form.instance.pk and form.initial.get("listed_in_directory"))
    profile = form.save(commit=False)
    profile.user = user
    profile.save()
    if profile.listed_in_directory and not was_listed:
        consent_grant(user=user, kind=Consent.Kind.DIRECTORY)
    elif was_listed and not profile.listed_in_directory:
        consent_withdraw(user=user, kind=Consent.Kind.DIRECTORY)
    if profile.status != Status.APPROVED:
        profile_apply(profile=profile)
    return profile
