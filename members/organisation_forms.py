"""Forms of the organisation pages: register and edit, invite a colleague."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.files import LOGO, FileRejected, image_process

from .adapter import MainlandPhoneField
from .credit_codes import credit_code_check, credit_code_normalised
from .models import Organisation


class CreditCodeField(forms.CharField):
    """Typed with spaces or in lower case; normalised before it is checked (length, characters,
    check character: one clear error each)."""

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)
        super().__init__(**kwargs)
        self.validators = [credit_code_check]

    def to_python(self, value):
        return credit_code_normalised(super().to_python(value))


class OrganisationForm(forms.ModelForm):
    """The details she gives; the credit code is normalised as typed and checked on the server."""

    logo_upload = forms.FileField(
        label=_("Logo"), required=False,
        help_text=_("JPEG, PNG, WebP or GIF, up to 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )

    class Meta:
        model = Organisation
        fields = ["name", "credit_code", "kind", "industry", "size", "city", "district", "address", "description",
                  "public_contact", "women_led"]
        widgets = {
            "credit_code": forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false",
                                                  "placeholder": "91320507MA1MXAB7XN"}),
            "description": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        }
        help_texts = {
            "credit_code": _("18 characters, as on the business licence (统一社会信用代码)."),
            "public_contact": _("Shown to members: an office phone, a recruitment mailbox or a website, "
                                "not a person's own number."),
            "women_led": _("Staff check the claim before the badge is shown."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_field = self.fields["credit_code"]
        self.fields["credit_code"] = CreditCodeField(label=model_field.label, help_text=model_field.help_text,
                                                     widget=model_field.widget)
        self.fields["credit_code"].widget.attrs.pop("maxlength", None)

    def clean_logo_upload(self):
        """The checked, re-encoded logo and its thumbnail, or None."""
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        try:
            return image_process(upload, use=LOGO)
        except FileRejected as exc:
            raise forms.ValidationError(str(exc)) from None


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Her or his email address"), required=False)
    phone = MainlandPhoneField(label=_("or mobile number"), required=False)

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            if cleaned.get("email") and cleaned.get("phone"):
                raise forms.ValidationError(_("Enter either an email address or a mobile number, not both."))
            if not cleaned.get("email") and not cleaned.get("phone"):
                raise forms.ValidationError(_("Enter an email address or a mobile number."))
        return cleaned
