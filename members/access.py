"""Members-only pages: anonymous visitors log in; members not yet approved see their status."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .profiles import profile_for


def approved_member_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        profile = profile_for(request.user)
        if profile is None or not profile.is_approved:
            return render(request, "members/awaiting_approval.html", {"profile": profile}, status=200)
        request.profile = profile
        return view(request, *args, **kwargs)

    return wrapper
