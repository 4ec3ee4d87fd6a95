"""allauth login stages we adjust. Loaded by allauth from a dotted path, after allauth itself."""

from allauth.account import stages
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.email_verification import send_verification_email_at_login
from allauth.account.utils import has_verified_email


class EmailVerificationStage(stages.EmailVerificationStage):
    """Email verification is mandatory for accounts with an email; phone-only accounts
    verify their number instead and have no address to confirm."""

    def handle(self):
        login = self.login
        email = login.email or (login.user.email if login.user else "")
        if not email:
            return None, True
        if has_verified_email(login.user, email):
            return None, True
        send_verification_email_at_login(self.request, login)
        return get_adapter().respond_email_verification_sent(self.request, login.user), True


class PrivacyPolicyStage(stages.LoginStage):
    """A new version of the privacy policy is in force and she accepted an older one: she is
    asked to accept it before she is signed in (members.views.privacy_accept); she may also
    decline, which ends the login. The rule is ``members.consents.privacy_policy_outdated``."""

    key = "privacy_policy"
    urlname = "members:privacy_accept"

    def handle(self):
        from allauth.core.internal.httpkit import headed_redirect_response

        from .consents import privacy_policy_outdated

        if self.login.user is None or not privacy_policy_outdated(user=self.login.user):
            return None, True
        return headed_redirect_response(self.urlname), True
