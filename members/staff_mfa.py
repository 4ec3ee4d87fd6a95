"""Two-factor authentication for staff: no admin page without an authenticator app.

Staff reach every member's personal data. With ``settings.STAFF_MFA_REQUIRED`` (production
always; the demo may relax it) a member of staff who has no authenticator app (TOTP) yet is
sent to set one up, and back to the admin afterwards. Once she has one, allauth asks for its
code at every login (and the admin's login is the portal's, see xiangcheng/urls.py).
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .backends import TOTP_ACTIVE


def staff_needs_authenticator(user) -> bool:
    """Whether this user may not open the admin until she activates an authenticator app."""
    return (settings.STAFF_MFA_REQUIRED and user.is_authenticated and user.is_staff
            and not _totp_active(user))


def _totp_active(user) -> bool:
    # Read with the signed-in account (members.backends); asked afresh of an account loaded otherwise.
    known = getattr(user, TOTP_ACTIVE, None)
    return known if known is not None else is_mfa_enabled(user, [Authenticator.Type.TOTP])


class StaffMfaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(reverse("admin:index")) and staff_needs_authenticator(request.user):
            messages.info(request, _("Staff accounts need two-factor authentication. "
                                     "Set up an authenticator app to continue to the administration."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)
