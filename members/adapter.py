"""How django-allauth stores and verifies mainland mobile numbers for our User model."""

import string
from collections.abc import Callable

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.clients import client_ip
from xiangcheng.core.sms import send_sms, sms_template

from .backends import AuthenticationBackend
from .models import MAINLAND_MOBILE, MemberProfile, User
from .phone_numbers import phone_claimants, phone_holder, phone_verify


def phone_normalise(value: str) -> str:
    """The 11 digits of a mainland number typed with spaces, dashes or a +86 prefix."""
    value = value.strip().replace(" ", "").replace("-", "")
    if value.startswith("+86"):
        value = value[3:]
    return value


VERIFICATION_CODE = sms_template(
    "verification_code", _("Your verification code is {code}. It expires in 15 minutes."), ["code"])
NO_ACCOUNT = sms_template(
    "no_account", _("No account uses this number. You can sign up on the portal."))
ACCOUNT_EXISTS = sms_template(
    "account_exists", _("This number already has an account. Log in or reset your password on the portal."))


# The sign-up fork (members.forms.SignupConsentForm.joining_as): she joins the alliance as a
# member, or comes to represent an organisation (a member may also represent her own company later).
JOINING_AS_MEMBER = "member"
JOINING_AS_ORGANISATION = "organisation"
# Or she comes only for 遇见's 交友 circle (single talents who are not members). members knows no
# app above it: the path is named by its URL alone.
JOINING_FOR_MEET = "meet"
MEET_ALONE_URL = "matching:alone_join"
SIGNUP_INTENT = "signup_intent"  # in the session until AccountAdapter.get_signup_redirect_url reads it


# Where an account without a member profile lands after logging in, when an app above members
# claims it (遇见's 交友 alone): (applies(user) -> bool, URL name), asked in order after organisations.
LOGIN_DESTINATIONS: list[tuple[Callable[[User], bool], str]] = []


def login_destination(*, applies: Callable[[User], bool], url_name: str) -> None:
    LOGIN_DESTINATIONS.append((applies, url_name))


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
        return phone_normalise(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value:
            MAINLAND_MOBILE(value)


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        # Every per-IP limit of allauth keys by the same address as ours (behind the proxy too).
        return client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth keys failed logins by email or username; a phone login has neither, so every
        # number shared one bucket. Key it by the normalised number instead.
        if phone := credentials.get("phone"):
            return f"phone:{phone_normalise(phone)}"
        return super()._get_login_attempts_cache_key(request, **credentials)

    def phone_form_field(self, **kwargs):
        # allauth passes its generic "Phone" label; ours names what is asked for.
        kwargs["label"] = _("Mobile number")
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
        phone_verify(user=user, phone=phone)

    def get_user_by_phone(self, phone: str):
        # Only the account that verified the number owns it: sign-up, adding a number and
        # "account exists" look at that one alone, so an unverified claim blocks nobody.
        # allauth passes the login field as typed ("+86 138 …"), not as the phone field cleans it.
        return phone_holder(phone=phone_normalise(phone))

    def generate_phone_verification_code(self, *, user, phone: str) -> str:
        # Mainland SMS codes are six digits; allauth's default is eight letters with a dash.
        return get_random_string(6, allowed_chars=string.digits)

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        send_sms(phone=phone, template=VERIFICATION_CODE, params={"code": code})

    def send_unknown_account_sms(self, phone: str, **kwargs) -> None:
        send_sms(phone=phone, template=NO_ACCOUNT)

    def send_account_already_exists_sms(self, phone: str) -> None:
        send_sms(phone=phone, template=ACCOUNT_EXISTS)

    def get_signup_redirect_url(self, request) -> str:
        # The sign-up fork: who came to represent an organisation goes to its registration, not to
        # the membership application.
        from django.urls import reverse

        intent = request.session.pop(SIGNUP_INTENT, None)
        if intent == JOINING_AS_ORGANISATION:
            return reverse("members:organisation_register")
        if intent == JOINING_FOR_MEET:
            return reverse(MEET_ALONE_URL)
        return super().get_signup_redirect_url(request)

    def get_login_redirect_url(self, request) -> str:
        # Someone who represents an organisation and has not applied for membership lands on
        # her organisations, not on the membership application.
        from django.urls import reverse

        from .organisations import organisations_of

        user = request.user
        if not MemberProfile.objects.filter(user=user).exists():
            if organisations_of(user).exists():
                return reverse("members:organisations")
            for applies, url_name in LOGIN_DESTINATIONS:
                if applies(user):
                    return reverse(url_name)
        return super().get_login_redirect_url(request)

    def get_login_stages(self) -> list[str]:
        return [
            "members.login_stages.EmailVerificationStage"
            if path == "allauth.account.stages.EmailVerificationStage" else path
            for path in super().get_login_stages()
        ] + [
            # 我的授权: a new privacy policy is accepted before she is signed in (the last stage).
            "members.login_stages.PrivacyPolicyStage",
        ]


CLAIMANTS_CHECKED = 3


class PhoneAuthenticationBackend(AuthenticationBackend):
    """allauth's backend, and a password login by an unverified number: the account that
    claimed it with this password (allauth then asks for the SMS code before letting her in)."""

    def _authenticate_by_phone(self, phone: str, password: str):
        if user := super()._authenticate_by_phone(phone, password):
            return user
        # The newest few only: claims cost nothing to make, each check costs a hash.
        for claimant in phone_claimants(phone=phone_normalise(phone))[:CLAIMANTS_CHECKED]:
            if user := self._check_password(claimant, password):
                return user
        return None


def user_display(user) -> str:
    """How allauth names her in messages ("Logged in as …"): her real name, else her contact."""
    profile = getattr(user, "profile", None)
    return profile.real_name if profile else (user.email or user.phone or user.username)
