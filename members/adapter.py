"""How django-allauth stores and verifies mainland mobile numbers for our User model."""

from allauth.account import stages
from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.internal.flows.email_verification import send_verification_email_at_login
from allauth.account.utils import has_verified_email
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiangcheng.sms import send_sms

from .models import MAINLAND_MOBILE, User


class MainlandPhoneField(forms.CharField):
    """11 digits, 1[3-9]…; an optional +86 prefix and spaces are accepted and dropped."""

    default_error_messages = {"invalid": MAINLAND_MOBILE.message}

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"type": "tel", "autocomplete": "tel", "inputmode": "numeric",
                       "placeholder": _("11-digit mobile number")}
            ),
        )
        super().__init__(max_length=20, **kwargs)

    def to_python(self, value):
        value = super().to_python(value).replace(" ", "").replace("-", "")
        if value.startswith("+86"):
            value = value[3:]
        return value

    def validate(self, value):
        super().validate(value)
        if value:
            MAINLAND_MOBILE(value)


class AccountAdapter(DefaultAccountAdapter):
    def phone_form_field(self, **kwargs):
        return MainlandPhoneField(**kwargs)

    def set_phone(self, user: User, phone: str, verified: bool) -> None:
        user.phone = phone
        user.phone_verified = verified
        user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user: User):
        if not user.phone:
            return None
        return user.phone, user.phone_verified

    def set_phone_verified(self, user: User, phone: str) -> None:
        self.set_phone(user, phone, True)

    def get_user_by_phone(self, phone: str):
        return User.objects.filter(phone=phone).order_by("-phone_verified", "pk").first()

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        send_sms(phone=phone, text=gettext("[Xiangcheng women in S&T] Your verification code is %(code)s. It expires in 15 minutes.") % {"code": code})

    def send_unknown_account_sms(self, phone: str, **kwargs) -> None:
        send_sms(phone=phone, text=gettext("[Xiangcheng women in S&T] No account uses this number. You can sign up on the portal."))

    def send_account_already_exists_sms(self, phone: str) -> None:
        send_sms(phone=phone, text=gettext("[Xiangcheng women in S&T] This number already has an account. Log in or reset your password on the portal."))

    def get_login_stages(self) -> list[str]:
        return [
            "members.adapter.EmailVerificationStage"
            if path == "allauth.account.stages.EmailVerificationStage" else path
            for path in super().get_login_stages()
        ]


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
