"""The follow page (/calls/following/) and the email's stop link (no login)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import call_follows
from .call_follow_forms import CallFollowForm


@login_required
@require_http_methods(["GET", "POST"])
def following(request):
    """Tick the kinds and fields to hear of; saving replaces what she followed."""
    follows = call_follows.follows_of(member=request.user)
    # Every box unticked is a POST with no data: bound all the same (she follows nothing).
    form = CallFollowForm(request.POST if request.method == "POST" else None,
                          initial={"kinds": sorted(follows.kinds), "fields": sorted(follows.fields)})
    if request.method == "POST" and form.is_valid():
        try:
            follows = call_follows.follows_set(member=request.user, kinds=set(form.cleaned_data["kinds"]),
                                               fields=set(form.cleaned_data["fields"]))
        except call_follows.CallFollowError as exc:
            form.add_error(None, str(exc))
        else:
            if follows.kinds or follows.fields:
                messages.success(request, _("Saved. We will email you when a call of these kinds or fields opens."))
            else:
                messages.success(request, _("Saved. You follow no calls: we will not email you about new ones."))
            return redirect("services:call_following")
    return render(request, "services/calls/following.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def following_stop(request, token: str):
    """The email's link: asks first and stops only on the button (a POST), since mail scanners
    open links. A changed or forged token changes nothing."""
    if request.method == "POST":
        account = call_follows.follows_stop(token=token)
    else:
        account = call_follows.follows_stop_account(token=token)
    if account is None:
        return render(request, "services/calls/following_stopped.html", {"refused": True}, status=400)
    return render(request, "services/calls/following_stopped.html", {"done": request.method == "POST"})
