"""The pages of single talents who join 交友 alone (not members): joining with their real name
(after a verified mobile number) and their profile, which says whether it waits for the
real-name check or why it was refused. Each calls one function of ``matching.profiles``."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from members.consents import has_consent
from members.models import Consent
from members.profiles import is_approved_member

from . import profiles
from .access import meet_account_required
from .alone_forms import AloneJoinForm, AloneProfileForm
from .views import GROUPS, _failed, _versions

ALONE_GROUPS = {**GROUPS, "main_fields": ["real_name", *GROUPS["main_fields"]]}


@meet_account_required
def alone_join(request):
    user = request.user
    if profiles.match_profile_of(user):
        return redirect("matching:profile")
    if is_approved_member(user):
        return redirect("matching:join")
    if not profiles.mobile_verified(user):
        return render(request, "matching/alone/mobile_first.html")
    form = AloneJoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profiles.match_join(user=user, details=form.details, consent=form.cleaned_data["consent"],
                                **form.consent_kwargs(), **form.alone_kwargs())
        except profiles.MatchError as exc:
            _failed(form, exc)
        else:
            messages.success(request, _("Thank you. Staff will verify your real name; until then nobody sees "
                                        "your profile."))
            return redirect("matching:alone_profile")
    return render(request, "matching/alone/join.html", {"form": form, "versions": _versions(), **ALONE_GROUPS})


@meet_account_required
def alone_profile(request):
    user = request.user
    current = profiles.match_profile_of(user)
    if current is None:
        return redirect("matching:join")
    if not profiles.needs_name_check(user):
        return redirect("matching:profile")
    consented = has_consent(user=user, kind=Consent.Kind.MATCHING_FRIENDSHIP)
    form = AloneProfileForm(request.POST or None, initial=AloneProfileForm.initial_from(current),
                            friendship_consented=consented)
    if request.method == "POST" and form.is_valid():
        try:
            profiles.match_edit(user=user, details=form.details, **form.consent_kwargs(), **form.alone_kwargs())
        except profiles.MatchError as exc:
            _failed(form, exc)
        else:
            messages.success(request, _("Your 遇见 profile is saved."))
            return redirect("matching:alone_profile")
    return render(request, "matching/profile.html", {"form": form, "match_profile": current,
                                                     "versions": _versions(), **ALONE_GROUPS})
