from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .access import approved_member_required
from .forms import DirectorySearchForm, ProfileForm
from .models import Status
from .profiles import profile_for, profile_save
from .queries import directory_profiles

DIRECTORY_PAGE_SIZE = 20


@login_required
def profile(request):
    current = profile_for(request.user)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=current)
    if request.method == "POST":
        if form.is_valid():
            saved = profile_save(user=request.user, form=form)
            if saved.status == Status.PENDING:
                messages.success(request, _("Your profile is saved and your application is awaiting approval."))
            else:
                messages.success(request, _("Your profile is saved."))
            return redirect("members:profile")
        messages.error(request, _("Please correct the errors below."))
    return render(request, "members/profile.html", {"form": form, "profile": current})


@approved_member_required
def directory(request):
    form = DirectorySearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    profiles = directory_profiles(
        q=filters.get("q", ""), field=filters.get("field", ""), city=filters.get("city", "")
    )
    page = Paginator(profiles, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "members/directory.html",
                  {"form": form, "page": page, "query": query.urlencode()})


def privacy(request):
    return render(request, "members/privacy.html",
                  {"PRIVACY_POLICY_VERSION": settings.PRIVACY_POLICY_VERSION})
