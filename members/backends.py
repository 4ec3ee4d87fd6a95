"""Loading the signed-in account for each request, with what every page shows about her.

The session names the account; the menu needs her profile (name, status): one query brings
both (the unread count stays a query of its own: as a subquery annotation the query costs more
to build than the two do to run).
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from .models import User


class SignedInLoading:
    def get_user(self, user_id):
        user = User._default_manager.select_related("profile").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(SignedInLoading, DjangoModelBackend):
    """Django's username/password backend (admin logins by username)."""


class AuthenticationBackend(SignedInLoading, AllauthBackend):
    """allauth's backend: email, mobile number or username with a password."""
