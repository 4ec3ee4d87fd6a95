"""遇见's pages: the landing page (anyone), joining, her match profile and leaving (approved members).
Each view parses the form and calls one function of ``matching.profiles``."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from members.consents import has_consent_read
from members.models import Consent
from xiangcheng.core.compiled_queries import together
from xiangcheng.core.fragments import UnboundForm

from . import profiles
from .access import meet_account_required
from .forms import JoinForm, MatchProfileForm
from .suggestions import suggestions_reads, suggestions_shown


def landing(request):
    user = request.user
    return render(request, "matching/landing.html", {
        "match_profile": profiles.match_profile_of(user),
        "may_join": profiles.may_join(user),
        "joins_alone": profiles.joins_alone(user),
    })


def _failed(form, exc: profiles.MatchError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


@meet_account_required
def join(request):
    if profiles.match_profile_of(request.user):
        return redirect("matching:profile")
    if profiles.joins_alone(request.user):  # not a member: 交友 alone
        return redirect("matching:alone_join")
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profiles.match_join(user=request.user, details=form.details, consent=form.cleaned_data["consent"],
                                **form.consent_kwargs())
        except profiles.MatchError as exc:
            _failed(form, exc)
        else:
            messages.success(request, _("Welcome to 遇见. You can change or leave it at any time."))
            return redirect("matching:profile")
    return render(request, "matching/join.html", {"form": form, "versions": _versions(), **GROUPS})


@meet_account_required
def profile(request):
    # Her profile and whether she consented to 交友, in one round trip.
    current, consented = together(profiles.match_profile_read(request.user),
                                  has_consent_read(user=request.user, kind=Consent.Kind.MATCHING_FRIENDSHIP))
    if current is None:
        return redirect("matching:join")
    if profiles.needs_name_check(request.user):  # joined 交友 alone
        return redirect("matching:alone_profile")
    arguments = {"initial": MatchProfileForm.initial_from(current), "friendship_consented": consented}
    if request.method != "POST":
        # Its fields kept rendered under her values: the form is made only to render them.
        return render(request, "matching/profile.html", {
            "form": UnboundForm(MatchProfileForm, **arguments), "friendship_consented": consented,
            "match_profile": current, "versions": _versions(), **GROUPS})
    form = MatchProfileForm(request.POST, **arguments)
    if form.is_valid():
        try:
            profiles.match_edit(user=request.user, details=form.details, **form.consent_kwargs())
        except profiles.MatchError as exc:
            _failed(form, exc)
        else:
            messages.success(request, _("Your 遇见 profile is saved."))
            return redirect("matching:profile")
    return render(request, "matching/profile.html", {"form": form, "friendship_consented": consented,
                                                     "match_profile": current, "versions": _versions(), **GROUPS})


@meet_account_required
def leave(request):
    current = profiles.match_profile_of(request.user)
    if request.method == "POST":
        if profiles.match_leave(user=request.user):
            messages.success(request, _("You have left 遇见. Your match profile is deleted."))
        return redirect("matching:landing")
    if current is None:
        return redirect("matching:landing")
    return render(request, "matching/leave.html", {"match_profile": current})


def suggestions(request):
    if not request.user.is_authenticated:
        return redirect("matching:landing")
    # Her match profile and her suggestions, in one round trip.
    current, *read = together(profiles.match_profile_read(request.user),
                              *suggestions_reads(user_id=request.user.pk))
    if current is None or not profiles.may_join(request.user):
        return redirect("matching:landing")
    return render(request, "matching/suggestions.html", {"match_profile": current, "suggestions": suggestions_shown(*read)})


def _versions() -> dict:
    return {"match": profiles.MATCH_CONSENT_VERSION, "friendship": profiles.FRIENDSHIP_CONSENT_VERSION}


# How the form's fields are grouped on the page.
GROUPS = {
    "main_fields": ["purposes", "interests", "fields", "cities", "introduction", "show_photo"],
    "friendship_fields": MatchProfileForm.FRIENDSHIP_FIELDS,
    "consent_fields": MatchProfileForm.CONSENT_FIELDS,
}
