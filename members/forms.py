import re

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.files import AVATAR, FileRejected, image_process
from xiangcheng.core.form_choices import shared

from .adapter import (
    JOINING_AS_MEMBER,
    JOINING_AS_ORGANISATION,
    JOINING_FOR_MEET,
    SIGNUP_INTENT,
    MainlandPhoneField,
)
from .models import City, Field, MemberProfile, VisibleField


def _privacy_label():
    return format_html(
        _('I have read and accept the <a href="{}" target="_blank">privacy policy</a> (version {}).'),
        reverse_lazy("members:privacy"), settings.PRIVACY_POLICY_VERSION,
    )


class SignupConsentForm(forms.Form):
    """Extra sign-up rules on top of allauth's form: one contact method, separate consent."""

    joining_as = forms.ChoiceField(
        label=_("I am signing up to"), widget=forms.RadioSelect, initial=JOINING_AS_MEMBER, required=False,
        choices=[(JOINING_AS_MEMBER, _("join the alliance as a member")),
                 (JOINING_AS_ORGANISATION, _("represent an organisation (enterprise, university, institute …)")),
                 (JOINING_FOR_MEET, _("take part only in 遇见交友 (single talents who are not members)"))],
        help_text=_("A member can also represent her own company later."),
    )
    accept_privacy = forms.BooleanField(
        label=lazy(_privacy_label, str)(), required=True,
        error_messages={"required": _("You must accept the privacy policy to create an account.")},
    )

    def clean(self):
        cleaned = super().clean()
        self._hide_taken_email()
        email, phone = cleaned.get("email"), cleaned.get("phone")
        if not email and not phone and not self.errors.get("email") and not self.errors.get("phone"):
            raise forms.ValidationError(_("Enter an email address or a mobile number."))
        if email and phone:
            raise forms.ValidationError(
                _("Sign up with either an email address or a mobile number; you can add the other later.")
            )
        return cleaned

    def _hide_taken_email(self) -> None:
        """No account enumeration: an address that already has an account gets the same
        "verification sent" answer as a new one (and its owner an "account exists" email).

        allauth only hides a taken address when ACCOUNT_EMAIL_VERIFICATION is "mandatory",
        which we cannot set because phone-only accounts have no address (verification is made
        mandatory for email accounts by members.login_stages instead). So the "email_taken"
        error is turned into allauth's own already-exists flow, which `try_save` handles.
        """
        if not self.has_error("email", code="email_taken"):
            return
        if any(e.code != "email_taken" for e in self.errors["email"].as_data()):
            return
        from allauth.account.adapter import get_adapter

        del self.errors["email"]
        raw = self.data.get(self.add_prefix("email"))
        self.cleaned_data["email"] = get_adapter().clean_email(self.fields["email"].clean(raw).lower())
        self.account_already_exists = True

    def signup(self, request, user) -> None:
        from allauth.account.adapter import get_adapter

        from .consents import consent_grant

        if phone := self.cleaned_data.get("phone"):
            get_adapter().set_phone(user, phone, False)
        consent_grant(user=user, kind="privacy_policy")
        request.session[SIGNUP_INTENT] = self.cleaned_data.get("joining_as") or JOINING_AS_MEMBER


TAG_SPLIT = re.compile(r"[,，、;；\s]+")


class TagsField(forms.CharField):
    """Expertise tags typed as one line, separated by commas or 、."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return "、".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        tags = [t for t in TAG_SPLIT.split(text) if t]
        return list(dict.fromkeys(tags))

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(value) > 8:
            raise forms.ValidationError(_("At most 8 tags."))
        if any(len(t) > 20 for t in value):
            raise forms.ValidationError(_("Each tag may have at most 20 characters."))


class ProfileForm(forms.ModelForm):
    expertise = TagsField(
        label=_("Expertise tags"), required=False,
        help_text=_("Up to 8, separated by commas, e.g. 新材料、专利转化"),
    )
    visible_fields = forms.MultipleChoiceField(
        label=_("What other members may see"), choices=shared(VisibleField.choices),
        widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Your name is always shown. Your phone and email never are."),
    )
    listed_in_directory = forms.BooleanField(
        label=_("List me in the member directory so approved members can find me"),
        required=False,
    )
    avatar_upload = forms.FileField(
        label=_("Photo"), required=False,
        help_text=_("JPEG, PNG, WebP or GIF, up to 5 MB. Location data is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )

    class Meta:
        model = MemberProfile
        fields = [
            "real_name", "category", "organisation", "job_title", "field", "expertise",
            "city", "bio", "listed_in_directory", "visible_fields",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4, "maxlength": 500})}

    def clean_avatar_upload(self):
        """The checked, re-encoded photo and thumbnail (saved by ``profile_save``), or None."""
        upload = self.cleaned_data.get("avatar_upload")
        if not upload:
            return None
        try:
            return image_process(upload, use=AVATAR)
        except FileRejected as exc:
            raise forms.ValidationError(str(exc)) from None


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": _("Name, organisation or tag"), "type": "search"}))
    field = forms.ChoiceField(label=_("Field"), required=False,
                              choices=shared([("", _("All fields")), *Field.choices]))
    city = forms.ChoiceField(label=_("City"), required=False,
                             choices=shared([("", _("All cities")), *City.choices]))


class PhoneResetRequestForm(forms.Form):
    phone = MainlandPhoneField(label=_("Mobile number"))


class PhoneResetForm(forms.Form):
    code = forms.CharField(label=_("Code from the SMS"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
    password1 = forms.CharField(label=_("New password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("New password (again)"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
