"""Who reaches 遇见's own pages: approved members, single talents who come to 交友 alone (no
member profile), and anyone who already has a match profile (so she can always edit or leave).
Applicants still waiting for membership see their status, as on every members-only page."""

from functools import wraps

from django.contrib.auth.decorators import login_required

from members.access import approved_member_required
from members.profiles import is_approved_member

from .profiles import joins_alone, match_profile_of


def meet_account_required(view):
    members_only = approved_member_required(view)

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if is_approved_member(user) or joins_alone(user) or match_profile_of(user) is not None:
            return view(request, *args, **kwargs)
        return members_only(request, *args, **kwargs)

    return wrapper
